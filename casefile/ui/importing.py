"""Import documents from the window: a progress dialog with Cancel, then a summary.

The import runs on the maintenance worker (its own connections), so the tables keep
paging while files are read; each file is stored in its own transaction, so Cancel keeps
what is done and leaves nothing half-written. Encrypted PDFs are collected and, at the
end, their password is asked for once and they are tried again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from casefile.domain.terms import Kind
from casefile.services.importer import (
    COULD_NOT_READ,
    ImportOptions,
    ImportReport,
    Outcome,
    Status,
)
from casefile.ui.progress_run import ProgressRun

if TYPE_CHECKING:
    from casefile.services.case import Case
    from casefile.ui.controller import CaseController
    from casefile.ui.worker import Task

IMPORTED_KINDS = (Kind.SOURCE, Kind.DOCUMENT)


class ImportRun(ProgressRun):
    """One import the user started: its dialog, its worker job, its summary."""

    def __init__(
        self,
        controller: CaseController,
        parent: QWidget,
        options: ImportOptions,
        tell: Callable[[str], None],
        finished: Callable[[ImportReport], None] | None = None,
    ) -> None:
        """``finished`` takes the report instead of the summary (a retry with a password
        hands its report to the first run, which sums up both)."""
        super().__init__(controller, parent, "Import documents", "Reading documents…", 0)
        self.tell = tell
        self.options = options
        self.finished = finished

    def start(self, paths: Sequence[Path]) -> None:
        options = self.options

        def job(case: Case, task: Task) -> ImportReport:
            def progress(report: ImportReport) -> None:
                task.progress(len(report.outcomes), report.total, report.reading_now())

            return case.importer.import_files(paths, options, progress, lambda: task.cancelled)

        task = self.controller.run(job, self._done, self._failed, kinds=IMPORTED_KINDS)
        if self._open:  # (a synchronous worker, in tests, has finished already)
            self.task = task
            self.dialog.canceled.connect(task.cancel)
            self.dialog.setValue(0)

    def show_progress(self, done: int, total: int, now: str) -> None:
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)
        self.dialog.setLabelText(
            "\n".join(filter(None, (f"Imported {done:,} of {total:,} files…", now)))
        )

    def _failed(self, exc: BaseException) -> None:
        self.close_dialog()
        self.controller.report(exc)

    def _done(self, report: ImportReport) -> None:
        self.close_dialog()
        locked = [o.path for o in report.outcomes if o.needs_password]
        if locked and self.options.password is None:
            password, ok = QInputDialog.getText(
                self.parent,
                "Encrypted PDFs",
                f"{len(locked)} PDF file(s) need a password to be read "
                f"({', '.join(p.name for p in locked[:3])}{'…' if len(locked) > 3 else ''}).\n"
                "Password (leave empty to skip them):",
                QLineEdit.EchoMode.Password,
            )
            if ok and password:
                retry = ImportOptions(**{**self.options.__dict__, "password": password})
                kept = [o for o in report.outcomes if not o.needs_password]
                ImportRun(
                    self.controller,
                    self.parent,
                    retry,
                    self.tell,
                    lambda again: self._summarise(_merged(kept, report, again)),
                ).start(locked)
                return
        self._summarise(report)

    def _summarise(self, report: ImportReport) -> None:
        if self.finished is not None:
            self.finished(report)
            return
        # Failed, skipped (out of time), kept unread, imported without all of their text,
        # read at last, or nearly the same as a source already in the case.
        said = [o for o in report.outcomes if o.message or o.near_duplicate or o.again or o.inside]
        text = f"Import finished: {report.summary()}."
        if not said:
            self.tell(text)
            return
        missing = sum(o.status in (Status.FAILED, Status.SKIPPED) for o in said)
        kept = sum(o.status is Status.KEPT for o in said)
        in_part = sum(o.status is Status.IMPORTED and bool(o.message) for o in said)
        again = sum(o.again for o in said)
        near = sum(bool(o.near_duplicate) for o in said)
        archives = sum(bool(o.inside) for o in said)
        warn = missing or kept or in_part
        icon = QMessageBox.Icon.Warning if warn else QMessageBox.Icon.Information
        box = QMessageBox(icon, "Import documents", text, parent=self.parent)
        told = (
            f"{missing:,} file(s) could not be imported." if missing else "",
            f"{kept:,} file(s) could not be read: each is kept as it is, under a source "
            f"tagged “{COULD_NOT_READ}” that says why; importing it again reads it again."
            if kept
            else "",
            f"{in_part:,} file(s) imported without all of their text." if in_part else "",
            f"{again:,} file(s) kept unread before were read this time." if again else "",
            f"{archives:,} archive(s) or mailbox(es): each file in them is a source of its "
            "own, whose notes say where it was found."
            if archives
            else "",
            f"{near:,} file(s) nearly the same as a source already in the case: they count as "
            "one source until you reject the match in the source's details."
            if near
            else "",
        )
        box.setInformativeText(" ".join(t for t in told if t))
        box.setDetailedText("\n".join(o.line() for o in said))
        box.exec()


def _merged(kept: list[Outcome], first: ImportReport, again: ImportReport) -> ImportReport:
    return ImportReport(
        total=first.total,
        outcomes=[*kept, *again.outcomes],
        cancelled=first.cancelled or again.cancelled,
    )
