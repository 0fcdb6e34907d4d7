"""The Search menu's saved searches: one submenu runs them, another forgets them.

The menus only show what the case holds and say what was chosen; running a search and
forgetting one (an undoable edit) are the window's to do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from casefile.services.saved_searches import Saved


class SavedSearchMenus(QObject):
    run = Signal(str)  # the query of the saved search chosen
    forget = Signal(str)  # the name of the saved search to forget

    def __init__(self, menu: QMenu) -> None:
        super().__init__(menu)
        self.saved_menu = menu.addMenu("Saved searches")
        self.forget_menu = menu.addMenu("Forget a saved search")

    def show(self, saved: list[Saved]) -> None:
        """The case's saved searches, by name; the query shows as the tooltip."""
        self.saved_menu.clear()
        self.forget_menu.clear()
        for item in saved:
            run = self.saved_menu.addAction(item.name)
            run.setToolTip(item.query)
            run.triggered.connect(lambda _=False, q=item.query: self.run.emit(q))
            forget = self.forget_menu.addAction(item.name)
            forget.triggered.connect(lambda _=False, n=item.name: self.forget.emit(n))
        self.saved_menu.setEnabled(bool(saved))
        self.forget_menu.setEnabled(bool(saved))
