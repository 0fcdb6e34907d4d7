"""A stored document, read beside its text: select a passage, make it a quote.

A PDF is shown as itself (QPdfView, from the bytes in the case: nothing is written to
disk, nothing is fetched) next to its extracted text; other formats show their text
alone. The text pane follows the PDF's page, and a selection in it becomes a quote
with the source, the page and the character range filled in. Opening a quote's place
selects that range again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QTextCursor
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QSpinBox,
    QSplitter,
    QToolBar,
    QWidget,
)

from casefile.documents import Reading
from casefile.ui.pdf_pages import PdfPages


@dataclass(frozen=True)
class Passage:
    """A selection to quote: its text and where it is."""

    source: UUID
    document: UUID
    text: str
    page: int | None  # 1-based; None for a document without pages
    char_start: int
    char_end: int


class DocumentViewer(QMainWindow):
    quote_requested = Signal(object)  # Passage

    def __init__(self, opened: Reading, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.opened = opened
        document = opened.document
        self.setWindowTitle(f"{document.fields.file_name} — {opened.source_label}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.is_pdf = document.fields.media_type == "application/pdf"
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
        splitter = QSplitter()
        if self.is_pdf:
            splitter.addWidget(self._pdf_view(opened.data))
        splitter.addWidget(self.text)
        splitter.setSizes([1, 1])  # the page and its text side by side, equally
        self.setCentralWidget(splitter)
        self.quote_action = QAction("Create &quote from selection", self)
        self.quote_action.setShortcut(QKeySequence("Ctrl+Shift+Q"))
        self.quote_action.setEnabled(False)
        self.quote_action.triggered.connect(self._quote)
        self.text.copyAvailable.connect(self.quote_action.setEnabled)
        toolbar = QToolBar("Document")
        toolbar.setMovable(False)
        if len(opened.pages) > 1:
            toolbar.addWidget(self.page)
            toolbar.addSeparator()
        toolbar.addAction(self.quote_action)
        if not any(p.strip() for p in opened.pages):
            toolbar.addWidget(QLabel("  No text layer: this document needs OCR to be quoted."))
        self.addToolBar(toolbar)
        self.resize(1320, 860)
        self._show_page(1)
        self.show_passage(opened.page, opened.char_start, opened.char_end)

    def _pdf_view(self, data: bytes) -> QPdfView:
        self.pages = PdfPages(self, data, "Document page")
        view, self.pdf = self.pages.view, self.pages.pdf
        view.pageNavigator().currentPageChanged.connect(lambda n: self.page.setValue(n + 1))
        self.pdf_view = view
        return view

    def _show_page(self, number: int) -> None:
        pages = self.opened.pages
        self.text.setPlainText(pages[number - 1] if pages else "")
        navigator = self.pdf_view.pageNavigator() if self.pdf_view is not None else None
        if navigator is not None and navigator.currentPage() != number - 1:
            navigator.jump(number - 1, navigator.currentLocation())

    def show_passage(self, page: int | None, start: int | None, end: int | None) -> None:
        """Go to a quote's place: its page, its characters selected."""
        self.page.setValue(page or 1)
        if start is not None and end is not None:
            text = self.text.toPlainText()
            cursor = self.text.textCursor()
            cursor.setPosition(_qt_position(text, start))
            cursor.setPosition(_qt_position(text, end), QTextCursor.MoveMode.KeepAnchor)
            self.text.setTextCursor(cursor)
            self.text.centerCursor()

    def show_words(self, page: int, words: list[str]) -> None:
        """Go to a page and select the first of ``words`` found on it (a search result)."""
        self.page.setValue(page)
        text = self.text.toPlainText().casefold()
        for word in words:
            start = text.find(word.casefold())
            if start >= 0:
                self.show_passage(page, start, start + len(word))
                return

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
        page = self.page.value() if self.is_pdf else None
        document = self.opened.document.id
        self.quote_requested.emit(Passage(source, document, raw.strip(), page, start, end))


def quote_preset(passage: Passage) -> dict[str, Any]:
    """The quote form's fields for a passage (the user adds the speaker)."""
    return {
        "text": passage.text,
        "source": passage.source,
        "document": passage.document,
        "page": passage.page,
        "char_start": passage.char_start,
        "char_end": passage.char_end,
    }


# A quote's character range counts characters, as Python does; Qt counts UTF-16 units,
# which differ after any character beyond the Basic Multilingual Plane (an emoji).
def _index(text: str, position: int) -> int:
    """The character index of a Qt cursor position in ``text``."""
    units = text.encode("utf-16-le")[: position * 2]
    return len(units.decode("utf-16-le", "ignore"))


def _qt_position(text: str, index: int) -> int:
    """The Qt cursor position of a character index in ``text``."""
    return len(text[: max(0, index)].encode("utf-16-le")) // 2
