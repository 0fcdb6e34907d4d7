"""Import files as sources: the original stored untouched, its text and metadata read.

Reading (the risky, slow part) happens in the sandbox's worker processes, two files at a
time; storing happens here, one transaction per file, so a file that fails leaves
nothing behind and the others go on. The same bytes are never stored twice: an import
of a file the case already holds is reported as a duplicate of the source that has it.

Bounded end to end: the main process opens files only through ``open_regular`` (a pipe
or a device swapped in never makes it wait) and holds a file whole only while it stores
it; each file has its limits in the workers, and the whole import a time limit, after
which the files not reached are reported as skipped. Every path named or found gets an
outcome, a folder that cannot be listed included.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from time import monotonic
from typing import cast
from uuid import UUID, uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.db import models as m
from casefile.db.engine import Sessions, fold
from casefile.db.filters import tagged
from casefile.domain.display import file_size
from casefile.domain.errors import InvalidInput
from casefile.domain.formats import UNKNOWN_MEDIA_TYPE, Format
from casefile.domain.import_options import ImportOptions as ImportOptions  # noqa: PLC0414 (re-export)
from casefile.domain.input_text import clean_text
from casefile.domain.records import DocumentFields, SourceFields
from casefile.domain.terms import SourceKind
from casefile.importing.extract.decode import DETECTED, GUESSED
from casefile.importing.extract.model import PasswordRequired
from casefile.importing.reading import (
    CHANGED,
    PARSERS,
    ReadingPages,
    ReadMember,
    ReadResult,
    ReadTask,
    cannot_read,
    open_regular,
    read_as_hashed,
    read_document,
)
from casefile.importing.sandbox import Limits, Sandbox, TaskFailed
from casefile.services.audit import AuditLog
from casefile.services.documents import DocumentService, add_pages, store_blob
from casefile.services.encodings import ENCODING_GUESSED, ENCODING_NOTE
from casefile.services.group_commit import GroupCommit
from casefile.services.near_duplicates import keep_fingerprint
from casefile.services.record_reading import fields_of
from casefile.services.record_service import NewRecord, RecordService

NEEDS_OCR = "needs OCR"
# Some of its text was read by OCR: what the engine saw, to check against the picture.
READ_BY_OCR = "read by OCR"
# Its text was read by the fallback reader, its first reader having refused the file as
# damaged (the notes say why): what it read may not be whole.
READ_BY_FALLBACK = "read by fallback reader"
# The first line of the notes of a source that came out of an archive or a mailbox.
IN_ARCHIVE = "Found in "
# Its original is stored but its text could not be read (the notes say why). Importing the
# same file again reads it again: if it reads then, the source gets its text.
COULD_NOT_READ = "could not read"
UNREAD_NOTE = "Could not read: "
log = logging.getLogger("casefile")
MB = 1024 * 1024


class Status(Enum):
    IMPORTED = "imported"
    # Stored as it is, its text not read (damaged, a format Casefile does not read, over
    # a limit): the evidence is kept, tagged COULD_NOT_READ, with the reason in its notes.
    KEPT = "kept unread"
    DUPLICATE = "duplicate"
    FAILED = "failed"  # nothing stored: it could not be opened, or it is empty
    SKIPPED = "skipped"  # not reached before the import's time limit


@dataclass(frozen=True)
class Outcome:
    path: Path
    status: Status
    # Why it failed or was skipped; for a file imported, what of it could not be read
    # (empty if nothing: its whole text was read).
    message: str = ""
    source_id: UUID | None = None
    title: str = ""
    needs_password: bool = False
    # For a file imported: 'near-duplicate of “…”, 92% similar' when its text nearly
    # matches a source's already in the case.
    near_duplicate: str = ""
    # For a file imported: it was kept unread before, and its text is now read.
    again: bool = False
    # For an archive or a mailbox: what its files became ("12 file(s) inside: …").
    inside: str = ""

    def line(self) -> str:
        """One line for a summary: what happened to this file, and why if it was not
        imported, or not whole."""
        name = clean_text(self.path.name)
        if self.status is Status.IMPORTED:
            notes = [self.inside] if self.inside else []
            notes += [f"warning: {self.message}"] if self.message else []
            notes += [self.near_duplicate] if self.near_duplicate else []
            said = f" ({'; '.join(notes)})" if notes else ""
            verb = "read again" if self.again else "imported"
            return f"{verb} {name}: {self.title}{said}"
        if self.status is Status.KEPT:
            return f"kept {name} unread, as {self.title!r}: {self.message}"
        if self.status is Status.DUPLICATE:
            still = f" (its text still unread: {self.message})" if self.message else ""
            return f"duplicate {name}: already in the case as {self.title!r}{still}"
        return f"{self.status.value} {name}: {self.message}"


@dataclass
class ImportReport:
    total: int
    outcomes: list[Outcome] = field(default_factory=list)
    cancelled: bool = False
    # Connections a reader tried to open (all refused): (file, what it tried). A saved
    # page's scripts never run, so this stays empty unless a parser misbehaves.
    network_attempts: list[tuple[Path, str]] = field(default_factory=list)
    # What the readers are at in files that take long (OCR through a scan), by file.
    reading: dict[Path, ReadingPages] = field(default_factory=dict)

    def reading_now(self) -> str:
        """The files being read that have said how far they are, one line each."""
        return "\n".join(f"{path.name}: {pages}" for path, pages in self.reading.items())

    def count(self, status: Status) -> int:
        return sum(o.status is status for o in self.outcomes)

    def summary(self) -> str:
        parts = [
            f"{self.count(s):,} {s.value}"
            for s in Status
            if s is not Status.SKIPPED and (s is not Status.KEPT or self.count(s))
        ]
        in_part = sum(o.status is Status.IMPORTED and bool(o.message) for o in self.outcomes)
        if in_part:
            parts[0] += f" ({in_part:,} with part of its text)"
        if skipped := self.count(Status.SKIPPED):
            parts.append(f"{skipped:,} skipped (out of time)")
        left = self.total - len(self.outcomes)
        if left:
            parts.append(f"{left:,} not done (cancelled)")
        return ", ".join(parts)


# What an e-mail, an archive, a chat, subtitles (of a video? an interview?) or a picture is a
# source of, only the user can tell.
_OTHER = (
    *(Format.EMAIL, Format.MSG, Format.ZIP, Format.TAR, Format.MBOX, Format.WARC),
    *(Format.TELEGRAM, Format.WHATSAPP, Format.SRT, Format.WEBVTT),
    *(Format.JPEG, Format.PNG, Format.TIFF, Format.WEBP, Format.GIF),
)
SOURCE_KIND = {
    Format.PDF: SourceKind.REPORT,
    **dict.fromkeys((Format.XLSX, Format.XLS, Format.ODS), SourceKind.DATASET),
    **dict.fromkeys(_OTHER, SourceKind.OTHER),
}
SKIPPED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


@dataclass(frozen=True)
class Listing:
    files: list[Path]
    unreadable: list[Outcome]  # folders that could not be listed, and why


def files_in(paths: Iterable[Path]) -> Listing:
    """The files to import: folders recursively, in name order, each file once. Hidden
    files and the ``name_files`` folder a browser saves beside ``name.html`` (its images
    and scripts, which are never used) are left out; so are case files themselves. A
    folder that cannot be listed is not left out in silence: it is ``unreadable``."""
    found: dict[Path, None] = {}
    unreadable: list[Outcome] = []

    def unlisted(exc: OSError) -> None:
        why = f"is a folder that cannot be read ({exc.strerror or exc})"
        unreadable.append(Outcome(Path(exc.filename), Status.FAILED, why))

    for path in paths:
        if path.is_dir() and not path.is_symlink():
            for folder, dirs, names in os.walk(path, onerror=unlisted):
                here = Path(folder)
                pages = {Path(n).stem for n in names if n.lower().endswith((".html", ".htm"))}
                dirs[:] = sorted(
                    d
                    for d in dirs
                    if not d.startswith(".") and not (d.endswith("_files") and d[:-6] in pages)
                )
                for name in sorted(names):
                    if not name.startswith(".") and name not in SKIPPED_NAMES:
                        found.setdefault(here / name)
        else:
            found.setdefault(path)
    unique: dict[Path, Path] = {}
    for path in found:
        if not CASE_FILE.search(path.name):
            # A file named twice is imported once (a link is refused as itself).
            same = path.absolute() if path.is_symlink() else Path(os.path.realpath(path))
            unique.setdefault(same, path)
    return Listing(list(unique.values()), unreadable)


# A case file and its SQLite companions: never documents (importing the open case into
# itself would read a file that changes as it is read).
CASE_FILE = re.compile(r"\.casefile(-wal|-shm|-journal)?$")


class _Deadline:
    """The whole import's time limit."""

    def __init__(self, seconds: float) -> None:
        self.at = monotonic() + seconds
        self.reached = False
        self.skipped = f"not reached within the import's time limit of {seconds:,.0f} s"

    def passed(self) -> bool:
        self.reached = self.reached or monotonic() >= self.at
        return self.reached


