"""Documents in the window: import by menu and by drop, mentions, reading and quoting."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QKeySequence, QTextCursor
from PySide6.QtWidgets import QApplication, QInputDialog, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from casefile.domain.records import (
    DocumentFields,
    GroupFields,
    PersonFields,
    QuoteFields,
    Record,
)
from casefile.domain.terms import Kind, Relation
from casefile.services.case import open_case
from casefile.services.list_query import ListQuery
from casefile.ui.dialogs import ImportLimitsDialog
from casefile.ui.document_view import DocumentViewer
from casefile.ui.forms import RecordDialog
from casefile.ui.importing import ImportRun
from casefile.ui.main_window import MainWindow
from casefile.ui.search_panel import MORE
from casefile.ui.settings import WindowSettings
from tests.conftest import settled
from tests.importing.test_ocr import page_picture, scanned_pdf
from tests.importing.test_subtitles import SRT
from tests.services.test_import import make_pdf
from tests.services.test_threads import imported, message
from tests.ui.test_window import select, with_modal

TEXT = "Khalid Masood acted alone.\nIslamic State claimed the attack through Amaq.\n"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "statement.txt").write_text(TEXT)
    make_pdf(folder / "report.pdf", ["Page one words", "Page two words"])
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n garbage")
    return folder


def drop(window: MainWindow, paths: list[Path]) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)


def source_titles(path: Path) -> set[str]:
    with open_case(path, backups=False) as case:
        return {r.label for r in case.listing.page(ListQuery(Kind.SOURCE, limit=100)).records}


def open_imported(
    window: MainWindow, case_path: Path, path: Path
) -> tuple[Record[DocumentFields], DocumentViewer]:
    """``path`` imported into the case, the case opened in the window, and the document
    in a viewer."""
    with open_case(case_path, backups=False) as case:
        case.importer.import_files([path])
        [document] = case.listing.page(ListQuery(Kind.DOCUMENT)).records
    window.opener.open_path(case_path)
    window.open_document(document.id)
    viewer = next(w for w in QApplication.topLevelWidgets() if isinstance(w, DocumentViewer))
    return document, viewer


def test_dropping_a_folder_imports_it_and_reports_the_failures(
    window: MainWindow, case_path: Path, files: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []

    def exec_(box: QMessageBox) -> int:
        shown.append(box.detailedText())
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    window.opener.open_path(case_path)
    drop(window, [files])
    # The damaged PDF is kept unread, named after its file.
    assert source_titles(case_path) == {"Khalid Masood acted alone.", "Threat assessment", "broken"}
    assert len(shown) == 1
    assert "kept broken.pdf unread" in shown[0]
    window.show_kind(Kind.SOURCE)
    model = window.models[Kind.SOURCE]
    assert model.rowCount() == 3  # the table was refreshed
    # The file kept unread is one filter away, by its tag of several words.
    qtbot.keyClicks(window.filter_bar.words, '#"could not read"')
    qtbot.waitUntil(lambda: model.query.tag == "could not read" and model.rowCount() == 1)
    kept = model.record_at(0)
    assert kept is not None
    assert kept.label == "broken"
    assert kept.notes.startswith("Could not read: damaged PDF document")
    with open_case(case_path, backups=False) as case:
        [document] = case.listing.page(ListQuery(Kind.DOCUMENT, text="broken")).records
    window.open_document(document.id)  # the stored file, and why it shows no text
    viewer = next(w for w in QApplication.topLevelWidgets() if isinstance(w, DocumentViewer))
    said = [label.text() for label in viewer.findChildren(QLabel)]
    assert (
        "  Its text could not be read (its source's notes say why); the file is kept as it is."
        in said
    )
    viewer.close()


@pytest.mark.slow
def test_the_import_dialog_names_the_page_ocr_is_reading(
    window: MainWindow, case_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long scan takes minutes: the dialog says which page OCR has reached."""
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(scanned_pdf([page_picture(), page_picture(("Second page.",))]))
    labels: list[str] = []
    show_progress = ImportRun.show_progress

    def noted(run: ImportRun, done: int, total: int, now: str) -> None:
        show_progress(run, done, total, now)
        labels.append(run.dialog.labelText())

    monkeypatch.setattr(ImportRun, "show_progress", noted)
    window.opener.open_path(case_path)
    window.import_paths([scan])
    assert labels == [
        "Imported 0 of 1 files…\nscan.pdf: reading page 1 of 2 by OCR",
        "Imported 0 of 1 files…\nscan.pdf: reading page 2 of 2 by OCR",
        "Imported 1 of 1 files…",
    ]
    assert source_titles(case_path) == {"Police said the attacker acted alone."}


