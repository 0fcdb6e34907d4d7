"""Where Casefile keeps its own files (logs, settings), resolved once with platformdirs.

``CASEFILE_HOME`` overrides the location, for tests and portable installs.
"""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

HOME_ENV = "CASEFILE_HOME"


def data_dir() -> Path:
    override = os.environ.get(HOME_ENV)
    return Path(override) if override else Path(platformdirs.user_data_dir("Casefile", False))


def log_file() -> Path:
    return data_dir() / "casefile.log"


def setup_logging() -> None:
    """Log to a rotating file; never to the terminal, where one line per error is the rule."""
    root = logging.getLogger("casefile")
    if root.handlers:
        return
    try:
        log_file().parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingFileHandler(
            log_file(), maxBytes=1_000_000, backupCount=3
        )
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False
