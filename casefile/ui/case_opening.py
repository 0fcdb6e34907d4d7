"""Opening a case as a person meets it: new, chosen, the demo, from the recent list; a
passphrase asked for, an upgrade announced, and a damaged case offered a rescued copy.

The window's menus, start page and drops all open cases through here, so each of those
questions is asked in one place and the same way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from casefile.domain.display import sentence
from casefile.domain.errors import Damaged, NeedsPassphrase, WrongPassphrase
from casefile.domain.formats import CASE_EXTENSION
from casefile.services import paths
from casefile.ui.dialogs import NewCaseDialog, PassphraseDialog

if TYPE_CHECKING:
    from casefile.services.rescue import Rescued
    from casefile.ui.controller import CaseController
    from casefile.ui.worker import Task

DEMO_NAME = "westminster-2017" + CASE_EXTENSION


class CaseOpener(QObject):
    def __init__(
        self,
        controller: CaseController,
        window: QMainWindow,
        show_error: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self.controller = controller
        self.window = window
        self._show_error = show_error

    def new_case(self) -> None:
        dialog = NewCaseDialog(Path.home(), self.window)
        if dialog.exec():
            path, title, passphrase = dialog.values()
            self.controller.create(path, title, passphrase)

    def open_dialog(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self.window,
            "Open case",
            str(Path.home()),
            f"Case files (*{CASE_EXTENSION});;All files (*)",
        )
        if chosen:
            self.open_path(Path(chosen))

    def open_demo(self) -> None:
        """A copy of the demo case in the data folder: the user may change it freely."""
        path = paths.data_dir() / DEMO_NAME

        def job(task: Task) -> Path:
            from casefile.services.demo import write_demo_case  # on the worker

            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                write_demo_case(path).close()
            return path

        self.controller.worker.submit(job, self.open_path, lambda exc: self._show_error(str(exc)))

    def open_path(self, path: Path, passphrase: str | None = None) -> None:
        def failed(exc: BaseException) -> None:
            if isinstance(exc, NeedsPassphrase | WrongPassphrase):
                error = str(exc) if isinstance(exc, WrongPassphrase) else ""
                dialog = PassphraseDialog(
                    path, "Wrong passphrase: try again." if error else "", self.window
                )
                if dialog.exec():
                    self.open_path(path, dialog.value())
                return
            if isinstance(exc, Damaged):
                said = str(exc) if str(path) in str(exc) else f"{path.name}: {exc}"
                self.offer_rescue(said, lambda task: _rescue(path, passphrase))
                return
            self._show_error(str(exc))

        def checked(needed: bool) -> None:
            if needed:
                QMessageBox.information(
                    self.window,
                    "Upgrade",
                    f"{path.name} was made by an older Casefile. A backup copy will be "
                    "written next to it, then it will be upgraded.",
                )
            self.controller.open(path, passphrase, on_error=failed)

        def check(task: Task) -> bool:
            from casefile.services.case import upgrade_needed  # the database layer: on the worker

            return upgrade_needed(path, passphrase)

        self.controller.worker.submit(check, checked, failed)

    def offer_rescue(self, problem: str, rescue: Callable[[Task], Rescued] | None) -> None:
        """Say what is wrong with a case and offer a rescued copy of what can be read (of
        the open case when ``rescue`` is None); the case itself is left as it is."""
        answer = QMessageBox.warning(
            self.window,
            "Damaged case",
            f"{sentence(problem)}\n\nWrite a rescued copy of everything that can still be "
            "read beside the case? The case itself is left as it is.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.window.statusBar().showMessage("Rescuing what can be read…")

        def rescued(copy: Rescued) -> None:
            self.window.statusBar().clearMessage()
            rows = copy.salvaged.rows.get("record", 0)
            lost = ", ".join(copy.lost)
            lost = f" Partly lost (they could not all be read): {lost}." if lost else ""
            opened = QMessageBox.question(
                self.window,
                "Damaged case",
                f"{rows:,} records were rescued into {copy.path.name}, beside the case.{lost}"
                "\n\nOpen the rescued copy?",
            )
            if opened == QMessageBox.StandardButton.Yes:
                self.open_path(copy.path)

        def failed(exc: BaseException) -> None:
            self.window.statusBar().clearMessage()
            self._show_error(str(exc))

        if rescue is None:
            self.controller.run(lambda case, task: case.rescue(), rescued, failed)
        else:
            self.controller.worker.submit(rescue, rescued, failed)


def _rescue(path: Path, passphrase: str | None) -> Rescued:
    from casefile.services.rescue import rescue_case  # on the worker

    return rescue_case(path, passphrase)
