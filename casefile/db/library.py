"""Process-wide settings of the SQLite library itself, made once, before any case opens.

SQLite counts every memory allocation under one global mutex (``SQLITE_CONFIG_MEMSTATUS``,
on by default). Two threads reading the same case on their own connections then queue
on that mutex: ranking the two halves of the search index at once was slower than one
thread ranking all of it (1.28 s against 0.97 s for ten common words over 100,000
pages), and 1.5 times faster with the counting off. Casefile never reads those counts.

The driver offers no call for this, so it is made through ctypes on the driver's own
library. SQLite accepts the setting only while it is not initialised, and the driver
initialises it on import: it is shut down and initialised again around the call, which
SQLite allows only while no connection is open: ``engine`` does it as it is imported,
before it makes any connection. (A program that opens sqlcipher3 connections of its own
must import ``casefile`` first.)
"""

from __future__ import annotations

import ctypes

import sqlcipher3._sqlite3 as _driver

SQLITE_OK = 0
SQLITE_CONFIG_MEMSTATUS = 9


def stop_counting_memory() -> bool:
    """Whether the library now runs without its allocation counts (False, for instance,
    where the driver does not export SQLite's functions)."""
    try:
        library = ctypes.CDLL(_driver.__file__)  # the one already loaded, not a second copy
        config = library.sqlite3_config
        # sqlite3_config is variadic: only its first argument is declared, so that the
        # second is passed as a variadic one (where, on arm64 macOS, it differs).
        config.argtypes = [ctypes.c_int]
        if library.sqlite3_shutdown() != SQLITE_OK:
            return False
        configured: bool = config(SQLITE_CONFIG_MEMSTATUS, ctypes.c_int(0)) == SQLITE_OK
        initialised: bool = library.sqlite3_initialize() == SQLITE_OK
    except (OSError, AttributeError):
        return False
    return initialised and configured
