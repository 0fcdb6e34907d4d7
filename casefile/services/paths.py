"""Where Casefile keeps its own files (logs, settings), resolved once with platformdirs.

``CASEFILE_HOME`` overrides the location, for tests and portable installs.
"""

from __future__ import annotations

import logging
import os
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

import platformdirs

HOME_ENV = "CASEFILE_HOME"


def data_dir() -> Path:
    override = os.environ.get(HOME_ENV)
    return Path(override) if override else Path(platformdirs.user_data_dir("Casefile", False))


def log_file() -> Path:
    return data_dir() / "casefile.log"


LOG_HANDLER_NAME = "casefile-log"


def setup_logging() -> None:
    """Log to a rotating file; never to the terminal, where one line per error is the rule.

    Once per process: the handler is known by its name, not by the logger having handlers,
    since a host (pytest, an embedding application) may attach its own."""
    root = logging.getLogger("casefile")
    if any(handler.get_name() == LOG_HANDLER_NAME for handler in root.handlers):
        return
    try:
        log_file().parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingFileHandler(
            log_file(), maxBytes=1_000_000, backupCount=3
        )
    except OSError:
        handler = logging.NullHandler()
    handler.set_name(LOG_HANDLER_NAME)
    handler.setFormatter(_WithoutContent("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False


class _WithoutContent(logging.Formatter):
    """A log that never holds a case's content, even of an encrypted case: an error is
    written as its type and the stack of the code (files of Casefile and its libraries,
    never the user's), without its message, which can quote a name, a note, a query, a
    statement's parameters or a file's path. The messages logged are written to say
    nothing of the case either."""

    def format(self, record: logging.LogRecord) -> str:
        # logging caches an exception's text on the record for every handler after the
        # first: another handler's full traceback, message included, would be written here.
        cached = record.exc_text
        record.exc_text = None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(  # noqa: N802 (logging.Formatter's name)
        self,
        ei: tuple[type[BaseException], BaseException, TracebackType | None]
        | tuple[None, None, None],
    ) -> str:
        lines: list[str] = []
        exc = ei[1]
        chain: list[BaseException] = []
        while exc is not None and exc not in chain:
            chain.append(exc)
            exc = exc.__cause__ or exc.__context__
        for exc in reversed(chain):
            lines.append("Traceback (most recent call last):")
            lines.extend(
                f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}'
                for frame in traceback.extract_tb(exc.__traceback__)
            )
            lines.append(f"{type(exc).__module__}.{type(exc).__qualname__}")
        return "\n".join(lines)
