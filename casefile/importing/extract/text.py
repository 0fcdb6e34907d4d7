"""Plain text and Markdown: one section, titled by its first line."""

from __future__ import annotations

import re

from casefile.domain.formats import Format
from casefile.importing.extract.decode import decode, normalise_newlines
from casefile.importing.extract.model import Extracted

_TITLE_LENGTH = 200
# A Markdown ATX heading's markers: "## Title ##".
_HEADING_MARKS = re.compile(r"^\s{0,3}#{1,6}\s+|\s+#+\s*$")


def read_text(data: bytes, kind: Format) -> Extracted:
    decoded = decode(data)
    text = normalise_newlines(decoded.text)
    return Extracted(format=kind, title=_title(text, kind), pages=(text,), decoded=decoded)


def _title(text: str, kind: Format) -> str:
    """The first line that has a word in it: rules, fences and front-matter dashes do not."""
    for line in text.split("\n"):
        if re.search(r"\w", line):
            title = _HEADING_MARKS.sub("", line) if kind is Format.MARKDOWN else line
            return _shorten(" ".join(title.split()))
    return ""


def _shorten(title: str) -> str:
    if len(title) <= _TITLE_LENGTH:
        return title
    cut = title[:_TITLE_LENGTH].rsplit(" ", 1)[0]
    return f"{cut}…"
