"""A stored document, read beside its text: select a passage, make it a quote.

A PDF is shown as itself (QPdfView, from the bytes in the case: nothing is written to
disk, nothing is fetched) next to its extracted text; other formats show their text
alone. The text pane follows the PDF's page, and a selection in it becomes a quote
with the source, the page and the character range filled in; in subtitles, with the time
of the cue it starts in too (read from the cue's line, ``casefile.domain.cues``). Opening
a quote's place selects that range again; a quote with a time alone opens at its cue.

Finding (Ctrl+F) goes through the pages' text, where the words are selected, and marks
every match on the page shown: in the text, and on the PDF page itself (Qt's own search
of the PDF). A quote opened at its place, or a search result at its page, is found the
same way, so the reader sees it on the page and can step to the next one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QTextCharFormat, QTextCursor
from PySide6.QtPdf import QPdfSearchModel
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QSpinBox,
    QSplitter,
    QTextEdit,
    QToolBar,
    QWidget,
)

from casefile.domain.cues import cue_at, cue_time, without_time
from casefile.domain.formats import UNKNOWN_MEDIA_TYPE, Format, format_of
from casefile.ui.pdf_pages import PdfPages

if TYPE_CHECKING:
    from casefile.services.documents import Reading

READING_WIDTH = 90  # characters to a line of a document shown as text alone
# More matches than this are not marked (one letter in a long report matches everywhere).
MOST_FOUND = 10_000


@dataclass(frozen=True, order=True)
class Match:
    page: int  # 1-based, as the page field shows it
    start: int
    end: int


@dataclass(frozen=True)
class Passage:
    """A selection to quote: its text and where it is."""

    source: UUID
    document: UUID
    text: str
    page: int | None  # 1-based; None for a document without pages
    char_start: int
    char_end: int
    at: int | None = None  # seconds into the recording, for a passage of subtitles


def _no_text(media_type: str) -> str:
    """Why a document shows no text: a scan, a file kept unread, or an empty one."""
    if media_type == Format.PDF.media_type:
        return "No text layer: this document needs OCR to be quoted."
    if media_type == UNKNOWN_MEDIA_TYPE:
        return "Its text could not be read (its source's notes say why); the file is kept as it is."
    return "This document holds no text."


class DocumentViewer(QMainWindow):
    quote_requested = Signal(object)  # Passage

    def __init__(self, opened: Reading, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.opened = opened
        document = opened.document
        self.setWindowTitle(f"{document.fields.file_name} — {opened.source_label}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.is_pdf = document.fields.media_type == Format.PDF.media_type
        kind = format_of(document.fields.media_type)
        self.timed = kind is not None and kind.timed  # subtitles: a line per cue
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.document().setDocumentMargin(12)
        if self.is_pdf:  # a PDF's text keeps the page's lines: wrapping them again is noise
            self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setAccessibleName("Document text")
        self.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.page = QSpinBox()
        self.page.setAccessibleName("Page")
        self.page.setRange(1, max(len(opened.pages), 1))
        self.page.setPrefix("Page ")
        self.page.setSuffix(f" of {max(len(opened.pages), 1)}")
        self.page.valueChanged.connect(self._show_page)
        self.pdf_view: QPdfView | None = None
        self.pdf_search: QPdfSearchModel | None = None
        self.matches: list[Match] = []
        self.current: Match | None = None
        splitter = QSplitter()
        if self.is_pdf:
            splitter.addWidget(self._pdf_view(opened.data))
            splitter.addWidget(self.text)
        else:  # text alone: in a column a reader's eye can follow, not the screen's width
            splitter.addWidget(_column(self.text, READING_WIDTH))
        splitter.setSizes([1, 1])  # the page and its text side by side, equally
        self.setCentralWidget(splitter)
        self.quote_action = QAction("Create &quote from selection", self)
        self.quote_action.setShortcut(QKeySequence("Ctrl+Shift+Q"))
        self.quote_action.setEnabled(False)
        self.quote_action.setToolTip("Select words in the text, then make them a quote")
        self.quote_action.triggered.connect(self._quote)
        self.text.copyAvailable.connect(self.quote_action.setEnabled)
        self.addToolBar(self._toolbar())
        self.resize(1320, 860)
        self._show_page(1)
        self.show_passage(opened.page, opened.char_start, opened.char_end, opened.at)

    def _toolbar(self) -> QToolBar:
        toolbar = QToolBar("Document")
        toolbar.setMovable(False)
        pages = self.opened.pages
        if len(pages) > 1:
            toolbar.addWidget(self.page)
            toolbar.addSeparator()
        toolbar.addAction(self.quote_action)
        self.find_field = QLineEdit()
        self.find_field.setPlaceholderText("Find in document")
        self.find_field.setAccessibleName("Find in document")
        self.find_field.setClearButtonEnabled(True)
        self.find_field.setMaximumWidth(320)
        self.find_field.textEdited.connect(lambda typed: self.find_text(typed, self._here()))
        self.find_field.returnPressed.connect(self.find_next)
        self.found = QLabel()
        self.found.setAccessibleName("Matches")
        if not any(p.strip() for p in pages):
            toolbar.addWidget(QLabel(f"  {_no_text(self.opened.document.fields.media_type)}"))
            return toolbar  # nothing to find in
        toolbar.addSeparator()
        toolbar.addWidget(self.find_field)
        toolbar.addWidget(self.found)
        for name, keys, slot in (
            ("&Find…", QKeySequence.StandardKey.Find, self._focus_find),
            ("Find &next", QKeySequence.StandardKey.FindNext, self.find_next),
            ("Find &previous", QKeySequence.StandardKey.FindPrevious, self.find_previous),
        ):
            action = QAction(name, self)
            action.setShortcut(keys)
            action.triggered.connect(slot)
            self.addAction(action)
        return toolbar

    def _pdf_view(self, data: bytes) -> QPdfView:
        self.pages = PdfPages(self, data, "Document page")
        view, self.pdf = self.pages.view, self.pages.pdf
        view.pageNavigator().currentPageChanged.connect(lambda n: self.page.setValue(n + 1))
        self.pdf_search = QPdfSearchModel(self)
        self.pdf_search.setDocument(self.pdf)
        view.setSearchModel(self.pdf_search)  # the view marks the matches on its page
        self.pdf_view = view
        return view

    def _show_page(self, number: int) -> None:
        pages = self.opened.pages
        self.text.setPlainText(pages[number - 1] if pages else "")
        self._mark_matches(number)
        navigator = self.pdf_view.pageNavigator() if self.pdf_view is not None else None
        if navigator is not None and navigator.currentPage() != number - 1:
            navigator.jump(number - 1, navigator.currentLocation())

    def show_passage(
        self, page: int | None, start: int | None, end: int | None, at: int | None = None
    ) -> None:
        """Go to a quote's place: its page, its characters selected, and every place its
        words occur marked; in subtitles, a quote placed by its time alone (typed, not
        taken from a selection) at the cue said then."""
        self.page.setValue(page or 1)
        if start is None and at is not None and self.timed:
            start, end = cue_at(self.text.toPlainText(), at) or (None, None)
        if start is not None and end is not None:
            self._mark(" ".join(self.text.toPlainText()[start:end].split()))
            self._go(Match(page or 1, start, end))

    def show_words(self, page: int, words: list[str]) -> None:
        """Go to a page and to the first of ``words`` found on it (a search result)."""
        self.page.setValue(page)
        for word in words:
            self._mark(word)
            here = [m for m in self.matches if m.page == page]
            if here:
                self._go(here[0])
                return

    def find_text(self, text: str, here: Match) -> bool:
        """Find ``text`` in every page, and go to the first match from ``here`` on (or the
        first of all); whether there was one."""
        self._mark(text)
        if not self.matches:
            return False
        self._go(next((m for m in self.matches if m >= here), self.matches[0]))
        return True

    def _mark(self, text: str) -> None:
        """Find ``text`` everywhere and mark it (in the text and on the PDF page)."""
        if self.find_field.text() != text:
            with QSignalBlocker(self.find_field):
                self.find_field.setText(text)
        self.matches = _matches(self.opened.pages, text)
        if self.pdf_search is not None:
            self.pdf_search.setSearchString(" ".join(text.split()))
        self.current = None
        self._mark_matches(self.page.value())
        self.found.setText("  Not found" if text.strip() and not self.matches else "")

    def find_next(self) -> None:
        if self.matches:
            self._go(next((m for m in self.matches if m > self._here()), self.matches[0]))

    def find_previous(self) -> None:
        if self.matches:
            earlier = [m for m in self.matches if m < self._here()]
            self._go(earlier[-1] if earlier else self.matches[-1])

    def _focus_find(self) -> None:
        self.find_field.setFocus()
        self.find_field.selectAll()

    def _here(self) -> Match:
        """Where the reader is: the current match, else the page's selection."""
        if self.current is not None and self.current.page == self.page.value():
            return self.current
        text, cursor = self.text.toPlainText(), self.text.textCursor()
        start, end = (_index(text, p) for p in (cursor.selectionStart(), cursor.selectionEnd()))
        return Match(self.page.value(), start, end)

    def _go(self, match: Match) -> None:
        self.current = match
        self.page.setValue(match.page)
        self._select(match.start, match.end)
        more = "+" if len(self.matches) == MOST_FOUND else ""
        if match in self.matches:
            self.found.setText(
                f"  {self.matches.index(match) + 1:,} of {len(self.matches):,}{more}"
            )
        else:  # a quote's own place: beyond the matches counted, inside one, or edited
            self.found.setText(f"  {len(self.matches):,}{more} found" if self.matches else "")

    def _select(self, start: int, end: int) -> None:
        text = self.text.toPlainText()
        cursor = self.text.textCursor()
        cursor.setPosition(_qt_position(text, start))
        cursor.setPosition(_qt_position(text, end), QTextCursor.MoveMode.KeepAnchor)
        self.text.setTextCursor(cursor)
        self.text.centerCursor()

    def _mark_matches(self, page: int) -> None:
        """Every match on the page shown, marked in its text."""
        text = self.text.toPlainText()
        marked = QTextCharFormat()
        marked.setBackground(QColor("#ffe08a"))
        selections = []
        for match in (m for m in self.matches if m.page == page):
            selection = QTextEdit.ExtraSelection()
            selection.cursor = QTextCursor(self.text.document())
            selection.cursor.setPosition(_qt_position(text, match.start))
            selection.cursor.setPosition(
                _qt_position(text, match.end), QTextCursor.MoveMode.KeepAnchor
            )
            selection.format = marked
            selections.append(selection)
        self.text.setExtraSelections(selections)

    def _quote(self) -> None:
        cursor = self.text.textCursor()
        raw = cursor.selectedText().replace("\u2029", "\n")  # Qt's paragraph separator
        source = self.opened.document.fields.source
        if not raw.strip() or source is None:
            return
        text = self.text.toPlainText()
        start, end = sorted(
            _index(text, p) for p in (cursor.selectionStart(), cursor.selectionEnd())
        )
        start += len(raw) - len(raw.lstrip())  # the range is the quoted words, not the spaces
        end -= len(raw) - len(raw.rstrip())
        words, at = raw.strip(), None
        if self.timed:  # the time of the cue it starts in, its own field, not in its words
            at = cue_time(text, start)
            start += len(words) - len(without_time(words))
            words = without_time(words)
        page = self.page.value() if self.is_pdf else None
        document = self.opened.document.id
        self.quote_requested.emit(Passage(source, document, words, page, start, end, at))


