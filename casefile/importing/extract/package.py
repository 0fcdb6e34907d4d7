"""ZIP-packaged documents (Word, Excel, PowerPoint, OpenDocument, EPUB), opened safely.

A package is a ZIP of XML parts, which makes two bombs possible: a part that unpacks to
gigabytes, and XML whose entity definitions expand without bound. Both are refused before
a library reads anything: the unpacked size is checked from the ZIP directory (zipfile
stops at the declared size, so a part cannot lie about it), and no XML part may declare a
document type with definitions of its own (an internal subset), without which XML can
define no entity. (The check defusedxml makes, made with expat directly so that it reads
only each part's start.) A document type named by its public identifier alone, as
XHTML's in an e-book, defines nothing here: no parser of ours loads an external DTD.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from typing import IO
from xml.parsers import expat

from casefile.importing.extract.model import Damaged, TooLarge

MAX_UNPACKED = 512 * 1024 * 1024
# What is read of a part's start when expat cannot parse it, to find a declaration in.
_LOOK_BACK = 65536


def open_package(data: bytes, label: str) -> zipfile.ZipFile:
    """The package ``data``, if it is one (else ``Damaged``, its reason naming the
    document as ``label``: "Word document") and unpacks to at most ``MAX_UNPACKED`` bytes
    (else ``TooLarge``: the limit met, not damage)."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise Damaged(f"damaged {label}: the file is truncated or corrupt") from None
    if sum(member.file_size for member in package.infolist()) > MAX_UNPACKED:
        package.close()
        raise TooLarge(
            f"a {label} that unpacks to more than {MAX_UNPACKED >> 20} MB, the limit "
            "for one package, refused as a possible ZIP bomb"
        )
    return package


def refuse_entities(package: zipfile.ZipFile, names: Iterable[str], label: str) -> None:
    """``Damaged`` if any of the parts ``names`` declares a document type of its own."""
    for name in names:
        with package.open(name) as stream:
            refuse_entities_in(stream, name, label)


def refuse_entities_in(stream: IO[bytes], name: str, label: str) -> None:
    """Parse up to the root element, past which XML cannot declare anything (a little at a
    time: this runs on every part, and the root comes within the first few hundred bytes)."""
    parser = expat.ParserCreate()

    def doctype(_name: str, _system: str | None, _public: str | None, subset: int) -> None:
        if subset:
            refuse()

    def refuse(*_: object) -> None:
        raise Damaged(
            f"damaged {label}: {name} declares a document type, which can hide an "
            "entity bomb (refused)"
        )

    def stop(*_: object) -> None:
        raise _RootReached

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = stop
    seen = b""
    try:
        while chunk := stream.read(1024):
            seen = (seen + chunk)[-_LOOK_BACK:]
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (_RootReached, expat.ExpatError):
        pass  # the root, or not XML at all: the library either keeps it as bytes or fails
    except ValueError:  # expat reads no multi-byte charset (GB2312, Shift_JIS, Big5) ...
        # ... whose markup is ASCII all the same: a declaration of entities shows as such.
        head = seen + stream.read(_LOOK_BACK)
        if b"<!ENTITY" in head or re.search(rb"<!DOCTYPE[^>\[]*\[", head):
            refuse()


class _RootReached(Exception):
    pass


def refuse_bombs(data: bytes, label: str, xml: tuple[str, ...] = (".xml", ".rels")) -> None:
    """``Damaged`` if the package ``data`` is no package, or a bomb: too big unpacked, or
    an XML part (by the ends of its name, ``xml``) that could define entities. For a
    library that then opens the package itself."""
    with open_package(data, label) as package:
        names = [n for n in package.namelist() if n.lower().endswith(xml)]
        refuse_entities(package, names, label)
