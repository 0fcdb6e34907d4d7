"""Fake bold read once: a PDF page's text with each glyph printed over itself taken once.

Some writers make text bold by printing each glyph twice, the second a fraction of a point
to the side of the first. PDFium drops a repeat that lies within 0.07 of the font size of
its original; at a wider offset (a point, in 12 pt text) it keeps both, and the text reads
"MMuunniicciippaall", or, where it dropped the wide letters only, "Muniiciipall".

A glyph is taken as such a repeat when it has the same characters as the glyph before it
and the two overlap by more than half, across and up: printed so, they are one thickened
letter on the page, and a reader sees one. The boxes compared are PDFium's loose ones, as
wide as the glyph's advance and as tall as its font, so that a narrow "i" is measured by
the room it takes on the line, not by its thin stroke. A glyph is the characters PDFium
gives at one origin: a ligature ("ffi") comes as its letters, all at one point, and is
one glyph, not letters printed over each other.

Why this never joins two real letters: letters a reader sees as two ("committee",
"Mississippi", the Dutch "aa", "1100") are set one advance apart, their boxes side by side
(kerning and tight tracking take a sliver of a letter, never half of it); only printing one
glyph on top of another puts half of it over its neighbour. The text alone decides nothing:
"aa" stays "aa" unless the two were printed on top of each other. What this leaves as it
was: a repeat more than half a glyph to the side (an "i" printed again 1.5 pt over, in
12 pt text, reads as two), and text turned a quarter (PDFium's loose boxes have no width
there). Text on a slant is measured alike: a slanted glyph's loose box is as wide as its
advance's share of the line, which is how far apart two real letters stand there.
"""

from __future__ import annotations

import ctypes
import re
from typing import Any

import pypdfium2.raw as pdfium_c

Box = tuple[float, float, float, float]  # left, bottom, right, top, in PDF points


def printed_text(textpage: Any, box: Box) -> str:
    """The text of the page within ``box`` (what is printed on the page, not text hidden
    off it), each glyph printed over itself once. A page with no such glyph is PDFium's
    own text; one with them is read by ``_text_within``, which looks at every character
    from Python, some fifty times slower: only those pages pay for it."""
    repeats = _overprinted(textpage)
    if not repeats:
        return str(textpage.get_text_bounded(*box))
    return _text_within(textpage, box, repeats)


def _overprinted(textpage: Any) -> frozenset[int]:
    """The indices of the characters of each glyph printed over the one before it (see
    the module's docstring). Glyphs are measured only where the text repeats itself (one
    to three characters, again at once), a few calls to PDFium each: a page is not
    measured character by character."""
    text = textpage.get_text_range()  # one character per text index (UCS-2)
    to_char = pdfium_c.FPDFText_GetCharIndexFromTextIndex
    repeats: set[int] = set()
    for found in _REPEATS.finditer(text):
        first = to_char(textpage, found.start())
        second = to_char(textpage, found.start() + len(found[1]))
        if _covers(textpage, first, second):
            glyph, again = _glyph(textpage, first), _glyph(textpage, second)
            if glyph.stop <= again.start and _codes(textpage, glyph) == _codes(textpage, again):
                repeats.update(again)
    return frozenset(repeats)


# One to three characters that come again at once ("MM", "ffiffi"): looked for at every
# position of the text (a look-ahead), so that overlapping repeats ("MMM") are all found.
# A glyph holds no space (and the runs of spaces that lay out a table are many).
_REPEATS = re.compile(r"(?=(\S{1,3}?)\1)")


def _covers(textpage: Any, first: int, second: int) -> bool:
    """Whether the character at ``second`` covers more than half of the one at ``first``,
    across and up, by their loose boxes (a glyph's advance wide, its font's height tall)."""
    left, bottom, right, top = textpage.get_charbox(first, loose=True)
    left2, bottom2, right2, top2 = textpage.get_charbox(second, loose=True)
    return _mostly((left, right), (left2, right2)) and _mostly((bottom, top), (bottom2, top2))


def _glyph(textpage: Any, index: int) -> range:
    """The characters of the glyph that the character at ``index`` is part of: those beside
    it at its origin. PDFium gives a ligature ("ff", "ffi", Arabic lam-alef) as its letters,
    all at the glyph's one origin: measured as glyphs, the "ff" of "buffer" is one glyph,
    not two printed over each other, and a ligature printed twice is read once."""
    origin, count = _origin(textpage, index), pdfium_c.FPDFText_CountChars(textpage)
    start, stop = index, index + 1
    while start > 0 and _origin(textpage, start - 1) == origin:
        start -= 1
    while stop < count and _origin(textpage, stop) == origin:
        stop += 1
    return range(start, stop)


def _codes(textpage: Any, glyph: range) -> list[int]:
    return [pdfium_c.FPDFText_GetUnicode(textpage, index) for index in glyph]


def _text_within(textpage: Any, box: Box, skipped: frozenset[int]) -> str:
    """What PDFium's bounded text (``FPDFText_GetBoundedText``) gives, made here as PDFium
    makes it (``CPDF_TextPage::GetTextByPredicate``) from the characters not ``skipped``:
    those whose box meets ``box``, in PDFium's reading order; a line break where the text
    goes on at another height after a character outside the box; a space from outside
    only after one within. The same text and lines as PDFium's, less the repeats."""
    left, bottom, right, top = (ctypes.c_float(side).value for side in box)  # as PDFium has it
    pieces: list[str] = []
    line_y = 0.0
    after_within = False  # the last character taken was within the box
    break_due = False  # a character outside the box came since: a line may end here
    for index in range(pdfium_c.FPDFText_CountChars(textpage)):
        if index in skipped:
            continue
        code = pdfium_c.FPDFText_GetUnicode(textpage, index)
        char_left, char_bottom, char_right, char_top = textpage.get_charbox(index)
        within = _shared((left, right), (char_left, char_right)) > 0
        if within and _shared((bottom, top), (char_bottom, char_top)) > 0:
            if break_due and not after_within and (y := _origin(textpage, index)[1]) != line_y:
                line_y = y
                if pieces:
                    pieces.append("\r\n")
            after_within, break_due = True, False
            if 0 < code <= 0x10FFFF:
                pieces.append(chr(code))
        elif code == 0x20:
            if after_within:
                pieces.append(" ")
                after_within, break_due = False, False
        else:
            after_within, break_due = False, True
    # As pypdfium2 reads PDFium's UTF-16: pairs joined, a lone surrogate dropped.
    return "".join(pieces).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")


def _shared(first: tuple[float, float], second: tuple[float, float]) -> float:
    """How much of two spans (each in either order) lies in both; 0 or less for none."""
    return min(max(first), max(second)) - max(min(first), min(second))


def _mostly(first: tuple[float, float], second: tuple[float, float]) -> bool:
    """Whether two spans share more than half of the shorter (one of no length, nothing)."""
    shorter = min(abs(first[1] - first[0]), abs(second[1] - second[0]))
    return _shared(first, second) > shorter / 2


def _origin(textpage: Any, index: int) -> tuple[float, float]:
    """Where the character's glyph starts, on its baseline."""
    x, y = ctypes.c_double(), ctypes.c_double()
    pdfium_c.FPDFText_GetCharOrigin(textpage, index, x, y)
    return x.value, y.value
