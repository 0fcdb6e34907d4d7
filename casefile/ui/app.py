"""Starting the desktop app: paths → logging → display check → QApplication → window.

The CLI calls ``run`` for `casefile`, `casefile gui [CASE]` and `casefile gui --demo`.
"""

from __future__ import annotations

import ctypes.util
import logging
import os
import sys
from pathlib import Path
from types import TracebackType

from casefile import paths

log = logging.getLogger("casefile.ui")


def display_problem() -> str | None:
    """Why a window cannot open here, in one line, before Qt would abort with its own."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return (
            "no display: the Casefile window needs a desktop session "
            "(the casefile commands work without one; see casefile --help)"
        )
    if not os.environ.get("WAYLAND_DISPLAY") and ctypes.util.find_library("xcb-cursor") is None:
        return "Qt needs the system library libxcb-cursor0: install it (apt install libxcb-cursor0)"
    return None


def run(case: Path | None = None, *, demo: bool = False) -> int:
    problem = display_problem()
    if problem:
        print(f"casefile: {problem}", file=sys.stderr)
        return 1
    paths.setup_logging()
    from PySide6.QtWidgets import QApplication

    from casefile.ui.controller import CaseController
    from casefile.ui.main_window import MainWindow
    from casefile.ui.settings import WindowSettings
    from casefile.ui.worker import Worker

    app = QApplication(sys.argv[:1])
    app.setApplicationName("Casefile")
    app.setOrganizationName("Casefile")
    window = MainWindow(CaseController(Worker()), WindowSettings())
    sys.excepthook = lambda kind, exc, tb: _unexpected(window, kind, exc, tb)
    window.show()
    if demo:
        window.open_demo()
    elif case is not None:
        window.open_path(case)
    return app.exec()


def _unexpected(
    window: object, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """A bug in a slot: log it with its traceback, tell the user in one sentence, go on."""
    log.error("unexpected error", exc_info=(kind, exc, tb))
    show_bug = getattr(window, "show_bug", None)
    if show_bug is not None:
        show_bug(exc)
