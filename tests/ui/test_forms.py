"""The record form and its input widgets, driven the way a user drives them: keys typed,
boxes clicked, suggestions picked, against a real case through the real controller."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPalette, QUndoStack
from PySide6.QtWidgets import QApplication, QCheckBox, QDialogButtonBox, QLabel, QWidget
from pytestqt.qtbot import QtBot

from casefile.domain.changes import changes_of
from casefile.domain.dates import DateError, PartialDate
from casefile.domain.display import field_label
from casefile.domain.errors import InvalidInput
from casefile.domain.figures import Figure
from casefile.domain.records import (
    AnyFields,
    AttackFields,
    GroupFields,
    LinkFields,
    PersonFields,
    QuoteFields,
    Record,
    SourceFields,
)
from casefile.domain.terms import (
    AttackStatus,
    Claimed,
    Confidence,
    Credibility,
    GroupKind,
    Kind,
    PersonRole,
    PersonStatus,
    Relation,
    Reliability,
    SourceKind,
    Vocabulary,
)
from casefile.services.list_query import ListQuery, Page
from casefile.ui.controller import CaseController
from casefile.ui.forms import RecordDialog, RecordForm
from casefile.ui.inputs import (
    ERROR_COLOR,
    EnumChecks,
    EnumCombo,
    FigureEdit,
    PartialDateEdit,
    RecordListPicker,
    RecordPicker,
    TermsEdit,
    TextListEdit,
)
from casefile.ui.undo import Editor
from casefile.ui.worker import Worker

# Shown windows and popups ask the offscreen platform for what only a real screen does
# (size limits, raising, grabbing the keyboard); it warns and carries on.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def controller(qtbot: QtBot, case_path: Path) -> Iterator[CaseController]:
    """A controller on a real case; every background job runs at once, and any failure
    it reports fails the test."""
    worker = Worker(synchronous=True)
    opened = CaseController(worker)
    reported: list[object] = []
    opened.failed.connect(reported.append)
    worker.unexpected.connect(reported.append)
    opened.open(case_path)
    assert opened.is_open
    yield opened
    opened.shutdown()
    assert reported == []


def add(
    controller: CaseController, fields: AnyFields, tags: tuple[str, ...] = (), notes: str = ""
) -> Record[Any]:
    stored: list[Record[Any]] = []
    controller.write(
        lambda case: case.records.add(fields, tags=tags, notes=notes),
        stored.append,
        changes=lambda record: changes_of([record]),
    )
    return stored[0]


@pytest.fixture
def editor(controller: CaseController) -> Editor:
    """The window's edits, on an undo stack of their own."""
    return Editor(controller, QUndoStack())


@pytest.fixture
def known(controller: CaseController) -> dict[str, Record[Any]]:
    """A few records for references to point at."""
    return {
        "group": add(
            controller, GroupFields(name="Islamic State", group_kind=GroupKind.MILITANT_GROUP)
        ),
        "person": add(controller, PersonFields(name="Khalid Masood")),
        "source": add(controller, SourceFields(title="Westminster attack analysis")),
        "report": add(controller, SourceFields(title="Coroner's report")),
    }


def show(qtbot: QtBot, widget: QWidget) -> None:
    """On screen and active, so that clicks and keys reach it as they reach a user's."""
    qtbot.addWidget(widget)
    with qtbot.waitActive(widget):
        widget.show()
        widget.activateWindow()


