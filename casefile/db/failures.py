"""What SQLite says when the disk, the media or another program stops a write, as the
one-line known errors a person can act on (everything else it says is a bug of ours).

Each action is one transaction, so whatever stopped it, the case is as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlcipher3
from sqlalchemy.exc import DBAPIError as WrappedError

from casefile.domain.errors import CaseFileError, Damaged

AS_IT_WAS = "the case is as it was"
DISK_FULL = f"the disk is full: free some space and try again; {AS_IT_WAS}"
READ_ONLY = f"the case is on read-only media (or not writable by you); {AS_IT_WAS}"
BUSY = f"another program is writing to the case: try again in a moment; {AS_IT_WAS}"
IO_ERROR = f"the disk could not be read or written (an I/O error): check it; {AS_IT_WAS}"
DAMAGED = (
    "the case file is damaged ({said}); what can still be read can be rescued into a copy beside it"
)
FULL_BELOW = 1024 * 1024
# SQLite's messages (the DB-API driver gives no codes) and what they mean to a user.
_SAID: tuple[tuple[str, str, type[CaseFileError]], ...] = (
    ("database or disk is full", DISK_FULL, CaseFileError),
    ("readonly database", READ_ONLY, CaseFileError),
    ("database is locked", BUSY, CaseFileError),
    ("database table is locked", BUSY, CaseFileError),
    ("disk i/o error", IO_ERROR, CaseFileError),
    ("database disk image is malformed", DAMAGED, Damaged),
    ("file is not a database", DAMAGED, Damaged),
)


def database_failure(exc: BaseException, path: Path | None = None) -> CaseFileError | None:
    """The known error SQLite's ``exc`` stands for, or None (a bug: a wrong statement)."""
    said_by = exc.orig if isinstance(exc, WrappedError) else exc
    if not isinstance(said_by, sqlcipher3.dbapi2.Error):
        return None
    said = " ".join(str(said_by).split())
    if "disk i/o error" in said.lower() and path is not None and _full(path.parent):
        said = "database or disk is full"  # as SQLite says it when the log cannot grow
    for words, message, error in _SAID:
        if words in said.lower():
            return error((f"{path}: " if path else "") + message.format(said=said))
    return None


def _full(folder: Path) -> bool:
    """Whether the disk is as good as full: SQLite says "disk I/O error" when it cannot
    even make the small file beside a case that its write-ahead log needs."""
    try:
        return shutil.disk_usage(folder).free < FULL_BELOW
    except OSError:
        return False
