"""EPUB e-books: a section a chapter, in reading order.

An EPUB is a ZIP (OCF): ``META-INF/container.xml`` names the package document (OPF), whose
manifest names the book's files and whose spine gives their reading order. Each XHTML
document in the spine is a section (a quote cites chapter N as its page) holding all of
its visible text: in a book nothing is boilerplate, so the page reader's article
extraction is not used. The package's metadata (Dublin Core) gives the title, authors,
publisher, language and date; the date is the book's own, kept at the precision it states
("2017" stays a year).

Read with zipfile and lxml alone: ebooklib, which read it before, is AGPL-3.0-or-later,
which a proprietary Casefile cannot ship. The XML parts are first checked for bombs
(``package``); no DTD, stylesheet, script or remote resource is ever loaded. The container
and the package document are read past what is not well-formed, as ebooklib read them,
and what was repaired is said.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from typing import Any
from urllib.parse import unquote

from lxml import etree

from casefile.domain.dates import DateError, PartialDate
from casefile.domain.formats import Format
from casefile.importing.extract.model import Damaged, Extracted
from casefile.importing.extract.package import open_package, refuse_entities
from casefile.importing.extract.web import visible_text

_LABEL = Format.EPUB.label
_XML = (".xml", ".opf", ".ncx", ".xhtml", ".html", ".htm")
_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_CONTAINER = "META-INF/container.xml"
_NS = {
    "container": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}
_EVENT = f"{{{_NS['opf']}}}event"
_PACKAGE_TYPE = "application/oebps-package+xml"
_XHTML_TYPE = "application/xhtml+xml"
# recover: a part that is not well-formed is repaired as far as libxml2 can (an unescaped
# "&" in a description is common), and the repair is said (``_xml``).
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    huge_tree=False,
    recover=True,
    remove_comments=True,
    remove_pis=True,
)


def read_epub(data: bytes) -> Extracted:
    """The book ``data``: a section a chapter it holds, what it says of itself, and what
    could not be read as warnings; ``Damaged`` if no book can be found in it."""
    with open_package(data, _LABEL) as package:
        names = package.namelist()
        refuse_entities(package, [n for n in names if n.lower().endswith(_XML)], _LABEL)
        container, repaired = _xml(package, _CONTAINER)
        opf_name = _package_document(container, names)
        opf, opf_repaired = _xml(package, opf_name)
        chapters = _reading_order(opf, posixpath.dirname(opf_name))
        read = [visible_text(_part(package, c)) for c in chapters if c in names]
    missing = [c for c in chapters if c not in names]
    cut = next((left_out for _, left_out in read if left_out), "")
    stated = _publication(opf)
    published = _date(stated)
    metadata = {
        name: value
        for name, value in (
            ("Description", _first(opf, "description")),
            ("Subjects", ", ".join(_values(opf, "subject"))),
            ("Identifier", _first(opf, "identifier")),
            ("Rights", _first(opf, "rights")),
            ("Date in the file", stated if published is None else ""),
        )
        if value
    }
    return Extracted(
        format=Format.EPUB,
        title=_first(opf, "title"),
        authors=tuple(_values(opf, "creator")),
        publisher=_first(opf, "publisher"),
        published=published,
        language=_first(opf, "language"),
        pages=tuple(text for text, _ in read if text.strip()) or ("",),
        metadata=metadata,
        warnings=(
            *repaired,
            *opf_repaired,
            *(f"chapter {name} is not in the file: its text was not read" for name in missing),
            *((f"a chapter {cut}",) if cut else ()),
        ),
    )


def _part(package: zipfile.ZipFile, name: str) -> bytes:
    """The part ``name``, refused if it could define entities. The parts named as XML were
    checked as the package opened; one read for its place in the book whatever its name
    (a chapter ``ch1.xht``, say) is checked here."""
    if not name.lower().endswith(_XML):
        refuse_entities(package, [name], _LABEL)
    return package.read(name)


def _xml(package: zipfile.ZipFile, name: str) -> tuple[Any, tuple[str, ...]]:
    """The part ``name`` as a tree, repaired where it is not well-formed, and the repair
    as a warning: its metadata or reading order may have lost what was repaired away."""
    try:
        root = etree.fromstring(_part(package, name), parser=_PARSER)
    except etree.XMLSyntaxError:  # nothing to repair: empty
        root = None
    if root is None:
        raise Damaged(f"damaged {_LABEL}: {name} is not XML")
    errors = _PARSER.error_log.filter_from_errors()
    if not errors:
        return root, ()
    first = errors[0]
    return root, (
        f"{name} is not well-formed XML ({first.message}, line {first.line}): it was read "
        "as the parser repaired it",
    )


def _package_document(container: Any, names: list[str]) -> str:
    """The package document the container names first: the default rendition, where a
    book has several."""
    name = next(
        (
            rootfile.get("full-path")
            for rootfile in container.iterfind(".//container:rootfile", _NS)
            if rootfile.get("media-type") == _PACKAGE_TYPE
        ),
        None,
    )
    if name not in names:
        raise Damaged(f"damaged {_LABEL}: {_CONTAINER} names no package document in the file")
    return str(name)


def _reading_order(opf: Any, folder: str) -> list[str]:
    """The parts of the spine's XHTML documents, in reading order, as the ZIP names them:
    manifest hrefs are relative to the package document's ``folder`` and percent-encoded.
    A spine entry the manifest lacks, or that is not XHTML (a picture), has no text."""
    spine = opf.find("opf:spine", _NS)
    if spine is None:
        raise Damaged(f"damaged {_LABEL}: its package document has no spine (reading order)")
    documents: dict[str, str] = {}
    for item in opf.iterfind("opf:manifest/opf:item", _NS):
        if item.get("media-type") == _XHTML_TYPE:
            href = unquote(item.get("href", ""))
            documents.setdefault(item.get("id"), posixpath.normpath(posixpath.join(folder, href)))
    return [
        documents[ref.get("idref")]
        for ref in spine.iterfind("opf:itemref", _NS)
        if ref.get("idref") in documents
    ]


def _values(opf: Any, name: str) -> list[str]:
    """Each Dublin Core ``name`` in the package's metadata that says something, its white
    space folded, in the order the package gives them (where one is wanted, the first)."""
    found = (_folded(e) for e in opf.iterfind(f"opf:metadata/dc:{name}", _NS))
    return [value for value in found if value]


def _first(opf: Any, name: str) -> str:
    """The book's Dublin Core ``name``, "" if it states none."""
    return next(iter(_values(opf, name)), "")


def _folded(element: Any) -> str:
    """An element's text on one line: the OPF wraps and indents it as XML does."""
    return " ".join((element.text or "").split())


def _publication(opf: Any) -> str:
    """The date the book says it was published: EPUB 2 may list several, each with its
    event (publication, modification, creation); EPUB 3 has one (its dcterms:modified is
    when the file was last changed, not a date of the book)."""
    dates = opf.findall("opf:metadata/dc:date", _NS)
    published = [d for d in dates if d.get(_EVENT) == "publication"]
    unnamed = [d for d in dates if not d.get(_EVENT)]
    found = published or unnamed
    return _folded(found[0]) if found else ""


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
