"""Reported values in the window: reported from the detail pane, assessed, undone, and
what the case file holds after each step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QInputDialog
from pytestqt.qtbot import QtBot

from casefile.domain.figures import Figure
from casefile.domain.records import AttackFields, Record, ReportFields
from casefile.domain.terms import DuplicateVerdict, Kind
from casefile.services.case import open_case
from casefile.services.demo import article_bytes
from casefile.services.list_query import ListQuery
from casefile.ui.columns import COLUMNS
from casefile.ui.forms import RecordDialog
from casefile.ui.main_window import MainWindow
from tests.ui.test_window import select, with_modal


def westminster(path: Path) -> tuple[Record[Any], Record[Any], list[Record[Any]]]:
    """The attack, the article, and the attack's reports of killed, as the file holds them."""
    with open_case(path, backups=False) as case:
        [attack] = [
            r
            for r in case.listing.page(ListQuery(Kind.ATTACK)).records
            if r.label == "Westminster attack"
        ]
        [source] = case.listing.page(ListQuery(Kind.SOURCE)).records
        reports = [
            r.record
            for f in case.facts.facts_of(attack.id)
            if f.name == "killed"
            for r in f.reports
        ]
    return attack, source, reports


def test_a_value_reported_from_the_details_is_stored_undone_and_assessed(
    window: MainWindow, demo_path: Path, qtbot: QtBot
) -> None:
    attack, source, [three] = westminster(demo_path)
    window.opener.open_path(demo_path)
    select(window, "Westminster attack")
    qtbot.waitUntil(lambda: window.detail.shown is not None)
    html = window.detail.toHtml()
    assert "Reported values" in html
    assert "reports disagree" in html  # the claim: 'No group has claimed' and the update

    def fill(dialog: RecordDialog) -> None:
        value = dialog.form.inputs["value"]
        qtbot.waitUntil(lambda: value._inner is not None)  # the attack's kind arrived
        qtbot.keyClicks(value._inner, "4")
        dialog.form.inputs["source"].choose(source)
        qtbot.keyClicks(dialog.form.inputs["reported"].line, "24 March 2017")
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok.isEnabled(), dialog.error.text()
        ok.click()

    with_modal(qtbot, fill)
    window.report_value(attack.id, "killed")
    qtbot.waitUntil(lambda: len(westminster(demo_path)[2]) == 2)
    stored, _, reports = westminster(demo_path)
    assert stored.fields.killed == Figure.exactly(4)  # reported later, the same grade
    assert stored.disputed == ("killed", "claimed")
    [four] = [r for r in reports if r.id != three.id]
    assert (four.fields.value, four.fields.source) == ("4", source.id)

    window.undo_action.trigger()
    qtbot.waitUntil(lambda: len(westminster(demo_path)[2]) == 1)
    assert westminster(demo_path)[0].fields.killed == Figure.exactly(3)
    window.redo_action.trigger()
    qtbot.waitUntil(lambda: len(westminster(demo_path)[2]) == 2)
    assert westminster(demo_path)[0].fields.killed == Figure.exactly(4)

    def give_reason(dialog: QInputDialog) -> None:
        dialog.setTextValue("The article was there on the day.")
        dialog.accept()

    with_modal(qtbot, give_reason)
    window.assess(three.id)
    qtbot.waitUntil(lambda: westminster(demo_path)[0].fields.killed == Figure.exactly(3))
    assessed = {r.id: r.fields.reason for r in westminster(demo_path)[2] if r.fields.assessed}
    assert assessed == {three.id: "The article was there on the day."}
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: westminster(demo_path)[0].fields.killed == Figure.exactly(4))
    assert not any(r.fields.assessed for r in westminster(demo_path)[2])


