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

import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from time import monotonic
from uuid import UUID, uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.db import models as m
from casefile.db.engine import Sessions
from casefile.domain.display import file_size
from casefile.domain.errors import InvalidInput
from casefile.domain.formats import Format
from casefile.domain.import_options import ImportOptions as ImportOptions  # noqa: PLC0414 (re-export)
from casefile.domain.input_text import clean_text
from casefile.domain.records import DocumentFields, SourceFields
from casefile.domain.terms import SourceKind
from casefile.importing.extract.decode import DETECTED, GUESSED
from casefile.importing.extract.model import PasswordRequired
from casefile.importing.reading import (
    CHANGED,
    PARSERS,
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
from casefile.services.group_commit import GroupCommit
from casefile.services.near_duplicates import keep_fingerprint
from casefile.services.record_service import NewRecord, RecordService

NEEDS_OCR = "needs OCR"
# Its text was decoded by a guess: it may be garbled (the notes say which encoding).
ENCODING_GUESSED = "encoding guessed"
log = logging.getLogger("casefile")
MB = 1024 * 1024


class Status(Enum):
    IMPORTED = "imported"
    DUPLICATE = "duplicate"
    FAILED = "failed"
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

    def line(self) -> str:
        """One line for a summary: what happened to this file, and why if it was not
        imported, or not whole."""
        name = clean_text(self.path.name)
        if self.status is Status.IMPORTED:
            notes = [f"warning: {self.message}"] if self.message else []
            notes += [self.near_duplicate] if self.near_duplicate else []
            said = f" ({'; '.join(notes)})" if notes else ""
            return f"imported {name}: {self.title}{said}"
        if self.status is Status.DUPLICATE:
            return f"duplicate {name}: already in the case as {self.title!r}"
        return f"{self.status.value} {name}: {self.message}"


@dataclass
class ImportReport:
    total: int
    outcomes: list[Outcome] = field(default_factory=list)
    cancelled: bool = False
    # Connections a reader tried to open (all refused): (file, what it tried). A saved
    # page's scripts never run, so this stays empty unless a parser misbehaves.
    network_attempts: list[tuple[Path, str]] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(o.status is status for o in self.outcomes)

    def summary(self) -> str:
        parts = [f"{self.count(s):,} {s.value}" for s in Status if s is not Status.SKIPPED]
        in_part = sum(o.status is Status.IMPORTED and bool(o.message) for o in self.outcomes)
        if in_part:
            parts[0] += f" ({in_part:,} with part of its text)"
        if skipped := self.count(Status.SKIPPED):
            parts.append(f"{skipped:,} skipped (out of time)")
        left = self.total - len(self.outcomes)
        if left:
            parts.append(f"{left:,} not done (cancelled)")
        return ", ".join(parts)


SOURCE_KIND = {Format.EMAIL: SourceKind.OTHER, Format.PDF: SourceKind.REPORT}
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

        def store(task: ReadTask, data: bytes, result: ReadResult) -> Callable[[Session], None]:
            def work(s: Session) -> None:
                # The case held no such bytes when the import began; only a file of this
                # import can have brought them since.
                seen = task.sha256 in stored
                stored_as[task.number] = self._store(s, task, data, result, seen)
                stored.add(task.sha256)

            return work

        with GroupCommit[int](
            self.sessions,
            committed=lambda number: done(stored_as.pop(number)),
            failed=lambda number, why: done(Outcome(files[number], Status.FAILED, why)),
        ) as group:
            for task, result in sandbox.map(tasks(), stopped, group.commit_if_due):
                if isinstance(result, TaskFailed):
                    locked = result.error == PasswordRequired.__name__
                    done(Outcome(task.path, Status.FAILED, result.message, needs_password=locked))
                    continue
                # Read again rather than held since it was hashed: workers queue several
                # files each, and holding all their bytes could take gigabytes.
                try:
                    data = read_as_hashed(task)
                except InvalidInput as exc:
                    done(Outcome(task.path, Status.FAILED, str(exc)))
                else:
                    group.run(task.number, store(task, data, result))
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
        if sha in stored:  # known before the import began: not even read
            with self.sessions.read() as s:
                holder = _holder(s, sha)
            if holder is not None:
                return Outcome(path, Status.DUPLICATE, source_id=holder[0], title=holder[1])
        max_text = int(options.max_text_mb * MB)
        return ReadTask(number, path, sha, size, options.password, options.max_pages, max_text)

    def _store(
        self, s: Session, task: ReadTask, data: bytes, result: ReadResult, seen: bool
    ) -> Outcome:
        """The source, the document with its pages, its attachments: one savepoint.
        ``seen``: the same bytes came earlier in this import (look up their source)."""
        existing = _holder(s, task.sha256) if seen else None
        if existing is not None:
            return Outcome(task.path, Status.DUPLICATE, source_id=existing[0], title=existing[1])
        found = result.extracted
        source_id = uuid4()
        fields = SourceFields(
            title=found.title.strip() or clean_text(task.path.stem),
            source_kind=SOURCE_KIND.get(found.format, SourceKind.ARTICLE),
            authors=found.authors,
            publisher=found.publisher,
            published=found.published,
            url=found.url,
            language=found.language,
        )
        notes = [f"{k}: {v}" for k, v in found.metadata.items() if v.strip()]
        notes += [
            f"Attachment {a.attachment.file_name}: {a.problem}"
            for a in result.attachments
            if a.problem
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
            f"Text encoding{of}: {d.said()}"
            for of, d in decoded
            if d is not None and d.found_by in (DETECTED, GUESSED)
        ]
        tags: tuple[str, ...] = (NEEDS_OCR,) if found.needs_ocr else ()
        if any(d is not None and d.guessed for _, d in decoded):
            tags += (ENCODING_GUESSED,)
        files = [(clean_text(task.path.name), data, found.media_type, found.pages)] + [
            (
                a.attachment.file_name,
                a.attachment.data,
                a.extracted.media_type if a.extracted else "application/octet-stream",
                a.extracted.pages if a.extracted else (),
            )
            for a in result.attachments
        ]
        new = [NewRecord(fields, tags=tags, notes="\n".join(notes), record_id=source_id)]
        new += [
            NewRecord(
                DocumentFields(
                    source=source_id,
                    file_name=name,
                    media_type=media_type,
                    sha256=store_blob(s, data),
                    size=len(data),
                )
            )
            for name, data, media_type, _pages in files
        ]
        audit = AuditLog(s)
        records = self.records.insert(s, audit, new)
        for record, (*_, pages) in zip(records[1:], files, strict=True):
            add_pages(s, record.id, pages)
        near = ""
        if result.fingerprint is not None:  # a new source: nothing cites it to count again
            matches = keep_fingerprint(s, audit, source_id, result.fingerprint)
            if matches:
                also = f" (and {len(matches) - 1:,} more)" if len(matches) > 1 else ""
                near = matches[0].match() + also
        return Outcome(
            task.path,
            Status.IMPORTED,
            "; ".join(warnings),
            source_id=source_id,
            title=fields.title,
            near_duplicate=near,
        )


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


def _holder(s: Session, sha: str) -> tuple[UUID | None, str] | None:
    """The source (ID, title) that already holds a document with these bytes (a document
    kept without a source: its file name)."""
    found = s.execute(
        select(m.Document.source, m.Document.file_name).where(m.Document.sha256 == sha).limit(1)
    ).first()
    if found is None:
        return None
    source, file_name = found
    title = s.scalar(select(m.Source.title).where(m.Source.id == source)) if source else None
    return source, title or file_name