def test_a_mailbox_messages_details_show_its_thread_and_lead_to_the_others(
    window: MainWindow, case_path: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    first, reply = "<first@example.org>", "<reply@example.org>"
    with open_case(case_path, backups=False) as case:
        imported(
            case,
            tmp_path,
            [
                message("Plan", first, "Wed, 22 Mar 2017 10:00:00"),
                message("Re: Plan", reply, "Wed, 22 Mar 2017 11:00:00", (first,)),
            ],
        )
    window.opener.open_path(case_path)
    window.show_kind(Kind.SOURCE)
    select(window, "Re: Plan")
    qtbot.waitUntil(lambda: window.detail.shown is not None)
    assert "Thread (2 messages)\nPlan\n↳ Re: Plan" in window.detail.toPlainText()
    shown = window.detail.shown
    assert shown is not None
    [other] = [t.source for t in shown.thread if t.label == "Plan"]
    window.detail.anchorClicked.emit(QUrl(f"record:{other}"))
    qtbot.waitUntil(
        lambda: window.detail.shown is not None and window.detail.shown.record.id == other
    )


def test_a_documents_details_read_as_words_and_sizes(
    window: MainWindow, case_path: Path, files: Path
) -> None:
    with open_case(case_path, backups=False) as case:
        case.importer.import_files([files / "statement.txt"])
    window.opener.open_path(case_path)
    window.show_kind(Kind.DOCUMENT)
    select(window, "statement.txt")
    shown = window.detail.toPlainText()
    assert f"SHA-256\n{hashlib.sha256(TEXT.encode()).hexdigest()}" in shown, shown
    assert f"Size\n{len(TEXT.encode())} bytes" in shown


def test_a_source_offers_its_mentions_and_one_click_links_them(
    window: MainWindow, case_path: Path, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_case(case_path, backups=False) as case:
        masood = case.records.add(PersonFields(name="Khalid Masood"))
        isis = case.records.add(GroupFields(name="Islamic State"))
        case.importer.import_files([files / "statement.txt"])
    window.opener.open_path(case_path)
    window.show_kind(Kind.SOURCE)
    select(window, "Khalid Masood acted alone.")
    html = window.detail.toHtml()
    assert "Mentions in its documents" in html
    assert f'href="mention:{isis.id}"' in html
    assert f'href="mention:{masood.id}"' in html
    window.detail.link_mention.emit(masood.id)
    with open_case(case_path, backups=False) as case:
        links = case.listing.page(ListQuery(Kind.LINK)).records
    assert [(link.fields.relation, link.fields.object) for link in links] == [
        (Relation.MENTIONS, masood.id)
    ]
    window.undo_action.trigger()
    with open_case(case_path, backups=False) as case:
        assert case.listing.page(ListQuery(Kind.LINK)).records == []


def test_a_selection_in_a_document_becomes_a_quote_with_its_place(
    window: MainWindow, case_path: Path, files: Path, qtbot: QtBot
) -> None:
    document, viewer = open_imported(window, case_path, files / "report.pdf")
    assert viewer.text.toPlainText().strip() == "Page one words"  # it opens on page 1
    viewer.page.setValue(2)
    assert viewer.text.toPlainText().strip() == "Page two words"
    cursor = viewer.text.textCursor()
    text = viewer.text.toPlainText()
    start = text.index("two")
    cursor.setPosition(start - 1)  # a space before: not part of the quote
    cursor.setPosition(start + len("two words"), QTextCursor.MoveMode.KeepAnchor)
    viewer.text.setTextCursor(cursor)
    assert viewer.quote_action.isEnabled()

    def accept(dialog: Any) -> None:
        assert isinstance(dialog, RecordDialog)
        dialog.accept()

    with_modal(qtbot, accept)
    viewer.quote_action.trigger()
    with open_case(case_path, backups=False) as case:
        [quote] = case.listing.page(ListQuery(Kind.QUOTE)).records
    fields: QuoteFields = quote.fields
    assert (fields.text, fields.source, fields.document, fields.page) == (
        "two words",
        document.fields.source,
        document.id,
        2,
    )
    assert (fields.char_start, fields.char_end) == (start, start + len("two words"))
    viewer.close()

    window.open_document(quote.id)  # "show in its document"
    again = next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, DocumentViewer) and w.isVisible()
    )
    assert again.page.value() == 2
    assert again.text.textCursor().selectedText() == "two words"
    assert again.pdf_search is not None
    assert again.pdf_search.searchString() == "two words"  # marked on the PDF page
    assert len(again.pdf_search.resultsOnPage(1)) == 1
    again.close()


