"""Word (.docx): paragraphs and tables in reading order, and the core properties.

A .docx is a ZIP of XML parts, which makes two bombs possible: a part that unpacks to
gigabytes, and XML whose entity definitions expand without bound. Both are refused before
python-docx reads anything: the unpacked size is checked from the ZIP directory (zipfile
stops at the declared size, so a part cannot lie about it), and no part that python-docx
parses as XML may have a document type declaration, which Word never writes and without
which XML can neither define an entity nor reach outside the file. (The same check as
defusedxml's forbid_dtd, made with expat directly so that it reads only each part's start.)
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import fromstring
from xml.parsers import expat

import docx
from docx.document import Document
from docx.opc.constants import CONTENT_TYPE
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.oxml.text.paragraph import CT_P
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.table import Table
from docx.text.paragraph import Paragraph

from casefile.domain.formats import Format
from casefile.importing.extract.metadata import partial_date, split_authors
from casefile.importing.extract.model import Damaged, Extracted, Unsupported

_MAX_UNPACKED = 512 * 1024 * 1024
_MAIN = CONTENT_TYPE.WML_DOCUMENT_MAIN
_CONTENT_TYPES = "[Content_Types].xml"
_OVERRIDE = "{http://schemas.openxmlformats.org/package/2006/content-types}Override"
_DEFAULT = "{http://schemas.openxmlformats.org/package/2006/content-types}Default"


def read_docx(data: bytes) -> Extracted:
    _refuse_bombs(data)
    document = docx.Document(io.BytesIO(data))
    blocks = (_block_text(element, document) for element in _blocks(document.element.body))
    properties = document.core_properties
    metadata = {
        name: str(value)
        for name, value in (
            ("Subject", properties.subject),
            ("Keywords", properties.keywords),
            ("Category", properties.category),
            ("Comments", properties.comments),
            ("Created", properties.created),
            ("Modified", properties.modified),
            ("Last modified by", properties.last_modified_by),
        )
        if value
    }
    return Extracted(
        format=Format.DOCX,
        title=properties.title.strip(),
        authors=split_authors(properties.author),
        published=partial_date(properties.created),
        language=properties.language.strip(),
        pages=("\n".join(block for block in blocks if block.strip()),),
        metadata=metadata,
    )


def _blocks(container: BaseOxmlElement) -> Iterator[CT_P | CT_Tbl]:
    """Paragraphs and tables in document order, including those inside content controls
    (a cover page often is one), which python-docx's own iteration skips."""
    for element in container.iterchildren():
        if isinstance(element, CT_P | CT_Tbl):
            yield element
        elif element.tag == qn("w:sdt"):
            content = element.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content)


def _block_text(element: CT_P | CT_Tbl, document: Document) -> str:
    if isinstance(element, CT_P):
        return Paragraph(element, document).text
    # One row a line, cells separated by tabs; a cell's own line breaks would split the row.
    return "\n".join(
        "\t".join(" ".join(cell.text.split()) for cell in row.cells)
        for row in Table(element, document).rows
    )


def _refuse_bombs(data: bytes) -> None:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise Damaged("damaged Word document: the file is truncated or corrupt") from None
    with package:
        members = package.infolist()
        if sum(member.file_size for member in members) > _MAX_UNPACKED:
            raise Damaged(
                f"damaged Word document: it unpacks to more than {_MAX_UNPACKED >> 20} MB "
                "(refused as a possible ZIP bomb)"
            )
        types = _content_types(package)
        if _MAIN not in types.values():
            raise Unsupported("unsupported format: Word template or macro-enabled document")
        for member in members:
            # python-docx keeps images as bytes, and an SVG may well have a DTD.
            if not _type_of(member.filename, types).startswith("image/"):
                with package.open(member) as stream:
                    _refuse_dtd(stream, member.filename)


def _content_types(package: zipfile.ZipFile) -> dict[str, str]:
    """Content types by "/part/name" and by ".extension": they decide what python-docx parses."""
    try:
        with package.open(_CONTENT_TYPES) as stream:
            _refuse_dtd(stream, _CONTENT_TYPES)
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


def _refuse_dtd(stream: IO[bytes], name: str) -> None:
    """Parse up to the root element, past which XML cannot declare anything (a little at a
    time: this runs on every part, and the root comes within the first few hundred bytes)."""
    parser = expat.ParserCreate()

    def refuse(*_: object) -> None:
        raise Damaged(
            f"damaged Word document: {name} declares a document type, which can hide an "
            "entity bomb (refused)"
        )

    def stop(*_: object) -> None:
        raise _RootReached

    parser.StartDoctypeDeclHandler = refuse
    parser.StartElementHandler = stop
    try:
        while chunk := stream.read(1024):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (_RootReached, expat.ExpatError):
        pass  # the root, or not XML at all: python-docx either keeps it as bytes or fails on it


class _RootReached(Exception):
    pass
