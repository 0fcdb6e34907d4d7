"""Archives and mailboxes: files that hold other files, each of which becomes a source.

A ZIP, a tar (compressed or not) or an mbox mailbox is read as its table of contents (its
one section: what it holds, with sizes and dates, searchable) and its members, handed on
as attachments for the reader to read one by one. Nothing is extracted to disk; a link, a
device or an encrypted member is listed with why it was not read; members past the
limits (how many, how much unpacked in all) are listed too, never dropped in silence.
"""

from __future__ import annotations

import io
import re
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from casefile.domain.dates import DateError, PartialDate
from casefile.domain.display import file_size
from casefile.domain.formats import Format
from casefile.importing.extract.model import Attachment, Damaged, Extracted
from casefile.importing.extract.package import MAX_UNPACKED

# What a web archive holds that is imported: documents, not a page's images or scripts.
_DOCUMENTS = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "application/pdf",
        "text/plain",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
)
# Members read from one archive at most: the rest are listed as not read.
MEMBERS_AT_MOST = 500
# An mbox separates messages by a line "From sender date", the date ending in its year
# ("From desk@example.org Thu Mar 23 10:15:00 2017"), after an empty line; a body line
# that begins "From the start" is no separator.
_SEPARATOR = re.compile(rb"(?:\A|\n\r?\n)From \S+ [^\n]*\d{4}\r?\n")


@dataclass(frozen=True)
class _Listed:
    """A line of an archive's table of contents."""

    name: str
    size: int
    when: str = ""
    why: str = ""  # why it was not read; empty if it was

    def line(self) -> str:
        said = f"{self.name}\t{file_size(self.size)}\t{self.when}".rstrip()
        return f"{said}\t({self.why})" if self.why else said


def read_zip(data: bytes) -> Extracted:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise Damaged(f"damaged {Format.ZIP.label}: the file is truncated or corrupt") from None
    listed: list[_Listed] = []
    members: list[Attachment] = []
    unpacked = 0
    with package:
        for info in package.infolist():
            if info.is_dir():
                continue
            when = "{:04d}-{:02d}-{:02d} {:02d}:{:02d}".format(*info.date_time[:5])
            why = _over_limits(len(members), unpacked + info.file_size)
            if not why and info.flag_bits & 0x1:
                why = "encrypted"
            if not why:
                try:
                    content = package.read(info)
                except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
                    why = "damaged in the archive"
                else:
                    unpacked += len(content)
                    members.append(Attachment(info.filename, content))
            listed.append(_Listed(info.filename, info.file_size, when, why))
        comment = " ".join(package.comment.decode("utf-8", "replace").split())
    return _archive(Format.ZIP, listed, members, comment)


def read_tar(data: bytes) -> Extracted:
    listed: list[_Listed] = []
    members: list[Attachment] = []
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            _read_tar(archive, listed, members)
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        if not listed:
            raise Damaged(f"damaged {Format.TAR.label}: the file is truncated or corrupt") from None
        listed.append(_Listed("…", 0, why=f"the rest is damaged ({exc})"))
    return _archive(Format.TAR, listed, members)


def _read_tar(archive: tarfile.TarFile, listed: list[_Listed], members: list[Attachment]) -> None:
    unpacked = 0
    for info in archive:
        if info.isdir():
            continue
        when = _tar_time(info.mtime)
        why = "" if info.isfile() else "a link or a device, not a file"
        why = why or _over_limits(len(members), unpacked + info.size)
        if not why:
            stream = archive.extractfile(info)
            content = stream.read() if stream is not None else b""
            unpacked += len(content)
            members.append(Attachment(info.name, content))
        listed.append(_Listed(info.name, info.size, when, why))


def _tar_time(mtime: float) -> str:
    """A member's time as the archive states it; "" for one no calendar holds."""
    try:
        return datetime.fromtimestamp(mtime, UTC).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        return ""


def read_mbox(data: bytes) -> Extracted:
    """Each message of the mailbox, as the .eml file it would be saved as."""
    listed: list[_Listed] = []
    members: list[Attachment] = []
    for number, message in enumerate(_messages(data), start=1):
        name = f"message {number:0{len(str(MEMBERS_AT_MOST))}d}.eml"
        why = _over_limits(len(members), 0)
        if not why:
            members.append(Attachment(name, message))
        listed.append(_Listed(name, len(message), why=why))
    return _archive(Format.MBOX, listed, members)


