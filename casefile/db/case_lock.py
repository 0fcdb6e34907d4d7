"""Who may use a case file: any number of users at once, or one changing its encryption.

SQLite's own locks guard a file's pages, but a re-key replaces the file itself: a program
that opened the old file just before the swap would go on writing to a file no longer
there (an acknowledged edit lost), or put a write-ahead log of the old file beside the
new one (a case that opens with no passphrase at all). So each Casefile that opens a case
holds a shared ``flock`` on it for as long as it is open, and a re-key holds an exclusive
one from its start to the swap. Whoever gets a lock then checks that the file it locked is
still the one at the path, and starts again if a re-key replaced it meanwhile.

``flock`` locks are separate from the POSIX record locks SQLite uses, on Linux and macOS
alike, so neither disturbs the other. Where there is no ``flock`` (Windows), a file that
is open cannot be replaced anyway, and these locks do nothing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from casefile.domain.errors import CaseFileError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

POLL_S = 0.01


class CaseLock:
    """A held lock on a case file; ``release`` (or closing the case) lets it go."""

    def __init__(self, fd: int | None) -> None:
        self._fd = fd

    @classmethod
    def shared(cls, path: Path, wait_s: float) -> CaseLock:
        """For opening the case; waits out a re-key for up to ``wait_s`` seconds."""
        return cls._take(path, exclusive=False, wait_s=wait_s)

    @classmethod
    def exclusive(cls, path: Path, wait_s: float) -> CaseLock:
        """For changing its encryption: nobody else has it open, nor can open it."""
        return cls._take(path, exclusive=True, wait_s=wait_s)

    @classmethod
    def _take(cls, path: Path, *, exclusive: bool, wait_s: float) -> CaseLock:
        if fcntl is None:
            return cls(None)
        deadline = time.monotonic() + wait_s
        mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        while True:
            fd = _open(path)
            try:
                while True:
                    try:
                        fcntl.flock(fd, mode)
                        break
                    except BlockingIOError:
                        if time.monotonic() > deadline:
                            raise _busy(path, exclusive) from None
                        time.sleep(POLL_S)
                if _same_file(fd, path):
                    return cls(fd)
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)  # re-keyed while we waited: lock the file that is there now

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor lets the lock go
            self._fd = None


def in_use(path: Path) -> bool:
    """Whether a Casefile holds ``path`` (a copy being written or checked): such a file
    is not a leftover, whatever its name says."""
    if fcntl is None:
        return False
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _open(path: Path) -> int:
    try:
        return os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise CaseFileError(f"no case file at {path}") from None
    except OSError as exc:
        raise CaseFileError(f"cannot open {path}: {exc.strerror or exc}") from None


def _same_file(fd: int, path: Path) -> bool:
    held = os.fstat(fd)
    try:
        now = os.stat(path)
    except FileNotFoundError:
        raise CaseFileError(f"no case file at {path}") from None
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


def _busy(path: Path, exclusive: bool) -> CaseFileError:
    if exclusive:
        return CaseFileError(f"{path} is open in another program: close it there first")
    return CaseFileError(f"{path} is being re-encrypted: try again in a moment")
