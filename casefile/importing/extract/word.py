"""Word (.docx): everything a reader sees, and the core properties.

The body in reading order (paragraphs; tables a row a line, each merged cell once, nested
tables within their cell; text boxes and tracked insertions where they stand), then what
Word shows beside it, each labelled: footnotes, endnotes, comments with their authors,
headers and footers, and text deleted in tracked changes (kept: it is what the document
said before, and evidence).

A .docx is a ZIP of XML parts: its bombs are refused before python-docx reads anything
(``package``), in every part it parses as XML (an SVG picture may have a DTD: python-docx
keeps it as bytes).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import fromstring

import docx
from docx.document import Document
from docx.opc.constants import CONTENT_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from casefile.domain.formats import Format
from casefile.importing.extract.metadata import core_notes, split_authors
from casefile.importing.extract.model import Damaged, Extracted, Unsupported
from casefile.importing.extract.package import open_package, refuse_entities

_LABEL = "Word document"
_MAIN = CONTENT_TYPE.WML_DOCUMENT_MAIN
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# Main parts of the same WordprocessingML: macro-enabled documents (.docm), templates.
_ALSO_READ = frozenset(
    {
        "application/vnd.ms-word.document.macroEnabled.main+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
        "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
    }
)
_CONTENT_TYPES = "[Content_Types].xml"
_OVERRIDE = "{http://schemas.openxmlformats.org/package/2006/content-types}Override"
_DEFAULT = "{http://schemas.openxmlformats.org/package/2006/content-types}Default"


def read_docx(data: bytes) -> Extracted:
    main, strict = _refuse_bombs(data)
    if main != _MAIN or strict:
        data = _relabelled(data, main)
    document = docx.Document(io.BytesIO(data))
    blocks = [_block_text(element) for element in _blocks(document.element.body)]
    blocks += _beside_the_body(document)
    properties = document.core_properties
    metadata = core_notes(properties)
    return Extracted(
        format=Format.DOCX,
        title=properties.title.strip(),
        authors=split_authors(properties.author),
        # "Created" (in the notes) is when the file was made, not published.
        language=properties.language.strip(),
        pages=("\n".join(block for block in blocks if block.strip()),),
        metadata=metadata,
    )


def _blocks(container: BaseOxmlElement) -> Iterator[BaseOxmlElement]:
    """Paragraphs and tables in document order."""
    return _children(container, "w:p", "w:tbl")


def _block_text(element: BaseOxmlElement) -> str:
    if element.tag != qn("w:tbl"):
        return _paragraph_text(element)
    # One row a line, cells separated by tabs; a cell's own line breaks would split the row.
    # A merged cell is one w:tc (across) or an empty continuation (down): said once.
    return "\n".join(
        "\t".join(
            " ".join(" ".join(_block_text(b) for b in _blocks(cell)).split())
            for cell in _children(row, "w:tc")
        )
        for row in _children(element, "w:tr")
    )


def _children(parent: BaseOxmlElement, *tags: str) -> Iterator[BaseOxmlElement]:
    """``parent``'s children of these tags, those inside content controls too (a cover
    page often is one, and so can a row or a cell be), which python-docx's own iteration
    skips."""
    wanted = {qn(tag) for tag in tags}
    for element in parent.iterchildren():
        if element.tag in wanted:
            yield element
        elif element.tag == qn("w:sdt"):
            content = element.find(qn("w:sdtContent"))
            if content is not None:
                yield from _children(content, *tags)


# What each element of a run reads as: its text (None), or a character.
_SHOWN = {
    qn("w:t"): None,
    qn("w:tab"): "\t",
    qn("w:br"): "\n",
    qn("w:cr"): "\n",
    qn("w:noBreakHyphen"): "-",
}


# Not read: a drawing's fallback (Word writes every text box twice, for older readers)
# and the place text was moved from (it is read where it was moved to).
_UNREAD = frozenset({f"{{{_MC}}}Fallback", qn("w:moveFrom")})


def _paragraph_text(paragraph: BaseOxmlElement) -> str:
    """A paragraph's text as it reads: its runs, those inside hyperlinks, fields and
    tracked insertions too, and a text box's paragraphs on lines of their own (python-docx
    reads only the paragraph's own runs). Deleted text (w:delText) is not shown."""
    out: list[str] = []
    pending: list[BaseOxmlElement | str] = [paragraph]
    while pending:  # depth first, in document order; a stack, not recursion
        element = pending.pop()
        if isinstance(element, str):
            out.append(element)
            continue
        if element.tag in _UNREAD:
            continue
        if element.tag in _SHOWN:
            shown = _SHOWN[element.tag]
            out.append((element.text or "") if shown is None else shown)
        nested = element is not paragraph and element.tag == qn("w:p")
        children = list(element)
        # A text box's paragraph, within this one: a line of its own.
        pending.extend(["\n"] if nested else [])
        pending.extend(reversed(children))
        pending.extend(["\n"] if nested else [])
    return "".join(out)


def _related(document: Document) -> dict[str, list[Any]]:
    """The document's parts by the kind of their relationship ("header", "footnotes"),
    as Word finds them: by relationship, not by name (a part named header1.xml may be a
    picture), in the order of their names."""
    found: dict[str, list[Any]] = {}
    for rel in document.part.rels.values():
        if not rel.is_external:
            found.setdefault(rel.reltype.rsplit("/", 1)[-1], []).append(rel.target_part)
    for parts in found.values():
        parts.sort(key=lambda part: str(part.partname))
    return found


