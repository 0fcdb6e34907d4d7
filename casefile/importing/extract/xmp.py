"""XMP: the metadata packet PDF writers embed beside (or instead of) the info dictionary.

PDFium has no call for the catalog's metadata stream, so the packet is found the way the
XMP specification lets any reader find it: by scanning the file's bytes for the
``x:xmpmeta`` element, which writers leave unfiltered for that purpose. The last packet
that opens a metadata stream wins (an incremental update appends the newer one). A
compressed or encrypted packet cannot be seen there: the PDF reader then gives the
catalog's metadata stream decoded (``read_xmp_stream``), read here the same way.

The packet is parsed from its root element on: XML cannot declare a document type (and
so no entity, local or external) after its root has started, so nothing here can expand
or reach outside the file. A packet that is not well-formed is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError, fromstring

_MAX_PACKET = 4 * 1024 * 1024  # real packets are a few KB, padding included
_NAMES = (b"xmpmeta", b"xapmeta")  # the second from XMP's first years
_MOST_PACKETS = 64  # looked at from the end of the file, for the document's own
_MAX_HEAD = 4096  # from a stream's object header to its packet
_XML = re.compile(rb"/Subtype\s*/XML\b")
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_XMP = "{http://ns.adobe.com/xap/1.0/}"
_PDF = "{http://ns.adobe.com/pdf/1.3/}"
_PHOTOSHOP = "{http://ns.adobe.com/photoshop/1.0/}"


@dataclass(frozen=True)
class Xmp:
    """What a packet states, as text (empty where it says nothing)."""

    title: str = ""
    creators: tuple[str, ...] = ()
    description: str = ""
    publisher: str = ""
    language: str = ""
    created: str = ""
    modified: str = ""
    keywords: str = ""
    creator_tool: str = ""
    producer: str = ""


def read_xmp(data: bytes) -> Xmp:
    """The last XMP packet in a PDF's bytes ``data`` that opens a metadata stream; an
    empty ``Xmp`` if there is none to read."""
    return _stated(_packet(data, _in_metadata_stream))


def read_xmp_stream(stream: bytes) -> Xmp:
    """The packet of a metadata stream, ``stream`` its decoded bytes (the catalog's, whose
    packet is the document's); an empty ``Xmp`` if there is none to read."""
    return _stated(_packet(stream, lambda _data, _start: True))


def _stated(root: Element | None) -> Xmp:
    """What the packet whose root is ``root`` states."""
    if root is None:
        return Xmp()
    return Xmp(
        title=_alternative(root, f"{_DC}title"),
        creators=tuple(_items(root, f"{_DC}creator")),
        description=_alternative(root, f"{_DC}description"),
        publisher=", ".join(_items(root, f"{_DC}publisher")),
        language=next(iter(_items(root, f"{_DC}language")), ""),
        created=_simple(root, f"{_XMP}CreateDate")
        or _simple(root, f"{_PHOTOSHOP}DateCreated")
        or next(iter(_items(root, f"{_DC}date")), ""),
        modified=_simple(root, f"{_XMP}ModifyDate"),
        keywords=_simple(root, f"{_PDF}Keywords") or ", ".join(_items(root, f"{_DC}subject")),
        creator_tool=_simple(root, f"{_XMP}CreatorTool"),
        producer=_simple(root, f"{_PDF}Producer"),
    )


def _packet(data: bytes, in_metadata: Callable[[bytes, int], bool]) -> Element | None:
    """The last packet that is a metadata stream's by ``in_metadata`` (a JPEG placed in the
    PDF carries its own packet inside its image data: that one describes the photo, not
    the document)."""
    for name in _NAMES:
        close = b"</x:" + name + b">"
        end = data.rfind(close)
        for _ in range(_MOST_PACKETS):
            start = data.rfind(b"<x:" + name, max(0, end - _MAX_PACKET), end) if end > 0 else -1
            if start < 0:
                break
            if in_metadata(data, start):
                try:
                    return fromstring(data[start : end + len(close)])
                except ParseError:
                    return None
            end = data.rfind(close, 0, start)
    return None


def _in_metadata_stream(data: bytes, start: int) -> bool:
    """Whether the packet at ``start`` opens a stream whose dictionary says it is XML
    metadata (the packet comes a few bytes after the dictionary)."""
    head = data[max(0, start - _MAX_HEAD) : start]
    dictionary, streamed, _ = head[head.rfind(b"obj") + 1 :].partition(b"stream")
    return bool(streamed) and _XML.search(dictionary) is not None


def _values(root: Element, name: str) -> list[Element]:
    """The property ``name`` of the packet's descriptions: as an element, or as an
    attribute (the short form many writers use). Only the descriptions' own properties
    are read, so that the work grows with the packet, not with how deep it nests."""
    found: list[Element] = []
    for rdf in root.findall(f"{_RDF}RDF"):
        for description in rdf.findall(f"{_RDF}Description"):
            if name in description.attrib:
                short = Element(name)
                short.text = description.attrib[name]
                found.append(short)
            found.extend(description.findall(name))
    return found


def _simple(root: Element, name: str) -> str:
    for value in _values(root, name):
        if value.text and value.text.strip():
            return value.text.strip()
    return ""


def _items(root: Element, name: str) -> list[str]:
    """A list (rdf:Seq, rdf:Bag) as its items; a plain value as one item."""
    items: list[str] = []
    for value in _values(root, name):
        listed = list(value.iter(f"{_RDF}li"))
        texts = [li.text for li in listed] if listed else [value.text]
        items += [t.strip() for t in texts if t and t.strip()]
    return items


def _alternative(root: Element, name: str) -> str:
    """A language alternative (rdf:Alt): the default language's text, else the first."""
    for value in _values(root, name):
        listed = list(value.iter(f"{_RDF}li"))
        for li in listed:
            if li.get("{http://www.w3.org/XML/1998/namespace}lang") == "x-default" and li.text:
                return li.text.strip()
        if listed and listed[0].text:
            return listed[0].text.strip()
    return _simple(root, name)
