"""A damaged case in the window: said, and a rescued copy offered, written and opened."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from casefile.domain.records import PersonFields
from casefile.domain.terms import Kind
from casefile.services.case import create_case, open_case
from casefile.services.list_query import ListQuery
from tests.services.test_nothing_lost import add_people, damage_a_page_of

Yes = QMessageBox.StandardButton.Yes


def test_opening_a_damaged_case_offers_a_rescued_copy_and_opens_it(
    window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "damaged.casefile"
    with create_case(path, title="Damaged") as case:
        case.records.add_many(
            [PersonFields(name=f"Person {n:04d} " + "x" * 200) for n in range(2000)]
        )
    damage_a_page_of(path, "person")
    damage_a_page_of(path, "case_info")  # read as the window opens the case: it fails
    before = path.read_bytes()
    asked: list[str] = []

    def answer(parent: Any, title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return Yes

    monkeypatch.setattr(QMessageBox, "warning", answer)
    monkeypatch.setattr(QMessageBox, "question", answer)
    window.opener.open_path(path)

    assert "is damaged" in asked[0]
    assert "Write a rescued copy" in asked[0]
    assert "records were rescued into damaged.rescued-" in asked[1]
    assert (
        "Partly lost (they could not all be read): the case's title and notes, people." in asked[1]
    )
    info = window.controller.info
    assert info is not None
    assert info.path.name.startswith("damaged.rescued-")
    assert path.read_bytes() == before
    with open_case(info.path, backups=False) as copy:
        people = copy.listing.count(ListQuery(Kind.PERSON))
    assert 1900 < people < 2000


def test_check_case_that_finds_damage_offers_the_rescued_copy(
    window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "scratched.casefile"
    with create_case(path, title="Scratched") as case:
        add_people(case)
    damage_a_page_of(path, "person")  # the case opens; its check finds the damage
    asked: list[str] = []

    def answer(parent: Any, title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return Yes if text.startswith("Problems found") else QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "warning", answer)
    monkeypatch.setattr(QMessageBox, "question", answer)
    window.opener.open_path(path)
    assert window.controller.info.path == path
    # The day's backup copy fails its own check, and says so (once).
    [backup_failed] = asked
    assert "Today's backup copy of scratched.casefile could not be written" in backup_failed
    window.check_action.trigger()

    assert asked[1].startswith("Problems found:")
    assert "the file is damaged: database disk image is malformed" in asked[1]
    [copy] = tmp_path.glob("scratched.rescued-*.casefile")
    assert f"records were rescued into {copy.name}" in asked[2]
    assert window.controller.info.path == path  # "No": the open case stays open
