"""EPUB e-books (through ebooklib): a section a chapter, in reading order.

The spine gives the reading order; each of its documents is a section (a quote cites
chapter N as its page) holding all of its visible text: in a book nothing is boilerplate,
so the page reader's article extraction is not used. The package's metadata (Dublin Core)
gives the title, authors, publisher, language and date; the date is the book's own, kept
at the precision it states ("2017" stays a year). The XML parts are first checked for
bombs (``package``); no stylesheet, script or remote resource is ever loaded.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from typing import Any

from casefile.domain.dates import DateError, PartialDate
from casefile.domain.formats import Format
from casefile.importing.extract.model import Damaged, Extracted
from casefile.importing.extract.package import refuse_bombs
from casefile.importing.extract.web import visible_text

_XML = (".xml", ".opf", ".ncx", ".xhtml", ".html", ".htm")
_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def read_epub(data: bytes) -> Extracted:
    from ebooklib import ITEM_DOCUMENT, epub

    label = Format.EPUB.label
    refuse_bombs(data, label, _XML)
    try:
        with warnings.catch_warnings():  # its notice about a future default
            warnings.simplefilter("ignore")
            book = epub.read_epub(io.BytesIO(data), {"ignore_ncx": True})
    except epub.EpubException as exc:
        raise Damaged(f"damaged {label}: {exc.msg}") from None
    pages: list[str] = []
    cut = ""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = package.namelist()
        chapters = []
        for idref, *_ in book.spine:
            item = book.get_item_with_id(idref)
            if item is None or item.get_type() != ITEM_DOCUMENT:
                continue
            # The chapter's bytes as stored: ebooklib's copy has lost a charset it declares.
            stored = next(
                (n for n in names if n == item.file_name or n.endswith(f"/{item.file_name}")), None
            )
            chapters.append(package.read(stored) if stored else item.get_content())
    for chapter in chapters:
        text, left_out = visible_text(chapter)
        cut = cut or left_out
        if text.strip():
            pages.append(text)
    stated = _publication(book)
    published = _date(stated)
    metadata = {
        name: value
        for name, value in (
            ("Description", _dc(book, "description")),
            ("Subjects", ", ".join(v for v, _ in book.get_metadata("DC", "subject"))),
            ("Identifier", _dc(book, "identifier")),
            ("Rights", _dc(book, "rights")),
            ("Date in the file", stated if published is None else ""),
        )
        if value
    }
    return Extracted(
        format=Format.EPUB,
        title=_dc(book, "title"),
        authors=tuple(v.strip() for v, _ in book.get_metadata("DC", "creator") if v.strip()),
        publisher=_dc(book, "publisher"),
        published=published,
        language=_dc(book, "language"),
        pages=tuple(pages) or ("",),
        metadata=metadata,
        warnings=(f"a chapter {cut}",) if cut else (),
    )


def _dc(book: Any, name: str) -> str:
    found = book.get_metadata("DC", name)
    return " ".join(str(found[0][0]).split()) if found else ""


def _publication(book: Any) -> str:
    """The date the book says it was published: EPUB 2 may list several, each with its
    event (publication, modification, creation); EPUB 3 has one."""
    dates = book.get_metadata("DC", "date")
    event = "{http://www.idpf.org/2007/opf}event"
    published = [value for value, attrs in dates if (attrs or {}).get(event) == "publication"]
    unnamed = [value for value, attrs in dates if not (attrs or {}).get(event)]
    found = published or unnamed
    return " ".join(str(found[0]).split()) if found else ""


# Years before printing are no book's: Calibre writes 0101-01-01 for "unknown".
_FIRST_YEAR = 1450


def _date(text: str) -> PartialDate | None:
    """The book's date at the precision it is written: "2017", "2017-03", "2017-03-23"
    (a time after it is dropped). Anything else is kept in the notes, not read."""
    found = _DATE.fullmatch(text.strip()[:10]) if text.strip() else None
    if found is None or (len(text.strip()) > 10 and text.strip()[10] not in "T "):
        return None
    try:
        date = PartialDate.parse(found[0])
    except DateError:
        return None
    return date if date.year >= _FIRST_YEAR else None