def test_a_selection_in_subtitles_quotes_the_time_of_its_cue_and_opens_there(
    window: MainWindow, case_path: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    subtitles = tmp_path / "statement.srt"
    subtitles.write_text(SRT)
    document, viewer = open_imported(window, case_path, subtitles)
    text = viewer.text.toPlainText()
    line = text.index("[0:01:02] The caliphate")
    cursor = viewer.text.textCursor()
    cursor.setPosition(line)  # from the start of the cue's line: its time is not quoted
    cursor.setPosition(text.index("\n", line), QTextCursor.MoveMode.KeepAnchor)
    viewer.text.setTextCursor(cursor)
    offered: list[str] = []

    def accept(dialog: Any) -> None:
        assert isinstance(dialog, RecordDialog)
        offered.append(dialog.form.inputs["at"].text())
        dialog.accept()

    with_modal(qtbot, accept)
    viewer.quote_action.trigger()
    assert offered == ["0:01:02"]
    with open_case(case_path, backups=False) as case:
        [quote] = case.listing.page(ListQuery(Kind.QUOTE)).records
        typed = case.records.add(
            QuoteFields(text="Blood with blood.", source=quote.fields.source, at=3725)
        )
    fields: QuoteFields = quote.fields
    assert (fields.text, fields.at, fields.document) == (
        "The caliphate will not forget.",
        62,  # the cue starts at 1:02.900: whole seconds, as its line shows
        document.id,
    )
    assert text[fields.char_start : fields.char_end] == "The caliphate will not forget."
    viewer.close()

    window.show_kind(Kind.QUOTE)
    select(window, "“The caliphate will not forget.”")
    assert "At\n0:01:02" in window.detail.toPlainText()

    window.open_document(typed.id)  # "show in its document": a time alone, at its cue
    again = next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, DocumentViewer) and w.isVisible()
    )
    assert again.text.textCursor().selectedText() == "Blood with blood."  # said at 1:02:03
    again.close()