class Importer:
    def __init__(
        self, sessions: Sessions, records: RecordService, documents: DocumentService
    ) -> None:
        self.sessions = sessions
        self.records = records
        self.documents = documents

    def import_files(
        self,
        paths: Sequence[Path],
        options: ImportOptions = ImportOptions(),  # noqa: B008 (frozen)
        progress: Callable[[ImportReport], None] = lambda report: None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> ImportReport:
        """Import files and folders; ``progress`` hears after each file. A cancel keeps
        what was stored and stores nothing more; so does the end of the import's time
        limit, and the files it did not reach are reported as skipped."""
        limits = Limits(seconds=options.seconds, memory_mb=options.memory_mb)
        sandbox = Sandbox(read_document, limits, preload=[PARSERS])  # loads while we list
        found = files_in(paths)
        files = found.files
        report = ImportReport(total=len(files) + len(found.unreadable))
        with self.sessions.read() as s:
            stored = set(s.scalars(select(m.Document.sha256)))
        stored_as: dict[int, Outcome] = {}
        deadline = _Deadline(options.batch_limit(len(files)))

        def stopped() -> bool:
            return cancelled() or deadline.passed()

        def done(outcome: Outcome) -> None:
            report.outcomes.append(outcome)
            report.reading.pop(outcome.path, None)
            progress(report)

        def heard(task: ReadTask, note: object) -> None:
            if isinstance(note, ReadingPages):
                report.reading[task.path] = note
                progress(report)

        for outcome in found.unreadable:
            done(outcome)

        def tasks() -> Iterator[ReadTask]:
            for number, path in enumerate(files):
                if stopped():
                    return
                prepared = self._prepare(number, path, options, stored)
                if isinstance(prepared, Outcome):
                    done(prepared)
                else:
                    yield prepared

        def store(task: ReadTask, data: bytes, result: Read) -> Callable[[Session], None]:
            def work(s: Session) -> None:
                # The case held no such bytes when the import began; only a file of this
                # import can have brought them since.
                stored_as[task.number] = self._store(s, task, data, result)
                stored.add(task.sha256)

            return work

        with GroupCommit[int](
            self.sessions,
            committed=lambda number: done(stored_as.pop(number)),
            failed=lambda number, why: done(Outcome(files[number], Status.FAILED, why)),
        ) as group:
            for task, result in sandbox.map(tasks(), stopped, group.commit_if_due, heard):
                if isinstance(result, TaskFailed) and result.error == PasswordRequired.__name__:
                    # Not kept: the user is asked for the password and imports it again.
                    done(Outcome(task.path, Status.FAILED, result.message, needs_password=True))
                    continue
                # Read again rather than held since it was hashed: workers queue several
                # files each, and holding all their bytes could take gigabytes.
                try:
                    data = read_as_hashed(task)
                except InvalidInput as exc:
                    done(Outcome(task.path, Status.FAILED, str(exc)))
                else:
                    read = Unread(result.message) if isinstance(result, TaskFailed) else result
                    group.run(task.number, store(task, data, read))
        if deadline.reached and not cancelled():
            reached = {o.path for o in report.outcomes}
            for path in (p for p in files if p not in reached):
                done(Outcome(path, Status.SKIPPED, deadline.skipped))
        report.cancelled = len(report.outcomes) < report.total
        report.network_attempts = [(task.path, what) for task, what in sandbox.network_attempts]
        if report.network_attempts:  # the report names the files; the log names none
            log.warning(
                "%d document(s) tried to open a connection (refused)", len(report.network_attempts)
            )
        return report

    def _prepare(
        self, number: int, path: Path, options: ImportOptions, stored: set[str]
    ) -> ReadTask | Outcome:
        try:
            sha, size = _hashed(path, int(options.max_mb * MB))
        except InvalidInput as exc:
            return Outcome(path, Status.FAILED, str(exc))
        if size == 0:
            return Outcome(path, Status.FAILED, EMPTY)
        if sha in stored:  # known before the import began: not even read, unless unread
            with self.sessions.read() as s:
                holder = _holder(s, sha)
            if holder is not None and not holder.unread:
                return Outcome(path, Status.DUPLICATE, source_id=holder.source, title=holder.title)
        max_text = int(options.max_text_mb * MB)
        return ReadTask(
            number,
            path,
            sha,
            size,
            options.password,
            options.max_pages,
            max_text,
            options.ocr,
            seconds=options.seconds,
        )

    def _store(self, s: Session, task: ReadTask, data: bytes, read: Read) -> Outcome:
        """The file in the case, in one savepoint: a new source, or the text of one kept
        unread before. Its bytes are looked up every time: an archive stored earlier in
        this import may have brought them as one of its files."""
        holder = _holder(s, task.sha256)
        if holder is None:
            if isinstance(read, Unread):
                return self._keep(s, task, data, read.why)
            return self._add(s, task, data, read)
        if holder.unread and not isinstance(read, Unread):
            return self._read_again(s, task, holder, read)
        still = read.why if isinstance(read, Unread) and holder.unread else ""
        return Outcome(task.path, Status.DUPLICATE, still, holder.source, holder.title)

    def _add(self, s: Session, task: ReadTask, data: bytes, result: ReadResult) -> Outcome:
        """A new source, its document with its pages, its attachments; for an archive or a
        mailbox, a source for each file in it too."""
        audit = AuditLog(s)
        new = self._new_source(s, audit, clean_text(task.path.name), data, result)
        inside = self._members(s, audit, clean_text(task.path.name), result.members, _Inside())
        return Outcome(
            task.path,
            Status.IMPORTED,
            new.warning,
            new.source_id,
            new.title,
            near_duplicate=new.near,
            inside=inside.said() if result.members else "",
        )

    def _new_source(
        self,
        s: Session,
        audit: AuditLog,
        name: str,
        data: bytes,
        result: ReadResult,
        *,
        origin: str = "",
    ) -> _New:
        """A source for the file ``name`` as read: its documents (the file, its
        attachments) with their pages; ``origin``, where it was found, heads its notes."""
        found = result.extracted
        said = _described(name, result)
        source_id = uuid4()
        notes = "\n".join([origin, *said.notes] if origin else said.notes)
        new = [NewRecord(said.fields, tags=said.tags, notes=notes, record_id=source_id)]
        files = [_File(name, data, found.media_type, found.pages), *said.attachments]
        new += [NewRecord(_document(s, source_id, file)) for file in files]
        records = self.records.insert(s, audit, new)
        for record, file in zip(records[1:], files, strict=True):
            add_pages(s, record.id, file.pages)
        near = _near(s, audit, source_id, result)
        return _New(source_id, said.fields.title, said.warning, near)

    def _kept_source(
        self, s: Session, audit: AuditLog, name: str, data: bytes, why: str, *, origin: str = ""
    ) -> _New:
        """The original as it is, under a source tagged COULD_NOT_READ that says why."""
        source_id = uuid4()
        fields = _kept_fields(name)
        notes = "\n".join([origin, UNREAD_NOTE + why] if origin else [UNREAD_NOTE + why])
        new = [
            NewRecord(fields, tags=(COULD_NOT_READ,), notes=notes, record_id=source_id),
            NewRecord(_document(s, source_id, _File(name, data, UNKNOWN_MEDIA_TYPE, ()))),
        ]
        self.records.insert(s, audit, new)
        return _New(source_id, fields.title, why, "")

    def _keep(self, s: Session, task: ReadTask, data: bytes, why: str) -> Outcome:
        kept = self._kept_source(s, AuditLog(s), clean_text(task.path.name), data, why)
        return Outcome(task.path, Status.KEPT, why, kept.source_id, kept.title)

    def _members(
        self,
        s: Session,
        audit: AuditLog,
        within: str,
        members: Sequence[ReadMember],
        inside: _Inside,
    ) -> _Inside:
        """Each file of an archive (``within``: its name, and the archives it is in) as a
        source of its own, whose notes say where it was found; unread ones kept unread;
        ones already in the case counted, not stored again."""
        for member in members:
            name, data = clean_text(member.attachment.file_name), member.attachment.data
            if not data:
                inside.empty += 1
                continue
            if _holder(s, hashlib.sha256(data).hexdigest()) is not None:
                inside.duplicate += 1
                continue
            origin = f"{IN_ARCHIVE}{within}: {name}"
            if member.result is None:
                self._kept_source(s, audit, name, data, member.problem, origin=origin)
                inside.kept += 1
                continue
            self._new_source(s, audit, name, data, member.result, origin=origin)
            inside.imported += 1
            self._members(s, audit, f"{within}/{name}", member.result.members, inside)
        return inside

    def _read_again(
        self, s: Session, task: ReadTask, holder: Holder, result: ReadResult
    ) -> Outcome:
        """The text of a file kept unread before, now read: its document gets its pages,
        its source the fields the user has not changed since, the notes and tags."""
        assert holder.source is not None
        assert holder.document is not None
        found = result.extracted
        said = _described(clean_text(task.path.name), result)
        audit = AuditLog(s)
        document = self.records.load(s, holder.document)
        source = self.records.load(s, holder.source)
        as_kept = _kept_fields(cast(m.Document, document).file_name)
        now = fields_of(source)
        changes = {
            name: getattr(said.fields, name)
            for name in (f.name for f in dataclasses.fields(SourceFields))
            if getattr(now, name) == getattr(as_kept, name)
        }
        notes = [line for line in source.notes.splitlines() if not line.startswith(UNREAD_NOTE)]
        tags = [t.tag.name for t in source.tag_rows if fold(t.tag.name) != fold(COULD_NOT_READ)]
        self.records.change(
            s,
            audit,
            source,
            changes,
            tags=[*tags, *(t for t in said.tags if t not in tags)],
            notes="\n".join([*notes, *said.notes]),
        )
        self.records.change(s, audit, document, {"media_type": found.media_type})
        add_pages(s, holder.document, found.pages)
        files = said.attachments
        added = self.records.insert(
            s, audit, [NewRecord(_document(s, holder.source, file)) for file in files]
        )
        for record, file in zip(added, files, strict=True):
            add_pages(s, record.id, file.pages)
        near = _near(s, audit, holder.source, result)
        inside = self._members(s, audit, clean_text(task.path.name), result.members, _Inside())
        title = cast(m.Source, source).title
        return Outcome(
            task.path,
            Status.IMPORTED,
            said.warning,
            holder.source,
            title,
            near_duplicate=near,
            again=True,
            inside=inside.said() if result.members else "",
        )


@dataclass(frozen=True)
class Unread:
    """A file the sandbox could not read, and why: it is kept as it is."""

    why: str


Read = ReadResult | Unread
EMPTY = "is empty: there is nothing to keep"


@dataclass(frozen=True)
class _New:
    """A source just stored: its ID and title, what of its text was not read, and the
    source it nearly duplicates ("" if none)."""

    source_id: UUID
    title: str
    warning: str
    near: str


@dataclass
class _Inside:
    """What an archive's files became."""

    imported: int = 0
    kept: int = 0
    duplicate: int = 0
    empty: int = 0

    def said(self) -> str:
        counts = [
            (self.imported, "imported"),
            (self.kept, "kept unread"),
            (self.duplicate, "already in the case"),
            (self.empty, "empty"),
        ]
        total = sum(n for n, _ in counts)
        parts = ", ".join(f"{n:,} {what}" for n, what in counts if n)
        return f"{total:,} file(s) inside: {parts}" if total else "no files inside"


@dataclass(frozen=True)
class _File:
    """One document to store: its name, bytes, media type and pages of text."""

    name: str
    data: bytes
    media_type: str
    pages: tuple[str, ...]


@dataclass(frozen=True)
class _Described:
    """What a read file says about its source: fields, notes, tags, what was not read."""

    fields: SourceFields
    notes: list[str]
    tags: tuple[str, ...]
    warning: str  # what of its text could not be read, for the import's line; or empty
    attachments: list[_File]


def _described(name: str, result: ReadResult) -> _Described:
    """What a file (named ``name``) says its source is, as read."""
    found = result.extracted
    fields = SourceFields(
        title=found.title.strip() or Path(name).stem or name,
        source_kind=SOURCE_KIND.get(found.format, SourceKind.ARTICLE),
        authors=found.authors,
        publisher=found.publisher,
        published=found.published,
        url=found.url,
        accessed=found.accessed,
        language=found.language,
    )
    notes = [f"{k}: {v}" for k, v in found.metadata.items() if v.strip()]
    notes += [
        f"Attachment {a.attachment.file_name}: {a.problem}" for a in result.attachments if a.problem
    ]
    warnings = [*found.warnings] + [
        f"attachment {a.attachment.file_name}: {warning}"
        for a in result.attachments
        if a.extracted
        for warning in a.extracted.warnings
    ]
    notes += [f"Warning: {warning}" for warning in warnings]
    decoded = [("", found.decoded)] + [
        (f" of {a.attachment.file_name}", a.extracted.decoded)
        for a in result.attachments
        if a.extracted
    ]
    notes += [  # how its text was read when nothing said: a reader may check
        f"{ENCODING_NOTE}{of}: {d.said()}"
        for of, d in decoded
        if d is not None and d.found_by in (DETECTED, GUESSED)
    ]
    read = [found, *(a.extracted for a in result.attachments if a.extracted)]
    tags: tuple[str, ...] = (NEEDS_OCR,) if found.needs_ocr else ()
    if any(r.by_ocr for r in read):
        tags += (READ_BY_OCR,)
    if any(r.by_fallback for r in read):
        tags += (READ_BY_FALLBACK,)
    if any(d is not None and d.guessed for _, d in decoded):
        tags += (ENCODING_GUESSED,)
    attachments = [
        _File(
            a.attachment.file_name,
            a.attachment.data,
            a.extracted.media_type if a.extracted else UNKNOWN_MEDIA_TYPE,
            a.extracted.pages if a.extracted else (),
        )
        for a in result.attachments
    ]
    return _Described(fields, notes, tags, "; ".join(warnings), attachments)


def _kept_fields(file_name: str) -> SourceFields:
    """The source of a file kept unread: named after the file; nothing else is known."""
    return SourceFields(title=Path(file_name).stem or file_name, source_kind=SourceKind.OTHER)


def _document(s: Session, source_id: UUID, file: _File) -> DocumentFields:
    return DocumentFields(
        source=source_id,
        file_name=file.name,
        media_type=file.media_type,
        sha256=store_blob(s, file.data),
        size=len(file.data),
    )


def _near(s: Session, audit: AuditLog, source_id: UUID, result: ReadResult) -> str:
    """'near-duplicate of “…”' when the source's text nearly matches another's."""
    if result.fingerprint is None:
        return ""
    matches = keep_fingerprint(s, audit, source_id, result.fingerprint)
    if not matches:
        return ""
    also = f" (and {len(matches) - 1:,} more)" if len(matches) > 1 else ""
    return matches[0].match() + also


def _hashed(path: Path, limit: int) -> tuple[str, int]:
    """The SHA-256 and size of the file at ``path``, read a piece at a time: the main
    process holds no file whole before it stores it. One bigger than ``limit`` bytes is
    refused by its size, unread; one whose size changes as it is read is ``CHANGED``."""
    sha = hashlib.sha256()
    read = 0
    try:
        with open_regular(path) as file:
            size = os.fstat(file.fileno()).st_size
            if size > limit:
                raise InvalidInput(
                    f"is {file_size(size)}, more than the limit of {file_size(limit)}"
                )
            while read <= size and (piece := file.read(MB)):
                sha.update(piece)
                read += len(piece)
    except OSError as exc:
        raise cannot_read(exc) from None
    if read != size:
        raise InvalidInput(CHANGED)
    return sha.hexdigest(), read


@dataclass(frozen=True)
class Holder:
    """What already holds a document with some bytes: its source (None for a document
    kept without one) and that source's title (else the file name), and whether its text
    is unread (the source is tagged COULD_NOT_READ): importing the bytes again reads it."""

    source: UUID | None
    title: str
    document: UUID | None = None
    unread: bool = False


def _holder(s: Session, sha: str) -> Holder | None:
    found = s.execute(
        select(m.Document.id, m.Document.source, m.Document.file_name)
        .where(m.Document.sha256 == sha)
        .limit(1)
    ).first()
    if found is None:
        return None
    document, source, file_name = found
    if source is None:
        return Holder(None, file_name)
    title = s.scalar(select(m.Source.title).where(m.Source.id == source))
    unread = s.scalar(
        select(m.Record.id).where(m.Record.id == source, tagged(m.Record.id, COULD_NOT_READ))
    )
    return Holder(source, title or file_name, document, bool(unread))
