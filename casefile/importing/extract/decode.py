"""Bytes to text without a crash and without a silent guess.

Order of trust: a byte-order mark (it cannot appear by accident); then UTF-8 when the
bytes are valid UTF-8 (text in any other encoding almost never is, and mislabelled pages
are mostly UTF-8 labelled as something else), unless the declared charset is one that
writes itself in ASCII (ISO-2022-JP, UTF-7), or the bytes designate ISO-2022's double-byte
character sets by their escapes (which cannot appear by accident either); then the
declared charset, when the bytes are
valid in it; then detection (charset_normalizer), trusted when one reading of the bytes
is clean and reads as a language; else a guess: Windows-1252 when the bytes are valid in
it (what unlabelled Western text nearly always is), else detection's best. A guess says
so (``Decoded.guessed``, with how many encodings fit the bytes as well): the importer tags
the document, so that no garbled text passes for what the source said. Short texts are
guessed most: a few accented letters fit a dozen code pages.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from casefile.domain.errors import InvalidInput

if TYPE_CHECKING:
    from charset_normalizer import CharsetMatch

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Python codecs that are not character sets (base64 and the like say so themselves).
_NOT_CHARSETS = frozenset({"unicode-escape", "raw-unicode-escape", "punycode", "idna"})
# Browsers read these labels as Windows-1252 (WHATWG Encoding), and so do the files.
_READ_AS_CP1252 = {"ascii", "latin-1", "iso8859-1"}
# Control characters that text files do not contain (tab, newlines, form feed and escape
# do occur), and the replacement character that undecodable bytes become.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f\ufffd]")
# Detection is sure of a reading when it is the only clean one (at most this share of its
# text looks wrong: "mess", in charset_normalizer's words), or when enough bytes are not
# ASCII (or are NULs, as in UTF-16) to tell encodings apart and it reads as a language at
# least this well ("coherence"). A few accented letters fit a dozen code pages: "Zoë"
# reads as Baltic "Zoė". Measured on the test corpus of twelve scripts and four Latin
# languages.
NON_ASCII_AT_LEAST, MESS_AT_MOST, COHERENCE_AT_LEAST = 24, 0.1, 0.2
COHERENCE_LEAD = 0.04  # over any reading that gives other letters (Turkish: 0.046)
_SAMPLE = 1 << 20  # bytes detection reads at most: the start of a large file decides
# Charsets that write text in ASCII bytes with escapes (ISO-2022-JP mail, UTF-7, HZ):
# that such bytes are valid UTF-8 says nothing.
_WRITTEN_IN_ASCII = ("iso2022", "utf-7", "hz")
# ISO-2022 text is ASCII bytes in which "ESC $" designates a double-byte character set
# (Japanese "ESC $ B", Korean "ESC $ ) C"); no other text has it (a terminal's colours are
# "ESC ["). Tried in this order, the first that reads the bytes whole: the common codecs
# before their supersets, which read more bytes and so tell less.
_ISO2022_DESIGNATION = b"\x1b$"
_ISO2022_KOREAN = b"\x1b$)C"
_ISO2022_JAPANESE = (
    "iso2022_jp",
    "iso2022_jp_2",
    "iso2022_jp_2004",
    "iso2022_jp_3",
    "iso2022_jp_ext",
)

BOM, UTF8, DECLARED, DETECTED, GUESSED, CHOSEN = (
    "byte-order mark",
    "valid UTF-8",
    "declared",
    "detected",
    "guessed",
    "chosen",  # by the user, reading a document again
)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # Python's name for the codec
    found_by: str  # one of BOM, UTF8, DECLARED, DETECTED, GUESSED
    fits: int = 0  # a guess: how many encodings detection found to read the bytes cleanly

    @property
    def guessed(self) -> bool:
        return self.found_by == GUESSED

    def said(self) -> str:
        """How the text was decoded, for the document's notes: 'cp1256 (detected)',
        'cp1252 (guessed: 3 encodings read these bytes cleanly)'."""
        if not self.guessed:
            return f"{self.encoding} ({self.found_by})"
        fit = f"{self.fits:,} encodings read these bytes cleanly" if self.fits else "none clean"
        return f"{self.encoding} ({GUESSED}: {fit})"


def bom_codec(data: bytes) -> tuple[str, int] | None:
    """The codec a byte-order mark names, and the mark's length."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    return None


def decode(data: bytes, declared: str | None = None, chosen: str | None = None) -> Decoded:
    """Decode ``data``; ``declared`` is the charset the file or its container names;
    ``chosen`` (a ``chosen_codec``) the one the user chose, which overrides the rest."""
    if chosen:
        return Decoded(data.decode(chosen, errors="replace"), chosen, CHOSEN)
    marked = bom_codec(data)
    if marked:
        bom_named, skip = marked
        return Decoded(data[skip:].decode(bom_named, errors="replace"), bom_named, BOM)
    codec = _text_codec(declared)
    if codec is not None and codec.startswith(_WRITTEN_IN_ASCII) and data.isascii():
        return Decoded(data.decode(codec, errors="replace"), codec, DECLARED)
    if _ISO2022_DESIGNATION in data and data.isascii() and (iso2022 := _iso2022(data)):
        return iso2022
    if codec is None or not codec.startswith(("utf-16", "utf-32")):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if "\x00" not in text:  # text has no NULs; UTF-16 without a mark is full of them
                return Decoded(text, "utf-8", UTF8)
    if codec:
        try:
            return Decoded(data.decode(codec), codec, DECLARED)
        except (LookupError, UnicodeError):  # not valid in it; "base64" is no text codec
            pass
    return _detected(data)


