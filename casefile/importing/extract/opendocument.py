"""OpenDocument text, spreadsheets and presentations (.odt, .ods, .odp and their templates).

Read from the package's XML with lxml rather than through an ODF library: odfdo's text
runs a heading into the paragraph after it and comments and notes into the sentence they
sit in. Here a paragraph or heading is a line; a table row is a line of tab-separated
cells, a merged cell once; a spreadsheet's sheets and a presentation's slides are each a
section of their own (a quote cites sheet or slide N as its page), with a slide's speaker
notes after it. Notes, comments (with their authors) and text deleted in tracked changes
are kept, labelled, after the body, as Word's are.

The meta part gives the title, authors, subject and keywords; its creation date is noted
as such, not taken for a publication date.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lxml import etree

from casefile.domain.formats import Format
from casefile.importing.extract.metadata import split_authors
from casefile.importing.extract.model import Damaged, Extracted
from casefile.importing.extract.package import open_package, refuse_entities

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "presentation": "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
# A row or a cell may say it repeats (a spreadsheet's empty tail repeats a million times):
# one with something in it is written out at most this often.
_REPEATED_AT_MOST = 100
# Characters one document's repeated rows and cells write out at most (the import's own
# text limit is 50 MB): a few hundred bytes of repeats within repeats would make gigabytes.
_WRITTEN_AT_MOST = 20_000_000


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


_BLOCK = frozenset(map(_q, ("text:p", "text:h")))
_ROW, _CELL, _COVERED = (
    _q("table:table-row"),
    _q("table:table-cell"),
    _q("table:covered-table-cell"),
)
_TABLE = _q("table:table")
_SPACE, _TAB, _BREAK = _q("text:s"), _q("text:tab"), _q("text:line-break")
_NOTE = _q("text:note")
_ANNOTATION, _CHANGES = _q("office:annotation"), _q("text:tracked-changes")
_SKIPPED = frozenset(map(_q, ("office:annotation-end", "text:sequence-decls", "draw:image")))
_NOTES = _q("presentation:notes")


def read_opendocument(data: bytes, kind: Format) -> Extracted:
    with open_package(data, kind.label) as package:
        names = package.namelist()
        if "content.xml" not in names:
            raise Damaged(f"damaged {kind.label}: it has no content.xml")
        refuse_entities(package, [n for n in names if n.endswith(".xml")], kind.label)
        content = _parse(package.read("content.xml"), kind)
        meta = _parse(package.read("meta.xml"), kind) if "meta.xml" in names else None
    body = content.find("office:body", _NS)
    if body is None:
        raise Damaged(f"damaged {kind.label}: content.xml has no body")
    beside = _Beside()
    if kind is Format.ODS:
        pages = tuple(_sheet(table, beside) for table in body.iterfind("*/table:table", _NS))
    elif kind is Format.ODP:
        pages = tuple(_slide(page, beside) for page in body.iterfind("*/draw:page", _NS))
    else:
        pages = (_text(body, beside),)
    if beside:  # notes, comments, deletions: after the last section, a line each
        last = "\n\n".join(t for t in (pages[-1] if pages else "", "\n".join(beside)) if t)
        pages = (*pages[:-1], last)
    title, authors, metadata = _meta(meta)
    return Extracted(
        format=kind,
        title=title,
        authors=authors,
        language=_meta_text(meta, "dc:language"),
        pages=pages or ("",),
        metadata=metadata,
        warnings=(
            ("its repeated rows and cells make more text than is read: the rest was not read",)
            if beside.cut
            else ()
        ),
    )


def _parse(xml: bytes, kind: Format) -> Any:
    try:
        return etree.fromstring(xml, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise Damaged(f"damaged {kind.label}: {exc}") from None


def _sheet(table: Any, beside: _Beside) -> str:
    name = table.get(_q("table:name")) or ""
    rows = _text(table, beside)
    return f"{name}\n{rows}".strip() if name else rows


def _slide(page: Any, beside: _Beside) -> str:
    notes = page.find("presentation:notes", _NS)
    shown = _text(page, beside, skip=_NOTES)
    if notes is not None:
        said = _text(notes, beside)
        shown = f"{shown}\n\nSpeaker notes:\n{said}".strip() if said else shown
    return shown


def _text(element: Any, beside: _Beside, skip: str = "") -> str:
    """The text under ``element``: a line per paragraph, heading and table row; what is
    read beside the body (notes, comments, deletions) added to ``beside``, labelled."""
    out: list[str] = []
    for piece in _pieces(element, beside, skip):
        out.append(piece)
    lines = (line.rstrip() for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line.strip())


def _pieces(element: Any, beside: _Beside, skip: str) -> Iterator[str]:
    """Walked with a stack rather than recursion (but for a cell's own text): a hostile
    file can nest deeper than Python."""
    pending: list[Any] = [element]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
            continue
        tag = item.tag
        if not isinstance(tag, str) or tag in _SKIPPED or tag == skip:
            pending.append(item.tail or "")
            continue
        if tag == _ROW:
            pending.append(item.tail or "")
            yield _row(item, beside)
            continue
        if tag == _NOTE:
            citation = item.findtext("text:note-citation", "", _NS)
            body = item.find("text:note-body", _NS)
            said = "" if body is None else " ".join(_text(body, beside).split())
            beside.append(f"Note {citation}: {said}".strip())
            pending.append(item.tail or "")
            yield f"[{citation}]" if citation else ""
            continue
        if tag == _ANNOTATION:
            author = item.findtext("dc:creator", "", _NS).strip()
            said = " ".join(_flat(p) for p in item.iterfind("text:p", _NS))
            beside.append(f"Comment ({author}): {said}" if author else f"Comment: {said}")
            pending.append(item.tail or "")
            continue
        if tag == _CHANGES:
            for deleted in item.iterfind(".//text:deletion", _NS):
                said = " ".join(_text(deleted, beside).split())
                if said:
                    beside.append(f"Deleted: {said}")
            pending.append(item.tail or "")
            continue
        if tag == _SPACE:
            count = int(item.get(_q("text:c")) or 1)
            pending.extend((item.tail or "", " " * min(count, 1000)))
            continue
        if tag in (_TAB, _BREAK):
            pending.extend((item.tail or "", "\t" if tag == _TAB else "\n"))
            continue
        gap = "\n" if tag in _BLOCK or tag == _TABLE else ""
        pending.extend((item.tail or "", gap, *reversed(item), item.text or "", gap))


def _row(row: Any, beside: _Beside) -> str:
    """One line, cells by tabs (a merged cell once: the cells it covers are skipped); empty
    cells at its end dropped; a repeated row or cell written out up to
    ``_REPEATED_AT_MOST`` times, and no more cells in all than the document's budget (a
    few hundred bytes of repeats nested in repeats would make gigabytes)."""
    cells: list[str] = []
    for cell in row:
        if cell.tag != _CELL:
            continue
        said = " ".join(_text(cell, beside).split())
        repeat = _repeats(cell, "table:number-columns-repeated")
        cells += [said] * beside.spend(len(said) + 1, min(repeat, _REPEATED_AT_MOST))
    while cells and not cells[-1]:
        cells.pop()
    if not cells:
        return ""
    line = "\t".join(cells)
    times = min(_repeats(row, "table:number-rows-repeated"), _REPEATED_AT_MOST)
    times = 1 + beside.spend(len(line) + 2, times - 1)  # its cells paid for the first
    return "".join(f"\n{line}\n" for _ in range(times))


def _repeats(element: Any, name: str) -> int:
    try:
        return max(1, int(element.get(_q(name)) or 1))
    except ValueError:
        return 1


class _Beside(list[str]):
    """What is read beside the body (notes, comments, deletions), and how much text a
    document's repeats may still write out."""

    def __init__(self) -> None:
        super().__init__()
        self.left = _WRITTEN_AT_MOST
        self.cut = False

    def spend(self, size: int, times: int) -> int:
        """How many times a piece of ``size`` characters may be written out, up to
        ``times``, within what the document may still write; the rest is cut."""
        allowed = min(times, self.left // max(size, 1))
        self.left -= allowed * size
        self.cut = self.cut or allowed < times
        return allowed


def _meta(meta: Any) -> tuple[str, tuple[str, ...], dict[str, str]]:
    """Title, authors and what the notes keep (subject, keywords, when it was made)."""
    title = _meta_text(meta, "dc:title")
    authors = split_authors(
        _meta_text(meta, "meta:initial-creator") or _meta_text(meta, "dc:creator")
    )
    words = [] if meta is None else meta.iterfind(".//meta:keyword", _NS)
    keywords = ", ".join(_flat(word) for word in words)
    found = {
        "Subject": _meta_text(meta, "dc:subject"),
        "Description": _meta_text(meta, "dc:description"),
        "Keywords": keywords.strip(", "),
        "Created": _meta_text(meta, "meta:creation-date"),
        "Modified": _meta_text(meta, "dc:date"),
        "Last modified by": _meta_text(meta, "dc:creator"),
    }
    return title, authors, {k: v for k, v in found.items() if v}


def _meta_text(meta: Any, name: str) -> str:
    if meta is None:
        return ""
    found = meta.find(f".//{name}", _NS)
    return "" if found is None else _flat(found)


def _flat(element: Any) -> str:
    """An element's text on one line."""
    return " ".join("".join(element.itertext()).split())
