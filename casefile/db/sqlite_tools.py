"""What only SQLite (and SQLCipher) can do: online backup, integrity checks, re-keying.

Kept here, behind plain functions, so a server database could later offer its own.
Connections here read only, but open read-write: in WAL mode a read-only connection can
leave the -wal and -shm files behind it, which only a read-write one clears.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import sqlcipher3

from casefile.db.case_lock import CaseLock
from casefile.db.engine import APPLICATION_ID, DBAPIError, key_pragma, raw_connect

PARTIAL = ".partial"  # a copy being written, beside its destination
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")


def side_files(path: Path) -> list[Path]:
    """The files SQLite keeps beside a database while it is in use."""
    return [path.with_name(path.name + suffix) for suffix in SIDE_SUFFIXES]


def remove_with_side_files(path: Path) -> None:
    for file in [path, *side_files(path)]:
        file.unlink(missing_ok=True)


def online_backup(source: Path, key: str | None, dest: Path) -> CaseLock:
    """A consistent copy of a case that may be open and written elsewhere.

    SQLite's backup API, in one step: copying in slices restarts whenever a writer
    commits in between, so a busy case might never finish; one step is one read
    transaction, which in WAL mode does not hold the writer up. The copy goes to a
    temporary name, is fsynced and renamed into place, so ``dest`` is either the whole copy
    or untouched. It keeps the case's encryption and is a single file (rollback journal).

    Returns a lock on the copy, held until released: a sweep of leftovers at another
    open (``in_use``) leaves a copy alone while it is written or checked.
    """
    partial = dest.with_name(dest.name + PARTIAL)
    remove_with_side_files(partial)
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        lock = CaseLock.exclusive(partial, 0)  # follows the file through the rename
        try:
            _copy(source, key, partial)
            _fsync(partial)
            os.replace(partial, dest)
        except BaseException:
            lock.release()
            raise
    except BaseException:
        remove_with_side_files(partial)  # a full disk: nothing of the copy is left behind
        raise
    return lock


def _copy(source: Path, key: str | None, partial: Path) -> None:
    src = raw_connect(source, key)
    try:
        out = sqlcipher3.dbapi2.connect(str(partial), isolation_level=None)
        try:
            if key is not None:
                out.execute(key_pragma(key))
            src.backup(out, pages=-1)
            out.execute("PRAGMA journal_mode = DELETE")
        finally:
            out.close()
    finally:
        src.close()


def problems(path: Path, key: str | None, *, quick: bool = False) -> list[str]:
    """SQLite's integrity and foreign-key checks (and SQLCipher's page HMACs), as text."""
    found: list[str] = []
    conn = raw_connect(path, key)
    try:
        found.extend(_problems(conn, key, quick))
    except DBAPIError as exc:
        found.append(f"the file is damaged: {exc}")
    finally:
        conn.close()
    return found


def _problems(conn: sqlcipher3.dbapi2.Connection, key: str | None, quick: bool) -> list[str]:
    """``quick`` skips matching every index against its table: a tenth of the time on a
    large case, still catching a damaged or truncated file (what a backup must not be)."""
    found: list[str] = []
    rows = [r[0] for r in conn.execute(f"PRAGMA {'quick' if quick else 'integrity'}_check")]
    if rows != ["ok"]:
        found.extend(f"integrity: {r}" for r in rows)
    found.extend(
        f"foreign key: {table} row {rowid} points at a missing {parent} row"
        for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check")
    )
    if key is not None:
        found.extend(f"encryption: {r[0]}" for r in conn.execute("PRAGMA cipher_integrity_check"))
    if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        found.append("the file is not marked as a Casefile case")
    return found


def export_rekeyed(conn: sqlcipher3.dbapi2.Connection, dest: Path, new_key: str | None) -> None:
    """Write a copy of the database ``conn`` has open under ``new_key`` (None: plain)
    with ``sqlcipher_export``, the one way SQLCipher converts between plain and encrypted.
    The caller's connection, so that it can hold the case locked throughout."""
    dest.unlink(missing_ok=True)
    literal = "'" + str(dest).replace("'", "''") + "'"
    key_clause = key_pragma(new_key).removeprefix("PRAGMA key = ") if new_key else "''"
    conn.execute(f"ATTACH DATABASE {literal} AS rekeyed KEY {key_clause}")
    conn.execute("SELECT sqlcipher_export('rekeyed')")
    version = conn.execute("PRAGMA main.user_version").fetchone()[0]
    conn.execute(f"PRAGMA rekeyed.user_version = {int(version)}")
    conn.execute(f"PRAGMA rekeyed.application_id = {APPLICATION_ID}")
    conn.execute("DETACH DATABASE rekeyed")
    _fsync(dest)


def _fsync(path: Path) -> None:
    with path.open("rb+") as f:
        os.fsync(f.fileno())
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Make the names in ``folder`` (a rename, a removal) survive a power cut."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