def quote_preset(passage: Passage) -> dict[str, Any]:
    """The quote form's fields for a passage (the user adds the speaker)."""
    return {
        "text": passage.text,
        "source": passage.source,
        "document": passage.document,
        "page": passage.page,
        "char_start": passage.char_start,
        "char_end": passage.char_end,
        "at": passage.at,
    }


def _column(widget: QWidget, characters: int) -> QWidget:
    """``widget`` at most ``characters`` wide, centred in whatever room it is given."""
    margins = 2 * 24  # the document's margins and the scroll bar
    widget.setMaximumWidth(widget.fontMetrics().averageCharWidth() * characters + margins)
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addStretch(1)
    layout.addWidget(widget, 1000)  # all the room there is, up to its maximum
    layout.addStretch(1)
    return holder


def _matches(pages: Sequence[str], text: str) -> list[Match]:
    """Where ``text`` is in the pages, in reading order: case-insensitive, and any run of
    spaces or line breaks matches any other (a PDF's lines break where they break)."""
    words = text.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(map(re.escape, words)), re.IGNORECASE)
    found: list[Match] = []
    for number, page in enumerate(pages, start=1):
        for hit in pattern.finditer(page):
            found.append(Match(number, hit.start(), hit.end()))
            if len(found) == MOST_FOUND:
                return found
    return found


# A quote's character range counts characters, as Python does; Qt counts UTF-16 units,
# which differ after any character beyond the Basic Multilingual Plane (an emoji).
def _index(text: str, position: int) -> int:
    """The character index of a Qt cursor position in ``text``."""
    units = text.encode("utf-16-le")[: position * 2]
    return len(units.decode("utf-16-le", "ignore"))


def _qt_position(text: str, index: int) -> int:
    """The Qt cursor position of a character index in ``text``."""
    return len(text[: max(0, index)].encode("utf-16-le")) // 2
