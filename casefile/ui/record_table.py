"""The table of records: its columns fitted to its width as a kind is shown and whenever
the table is resized, until the reader sizes a column by hand."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QTableView, QWidget

from casefile.ui.columns import Column, fitted_widths


class RecordTable(QTableView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns: Sequence[Column] = ()
        self._fitting = False
        self._by_hand = False
        self.horizontalHeader().sectionResized.connect(self._section_resized)

    def fit(self, columns: Sequence[Column]) -> None:
        """Fit ``columns`` (the model's, just set) to the table, forgetting sizes set by
        hand for the kind shown before."""
        self._columns = columns
        self._by_hand = False
        self._refit()

    def _refit(self) -> None:
        if self._by_hand or not self._columns:
            return
        available = self.viewport().width() if self.isVisible() else 0
        header = self.horizontalHeader()
        self._fitting = True
        try:
            for number, width in enumerate(fitted_widths(self._columns, available)):
                header.resizeSection(number, width)
        finally:
            self._fitting = False

    def _section_resized(self, number: int, _old: int, _new: int) -> None:
        # The last column stretches with the table by itself (not by hand).
        if not self._fitting and number != len(self._columns) - 1:
            self._by_hand = True

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (a Qt virtual)
        super().resizeEvent(event)
        self._refit()
