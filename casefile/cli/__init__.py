"""The ``casefile`` command."""

from __future__ import annotations

import contextlib
import sys


def run() -> int:
    """The installed script's entry point, which imports the commands only when run.

    Each document reader process imports the program's main script again (that is how
    multiprocessing starts a worker); with the commands behind this call, that costs
    nothing instead of loading the whole CLI and database layer in every reader."""
    if sys.argv[1:2] == ["import"]:
        # The readers' fork server loads the parsers while this process loads the rest.
        from casefile.importing.reading import PARSERS, read_document
        from casefile.importing.sandbox import prepare

        # A fork server that cannot start now is reported by the import itself.
        with contextlib.suppress(Exception):
            prepare([read_document.__module__, PARSERS])
    from casefile.cli.main import main

    return main()
