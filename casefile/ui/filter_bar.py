"""The bar above the table that narrows it: words or a #tag, and a date range.

What is typed is read into the table's ``ListQuery`` here, with the date parser the forms
and the CLI use. A date that cannot be read, or a range that ends before it starts, is
said under the bar, and the table stays as it was until it is put right."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from casefile.domain.dates import PartialDate
from casefile.domain.display import sentence
from casefile.domain.errors import InvalidInput
from casefile.domain.search_query import tags_typed
from casefile.services.list_query import DATED_KINDS, WORDS_KINDS, ListQuery

if TYPE_CHECKING:
    from casefile.domain.terms import Kind

# How long typing must pause before the table is asked again: a query per key would
# send the worker a dozen lists for one word.
SETTLE_MS = 250


class FilterBar(QWidget):
    changed = Signal()  # what is typed has settled: read it with ``narrow``

    def __init__(self) -> None:
        super().__init__()
        self.words = QLineEdit()
        self.words.setPlaceholderText("Filter… (words, or #tag)")
        self.words.setClearButtonEnabled(True)
        self.words.setAccessibleName("Filter records")
        self.since = QLineEdit()
        self.until = QLineEdit()
        for edit, text in ((self.since, "From date"), (self.until, "To date")):
            edit.setPlaceholderText(text.split()[0].lower() + " (e.g. 2016)")
            edit.setAccessibleName(text)
            edit.setMaximumWidth(150)
            edit.setClearButtonEnabled(True)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()
        row = QHBoxLayout()
        row.addWidget(self.words, 1)
        row.addWidget(self.since)
        row.addWidget(self.until)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.error)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.changed)
        for edit in (self.words, self.since, self.until):
            edit.textChanged.connect(self._settle.start)

    def show_kind(self, kind: Kind) -> None:
        """Offer what the kind can be narrowed by: words where it has text, dates where it
        has dates."""
        self.words.setEnabled(kind in WORDS_KINDS)
        self.since.setVisible(kind in DATED_KINDS)
        self.until.setVisible(kind in DATED_KINDS)

    def clear(self) -> None:
        for edit in (self.words, self.since, self.until):
            edit.clear()
        self.error.hide()

    def focus(self) -> None:
        self.words.setFocus()
        self.words.selectAll()

    def narrow(self, query: ListQuery) -> ListQuery | None:
        """``query`` narrowed by what is typed, or None (and the reason shown) when a date
        cannot be read."""
        tags, text = tags_typed(self.words.text()) if self.words.isEnabled() else ([], "")
        dated = query.kind in DATED_KINDS
        try:
            since = PartialDate.parse(self.since.text()) if self.since.text().strip() else None
            until = PartialDate.parse(self.until.text()) if self.until.text().strip() else None
            narrowed = replace(
                query,
                text=text,
                tag=tags[0] if tags else "",
                since=since if dated else None,
                until=until if dated else None,
            )
        except InvalidInput as exc:  # a date that cannot be read, a range ending too early
            self.error.setText(sentence(str(exc)))
            self.error.show()
            return None
        self.error.hide()
        return narrowed
