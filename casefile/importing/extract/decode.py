"""Bytes to text without a crash, whatever the file claims about its encoding.

Order of trust: a byte-order mark (it cannot appear by accident), then UTF-8 when the
bytes are valid UTF-8 (text in any other encoding almost never is, and mislabelled pages
are mostly UTF-8 labelled as something else), then the declared charset, then
Windows-1252, which is what unlabelled Western text nearly always is and which decodes
any byte.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Browsers read these labels as Windows-1252 (WHATWG Encoding), and so do the files.
_READ_AS_CP1252 = {"ascii", "latin-1", "iso8859-1"}
# Control characters that text files do not contain (tab, newlines, form feed and escape
# do occur), and the replacement character that undecodable bytes become.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f\ufffd]")


def bom_codec(data: bytes) -> tuple[str, int] | None:
    """The codec a byte-order mark names, and the mark's length."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    return None


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Decode ``data``; ``declared`` is the charset the file or its container names."""
    marked = bom_codec(data)
    if marked:
        bom_named, skip = marked
        return data[skip:].decode(bom_named, errors="replace")
    codec = _text_codec(declared)
    if codec is None or not codec.startswith(("utf-16", "utf-32")):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if codec:
        try:
            return data.decode(codec, errors="replace")
        except (LookupError, UnicodeError):  # "base64" is no text codec; "idna" refuses "replace"
            pass
    return data.decode("cp1252", errors="replace")


def looks_like_text(text: str) -> bool:
    """Binary data decodes too (Windows-1252 takes any byte) but is full of control codes."""
    return len(_NOT_TEXT.findall(text)) <= len(text) // 100


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _text_codec(label: str | None) -> str | None:
    """Python's name for a charset label, or None if Python knows no codec by that name."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip()).name
    except (LookupError, ValueError):  # ValueError: a label with a NUL in it
        return None
    return "cp1252" if name in _READ_AS_CP1252 else name