def test_import_limits_set_in_their_dialog_hold_for_the_next_import(
    window: MainWindow, case_path: Path, files: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def one_page(dialog: Any) -> None:
        assert isinstance(dialog, ImportLimitsDialog)
        dialog.max_pages.setValue(1)
        dialog.max_text_mb.setValue(3)
        dialog.ocr.setText("eng+arabic")
        dialog.accept()  # refused: "arabic" is not a language's name
        assert dialog.isVisible()
        assert dialog.error.text().startswith("'arabic' is not an OCR language")
        dialog.ocr.setText("eng+ara")
        dialog.accept()

    with_modal(qtbot, one_page)
    window.edit_import_limits()
    assert WindowSettings().import_options().max_pages == 1  # kept between runs
    assert WindowSettings().import_options().max_text_mb == 3
    assert WindowSettings().import_options().ocr == ("eng", "ara")

    shown: list[str] = []

    def exec_(box: QMessageBox) -> int:
        shown.append(box.detailedText())
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    window.opener.open_path(case_path)
    window.import_paths([files / "report.pdf", files / "statement.txt"])
    assert shown == ["kept report.pdf unread, as 'report': has 2 pages, more than the limit of 1"]
    assert source_titles(case_path) == {"Khalid Masood acted alone.", "report"}


def test_finding_in_a_document_steps_through_its_pages_and_marks_the_pdf(
    window: MainWindow, case_path: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    report = make_pdf(
        tmp_path / "report.pdf",
        ["Masood drove onto the bridge", "No name here", "Police named Masood; masood again"],
    )
    _, viewer = open_imported(window, case_path, report)
    viewer.activateWindow()
    qtbot.waitUntil(viewer.isActiveWindow)  # shortcuts go to the active window

    qtbot.keySequence(viewer, QKeySequence.StandardKey.Find)
    assert viewer.find_field.hasFocus()
    qtbot.keyClicks(viewer.find_field, "masood")
    assert (viewer.page.value(), viewer.found.text().strip()) == (1, "1 of 3")
    assert viewer.text.textCursor().selectedText() == "Masood"
    assert viewer.pdf_search is not None
    assert viewer.pdf_search.searchString() == "masood"
    assert len(viewer.pdf_search.resultsOnPage(0)) == 1  # what the PDF view marks
    assert len(viewer.pdf_search.resultsOnPage(2)) == 2

    qtbot.keyClick(viewer.find_field, Qt.Key.Key_Return)
    assert (viewer.page.value(), viewer.found.text().strip()) == (3, "2 of 3")
    assert len(viewer.text.extraSelections()) == 2  # both on this page, marked in the text
    qtbot.keyClick(viewer.find_field, Qt.Key.Key_Return)
    assert (viewer.page.value(), viewer.found.text().strip()) == (3, "3 of 3")
    assert viewer.text.textCursor().selectedText() == "masood"
    qtbot.keyClick(viewer.find_field, Qt.Key.Key_Return)  # round to the first
    assert (viewer.page.value(), viewer.found.text().strip()) == (1, "1 of 3")
    viewer.find_previous()
    assert (viewer.page.value(), viewer.found.text().strip()) == (3, "3 of 3")

    viewer.find_field.selectAll()
    qtbot.keyClicks(viewer.find_field, "drove  onto")  # any spacing matches
    assert (viewer.page.value(), viewer.found.text().strip()) == (1, "1 of 1")
    qtbot.keyClicks(viewer.find_field, "x")
    assert viewer.found.text().strip() == "Not found"
    assert viewer.text.extraSelections() == []
    viewer.close()


def test_a_quote_opens_at_its_own_place_even_inside_a_repeat(
    window: MainWindow, case_path: Path, tmp_path: Path
) -> None:
    page = "Then the the the end."
    (tmp_path / "repeat.txt").write_text(page)
    with open_case(case_path, backups=False) as case:
        case.importer.import_files([tmp_path / "repeat.txt"])
        [document] = case.listing.page(ListQuery(Kind.DOCUMENT)).records
        start = page.index("the the", 6)  # the second: it overlaps the first
        quote = case.records.add(
            QuoteFields(
                text="the the",
                source=document.fields.source,
                document=document.id,
                char_start=start,
                char_end=start + 7,
            )
        )
    window.opener.open_path(case_path)
    window.open_document(quote.id)
    viewer = next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, DocumentViewer) and w.isVisible()
    )
    cursor = viewer.text.textCursor()
    assert (cursor.selectionStart(), cursor.selectionEnd()) == (start, start + 7)
    assert viewer.find_field.text() == "the the"  # and where else it is, marked
    viewer.close()


