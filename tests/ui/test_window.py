"""The main window driven like a user would, asserting on what the case file holds."""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from casefile.domain.changes import Changes
from casefile.domain.dates import PartialDate
from casefile.domain.figures import Figure
from casefile.domain.moments import day_of
from casefile.domain.records import (
    AttackFields,
    LinkFields,
    PersonFields,
    QuoteFields,
    SourceFields,
)
from casefile.domain.terms import Confidence, Kind, Relation
from casefile.services import listing
from casefile.services.case import Case, create_case, open_case
from casefile.services.list_query import ListQuery
from casefile.services.listing import Listing
from casefile.ui import record_table
from casefile.ui.app import keep_what_started
from casefile.ui.columns import WIDE_AT_LEAST
from casefile.ui.controller import CaseController
from casefile.ui.dialogs import PassphraseDialog
from casefile.ui.forms import RecordDialog
from casefile.ui.main_window import MainWindow
from casefile.ui.record_table import RecordTable
from casefile.ui.settings import WindowSettings
from casefile.ui.sidebar import COUNT_ROLE
from casefile.ui.table_model import LOADING, PAGE, RecordTableModel
from casefile.ui.worker import Task, Worker
from tests.conftest import index_ranges_read, settled


def attacks_in(path: Path) -> dict[str, AttackFields]:
    with open_case(path, backups=False) as case:
        page = case.listing.page(ListQuery(Kind.ATTACK, limit=500))
    return {r.label: r.fields for r in page.records}


def with_modal(qtbot: QtBot, act: Callable[[Any], None]) -> None:
    """Run ``act`` on the modal dialog the next action opens (it blocks until closed)."""

    def find() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, find)
            return
        act(dialog)

    QTimer.singleShot(0, find)


def select(window: MainWindow, label: str) -> None:
    model = window.models[window.kind]
    for row in range(model.rowCount()):
        record = model.record_at(row)
        if record is not None and record.label == label:
            window.table.selectRow(row)
            return
    raise AssertionError(f"no row {label!r}")


def test_opening_the_demo_case_shows_its_counts(window: MainWindow, demo_path: Path) -> None:
    window.opener.open_path(demo_path)
    assert window.stack.currentWidget() is window.case_view
    shown = {
        window.sidebar.item(i).text(): window.sidebar.item(i).data(COUNT_ROLE)
        for i in range(window.sidebar.count())
    }
    assert shown["Attacks"] == 5
    assert shown["Quotes"] == 6
    assert shown["People"] == 6
    assert window.sidebar.item(0).data(Qt.ItemDataRole.AccessibleTextRole) == "Attacks, 5"
    assert window.count_label.text() == "5 attacks"
    assert window.models[Kind.ATTACK].rowCount() == 5
    assert "Westminster attack, March 2017" in window.windowTitle()


def test_adding_an_attack_through_the_form_is_in_the_case(
    window: MainWindow, case_path: Path, qtbot: QtBot
) -> None:
    window.opener.open_path(case_path)

    def fill(dialog: RecordDialog) -> None:
        qtbot.keyClicks(dialog.form.inputs["title"], "Parsons Green bombing")
        qtbot.keyClicks(dialog.form.inputs["date"].line, "15 September 2017")
        qtbot.keyClicks(dialog.form.inputs["killed"], "0")
        qtbot.keyClicks(dialog.form.inputs["wounded"], "30")
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok.isEnabled()
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    with_modal(qtbot, fill)
    window.new_record_action.trigger()
    window.controller.close()
    stored = attacks_in(case_path)["Parsons Green bombing"]
    assert stored.date == PartialDate(2017, 9, 15)
    assert (stored.killed, stored.wounded) == (Figure.exactly(0), Figure.exactly(30))


def test_an_invalid_date_shows_why_and_saves_nothing(
    window: MainWindow, case_path: Path, qtbot: QtBot
) -> None:
    window.opener.open_path(case_path)
    seen: list[str] = []

    def fill(dialog: RecordDialog) -> None:
        qtbot.keyClicks(dialog.form.inputs["title"], "Some attack")
        qtbot.keyClicks(dialog.form.inputs["date"].line, "yesterday")
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        seen.append(dialog.error.text())
        assert not ok.isEnabled()
        dialog.reject()

    with_modal(qtbot, fill)
    window.new_record_action.trigger()
    assert seen
    assert "date" in seen[0].lower()
    assert "yesterday" in seen[0]
    window.controller.close()
    assert attacks_in(case_path) == {}


