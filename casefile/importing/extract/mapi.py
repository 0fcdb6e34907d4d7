"""The MAPI properties of an Outlook file (.msg), read with olefile as MS-OXMSG lays them out.

A .msg is a compound file in which each object (the message, each recipient and
attachment, an attached message) is a storage of its own. A property that fits in eight
bytes (a number, a time) is in the object's ``__properties_version1.0`` stream, 16 bytes
each after a header; any other is a stream named by its tag (``__substg1.0_0037001F``:
the subject, in UTF-16). Properties beyond the standard ones (an appointment's location,
a contact's e-mail addresses) are named by a property set and a number, and numbered
afresh in each file: the map is in ``__nameid_version1.0``.

Strings are UTF-16 in every Outlook since 2003 (a string that is not is damage, never
mended), or 8-bit in the code page the message names; where it names none (Outlook
97-2002 need not), that is detected from its strings, and said, as any unlabelled text is.
"""

from __future__ import annotations

import codecs
import io
import itertools
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import formataddr
from functools import cached_property
from typing import Any
from uuid import UUID

from casefile.importing.extract.compound import Storage, compound_file
from casefile.importing.extract.decode import Decoded, decode

# A property: a tagged one by its ID, or a named one by its property set and number.
Prop = int | tuple[UUID, int]

PSETID_APPOINTMENT = UUID("00062002-0000-0000-c000-000000000046")
PSETID_TASK = UUID("00062003-0000-0000-c000-000000000046")
PSETID_ADDRESS = UUID("00062004-0000-0000-c000-000000000046")
PSETID_COMMON = UUID("00062008-0000-0000-c000-000000000046")
PSETID_LOG = UUID("0006200a-0000-0000-c000-000000000046")

# Property types (MS-OXCDATA 2.11.1), and the flag that makes a type multiple-valued.
_SHORT, _LONG, _DOUBLE, _BOOLEAN, _LONG_LONG, _TIME = 0x0002, 0x0003, 0x0005, 0x000B, 0x0014, 0x0040
_STRING_8, _UNICODE, _BINARY, _MULTIPLE = 0x001E, 0x001F, 0x0102, 0x1000
_INTEGERS = {_SHORT: "<h", _LONG: "<i", _BOOLEAN: "<H", _LONG_LONG: "<q"}
_PROPERTIES = "__properties_version1.0"
_NAMES = "__nameid_version1.0"
_EMBEDDED = "__substg1.0_3701000D"  # an attached message's storage, in its attachment's
# The header before the 16-byte entries: a message's (an attached one's is 8 bytes
# shorter; see ``_fixed``), a recipient's or an attachment's.
_MESSAGE_HEADER, _PART_HEADER = 32, 8
_CODE_PAGE_PROPS = (0x3FFD, 0x3FDE)  # PR_MESSAGE_CODEPAGE, else PR_INTERNET_CPID
# Windows code pages whose Python codec is not named cpNNNN.
_CODE_PAGES = {
    1200: "utf-16-le",
    1201: "utf-16-be",
    10000: "mac-roman",
    20127: "ascii",
    20866: "koi8-r",
    21866: "koi8-u",
    50220: "iso2022-jp",
    51932: "euc-jp",
    51949: "euc-kr",
    52936: "hz",
    54936: "gb18030",
    65001: "utf-8",
    **{28590 + n: f"iso8859-{n}" for n in (*range(1, 10), 13, 15)},
}
RECIPIENTS, ATTACHMENTS = "__recip_version1.0_#", "__attach_version1.0_#"  # their storages
TO, CC, BCC = 1, 2, 3  # PR_RECIPIENT_TYPE
_UNSENT = 0x08  # PR_MESSAGE_FLAGS: a draft
# Who a message is from: on whose behalf it was sent, else who sent it; each a name
# property and the properties its address may be in (SMTP first).
_SENDERS = ((0x0042, (0x5D02, 0x0065)), (0x0C1A, (0x5D01, 0x0C1F)))
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
_NO_DATE_YEAR = 4500  # Outlook's "none" is 4501-01-01


def opened(data: bytes) -> tuple[MapiObject, Decoded | None]:
    """The message in the Outlook file ``data``, and how its 8-bit strings' encoding was
    found where the file does not name it (None when it does, or has none)."""
    import olefile

    ole = olefile.OleFileIO(io.BytesIO(data))
    paths = ole.listdir(streams=True, storages=True)
    file = _File(
        ole,
        {_key(path): tuple(path) for path in paths if ole.get_type(path) == olefile.STGTY_STREAM},
        {_key(path): tuple(path) for path in paths if ole.get_type(path) == olefile.STGTY_STORAGE},
    )
    return MapiObject.message(file, ())


