"""The open case, as the GUI sees it: every call goes to the worker, every change is
announced once.

Views never call each other: a mutation returns what it changed (``Changes``), the
controller emits ``changed`` with it, and each view decides whether to refresh (the
Anki pattern).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias, TypeVar

from PySide6.QtCore import QObject, Signal

from casefile.domain.changes import Changes
from casefile.domain.errors import CaseFileError
from casefile.ui.worker import Task, Worker

if TYPE_CHECKING:
    from casefile.domain.terms import Kind
    from casefile.services.case import Case, CaseInfo

T = TypeVar("T")
log = logging.getLogger("casefile.ui")
# A look-ahead starts this long after it is asked for (when a list's first rows have
# come): their painting, and a click that follows at once, do not share the CPU with it.
LOOK_AHEAD_AFTER_S = 0.3
Opened: TypeAlias = "tuple[CaseInfo, Callable[[], object]]"  # its summary, its daily backup


class CaseController(QObject):
    opened = Signal(object)  # CaseInfo
    closed = Signal()
    changed = Signal(object)  # Changes
    failed = Signal(str)  # a one-line message for the user

    def __init__(
        self, worker: Worker, maintenance: Worker | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self.maintenance = maintenance or Worker(synchronous=worker.synchronous)
        # Work that saves the user a wait later (``look_ahead``): a thread of its own, so
        # it neither delays what the user asks for nor shows as busy.
        self.ahead = Worker(synchronous=worker.synchronous)
        self._looking: Task | None = None
        self._case: Case | None = None  # touched only by jobs on the worker thread
        self.info: CaseInfo | None = None  # the GUI thread's copy

    @property
    def is_open(self) -> bool:
        return self.info is not None

    # -- opening and closing -------------------------------------------------------------

    def open(
        self,
        path: Path,
        passphrase: str | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self._stop_looking()

        def job(task: Task) -> Opened:
            # The database layer loads here, on the worker: the window paints meanwhile.
            from casefile.services.case import open_case

            case = open_case(path, passphrase, backups=False)  # the old one stays if this fails
            self._close_now()
            self._case = case
            return case.info(), case.daily_backup

        self.worker.submit(job, self._opened, on_error or self.report)

    def create(
        self,
        path: Path,
        title: str,
        passphrase: str | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self._stop_looking()

        def job(task: Task) -> Opened:
            from casefile.services.case import create_case

            case = create_case(path, title=title, passphrase=passphrase)
            self._close_now()
            self._case = case
            return case.info(), case.daily_backup

        self.worker.submit(job, self._opened, on_error or self.report)

    def close(self) -> None:
        def job(task: Task) -> None:
            self._close_now()

        self.info = None
        self._stop_looking()
        self.worker.submit(job, lambda _: self.closed.emit(), self.report)

    def _close_now(self) -> None:
        if self._case is not None:
            self._case.close()
            self._case = None

    def _opened(self, opened: Opened) -> None:
        info, daily_backup = opened
        self.info = info
        self.opened.emit(info)
        # The daily backup copy of a big case takes a while: it runs beside the window's
        # work (its own connections, its own thread), after the first rows are shown.
        self.maintenance.submit(lambda task: daily_backup(), None, self.report)

    # -- everything else -----------------------------------------------------------------

    def read(
        self,
        fn: Callable[[Case], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Task:
        """Run a read on the case in the background; deliver its result to the GUI."""
        return self.worker.submit(
            lambda task: fn(self._require()), on_done, on_error or self.report
        )

    def write(
        self,
        fn: Callable[[Case], T],
        on_done: Callable[[T], None] | None = None,
        *,
        changes: Callable[[T], Changes],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Task:
        """Run one user action (one transaction) and announce what it changed:
        ``changes`` reads that from the action's result (a plain value)."""

        def done(result: T) -> None:
            if on_done is not None:
                on_done(result)
            self._refresh_info(changes(result))

        return self.worker.submit(lambda task: fn(self._require()), done, on_error or self.report)

    def run(
        self,
        fn: Callable[[Case, Task], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None] | None = None,
        *,
        kinds: Iterable[Kind] = (),
    ) -> Task:
        """A long job (back up a copy, check the case, import documents) on the
        maintenance worker: on its own connections, so the tables keep paging while it
        runs. A job that writes names the kinds it changes; they refresh when it ends,
        however it ends (an import cancelled half-way keeps what it stored)."""
        changes = Changes.of_kinds(kinds)

        def announce() -> None:
            if changes.kinds:
                self._refresh_info(changes)

        def done(result: T) -> None:
            on_done(result)
            announce()

        def failed(exc: BaseException) -> None:
            (on_error or self.report)(exc)
            announce()

        return self.maintenance.submit(lambda task: fn(self._require(), task), done, failed)

    def look_ahead(self, fn: Callable[[Case, Callable[[], bool]], object]) -> None:
        """Find now what a later action would otherwise find while the user waits
        (``Listing.prepare``): ``fn(case, stop)`` runs on the look-ahead thread and asks
        ``stop()`` between steps. Asking again stops the look-ahead asked for before."""
        self._stop_looking()
        delay = 0.0 if self.ahead.synchronous else LOOK_AHEAD_AFTER_S

        def job(task: Task) -> object:
            if task.pause(delay):
                return None
            return fn(self._require(), lambda: task.cancelled)

        self._looking = self.ahead.submit(
            job, None, lambda exc: log.info("look-ahead stopped: %s", exc)
        )

    def _stop_looking(self) -> None:
        if self._looking is not None:
            self._looking.cancel()
            self._looking = None

    def _refresh_info(self, changes: Changes) -> None:
        def done(info: CaseInfo) -> None:
            self.info = info
            self.changed.emit(changes)

        self.read(lambda case: case.info(), done)

    def _require(self) -> Case:
        if self._case is None:
            raise CaseFileError("no case is open")
        return self._case

    def report(self, exc: BaseException) -> None:
        """Tell the user, in one line, why an action did not happen."""
        self.failed.emit(" ".join(str(exc).split()) or type(exc).__name__)

    def shutdown(self) -> None:
        """Let running work finish (a commit is never cut short), then close the case."""
        self.ahead.shutdown(cancel=True)
        self.maintenance.shutdown(cancel=True)
        self.worker.shutdown()
        self._close_now()  # the worker has stopped: nothing else touches the case now
