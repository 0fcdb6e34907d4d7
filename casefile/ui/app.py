"""Starting the desktop app: paths → logging → display check → QApplication → window.

The CLI calls ``run`` for `casefile`, `casefile gui [CASE]` and `casefile gui --demo`.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import TracebackType

from casefile.services import paths

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
    if not os.environ.get("WAYLAND_DISPLAY"):
        missing = missing_libraries(_xcb_plugin())
        if missing:
            packages = " ".join(debian_package(lib) for lib in missing)
            return (
                f"Qt's window plugin needs system libraries that are missing "
                f"({', '.join(missing)}): install them (Debian/Ubuntu: apt install {packages})"
            )
    return None


def _xcb_plugin() -> Path:
    import PySide6  # only its location: Qt itself is not loaded yet

    return Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"


def missing_libraries(library: Path) -> list[str]:
    """Shared libraries ``library`` needs that the system lacks (from ldd)."""
    if not library.exists() or shutil.which("ldd") is None:
        return []
    try:
        listing = subprocess.run(
            ["ldd", str(library)], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    found = (line.split("=>")[0].strip() for line in listing.splitlines() if "not found" in line)
    return sorted(set(found))


def debian_package(soname: str) -> str:
    """libxcb-icccm.so.4 → libxcb-icccm4; libxkbcommon-x11.so.0 → libxkbcommon-x11-0."""
    name, _, version = soname.partition(".so.")
    version = version.split(".")[0]
    return f"{name}-{version}" if name[-1:].isdigit() else f"{name}{version}"


def keep_what_started() -> None:
    """Exempt what exists once the window is made (modules, classes, mappers, Qt's
    wrappers: they live until the app quits) from Python's full garbage collections. Each
    of those walked them all and froze the window for about 30 ms, in the middle of
    whatever the user was doing."""
    gc.freeze()


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
    keep_what_started()
    window.show()
    if demo:
        window.opener.open_demo()
    elif case is not None:
        window.opener.open_path(case)
    return app.exec()


def _unexpected(
    window: object, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """A bug in a slot: log it with its traceback, tell the user in one sentence, go on."""
    log.error("unexpected error", exc_info=(kind, exc, tb))
    show_bug = getattr(window, "show_bug", None)
    if show_bug is not None:
        show_bug(exc)
