"""How a case file is opened: the driver, the key, the pragmas, the sessions.

Nothing outside ``casefile.db`` knows how a connection or a session is made. One driver
serves plain and encrypted cases alike: ``sqlcipher3`` is SQLite with SQLCipher built in,
and a case without a key is an ordinary SQLite file.
"""

from __future__ import annotations

import contextlib
import json
import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from casefile.db import driver, library
from casefile.db.failures import database_failure
from casefile.db.search_tables import index_pending
from casefile.domain.errors import CaseFileError, InvalidInput, NeedsPassphrase, WrongPassphrase

SQLITE_MAGIC = b"SQLite format 3\x00"
# PRAGMA application_id marks a SQLite file as a Casefile case ("CSF1").
APPLICATION_ID = 0x43534631
BUSY_TIMEOUT_MS = 5000
# Each connection's page cache (SQLite's default is 2 MB). A filter on a million quotes
# reads thousands of index pages; with 2 MB they were read from the OS again on every
# filter (the quote table's "caliphate" filter: 31 → 25 ms). At most 4 connections.
CACHE_KB = 32_768
LOCK_WAIT_MS = 1000

# Whether two threads reading a case at once run side by side; set before any connection
# is made (see ``library``).
PARALLEL_READS = library.stop_counting_memory()

# JSON columns as text, letters kept as they are: one encoder for every value, where
# json.dumps with an option makes one per call (1.0 us of 1.6 for a list of one text).
JSON_TEXT = json.JSONEncoder(ensure_ascii=False)
_JSON_STRING = json.encoder.encode_basestring  # what that encoder writes a text as


def json_text(value: Any) -> str:
    """A JSON column's value as text. A list of texts (aliases, authors, codes, roles:
    most of what a bulk import binds) is joined here: the text the encoder writes, at a
    fifth of json.dumps's cost (0.4 us)."""
    if type(value) is list:
        try:
            return "[" + ", ".join(map(_JSON_STRING, value)) + "]"
        except TypeError:  # not all texts
            pass
    return JSON_TEXT.encode(value)


DBAPIError = sqlcipher3.dbapi2.Error
DriverConnection = sqlcipher3.dbapi2.Connection


def key_pragma(passphrase: str) -> str:
    """``PRAGMA key`` with the passphrase as a properly quoted SQL string literal.

    SQLCipher derives the real key from it (PBKDF2 with the salt stored in the file), so
    the passphrase must reach it byte for byte: quotes doubled, nothing else touched.
    """
    if "\x00" in passphrase:
        raise InvalidInput("a passphrase cannot contain a NUL character")
    if not passphrase:
        raise InvalidInput("the passphrase is empty")
    return "PRAGMA key = '" + passphrase.replace("'", "''") + "'"