@dataclass(frozen=True)
class _File:
    """An opened .msg: its streams and storages, each by its path in lower case (MS-CFB
    names are compared without case)."""

    ole: Any  # olefile.OleFileIO: olefile ships no type information
    streams: dict[tuple[str, ...], tuple[str, ...]]
    storages: dict[tuple[str, ...], tuple[str, ...]]

    def read(self, path: tuple[str, ...]) -> bytes | None:
        found = self.streams.get(_key(path))
        return None if found is None else bytes(self.ole.openstream(list(found)).read())

    @cached_property
    def named(self) -> dict[tuple[UUID, int], int]:
        """The map of named properties to their IDs in this file: those named by a
        number in a property set of their own (no field read is named by a string, or in
        the sets of all MAPI or public strings)."""
        entries = self.read((_NAMES, "__substg1.0_00030102")) or b""
        guids = self.read((_NAMES, "__substg1.0_00020102")) or b""
        found: dict[tuple[UUID, int], int] = {}
        for number, index_and_kind in struct.iter_unpack("<II", entries[: len(entries) // 8 * 8]):
            guid_at = ((index_and_kind >> 1 & 0x7FFF) - 3) * 16  # 1 and 2 are the shared sets
            if index_and_kind & 1 == 0 and 0 <= guid_at <= len(guids) - 16:
                guid = UUID(bytes_le=guids[guid_at : guid_at + 16])
                found[(guid, number)] = 0x8000 + (index_and_kind >> 16)
        return found


def _key(path: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name.lower() for name in path)


class MapiObject:
    """One object of an Outlook file: a message, a recipient or an attachment."""

    def __init__(self, file: _File, at: tuple[str, ...], header: int, codec: str) -> None:
        self._file, self._at, self._codec = file, at, codec
        self._fixed = _fixed(file.read((*at, _PROPERTIES)) or b"", header)

    @classmethod
    def message(cls, file: _File, at: tuple[str, ...]) -> tuple[MapiObject, Decoded | None]:
        """The message at ``at``, and how the encoding of its 8-bit strings was found when
        it does not name it: detected from them all, as any unlabelled text is."""
        numbers = cls(file, at, _MESSAGE_HEADER, "")  # its numbers only, to find its codec
        named = next(filter(None, map(code_page, map(numbers.integer, _CODE_PAGE_PROPS))), None)
        eight_bit = b"\n".join(numbers._eight_bit())
        if named or not eight_bit:  # none to read: any codec would do
            return cls(file, at, _MESSAGE_HEADER, named or "utf-8"), None
        found = decode(eight_bit)
        return cls(file, at, _MESSAGE_HEADER, found.encoding), found

    def _eight_bit(self) -> Iterator[bytes]:
        """The 8-bit strings of this message, its recipients and attachments (not those
        of a message attached to it, which names its own code page)."""
        at = _key(self._at)
        for key, path in self._file.streams.items():
            ours = key[: len(at)] == at and _EMBEDDED.lower() not in key[len(at) :]
            single, value = f"{_STRING_8:04x}", f"{_STRING_8 | _MULTIPLE:04x}-"
            if ours and (key[-1].endswith(single) or value in key[-1]):
                yield self._file.read(path) or b""

    def string(self, prop: Prop) -> str | None:
        """A string property (one value of a multiple-valued one: its first)."""
        found = self.strings(prop)
        return found[0] if found else None

    def strings(self, prop: Prop) -> list[str]:
        """A string property's values: one, or each of a multiple-valued one's."""
        tag = self._id(prop)
        if tag is None:
            return []
        for kind in (_UNICODE, _STRING_8):
            single = self._stream(tag, kind)
            if single is not None:
                return [self._text(single, kind)]
            values = list(self._values(tag, kind | _MULTIPLE))
            if values:
                return [self._text(value, kind) for value in values]
        return []

    def _values(self, tag: int, kind: int) -> Iterator[bytes]:
        """A multiple-valued property's values, each a stream of its own."""
        for index in itertools.count():
            value = self._file.read((*self._at, f"__substg1.0_{tag:04X}{kind:04X}-{index:08X}"))
            if value is None:
                return
            yield value

    def _text(self, data: bytes, kind: int) -> str:
        """A string's bytes as text, without the NUL that may end it. UTF-16 that is not
        (a byte cut off) is damage, and raises."""
        if kind == _UNICODE:
            return data.decode("utf-16-le").rstrip("\0")
        return data.decode(self._codec, errors="replace").rstrip("\0")

    def binary(self, prop: Prop) -> bytes | None:
        tag = self._id(prop)
        return None if tag is None else self._stream(tag, _BINARY)

    def integer(self, prop: Prop) -> int | None:
        """A number (a boolean as 0 or 1) from the property stream."""
        kind, value = self._value(prop)
        if kind not in _INTEGERS:
            return None
        number: int = struct.unpack_from(_INTEGERS[kind], value)[0]
        return number

    def real(self, prop: Prop) -> float | None:
        kind, value = self._value(prop)
        return float(struct.unpack_from("<d", value)[0]) if kind == _DOUBLE else None

    def time(self, prop: Prop) -> datetime | None:
        """A time, in UTC as Outlook keeps it; None for none, or for Outlook's "no date"."""
        kind, value = self._value(prop)
        if kind != _TIME:
            return None
        ticks: int = struct.unpack_from("<Q", value)[0]
        limit = datetime(_NO_DATE_YEAR, 1, 1, tzinfo=UTC) - _FILETIME_EPOCH
        since = timedelta(microseconds=ticks // 10)
        return _FILETIME_EPOCH + since if ticks and since < limit else None

    def children(self, kind: str) -> list[MapiObject]:
        """The recipients (``kind`` "__recip_version1.0_#") or attachments
        ("__attach_version1.0_#") of this message, in their order."""
        depth = len(self._at)
        names = {
            path[depth]
            for key, path in self._file.storages.items()
            if len(key) == depth + 1 and key[:depth] == _key(self._at) and key[-1].startswith(kind)
        }
        return [
            MapiObject(self._file, (*self._at, name), _PART_HEADER, self._codec)
            for name in sorted(names, key=str.lower)
        ]

    def attached_message(self) -> bytes | None:
        """The message this attachment holds, if it holds one, as a .msg of its own as
        Outlook saves one: its header a whole message's, and the named-property map,
        which an attached message shares with the file it is in, copied in."""
        at = _key((*self._at, _EMBEDDED))
        if at not in self._file.storages:
            return None
        root: Storage = {}
        for key, path in self._file.streams.items():
            if key[: len(at)] == at:
                _place(root, path[len(at) :], self._file.read(path) or b"")
            elif key[0] == _NAMES.lower():
                _place(root, path, self._file.read(path) or b"")
        properties = root.get(_PROPERTIES)
        if isinstance(properties, bytes) and len(properties) % 16:  # an attached message's
            root[_PROPERTIES] = properties[:24] + bytes(8) + properties[24:]
        return compound_file(root)

    def _id(self, prop: Prop) -> int | None:
        return prop if isinstance(prop, int) else self._file.named.get(prop)

    def _stream(self, tag: int, kind: int) -> bytes | None:
        return self._file.read((*self._at, f"__substg1.0_{tag:04X}{kind:04X}"))

    def _value(self, prop: Prop) -> tuple[int | None, bytes]:
        tag = self._id(prop)
        return self._fixed.get(tag, (None, b"")) if tag is not None else (None, b"")


def _fixed(data: bytes, header: int) -> dict[int, tuple[int, bytes]]:
    """The properties held in the property stream: by ID, their type and eight bytes. An
    attached message's header is 24 bytes, not 32: what is left says which."""
    if header == _MESSAGE_HEADER and len(data) % 16:
        header -= 8
    entries = data[header:]
    return {
        tag >> 16: (tag & 0xFFFF, value)
        for tag, _flags, value in struct.iter_unpack("<II8s", entries[: len(entries) // 16 * 16])
    }


def _place(root: Storage, path: tuple[str, ...], data: bytes) -> None:
    """Puts ``data`` at ``path`` in ``root``, making the storages on the way."""
    storage = root
    for name in path[:-1]:
        child = storage.setdefault(name, {})
        if isinstance(child, bytes):
            raise ValueError(f"a stream where a storage was expected: {name}")
        storage = child
    storage[path[-1]] = data


def code_page(number: int | None) -> str | None:
    """Python's codec for a Windows code page, or None when Python knows none by it."""
    if number is None:
        return None
    name = _CODE_PAGES.get(number, f"cp{number}")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def sender(message: MapiObject) -> str:
    """Who a message is from, as a From header: a name and an Internet address, or what
    there is of them (an Exchange directory name is no address). As Outlook shows it: on
    whose behalf it was sent, else who sent it."""
    for name_property, address_properties in _SENDERS:
        name = message.string(name_property) or ""
        found = (message.string(p) for p in address_properties)
        address = next((a for a in found if a and "@" in a), "")
        if name or address:
            return formataddr((name, address)) if address else name
    return ""


def recipients(message: MapiObject, kind: int) -> str:
    """A message's recipients of one kind (``TO``, ``CC``, ``BCC``), as a header's value."""
    found = []
    for recipient in message.children(RECIPIENTS):
        if (recipient.integer(0x0C15) or 0) & 0xF == kind:  # PR_RECIPIENT_TYPE
            name = recipient.string(0x3001) or ""  # PR_DISPLAY_NAME
            address = recipient.string(0x39FE) or recipient.string(0x3003) or ""  # SMTP first
            found.append(formataddr((name, address)) if "@" in address else name)
    return ", ".join(found)


def sent(message: MapiObject) -> datetime | None:
    """When a message was sent (PR_CLIENT_SUBMIT_TIME); None for a draft, never sent."""
    unsent = (message.integer(0x0E07) or 0) & _UNSENT  # PR_MESSAGE_FLAGS
    return None if unsent else message.time(0x0039)
