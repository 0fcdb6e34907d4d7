"""What a sandbox worker does with one file: read it and its attachments.

A module of its own, light to import (no database, no parser): the fork server imports
it, and ``PARSERS``, once for all workers, and the importer names ``read_document`` for
them without loading a parser itself.

The importer's main process and its workers open files only through ``open_regular``:
whatever a path names by the time it is opened (a pipe, a device, a link swapped in since
it was listed), nothing waits on it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from casefile.domain.errors import InvalidInput
from casefile.domain.input_text import clean_text
from casefile.importing.extract.metadata import one_line, titled
from casefile.importing.extract.model import Attachment, Extracted
from casefile.importing.fingerprint import fingerprint
from casefile.importing.sandbox import say

PARSERS = "casefile.importing.extract.dispatch"
# Attachments are read inside forwarded messages this deep, and this many in one file;
# beyond, they are stored unread, with the reason (a mail bomb stays bounded).
NESTED_AT_MOST, ATTACHMENTS_AT_MOST = 5, 500
CHANGED = "changed while it was being imported; import it again"
NOT_REGULAR = "is not a regular file"
LINK = "is a symbolic link (import what it points to)"
# Non-blocking: opening a FIFO for reading waits for a writer (forever if none comes), and
# a device's open may wait too. No link followed, no terminal taken as ours.
_OPEN = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class NotAFile(InvalidInput):
    """The path names a pipe, a device, a folder or a link, not a regular file."""


@dataclass(frozen=True)
class ReadTask:
    """One file for a worker: it reads the bytes itself (they do not cross a pipe) and
    checks they are still the ones hashed here, which are the ones stored."""

    number: int  # its place in the import: what in-flight state is keyed by
    path: Path
    sha256: str
    size: int
    password: str | None
    max_pages: int
    max_text: int  # characters of text (bytes of a text file)
    ocr: tuple[str, ...] = ()  # the languages to read scans and pictures in; () no OCR
    encoding: str | None = None  # the one the user chose to read the file in (not its parts)
    seconds: float = 0.0  # the time the sandbox gives the file (0: unbounded): OCR stops short


@dataclass(frozen=True)
class ReadingPages:
    """Word from a worker while OCR works through a file: the page it has begun, of how
    many (to read by OCR; a scan of a hundred pages takes minutes)."""

    page: int
    pages: int

    def __str__(self) -> str:
        return f"reading page {self.page:,} of {self.pages:,} by OCR"


@dataclass(frozen=True)
class ReadAttachment:
    attachment: Attachment
    extracted: Extracted | None  # None: stored as it is, its text unread
    problem: str = ""


@dataclass(frozen=True)
class ReadResult:
    extracted: Extracted
    attachments: tuple[ReadAttachment, ...]
    fingerprint: bytes | None = None  # of the text of all its files (``fingerprint``)
    # An archive's or a mailbox's files, each read as a file of its own (its own source).
    members: tuple[ReadMember, ...] = ()


@dataclass(frozen=True)
class ReadMember:
    """A file in an archive (its path there, its bytes), and what reading it gave; None,
    with the reason, when it could not be read: it is kept unread."""

    attachment: Attachment
    result: ReadResult | None
    problem: str = ""


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened to read, if it is a regular file (else ``NotAFile``; ``InvalidInput``
    if it cannot be opened). Its type is checked on what was opened, not on the name
    beforehand: a pipe swapped in between would be opened all the same, and wait."""
    try:
        fd = os.open(path, _OPEN)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW's answer for a link
            raise NotAFile(LINK) from None
        raise cannot_read(exc) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotAFile(NOT_REGULAR)
        _blocking(fd)  # so that no file system's read comes back short with EAGAIN
        return os.fdopen(fd, "rb")
    except OSError as exc:
        os.close(fd)
        raise cannot_read(exc) from None
    except BaseException:
        os.close(fd)
        raise


def read_as_hashed(task: ReadTask) -> bytes:
    """The file's bytes if they are still the ones hashed for ``task``; else ``CHANGED``
    (a file now bigger is not read whole: its size tells first)."""
    try:
        with open_regular(task.path) as file:
            if os.fstat(file.fileno()).st_size != task.size:
                raise InvalidInput(CHANGED)
            data = file.read(task.size + 1)
    except NotAFile:  # it was a regular file when it was hashed
        raise InvalidInput(CHANGED) from None
    except OSError as exc:
        raise cannot_read(exc) from None
    if hashlib.sha256(data).hexdigest() != task.sha256:
        raise InvalidInput(CHANGED)
    return data


def cannot_read(exc: OSError) -> InvalidInput:
    return InvalidInput(f"cannot be read ({exc.strerror or exc})")


def _blocking(fd: int) -> None:
    if not getattr(os, "O_NONBLOCK", 0):
        return
    import fcntl

    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)