def is_plain_sqlite(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC


def has_wal(path: Path) -> bool:
    """Whether committed changes may wait in ``path``'s write-ahead log."""
    wal = path.with_name(path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def is_case_file(path: Path) -> bool:
    """Whether ``path`` is an unencrypted case, read from its header alone (the
    application id is the big-endian word at byte 68 of a SQLite file)."""
    try:
        with path.open("rb") as f:
            header = f.read(72)
    except OSError:
        return False
    return header.startswith(SQLITE_MAGIC) and int.from_bytes(header[68:72]) == APPLICATION_ID


def fold(text: str) -> str:
    """How names and tags compare: Unicode case folding ('Straße' = 'STRASSE'), NFC."""
    return unicodedata.normalize("NFC", text).casefold()


def _sql_casefold(text: str | None) -> str | None:
    """SQL ``casefold(x)``: SQLite's own lower() folds ASCII only, and names here are not."""
    return None if text is None else fold(text)


def raw_connect(
    path: Path, passphrase: str | None, *, immutable: bool = False
) -> sqlcipher3.dbapi2.Connection:
    """A DB-API connection with the key applied and the per-connection pragmas set.

    ``isolation_level=None`` hands transaction control to SQLAlchemy (see ``_begin``)
    instead of the driver's own guesses. ``immutable`` opens without locks or WAL side
    files, for looking at a file that may not be ours without leaving a trace.
    """
    mode = "ro" if immutable else "rw"
    uri = f"file:{quote(os.fsencode(path.resolve()))}?mode={mode}" + (
        "&immutable=1" if immutable else ""
    )
    conn = sqlcipher3.dbapi2.connect(
        uri, uri=True, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )
    try:
        # SQLCipher would print its own errors (a wrong key) on stderr; we report them.
        # (Before the key: after it, any statement already reads the first page.)
        conn.execute("PRAGMA cipher_log_level = NONE")
        if passphrase is not None:
            conn.execute(key_pragma(passphrase))
        conn.create_function("casefold", 1, _sql_casefold, deterministic=True)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KB}")
        if not immutable:
            # FULL: a committed edit survives a power cut as well as a killed process.
            conn.execute("PRAGMA synchronous = FULL")
    except BaseException:
        conn.close()
        raise
    return conn


def create_database(path: Path, passphrase: str | None) -> None:
    """Make an empty database file, keyed when a passphrase is given, marked as a case."""
    key = key_pragma(passphrase) if passphrase is not None else None
    conn = sqlcipher3.dbapi2.connect(str(path), isolation_level=None)
    try:
        if key is not None:
            conn.execute(key)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    finally:
        conn.close()


MIN_PAGE_SIZE = 512  # SQLite's smallest page: a database file is a whole number of pages


def probe(path: Path, passphrase: str | None) -> int:
    """Look at ``path`` and return its ``application_id``, or raise a one-line error.

    Opened immutable (read-only, no locks, no WAL side files), so a file that turns out
    not to be a case is left exactly as it was, and so is its folder; but not when a
    write-ahead log lies beside it: an immutable open ignores the log, and a file whose
    last checkpoint was cut short (a killed process, a full disk) is only whole with it.
    """
    probe_file(path)
    plain = is_plain_sqlite(path)
    if not plain and path.stat().st_size % MIN_PAGE_SIZE:
        # An encrypted database is whole pages; this is some other file (a text file).
        raise CaseFileError(f"{path} is not a case file")
    if not plain and passphrase is None:
        raise NeedsPassphrase(
            f"{path} is encrypted (or is not a case file): a passphrase is needed"
        )
    try:
        conn = raw_connect(path, None if plain else passphrase, immutable=not has_wal(path))
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            app_id: int = conn.execute("PRAGMA application_id").fetchone()[0]
        finally:
            conn.close()
    except DBAPIError as exc:
        if plain:
            raise database_failure(exc, path) or CaseFileError(
                f"cannot read {path}: {exc}"
            ) from None
        raise WrongPassphrase(f"wrong passphrase for {path} (or it is not a case file)") from None
    if app_id != APPLICATION_ID:
        raise CaseFileError(f"{path} is a SQLite database but not a Casefile case")
    return app_id


def probe_file(path: Path) -> None:
    """Refuse, in one line, what cannot be a case file at all."""
    if not path.exists():
        raise CaseFileError(f"no case file at {path}")
    if path.is_dir():
        raise CaseFileError(f"{path} is a folder, not a case file")
    if path.stat().st_size == 0:
        raise CaseFileError(f"{path} is empty, not a case file")


def make_engine(path: Path, passphrase: str | None) -> Engine:
    """An engine whose connections all carry the key and pragmas."""
    key = None if is_plain_sqlite(path) else passphrase
    engine = create_engine(
        "sqlite://",
        module=sqlcipher3.dbapi2,
        creator=lambda: raw_connect(path, key),
        json_serializer=json_text,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=2,
    )
    event.listen(engine, "begin", _begin)
    return engine


def _begin(conn: Any) -> None:
    """Writers take the write lock up front (BEGIN IMMEDIATE) so that two processes never
    deadlock upgrading read locks; readers begin a plain snapshot."""
    driver.run(conn, conn.get_execution_options().get("sqlite_begin", "BEGIN"))


class Sessions:
    """Hands out one session per user action, committed or rolled back as a whole."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(
            engine.execution_options(sqlite_begin="BEGIN IMMEDIATE"), expire_on_commit=False
        )

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        with self._write.begin() as session:
            yield session
            index_pending(session)

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session


def assert_writable(path: Path, key: str | None) -> None:
    """Refuse a case that another program is writing right now, instead of hanging."""
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        raise CaseFileError(f"{path} is read-only here: Casefile needs to write to it")
    conn = raw_connect(path, key)
    try:
        conn.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    except DBAPIError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise CaseFileError(f"{path} is locked by another program writing to it") from None
        raise CaseFileError(f"cannot open {path}: {exc}") from None
    finally:
        conn.close()


@contextlib.contextmanager
def held_alone(path: Path, key: str | None) -> Iterator[sqlcipher3.dbapi2.Connection]:
    """A connection that is the case's only one, and keeps every other out until closed.

    Leaving WAL mode needs the only connection, so that is the test; exclusive locking
    then holds the lock between transactions, so nobody can open the case and write to a
    file about to be replaced. The next open turns WAL back on.
    """
    conn = raw_connect(path, key)
    try:
        conn.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
    except DBAPIError as exc:
        conn.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise CaseFileError(
                f"{path} is open in another program: close it there first"
            ) from None
        raise CaseFileError(f"cannot open {path}: {exc}") from None
    try:
        yield conn
    finally:
        conn.close()


def use_wal(path: Path, key: str | None) -> None:
    """WAL: readers (a backup, a second window) never block the writer. Set on every open,
    since a case restored from a backup copy comes in rollback-journal mode."""
    conn = raw_connect(path, key)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
