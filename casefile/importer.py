"""Import files as sources: the original stored untouched, its text and metadata read.

Reading (the risky, slow part) happens in the sandbox's worker processes, two files at a
time; storing happens here, one transaction per file, so a file that fails leaves
nothing behind and the others go on. The same bytes are never stored twice: an import
of a file the case already holds is reported as a duplicate of the source that has it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from uuid import UUID, uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.audit import AuditLog
from casefile.db import models as m
from casefile.db.engine import Sessions
from casefile.documents import DocumentService, add_pages, store_blob
from casefile.extract.fields import clean_text
from casefile.extract.model import Format, PasswordRequired
from casefile.group_commit import GroupCommit
from casefile.reading import CHANGED, PARSERS, ReadResult, ReadTask, read_document
from casefile.record_service import NewRecord, RecordService
from casefile.records import DocumentFields, SourceFields
from casefile.sandbox import Limits, Sandbox, TaskFailed
from casefile.vocab import SourceKind

NEEDS_OCR = "needs OCR"
log = logging.getLogger("casefile")


@dataclass(frozen=True)
class ImportOptions:
    """Limits per file (settings and CLI options) and the password for encrypted PDFs."""

    password: str | None = None
    max_mb: float = 200.0
    max_pages: int = 5000
    seconds: float = 120.0
    memory_mb: int = 2048


class Status(Enum):
    IMPORTED = "imported"
    DUPLICATE = "duplicate"
    FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    path: Path
    status: Status
    message: str = ""
    source_id: UUID | None = None
    title: str = ""
    needs_password: bool = False

    def line(self) -> str:
        """One line for a summary: what happened to this file, and why if it failed."""
        name = clean_text(self.path.name)
        if self.status is Status.IMPORTED:
            return f"imported {name}: {self.title}"
        if self.status is Status.DUPLICATE:
            return f"duplicate {name}: already in the case as {self.title!r}"
        return f"failed {name}: {self.message}"


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
        parts = [f"{self.count(s):,} {s.value}" for s in Status]
        left = self.total - len(self.outcomes)
        if left:
            parts.append(f"{left:,} not done (cancelled)")
        return ", ".join(parts)


SOURCE_KIND = {Format.EMAIL: SourceKind.OTHER, Format.PDF: SourceKind.REPORT}
SKIPPED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


def files_in(paths: Iterable[Path]) -> list[Path]:
    """The files to import: folders recursively, in name order, each file once. Hidden
    files and the ``name_files`` folder a browser saves beside ``name.html`` (its images
    and scripts, which are never used) are left out; so are case files themselves."""
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            for folder, dirs, names in os.walk(path):
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
    return list(unique.values())


# A case file and its SQLite companions: never documents (importing the open case into
# itself would read a file that changes as it is read).
CASE_FILE = re.compile(r"\.casefile(-wal|-shm|-journal)?$")


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
        options: ImportOptions = ImportOptions(),
        progress: Callable[[ImportReport], None] = lambda report: None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> ImportReport:
        """Import files and folders; ``progress`` hears after each file. A cancel keeps
        what was stored and stores nothing more."""
        limits = Limits(seconds=options.seconds, memory_mb=options.memory_mb)
        sandbox = Sandbox(read_document, limits, preload=[PARSERS])  # loads while we list
        files = files_in(paths)
        report = ImportReport(total=len(files))
        with self.sessions.read() as s:
            stored = set(s.scalars(select(m.Document.sha256)))
        stored_as: dict[int, Outcome] = {}

        def done(outcome: Outcome) -> None:
            report.outcomes.append(outcome)
            progress(report)

        def tasks() -> Iterator[ReadTask]:
            for number, path in enumerate(files):
                if cancelled():
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
            for task, result in sandbox.map(tasks(), cancelled, group.commit_if_due):
                if isinstance(result, TaskFailed):
                    locked = result.error == PasswordRequired.__name__
                    done(Outcome(task.path, Status.FAILED, result.message, needs_password=locked))
                elif (data := _as_hashed(task)) is None:
                    done(Outcome(task.path, Status.FAILED, CHANGED))
                else:
                    group.run(task.number, store(task, data, result))
        report.cancelled = len(report.outcomes) < report.total
        report.network_attempts = [(task.path, what) for task, what in sandbox.network_attempts]
        for path, what in report.network_attempts:
            log.warning("reading %s tried to open a connection (refused): %s", path, what)
        return report

    def _prepare(
        self, number: int, path: Path, options: ImportOptions, stored: set[str]
    ) -> ReadTask | Outcome:
        limit = int(options.max_mb * 1024 * 1024)
        try:
            if path.is_symlink():
                return Outcome(path, Status.FAILED, "is a symbolic link (import what it points to)")
            if not stat.S_ISREG(path.stat().st_mode):  # a pipe or a device never ends
                return Outcome(path, Status.FAILED, "is not a regular file")
            with path.open("rb") as file:
                data = file.read(limit + 1)  # a file that grew since it was listed stops here
        except OSError as exc:
            return Outcome(path, Status.FAILED, f"cannot be read ({exc.strerror or exc})")
        if len(data) > limit:
            size = max(path.stat().st_size, len(data))
            return Outcome(
                path,
                Status.FAILED,
                f"is {_megabytes(size)}, more than the limit of {_megabytes(limit)}",
            )
        sha = hashlib.sha256(data).hexdigest()
        if sha in stored:  # known before the import began: not even read
            with self.sessions.read() as s:
                holder = _holder(s, sha)
            if holder is not None:
                return Outcome(path, Status.DUPLICATE, source_id=holder[0], title=holder[1])
        return ReadTask(number, path, sha, options.password, options.max_pages)

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
        tags = (NEEDS_OCR,) if found.needs_ocr else ()
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
        records = self.records.insert(s, AuditLog(s), new)
        for record, (*_, pages) in zip(records[1:], files, strict=True):
            add_pages(s, record.id, pages)
        return Outcome(task.path, Status.IMPORTED, source_id=source_id, title=fields.title)


def _as_hashed(task: ReadTask) -> bytes | None:
    """The file's bytes, read again to be stored, if they are still the ones hashed and
    read (None if not). Read again rather than held since they were hashed: workers queue
    several files each, and holding all their bytes could take gigabytes."""
    try:
        data = task.path.read_bytes()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == task.sha256 else None


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f} MB"


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
