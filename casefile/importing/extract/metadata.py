"""What files say about themselves, read leniently into ``Extracted``'s fields.

Metadata is written by every kind of software, often badly: a value that cannot be read is
dropped rather than refused, since the document itself is still worth importing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from casefile.domain.dates import DateError, PartialDate

# ISO 8601 (2017-03-22T18:00Z, 20170322) and PDF's D:20170322101500+00'00'; the precision
# is what the string gives.
_DATE = re.compile(r"\s*(?:D:)?(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?")


def partial_date(value: str | date | None) -> PartialDate | None:
    """The date ``value`` states, to its own precision; None if it states none."""
    if value is None:
        return None
    if isinstance(value, date):  # a datetime too: its time of day says nothing of the day
        return PartialDate(value.year, value.month, value.day)
    found = _DATE.match(value)
    if not found:
        return None
    year, month, day = found.groups()
    try:
        return PartialDate(int(year), int(month) if month else None, int(day) if day else None)
    except DateError:  # D:00000000, 2017-13-45: a placeholder or a mistake, not a date
        return None


def split_authors(text: str | None) -> tuple[str, ...]:
    """Office and trafilatura join several authors with semicolons (commas are in names)."""
    return tuple(name.strip() for name in (text or "").split(";") if name.strip())


TITLE_AT_MOST = 500  # characters: a title is a line in a list, not a document
HEADING_AT_MOST = 200  # characters of a first line taken as the title
# Titles that name a file, a tool or a template, not the document: "Binder1.pdf",
# "10811.exe", "Microsoft Word - draft.doc", "untitled", a CMS's name ("escenic").
_PLACEHOLDER = re.compile(
    r"(?:untitled|document\s*\d*|binder\s*\d*|presentation\s*\d*|slide\s*\d+|new document"
    r"|powerpoint presentation|escenic|microsoft (?:word|excel|powerpoint) - .*"
    r"|\S+\.(?:exe|dll|bin|pdf|docx?|dotx?|rtf|txt|html?|xlsx?|pptx?|odt|indd|qxd|p65|tmp"
    r"|tiff?|jpe?g|png|gif))",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def one_line(text: str) -> str:
    """A metadata value as one clean line: control characters (NULs in PDF titles, line
    breaks in mail subjects) become spaces, and runs of white space one."""
    return " ".join(_CONTROL.sub(" ", text).split())


def shortened(text: str, at_most: int) -> str:
    """``text`` cut at a word to at most ``at_most`` characters, with an ellipsis."""
    if len(text) <= at_most:
        return text
    cut = text[: at_most - 1].rsplit(" ", 1)[0] or text[: at_most - 1]
    return f"{cut}…"


def heading_of(pages: Sequence[str]) -> str:
    """The document's first line with a word in it: what a reader takes as its title.
    Found with one search, not by splitting a page into its lines (a hostile page has
    tens of millions)."""
    for page in pages:
        word = _WORD.search(page)
        if word:
            start = page.rfind("\n", 0, word.start()) + 1
            end = page.find("\n", word.start())
            line = page[start : end if end >= 0 else len(page)]
            return shortened(one_line(line), HEADING_AT_MOST)
    return ""


_WORD = re.compile(r"\w")


def titled(stated: str, pages: Sequence[str]) -> tuple[str, str]:
    """The title to give a source, and the file's own when that is not it (for the notes:
    nothing the file said is lost). A title naming a file, a tool or a template gives way
    to the document's first line; one too long for a list is cut (a 130,000-character
    mail subject was seen)."""
    title = one_line(stated)
    if not title or _PLACEHOLDER.fullmatch(title):
        heading = heading_of(pages)
        if heading:
            return heading, title
    if len(title) > TITLE_AT_MOST:
        return shortened(title, TITLE_AT_MOST), title
    return title, ""


# An Office file's core properties that go to the notes, by the names the libraries give
# them (python-docx and python-pptx; openpyxl's where they differ). "Created" is when the
# file was made: never taken for a publication date.
_CORE_NOTES = (
    ("Subject", ("subject",)),
    ("Keywords", ("keywords",)),
    ("Category", ("category",)),
    ("Comments", ("comments", "description")),
    ("Created", ("created",)),
    ("Modified", ("modified",)),
    ("Last modified by", ("last_modified_by", "lastModifiedBy")),
)


def core_notes(properties: object) -> dict[str, str]:
    """The notes an Office file's core properties give (those it has a value for)."""
    notes: dict[str, str] = {}
    for label, names in _CORE_NOTES:
        value = next((v for n in names if (v := getattr(properties, n, None))), None)
        if value:
            notes[label] = " ".join(str(value).split())
    return notes