def _beside_the_body(document: Document) -> list[str]:
    """Footnotes, endnotes, comments, headers, footers and deleted text, each labelled."""
    found: list[str] = []
    related = _related(document)
    for relation, label, item in (
        ("footnotes", "Footnote", "w:footnote"),
        ("endnotes", "Endnote", "w:endnote"),
        ("comments", "Comment", "w:comment"),
    ):
        for part in related.get(relation, []):
            for note in parse_xml(part.blob).iterchildren(qn(item)):
                if note.get(qn("w:type")) in ("separator", "continuationSeparator"):
                    continue
                text = " ".join(" ".join(_block_text(b) for b in _blocks(note)).split())
                author = note.get(qn("w:author"))
                number = note.get(qn("w:id"), "")
                said = f"{label} ({author})" if author else f"{label} {number}"
                if text:
                    found.append(f"{said.strip()}: {text}")
    seen: set[tuple[str, str]] = set()
    for relation, label in (("header", "Header"), ("footer", "Footer")):
        for part in related.get(relation, []):
            blocks = _blocks(parse_xml(part.blob))
            text = " ".join(" ".join(_block_text(b) for b in blocks).split())
            if text and (label, text) not in seen:
                seen.add((label, text))
                found.append(f"{label}: {text}")
    for deletion in document.element.body.iter(qn("w:del")):
        text = " ".join("".join(d.text or "" for d in deletion.iter(qn("w:delText"))).split())
        if text:
            found.append(f"Deleted in a tracked change: {text}")
    return found


def _refuse_bombs(data: bytes) -> tuple[str, bool]:
    """Refuse what could exhaust the reader; the package's main content type, and whether
    it is written in Strict Open XML (its relationships say so)."""
    with open_package(data, _LABEL) as package:
        types = _content_types(package)
        main = next((t for t in types.values() if t == _MAIN or t in _ALSO_READ), None)
        if main is None:
            raise Unsupported("unsupported format: a Word package with no document in it")
        # python-docx keeps images as bytes, and an SVG may well have a DTD.
        names = [m.filename for m in package.infolist()]
        refuse_entities(
            package, [n for n in names if not _type_of(n, types).startswith("image/")], _LABEL
        )
        strict = "_rels/.rels" in names and _STRICT_MARK in package.read("_rels/.rels")
    return main, strict


def _relabelled(data: bytes, main: str) -> bytes:
    """The package as python-docx opens it (documents of Transitional Office Open XML
    only): a macro-enabled document's or a template's main part labelled a document (its
    macros never run: nothing here runs anything), and Strict Open XML's namespaces and
    relationship types (ISO 29500 Strict: the same elements, other names) given their
    Transitional names."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for member in old.infolist():
            content = old.read(member)
            if member.filename == _CONTENT_TYPES:
                content = content.replace(main.encode(), _MAIN.encode())
            if member.filename.endswith((".xml", ".rels")) and _STRICT_MARK in content:
                content = _STRICT.sub(lambda found: _TRANSITIONAL[found[0]], content)
            new.writestr(member, content)
    return out.getvalue()


# Strict Open XML's names (ECMA-376 Part 1, Strict) and the Transitional ones they stand for.
_STRICT_MARK = b"http://purl.oclc.org/ooxml/"
_TRANSITIONAL = {
    b"http://purl.oclc.org/ooxml/wordprocessingml/main": (
        b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    ),
    b"http://purl.oclc.org/ooxml/officeDocument/relationships/metadata/core-properties": (
        b"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
    ),
    b"http://purl.oclc.org/ooxml/officeDocument/relationships": (
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    ),
    b"http://purl.oclc.org/ooxml/officeDocument/extendedProperties": (
        b"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
    ),
    b"http://purl.oclc.org/ooxml/officeDocument/customProperties": (
        b"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
    ),
    b"http://purl.oclc.org/ooxml/officeDocument/sharedTypes": (
        b"http://schemas.openxmlformats.org/officeDocument/2006/sharedTypes"
    ),
    b"http://purl.oclc.org/ooxml/officeDocument/math": (
        b"http://schemas.openxmlformats.org/officeDocument/2006/math"
    ),
    b"http://purl.oclc.org/ooxml/drawingml/main": (
        b"http://schemas.openxmlformats.org/drawingml/2006/main"
    ),
    b"http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing": (
        b"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
    ),
    b"http://purl.oclc.org/ooxml/drawingml/picture": (
        b"http://schemas.openxmlformats.org/drawingml/2006/picture"
    ),
}
# The longest first: the core properties' relationship type begins as the relationships'.
_STRICT = re.compile(b"|".join(re.escape(k) for k in sorted(_TRANSITIONAL, key=len, reverse=True)))


def _content_types(package: zipfile.ZipFile) -> dict[str, str]:
    """Content types by "/part/name" and by ".extension": they decide what python-docx parses."""
    try:
        refuse_entities(package, [_CONTENT_TYPES], _LABEL)
    except KeyError:
        raise Damaged(f"damaged Word document: it has no {_CONTENT_TYPES}") from None
    root = fromstring(package.read(_CONTENT_TYPES))  # safe: no DTD, so no entities
    return {
        **{
            f".{e.get('Extension', '')}".lower(): e.get("ContentType", "")
            for e in root.iter(_DEFAULT)
        },
        **{e.get("PartName", "").lower(): e.get("ContentType", "") for e in root.iter(_OVERRIDE)},
    }


def _type_of(name: str, types: dict[str, str]) -> str:
    extension = posixpath.splitext(name)[1].lower()
    return types.get(f"/{name}".lower()) or types.get(extension) or ""
