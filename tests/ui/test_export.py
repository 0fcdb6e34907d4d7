"""File → Export briefing pack…, driven like a user: the dialog, the run, the preview, and
the PDF read back from disk."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialogButtonBox,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from casefile.briefing.options import Section
from casefile.briefing.service import BriefingService
from casefile.cli.main import main as cli_main
from casefile.domain.dates import PartialDate
from casefile.domain.handling import Handling
from casefile.domain.terms import Kind
from casefile.services.case import open_case
from casefile.services.list_query import ListQuery
from casefile.ui.controller import CaseController
from casefile.ui.export_pack import ExportPackDialog, PackPreview
from casefile.ui.main_window import MainWindow
from casefile.ui.settings import WindowSettings
from casefile.ui.worker import Worker
from tests.ui.test_window import select, with_modal

TITLE = "Westminster attack, March 2017"


def pdf_text(path: Path) -> list[str]:
    """Each page's text, as a reader would copy it."""
    pdf = pypdfium2.PdfDocument(path)
    try:
        texts = []
        for number in range(len(pdf)):
            page = pdf[number]
            text = page.get_textpage()
            texts.append(text.get_text_range().replace("\r\n", "\n"))
            text.close()
            page.close()
        return texts
    finally:
        pdf.close()


def pdf_metadata(path: Path, name: str) -> str:
    pdf = pypdfium2.PdfDocument(path)
    try:
        return str(pdf.get_metadata_dict().get(name, ""))
    finally:
        pdf.close()


def pdf_author(path: Path) -> str:
    return pdf_metadata(path, "Author")


def pdf_title(path: Path) -> str:
    return pdf_metadata(path, "Title")


def lines(pages: list[str]) -> set[str]:
    return {line.strip() for page in pages for line in page.splitlines()}


def type_into(qtbot: QtBot, edit: QWidget, text: str) -> None:
    """Replace what a field holds, key by key."""
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def click(qtbot: QtBot, button: QWidget) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def tick(qtbot: QtBot, button: QCheckBox | QRadioButton) -> None:
    """Click a check box or radio button where a user would: on its box (a layout may
    make the widget wider than its box and label, and a click beside them does nothing)."""
    option = QStyleOptionButton()
    button.initStyleOption(option)
    element = (
        QStyle.SubElement.SE_CheckBoxIndicator
        if isinstance(button, QCheckBox)
        else QStyle.SubElement.SE_RadioButtonIndicator
    )
    box = button.style().subElementRect(element, option, button)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=box.center())


def section_box(dialog: ExportPackDialog, section: Section) -> QCheckBox:
    return dialog.sections[section]


def export(
    window: MainWindow, qtbot: QtBot, fill: Callable[[ExportPackDialog], None], *, ok: bool = True
) -> list[ExportPackDialog]:
    """Open the dialog from the File menu, let ``fill`` drive it, then press Export (or
    leave it to ``fill`` to close it). Returns the dialog seen (for its state)."""
    seen: list[ExportPackDialog] = []
    failures: list[BaseException] = []

    def act(dialog: Any) -> None:
        assert isinstance(dialog, ExportPackDialog)
        seen.append(dialog)
        try:
            fill(dialog)
            if ok:
                assert dialog.ok.isEnabled(), dialog.error.text()
                click(qtbot, dialog.ok)
        except BaseException as exc:  # fail the test, not hang it on an open dialog
            failures.append(exc)
            dialog.reject()

    with_modal(qtbot, act)
    window.export_action.trigger()
    # The dialog opens once the worker has read what the case keeps for its packs.
    qtbot.waitUntil(lambda: bool(seen or failures), timeout=10_000)
    if failures:
        raise failures[0]
    assert seen, "the export dialog did not open"
    return seen


def previews(window: QWidget) -> list[PackPreview]:
    return [p for p in window.findChildren(PackPreview) if p.isVisible()]


def attack_id(path: Path, label: str) -> Any:
    with open_case(path, backups=False) as case:
        page = case.listing.page(ListQuery(Kind.ATTACK, limit=100))
    return next(r.id for r in page.records if r.label == label)


@pytest.fixture
def warnings_shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []

    def warning(parent: Any, title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        shown.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    return shown


# -- the menu action --------------------------------------------------------------------------


def test_the_action_is_in_the_file_menu_and_needs_an_open_case(
    window: MainWindow, demo_path: Path
) -> None:
    file_menu = window.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu)
    actions = file_menu.actions()
    assert actions.index(window.export_action) == actions.index(window.limits_action) + 1
    assert window.export_action.shortcut().toString() == "Ctrl+Shift+E"
    assert not window.export_action.isEnabled()
    window.opener.open_path(demo_path)
    assert window.export_action.isEnabled()
    window.close_case()
    assert not window.export_action.isEnabled()


