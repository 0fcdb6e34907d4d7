"""Outlook .msg files made at test time, as Outlook lays them out (MS-OXMSG): a compound file
(Casefile's own writer makes the container, which olefile reads back in its tests) with a
stream per MAPI property that does not fit in eight bytes and a property stream for the
rest, recipients and attachments in storages of their own, an attached message in its
attachment's storage. RTF bodies are compressed as Outlook compresses them."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from compressed_rtf import compress

from casefile.importing.extract.compound import Storage, compound_file

# MAPI property types (MS-OXCDATA 2.11.1).
_INTEGER, _DOUBLE, _BOOLEAN, _TIME, _ANSI, _UNICODE, _BINARY, _OBJECT = (
    0x0003,
    0x0005,
    0x000B,
    0x0040,
    0x001E,
    0x001F,
    0x0102,
    0x000D,
)
_READABLE_WRITABLE = 0x06
_UNSENT = 0x08  # PR_MESSAGE_FLAGS: still a draft
_UNICODE_STRINGS = 0x40000  # PR_STORE_SUPPORT_MASK: STORE_UNICODE_OK
_BY_VALUE, _BY_REFERENCE, _EMBEDDED = 1, 2, 5  # PR_ATTACH_METHOD
TO, CC = 1, 2  # PR_RECIPIENT_TYPE
# A named property (a property set and a number) and its value.
Named = dict[tuple[UUID, int], str | int | float | datetime | bytes]


@dataclass
class Attached:
    """A file attached by value, or (``message``) a message attached whole."""

    name: str = ""
    data: bytes = b""
    media_type: str = ""
    hidden: bool = False  # shown in the body (a picture), not listed as an attachment
    message: Item | None = None
    link: str = ""  # a file kept elsewhere (attached by reference): no data


@dataclass
class Item:
    """An Outlook item: an e-mail unless ``message_class`` says otherwise."""

    subject: str = ""
    body: str | None = None
    html: bytes | None = None
    html_code_page: int | None = None  # PR_INTERNET_CPID: the HTML body's charset
    rtf: bytes | None = None
    sender_name: str = ""
    sender_address: str = ""
    sent: datetime | None = None
    draft: bool = False
    recipients: list[tuple[str, str, int]] = field(default_factory=list)
    message_id: str = ""
    in_reply_to: str = ""
    references: str = ""
    transport_headers: str = ""  # the Internet headers a received message keeps
    message_class: str = "IPM.Note"
    attachments: list[Attached] = field(default_factory=list)
    # Strings in 8-bit (an Outlook 97-2002 file) in this codec, naming ``code_page`` if
    # given; None: Unicode.
    ansi: str | None = None
    code_page: int | None = None
    extra_strings: dict[int, str] = field(default_factory=dict)  # more properties by ID
    extra_times: dict[int, datetime] = field(default_factory=dict)
    named: Named = field(default_factory=dict)


def msg_bytes(item: Item) -> bytes:
    """``item`` as the bytes of a .msg file."""
    root: Storage = {}
    names = Names()
    _write(root, item, names, embedded=False)
    root["__nameid_version1.0"] = names.storage()
    return compound_file(root)


class Names:
    """The named-property map the messages of a file share: an ID from 0x8000 for each
    named property, in the order first written (MS-OXMSG 2.2.3)."""

    def __init__(self) -> None:
        self.ids: dict[tuple[UUID, int], int] = {}

    def id(self, name: tuple[UUID, int]) -> int:
        return self.ids.setdefault(name, 0x8000 + len(self.ids))

    def storage(self) -> Storage:
        """The GUID stream (from index 3: 1 and 2 are the sets every file knows), the
        entry stream (number, then index and kind, then property index) and the string
        stream (empty: every name here is a number)."""
        guids = list(dict.fromkeys(guid for guid, _ in self.ids))
        entries = (
            struct.pack("<IHH", lid, (guids.index(guid) + 3) << 1, prop_id - 0x8000)
            for (guid, lid), prop_id in self.ids.items()
        )
        return {
            "__substg1.0_00020102": b"".join(guid.bytes_le for guid in guids),
            "__substg1.0_00030102": b"".join(entries),
            "__substg1.0_00040102": b"",
        }


def _write(at: Storage, item: Item, names: Names, *, embedded: bool) -> None:
    props: list[bytes] = []
    strings = Strings(at, props, item.ansi)
    strings.add(0x001A, item.message_class)
    strings.add(0x0037, item.subject)
    strings.add(0x0C1A, item.sender_name)
    strings.add(0x0C1F, item.sender_address)
    strings.add(0x1000, item.body)
    strings.add(0x1035, item.message_id)
    strings.add(0x1042, item.in_reply_to)
    strings.add(0x1039, item.references)
    strings.add(0x007D, item.transport_headers)
    for prop_id, text in item.extra_strings.items():
        strings.add(prop_id, text)
    if item.html is not None:
        _binary(at, props, 0x1013, item.html)
    if item.rtf is not None:
        _binary(at, props, 0x1009, compress(item.rtf))
    props.append(_fixed(0x0E07, _INTEGER, _UNSENT if item.draft else 0))
    props.append(_fixed(0x340D, _INTEGER, _UNICODE_STRINGS if item.ansi is None else 0))
    if item.code_page is not None:
        props.append(_fixed(0x3FFD, _INTEGER, item.code_page))
    if item.html_code_page is not None:
        props.append(_fixed(0x3FDE, _INTEGER, item.html_code_page))
    times = {**item.extra_times, **({0x0039: item.sent} if item.sent else {})}
    props += [_fixed(prop_id, _TIME, _filetime(when)) for prop_id, when in times.items()]
    for name, value in item.named.items():
        _value(at, props, strings, names.id(name), value)
    for number, recipient in enumerate(item.recipients):
        _recipient(_storage(at, f"__recip_version1.0_#{number:08X}"), item.ansi, recipient)
    for number, attached in enumerate(item.attachments):
        attachment = _storage(at, f"__attach_version1.0_#{number:08X}")
        _attachment(attachment, item.ansi, attached, names)
    count = (len(item.recipients), len(item.attachments))
    header = struct.pack("<8xIIII", *count, *count) + (b"" if embedded else bytes(8))
    at["__properties_version1.0"] = header + b"".join(props)


def _storage(parent: Storage, name: str) -> Storage:
    storage: Storage = {}
    parent[name] = storage
    return storage


class Strings:
    """String properties of one object, each a stream, in UTF-16 or in ``ansi``."""

    def __init__(self, at: Storage, props: list[bytes], ansi: str | None):
        self.at, self.props, self.ansi = at, props, ansi

    def add(self, prop_id: int, text: str | None) -> None:
        if text is None or (not text and prop_id != 0x1000):
            return
        kind = _UNICODE if self.ansi is None else _ANSI
        data = text.encode("utf-16-le" if self.ansi is None else self.ansi)
        self.at[f"__substg1.0_{prop_id:04X}{kind:04X}"] = data
        self.props.append(_variable(prop_id, kind, len(data) + (2 if self.ansi is None else 1)))


def _recipient(at: Storage, ansi: str | None, recipient: tuple[str, str, int]) -> None:
    name, address, kind = recipient
    props: list[bytes] = [_fixed(0x0C15, _INTEGER, kind)]
    strings = Strings(at, props, ansi)
    strings.add(0x3001, name)
    strings.add(0x39FE, address)
    at["__properties_version1.0"] = bytes(8) + b"".join(props)


def _attachment(at: Storage, ansi: str | None, attached: Attached, names: Names) -> None:
    method = _EMBEDDED if attached.message else _BY_REFERENCE if attached.link else _BY_VALUE
    props = [_fixed(0x3705, _INTEGER, method), _fixed(0x7FFE, _BOOLEAN, int(attached.hidden))]
    strings = Strings(at, props, ansi)
    if attached.message is not None:
        strings.add(0x3001, attached.name)
        _write(_storage(at, "__substg1.0_3701000D"), attached.message, names, embedded=True)
        props.append(_variable(0x3701, _OBJECT, 0xFFFFFFFF))  # no size: a storage
    elif attached.link:
        strings.add(0x3707, attached.name)
        strings.add(0x370D, attached.link)  # PR_ATTACH_LONG_PATHNAME
    else:
        strings.add(0x3707, attached.name)
        strings.add(0x370E, attached.media_type)
        _binary(at, props, 0x3701, attached.data)
    at["__properties_version1.0"] = bytes(8) + b"".join(props)


def _value(
    at: Storage,
    props: list[bytes],
    strings: Strings,
    prop_id: int,
    value: str | int | float | datetime | bytes,
) -> None:
    """A property of any type the named ones here have."""
    if isinstance(value, str):
        strings.add(prop_id, value)
    elif isinstance(value, bytes):
        _binary(at, props, prop_id, value)
    elif isinstance(value, datetime):
        props.append(_fixed(prop_id, _TIME, _filetime(value)))
    elif isinstance(value, float):
        props.append(_fixed(prop_id, _DOUBLE, struct.unpack("<Q", struct.pack("<d", value))[0]))
    else:
        props.append(_fixed(prop_id, _INTEGER, value))


def _binary(at: Storage, props: list[bytes], prop_id: int, data: bytes) -> None:
    at[f"__substg1.0_{prop_id:04X}{_BINARY:04X}"] = data
    props.append(_variable(prop_id, _BINARY, len(data)))


def _fixed(prop_id: int, kind: int, value: int) -> bytes:
    """A property held in its 16-byte entry: tag, flags, the value in eight bytes."""
    return struct.pack("<IIQ", prop_id << 16 | kind, _READABLE_WRITABLE, value)


def _variable(prop_id: int, kind: int, size: int) -> bytes:
    """The entry of a property held in a stream of its own: its size, not its value."""
    return struct.pack("<IIII", prop_id << 16 | kind, _READABLE_WRITABLE, size, 0)


def _filetime(when: datetime) -> int:
    """100-nanosecond intervals since 1601-01-01 UTC."""
    since = when.astimezone(UTC) - datetime(1601, 1, 1, tzinfo=UTC)
    return (since.days * 86400 + since.seconds) * 10_000_000 + since.microseconds * 10
