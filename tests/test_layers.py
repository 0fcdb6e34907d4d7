"""The core runs headless: importing it (and the CLI) never loads Qt."""

from __future__ import annotations

import subprocess
import sys


def test_the_core_and_the_cli_do_not_import_qt() -> None:
    code = (
        "import sys, casefile.case, casefile.cli.main, casefile.demo, casefile.details; "
        "loaded = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]; "
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