def retype(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Select all and type over it, as a user corrects a field."""
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)


def text_colour(widget: QWidget) -> str:
    return widget.palette().color(QPalette.ColorRole.Text).name()


# -- single widgets ----------------------------------------------------------------------


def test_date_edit_says_how_it_read_the_text(qtbot: QtBot) -> None:
    edit = PartialDateEdit(name="Date")
    qtbot.addWidget(edit)
    with qtbot.waitSignal(edit.edited):
        qtbot.keyClicks(edit.line, "March 2016")
    assert "March 2016" in edit.note.text()
    assert "month" in edit.note.text()
    assert edit.value() == PartialDate(2016, 3)

    retype(qtbot, edit.line, "c. 2014")
    assert edit.note.text() == "→ c. 2014, year precision"
    assert edit.value() == PartialDate(2014, circa=True)


def test_date_edit_explains_what_it_cannot_read(qtbot: QtBot) -> None:
    edit = PartialDateEdit(name="Date")
    qtbot.addWidget(edit)
    qtbot.keyClicks(edit.line, "yesterday")
    assert edit.note.text() == "'yesterday' is not a date"
    assert edit.note.foregroundRole() == QPalette.ColorRole.WindowText
    assert edit.note.palette().color(QPalette.ColorRole.WindowText) == ERROR_COLOR
    assert edit.line.toolTip() == "'yesterday' is not a date"
    with pytest.raises(DateError):
        edit.value()


def test_empty_date_is_no_date_and_set_value_shows_a_date(qtbot: QtBot) -> None:
    edit = PartialDateEdit(name="Date")
    qtbot.addWidget(edit)
    assert edit.value() is None
    assert edit.note.text().startswith("e.g.")
    edit.set_value(PartialDate(2017, 3, 22))
    assert edit.line.text() == "22 March 2017"
    assert edit.value() == PartialDate(2017, 3, 22)
    edit.set_value(None)
    assert edit.value() is None


def test_figure_edit_takes_counts_as_sources_give_them(qtbot: QtBot) -> None:
    edit = FigureEdit(name="Killed")
    qtbot.addWidget(edit)
    normal = text_colour(edit)
    assert edit.placeholderText() == "unknown"
    qtbot.keyClicks(edit, "unknown")
    assert edit.value() is None
    retype(qtbot, edit, "3")
    assert edit.value() == Figure.exactly(3)
    retype(qtbot, edit, "at least 30")
    assert edit.value() == Figure(30, None)
    retype(qtbot, edit, "dozens (at least 24)")
    assert edit.value() == Figure(24, None, "dozens")
    retype(qtbot, edit, "dozens")
    with pytest.raises(InvalidInput, match="say what 'dozens' implies"):
        edit.value()
    assert text_colour(edit) == ERROR_COLOR.name()
    assert "dozens (at least 24)" in edit.toolTip()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    assert edit.value() is None
    assert text_colour(edit) == normal
    assert edit.toolTip() == FigureEdit.HINT


def test_enum_combo_explains_the_chosen_grade(qtbot: QtBot) -> None:
    combo = EnumCombo(Reliability, optional=True, name="Reliability")
    holder = QWidget()
    combo.setParent(holder)
    combo.explanation.setParent(holder)
    qtbot.addWidget(holder)
    assert combo.currentText() == "—"
    assert combo.value() is None
    assert combo.explanation.text() == ""
    with qtbot.waitSignal(combo.edited):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == "B — Usually reliable"
    assert combo.value() is Reliability.B
    assert combo.explanation.text() == Reliability.B.explanation
    assert combo.itemData(combo.currentIndex(), Qt.ItemDataRole.ToolTipRole) == (
        Reliability.B.explanation
    )
    assert combo.accessibleDescription() == Reliability.B.explanation
    combo.set_value(Reliability.F)
    assert combo.explanation.text() == "No basis exists for evaluating reliability"


def test_enum_combo_shows_plain_labels_where_values_are_not_codes(qtbot: QtBot) -> None:
    combo = EnumCombo(Claimed, name="Claimed")
    qtbot.addWidget(combo)
    assert [combo.itemText(i) for i in range(combo.count())] == ["Unknown", "Yes", "No"]
    assert combo.explanation.isHidden()


def test_enum_checks_keep_the_order_ticked(qtbot: QtBot) -> None:
    checks = EnumChecks(PersonRole, name="Roles")
    show(qtbot, checks)
    boxes = {box.text(): box for box in checks.findChildren(QCheckBox)}
    with qtbot.waitSignal(checks.edited):
        qtbot.mouseClick(boxes["Suspect"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(boxes["Perpetrator"], Qt.MouseButton.LeftButton)
    assert checks.value() == (PersonRole.SUSPECT, PersonRole.PERPETRATOR)
    qtbot.mouseClick(boxes["Suspect"], Qt.MouseButton.LeftButton)
    assert checks.value() == (PersonRole.PERPETRATOR,)
    checks.set_value((PersonRole.VICTIM,))
    assert boxes["Victim"].isChecked()
    assert not boxes["Perpetrator"].isChecked()
    assert boxes["Victim"].accessibleName() == "Roles: Victim"


def test_text_list_edit_splits_on_semicolons(qtbot: QtBot) -> None:
    edit = TextListEdit(name="Aliases")
    qtbot.addWidget(edit)
    assert ";" in edit.placeholderText()
    qtbot.keyClicks(edit, " Adrian Elms ;Adrian Ajao;; ")
    assert edit.value() == ("Adrian Elms", "Adrian Ajao")
    edit.set_value(("A", "B"))
    assert edit.text() == "A; B"


def test_terms_edit_offers_the_case_vocabulary_and_returns_codes(
    qtbot: QtBot, controller: CaseController
) -> None:
    terms = TermsEdit(controller, Vocabulary.WEAPON_TYPE, name="Weapon types")
    show(qtbot, terms)
    labels = [terms.list.item(row).text() for row in range(terms.list.count())]
    assert "Vehicle" in labels
    assert terms.note.text() == "none ticked"
    terms.list.setFocus()
    for label in ("Vehicle", "Melee"):
        terms.list.setCurrentRow(labels.index(label))
        with qtbot.waitSignal(terms.edited):
            qtbot.keyClick(terms.list, Qt.Key.Key_Space)
    assert terms.value() == ("vehicle", "melee")
    assert terms.note.text() == "Vehicle, Melee"
    terms.set_value(("firearms",))
    assert terms.value() == ("firearms",)
    assert terms.note.text() == "Firearms"


# -- picking records ---------------------------------------------------------------------


def offered(picker: RecordPicker) -> list[str]:
    model = picker.suggestions
    return [model.item(row).text() for row in range(model.rowCount())]


def click_offer(qtbot: QtBot, picker: RecordPicker, text: str) -> None:
    popup = picker.completer.popup()
    assert popup is not None
    qtbot.waitUntil(popup.isVisible)
    index = popup.model().index(offered(picker).index(text), 0)
    rect = popup.visualRect(index)
    qtbot.mouseClick(popup.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def search(qtbot: QtBot, picker: RecordPicker, text: str, expected: str) -> None:
    picker.line.setFocus()
    qtbot.keyClicks(picker.line, text)
    qtbot.waitUntil(lambda: expected in offered(picker))


def test_picker_offers_records_matching_what_is_typed(
    qtbot: QtBot, controller: CaseController, known: dict[str, Record[Any]]
) -> None:
    picker = RecordPicker(controller, [Kind.PERSON, Kind.GROUP], name="Speaker")
    show(qtbot, picker)
    search(qtbot, picker, "khal", "Khalid Masood (person)")
    assert offered(picker) == [
        "Khalid Masood (person)",
        "Create new person “khal”…",
        "Create new group “khal”…",
    ]
    with qtbot.waitSignal(picker.edited):
        click_offer(qtbot, picker, "Khalid Masood (person)")
    assert picker.value() == known["person"].id
    assert picker.line.text() == "Khalid Masood"


def test_picker_refuses_text_that_was_not_picked(
    qtbot: QtBot, controller: CaseController, known: dict[str, Record[Any]]
) -> None:
    picker = RecordPicker(controller, [Kind.GROUP], name="Claimed by")
    show(qtbot, picker)
    picker.set_value(known["group"].id)  # the label is looked up in the case
    assert picker.line.text() == "Islamic State"
    picker.line.setFocus()
    qtbot.keyClick(picker.line, Qt.Key.Key_End)
    qtbot.keyClicks(picker.line, " Khorasan")
    with pytest.raises(InvalidInput, match="choose “Islamic State Khorasan”"):
        picker.value()
    qtbot.keyClick(picker.line, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(picker.line, Qt.Key.Key_Backspace)
    assert picker.value() is None


def test_picker_asks_to_create_a_record_from_the_typed_text(
    qtbot: QtBot, controller: CaseController
) -> None:
    picker = RecordPicker(controller, [Kind.PERSON, Kind.GROUP], name="Speaker")
    show(qtbot, picker)
    search(qtbot, picker, "Rachid", "Create new group “Rachid”…")
    with qtbot.waitSignal(picker.create_requested) as signal:
        click_offer(qtbot, picker, "Create new group “Rachid”…")
    assert signal.args == [Kind.GROUP, "Rachid"]


def test_list_picker_adds_and_removes_citations(
    qtbot: QtBot, controller: CaseController, known: dict[str, Record[Any]]
) -> None:
    citations = RecordListPicker(controller, [Kind.SOURCE, Kind.QUOTE], name="Citations")
    show(qtbot, citations)
    search(qtbot, citations.picker, "report", "Coroner's report (source)")
    click_offer(qtbot, citations.picker, "Coroner's report (source)")
    assert citations.picker.line.text() == ""
    search(qtbot, citations.picker, "analysis", "Westminster attack analysis (source)")
    click_offer(qtbot, citations.picker, "Westminster attack analysis (source)")
    assert citations.value() == (known["report"].id, known["source"].id)
    qtbot.mouseClick(
        citations.chosen.viewport(),
        Qt.MouseButton.LeftButton,
        pos=citations.chosen.visualItemRect(citations.chosen.item(0)).center(),
    )
    with qtbot.waitSignal(citations.edited):
        qtbot.mouseClick(citations.remove_button, Qt.MouseButton.LeftButton)
    assert citations.value() == (known["source"].id,)
    citations.set_value((known["report"].id,))
    assert citations.chosen.item(0).text() == "Coroner's report (source)"


# -- forms and dialogs -------------------------------------------------------------------


def full_records(known: dict[str, Record[Any]]) -> list[AnyFields]:
    return [
        AttackFields(
            title="Westminster attack",
            date=PartialDate(2017, 3, 22),
            end_date=PartialDate(2017, 3, 22),
            location="Westminster Bridge",
            city="London",
            country="United Kingdom",
            latitude=51.5007,
            longitude=-0.1246,
            attack_types=("unarmed_assault", "armed_assault"),
            weapon_types=("vehicle", "melee"),
            target_types=("private_citizens", "police"),
            killed=Figure.exactly(5),
            wounded=Figure.exactly(49),
            perpetrators_killed=Figure.exactly(1),
            claimed=Claimed.YES,
            claimed_by=known["group"].id,
            claim_date=PartialDate(2017, 3, 23),
            claim_method="Amaq statement",
            status=AttackStatus.DISPUTED,
            summary="A car was driven into pedestrians.\nAn officer was stabbed.",
        ),
        PersonFields(
            name="Khalid Masood",
            aliases=("Adrian Elms", "Adrian Ajao"),
            roles=(PersonRole.SUSPECT, PersonRole.PERPETRATOR),
            nationality="British",
            birth_date=PartialDate(1964, 12, 25),
            status=PersonStatus.DECEASED,
        ),
        GroupFields(name="Islamic State", aliases=("ISIS", "Daesh"), country="Syria"),
        SourceFields(
            title="Westminster attack analysis",
            source_kind=SourceKind.REPORT,
            authors=("J. Smith", "A. Jones"),
            publisher="CTC Sentinel",
            published=PartialDate(2017, 3, circa=True),
            url="https://example.org/westminster",
            accessed=PartialDate(2017),
            language="en",
            reliability=Reliability.C,
        ),
        QuoteFields(
            text="The attacker was a soldier of the Islamic State.",
            source=known["source"].id,
            speaker=known["group"].id,
            page=3,
            paragraph=2,
            char_start=10,
            char_end=58,
            said=PartialDate(2017, 3, 23),
            credibility=Credibility.DOUBTFUL,
            language="ar",
            translation="The attacker was a soldier.",
            context="Amaq statement",
        ),
        LinkFields(
            subject=known["person"].id,
            relation=Relation.MEMBER_OF,
            object=known["group"].id,
            start=PartialDate(2016),
            end=PartialDate(2017, 3),
            confidence=Confidence.POSSIBLE,
            citations=(known["source"].id, known["report"].id),
        ),
    ]


def test_form_round_trips_fully_filled_records(
    qtbot: QtBot, controller: CaseController, known: dict[str, Record[Any]]
) -> None:
    for fields in full_records(known):
        form = RecordForm(controller, type(fields))
        qtbot.addWidget(form)
        form.set_fields(fields)
        assert form.fields() == fields
        assert form.problem() == ""


def test_a_records_ticked_terms_are_listed_first(
    qtbot: QtBot, controller: CaseController, known: dict[str, Record[Any]]
) -> None:
    attack = full_records(known)[0]
    form = RecordForm(controller, AttackFields)
    qtbot.addWidget(form)
    form.set_fields(attack)
    weapons = form.inputs["weapon_types"].list
    shown = [weapons.item(row) for row in range(weapons.count())]
    ticked = [i.data(Qt.ItemDataRole.UserRole) for i in shown[:2]]
    assert ticked == ["melee", "vehicle"]  # first, in the vocabulary's order
    assert all(i.checkState() == Qt.CheckState.Checked for i in shown[:2])
    rest = [i.text() for i in shown[2:]]
    assert rest == sorted(rest, key=str.casefold)  # then the others, as before
    assert form.fields() == attack


def test_form_labels_are_humanised_and_controls_named(
    qtbot: QtBot, controller: CaseController
) -> None:
    form = RecordForm(controller, AttackFields)
    qtbot.addWidget(form)
    captions = [label.text() for label in form.findChildren(QLabel) if label.buddy()]
    assert captions[:3] == ["Title", "Date", "End date"]
    assert "Perpetrators killed" in captions
    assert "Claimed by" in captions
    assert field_label("url") == "URL"
    assert field_label("char_start") == "Character start"
    assert form.inputs["perpetrators_killed"].accessibleName() == "Perpetrators killed"
    assert form.inputs["date"].line.accessibleName() == "Date"


def test_a_new_form_starts_from_the_defaults(qtbot: QtBot, controller: CaseController) -> None:
    form = RecordForm(controller, AttackFields)
    qtbot.addWidget(form)
    assert form.problem() == "Title is required."
    qtbot.keyClicks(form.inputs["title"], "Westminster attack")
    assert form.fields() == AttackFields(title="Westminster attack")


def test_form_reports_a_bad_date_with_its_label(qtbot: QtBot, controller: CaseController) -> None:
    form = RecordForm(controller, AttackFields)
    qtbot.addWidget(form)
    qtbot.keyClicks(form.inputs["title"], "Westminster attack")
    with qtbot.waitSignal(form.validity_changed) as signal:
        qtbot.keyClicks(form.inputs["claim_date"].line, "yesterday")
    assert signal.args == [False, "Claim date: 'y' is not a date."]  # told at the first key
    assert form.validity() == (False, "Claim date: 'yesterday' is not a date.")
    with pytest.raises(InvalidInput) as raised:
        form.fields()
    assert str(raised.value) == "Claim date: 'yesterday' is not a date"


def test_form_reports_rules_that_span_fields(qtbot: QtBot, controller: CaseController) -> None:
    form = RecordForm(controller, AttackFields)
    qtbot.addWidget(form)
    qtbot.keyClicks(form.inputs["title"], "Westminster attack")
    qtbot.keyClicks(form.inputs["latitude"], "51.5")
    assert form.problem() == "Give both latitude and longitude, or neither."
    qtbot.keyClicks(form.inputs["longitude"], "-0.12")
    assert form.problem() == ""


def test_required_references_and_relations_must_be_given(
    qtbot: QtBot, controller: CaseController
) -> None:
    quote = RecordForm(controller, QuoteFields)
    qtbot.addWidget(quote)
    qtbot.keyClicks(quote.inputs["text"], "We did it")
    assert quote.problem() == "Source is required."
    link = RecordForm(controller, LinkFields)
    qtbot.addWidget(link)
    assert link.inputs["relation"].currentText() == "—"
    assert set(link.inputs["subject"].kinds) == set(Kind)
    assert link.inputs["relation"].explanation.text() == ""
    link.inputs["relation"].set_value(Relation.CARRIED_OUT)
    assert "carried out by" in link.inputs["relation"].explanation.text()


def test_dialog_keeps_ok_disabled_until_the_date_is_fixed(qtbot: QtBot, editor: Editor) -> None:
    dialog = RecordDialog(editor, Kind.ATTACK)
    show(qtbot, dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert dialog.windowTitle() == "New attack"
    assert not ok.isEnabled()
    qtbot.keyClicks(dialog.form.inputs["title"], "Westminster attack")
    date = dialog.form.inputs["date"].line
    qtbot.keyClicks(date, "yesterday")
    assert not ok.isEnabled()
    assert dialog.error.isVisible()
    assert dialog.error.text() == "Date: 'yesterday' is not a date."
    assert dialog.error.foregroundRole() == QPalette.ColorRole.WindowText  # the error colour

    retype(qtbot, date, "22 March 2017")
    qtbot.keyClicks(dialog.form.inputs["killed"], "5")
    qtbot.keyClicks(dialog.tags, "uk; vehicle")
    qtbot.keyClicks(dialog.notes, "Date inferred from the article.")
    assert ok.isEnabled()
    assert dialog.error.text() == ""
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.values() == (
        AttackFields(
            title="Westminster attack", date=PartialDate(2017, 3, 22), killed=Figure.exactly(5)
        ),
        ("uk", "vehicle"),
        "Date inferred from the article.",
    )


def test_edit_dialog_shows_the_record_and_the_reliability_explanation(
    qtbot: QtBot, controller: CaseController, editor: Editor, known: dict[str, Record[Any]]
) -> None:
    source = full_records(known)[3]
    record = add(controller, source, tags=("osint",), notes="Checked.")
    dialog = RecordDialog(editor, Kind.SOURCE, record)
    show(qtbot, dialog)
    assert dialog.windowTitle() == "Edit source"
    reliability = dialog.form.inputs["reliability"]
    assert reliability.explanation.isVisible()
    assert reliability.explanation.text() == Reliability.C.explanation
    assert dialog.values() == (source, ("osint",), "Checked.")


def test_link_dialog_starts_from_the_selected_record(
    qtbot: QtBot, editor: Editor, known: dict[str, Record[Any]]
) -> None:
    dialog = RecordDialog(editor, Kind.LINK, preset={"subject": known["person"].id})
    show(qtbot, dialog)
    assert dialog.windowTitle() == "New link"
    assert dialog.form.inputs["subject"].line.text() == "Khalid Masood"
    assert dialog.error.text() == "Relation is required."
    assert dialog.error.foregroundRole() == QPalette.ColorRole.PlaceholderText  # a hint yet


def test_link_dialog_says_a_relation_that_does_not_fit_before_it_closes(
    qtbot: QtBot, editor: Editor, known: dict[str, Record[Any]]
) -> None:
    """Seen in a real window: the case refused the link after the dialog had closed, and
    what was typed was gone. The form says it, and OK waits for a relation that fits."""
    dialog = RecordDialog(
        editor, Kind.LINK, preset={"subject": known["source"].id, "object": known["group"].id}
    )
    show(qtbot, dialog)
    relation = dialog.form.inputs["relation"]
    relation.set_value(Relation.MEMBER_OF)
    dialog.form.revalidate()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.waitUntil(lambda: "cannot be linked" in dialog.error.text())
    assert dialog.error.text() == (
        "A source cannot be linked to a group as “member of”: "
        "it links a person or group to a group."
    )
    assert not ok.isEnabled()
    relation.set_value(Relation.INVESTIGATED)  # a source can investigate a group
    dialog.form.revalidate()
    assert dialog.error.text() == ""
    assert ok.isEnabled()


def test_dialog_creates_a_missing_record_from_a_picker(
    qtbot: QtBot, controller: CaseController, editor: Editor, known: dict[str, Record[Any]]
) -> None:
    dialog = RecordDialog(editor, Kind.QUOTE)
    show(qtbot, dialog)
    speaker = dialog.form.inputs["speaker"]
    search(qtbot, speaker, "Rachid Redouane", "Create new person “Rachid Redouane”…")
    click_offer(qtbot, speaker, "Create new person “Rachid Redouane”…")
    qtbot.waitUntil(lambda: bool(dialog.findChildren(RecordDialog)))
    (nested,) = dialog.findChildren(RecordDialog)
    assert nested.windowTitle() == "New person"
    assert nested.form.inputs["name"].text() == "Rachid Redouane"
    with qtbot.waitSignal(controller.changed):
        qtbot.mouseClick(
            nested.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )
    created: list[Record[Any]] = []
    controller.read(lambda case: case.records.get(speaker.value()), created.append)
    assert created[0].fields == PersonFields(name="Rachid Redouane")
    assert speaker.line.text() == "Rachid Redouane"


def test_a_record_made_from_a_picker_is_undone_like_any_other_add(
    qtbot: QtBot, controller: CaseController, editor: Editor, known: dict[str, Record[Any]]
) -> None:
    """ "Create new …" is an edit of its own: Undo takes the new record out of the case,
    Redo brings it back as the same record."""
    dialog = RecordDialog(editor, Kind.QUOTE)
    show(qtbot, dialog)
    speaker = dialog.form.inputs["speaker"]
    search(qtbot, speaker, "Rachid Redouane", "Create new person “Rachid Redouane”…")
    click_offer(qtbot, speaker, "Create new person “Rachid Redouane”…")
    qtbot.waitUntil(lambda: bool(dialog.findChildren(RecordDialog)))
    (nested,) = dialog.findChildren(RecordDialog)
    with qtbot.waitSignal(controller.changed) as changed:
        qtbot.mouseClick(
            nested.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )
    made = speaker.value()
    assert made is not None
    assert changed.args[0].kinds == {Kind.PERSON}
    assert changed.args[0].records == {made}
    assert editor.stack.count() == 1
    assert editor.stack.undoText() == "Add person “Rachid Redouane”"
    dialog.reject()  # the quote is not made: the person stays until undone

    def stored() -> list[str]:
        found: list[list[Record[Any]]] = []
        controller.read(lambda case: case.records.get_many([made]), found.append)
        return [r.label for r in found[0]]

    assert stored() == ["Rachid Redouane"]
    editor.stack.undo()
    assert stored() == []
    editor.stack.redo()
    assert stored() == ["Rachid Redouane"]


def test_tab_follows_the_layout(qtbot: QtBot, editor: Editor) -> None:
    dialog = RecordDialog(editor, Kind.PERSON)
    show(qtbot, dialog)
    inputs = dialog.form.inputs
    expected = [
        inputs["name"],
        inputs["aliases"],
        *inputs["roles"].findChildren(QCheckBox),
        inputs["nationality"],
        inputs["birth_date"].line,
        inputs["status"],
        dialog.tags,
        dialog.notes,
    ]
    assert QApplication.focusWidget() is inputs["name"]  # the dialog opens on its first field
    order = []
    for _ in expected:
        order.append(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert order == expected


@pytest.mark.parametrize("kind", [Kind.ATTACK, Kind.QUOTE, Kind.LINK])
def test_every_control_has_an_accessible_name(qtbot: QtBot, editor: Editor, kind: Kind) -> None:
    dialog = RecordDialog(editor, kind)
    show(qtbot, dialog)
    focusable = [
        widget
        for widget in dialog.form.findChildren(QWidget)
        if widget.focusPolicy() != Qt.FocusPolicy.NoFocus
        and widget.isVisibleTo(dialog)
        and widget.focusProxy() is None
    ]
    assert focusable
    assert [w for w in focusable if not w.accessibleName()] == []


def test_a_late_result_for_a_closed_widget_is_dropped(
    controller: CaseController, known: dict[str, Record[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    late: list[Callable[[str], None]] = []
    monkeypatch.setattr(controller, "read", lambda fn, on_done: late.append(on_done))
    picker = RecordPicker(controller, [Kind.GROUP], name="Claimed by")
    picker.set_value(known["group"].id)
    assert picker.line.text() == "…"
    assert picker.value() == known["group"].id
    picker.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    late[0]("Islamic State")  # the dialog was closed before the case answered


def test_a_quotes_time_is_typed_as_players_show_it_and_stored_in_seconds(
    qtbot: QtBot, controller: CaseController, editor: Editor, known: dict[str, Record[Any]]
) -> None:
    """The quote form's At field reads "1:02" as the terminal does, refuses a time that is
    none in one line, and what OK stores (and Undo takes back) is in the case."""

    def stored() -> Record[Any]:
        found: list[Page] = []
        controller.read(lambda case: case.listing.page(ListQuery(Kind.QUOTE)), found.append)
        [record] = found[0].records
        return record

    dialog = RecordDialog(editor, Kind.QUOTE)
    show(qtbot, dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.keyClicks(dialog.form.inputs["text"], "The caliphate will not forget.")
    dialog.form.inputs["source"].choose(known["source"])
    at = dialog.form.inputs["at"]
    qtbot.keyClicks(at, "0:75:00")
    assert dialog.error.text() == "At: '0:75:00': the minutes of h:mm:ss go up to 59."
    assert not ok.isEnabled()
    retype(qtbot, at, "1:02")
    assert ok.isEnabled()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    editor.add(*dialog.values())  # what the window does with an accepted dialog
    assert stored().fields.at == 62

    quote = stored()
    again = RecordDialog(editor, Kind.QUOTE, quote)
    show(qtbot, again)
    assert again.form.inputs["at"].text() == "0:01:02"
    retype(qtbot, again.form.inputs["at"], "1h2m3s")
    editor.edit(quote.id, *again.values())
    assert stored().fields.at == 3723
    editor.stack.undo()
    assert stored().fields.at == 62