def read_warc(data: bytes) -> Extracted:
    """Each page captured in a web archive (WARC, gzipped or not; Webrecorder's, the
    Wayback Machine's), with its address and capture time. Only documents are members
    (pages, PDFs, text): a page's images, scripts and styles are listed as such."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    listed: list[_Listed] = []
    members: list[Attachment] = []
    unpacked = 0
    try:
        for record in ArchiveIterator(io.BytesIO(data)):
            if record.rec_type not in ("response", "resource"):
                continue
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            captured = record.rec_headers.get_header("WARC-Date") or ""
            headers = record.http_headers
            kind = (headers.get_header("Content-Type") if headers else None) or (
                record.rec_headers.get_header("Content-Type") or ""
            )
            kind = kind.split(";")[0].strip().lower()
            why = "" if kind in _DOCUMENTS else f"not a document ({kind or 'no type'})"
            # Read only what the limits leave room for (a record's body may be compressed).
            content = b"" if why else record.content_stream().read(MAX_UNPACKED - unpacked + 1)
            why = why or _over_limits(len(members), unpacked + len(content))
            if not why:
                unpacked += len(content)
                members.append(Attachment(url, content, url=url, accessed=_day(captured)))
            length = record.rec_headers.get_header("Content-Length") or "0"
            size = len(content) or (int(length) if length.isdigit() else 0)
            listed.append(_Listed(url, size, captured.replace("T", " ")[:16], why))
    except (ArchiveLoadFailed, OSError, ValueError, EOFError) as exc:
        if not listed:
            raise Damaged(f"damaged {Format.WARC.label}: {exc}") from None
        listed.append(_Listed("…", 0, why=f"the rest is damaged ({exc})"))
    return _archive(Format.WARC, listed, members)


def is_warc(data: bytes) -> bool:
    """A WARC file, or a gzipped one (each record compressed on its own)."""
    if data.startswith(b"WARC/"):
        return True
    if not data.startswith(b"\x1f\x8b"):
        return False
    try:
        return (
            zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(data[:4096], 16).startswith(b"WARC/")
        )
    except zlib.error:
        return False


def _day(captured: str) -> PartialDate | None:
    """A WARC-Date (2017-03-23T10:15:00Z) as the day it was captured."""
    try:
        return PartialDate.parse(captured[:10]) if len(captured) >= 10 else None
    except DateError:
        return None


def is_mbox(data: bytes) -> bool:
    """An mbox: it starts with a separator line followed by a message's header lines,
    and another separator follows (one message alone is read as the e-mail it is)."""
    first = _SEPARATOR.match(data)
    return (
        first is not None
        and _HEADER.match(data, first.end()) is not None
        and _SEPARATOR.search(data, first.end()) is not None
    )


_HEADER = re.compile(rb"[!-9;-~]+[ \t]*:")


def _messages(data: bytes) -> Iterator[bytes]:
    found = list(_SEPARATOR.finditer(data))
    ends = [m.start() for m in found[1:]]
    for separator, end in zip(found, [*ends, len(data)], strict=True):
        # mboxrd: a body line that began "From " was written ">From ": one ">" comes off.
        yield re.sub(rb"(?m)^>(>*From )", rb"\1", data[separator.end() : end])


def _over_limits(count: int, unpacked: int) -> str:
    if count >= MEMBERS_AT_MOST:
        return f"not read: more than {MEMBERS_AT_MOST} files in one archive"
    if unpacked > MAX_UNPACKED:
        return f"not read: more than {file_size(MAX_UNPACKED)} unpacked in one archive"
    return ""


def _archive(
    kind: Format, listed: list[_Listed], members: list[Attachment], comment: str = ""
) -> Extracted:
    """The archive's table of contents as its text; its members to read."""
    lines = [item.line() for item in listed]
    return Extracted(
        format=kind,
        pages=("\n".join([comment, "", *lines] if comment else lines),),
        attachments=tuple(members),
        metadata={"Files inside": f"{len(listed):,}"},
        warnings=_not_read(listed),
    )


def _not_read(listed: list[_Listed]) -> tuple[str, ...]:
    """What was not read, a line a file (the table of contents has each one's reason);
    past a dozen, one line that counts them."""
    left = [item for item in listed if item.why]
    if len(left) <= 12:
        return tuple(f"{item.name}: {item.why}" for item in left)
    return (f"{len(left):,} files not read (the table of contents says why, each)",)
