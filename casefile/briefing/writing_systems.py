"""Text in any script, ready for a ReportLab paragraph: escaped, each script in a font that
has it, right-to-left runs in visual order.

ReportLab reorders right-to-left text only with ``rlbidi``, which is not on PyPI. Shaping
(uharfbuzz) already puts the letters of each word in visual order, so what is left is the
order of the words: the Unicode bidirectional algorithm's levels and its reordering rule
(L2), applied to whole words rather than characters. A word with Arabic or Hebrew letters
is right-to-left, one with Latin, Greek or Cyrillic letters left-to-right, and numbers and
punctuation take the direction around them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import shapeStr
from reportlab.platypus import Flowable, Paragraph

from casefile.briefing.fonts import (
    ARABIC,
    CJK,
    FALLBACK,
    SERIF,
    SHAPED,
    covers,
    registered_names,
)

_TAGS = re.compile(r"<[^>]+>")
_ATTRIBUTE = {'"': "&quot;"}  # escaped in an attribute's value, besides &, < and >


@cache
def _direction(word: str) -> int:
    """1 right-to-left, 0 left-to-right, -1 neither (digits, punctuation)."""
    for char in word:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return 1
        if kind == "L":
            return 0
    return -1


def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def base_is_rtl(text: str) -> bool:
    """The paragraph direction: that of its first strong letter (rule P2)."""
    return next((d == 1 for d in map(_direction, text.split()) if d >= 0), False)


_NUMBER = -2  # a number read right to left's way: inside the run, its digits left to right


def levels(words: Sequence[str], rtl: bool) -> list[int]:
    """Each word's embedding level in a paragraph of base direction ``rtl``."""
    found = [_direction(w) for w in words]
    last = int(rtl)
    for i, d in enumerate(found):  # W2: a number after Arabic or Hebrew joins that run
        if d >= 0:
            last = d
        elif last == 1 and _is_number(words[i]):
            found[i] = _NUMBER
    side = [1 if d == _NUMBER else d for d in found]  # such numbers count as R (N1)
    resolved = list(found)
    for i, d in enumerate(found):
        if d == -1:  # neutral: the direction of the words on both sides, if they agree
            before = next((x for x in reversed(side[:i]) if x >= 0), int(rtl))
            after = next((x for x in side[i + 1 :] if x >= 0), int(rtl))
            resolved[i] = before if before == after else int(rtl)
    return [2 if d == _NUMBER else 1 if d == 1 else 2 if rtl else 0 for d in resolved]


def _is_number(word: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("EN", "AN") for c in word)


