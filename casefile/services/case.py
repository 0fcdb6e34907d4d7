"""Opening, creating and closing a case: the public entry point of the core API.

with create_case(path, title="Westminster 2017") as case:
    source = case.records.add(SourceFields(title="..."))
with open_case(path) as case:
    page = case.listing.page(ListQuery(Kind.QUOTE))
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar, cast
from uuid import UUID, uuid4

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError

from casefile.db import migrate
from casefile.db import models as m
from casefile.db.case_lock import CaseLock
from casefile.db.engine import DBAPIError as DriverError
from casefile.db.engine import (
    Sessions,
    assert_writable,
    create_database,
    is_plain_sqlite,
    key_pragma,
    make_engine,
    probe,
    probe_file,
    use_wal,
)
from casefile.db.failures import database_failure
from casefile.db.sqlite_tools import problems, remove_with_side_files, side_files
from casefile.domain.errors import CaseFileError, InvalidInput, NeedsPassphrase
from casefile.services.audit import AuditLog, History, created, diff
from casefile.services.backups import (
    backup_before_upgrade,
    backup_to,
    daily_backup,
    remove_leftovers,
    try_daily_backup,
)
from casefile.services.rekeying import finish_interrupted

if TYPE_CHECKING:
    from casefile.briefing.service import BriefingService
    from casefile.services.documents import DocumentService
    from casefile.services.encodings import Encodings
    from casefile.services.facts import FactService
    from casefile.services.importer import Importer
    from casefile.services.listing import Listing
    from casefile.services.mentions import MentionService
    from casefile.services.near_duplicates import NearDuplicates
    from casefile.services.record_service import RecordService
    from casefile.services.rescue import Rescued
    from casefile.services.saved_searches import SavedSearches
    from casefile.services.search import SearchService
    from casefile.services.search_index import SearchIndex
    from casefile.services.threads import Threads
from casefile.domain.terms import Kind
from casefile.services.vocabulary import (
    VocabularyService,
    ensure_builtin_terms,
    missing_builtin_terms,
)

# How long opening a case waits for a re-key in progress before saying so.
REKEY_WAIT_S = 10.0


@dataclass(frozen=True)
class CaseInfo:
    id: UUID
    title: str
    summary: str
    created_at: datetime
    path: Path
    encrypted: bool
    schema: str
    size_bytes: int
    counts: dict[Kind, int]


T = TypeVar("T")


class _Service(Generic[T]):
    """A service of the case built on first use, once, whichever thread asks first.

    A command that lists people should not load the importer, search ranking or the
    briefing pack: at start-up their imports cost more than the command (issue #15).
    ``functools.cached_property`` has no lock from Python 3.12, and two search services
    built by two threads would leave the second one's ranking threads running.
    """

    def __init__(self, build: Callable[[Case], T]) -> None:
        self._build = build
        self._name = build.__name__

    def __get__(self, case: Case, owner: type[Case]) -> T:
        with case._building:  # the instance attribute set below answers later reads
            if self._name not in case.__dict__:
                case.__dict__[self._name] = self._build(case)
        return cast(T, case.__dict__[self._name])


class Case:
    """An open case. Every service below runs one transaction per call."""

    def __init__(self, path: Path, key: str | None, engine: Engine, lock: CaseLock) -> None:
        self.path = path
        self._key = key
        self._lock = lock
        self._building = threading.RLock()  # a service may build the ones it needs
        self.sessions = Sessions(engine)
        self.history = History(self.sessions)
        self.vocabulary = VocabularyService(self.sessions)

    @_Service
    def records(self) -> RecordService:
        from casefile.services.record_service import RecordService

        return RecordService(self.sessions)

    @_Service
    def facts(self) -> FactService:
        from casefile.services.facts import FactService

        return FactService(self.sessions, self.records)

    @_Service
    def documents(self) -> DocumentService:
        from casefile.services.documents import DocumentService

        return DocumentService(self.sessions, self.records)

    @_Service
    def encodings(self) -> Encodings:
        from casefile.services.encodings import Encodings

        return Encodings(self.sessions, self.records)

    @_Service
    def mentions(self) -> MentionService:
        from casefile.services.mentions import MentionService

        return MentionService(self.sessions)

    @_Service
    def search(self) -> SearchService:
        from casefile.services.search import SearchService

        return SearchService(self.sessions)

    @_Service
    def saved_searches(self) -> SavedSearches:
        from casefile.services.saved_searches import SavedSearches

        return SavedSearches(self.sessions)

    @_Service
    def search_index(self) -> SearchIndex:
        from casefile.services.search_index import SearchIndex

        return SearchIndex(self.sessions)

    @_Service
    def importer(self) -> Importer:
        from casefile.services.importer import Importer

        return Importer(self.sessions, self.records, self.documents)

    @_Service
    def duplicates(self) -> NearDuplicates:
        from casefile.services.near_duplicates import NearDuplicates

        return NearDuplicates(self.sessions, self.records)

    @_Service
    def threads(self) -> Threads:
        from casefile.services.threads import Threads

        return Threads(self.sessions)

    @_Service
    def listing(self) -> Listing:
        from casefile.services.listing import Listing

        return Listing(self.sessions)

    @_Service
    def briefing(self) -> BriefingService:
        from casefile.briefing.service import BriefingService

        return BriefingService(self.sessions)

    @property
    def encrypted(self) -> bool:
        return self._key is not None

    def info(self) -> CaseInfo:
        with self.sessions.read() as s:
            row = s.scalars(select(m.CaseInfo)).one()
            counts = dict(s.execute(select(m.RecordCount.kind, m.RecordCount.n)).all())
            schema = (
                s.connection().exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            )
        return CaseInfo(
            id=row.id,
            title=row.title,
            summary=row.summary,
            created_at=row.created_at,
            path=self.path,
            encrypted=self.encrypted,
            schema=str(schema),
            size_bytes=self.path.stat().st_size,
            counts={kind: counts.get(kind, 0) for kind in Kind},
        )

    def describe(self, *, title: str | None = None, summary: str | None = None) -> CaseInfo:
        """Change the case's own title or summary (audited like any record)."""
        with self.sessions.write() as s:
            row = s.scalars(select(m.CaseInfo)).one()
            before = {"title": row.title, "summary": row.summary}
            if title is not None:
                if not title.strip():
                    raise InvalidInput("the case title is required")
                row.title = title.strip()
            if summary is not None:
                row.summary = summary.strip()
            changes = diff(before, {"title": row.title, "summary": row.summary})
            if changes:
                AuditLog(s).record("update", row.id, "case", row.title, changes)
        return self.info()

    def backup(self, dest: Path) -> None:
        """A consistent copy at ``dest`` (same encryption), even while the case is in use."""
        dest = Path(dest)
        if dest.resolve() == self.path.resolve():
            raise CaseFileError("a backup cannot overwrite the case itself")
        if dest.exists():
            raise CaseFileError(f"{dest} already exists; choose a new name")
        if not dest.parent.is_dir():
            raise CaseFileError(f"no folder {dest.parent}")
        backup_to(self.path, self._key, dest)

    def daily_backup(self) -> Path | None:
        """Today's verified backup copy, if none was made in the last day (see backups)."""
        return daily_backup(self.path, self._key)

    def check(self) -> list[str]:
        """Everything wrong with the file, as lines a person can read; empty when sound."""
        found = problems(self.path, self._key)
        found.extend(
            f"document bytes changed: stored as {want[:12]}…, now hash to {got[:12]}…"
            for want, got in self.documents.mismatched_hashes()
        )
        found.extend(self.search_index.problems())
        return found

    def rescue(self) -> Rescued:
        """A copy of everything that can still be read, beside the case (``rescue``)."""
        from casefile.services.rescue import rescue_case  # it opens the copy as a case: this module

        return rescue_case(self.path, self._key)

    def close(self) -> None:
        if "search" in self.__dict__:  # built only when used
            self.search.close()
        self.sessions.engine.dispose()
        self._lock.release()

    def __enter__(self) -> Case:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def create_case(
    path: Path | str, *, title: str | None = None, passphrase: str | None = None
) -> Case:
    """Make a new case file. It appears under its name only when complete."""
    path = Path(path)
    if path.exists():
        raise CaseFileError(f"{path} already exists")
    if not path.parent.is_dir():
        raise CaseFileError(f"no folder {path.parent}")
    if passphrase is not None:
        key_pragma(passphrase)  # refuse a bad passphrase before anything is written
    staging = path.with_name(f".{path.name}.creating")
    remove_with_side_files(staging)
    try:
        create_database(staging, passphrase)
        engine = make_engine(staging, passphrase)
        try:
            migrate.upgrade(engine)
            with Sessions(engine).write() as s:
                info = m.CaseInfo(
                    id=uuid4(),
                    title=(title or "").strip() or path.stem,
                    created_at=datetime.now(UTC),
                )
                s.add(info)
                s.add_all(missing_builtin_terms(s))
                AuditLog(s).record(
                    "create", info.id, "case", info.title, created({"title": info.title})
                )
        finally:
            engine.dispose()
        os.replace(staging, path)
    except BaseException:
        remove_with_side_files(staging)
        raise
    return open_case(path, passphrase, backups=False)


def open_case(path: Path | str, passphrase: str | None = None, *, backups: bool = True) -> Case:
    """Open a case, upgrading it (after a verified backup) if an older Casefile made it.

    Every refusal is a ``CaseFileError`` with one line for the user, and leaves the file
    (and its folder) as it was: missing, not a case, damaged, encrypted without (or with
    the wrong) passphrase, locked by another writer, or made by a newer Casefile.
    """
    path = Path(path)
    probe_file(path)  # a folder ("."), nothing, an empty file: said before anything else
    finish_interrupted(path)
    lock = CaseLock.shared(path, REKEY_WAIT_S)
    try:
        return _open_held(path, passphrase, backups, lock)
    except BaseException:
        lock.release()
        raise


def _open_held(path: Path, passphrase: str | None, backups: bool, lock: CaseLock) -> Case:
    probe(path, passphrase)
    key = None if is_plain_sqlite(path) else passphrase
    existing = {p for p in side_files(path) if p.exists()}
    engine: Engine | None = None
    try:
        assert_writable(path, key)
        remove_leftovers(path)
        engine = make_engine(path, key)
        _bring_up_to_date(path, key, engine)
        if backups:
            try_daily_backup(path, key)
    except BaseException as exc:
        if engine is not None:
            engine.dispose()
        for side in side_files(path):
            if side not in existing and (side.name.endswith("-shm") or _empty(side)):
                with contextlib.suppress(OSError):  # read-only media: the refusal is said
                    side.unlink(missing_ok=True)
        if isinstance(exc, DBAPIError | DriverError):
            said = one_line(exc.orig if isinstance(exc, DBAPIError) else exc)
            raise database_failure(exc, path) or CaseFileError(
                f"cannot open {path}: {said}"
            ) from None
        raise
    return Case(path, key, engine, lock)


def needs_passphrase(path: Path | str) -> bool:
    """Whether the case at ``path`` is encrypted, found without opening it (no upgrade,
    no backup); a file that is no case is said as at an open."""
    try:
        probe(Path(path), None)
    except NeedsPassphrase:
        return True
    return False


def upgrade_needed(path: Path | str, passphrase: str | None = None) -> bool:
    """Whether opening this case will upgrade it (so the GUI can say so first)."""
    path = Path(path)
    probe(path, passphrase)
    engine = make_engine(path, None if is_plain_sqlite(path) else passphrase)
    try:
        revision = migrate.current_revision(engine)
    finally:
        engine.dispose()
    return revision != migrate.HEAD and revision in migrate.known_revisions()


def _bring_up_to_date(path: Path, key: str | None, engine: Engine) -> None:
    revision = migrate.current_revision(engine)
    if revision is None:
        raise CaseFileError(f"{path} is an incomplete case file (it has no schema)")
    if revision != migrate.HEAD and revision not in migrate.known_revisions():
        raise CaseFileError(f"{path} was made by a newer Casefile; update Casefile to open it")
    use_wal(path, key)
    engine.dispose()  # pooled connections still report the journal mode they first read
    if revision != migrate.HEAD:
        backup_before_upgrade(path, key, revision)
        migrate.upgrade(engine)
    ensure_builtin_terms(Sessions(engine))


def _empty(path: Path) -> bool:
    return path.exists() and path.stat().st_size == 0


def one_line(exc: BaseException | None) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
