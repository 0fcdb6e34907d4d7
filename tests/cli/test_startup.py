"""The CLI starts at once: what only parses arguments loads no database layer.

A script may call `casefile` once per record; `--help` and a usage error should cost
little more than Python starting. Their speed is measured by benchmarks/cli_startup.py;
here, what they import (a timing would fail on a busy machine, not on a slow change).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from casefile.cli.main import build_parser
from casefile.domain.import_options import ImportOptions


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["list", "my.casefile", "nonsense"], ["import", "--help"]],
    ids=["help", "usage error", "import help"],
)
def test_parsing_arguments_loads_no_sqlalchemy(argv: list[str]) -> None:
    code = (
        "import sys; from casefile.cli.main import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'sqlalchemy')\n"
        "print(code, loaded[:5], file=sys.stderr); sys.exit(1 if loaded or code == 70 else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_import_options_default_to_the_importers_limits() -> None:
    """The parser reads the limits' defaults from the one place the importer does."""
    args = build_parser().parse_args(["import", "my.casefile", "report.pdf"])
    defaults = ImportOptions()
    given = (args.max_size, args.max_pages, args.timeout, args.max_memory, args.max_text)
    assert given == (
        defaults.max_mb,
        defaults.max_pages,
        defaults.seconds,
        defaults.memory_mb,
        defaults.max_text_mb,
    )
    assert args.batch_timeout is None
