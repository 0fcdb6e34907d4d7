"""What a pack says about itself in the PDF's metadata, besides its title and author: its
marking, handling block and version, where a records system or a search reads them
without opening the pages.

They are said twice, as PDF readers expect: in the Info dictionary (the subject and the
keywords) and in an XMP packet, the catalog's metadata stream, which ReportLab writes
unfiltered so that any reader finds it. The packet gives each field a property of its
own: Dublin Core and XMP's for what they name (title, author, keywords, version), and
Casefile's namespace for the marking and the handling block, named as on the cover
("Review date" is ``casefile:ReviewDate``, in its EDTF form, ISO 8601-2)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from casefile.briefing.options import PackOptions
from casefile.domain.handling import LABELS, Handling

# A name, not an address: nothing is fetched from it (.invalid never resolves).
CASEFILE_NS = "http://ns.casefile.invalid/pack/1.0/"
NAMESPACES = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "casefile": CASEFILE_NS,
}
# Characters XML 1.0 cannot hold, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def subject(options: PackOptions) -> str:
    return f"{options.subtitle} — {options.marking}"


def keywords(options: PackOptions) -> str:
    """ "TLP:AMBER; Originator: Home Office; Reference: HO-2027-114; …": the marking
    first, then each handling field that is set, labelled as on the cover."""
    return "; ".join(_keyword_list(options))


def _keyword_list(options: PackOptions) -> list[str]:
    said = options.handling.said() if options.handling else []
    return [options.marking, *(f"{label}: {text}" for label, text in said)]


def xmp(options: PackOptions, *, title: str, author: str, built: datetime) -> bytes:
    """The pack's XMP packet, as UTF-8 (this module's docstring says what it holds)."""
    handling = (options.handling or Handling()).stored()
    properties = [
        "<dc:format>application/pdf</dc:format>",
        _alternative("dc:title", title),
        *([_list("dc:creator", "Seq", [author])] if author else []),
        _alternative("dc:description", subject(options)),
        _list("dc:subject", "Bag", _keyword_list(options)),
        _text("pdf:Keywords", keywords(options)),
        _text("xmp:CreatorTool", "Casefile"),
        _text("xmp:CreateDate", built.isoformat(timespec="seconds")),
        _text("xmpMM:VersionID", options.version),
        _text("casefile:Marking", options.marking),
        *(
            _text(f"casefile:{LABELS[name].title().replace(' ', '')}", value)
            for name, value in handling.items()
            if value
        ),
    ]
    declared = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        f'  <rdf:Description rdf:about="" {declared}>\n'
        + "".join(f"   {p}\n" for p in properties)
        + "  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    )
    return packet.encode("utf-8")


def _xml(text: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", text))


def _text(name: str, text: str) -> str:
    return f"<{name}>{_xml(text)}</{name}>"


def _alternative(name: str, text: str) -> str:
    """A property that could be said in several languages, said in one."""
    return f'<{name}><rdf:Alt><rdf:li xml:lang="x-default">{_xml(text)}</rdf:li></rdf:Alt></{name}>'


def _list(name: str, kind: str, items: Sequence[str]) -> str:
    """An ordered (``Seq``) or unordered (``Bag``) list property."""
    said = "".join(f"<rdf:li>{_xml(item)}</rdf:li>" for item in items)
    return f"<{name}><rdf:{kind}>{said}</rdf:{kind}></{name}>"
