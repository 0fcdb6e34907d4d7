"""A table model over one kind of record that never loads the whole case.

The row count comes from one COUNT query; rows are fetched a page at a time, on the
worker, for whatever the view asks to paint, and kept in a small LRU cache. Sorting and
filtering are new queries (done in SQL with indexes), never a proxy model over all rows:
a million quotes cost what fifty do.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from casefile.domain.records import FIELDS_OF_KIND, Record, metadata_fields
from casefile.services.list_query import ListQuery, Window
from casefile.ui.columns import COLUMNS, Column

if TYPE_CHECKING:
    from casefile.domain.changes import Changes
    from casefile.domain.terms import Kind
    from casefile.services.case import Case
    from casefile.ui.controller import CaseController

Index = QModelIndex | QPersistentModelIndex
# Rows fetched at a time when the table scrolls to rows that are not here: about a
# screenful (a laptop shows some 30), so a jump waits for few more rows than it shows.
# (A new list's first trip brings only the rows on screen: see set_query.)
PAGE = 50
CACHED_PAGES = 80
LOADING = "…"


def shown_kinds(kind: Kind) -> frozenset[Kind]:
    """The kinds whose records a table of ``kind`` shows: its own, and those its
    references name (an attack's group, a quote's speaker, a link's ends)."""
    named = (k for _name, kinds in metadata_fields(FIELDS_OF_KIND[kind], "ref") for k in kinds)
    return frozenset((kind, *named))


def default_query(kind: Kind) -> ListQuery:
    """All records of a kind, in the order of its table's first sortable column (a plain
    function: the worker thread may ask it too)."""
    return ListQuery(kind, sort=next(c.sort for c in COLUMNS[kind] if c.sort))


class RecordTableModel(QAbstractTableModel):
    """Rows of one kind for the current query; ``loaded`` fires when a page arrives."""

    loaded = Signal()
    counted = Signal(int)

    def __init__(self, controller: CaseController, kind: Kind) -> None:
        super().__init__()
        self.controller = controller
        self.kind = kind
        self.columns: tuple[Column, ...] = COLUMNS[kind]
        self.query = self.default_query()
        self.total = 0
        self._pages: OrderedDict[int, Window] = OrderedDict()
        self._loading: set[int] = set()
        self._wanted: set[int] = set()
        self._generation = 0
        self._counting = False
        self._shown = range(PAGE)  # the rows the table last said it shows (or has room for)
        self._partial: set[int] = set()  # pages of which only the rows on screen came
        self.stale = True
        self.shows = shown_kinds(kind)

    # -- what the view asks --------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole and column.sort is None:
            return f"{column.title} (not sortable)"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight if column.numeric else Qt.AlignmentFlag.AlignLeft
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        found = self._row(index.row(), fetch=self._want)
        if found is None:
            return LOADING if role == Qt.ItemDataRole.DisplayRole else None
        record, window = found
        if role == Qt.ItemDataRole.ToolTipRole and column.tip is not None:
            return column.tip(record, window.labels) or None
        text = column.text(record, window.labels)
        if role == Qt.ItemDataRole.ToolTipRole:
            return text if len(text) > 40 else None
        return text.replace("\n", " ")

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        name = self.columns[column].sort if 0 <= column < len(self.columns) else None
        if name is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (name, descending) == (self.query.sort, self.query.descending):
            return
        self.set_query(replace(self.query, sort=name, descending=descending), recount=False)

    # -- what the window does ------------------------------------------------------------

    def ask_for(self, rows: range) -> bool:
        """The table shows ``rows`` (or has room for them, past the end of a short list):
        ask now for those of them that are not here; whether any is missing. A new list
        brings these rows with its count (``set_query``)."""
        self._shown = rows
        end = min(rows.stop, self.total)
        if end <= rows.start:
            return False
        pages = range(rows.start // PAGE, (end - 1) // PAGE + 1)
        missing = [p for p in pages if not self._holds(p, min(end - p * PAGE, PAGE) - 1)]
        for page in missing:
            self._want(page)
        return bool(missing)

    def has_row(self, row: int) -> bool:
        """Whether the record of ``row`` is here (without asking for it)."""
        page, offset = divmod(row, PAGE)
        window = self._pages.get(page)
        return window is not None and offset < len(window.records)

    def record_at(self, row: int) -> Record[Any] | None:
        """The record at ``row`` if its page is here (asking for it if not)."""
        found = self._row(row)
        return found[0] if found else None

    def row_of(self, record_id: UUID) -> int | None:
        """The row of a record if its page is loaded (for keeping a selection)."""
        for page, window in self._pages.items():
            for offset, record in enumerate(window.records):
                if record.id == record_id:
                    return page * PAGE + offset
        return None

    def default_query(self) -> ListQuery:
        return default_query(self.kind)

    def set_query(self, query: ListQuery, *, recount: bool = True) -> None:
        """Show the rows of another query (filter, sort, kind); old pages are dropped.
        A new sort order keeps the count, unless the count is still on its way. The old
        rows stay until the new ones come: the count comes with the rows the table shows
        (where it stays, within the new count), in one trip to the worker; of their last
        page, only those rows (the rest of it is asked for when it is shown)."""
        self._generation += 1
        generation = self._generation
        self.query = query
        recount = recount or self._counting
        self._counting = recount
        total, shown = self.total, self._shown

        def count_and_fetch(case: Case) -> tuple[int, int, Window | None]:
            counted = case.listing.count(query) if recount else total
            if not counted:
                return counted, 0, None
            first = min(shown.start, max(counted - len(shown), 0))  # a shorter list's end
            page = first // PAGE
            end = min(first + max(len(shown), 1), counted)
            rows = case.listing.window(query, page * PAGE, end - page * PAGE, counted)
            return counted, page, rows

        def arrived(answer: tuple[int, int, Window | None]) -> None:
            if generation == self._generation:
                self._counting = False
                self._reset(*answer)
                counted = answer[0]
                self.controller.look_ahead(
                    lambda case, stop: case.listing.prepare(query, counted, stop)
                )

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self._counting = False
                self._reset(0)
            self.controller.report(exc)

        self.controller.read(count_and_fetch, arrived, failed)

    def concerns(self, changes: Changes) -> bool:
        """Whether ``changes`` may have changed a row: a record of this kind, or one that
        a row names."""
        return not self.shows.isdisjoint(changes.kinds)

    def refresh(self) -> None:
        """The case changed: count and fetch again what is on screen."""
        self.stale = False
        self.set_query(self.query)

    def forget(self, query: ListQuery | None = None) -> None:
        """Drop the rows (another case, or a change while hidden) without asking for new
        ones: a table nobody looks at costs nothing until it is shown (``stale``)."""
        self._generation += 1
        self.query = query or self.query
        self.stale = True
        self._counting = False
        self._reset(0)

    # -- loading ---------------------------------------------------------------------------

    def _reset(self, total: int, page: int = 0, rows: Window | None = None) -> None:
        # Pages asked for until now were asked with the old count: what they bring is
        # dropped (and asked again, if still on screen).
        self._generation += 1
        self.beginResetModel()
        self.total = total
        self._pages.clear()
        self._loading.clear()
        self._wanted.clear()
        self._partial.clear()
        if rows is not None:
            for number, part in _pages(page, -(-len(rows.records) // PAGE), rows):
                self._pages[number] = part
                if len(part.records) < min(PAGE, total - number * PAGE):
                    self._partial.add(number)
        self.endResetModel()
        self.counted.emit(total)

    def _row(
        self, row: int, fetch: Callable[[int], None] | None = None
    ) -> tuple[Record[Any], Window] | None:
        if not 0 <= row < self.total:
            return None
        page, offset = divmod(row, PAGE)
        if not self._holds(page, offset):
            (fetch or self._fetch_now)(page)  # a synchronous worker (tests) has it at once
        window = self._pages.get(page)
        if window is None or offset >= len(window.records):
            return None
        self._pages.move_to_end(page)
        return window.records[offset], window

    def _holds(self, page: int, offset: int) -> bool:
        """Whether row ``offset`` of ``page`` came, or never will (a short last page)."""
        window = self._pages.get(page)
        return window is not None and (page not in self._partial or offset < len(window.records))

    def _want(self, page: int) -> None:
        """A page the view is painting. The view asks for its rows one by one, so the
        pages of one paint are gathered and fetched together (one index walk, not two,
        when the screen straddles a page boundary)."""
        if page in self._loading:
            return
        self._loading.add(page)
        self._wanted.add(page)
        if len(self._wanted) == 1:
            QTimer.singleShot(0, self._fetch_wanted)

    def _fetch_now(self, page: int) -> None:
        if page not in self._loading:
            self._loading.add(page)
            self._fetch_run(page, 1)

    def _fetch_wanted(self) -> None:
        pages, self._wanted = sorted(self._wanted), set()
        while pages:
            first = pages.pop(0)
            count = 1
            while pages and pages[0] == first + count:
                pages.pop(0)
                count += 1
            self._fetch_run(first, count)

    def _fetch_run(self, first: int, count: int) -> None:
        """Fetch pages ``first`` to ``first + count`` as one window."""
        generation, query, total = self._generation, self.query, self.total

        def arrived(window: Window) -> None:
            for page, part in _pages(first, count, window):
                self._arrived(generation, page, part)

        def failed(exc: BaseException) -> None:
            self._loading.difference_update(range(first, first + count))  # asked again later
            self.controller.report(exc)

        self.controller.read(
            lambda case: case.listing.window(query, first * PAGE, count * PAGE, total),
            arrived,
            failed,
        )

    def _arrived(self, generation: int, page: int, window: Window) -> None:
        if generation != self._generation:
            return  # a newer query replaced the one this page was for
        self._loading.discard(page)
        self._partial.discard(page)
        self._pages[page] = window
        while len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        first = page * PAGE
        last = min(first + PAGE, self.total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))
        self.loaded.emit()


def _pages(first: int, count: int, window: Window) -> list[tuple[int, Window]]:
    """A window of rows from the start of page ``first``, as ``count`` pages."""
    return [
        (first + n, Window(window.records[n * PAGE : (n + 1) * PAGE], window.labels))
        for n in range(count)
    ]