def _iso2022(data: bytes) -> Decoded | None:
    """ISO-2022 text (an unlabelled ISO-2022-JP file, a Korean mail labelled US-ASCII),
    told by its escapes: valid UTF-8 as well, it would be kept as escapes and letters."""
    korean = _ISO2022_KOREAN in data
    for codec in ("iso2022_kr",) if korean else _ISO2022_JAPANESE:
        try:
            return Decoded(data.decode(codec), codec, DETECTED)
        except UnicodeDecodeError:
            continue
    return None


def _detected(data: bytes) -> Decoded:
    from charset_normalizer import from_bytes

    found = list(from_bytes(data[:_SAMPLE]))
    clean = [m for m in found if m.chaos <= MESS_AT_MOST]
    best = clean[0] if clean else None
    codec = _text_codec(best.encoding) if best is not None else None
    telling = sum(b > 0x7F or not b for b in data[:_SAMPLE]) >= NON_ASCII_AT_LEAST
    sure = best is not None and (
        len(clean) == 1
        or (telling and best.coherence >= COHERENCE_AT_LEAST and _ahead(best, clean, data))
    )
    if sure and codec:
        return Decoded(data.decode(codec, errors="replace"), codec, DETECTED)
    fits = len(clean)
    likeliest = _text_codec(found[0].encoding) if found else None
    if telling and likeliest:
        # Enough bytes to read a script from, but rivals read them nearly as well (KOI8-R
        # and Mac Cyrillic), or none reads them cleanly: when detection's likeliest reading
        # is of another script than Latin, it is the better guess, where Windows-1252
        # would make Latin garbage of it. (A Latin reading is left to Windows-1252: French
        # names read as cleanly in cp1250.)
        text = data.decode(likeliest, errors="replace")
        if not _latin(text):
            return Decoded(text, likeliest, GUESSED, fits)
    try:
        return Decoded(data.decode("cp1252"), "cp1252", GUESSED, fits)
    except UnicodeDecodeError:  # one of the five bytes Windows-1252 leaves undefined
        pass
    if codec:
        return Decoded(data.decode(codec, errors="replace"), codec, GUESSED, fits)
    return Decoded(data.decode("cp1252", errors="replace"), "cp1252", GUESSED)


def _latin(text: str) -> bool:
    """Whether most of the letters beyond ASCII in ``text`` are Latin ones."""
    letters = [c for c in text[:_SAMPLE] if not c.isascii() and c.isalpha()]
    latin = sum(unicodedata.name(c, "").startswith("LATIN") for c in letters)
    return latin * 2 >= len(letters)


def _ahead(best: CharsetMatch, clean: list[CharsetMatch], data: bytes) -> bool:
    """Whether ``best`` reads as its language clearly better than every reading as clean
    that makes other letters of the same bytes (Spanish "niño" is "nińo" in cp1250, and
    both score alike on short text)."""
    sample = data[:_SAMPLE]
    shown = sample.decode(best.encoding, errors="replace")
    rivals = [
        m
        for m in clean[1:]
        if m.chaos <= best.chaos + 0.01 and sample.decode(m.encoding, errors="replace") != shown
    ]
    return all(best.coherence - m.coherence >= COHERENCE_LEAD for m in rivals)


def looks_like_text(text: str) -> bool:
    """Binary data decodes too (Windows-1252 takes any byte) but is full of control codes."""
    return len(_NOT_TEXT.findall(text)) <= len(text) // 100


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def chosen_codec(label: str) -> str:
    """Python's name for the encoding a user chose to read a document in; a one-line
    ``InvalidInput`` for a name that is none (or not of a character set: base64)."""
    try:
        info = codecs.lookup(label.strip())
    except (LookupError, ValueError):
        raise InvalidInput(
            f"'{label}' is not an encoding Casefile knows (such as cp1256, koi8-r, gb18030)"
        ) from None
    if info.name in _NOT_CHARSETS or not getattr(info, "_is_text_encoding", True):
        raise InvalidInput(f"'{label}' is not a character encoding")
    return info.name


def _text_codec(label: str | None) -> str | None:
    """Python's name for a charset label, or None if Python knows no codec by that name."""
    if not label:
        return None
    try:
        info = codecs.lookup(label.strip())
    except (LookupError, ValueError):  # ValueError: a label with a NUL in it
        return None
    if info.name in _NOT_CHARSETS or not getattr(info, "_is_text_encoding", True):
        return None  # a page declaring "unicode_escape" would write characters by escapes
    return "cp1252" if info.name in _READ_AS_CP1252 else info.name