def visual_order(words: Sequence[str], word_levels: Sequence[int]) -> list[str]:
    """Rule L2: from the highest level down to the lowest odd one, reverse each run."""
    order = list(range(len(words)))
    if not word_levels:
        return []
    top = max(word_levels)
    lowest_odd = min((level for level in word_levels if level % 2), default=top + 1)
    for level in range(top, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if word_levels[order[i]] >= level:
                j = i
                while j < len(order) and word_levels[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return [words[i] for i in order]


_SHAPED_FONTS = tuple(f'<font name="{name}' for name in SHAPED)  # regular and bold


def word_font(word: str) -> str | None:
    """The font a word needs if not the paragraph's own: Naskh for Arabic script, then the
    first fallback that has every character (no missing-glyph boxes where one can help)."""
    if _direction(word) == 1:
        return ARABIC if covers(ARABIC, word) else FALLBACK
    if covers(SERIF, word):
        return None
    return CJK if not covers(FALLBACK, word) and covers(CJK, word) else FALLBACK


def word_markup(word: str, bold: bool = False) -> str:
    text = escape(word)
    font = word_font(word)
    if font is None:
        return text
    if bold and f"{font}-Bold" in registered_names():  # a font tag sets the face itself
        font = f"{font}-Bold"
    return f'<font name="{font}">{text}</font>'


def markup(text: str, *, bold: bool = False) -> str:
    """Paragraph markup for plain ``text`` on one left-to-right line or paragraph; ``bold``
    where it is set in bold (a heading, or inside ``<b>``)."""
    if covers(SERIF, text):  # no right-to-left script, nothing missing: as it is
        return escape(text)
    text = printable(text)
    if not has_rtl(text):
        return " ".join(word_markup(w, bold) for w in text.split())
    words = text.split()
    return " ".join(word_markup(w, bold) for w in visual_order(words, levels(words, rtl=False)))


def paragraph(
    text: str, style: ParagraphStyle, *, bold: bool = False, link: str = "", after: str = ""
) -> Flowable:
    """A paragraph of plain ``text`` (``bold``, a ``link``, and ending in the markup
    ``after``), its lines in the order they are read where it holds right-to-left words,
    set right-to-left when its first letter is."""
    if has_rtl(text):
        return BidiLines(text, style, bold=bold, link=link, after=after)
    shown = markup(text, bold=bold)
    if bold:
        shown = f"<b>{shown}</b>"
    if link:
        shown = f'<a href="{escape(link, _ATTRIBUTE)}">{shown}</a>'
    return para(shown + after, style)


def printable(text: str) -> str:
    """``text`` with control characters dropped and any character no bundled font has
    shown as U+FFFD (a visible replacement, never an empty box)."""
    return "".join(_printable(c) for c in text)


@cache
def _printable(char: str) -> str:
    if char in "\n\t":
        return " "
    if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
        return "" if unicodedata.category(char) != "Co" else "\ufffd"
    if any(covers(font, char) for font in (SERIF, ARABIC, FALLBACK, CJK)):
        return char
    return "\ufffd"


class Para(Paragraph):  # type: ignore[misc]
    """A paragraph that breaks its lines once for each width it is given. A profile kept
    on one page is measured whole before it is laid out, and ReportLab breaks every line
    again each time: at 500 attacks, a third of the pack's time."""

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        # (A split that found no room drops the lines it broke: then break them again.)
        if getattr(self, "_wrapped_at", None) == available_width and hasattr(self, "blPara"):
            return self.width, self.height
        size: tuple[float, float] = super().wrap(available_width, available_height)
        self._wrapped_at = available_width
        return size


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of markup, shaped by uharfbuzz only where it holds Arabic script: shaping
    every Latin word too would slow a pack several times over for nothing."""
    return Para(text, style_for(text, style))


def style_for(text: str, style: ParagraphStyle) -> ParagraphStyle:
    """``style``, shaped if the markup ``text`` holds words in a shaping font."""
    return _shaped(style) if any(font in text for font in _SHAPED_FONTS) else style


@cache
def _shaped(style: ParagraphStyle) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-shaped", parent=style, shaping=1)


class BidiLines(Flowable):  # type: ignore[misc]
    """A paragraph holding right-to-left words, its lines broken in reading order and each
    then reordered for display. Reordering a whole paragraph before ReportLab breaks it
    puts the end of a wrapped Arabic title on its first line.

    Set right-aligned when its first letter is right-to-left (``base_is_rtl``); ``bold``
    and ``link`` (an href) apply to every word; ``after`` is markup that ends it in
    reading order (a citation's marks): on the last line's right in a left-to-right
    paragraph, on its left in a right-to-left one."""

    def __init__(
        self,
        text: str,
        style: ParagraphStyle,
        *,
        bold: bool = False,
        link: str = "",
        after: str = "",
    ) -> None:
        super().__init__()
        self.words = printable(text).split()
        self.rtl = base_is_rtl(text)
        self.levels = levels(self.words, rtl=self.rtl)
        self.bold, self.link, self.after = bold, link, after
        alignment = TA_RIGHT if self.rtl else style.alignment
        self.style = ParagraphStyle(
            f"{style.name}-bidi-{alignment}", parent=style, alignment=alignment, shaping=1
        )
        self._inner: Paragraph | None = None

    def _width(self, word: str) -> float:
        size = self.style.fontSize
        font = word_font(word)
        if font is None:
            return float(stringWidth(word, self.style.fontName, size))
        shaped = shapeStr(word, font, size)
        advances = getattr(shaped, "__shapeData__", None)
        if advances is None:
            return float(stringWidth(word, font, size))
        return float(sum(a.x_advance for a in advances) * size / 1000)

    def _lines(self, width: float) -> list[list[int]]:
        space = stringWidth(" ", self.style.fontName, self.style.fontSize)
        lines: list[list[int]] = [[]]
        used = 0.0
        # What ``after`` takes, as if it were the last word (its plain text, a little wide).
        after = stringWidth(_TAGS.sub("", self.after), self.style.fontName, self.style.fontSize)
        for i, word in enumerate(self.words):
            w = self._width(word) + (space + after if i == len(self.words) - 1 and after else 0)
            if lines[-1] and used + space + w > width:
                lines.append([])
                used = 0.0
            used += (space if lines[-1] else 0) + w
            lines[-1].append(i)
        return lines

    def _word(self, word: str) -> str:
        shown = word_markup(word, self.bold)
        if self.bold:
            shown = f"<b>{shown}</b>"
        if self.link:
            shown = f'<a href="{escape(self.link, _ATTRIBUTE)}">{shown}</a>'
        return shown

    def _paragraph(self, width: float) -> Paragraph:
        shown = []
        indents = self.style.leftIndent + self.style.rightIndent
        for line in self._lines(width - indents):
            words = [self.words[i] for i in line]
            ordered = visual_order(words, [self.levels[i] for i in line])
            shown.append(" ".join(self._word(w) for w in ordered))
        if self.after:
            shown[-1] = f"{self.after} {shown[-1]}" if self.rtl else f"{shown[-1]}{self.after}"
        return Paragraph("<br/>".join(shown), self.style)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._inner = self._paragraph(available_width)
        size: tuple[float, float] = self._inner.wrap(available_width, available_height)
        self.width, self.height = size
        return size

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        parts: list[Flowable] = self._paragraph(available_width).split(
            available_width, available_height
        )
        return parts

    def draw(self) -> None:
        assert self._inner is not None
        self._inner.drawOn(self.canv, 0, 0)
