"""Failures a user can meet through no fault of Casefile's, told as one line.

The CLI and the window both ask ``known_failure`` before calling anything a bug: a full
disk, read-only media, another program holding the case, a file gone or unreadable,
text that is not valid UTF-8, too little memory. What it does not know is a bug, logged
with its stack (see ``paths``) and reported as one."""

from __future__ import annotations

import errno

from casefile.db.failures import BUSY, DISK_FULL, IO_ERROR, READ_ONLY, database_failure
from casefile.domain.errors import InvalidInput, KnownError

_BY_ERRNO = {
    errno.ENOSPC: DISK_FULL,
    errno.EDQUOT: DISK_FULL,
    errno.EROFS: READ_ONLY,
    errno.EIO: IO_ERROR,
    errno.EAGAIN: BUSY,
}


def known_failure(exc: BaseException) -> KnownError | None:
    """``exc`` as a known error with a message for the user, or None if it is a bug."""
    if isinstance(exc, KnownError):
        return exc
    found = database_failure(exc)
    if found is not None:
        return found
    if isinstance(exc, OSError):
        if exc.errno in _BY_ERRNO:
            return KnownError(_BY_ERRNO[exc.errno])
        what = f"{exc.filename}: " if exc.filename else ""
        return KnownError(f"{what}{exc.strerror or type(exc).__name__}")
    if isinstance(exc, UnicodeError):
        return InvalidInput("some text given is not valid UTF-8 (or cannot be stored as text)")
    if isinstance(exc, MemoryError):
        return KnownError("not enough memory for this; close other programs and try again")
    return None
