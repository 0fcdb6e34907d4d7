"""The main window: a start page, then the case — kinds on the left, a table in the middle,
the selected record on the right.

It holds no case data of its own: it asks the controller, and refreshes when the
controller says something changed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from casefile.domain.display import moved_places, sentence
from casefile.domain.formats import CASE_EXTENSION, Format
from casefile.domain.records import LinkFields, Record
from casefile.domain.terms import Kind, Relation
from casefile.services import paths
from casefile.ui.case_opening import CaseOpener
from casefile.ui.detail_view import DetailView
from casefile.ui.document_view import DocumentViewer, Passage, quote_preset
from casefile.ui.filter_bar import FilterBar
from casefile.ui.forms import RecordDialog
from casefile.ui.record_table import RecordTable
from casefile.ui.saved_search_menus import SavedSearchMenus
from casefile.ui.search_panel import SearchResults
from casefile.ui.sidebar import KindList
from casefile.ui.start_page import StartPage
from casefile.ui.table_model import RecordTableModel, default_query
from casefile.ui.undo import Editor

if TYPE_CHECKING:
    from casefile.domain.changes import Changes
    from casefile.services.case import Case, CaseInfo
    from casefile.services.details import RecordDetail
    from casefile.services.documents import Reading
    from casefile.services.encodings import ReadAgain
    from casefile.ui.controller import CaseController
    from casefile.ui.settings import WindowSettings

KIND_TITLES = {
    Kind.ATTACK: "Attacks",
    Kind.PERSON: "People",
    Kind.GROUP: "Groups",
    Kind.SOURCE: "Sources",
    Kind.QUOTE: "Quotes",
    Kind.LINK: "Links",
    Kind.DOCUMENT: "Documents",
    Kind.REPORT: "Reported values",
    Kind.JUDGEMENT: "Key judgements",
}
ROW_HEIGHT = 24


# Offered first when a text is read again: the legacy encodings of the scripts cases hold.
ENCODINGS = [
    "cp1256 (Arabic, Windows)",
    "iso8859-6 (Arabic)",
    "cp1251 (Cyrillic, Windows)",
    "koi8-r (Russian)",
    "cp1255 (Hebrew)",
    "cp1253 (Greek)",
    "cp1254 (Turkish)",
    "cp1252 (Western European)",
    "gb18030 (Chinese, simplified)",
    "big5 (Chinese, traditional)",
    "shift_jis (Japanese)",
    "euc_kr (Korean)",
    "utf-8",
    "utf-16",
]


class MainWindow(QMainWindow):
    def __init__(self, controller: CaseController, settings: WindowSettings) -> None:
        super().__init__()
        self.controller = controller
        self.settings = settings
        self.undo_stack = QUndoStack(self)
        self.editor = Editor(controller, self.undo_stack)
        self.opener = CaseOpener(controller, self, self.show_error)
        self.kind = Kind.ATTACK
        self._pending_select: UUID | None = None
        self._pending_row: int | None = None
        self._keep_selected: set[UUID] = set()  # other rows selected with the pending one
        self.setWindowTitle("Casefile")
        self.setAcceptDrops(True)
        self.resize(1280, 800)

        self.start_page = StartPage()
        self.case_view = self._build_case_view()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.start_page)
        self.stack.addWidget(self.case_view)
        self.setCentralWidget(self.stack)
        self._build_actions()
        self._build_status_bar()
        self._connect()
        self._restore_state()
        self._show_start_page()

    # -- building ------------------------------------------------------------------------

    def _build_case_view(self) -> QWidget:
        self.sidebar = KindList(KIND_TITLES)
        self.sidebar.setMinimumWidth(150)

        middle = QWidget()
        layout = QVBoxLayout(middle)
        layout.setContentsMargins(0, 0, 0, 0)
        self.filter_bar = FilterBar()
        layout.addWidget(self.filter_bar)
        layout.addWidget(self._build_table(), 1)

        self.detail = DetailView()
        self.results = SearchResults(self.controller)
        self.right_pane = QStackedWidget()
        self.right_pane.addWidget(self.detail)
        self.right_pane.addWidget(self.results)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.right_pane)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 1)
        self.splitter.setSizes([160, 780, 360])
        return self.splitter

    def _build_table(self) -> RecordTable:
        self.table = RecordTable()
        self.table.setAccessibleName("Records")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several rows (Ctrl/Shift-click) for what takes several: a briefing pack of the
        # attacks selected. Edit, link and delete act on one record: the current one.
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        # Fixed row heights: sizing rows to contents would read every row of a big case.
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(ROW_HEIGHT)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.models = {kind: RecordTableModel(self.controller, kind) for kind in KIND_TITLES}
        return self.table

    def _action(
        self,
        text: str,
        slot: Any,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        keys = QKeySequence.StandardKey
        self.new_case_action = self._action("&New case…", self.opener.new_case, keys.New)
        self.open_action = self._action("&Open case…", self.opener.open_dialog, keys.Open)
        self.recent_menu = QMenu("Open &recent", self)
        self.demo_action = self._action("Open the &demo case", self.opener.open_demo)
        self.close_action = self._action("&Close case", self.close_case, keys.Close)
        self.backup_action = self._action("&Back up a copy…", self.backup)
        self.check_action = self._action("Chec&k case", self.check)
        self.import_action = self._action("&Import documents…", self.import_dialog, "Ctrl+I")
        self.limits_action = self._action("Import &limits…", self.edit_import_limits)
        self.export_action = self._action(
            "&Export briefing pack…", self.export_pack, "Ctrl+Shift+E"
        )
        self.quit_action = self._action("&Quit", self.close, keys.Quit)
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence(keys.Undo))
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence(keys.Redo))
        self.new_record_action = self._action("New &record…", self.new_record, "Ctrl+Shift+N")
        self.edit_record_action = self._action("&Edit record…", self.edit_record, "Ctrl+E")
        self.delete_record_action = self._action("&Delete record…", self.delete_record, keys.Delete)
        self.link_action = self._action("Add &link…", self.add_link, "Ctrl+L")
        self.find_action = self._action("&Filter", self.focus_filter, keys.Find)
        self.search_action = self._action("&Search everything", self.focus_search, "Ctrl+K")
        self.save_search_action = self._action("Save this search…", self.save_search)

        file_menu = self.menuBar().addMenu("&File")
        for item in (self.new_case_action, self.open_action):
            file_menu.addAction(item)
        file_menu.addMenu(self.recent_menu)
        file_menu.addAction(self.demo_action)
        file_menu.addSeparator()
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.limits_action)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        for item in (self.backup_action, self.check_action, self.close_action):
            file_menu.addAction(item)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = self.menuBar().addMenu("&Edit")
        for item in (self.undo_action, self.redo_action):
            edit_menu.addAction(item)
        edit_menu.addSeparator()
        for item in (
            self.new_record_action,
            self.edit_record_action,
            self.link_action,
            self.delete_record_action,
        ):
            edit_menu.addAction(item)
        edit_menu.addSeparator()
        edit_menu.addAction(self.find_action)
        search_menu = self.menuBar().addMenu("&Search")
        search_menu.addAction(self.search_action)
        search_menu.addAction(self.save_search_action)
        search_menu.addSeparator()
        self.saved_searches = SavedSearchMenus(search_menu)
        view_menu = self.menuBar().addMenu("&View")
        for number, kind in enumerate(KIND_TITLES, start=1):
            view_menu.addAction(
                self._action(
                    KIND_TITLES[kind], lambda _=False, k=kind: self.show_kind(k), f"Ctrl+{number}"
                )
            )

        self._build_toolbar()

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Records")
        toolbar.setObjectName("records-toolbar")
        toolbar.setMovable(False)
        for item in (
            self.new_record_action,
            self.edit_record_action,
            self.link_action,
            self.delete_record_action,
        ):
            toolbar.addAction(item)
        toolbar.addSeparator()
        toolbar.addAction(self.undo_action)
        toolbar.addAction(self.redo_action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addWidget(self._build_search_field())
        self.addToolBar(toolbar)
        self.toolbar = toolbar

    def _build_search_field(self) -> QLineEdit:
        self.search_field = QLineEdit()
        self.search_field.setPlaceholderText("Search everything… (Ctrl+K)")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setAccessibleName("Search the whole case")
        self.search_field.setMinimumWidth(320)
        self.search_field.textChanged.connect(self._search_changed)
        self.search_field.returnPressed.connect(self.focus_search)
        leave = QAction("Back to the record", self.search_field)
        leave.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        leave.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        leave.triggered.connect(self.search_field.clear)
        self.search_field.addAction(leave)
        self.results.addAction(leave)  # read, clicked or tabbed into: Esc there too
        return self.search_field

    def _build_status_bar(self) -> None:
        self.count_label = QLabel()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setMaximumHeight(14)
        self.busy.hide()
        self.busy_timer = QTimer(self)
        self.busy_timer.setSingleShot(True)
        self.busy_timer.setInterval(300)  # only show it for work a person would notice
        self.busy_timer.timeout.connect(self.busy.show)
        self.statusBar().addWidget(self.count_label)
        self.statusBar().addPermanentWidget(self.busy)

    def _connect(self) -> None:
        c = self.controller
        c.opened.connect(self._case_opened)
        c.closed.connect(self._show_start_page)
        c.changed.connect(self._case_changed)
        c.failed.connect(self.show_error)
        c.worker.busy_changed.connect(self._busy)
        c.maintenance.busy_changed.connect(self._busy)
        c.worker.unexpected.connect(self.show_bug)
        c.maintenance.unexpected.connect(self.show_bug)
        c.ahead.unexpected.connect(self.show_bug)
        self.start_page.new_case.connect(self.opener.new_case)
        self.start_page.open_case.connect(self.opener.open_dialog)
        self.start_page.open_demo.connect(self.opener.open_demo)
        self.start_page.open_path.connect(self.opener.open_path)
        self.sidebar.currentRowChanged.connect(self._kind_row_changed)
        self.filter_bar.changed.connect(self.apply_filter)
        self.saved_searches.run.connect(self._run_saved)
        self.saved_searches.forget.connect(self.editor.forget_search)
        self.table.doubleClicked.connect(lambda _index: self.edit_record())
        self.detail.navigate.connect(self.go_to)
        self.detail.link_mention.connect(self.link_mention)
        self.detail.open_document.connect(self.open_document)
        self.detail.report_value.connect(self.report_value)
        self.detail.assess.connect(self.assess)
        self.detail.judge_duplicate.connect(self.editor.judge_duplicate)
        self.detail.read_as.connect(self.read_as)
        self.results.open_record.connect(self._open_search_hit)
        self.results.open_page.connect(self.open_search_page)
        for model in self.models.values():
            model.counted.connect(self._counted)
            model.loaded.connect(self._select_pending)

    # -- window state --------------------------------------------------------------------

    def _restore_state(self) -> None:
        geometry = self.settings.restore("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = self.settings.restore("splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.settings.save("geometry", self.saveGeometry())
        self.settings.save("splitter", self.splitter.saveState())
        self.settings.sync()
        self.controller.shutdown()
        event.accept()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        """A case file opens; other files and folders are imported into the open case."""
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if any(f.endswith(CASE_EXTENSION) for f in files) or (files and self.controller.is_open):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        files = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        case = next((f for f in files if f.suffix == CASE_EXTENSION), None)
        if case is not None:
            self.opener.open_path(case)
        elif files and self.controller.is_open:
            self.import_paths(files)
        else:
            return
        event.acceptProposedAction()

    # -- opening and closing cases -------------------------------------------------------

    def _show_start_page(self) -> None:
        self.search_field.clear()  # the results were the closed case's
        self.setWindowTitle("Casefile")
        self.start_page.set_recent(self.settings.recent_cases())
        self._refresh_recent_menu()
        self.stack.setCurrentWidget(self.start_page)
        self._enable_case_actions(False)
        self.toolbar.hide()
        self.count_label.clear()
        self.statusBar().clearMessage()  # news of the closed case

    def _refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_cases()
        for path in recent:
            action = self.recent_menu.addAction(path.name)
            action.setToolTip(str(path))
            action.triggered.connect(lambda _checked=False, p=path: self.opener.open_path(p))
        self.recent_menu.setEnabled(bool(recent))

    def _enable_case_actions(self, case_open: bool) -> None:
        """Case actions follow the open case; record actions also need a selection."""
        for action in (
            self.close_action,
            self.backup_action,
            self.check_action,
            self.import_action,
            self.export_action,
            self.new_record_action,
            self.find_action,
            self.search_action,
            self.save_search_action,
        ):
            action.setEnabled(case_open)
        if not case_open:
            for action in (self.edit_record_action, self.delete_record_action, self.link_action):
                action.setEnabled(False)

    def close_case(self) -> None:
        self.undo_stack.clear()
        self.controller.close()

    def _case_opened(self, info: CaseInfo) -> None:
        # What was typed for the case before (one opened over another) is not this case's:
        # its search results and its filter would show or narrow what is not here.
        self.search_field.clear()
        self.filter_bar.clear()
        self._refresh_saved_searches()
        self.settings.remember_case(info.path)
        self._refresh_recent_menu()
        self.undo_stack.clear()
        self.setWindowTitle(f"{info.title} — Casefile")
        self.stack.setCurrentWidget(self.case_view)
        self._enable_case_actions(True)
        self.toolbar.show()
        self._update_counts(info)
        for model in self.models.values():
            model.forget(model.default_query())
        self.sidebar.setCurrentRow(0)
        self.show_kind(Kind.ATTACK)
        self.detail.show_nothing()

    def _case_changed(self, changes: Changes) -> None:
        """Read again what the change concerns: the table shown (keeping its selection),
        tables not shown are dropped until shown, the detail pane's record."""
        if self.controller.info is not None:
            self._update_counts(self.controller.info)
            self.setWindowTitle(f"{self.controller.info.title} — Casefile")
        if changes.searches:
            self._refresh_saved_searches()
        shown = self.models[self.kind]
        for model in self.models.values():
            if model is not shown and model.concerns(changes):
                model.forget()
        if shown.concerns(changes):
            self._refresh_keeping_selection(shown)  # selected again: the pane reads it
        elif self.detail.concerns(changes):
            self._show_selected()

    def _refresh_keeping_selection(self, model: RecordTableModel) -> None:
        """Rows come anew after a change, and the selection with them: the current
        record is selected again where it now stands (if it still exists), and the other
        selected rows that are among the rows read."""
        current = self.selected()
        if current is not None and self._pending_select is None:
            self._pending_select = current.id
            self._keep_selected = {r.id for r in self.selected_records()} - {current.id}
        model.refresh()

    def _update_counts(self, info: CaseInfo) -> None:
        self.sidebar.set_counts(info.counts)

    # -- the table -------------------------------------------------------------------------

    def _kind_row_changed(self, row: int) -> None:
        kind = self.sidebar.kind(row)
        if kind is not None:
            self.show_kind(kind)

    def show_kind(self, kind: Kind) -> None:
        self.kind = kind
        row = list(KIND_TITLES).index(kind)
        if self.sidebar.currentRow() != row:
            self.sidebar.setCurrentRow(row)
        model = self.models[kind]
        self.table.setModel(model)
        self.table.selectionModel().currentRowChanged.connect(
            self._current_changed, Qt.ConnectionType.UniqueConnection
        )
        self.table.selectionModel().selectionChanged.connect(
            self._selection_changed, Qt.ConnectionType.UniqueConnection
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.fit(model.columns)
        if model.stale:  # after the fit: rows that come at once are measured by it
            model.refresh()
        sort = model.query.sort
        sorted_column = next((i for i, c in enumerate(model.columns) if c.sort == sort), -1)
        order = (
            Qt.SortOrder.DescendingOrder if model.query.descending else Qt.SortOrder.AscendingOrder
        )
        header.setSortIndicator(sorted_column, order)
        self.filter_bar.show_kind(kind)
        self.new_record_action.setText(
            f"New {kind.singular}…" if kind is not Kind.DOCUMENT else "New record…"
        )
        self.new_record_action.setEnabled(self.controller.is_open and kind is not Kind.DOCUMENT)
        self._counted(model.total)
        self.apply_filter()
        self._show_selected()

    def _counted(self, total: int) -> None:
        model = self.models[self.kind]
        if self.sender() not in (None, model):
            return
        if self._pending_row is not None and self._pending_row < total:
            # Ask for the page that holds it; when it is here, `_select_pending` selects it.
            model.record_at(self._pending_row)
            self._pending_row = None
            self._select_pending()
        elif self._pending_select is not None and self._pending_row is None:
            self._find_pending(model)
        noun = KIND_TITLES[self.kind].lower() if total != 1 else self.kind.singular
        self.count_label.setText(f"{total:,} {noun}")

    def apply_filter(self) -> None:
        model = self.models[self.kind]
        query = self.filter_bar.narrow(model.query)
        if query is not None and query != model.query:
            model.set_query(query)

    def focus_filter(self) -> None:
        self.filter_bar.focus()

    def selected(self) -> Record[Any] | None:
        index = self.table.currentIndex()
        model = self.models[self.kind]
        return model.record_at(index.row()) if index.isValid() else None

    def selected_records(self) -> list[Record[Any]]:
        """Every selected row's record (loaded rows: a selection is of rows seen)."""
        model = self.models[self.kind]
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [record for row in rows if (record := model.record_at(row)) is not None]

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_selected()

    def _selection_changed(self, *_changed: Any) -> None:
        # One delete is one action on one record: with several rows selected, none.
        many = len(self.table.selectionModel().selectedRows()) > 1
        self.delete_record_action.setEnabled(self.selected() is not None and not many)

    def _show_selected(self) -> None:
        record = self.selected()
        for action in (self.edit_record_action, self.link_action):
            action.setEnabled(record is not None)
        self._selection_changed()
        if record is None:
            self.detail.show_nothing()
            return
        record_id = record.id

        def gather(case: Case) -> RecordDetail:
            from casefile.services.details import RecordDetail  # on the worker

            return RecordDetail.gather(case, record_id)

        self.controller.read(
            gather,
            self._show_detail,
            on_error=lambda exc: self.detail.show_nothing(),
        )

    def _show_detail(self, detail: RecordDetail) -> None:
        current = self.selected()
        if current is not None and current.id == detail.record.id:
            self.detail.show_detail(detail)

    def go_to(self, record_id: UUID) -> None:
        """Show a record from a link in the detail pane: its kind, its row, selected."""

        def find(case: Case) -> tuple[Kind, int | None]:
            kind = case.records.get(record_id).kind
            return kind, case.listing.position(default_query(kind), record_id)

        def found(result: tuple[Kind, int | None]) -> None:
            kind, row = result
            self.filter_bar.clear()
            self._pending_select = record_id
            self._pending_row = row
            self.models[kind].forget(self.models[kind].default_query())
            self.show_kind(kind)  # counts afresh; `_counted` then selects the record

        self.controller.read(find, found)

    def _find_pending(self, model: RecordTableModel) -> None:
        """Select the pending record if its row is among those read; if not, ask where
        it stands (a change may have sorted it elsewhere, or removed it)."""
        self._select_pending()
        record_id = self._pending_select
        if record_id is None:
            return
        query = model.query

        def found(row: int | None) -> None:
            if self._pending_select != record_id or model.query != query:
                return  # another selection, or another list, since
            if row is None:
                self._pending_select = None
                self._keep_selected.clear()
                self._show_selected()  # nothing is selected now: the pane says so
            else:
                model.record_at(row)  # its page: `_select_pending` selects it when here
                self._select_pending()

        self.controller.read(lambda case: case.listing.position(query, record_id), found)

    def _select_pending(self) -> None:
        if self._pending_select is None:
            return
        model = self.models[self.kind]
        row = model.row_of(self._pending_select)
        if row is None:
            return
        self._pending_select = None
        index = model.index(row, 0)
        flags = QItemSelectionModel.SelectionFlag
        selection = self.table.selectionModel()
        selection.setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
        for other in (model.row_of(record_id) for record_id in self._keep_selected):
            if other is not None:
                selection.select(model.index(other, 0), flags.Select | flags.Rows)
        self._keep_selected.clear()
        self.table.scrollTo(index)

    # -- editing ---------------------------------------------------------------------------

    def new_record(self) -> None:
        if self.kind is Kind.DOCUMENT:
            return
        dialog = RecordDialog(self.editor, self.kind, None, self)
        if dialog.exec():
            fields, tags, notes = dialog.values()
            self.editor.add(fields, tags, notes, on_done=lambda r: self.go_to(r.id))

    def edit_record(self) -> None:
        record = self.selected()
        if record is None or record.kind is Kind.DOCUMENT:
            return
        dialog = RecordDialog(self.editor, record.kind, record, self)
        if dialog.exec():
            fields, tags, notes = dialog.values()
            self.editor.edit(record.id, fields, tags, notes)

    def report_value(self, record_id: UUID, fact: str) -> None:
        """What a source says one of a record's facts is (``fact`` "" to choose it)."""
        preset: dict[str, Any] = {"record": record_id}
        if fact:
            preset["fact"] = fact
        dialog = RecordDialog(self.editor, Kind.REPORT, None, self, preset=preset)
        if dialog.exec():
            self.editor.add(*dialog.values())

    def assess(self, report_id: UUID) -> None:
        """Take a reported value as its fact's value, asking why."""
        reason, ok = QInputDialog.getText(
            self, "Assess the reported value", "Why is this the value to go by?"
        )
        if ok:
            self.editor.assess(report_id, reason)

    def read_as(self, document_id: UUID) -> None:
        """Read a stored text again in an encoding the user names (when it reads garbled)."""
        encoding, ok = QInputDialog.getItem(
            self,
            "Read in another encoding",
            "Encoding (the file itself is not changed; Undo puts the text back):",
            ENCODINGS,
            0,
            True,
        )
        if ok and encoding.strip():
            self.editor.read_as(document_id, encoding.split(" ")[0], self._read_again)

    def _read_again(self, read: ReadAgain) -> None:
        said = f"Read {read.file_name} again as {read.encoding}."
        moved = moved_places(*read.quotes_moved.counts())
        if moved:
            said += f" {sentence(moved)}"
        self.statusBar().showMessage(said, 12000)

    def add_link(self) -> None:
        record = self.selected()
        if record is None:
            return
        dialog = RecordDialog(self.editor, Kind.LINK, None, self, preset={"subject": record.id})
        if dialog.exec():
            fields, tags, notes = dialog.values()
            self.editor.add(fields, tags, notes)

    def open_document(
        self, record_id: UUID, then: Callable[[DocumentViewer], None] | None = None
    ) -> None:
        """A document (or a quote's document, at the quote) in a viewer window; ``then``
        may take it somewhere (a search result's page)."""

        def show(reading: Reading) -> None:
            viewer = DocumentViewer(reading, self)
            viewer.quote_requested.connect(lambda passage: self.quote_passage(passage, viewer))
            viewer.show()
            if then is not None:
                then(viewer)

        self.controller.read(lambda case: case.documents.reading(record_id), show)

    def open_search_page(self, document_id: UUID, page: int, words: list[str]) -> None:
        self.open_document(document_id, lambda viewer: viewer.show_words(page, words))

    def focus_search(self) -> None:
        self.search_field.setFocus()
        self.search_field.selectAll()
        self._search_changed(self.search_field.text())

    def _search_changed(self, typed: str) -> None:
        """Results replace the detail pane while there is something to search for."""
        if typed.strip():
            self.right_pane.setCurrentWidget(self.results)
            self.results.search(typed)
        else:
            self.right_pane.setCurrentWidget(self.detail)

    def save_search(self) -> None:
        typed = self.search_field.text().strip()
        if not typed:
            self.show_error("Type a search first, then save it.")
            return
        name, ok = QInputDialog.getText(self, "Save this search", "Name:", text=typed)
        if ok and name.strip():
            self.editor.save_search(name, typed)

    def _refresh_saved_searches(self) -> None:
        self.controller.read(lambda case: case.saved_searches.all(), self.saved_searches.show)

    def _run_saved(self, query: str) -> None:
        self.search_field.setText(query)
        self.focus_search()

    def _open_search_hit(self, record_id: UUID) -> None:
        self.right_pane.setCurrentWidget(self.detail)
        self.go_to(record_id)

    def quote_passage(self, passage: Passage, viewer: QWidget) -> None:
        """A selection in a document becomes a quote; the user adds the speaker."""
        preset = quote_preset(passage)
        dialog = RecordDialog(self.editor, Kind.QUOTE, None, viewer, preset=preset)
        if dialog.exec():
            self.editor.add(*dialog.values())

    def link_mention(self, record_id: UUID) -> None:
        """One click: the selected source "mentions" that person or group (undoable)."""
        source = self.selected()
        if source is not None and source.kind is Kind.SOURCE:
            link = LinkFields(subject=source.id, relation=Relation.MENTIONS, object=record_id)
            self.editor.add(link, (), "")

    def delete_record(self) -> None:
        record = self.selected()
        if record is None or not self.delete_record_action.isEnabled():
            return
        record_id = record.id

        def ask(summary: Any) -> None:
            extra = summary.describe()
            text = f"Delete the {record.kind.value} “{record.label}”?"
            if extra:
                text += f"\n\nThis also {extra}."
            answer = QMessageBox.question(self, "Delete", text + "\n\nYou can undo this.")
            if answer == QMessageBox.StandardButton.Yes:
                self.editor.delete(record_id, record.label)

        self.controller.read(lambda case: case.records.dependents(record_id), ask)

    # -- long operations -------------------------------------------------------------------

    def backup(self) -> None:
        if self.controller.info is None:
            return
        suggested = self.controller.info.path.with_name(
            self.controller.info.path.stem + "-copy" + CASE_EXTENSION
        )
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Back up a copy", str(suggested), f"Case files (*{CASE_EXTENSION})"
        )
        if not chosen:
            return
        dest = Path(chosen)
        self.statusBar().showMessage("Backing up…")
        self.controller.run(
            lambda case, task: case.backup(dest),
            lambda _: self.statusBar().showMessage(f"Backed up to {dest}", 8000),
        )

    def import_dialog(self) -> None:
        chosen, _ = QFileDialog.getOpenFileNames(
            self,
            "Import documents",
            self.settings.last_import_folder(),
            f"Documents ({' '.join(f'*.{e}' for f in Format for e in f.extensions)});;"
            "All files (*)",
        )
        if chosen:
            self.import_paths([Path(c) for c in chosen])

    def edit_import_limits(self) -> None:
        from casefile.ui.dialogs import ImportLimitsDialog

        dialog = ImportLimitsDialog(self.settings.import_options(), self)
        if dialog.exec():
            self.settings.save_import_options(dialog.options())

    def import_paths(self, chosen: list[Path]) -> None:
        """Files and folders (dropped or chosen) into the open case."""
        self.settings.remember_import_folder(chosen[0].parent)
        tell: Any = lambda text: self.statusBar().showMessage(text, 10000)  # noqa: E731
        from casefile.ui.importing import ImportRun  # loaded for the first import

        ImportRun(self.controller, self, self.settings.import_options(), tell).start(chosen)

    def export_pack(self) -> None:
        """A briefing pack (PDF) of the case, or of the attacks selected."""
        attacks = [r for r in self.selected_records() if r.kind is Kind.ATTACK]
        tell: Any = lambda text: self.statusBar().showMessage(text, 10000)  # noqa: E731
        from casefile.ui.export_pack import export_briefing_pack  # loaded for the first pack

        export_briefing_pack(self.controller, self.settings, attacks, self, tell)

    def check(self) -> None:
        self.statusBar().showMessage("Checking the case…")

        def done(problems: list[str]) -> None:
            self.statusBar().clearMessage()
            if problems:
                found = "Problems found:\n\n" + "\n".join(problems)
                self.opener.offer_rescue(found, None)
            else:
                QMessageBox.information(self, "Check case", "No problems found.")

        self.controller.run(lambda case, task: case.check(), done)

    def _busy(self, _busy: bool) -> None:
        workers = (self.controller.worker, self.controller.maintenance)
        if any(w.busy for w in workers):
            self.busy_timer.start()
        else:
            self.busy_timer.stop()
            self.busy.hide()

    # -- messages ----------------------------------------------------------------------------

    def show_error(self, message: str) -> None:
        QMessageBox.warning(self, "Casefile", sentence(message))

    def show_bug(self, exc: BaseException) -> None:
        QMessageBox.critical(
            self,
            "Casefile",
            "Something went wrong inside Casefile; your case is as it was before this "
            f"action.\n\nDetails are in {paths.log_file()}",
        )
