"""Plain text and Markdown: one section, titled by its first line."""

from __future__ import annotations

import re

from casefile.domain.formats import Format
from casefile.importing.extract.decode import decode, normalise_newlines
from casefile.importing.extract.metadata import heading_of
from casefile.importing.extract.model import Extracted

# A Markdown ATX heading's markers: "## Title ##".
_HEADING_MARKS = re.compile(r"^\s{0,3}#{1,6}\s+|\s+#+\s*$")


def read_text(data: bytes, kind: Format, chosen: str | None = None) -> Extracted:
    """The text, in the encoding ``chosen`` if the user chose one."""
    decoded = decode(data, chosen=chosen)
    text = normalise_newlines(decoded.text)
    return Extracted(format=kind, title=_title(text, kind), pages=(text,), decoded=decoded)


def _title(text: str, kind: Format) -> str:
    """The first line that has a word in it: rules, fences and front-matter dashes do not;
    a Markdown heading without its marks."""
    heading = heading_of([text])
    return _HEADING_MARKS.sub("", heading) if kind is Format.MARKDOWN else heading
