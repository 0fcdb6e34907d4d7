"""The core runs headless: importing it (and the CLI) never loads Qt; the window loads
no Qt module that can reach the network, and paints before the database layer loads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from casefile.services.case import create_case

# Each test starts a new interpreter (`make lint`'s contracts check the imports quickly).
pytestmark = pytest.mark.slow


def test_the_core_and_the_cli_do_not_import_qt() -> None:
    code = (
        "import sys, casefile.services.case, casefile.cli.main, casefile.services.demo, "
        "casefile.services.details, casefile.services.importer, "
        "casefile.importing.reading, casefile.importing.sandbox; "
        "loaded = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]; "
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    assert_python_succeeds(code)


def test_the_window_never_loads_a_network_capable_qt_module() -> None:
    """PySide6-Addons (for QtPdf) also ships WebEngine and QtNetwork: never loaded."""
    code = (
        "import sys, casefile.ui.app, casefile.ui.main_window, casefile.ui.document_view; "
        "net = ('PySide6.QtNetwork', 'PySide6.QtWebEngine', 'PySide6.QtWebSockets'); "
        "loaded = [m for m in sys.modules if m.startswith(net)]; "
        "print(loaded); sys.exit(1 if loaded or 'PySide6.QtPdf' not in sys.modules else 0)"
    )
    assert_python_succeeds(code)


def test_the_window_paints_before_the_database_layer_is_loaded() -> None:
    """The window's modules load no SQLAlchemy, importer, search ranking or PDF writer:
    those load on the worker as a case opens, and the window paints meanwhile (its first
    paint: ``benchmarks/window_start.py``)."""
    code = (
        "import sys, casefile.ui.app, casefile.ui.main_window, casefile.ui.controller, "
        "casefile.ui.worker, casefile.ui.settings; "
        "heavy = ('sqlalchemy', 'casefile.db', 'casefile.importing', 'rapidfuzz', "
        "'reportlab', 'lxml'); "
        "loaded = sorted({m for m in sys.modules if m.startswith(heavy)}); "
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    assert_python_succeeds(code)


def test_opening_a_current_case_loads_no_migration_machinery(tmp_path: Path) -> None:
    """Alembic (and Mako) cost a tenth of a second at every start: they load only for a
    case that needs upgrading."""
    path = tmp_path / "current.casefile"
    create_case(path).close()
    code = (
        "import sys, casefile.cli.main; from casefile.services.case import open_case; "
        f"case = open_case({str(path)!r}, backups=False); case.close(); "
        "loaded = [m for m in sys.modules if m.startswith(('alembic', 'mako'))]; "
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    assert_python_succeeds(code)


def assert_python_succeeds(code: str) -> None:
    """Run ``code`` in a new interpreter: what it imports is what a user's process loads."""
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
