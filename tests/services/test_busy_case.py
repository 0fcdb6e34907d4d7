"""A case another program is writing: an edit waits a bounded time, then is told in one
line, in the window and in the terminal alike, never as a bug; and nothing is half-done."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from casefile.cli.main import main
from casefile.db.engine import BUSY_TIMEOUT_MS
from casefile.domain.records import PersonFields
from casefile.domain.terms import Kind
from casefile.services.case import open_case
from casefile.services.list_query import ListQuery

# Another program's write transaction, held until its stdin closes.
HOLD_WRITE_LOCK = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
print("holding", flush=True)
sys.stdin.read()
con.execute("ROLLBACK")
"""


@contextlib.contextmanager
def another_program_writing(case_path: Path) -> Iterator[None]:
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE_LOCK, str(case_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdin is not None
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        try:
            yield
        finally:
            holder.stdin.close()


@pytest.fixture
def writing(case_path: Path) -> Iterator[None]:
    with another_program_writing(case_path):
        yield


def _people(path: Path) -> list[str]:
    with open_case(path, backups=False) as case:
        return [r.label for r in case.listing.page(ListQuery(Kind.PERSON)).records]


def test_an_edit_in_the_window_while_another_program_writes_is_told_not_a_bug(
    window: Any, case_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.opener.open_path(case_path)
    assert window.controller.is_open
    said: list[tuple[str, str]] = []

    def tell(how: str) -> Any:
        return lambda _parent, _title, text, *_rest: said.append((how, text))

    monkeypatch.setattr(QMessageBox, "warning", tell("said"))
    monkeypatch.setattr(QMessageBox, "critical", tell("BUG"))

    with another_program_writing(case_path):
        started = time.monotonic()
        window.editor.add(PersonFields(name="Written while busy"), (), "")
        waited = time.monotonic() - started
    window.editor.add(PersonFields(name="Written when free"), (), "")
    window.controller.close()

    assert BUSY_TIMEOUT_MS / 1000 <= waited < BUSY_TIMEOUT_MS / 1000 + 5  # a bounded wait
    [(how, text)] = said
    assert how == "said"
    assert text == (
        "Another program is writing to the case: try again in a moment; the case is as it was."
    )
    assert window.undo_stack.count() == 1  # the second add only: the first did nothing
    assert _people(case_path) == ["Written when free"]


def test_a_command_while_another_program_writes_is_told_in_one_line(
    case_path: Path, writing: None, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code = main(["add", "person", str(case_path), "--name", "Written while busy"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1
    assert "locked by another program writing to it" in err
    assert "bug" not in err