def _cleaned(found: Extracted) -> Extracted:
    pages = tuple(clean_text(p) for p in found.pages)
    # An archive's text is its table of contents, a subtitle file's its cues: no line of
    # either is its title (its file name is, unless it states one).
    untitled = found.format.holds_files or found.format.timed
    title, kept = titled(clean_text(found.title), () if untitled else pages)
    metadata = {clean_text(k): clean_text(v) for k, v in found.metadata.items()}
    return replace(
        found,
        title=title,
        authors=tuple(one_line(clean_text(a)) for a in found.authors),
        publisher=one_line(clean_text(found.publisher)),
        url=one_line(clean_text(found.url)),
        language=one_line(clean_text(found.language)),
        pages=pages,
        metadata={**metadata, "Title in the file": kept} if kept else metadata,
        attachments=tuple(replace(a, file_name=clean_text(a.file_name)) for a in found.attachments),
    )


def read_document(task: ReadTask) -> ReadResult:
    """The document and its attachments, read (in a sandbox worker); an archive's files
    each as a document of its own."""
    from casefile.importing.extract import ocr

    # OCR, the slow part, stops in time for what was read to be stored (four fifths of the
    # file's time limit): the pages it did not reach are left needing OCR, and said.
    ocr.stop_at(time.monotonic() + 0.8 * task.seconds if task.seconds else None)
    ocr.tell_pages(lambda page, pages: say(ReadingPages(page, pages)))
    data = read_as_hashed(task)
    found = _extracted(data, task.path.name, task, task.password, task.encoding)
    del data  # a text file's bytes, beside its text, are what a worker's memory holds most
    return _read(found, task, depth=1)


def _extracted(
    data: bytes, name: str, task: ReadTask, password: str | None = None, encoding: str | None = None
) -> Extracted:
    """One file's text and metadata, cleaned and checked against the task's limits."""
    from casefile.importing.extract.dispatch import extract

    found = extract(
        data, name, password=password, max_text=task.max_text, ocr=task.ocr, encoding=encoding
    )
    return _checked(_cleaned(found), task)


def _read(extracted: Extracted, task: ReadTask, depth: int) -> ReadResult:
    """What was extracted, with its attachments read; or, for an archive, its files, each
    read the same way (archives within, up to ``NESTED_AT_MOST`` deep)."""
    if extracted.format.holds_files:
        members: list[ReadMember] = []
        for member in extracted.attachments:
            if depth >= NESTED_AT_MOST:
                why = f"not read: more than {NESTED_AT_MOST} archives deep"
                members.append(ReadMember(member, None, why))
                continue
            try:
                inner = _extracted(member.data, member.file_name, task)
                inner = replace(
                    inner, url=inner.url or member.url, accessed=inner.accessed or member.accessed
                )
                members.append(ReadMember(member, _read(inner, task, depth + 1)))
            except InvalidInput as exc:
                members.append(ReadMember(member, None, str(exc)))
            except (MemoryError, RecursionError) as exc:  # that file alone: the others go on
                members.append(ReadMember(member, None, _limit(exc)))
        listing = replace(extracted, attachments=())
        return ReadResult(listing, (), fingerprint=None, members=tuple(members))
    attachments: list[ReadAttachment] = []
    # Attachments of attachments too (a forwarded message's files), breadth first.
    pending = deque((a, 1) for a in extracted.attachments)
    while pending:
        attachment, level = pending.popleft()
        if level > NESTED_AT_MOST or len(attachments) >= ATTACHMENTS_AT_MOST:
            why = (
                f"more than {NESTED_AT_MOST} messages deep"
                if level > NESTED_AT_MOST
                else (f"more than {ATTACHMENTS_AT_MOST} attachments in one file")
            )
            attachments.append(ReadAttachment(attachment, None, f"not read: {why}"))
            continue
        try:
            inner = _extracted(attachment.data, attachment.file_name, task)
            attachments.append(ReadAttachment(attachment, inner))
            pending.extend((a, level + 1) for a in inner.attachments)
        except InvalidInput as exc:
            attachments.append(ReadAttachment(attachment, None, str(exc)))
        except (MemoryError, RecursionError) as exc:
            attachments.append(ReadAttachment(attachment, None, _limit(exc)))
    texts = [*extracted.pages, *(p for a in attachments if a.extracted for p in a.extracted.pages)]
    return ReadResult(extracted, tuple(attachments), fingerprint(texts))


def _limit(exc: BaseException) -> str:
    """Which of the reader's limits a file inside another met."""
    if isinstance(exc, MemoryError):
        return "not read: it needs more memory than a reader has"
    return "not read: it is nested too deeply to read"


def _checked(extracted: Extracted, task: ReadTask) -> Extracted:
    if len(extracted.pages) > task.max_pages:
        raise InvalidInput(
            f"has {len(extracted.pages):,} pages, more than the limit of {task.max_pages:,}"
        )
    return extracted