def test_a_reported_field_is_not_typed_over_in_the_record_form(
    window: MainWindow, demo_path: Path, qtbot: QtBot
) -> None:
    window.opener.open_path(demo_path)
    select(window, "Westminster attack")
    held: dict[str, bool] = {}

    def look(dialog: RecordDialog) -> None:
        qtbot.waitUntil(lambda: not dialog.form.inputs["killed"].isEnabled())
        held.update({name: w.isEnabled() for name, w in dialog.form.inputs.items()})
        dialog.reject()

    with_modal(qtbot, look)
    window.edit_record_action.trigger()
    assert (held["killed"], held["claimed_by"]) == (False, False)
    assert (held["title"], held["location"]) == (True, True)  # not reported: typed as before
    assert QApplication.activeModalWidget() is None


def test_a_new_reported_value_asks_for_its_source_before_ok(
    window: MainWindow, demo_path: Path, qtbot: QtBot
) -> None:
    attack, source, _ = westminster(demo_path)
    window.opener.open_path(demo_path)
    said: list[tuple[str, bool]] = []

    def fill(dialog: RecordDialog) -> None:
        value = dialog.form.inputs["value"]
        qtbot.waitUntil(lambda: value._inner is not None)
        qtbot.keyClicks(value._inner, "at least 4")
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        said.append((dialog.error.text(), ok.isEnabled()))
        dialog.form.inputs["source"].choose(source)
        said.append((dialog.error.text(), ok.isEnabled()))
        dialog.reject()

    with_modal(qtbot, fill)
    window.report_value(attack.id, "killed")
    assert said == [
        ("Source is required: a reported value cites where it was reported.", False),
        ("", True),
    ]


def test_a_stored_report_keeps_its_record_and_fact_in_its_form(
    window: MainWindow, demo_path: Path, qtbot: QtBot
) -> None:
    _, _, [three] = westminster(demo_path)
    window.opener.open_path(demo_path)
    dialog = RecordDialog(window.editor, Kind.REPORT, three, window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.form.inputs["value"]._inner is not None)
    assert not dialog.form.inputs["record"].isEnabled()
    assert not dialog.form.inputs["fact"].isEnabled()
    assert dialog.form.inputs["value"].value() == "3"


def test_a_near_duplicate_is_rejected_from_the_details_and_the_undo_brings_it_back(
    window: MainWindow, case_path: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    wire_path, copy_path = tmp_path / "wire.txt", tmp_path / "copy.txt"
    story = article_bytes().decode("utf-8")
    wire_path.write_text(story, encoding="utf-8")
    copy_path.write_text("Syndicated from the wire\n\n" + story, encoding="utf-8")
    with open_case(case_path, backups=False) as case:
        outcomes = case.importer.import_files([wire_path, copy_path]).outcomes
        wire, copy = (o.source_id for o in outcomes)
        assert wire is not None
        assert copy is not None
        attack = case.records.add(AttackFields(title="Westminster attack")).id
        for source in (wire, copy):
            case.facts.report(ReportFields(record=attack, fact="killed", value="4", source=source))

    def verdict() -> DuplicateVerdict:
        with open_case(case_path, backups=False) as case:
            return case.duplicates.of(wire)[0].verdict

    def sources_cell() -> str:
        model = window.models[Kind.ATTACK]
        column = [c.title for c in COLUMNS[Kind.ATTACK]].index("Sources")
        return str(model.index(0, column).data())

    window.opener.open_path(case_path)
    qtbot.waitUntil(lambda: sources_cell() == "1 · —")  # one story, twice
    window.show_kind(Kind.SOURCE)
    qtbot.waitUntil(lambda: window.models[Kind.SOURCE].rowCount() == 2)
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.detail.shown is not None)
    html = window.detail.toHtml()
    assert "Near-duplicates" in html
    assert "% similar" in html
    shown = window.detail.shown
    assert shown is not None
    other = shown.near_duplicates[0].other
    window.detail.anchorClicked.emit(
        QUrl(f"duplicate:{shown.record.id}/{other}/{DuplicateVerdict.REJECTED.value}")
    )
    qtbot.waitUntil(lambda: verdict() is DuplicateVerdict.REJECTED)
    window.show_kind(Kind.ATTACK)
    qtbot.waitUntil(lambda: sources_cell() == "2 · —")
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: verdict() is DuplicateVerdict.SUGGESTED)
    qtbot.waitUntil(lambda: sources_cell() == "1 · —")
