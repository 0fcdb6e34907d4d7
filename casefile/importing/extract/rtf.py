"""RTF documents: the text as striprtf reads it, and the title and author of its info group.

RTF is 7-bit text that names its own code page (``\\ansicpg1256``) and escapes every other
character (``\\'c8``, ``\\u1576``); striprtf decodes both by that code page. Its info group
(title, author, creation time) is not part of the text: it is read on its own, and its
creation time is noted as such, never taken for a publication date.
"""

from __future__ import annotations

import codecs
import re

from striprtf import striprtf

from casefile.domain.formats import Format
from casefile.importing.extract.metadata import split_authors
from casefile.importing.extract.model import Extracted

_CODE_PAGE = re.compile(rb"\\ansicpg(\d+)")
# A field of the info group: {\title ...}; its value has no braces of its own in practice.
_INFO = re.compile(r"\{\\(title|author|subject|keywords|doccomm|company|operator)\s([^{}]*)\}")
_CREATED = re.compile(r"\{\\creatim((?:\\(?:yr|mo|dy|hr|min)\d+)+)\}")
_NAMES = {
    "subject": "Subject",
    "keywords": "Keywords",
    "doccomm": "Comments",
    "company": "Company",
    "operator": "Last modified by",
}


def read_rtf(data: bytes) -> Extracted:
    # Latin-1 keeps every byte as one character: RTF's own escapes carry the rest.
    source = data.decode("latin-1")
    encoding = _code_page(data)
    info = {name: _plain(value, encoding) for name, value in _INFO.findall(source[:65536])}
    metadata = {label: info[name] for name, label in _NAMES.items() if info.get(name)}
    created = _CREATED.search(source[:65536])
    if created:
        metadata["Created"] = _when(created[1])
    return Extracted(
        format=Format.RTF,
        title=info.get("title", ""),
        authors=split_authors(info.get("author", "")),
        pages=(rtf_text(data),),
        metadata=metadata,
    )


def rtf_text(data: bytes) -> str:
    """The text of an RTF document (an Outlook message's RTF body too), line by line."""
    text = _text(data.decode("latin-1"), _code_page(data))
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _code_page(data: bytes) -> str:
    """The code page the document names (``\\ansicpg1256``), else Windows-1252, RTF's own."""
    page = _CODE_PAGE.search(data[:4096])
    encoding = f"cp{page[1].decode()}" if page else ""
    return encoding if encoding and _known(encoding) else "cp1252"


def _known(encoding: str) -> bool:
    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True


def _plain(value: str, encoding: str) -> str:
    """An info field's value, its escapes decoded as the body's are."""
    return _text(f"{{\\rtf1 {value}}}", encoding).strip()


def _text(rtf: str, encoding: str) -> str:
    """striprtf's reading (a character its code page lacks: U+FFFD, never a guess)."""
    # striprtf has a type marker but no annotation on this function.
    text: str = striprtf.rtf_to_text(rtf, encoding=encoding, errors="replace")  # type: ignore[no-untyped-call]
    return text


def _when(parts: str) -> str:
    """``\\yr2017\\mo3\\dy23\\hr10\\min15`` as 2017-03-23 10:15 (as much as it says)."""
    found = {k: int(v) for k, v in re.findall(r"\\(yr|mo|dy|hr|min)(\d+)", parts)}
    date = f"{found.get('yr', 0):04d}"
    if "mo" in found:
        date += f"-{found['mo']:02d}" + (f"-{found['dy']:02d}" if "dy" in found else "")
    time = f" {found['hr']:02d}:{found.get('min', 0):02d}" if "hr" in found else ""
    return date + time