def test_searching_as_you_type_shows_grouped_results_that_open_where_they_are(
    window: MainWindow, case_path: Path, files: Path, qtbot: QtBot
) -> None:
    with open_case(case_path, backups=False) as case:
        group = case.records.add(GroupFields(name="Islamic State", aliases=("Amaq",)))
        case.importer.import_files([files / "statement.txt", files / "report.pdf"])
    window.opener.open_path(case_path)
    window.search_action.trigger()
    assert window.search_field.hasFocus()
    qtbot.keyClicks(window.search_field, "amaq")
    assert window.right_pane.currentWidget() is window.results
    qtbot.waitUntil(lambda: "Document pages (1)" in window.results.toPlainText())
    text = window.results.toPlainText()
    assert "Groups (1)" in text
    assert "Islamic State" in text
    bold = re.findall(r'font-weight:700;[^"]*">([^<]+)</span>', window.results.toHtml())
    assert "Amaq" in bold, window.results.toHtml()[-1500:]  # the matched word is in bold

    window.results.anchorClicked.emit(QUrl(_anchor_of(window, "Islamic State")))
    assert window.right_pane.currentWidget() is window.detail
    selected = window.selected()
    assert selected is not None
    assert selected.id == group.id

    window.search_field.setText("two words")
    qtbot.waitUntil(lambda: "report.pdf" in window.results.toPlainText())
    window.results.anchorClicked.emit(QUrl(_anchor_of(window, "report.pdf")))
    viewer = next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, DocumentViewer) and w.isVisible()
    )
    assert viewer.page.value() == 2
    assert viewer.text.textCursor().selectedText().casefold() == "two"
    viewer.close()

    assert "1 found for “two words”. Esc goes back" in window.results.toPlainText()
    for reading in (window.search_field, window.results):  # typing, or reading the results
        window.search_field.setText("two words")
        reading.setFocus()
        qtbot.keyClick(reading, Qt.Key.Key_Escape)
        assert window.search_field.text() == "", reading
        assert window.right_pane.currentWidget() is window.detail


def test_more_results_come_below_the_first_fifty(
    window: MainWindow, case_path: Path, qtbot: QtBot
) -> None:
    with open_case(case_path, backups=False) as case:
        case.records.add_many([PersonFields(name=f"Witness {n} of Amesbury") for n in range(100)])
    window.opener.open_path(case_path)
    window.search_action.trigger()
    qtbot.keyClicks(window.search_field, "amesbury")
    qtbot.waitUntil(lambda: "People (50)" in window.results.toPlainText())
    assert "Show 50 more results" in window.results.toPlainText()

    window.results.anchorClicked.emit(QUrl(MORE))
    qtbot.waitUntil(lambda: "People (100)" in window.results.toPlainText())
    assert "more results" not in window.results.toPlainText()  # exactly all of them

    qtbot.keyClicks(window.search_field, " witness")  # new words: the first fifty again
    qtbot.waitUntil(lambda: "People (50)" in window.results.toPlainText())

    # "Show more" under the old results, while newer words wait for typing to pause: the
    # newer words' search still shows its first fifty.
    window.results.anchorClicked.emit(QUrl(MORE))
    qtbot.waitUntil(lambda: "People (100)" in window.results.toPlainText())
    qtbot.keyClicks(window.search_field, " of")
    window.results.anchorClicked.emit(QUrl(MORE))
    qtbot.waitUntil(lambda: "People (50)" in window.results.toPlainText())
    assert not window.results._timer.isActive()  # no search is waiting to start
    settled(qtbot, window.controller)  # and none asked for is still on its way
    assert "People (50)" in window.results.toPlainText()


