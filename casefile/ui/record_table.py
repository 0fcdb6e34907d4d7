"""The table of records: its columns fitted to their values and to its width as a kind is
shown and whenever the table is resized, until the reader sizes a column by hand; rows on
their way shown without a flash of placeholders."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from PySide6.QtCore import QAbstractItemModel, Qt, QTimer
from PySide6.QtGui import QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QTableView, QWidget

from casefile.ui.columns import Column, fitted_widths
from casefile.ui.table_model import RecordTableModel

# A scroll to rows that are not loaded keeps the picture it had for up to this long,
# rather than painting "…" in every cell: rows that come within it (a page takes a few
# milliseconds) appear without a flash, and the paint of placeholders is saved.
HOLD_MS = 50
# A column other than the records' names is as wide as the longest value on screen when
# its kind is first shown (or its title), up to this or its set width; the names share
# what is left. Widths do not follow later rows: columns that move while one reads are
# worse than a value cut short (its tooltip shows it whole).
CONTENT_AT_MOST = 240
CELL_MARGIN = 16  # the item's padding and focus frame, either side


class RecordTable(QTableView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns: Sequence[Column] = ()
        self._content: list[int] | None = None  # the widths the values on screen want
        self._fitting = False
        self._by_hand = False
        self.horizontalHeader().sectionResized.connect(self._section_resized)
        self._holding = False
        self._held = QTimer(self)
        self._held.setSingleShot(True)
        self._held.timeout.connect(partial(self._hold, False))
        self.verticalScrollBar().valueChanged.connect(self._check)

    def setModel(self, model: QAbstractItemModel | None) -> None:  # noqa: N802 (a Qt virtual)
        old = self.model()
        if isinstance(old, RecordTableModel):
            old.loaded.disconnect(self._arrived)
            old.modelReset.disconnect(self._check)
        self._hold(False)
        super().setModel(model)
        if isinstance(model, RecordTableModel):
            model.loaded.connect(self._arrived)
            model.modelReset.connect(self._check)

    def fit(self, columns: Sequence[Column]) -> None:
        """Fit ``columns`` (the model's, just set) to the table, forgetting sizes set by
        hand for the kind shown before."""
        self._columns = columns
        self._by_hand = False
        self._content = None
        self._measure()
        self._refit()

    def _measure(self) -> None:
        """The widths the narrow columns' values want, once the rows on screen are here."""
        model = self.model()
        if self._content is not None or not isinstance(model, RecordTableModel):
            return
        shown = self._visible_rows()
        rows = range(shown.start, min(shown.stop, model.total))
        if not rows or not all(model.has_row(row) for row in rows):
            return  # measured when they come
        metrics, header = self.fontMetrics(), self.horizontalHeader()

        def wanted(number: int, column: Column) -> int:
            if column.wide:  # takes what the others leave, whatever its values
                return column.width
            texts = (str(model.data(model.index(row, number)) or "") for row in rows)
            longest = max(metrics.horizontalAdvance(text) for text in texts) + CELL_MARGIN
            title = header.sectionSizeFromContents(number).width()
            return min(max(longest, title), max(column.width, CONTENT_AT_MOST))

        self._content = [wanted(number, column) for number, column in enumerate(self._columns)]
        self._refit()

    def _refit(self) -> None:
        if self._by_hand or not self._columns:
            return
        available = self.viewport().width() if self.isVisible() else 0
        header = self.horizontalHeader()
        self._fitting = True
        try:
            widths = fitted_widths(self._columns, available, self._content)
            for number, width in enumerate(widths):
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
        self._check()

    # -- holding the picture while rows come ---------------------------------------------

    def _visible_rows(self) -> range:
        """The rows on screen, and below the last of a short list those there is room
        for (the rows a longer list would show there)."""
        room = -(-self.viewport().height() // self.verticalHeader().defaultSectionSize())
        first = self.rowAt(0)
        if first < 0:  # past the end of a list that just got shorter: where it will stop
            first = max(self.model().rowCount() - room, 0)
        return range(first, first + room)

    def _check(self) -> None:
        """Ask for the rows on screen that are not here; after a jump (none of them is
        here), hold the picture until they come. A small scroll is not held: the rows
        it moved would be shown twice."""
        model = self.model()
        if isinstance(model, RecordTableModel):
            rows = self._visible_rows()
            missing = model.ask_for(rows)
            self._hold(missing and not any(model.has_row(row) for row in rows))
            self._measure()

    def _arrived(self) -> None:
        if self._holding:
            self._check()  # which measures, too
        else:
            self._measure()

    def _hold(self, on: bool) -> None:
        """Keep the last picture (nothing painted over an opaque, unfilled viewport leaves
        it) until the rows are here or ``HOLD_MS`` has passed; or paint again."""
        if on == self._holding:
            return
        self._holding = on
        viewport = self.viewport()
        viewport.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, on)
        viewport.setAutoFillBackground(not on)
        if on:
            self._held.start(HOLD_MS)
        else:
            self._held.stop()
            viewport.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (a Qt virtual)
        if not self._holding:
            super().paintEvent(event)
