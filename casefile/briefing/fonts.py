"""The bundled fonts, registered with ReportLab once, and text that can be copied back out.

Noto Serif (Latin, Greek, Cyrillic) sets the body, Noto Sans the furniture, Noto Naskh
Arabic the Arabic and Urdu, DejaVu Sans any word the others lack a character of (an Arabic
word in brackets, Hebrew, symbols), and Droid Sans Fallback Chinese, Japanese and Korean.

ReportLab shapes Arabic through uharfbuzz, but writes each shaped glyph's code into the
PDF's ToUnicode map as the presentation form (or a private-use code) it found for the glyph,
so a reader copying ``الدولة`` would get look-alike characters that no search finds.
``_glyph_letters`` maps every glyph the shaping fonts can produce for Arabic script back to
the letters it stands for, and their ToUnicode maps are written from it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib.resources import files
from pathlib import Path

import uharfbuzz
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts

SERIF = "CasefileSerif"
SANS = "CasefileSans"
ARABIC = "CasefileArabic"
FALLBACK = "CasefileFallback"
CJK = "CasefileCJK"

_FILES = {
    SERIF: "NotoSerif-Regular.ttf",
    f"{SERIF}-Bold": "NotoSerif-Bold.ttf",
    f"{SERIF}-Italic": "NotoSerif-Italic.ttf",
    f"{SERIF}-BoldItalic": "NotoSerif-BoldItalic.ttf",
    SANS: "NotoSans-Regular.ttf",
    f"{SANS}-Bold": "NotoSans-Bold.ttf",
    ARABIC: "NotoNaskhArabic-Regular.ttf",
    f"{ARABIC}-Bold": "NotoNaskhArabic-Bold.ttf",
    FALLBACK: "DejaVuSans.ttf",
    f"{FALLBACK}-Bold": "DejaVuSans-Bold.ttf",
    CJK: "DroidSansFallbackFull.ttf",
}
SHAPED = (ARABIC, FALLBACK)  # the fonts that set right-to-left words, shaped
_TATWEEL = "\u0640"  # the joining stroke: shapes a letter in its initial, medial or final form


def font_path(name: str) -> Path:
    return Path(str(files("casefile.resources") / "fonts" / _FILES[name]))


@cache
def register() -> None:
    """Register the fonts and their bold/italic families (``<b>`` and ``<i>`` in markup)."""
    for name in _FILES:
        pdfmetrics.registerFont(ttfonts.TTFont(name, str(font_path(name))))
    for family in (SERIF, SANS, ARABIC, FALLBACK, CJK):
        bold = f"{family}-Bold" if f"{family}-Bold" in _FILES else family
        addMapping(family, 0, 0, family)
        addMapping(family, 1, 0, bold)
        addMapping(family, 0, 1, f"{family}-Italic" if f"{family}-Italic" in _FILES else family)
        addMapping(
            family, 1, 1, f"{family}-BoldItalic" if f"{family}-BoldItalic" in _FILES else bold
        )
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap


def registered_names() -> tuple[str, ...]:
    return tuple(_FILES)


def covers(name: str, text: str) -> bool:
    """Whether font ``name`` has a glyph for every character of ``text``."""
    return set(text) <= _characters(name)


@cache
def _characters(name: str) -> frozenset[str]:
    register()
    return frozenset(map(chr, pdfmetrics.getFont(name).face.charToGlyph)) | {"\n", "\t"}


@cache
def _glyph_letters(name: str) -> dict[int, str]:
    """Glyph id → the letters it shows, for every form of every Arabic-script letter."""
    font = uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(font_path(name)))))
    letters = [chr(c) for c in range(0x0600, 0x0700) if unicodedata.category(chr(c))[0] in "LM"]
    samples = [
        f"{before}{c}{after}"
        for c in letters
        for before in ("", _TATWEEL)
        for after in ("", _TATWEEL)
    ]
    samples += [
        f"{before}\u0644{alef}" for alef in "\u0627\u0623\u0625\u0622" for before in ("", _TATWEEL)
    ]
    found: dict[int, str] = {}
    for sample in samples:
        buffer = uharfbuzz.Buffer()
        buffer.add_str(sample)
        buffer.guess_segment_properties()
        uharfbuzz.shape(font, buffer, {})
        starts = [*sorted({info.cluster for info in buffer.glyph_infos}), len(sample)]
        for info in buffer.glyph_infos:
            if info.codepoint == 0:  # .notdef: a letter this font does not have
                continue
            end = starts[starts.index(info.cluster) + 1]
            found.setdefault(info.codepoint, sample[info.cluster : end].replace(_TATWEEL, ""))
    for glyph in range(font.face.glyph_count):  # ligatures: "الله" is one glyph
        letters_of = _ligature_letters(font.glyph_to_string(glyph))
        if letters_of:
            found.setdefault(glyph, letters_of)
    return found


def _ligature_letters(name: str) -> str:
    """The letters a ligature glyph stands for, read from its name as the Adobe Glyph List
    writes one ("uniFEDF_uniFEE0_uniFEEA", lam lam heh: the "الله" ligature), each part's
    presentation form taken back to its letter; "" for a glyph that is not such a one."""
    parts = name.partition(".")[0].split("_")
    if len(parts) < 2 or not all(re.fullmatch(r"uni(?:[0-9A-F]{4})+", part) for part in parts):
        return ""
    codes = [int(part[i : i + 4], 16) for part in parts for i in range(3, len(part), 4)]
    return unicodedata.normalize("NFKC", "".join(map(chr, codes)))


def _to_unicode_cmap(font_name: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode map, with the Arabic fonts' glyphs mapped to their letters."""
    face_name = font_name.split("+", 1)[-1]
    faces = [f"{name}{weight}" for name in SHAPED for weight in ("", "-Bold")]
    arabic = next((n for n in faces if _face_name(n) == face_name), None)
    if arabic is None:
        return str(_original_cmap(font_name, subset))
    face = pdfmetrics.getFont(arabic).face
    letters = _glyph_letters(arabic)
    pairs = []
    for code_index, code in enumerate(subset):
        text = letters.get(face.charToGlyph.get(code, -1)) or chr(code)
        # A glyph of several letters is written last letter first: right-to-left words are
        # drawn in visual order, and readers (poppler) turn each back letter by letter.
        text = text[::-1] if len(text) > 1 and _right_to_left(text) else text
        pairs.append(f"<{code_index:02X}> <{''.join(f'{ord(c):04X}' for c in text)}>")
    lines = _original_cmap(font_name, subset).split("\n")
    start = lines.index(f"{len(subset)} beginbfchar") + 1
    return "\n".join(lines[:start] + pairs + lines[start + len(subset) :])


def _right_to_left(text: str) -> bool:
    return all(unicodedata.bidirectional(c) in ("AL", "R", "NSM") for c in text)


@cache
def _face_name(name: str) -> str:
    return str(pdfmetrics.getFont(name).face.name.decode("latin-1"))


_original_cmap = ttfonts.makeToUnicodeCMap