def _anchor_of(window: MainWindow, label: str) -> str:
    return next(a for a, hit in window.results._hits.items() if hit.label == label)


def test_a_search_saved_in_the_window_runs_again_from_its_menu(
    window: MainWindow, case_path: Path, qtbot: QtBot
) -> None:
    window.opener.open_path(case_path)
    window.search_field.setText("enemy kind:quote")

    def name_it(dialog: Any) -> None:
        dialog.setTextValue("Enemy quotes")
        dialog.accept()

    with_modal(qtbot, name_it)
    window.save_search_action.trigger()
    with open_case(case_path, backups=False) as case:
        assert [(s.name, s.query) for s in case.saved_searches.all()] == [
            ("Enemy quotes", "enemy kind:quote")
        ]
    [run] = window.saved_searches.saved_menu.actions()
    assert run.text() == "Enemy quotes"
    window.search_field.clear()
    run.trigger()
    assert window.search_field.text() == "enemy kind:quote"
    assert window.right_pane.currentWidget() is window.results
    [forget] = window.saved_searches.forget_menu.actions()
    forget.trigger()
    assert window.saved_searches.saved_menu.actions() == []
    with open_case(case_path, backups=False) as case:
        assert case.saved_searches.all() == []


def test_a_quote_after_an_emoji_keeps_its_character_range(
    window: MainWindow, case_path: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    text = "🔥🔥 The group claimed the attack."
    (tmp_path / "post.txt").write_text(text)
    _, viewer = open_imported(window, case_path, tmp_path / "post.txt")
    start = viewer.text.toPlainText().index("claimed")  # a character index
    cursor = viewer.text.textCursor()
    cursor.setPosition(start + 2)  # Qt counts each emoji as two
    cursor.setPosition(start + 2 + len("claimed"), QTextCursor.MoveMode.KeepAnchor)
    viewer.text.setTextCursor(cursor)
    with_modal(qtbot, lambda dialog: dialog.accept())
    viewer.quote_action.trigger()
    with open_case(case_path, backups=False) as case:
        [quote] = case.listing.page(ListQuery(Kind.QUOTE)).records
    assert quote.fields.text == "claimed"
    assert text[quote.fields.char_start : quote.fields.char_end] == "claimed"
    viewer.close()
    window.open_document(quote.id)
    again = next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, DocumentViewer) and w.isVisible()
    )
    assert again.text.textCursor().selectedText() == "claimed"
    again.close()


def test_a_garbled_text_is_read_again_in_a_chosen_encoding_and_undone(
    window: MainWindow, case_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    russian = "Привет, это заявление группы."
    path = tmp_path / "statement.txt"
    path.write_bytes(russian.encode("koi8_r"))  # short: detection takes it for Shift-JIS
    with open_case(case_path, backups=False) as case:
        case.importer.import_files([path])
        [document] = case.listing.page(ListQuery(Kind.DOCUMENT)).records
        garbled = case.documents.pages(document.id)
    window.opener.open_path(case_path)
    window.show_kind(Kind.DOCUMENT)
    select(window, "statement.txt")
    assert f"read-as:{document.id}" in window.detail.toHtml()  # the link the pane offers

    asked: list[str] = []

    def get_item(*args: Any) -> tuple[str, bool]:
        asked.append(args[2])
        return "koi8-r (Russian)", True

    monkeypatch.setattr(QInputDialog, "getItem", get_item)
    window.detail.read_as.emit(document.id)

    assert asked[0].startswith("Encoding (the file itself is not changed")
    with open_case(case_path, backups=False) as case:
        assert case.documents.pages(document.id) == [russian]
    window.undo_action.trigger()
    with open_case(case_path, backups=False) as case:
        assert case.documents.pages(document.id) == garbled
    window.redo_action.trigger()
    with open_case(case_path, backups=False) as case:
        assert case.documents.pages(document.id) == [russian]
