"""A long job the user started, on the maintenance worker, shown in a progress dialog with
Cancel. However the job ends (a bug included), the worker goes idle and the dialog goes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

if TYPE_CHECKING:
    from casefile.ui.controller import CaseController
    from casefile.ui.worker import Task


class ProgressRun:
    def __init__(
        self, controller: CaseController, parent: QWidget, title: str, label: str, steps: int
    ) -> None:
        """``steps`` 0 shows a busy bar until the job says how many there are."""
        self.controller = controller
        self.parent = parent
        self.dialog = QProgressDialog(label, "Cancel", 0, steps, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.setAutoReset(False)
        self.dialog.setAutoClose(False)
        self.task: Task | None = None
        self._open = True
        controller.maintenance.progressed.connect(self._progressed)
        controller.maintenance.busy_changed.connect(self._busy)

    def show_progress(self, done: int, total: int, now: str) -> None:
        """``now``: what is being done, in a line or more ("" if the step says enough)."""
        self.dialog.setValue(min(done, total))

    def _progressed(self, task: Task, done: int, total: int, now: str) -> None:
        if self._open and (self.task is None or task is self.task):
            self.show_progress(done, total, now)

    def _busy(self, busy: bool) -> None:
        if not busy:
            self.close_dialog()

    def close_dialog(self) -> None:
        if not self._open:
            return
        self._open = False
        self.controller.maintenance.progressed.disconnect(self._progressed)
        self.controller.maintenance.busy_changed.disconnect(self._busy)
        self.dialog.close()
        self.dialog.deleteLater()