# -- a pack, read back ------------------------------------------------------------------------


def test_a_tagged_pack_with_a_tlp_marking_and_without_two_sections(
    window: MainWindow, demo_path: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    with open_case(demo_path, backups=False) as case:
        case.records.update(attack_id(demo_path, "Westminster attack"), tags=("demo", "london"))
    out = tmp_path / "out" / "westminster.pdf"
    out.parent.mkdir()
    window.opener.open_path(demo_path)

    def fill(dialog: ExportPackDialog) -> None:
        assert dialog.title.placeholderText() == f"{TITLE} (or the scope's)"
        line = dialog.marking.lineEdit()
        assert line is not None
        type_into(qtbot, line, "tlp:amber")
        assert dialog.chip.text() == "TLP:AMBER"
        type_into(qtbot, dialog.author, "A. Analyst")
        tick(qtbot, section_box(dialog, Section.CHARTS))
        tick(qtbot, section_box(dialog, Section.QUOTES))
        qtbot.keyClicks(dialog.tag, "London")
        assert dialog.tagged.isChecked()  # typing a tag chose that scope
        type_into(qtbot, dialog.path, str(out))

    export(window, qtbot, fill)

    pages = pdf_text(out)
    assert len(pages) > 3
    assert all("TLP:AMBER" in page for page in pages)  # the marking is on every page
    found = lines(pages)
    assert "Timeline" in found
    assert "Charts" not in found  # unticked: neither in the contents nor as a heading
    assert "Key quotes" not in found
    text = "\n".join(pages)
    assert "Attacks tagged “London”" in text
    assert pdf_title(out) == "Attacks tagged “London”"  # the scope's: the title was left empty
    assert "Brussels attacks" not in text  # not tagged: out of scope
    assert "Westminster attack [" in text
    assert "A. Analyst" in text
    assert pdf_author(out) == "A. Analyst"

    [preview] = previews(window)
    assert preview.pdf.pageCount() == len(pages)
    assert f"{len(pages)} pages" in preview.windowTitle()
    assert preview.page.maximum() == len(pages)
    assert f"Briefing pack written: {out}" in window.statusBar().currentMessage()
    preview.page.setValue(3)
    navigator = preview.view.pageNavigator()
    assert navigator is not None
    assert navigator.currentPage() == 2
    click(qtbot, preview.buttons.button(QDialogButtonBox.StandardButton.Close))
    assert not previews(window)


def test_the_author_can_be_left_out_of_the_pdf(
    window: MainWindow, demo_path: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    window.opener.open_path(demo_path)
    out = tmp_path / "anonymous.pdf"

    def fill(dialog: ExportPackDialog) -> None:
        type_into(qtbot, dialog.author, "Jane Smith")
        tick(qtbot, dialog.show_author)
        assert not dialog.show_author.isChecked()
        type_into(qtbot, dialog.path, str(out))

    export(window, qtbot, fill)
    assert pdf_author(out) == ""
    assert "Jane Smith" not in "\n".join(pdf_text(out))


def test_the_attack_selected_in_the_window_can_be_the_scope(
    window: MainWindow, demo_path: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    window.opener.open_path(demo_path)

    def nothing_selected(dialog: ExportPackDialog) -> None:
        assert not dialog.chosen.isEnabled()
        dialog.reject()

    export(window, qtbot, nothing_selected, ok=False)
    # The table asked for its rows while the dialog was open; they come on the next turn.
    qtbot.waitUntil(lambda: window.models[Kind.ATTACK].record_at(0) is not None)
    select(window, "Brussels attacks")
    out = tmp_path / "brussels.pdf"

    def fill(dialog: ExportPackDialog) -> None:
        assert dialog.chosen.isEnabled()
        assert "Brussels attacks" in dialog.chosen.text()
        tick(qtbot, dialog.chosen)
        type_into(qtbot, dialog.path, str(out))

    export(window, qtbot, fill)
    text = "\n".join(pdf_text(out))
    assert "Chosen attacks (Brussels attacks): 1 attack" in text  # the cover names them
    assert "Brussels attacks [" in text
    assert "Murder of a Sufi leader" not in text


def test_several_attacks_selected_with_ctrl_click_are_the_scope_and_delete_waits_for_one(
    window: MainWindow, demo_path: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    window.opener.open_path(demo_path)
    select(window, "Brussels attacks")
    model = window.models[Kind.ATTACK]
    labels = [getattr(model.record_at(r), "label", "") for r in range(model.rowCount())]
    where = window.table.visualRect(model.index(labels.index("Westminster attack"), 0)).center()
    qtbot.mouseClick(
        window.table.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ControlModifier,
        where,
    )
    assert len(window.selected_records()) == 2
    assert not window.delete_record_action.isEnabled()  # one delete is one record
    assert window.edit_record_action.isEnabled()
    out = tmp_path / "two.pdf"

    def fill(dialog: ExportPackDialog) -> None:
        assert "2 attacks selected" in dialog.chosen.text()
        tick(qtbot, dialog.chosen)
        type_into(qtbot, dialog.path, str(out))

    export(window, qtbot, fill)
    text = "\n".join(pdf_text(out))
    assert "Brussels attacks [" in text
    assert "Westminster attack [" in text
    assert "Murder of a Sufi leader" not in text
    select(window, "Brussels attacks")  # a plain click: one row again, and it can go
    assert window.delete_record_action.isEnabled()


def test_a_date_range_says_how_it_was_read_and_keeps_the_attacks_inside_it(
    window: MainWindow, demo_path: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    window.opener.open_path(demo_path)
    out = tmp_path / "range"  # no suffix: .pdf is added

    def fill(dialog: ExportPackDialog) -> None:
        qtbot.keyClicks(dialog.start.line, "March 2016")
        assert dialog.dated.isChecked()
        qtbot.keyClicks(dialog.end.line, "yesterday")
        assert not dialog.ok.isEnabled()
        assert "yesterday" in dialog.error.text()
        type_into(qtbot, dialog.end.line, "2015")
        assert not dialog.ok.isEnabled()
        assert "before it starts" in dialog.error.text()
        type_into(qtbot, dialog.end.line, "2016")
        assert "→ March 2016" in dialog.start.note.text()
        assert "1 March 2016 to 31 December 2016" in dialog.scope_note.text()
        type_into(qtbot, dialog.path, str(out))

    export(window, qtbot, fill)
    text = "\n".join(pdf_text(out.with_name("range.pdf")))
    assert "Brussels attacks [" in text
    assert "Murder of an Ahmadi shopkeeper in Glasgow [" in text
    assert "Murder of a Sufi leader" not in text  # February 2016: before the range
    assert "Attack on the Canadian Parliament" not in text


# -- checks as the user types -------------------------------------------------------------------


def test_an_invalid_tlp_label_disables_export_and_says_why(
    window: MainWindow, demo_path: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    window.opener.open_path(demo_path)
    seen: dict[str, Any] = {}

    def fill(dialog: ExportPackDialog) -> None:
        line = dialog.marking.lineEdit()
        assert line is not None
        type_into(qtbot, line, "TLP:PURPLE")
        seen["bad"] = (dialog.ok.isEnabled(), dialog.error.isVisible(), dialog.error.text())
        seen["tooltip"] = dialog.marking.toolTip()
        type_into(qtbot, line, "TLP:RED")
        seen["good"] = (dialog.ok.isEnabled(), dialog.error.isVisible(), dialog.chip.text())
        for section in Section:
            tick(qtbot, section_box(dialog, section))
        seen["no sections"] = (dialog.ok.isEnabled(), dialog.error.text())
        dialog.reject()

    export(window, qtbot, fill, ok=False)
    enabled, visible, message = seen["bad"]
    assert not enabled
    assert visible
    assert "'TLP:PURPLE' is not a TLP 2.0 label" in message
    assert "\n" not in message
    assert "TLP:PURPLE" in seen["tooltip"]  # not told by colour alone
    assert seen["good"] == (True, False, "TLP:RED")
    assert seen["no sections"] == (False, "Choose at least one section.")
    assert not list(tmp_path.glob("*.pdf"))  # nothing was written


def test_a_review_date_that_is_not_a_date_disables_export_and_changes_nothing(
    window: MainWindow, demo_path: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    window.opener.open_path(demo_path)
    out = tmp_path / "pack.pdf"
    seen: dict[str, Any] = {}

    def fill(dialog: ExportPackDialog) -> None:
        type_into(qtbot, dialog.handling_edits["originator"], "Cabinet Office")
        type_into(qtbot, dialog.review.line, "when it is ready")
        seen["bad"] = (dialog.ok.isEnabled(), dialog.error.text())
        type_into(qtbot, dialog.path, str(out))
        dialog.reject()

    export(window, qtbot, fill, ok=False)
    assert seen["bad"] == (False, "Review date: 'when it is ready' is not a date.")
    assert not out.exists()
    with open_case(demo_path, backups=False) as case:
        assert case.briefing.handling() == Handling()


# -- cancel, replace, errors --------------------------------------------------------------------


def test_cancel_leaves_no_file(
    window: MainWindow, demo_path: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    window.opener.open_path(demo_path)
    out = tmp_path / "cancelled.pdf"
    clicks: list[int] = []

    def press_cancel(_task: object, done: int, _total: int) -> None:
        if clicks:
            return
        dialog = window.findChild(QProgressDialog)
        assert dialog is not None
        button = dialog.findChild(QPushButton)
        assert button is not None
        assert button.text() == "Cancel"
        clicks.append(done)
        button.click()

    window.controller.maintenance.progressed.connect(press_cancel)
    try:
        export(window, qtbot, lambda dialog: type_into(qtbot, dialog.path, str(out)))
    finally:
        window.controller.maintenance.progressed.disconnect(press_cancel)
    assert clicks  # the progress dialog heard of progress, and Cancel was pressed
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".pdf"]  # nor a temporary one
    assert "cancelled" in window.statusBar().currentMessage()
    assert not previews(window)
    with open_case(demo_path, backups=False) as case:
        assert case.briefing.next_version() == "1"  # no version was recorded


def test_a_typed_name_of_an_existing_file_asks_before_replacing_it(
    window: MainWindow,
    demo_path: Path,
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "existing.pdf"
    out.write_bytes(b"the previous pack")
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    asked: list[str] = []

    def question(parent: Any, title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    window.opener.open_path(demo_path)
    export(window, qtbot, lambda dialog: type_into(qtbot, dialog.path, str(out)))
    assert "existing.pdf already exists" in asked[0]
    assert out.read_bytes() == b"the previous pack"  # "No" kept it
    assert not previews(window)

    export(window, qtbot, lambda dialog: type_into(qtbot, dialog.path, str(out)))
    assert len(asked) == 2
    assert out.read_bytes().startswith(b"%PDF")  # "Yes" replaced it
    assert len(previews(window)) == 1


def test_a_file_chosen_in_the_save_dialog_is_replaced_without_asking_again(
    window: MainWindow,
    demo_path: Path,
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "chosen.pdf"
    out.write_bytes(b"the previous pack")
    offered: list[str] = []
    asked: list[str] = []

    def question(parent: Any, title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)

    def save_file_name(parent: Any, caption: str, folder: str, *args: Any) -> tuple[str, str]:
        offered.append(folder)
        return str(out), "PDF files (*.pdf)"

    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName", save_file_name)
    window.opener.open_path(demo_path)

    def fill(dialog: ExportPackDialog) -> None:
        click(qtbot, dialog.browse)
        assert dialog.path.text() == str(out)

    export(window, qtbot, fill)
    # The suggestion: named after the case, beside the case file.
    assert offered == [str(demo_path.parent / f"{TITLE} - briefing pack.pdf")]
    assert not asked  # the Save dialog asked already
    assert out.read_bytes().startswith(b"%PDF")


def test_an_export_that_fails_says_why_in_one_line(
    window: MainWindow, demo_path: Path, tmp_path: Path, qtbot: QtBot, warnings_shown: list[str]
) -> None:
    window.opener.open_path(demo_path)
    out = tmp_path / "no such folder" / "pack.pdf"
    export(window, qtbot, lambda dialog: type_into(qtbot, dialog.path, str(out)))
    assert len(warnings_shown) == 1
    assert "no such folder" in warnings_shown[0]
    assert "\n" not in warnings_shown[0]
    assert not previews(window)


# -- after the export -----------------------------------------------------------------------------


def test_show_in_folder_opens_the_packs_folder(
    window: MainWindow,
    demo_path: Path,
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    window.opener.open_path(demo_path)
    out = tmp_path / "packs" / "pack.pdf"
    out.parent.mkdir()
    export(window, qtbot, lambda dialog: type_into(qtbot, dialog.path, str(out)))
    [preview] = previews(window)
    click(qtbot, preview.show_folder)
    assert [url.toLocalFile() for url in opened] == [str(out.parent)]


def test_the_next_export_offers_the_last_marking_author_and_folder(
    window: MainWindow, demo_path: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    window.opener.open_path(demo_path)
    out = tmp_path / "packs" / "first.pdf"
    out.parent.mkdir()

    def fill(dialog: ExportPackDialog) -> None:
        line = dialog.marking.lineEdit()
        assert line is not None
        type_into(qtbot, line, "TLP:GREEN")
        type_into(qtbot, dialog.author, "J. Smith")
        tick(qtbot, dialog.show_author)
        type_into(qtbot, dialog.path, str(out))

    export(window, qtbot, fill)
    for preview in previews(window):
        preview.close()
    WindowSettings().sync()  # as on quit; a new run reads the file

    def check(dialog: ExportPackDialog) -> None:
        dialog.reject()

    [dialog] = export(window, qtbot, check, ok=False)
    assert dialog.marking.currentText() == "TLP:GREEN"
    assert dialog.author.text() == "J. Smith"
    assert not dialog.show_author.isChecked()
    assert Path(dialog.path.text()).parent == out.parent


def test_the_dialog_offers_the_handling_block_the_case_keeps_and_keeps_what_is_typed(
    window: MainWindow, demo_path: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    """The block given to the CLI is offered by the dialog; a change typed there is what
    the next pack carries, and what the case then keeps."""
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    cli = ["export", "pdf", str(demo_path), str(first), "--originator", "Home Office"]
    assert cli_main([*cli, "--reference", "HO/114", "--review", "March 2027"]) == 0
    window.opener.open_path(demo_path)
    offered: dict[str, str] = {}

    def fill(dialog: ExportPackDialog) -> None:
        offered.update({n: e.text() for n, e in dialog.handling_edits.items()})
        offered["review"] = dialog.review.line.text()
        type_into(qtbot, dialog.handling_edits["reference"], "HO/115")
        type_into(qtbot, dialog.handling_edits["instructions"], "Not to be forwarded")
        type_into(qtbot, dialog.review.line, "1 June 2027")
        type_into(qtbot, dialog.path, str(second))

    export(window, qtbot, fill)
    assert offered == {
        "originator": "Home Office",
        "reference": "HO/114",
        "distribution": "",
        "instructions": "",
        "review": "March 2027",
        "contact": "",
    }
    with open_case(demo_path, backups=False) as case:
        assert case.briefing.handling() == Handling(
            originator="Home Office",
            reference="HO/115",
            instructions="Not to be forwarded",
            review=PartialDate(2027, 6, 1),
        )
    cover = pdf_text(second)[0]
    assert "HO/115" in cover
    assert "Not to be forwarded" in cover
    assert "1 June 2027" in cover


def test_the_dialog_offers_the_next_version_and_keeps_one_typed(
    window: MainWindow, demo_path: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    window.opener.open_path(demo_path)
    offered: list[str] = []

    def first(dialog: ExportPackDialog) -> None:
        offered.append(dialog.version.text())
        type_into(qtbot, dialog.path, str(tmp_path / "first.pdf"))

    def second(dialog: ExportPackDialog) -> None:
        offered.append(dialog.version.text())
        type_into(qtbot, dialog.version, "2 (final)")
        type_into(qtbot, dialog.path, str(tmp_path / "second.pdf"))

    export(window, qtbot, first)
    export(window, qtbot, second)
    assert offered == ["1", "2"]
    assert "(version 2 (final), " in window.statusBar().currentMessage()
    assert "Version 2 (final), built " in pdf_text(tmp_path / "second.pdf")[0]
    with open_case(demo_path, backups=False) as case:
        assert case.briefing.next_version() == "3"
        exports = [e.label for e in case.history.entries() if e.action == "export"]
    assert exports == ["version 1: first.pdf", "version 2 (final): second.pdf"]


# -- off the GUI thread -------------------------------------------------------------------------


@pytest.fixture
def threaded_window(qtbot: QtBot) -> Iterator[MainWindow]:
    win = MainWindow(CaseController(Worker()), WindowSettings())
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()  # finishes the workers' jobs and closes the case


def test_the_pack_is_built_off_the_gui_thread(
    threaded_window: MainWindow,
    demo_path: Path,
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = threaded_window
    threads: list[threading.Thread] = []
    original = BriefingService.export

    def export_on(self: BriefingService, *args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(BriefingService, "export", export_on)
    window.opener.open_path(demo_path)
    qtbot.waitUntil(window.export_action.isEnabled, timeout=10_000)
    out = tmp_path / "threaded.pdf"
    export(window, qtbot, lambda dialog: type_into(qtbot, dialog.path, str(out)))
    qtbot.waitUntil(lambda: bool(previews(window)), timeout=20_000)
    assert threads
    assert threads[0] is not threading.main_thread()
    assert threads[0] is not QApplication.instance().thread()  # type: ignore[union-attr]
    assert out.exists()