def test_undo_and_redo_reach_the_case_file(
    window: MainWindow, demo_path: Path, qtbot: QtBot
) -> None:
    window.opener.open_path(demo_path)
    glasgow = "Murder of an Ahmadi shopkeeper in Glasgow"  # its toll has no reports
    select(window, glasgow)

    def change(dialog: RecordDialog) -> None:
        killed = dialog.form.inputs["killed"]
        killed.selectAll()
        qtbot.keyClicks(killed, "4")
        qtbot.mouseClick(
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )

    with_modal(qtbot, change)
    window.edit_record_action.trigger()
    assert attacks_in(demo_path)[glasgow].killed == Figure.exactly(4)
    window.undo_action.trigger()
    assert attacks_in(demo_path)[glasgow].killed == Figure.exactly(1)
    window.redo_action.trigger()
    assert attacks_in(demo_path)[glasgow].killed == Figure.exactly(4)


def test_deleting_asks_then_removes_and_undo_brings_it_back(
    window: MainWindow, demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.opener.open_path(demo_path)
    select(window, "Westminster attack")
    asked: list[str] = []

    def answer(parent: Any, title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    window.delete_record_action.trigger()
    assert len(asked) == 1
    assert "Westminster attack" in asked[0]
    assert "3 links" in asked[0]  # what else goes is said before it goes
    assert "Westminster attack" not in attacks_in(demo_path)
    assert window.models[Kind.ATTACK].rowCount() == 4
    window.undo_action.trigger()
    assert "Westminster attack" in attacks_in(demo_path)
    with open_case(demo_path, backups=False) as case:
        assert case.info().counts[Kind.LINK] == 9
        assert case.check() == []


def test_declining_the_delete_keeps_the_record(
    window: MainWindow, demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.opener.open_path(demo_path)
    select(window, "Brussels attacks")
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.No)
    window.delete_record_action.trigger()
    assert "Brussels attacks" in attacks_in(demo_path)


def person_in(path: Path, name: str) -> PersonFields:
    with open_case(path, backups=False) as case:
        page = case.listing.page(ListQuery(Kind.PERSON, text=name))
    (record,) = page.records
    assert isinstance(record.fields, PersonFields)
    return record.fields


def retype_nationality(qtbot: QtBot, text: str) -> Callable[[RecordDialog], None]:
    def change(dialog: RecordDialog) -> None:
        nationality = dialog.form.inputs["nationality"]
        nationality.selectAll()
        qtbot.keyClicks(nationality, text)
        qtbot.mouseClick(
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )

    return change


def test_an_edit_shows_in_the_detail_pane_and_the_row_stays_selected(
    window: MainWindow, demo_path: Path, qtbot: QtBot
) -> None:
    window.opener.open_path(demo_path)
    window.show_kind(Kind.PERSON)
    select(window, "Andrew Parker")
    parker = window.selected()
    assert parker is not None
    assert "British" in window.detail.toPlainText()

    with_modal(qtbot, retype_nationality(qtbot, "French"))
    with qtbot.waitSignal(window.controller.changed) as changed:
        window.edit_record_action.trigger()

    assert changed.args == [Changes(frozenset({Kind.PERSON}), frozenset({parker.id}))]
    assert person_in(demo_path, "Andrew Parker").nationality == "French"
    selected = window.selected()
    assert selected is not None
    assert selected.id == parker.id
    assert selected.fields.nationality == "French"
    shown = window.detail.toPlainText()
    assert "French" in shown
    assert "British" not in shown
    history = shown.partition("History")[2]  # newest first, as the CLI's is oldest first
    assert history.index("— changed: nationality") < history.index("— created")
    window.undo_action.trigger()
    assert person_in(demo_path, "Andrew Parker").nationality == "British"
    assert "British" in window.detail.toPlainText()


def test_an_edit_shows_in_the_detail_pane_with_the_worker_thread(
    qtbot: QtBot, demo_path: Path
) -> None:
    """As a user sees it: the table's new rows come after the edit, on their own."""
    window = MainWindow(CaseController(Worker()), WindowSettings())
    qtbot.addWidget(window)
    window.show()
    window.opener.open_path(demo_path)
    qtbot.waitUntil(lambda: window.models[Kind.ATTACK].rowCount() == 5, timeout=10_000)
    window.show_kind(Kind.PERSON)
    qtbot.waitUntil(lambda: window.models[Kind.PERSON].has_row(0), timeout=5_000)
    select(window, "Andrew Parker")
    qtbot.waitUntil(lambda: "British" in window.detail.toPlainText(), timeout=5_000)

    with_modal(qtbot, retype_nationality(qtbot, "French"))
    window.edit_record_action.trigger()

    qtbot.waitUntil(lambda: "French" in window.detail.toPlainText(), timeout=5_000)
    selected = window.selected()
    assert selected is not None
    assert selected.label == "Andrew Parker"
    assert window.table.selectionModel().isRowSelected(window.table.currentIndex().row())
    window.close()
    assert person_in(demo_path, "Andrew Parker").nationality == "French"


def test_a_new_link_shows_in_the_detail_pane_without_selecting_again(
    window: MainWindow, demo_path: Path, qtbot: QtBot
) -> None:
    window.opener.open_path(demo_path)
    window.show_kind(Kind.PERSON)
    select(window, "Rita Katz")
    katz = window.selected()
    assert katz is not None
    groups: list[Any] = []
    window.controller.read(lambda case: case.listing.page(ListQuery(Kind.GROUP)), groups.append)
    isis = next(r for r in groups[0].records if r.label == "ISIS")
    label = "Rita Katz — associated with — ISIS"
    assert label not in window.detail.toPlainText()

    # What "Add link…" stores once its dialog is filled in (the dialog: test_ui_forms).
    link = LinkFields(subject=katz.id, relation=Relation.ASSOCIATED_WITH, object=isis.id)
    window.editor.add(link, (), "")

    with open_case(demo_path, backups=False) as case:
        (stored,) = [r for r in case.records.links_of(katz.id) if r.fields.object == isis.id]
    assert (stored.fields.relation, stored.label) == (Relation.ASSOCIATED_WITH, label)
    assert label in window.detail.toPlainText()
    selected = window.selected()
    assert selected is not None
    assert selected.id == katz.id
    window.undo_action.trigger()
    assert label not in window.detail.toPlainText()


def test_saving_and_forgetting_a_search_are_undone(
    window: MainWindow, case_path: Path, qtbot: QtBot
) -> None:
    window.opener.open_path(case_path)
    window.search_field.setText("enemy")

    def name_it(dialog: Any) -> None:
        dialog.setTextValue("Enemies")
        dialog.accept()

    with_modal(qtbot, name_it)
    window.save_search_action.trigger()
    [forget] = window.saved_searches.forget_menu.actions()
    forget.trigger()
    assert window.saved_searches.saved_menu.actions() == []

    window.undo_action.trigger()  # the search is back
    assert [a.text() for a in window.saved_searches.saved_menu.actions()] == ["Enemies"]
    with open_case(case_path, backups=False) as case:
        assert [(s.name, s.query) for s in case.saved_searches.all()] == [("Enemies", "enemy")]
    window.undo_action.trigger()  # it was never saved
    assert window.saved_searches.saved_menu.actions() == []
    with open_case(case_path, backups=False) as case:
        assert case.saved_searches.all() == []


def test_the_passphrase_dialog_says_when_the_passphrase_is_wrong(
    window: MainWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    path = tmp_path / "secret.casefile"
    create_case(path, passphrase="right one").close()
    tries: list[str] = []

    def type_passphrase(words: list[str]) -> None:
        def act(dialog: PassphraseDialog) -> None:
            tries.append(dialog.error.text() if dialog.error.isVisible() else "")
            qtbot.keyClicks(dialog.passphrase, words.pop(0))
            dialog.accept()
            if words:
                with_modal(qtbot, act)

        with_modal(qtbot, act)

    type_passphrase(["wrong one", "right one"])
    window.opener.open_path(path)
    assert tries == ["", "Wrong passphrase: try again."]
    assert window.controller.info is not None
    assert window.controller.info.encrypted


def test_following_a_link_in_the_detail_pane_selects_that_record(
    window: MainWindow, demo_path: Path
) -> None:
    window.opener.open_path(demo_path)
    select(window, "Westminster attack")
    record = window.selected()
    assert record is not None
    isis = record.fields.claimed_by
    window.detail.navigate.emit(isis)
    assert window.kind is Kind.GROUP
    selected = window.selected()
    assert selected is not None
    assert selected.label == "ISIS"


def test_filters_narrow_the_table(window: MainWindow, demo_path: Path, qtbot: QtBot) -> None:
    window.opener.open_path(demo_path)
    qtbot.keyClicks(window.filter_bar.since, "2016")
    qtbot.keyClicks(window.filter_bar.until, "2016")
    window.apply_filter()
    model = window.models[Kind.ATTACK]
    labels = {model.record_at(r).label for r in range(model.rowCount())}  # type: ignore[union-attr]
    assert labels == {
        "Brussels attacks",
        "Murder of a Sufi leader",
        "Murder of an Ahmadi shopkeeper in Glasgow",
    }
    window.filter_bar.until.clear()
    window.filter_bar.since.clear()
    qtbot.keyClicks(window.filter_bar.words, "glasgow")  # applied once typing pauses
    qtbot.waitUntil(lambda: model.query.text == "glasgow" and model.rowCount() == 1)
    window.filter_bar.words.setText("nonsense-words")
    window.apply_filter()
    assert model.rowCount() == 0
    window.filter_bar.words.clear()
    qtbot.keyClicks(window.filter_bar.since, "not a date")
    window.apply_filter()
    assert window.filter_bar.error.isVisible()
    assert window.filter_bar.error.text() == "'not a date' is not a date."  # as a sentence


def test_a_link_nothing_cites_reads_unsourced_in_the_table_and_the_detail_pane(
    window: MainWindow, demo_path: Path
) -> None:
    with open_case(demo_path, backups=False) as case:
        named = {
            r.label: r.id
            for kind in (Kind.ATTACK, Kind.GROUP)
            for r in case.listing.page(ListQuery(kind, limit=100)).records
        }
        planned = case.records.add(
            LinkFields(
                subject=named["al-Qaeda"],
                relation=Relation.PLANNED,
                object=named["Westminster attack"],
                confidence=Confidence.DOUBTFUL,
            )
        )
    window.opener.open_path(demo_path)
    window.show_kind(Kind.LINK)
    model = window.models[Kind.LINK]
    column = [c.title for c in model.columns].index("Citations")
    cells = {
        model.record_at(r).label: model.data(model.index(r, column))  # type: ignore[union-attr]
        for r in range(model.rowCount())
    }
    assert cells[planned.label] == "unsourced"
    assert cells["ISIS — claimed — Westminster attack"] == "1"
    window.show_kind(Kind.ATTACK)
    select(window, "Westminster attack")
    shown = window.detail.toPlainText()
    assert "al-Qaeda — planned — Westminster attack (doubtful, unsourced)" in shown
    assert "ISIS — claimed — Westminster attack (confirmed, corroborated by 1 independent" in shown


def test_a_case_opened_over_another_starts_with_nothing_typed(
    window: MainWindow, demo_path: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    """Seen in a real window: the search results and the filter of the case before stayed
    over the case opened next, showing records that are not in it."""
    window.opener.open_path(demo_path)
    window.search_field.setText("westminster")
    window.focus_search()
    assert window.right_pane.currentWidget() is window.results
    window.filter_bar.since.setText("2017")
    window.filter_bar.until.setText("2016")
    window.apply_filter()
    assert window.filter_bar.error.isVisible()
    other = tmp_path / "other.casefile"
    create_case(other, title="Other").close()

    window.opener.open_path(other)

    assert window.windowTitle() == "Other — Casefile"
    assert window.search_field.text() == ""
    assert window.right_pane.currentWidget() is window.detail
    bar = window.filter_bar
    assert (bar.words.text(), bar.since.text(), bar.until.text()) == ("", "", "")
    assert not bar.error.isVisible()


def test_every_column_of_a_table_fits_the_window_it_opens_in(
    window: MainWindow, demo_path: Path, qtbot: QtBot
) -> None:
    window.resize(1400, 860)
    window.opener.open_path(demo_path)
    for width in (1400, 1280):  # at 1280 (a laptop), every column gives up a little
        window.resize(width, 860)
        for kind in Kind:
            window.show_kind(kind)
            header = window.table.horizontalHeader()
            assert header.length() <= window.table.viewport().width(), (width, kind)
            wide = [i for i, c in enumerate(window.models[kind].columns) if c.wide]
            if width == 1400:
                assert all(header.sectionSize(i) >= WIDE_AT_LEAST for i in wide), kind


def test_short_values_show_whole_and_the_names_take_the_rest(
    window: MainWindow, demo_path: Path, qtbot: QtBot
) -> None:
    """A column is as wide as its values on screen want ("Government agency", not
    "Governmen…"), up to its set width when room is short; the names take the rest."""
    window.resize(1400, 860)
    window.opener.open_path(demo_path)
    table = window.table
    metrics, header = table.fontMetrics(), table.horizontalHeader()
    for kind in (Kind.GROUP, Kind.PERSON):
        window.show_kind(kind)
        model = window.models[kind]
        for number, column in enumerate(model.columns):
            values = (model.data(model.index(row, number)) for row in range(model.total))
            texts = [column.title, *values]
            longest = max(metrics.horizontalAdvance(text) for text in texts)
            first = model.record_at(0)
            if column.title == "Updated" and first and first.updated_at:  # the reader's day
                assert texts[1] == day_of(first.updated_at)
            if column.wide:
                assert header.sectionSize(number) > column.width, (kind, column.title)
            else:
                assert longest < header.sectionSize(number) <= longest + 40, (kind, column.title)


def test_columns_follow_the_window_until_one_is_sized_by_hand(
    window: MainWindow, demo_path: Path, qtbot: QtBot
) -> None:
    window.resize(1600, 860)
    window.opener.open_path(demo_path)
    window.show_kind(Kind.ATTACK)
    header = window.table.horizontalHeader()
    title = header.sectionSize(1)
    window.resize(1280, 860)  # a laptop's width: every column still shows
    qtbot.waitUntil(lambda: header.sectionSize(1) < title)
    assert header.length() <= window.table.viewport().width()
    header.resizeSection(1, 300)  # as a drag of the column's edge does
    window.resize(1600, 860)
    qtbot.wait(50)
    assert header.sectionSize(1) == 300
    window.show_kind(Kind.PERSON)  # another kind is fitted afresh
    assert header.length() <= window.table.viewport().width()


def test_table_models_pass_the_model_tester(
    qtmodeltester: Any, demo_path: Path, qtbot: QtBot
) -> None:
    controller = CaseController(Worker(synchronous=True))
    controller.open(demo_path)
    for kind in Kind:
        model = RecordTableModel(controller, kind)
        model.refresh()
        qtmodeltester.check(model)
    controller.close()


def test_a_table_model_stays_consistent_on_a_threaded_worker(
    qtmodeltester: Any, qtbot: QtBot, case_path: Path
) -> None:
    """The model tester stays attached while rows arrive from the worker thread through
    a new query, a sort, a reset and a scroll across pages: every signal the model sends
    is checked against what it then reports."""
    controller, model = statements_model(qtbot, case_path, 600)
    model.refresh()
    qtbot.waitUntil(lambda: model.total == 600, timeout=10_000)
    qtmodeltester.check(model)
    everything = model.query
    steps: list[tuple[Callable[[], None], int]] = [
        (lambda: model.set_query(replace(everything, text="marked")), 300),
        (lambda: model.sort(0, Qt.SortOrder.DescendingOrder), 300),  # by date said
        (model.forget, 0),
        (model.refresh, 300),
        (lambda: model.set_query(everything), 600),
    ]
    for step, total in steps:
        step()
        qtbot.waitUntil(partial(counted, model, total), timeout=10_000)
        for row in range(0, total, 37):  # pages asked for as a scroll would
            model.data(model.index(row, 0))
        settled(qtbot, controller)
        qtbot.waitUntil(partial(loaded, model, total - 1), timeout=10_000)
    controller.shutdown()


def counted(model: RecordTableModel, total: int) -> bool:
    return model.total == total


def loaded(model: RecordTableModel, row: int) -> bool:
    return row < 0 or model.data(model.index(row, 0)) != LOADING


def statements_model(
    qtbot: QtBot, case_path: Path, count: int
) -> tuple[CaseController, RecordTableModel]:
    """``count`` quotes, every other one "marked", in a table model over a real (threaded)
    worker."""
    with open_case(case_path, backups=False) as case:
        source = case.records.add(SourceFields(title="Statements")).id
        texts = [f"Statement {n}" + (" marked" if n % 2 else "") for n in range(count)]
        case.records.add_many([QuoteFields(text=t, source=source) for t in texts])
    controller = CaseController(Worker())
    controller.open(case_path)
    qtbot.waitUntil(lambda: controller.info is not None, timeout=10_000)
    return controller, RecordTableModel(controller, Kind.QUOTE)


def test_a_new_query_brings_the_rows_on_screen_with_its_count(
    qtbot: QtBot, case_path: Path
) -> None:
    """One trip to the worker: when the new count arrives, the rows the view is showing
    (where it stays, within the new count) are there with it, never placeholders first."""
    controller, model = statements_model(qtbot, case_path, 450)
    view = RecordTable()
    view.setModel(model)
    qtbot.addWidget(view)
    view.show()
    model.refresh()
    qtbot.waitUntil(lambda: model.total == 450, timeout=10_000)
    view.scrollTo(model.index(350, 0))
    qtbot.waitUntil(lambda: model.data(model.index(350, 0)) != LOADING, timeout=10_000)
    shown: list[tuple[int, bool]] = []
    model.counted.connect(lambda n: shown.append((n, model.data(model.index(n - 1, 0)) != LOADING)))

    model.set_query(replace(model.query, text="marked"))  # 225 rows: the view goes to the end

    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert shown == [(225, True)]
    record = model.record_at(224)
    assert record is not None
    assert record.fields.text.endswith("marked")
    controller.shutdown()


def test_a_table_has_its_list_prepared_for_jumps_once_it_shows(
    qtbot: QtBot, case_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a new query's rows arrive, the look-ahead finds the list's anchors: a jump
    far into it then reads one index range, with nothing left to find."""
    monkeypatch.setattr(listing, "STRIDE", 8)
    controller, model = statements_model(qtbot, case_path, 400)
    model.set_query(replace(model.query, sort="created"))
    qtbot.waitUntil(lambda: model.total == 400, timeout=10_000)
    qtbot.waitUntil(lambda: not controller.ahead.busy, timeout=10_000)
    ranges = index_ranges_read(monkeypatch)
    model.data(model.index(330, 1))
    qtbot.waitUntil(lambda: model.data(model.index(330, 1)) != LOADING, timeout=10_000)
    assert ranges == [1]
    controller.shutdown()


def test_a_new_look_ahead_stops_the_one_before(qtbot: QtBot, case_path: Path) -> None:
    controller, _model = statements_model(qtbot, case_path, 1)
    started, release = threading.Event(), threading.Event()
    stopped: list[bool] = []

    def first(_case: Case, stop: Callable[[], bool]) -> None:
        started.set()
        release.wait(5)
        stopped.append(stop())

    controller.look_ahead(first)
    assert started.wait(5)
    controller.look_ahead(lambda _case, stop: stopped.append(stop()))
    release.set()
    qtbot.waitUntil(lambda: len(stopped) == 2, timeout=10_000)
    assert stopped == [True, False]
    controller.shutdown()


def test_rows_asked_for_while_a_new_count_is_on_its_way_are_not_kept(
    qtbot: QtBot, case_path: Path
) -> None:
    """A page painted before the new count arrives is asked for with the old count: what
    it brings is dropped, never shown as rows of the new list."""
    controller, model = statements_model(qtbot, case_path, 1000)
    everything = model.query
    model.set_query(replace(everything, text="marked"))
    qtbot.waitUntil(lambda: model.total == 500, timeout=10_000)
    qtbot.waitUntil(lambda: model.data(model.index(450, 1)) != LOADING, timeout=10_000)
    release = threading.Event()
    controller.read(lambda case: release.wait(5), lambda _: None)  # the worker is busy

    model.set_query(everything)  # 1,000 rows, counted once the worker is free
    model.data(model.index(350, 1))  # painted meanwhile: asked for with the old count
    qtbot.wait(50)
    release.set()
    qtbot.waitUntil(lambda: model.total == 1000, timeout=10_000)
    settled(qtbot, controller)  # anything still on its way has arrived
    qtbot.waitUntil(lambda: model.data(model.index(350, 1)) != LOADING, timeout=10_000)

    with open_case(case_path, backups=False) as case:
        [expected] = case.listing.window(everything, 350, 1, 1000).records
    shown = model.record_at(350)
    assert shown is not None
    assert shown.id == expected.id
    controller.shutdown()


def test_a_jump_keeps_the_last_picture_until_its_rows_come(
    qtbot: QtBot, case_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows on their way are not painted as "…" while the table holds its last picture;
    they are painted once they come, and placeholders only once the hold runs out."""
    painted: list[tuple[int, str]] = []
    data = RecordTableModel.data

    def spy(self: RecordTableModel, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        value = data(self, index, role)
        if role == Qt.ItemDataRole.DisplayRole and index.column() == 1:
            painted.append((index.row(), value))
        return value

    monkeypatch.setattr(RecordTableModel, "data", spy)  # before the model is made
    controller, model = statements_model(qtbot, case_path, 1000)
    table = RecordTable()
    qtbot.addWidget(table)
    table.resize(600, 400)
    table.setModel(model)
    table.show()
    model.refresh()
    qtbot.waitUntil(lambda: model.data(model.index(0, 1)) not in (None, LOADING), timeout=10_000)

    def jump_while_busy(row: int) -> threading.Event:
        release = threading.Event()
        controller.read(lambda case: release.wait(5), lambda _: None)  # rows wait
        painted.clear()
        table.verticalScrollBar().setValue(row)
        table.viewport().repaint()
        return release

    monkeypatch.setattr(record_table, "HOLD_MS", 60_000)
    release = jump_while_busy(500)
    assert painted == []  # held: the old picture stays, no "…"
    release.set()
    qtbot.waitUntil(lambda: any(row == 500 for row, _ in painted), timeout=10_000)
    assert LOADING not in {text for _row, text in painted}
    with open_case(case_path, backups=False) as case:
        [expected] = case.listing.window(model.query, 500, 1, 1000).records
    assert (500, expected.label) in painted

    monkeypatch.setattr(record_table, "HOLD_MS", 1)
    release = jump_while_busy(800)
    qtbot.waitUntil(lambda: (800, LOADING) in painted, timeout=10_000)  # the hold ran out
    release.set()
    qtbot.waitUntil(lambda: painted[-1] != (800, LOADING) and painted[-1][1] != LOADING)

    # A small scroll is not held: the rows it moved would show twice (placeholders show).
    monkeypatch.setattr(record_table, "HOLD_MS", 60_000)
    release = jump_while_busy(795)  # rows 800 on are here, 795 to 799 are not
    assert (797, LOADING) in painted
    release.set()
    controller.shutdown()


def window_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The (start, count) of every listing window asked for from now on."""
    asked: list[tuple[int, int]] = []
    window = Listing.window

    def spy(self: Listing, q: ListQuery, start: int, count: int, total: int) -> Any:
        asked.append((start, count))
        return window(self, q, start, count, total)

    monkeypatch.setattr(Listing, "window", spy)
    return asked


@pytest.mark.parametrize("rows", [12, 3 * PAGE])
def test_a_new_list_comes_with_the_rows_on_screen_in_one_trip(
    qtbot: QtBot, case_path: Path, monkeypatch: pytest.MonkeyPatch, rows: int
) -> None:
    """A new list's first trip brings the rows the table has room for, however many
    pages they span, and no more of their last page (its first paint waits for those
    alone); scrolling within that page brings the rest of it. A list that grows back
    (the filter cleared) fills the screen in the same one trip."""
    asked = window_calls(monkeypatch)
    controller, model = statements_model(qtbot, case_path, 1000)
    table = RecordTable()
    qtbot.addWidget(table)
    table.setModel(model)
    table.resize(600, rows * table.verticalHeader().defaultSectionSize())
    table.show()
    model.refresh()
    qtbot.waitUntil(lambda: model.data(model.index(0, 1)) not in (None, LOADING), timeout=10_000)
    room = len(range(table.rowAt(0), table.rowAt(table.viewport().height() - 1) + 1))
    assert room in (rows, rows - 1)  # the last one may be cut by the frame
    everything = model.query
    for text, total in (("999", 1), ("", 1000), ("marked", 500)):
        asked.clear()
        model.set_query(replace(everything, text=text))
        qtbot.waitUntil(partial(lambda n: model.total == n, total), timeout=10_000)
        assert len(asked) == 1, text
        [(start, count)] = asked
        assert start == 0, text
        assert min(room, total) <= count <= room + 1, (text, asked)
    qtbot.wait(50)
    assert len(asked) == 1  # nothing on screen was missing
    if room < PAGE:
        row = count + 5  # further down the first page
        table.verticalScrollBar().setValue(row)
        qtbot.waitUntil(lambda: model.data(model.index(row, 1)) not in (None, LOADING))
        assert asked[1:] == [(0, PAGE)]
        with open_case(case_path, backups=False) as case:
            [expected] = case.listing.window(model.query, row, 1, 500).records
        assert model.data(model.index(row, 1)) == expected.label
    controller.shutdown()


def test_a_list_that_gets_shorter_under_a_deep_scroll_brings_its_end_in_one_trip(
    qtbot: QtBot, case_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Filtered while far down, the table stops at the shorter list's end: its first
    trip brings those rows. Its columns were fitted to the rows when they came (the
    worker is a real one): the empty Speaker column is as wide as its title."""
    asked = window_calls(monkeypatch)
    controller, model = statements_model(qtbot, case_path, 1000)
    table = RecordTable()
    qtbot.addWidget(table)
    table.setModel(model)
    table.resize(1400, 12 * table.verticalHeader().defaultSectionSize())  # room for all
    table.show()
    table.fit(model.columns)
    model.refresh()
    qtbot.waitUntil(lambda: model.data(model.index(0, 1)) not in (None, LOADING), timeout=10_000)
    speaker = [c.title for c in model.columns].index("Speaker")
    assert table.horizontalHeader().sectionSize(speaker) < model.columns[speaker].width
    table.verticalScrollBar().setValue(700)
    qtbot.waitUntil(lambda: model.data(model.index(700, 1)) not in (None, LOADING))
    asked.clear()

    model.set_query(replace(model.query, text="marked"))  # 500 rows
    qtbot.waitUntil(lambda: model.total == 500, timeout=10_000)
    qtbot.wait(50)
    [(start, count)] = asked
    shown = range(table.rowAt(0), table.rowAt(table.viewport().height() - 1) + 1)
    assert shown[-1] == 499
    assert start <= shown[0]
    assert start + count == 500
    controller.shutdown()


def test_a_closed_case_is_among_the_recent_ones_and_opens_from_there(
    window: MainWindow, demo_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The start page lists the cases opened before (in this window and the next one),
    each by name and folder, and a double-click opens one; the closed case's last news
    leaves the status bar with it."""
    monkeypatch.setenv("HOME", str(demo_path.parent.parent))
    window.opener.open_path(demo_path)
    window.statusBar().showMessage("Import finished: 1 imported, 0 duplicate, 0 failed.")
    window.close_case()
    assert window.stack.currentWidget() is window.start_page
    assert window.statusBar().currentMessage() == ""
    listed = window.start_page.recent
    assert listed.isVisibleTo(window)
    assert listed.item(0).text() == f"{demo_path.stem}\n~/{demo_path.parent.name}"

    listed.itemActivated.emit(listed.item(0))
    assert window.controller.info is not None
    assert window.controller.info.path == demo_path.resolve()
    later = MainWindow(CaseController(Worker(synchronous=True)), WindowSettings())
    qtbot.addWidget(later)
    assert later.start_page.recent.item(0).data(Qt.ItemDataRole.UserRole) == demo_path.resolve()


def test_a_long_job_does_not_block_the_event_loop(qtbot: QtBot, case_path: Path) -> None:
    """Work runs on the worker thread: timers keep firing while it runs."""
    worker = Worker()
    controller = CaseController(worker)
    controller.open(case_path)
    qtbot.waitUntil(lambda: controller.info is not None, timeout=10_000)
    release = threading.Event()
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(10)

    def slow(case: Case, task: Task) -> str:
        release.wait(5)
        return case.info().title

    done: list[str] = []
    controller.run(slow, done.append)
    qtbot.waitUntil(lambda: len(ticks) >= 10, timeout=3_000)
    assert not done  # still running, and the GUI thread kept ticking
    release.set()
    qtbot.waitUntil(lambda: done == ["Test case"], timeout=5_000)
    timer.stop()
    controller.shutdown()


def test_the_pinned_qt_keeps_python_booleans_alive(qtbot: QtBot) -> None:
    """PySide6 6.12.0 lost a reference to True on every Signal(bool) emit (the interpreter
    then aborts); this guards the pin in pyproject.toml."""
    worker = Worker(synchronous=True)
    seen: list[bool] = []
    worker.busy_changed.connect(seen.append)
    before = sys.getrefcount(True)
    for _ in range(2000):
        worker.busy_changed.emit(True)
    assert len(seen) == 2000
    assert sys.getrefcount(True) >= before


def test_what_exists_once_the_window_is_made_is_left_out_of_full_collections() -> None:
    """A full garbage collection walked every module, class and mapper, freezing the
    window for about 30 ms; once frozen, they are not walked."""
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        keep_what_started()
        assert gc.get_freeze_count() > 10_000  # the modules, classes and mappers loaded
    finally:
        gc.unfreeze()
