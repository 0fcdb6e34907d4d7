"""The one way Casefile runs work off the GUI thread.

All database and file work goes through one ``Worker``: a single background thread, so
case operations are serialised (SQLite has one writer anyway) and the GUI never waits on
a disk. Results come back to the GUI thread through a queued signal; worker code never
touches a widget. Tests may make it synchronous, so background work is deterministic.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Signal, Slot

from casefile.domain.errors import KnownError

log = logging.getLogger("casefile.ui")
T = TypeVar("T")


class Cancelled(Exception):
    """Raised inside a task that noticed its cancel flag."""


@dataclass
class Task:
    """What a running job may use: report progress, notice a cancel request."""

    # Where progress goes: (done, total, a line on what is being done now, or "").
    heard: Callable[[int, int, str], None] = lambda done, total, now: None
    _cancel: threading.Event = field(default_factory=threading.Event)

    def progress(self, done: int, total: int, now: str = "") -> None:
        self.heard(done, total, now)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def pause(self, seconds: float) -> bool:
        """Wait ``seconds``, unless cancelled meanwhile; whether it was."""
        return self._cancel.wait(seconds) if seconds > 0 else self.cancelled

    def check(self) -> None:
        if self.cancelled:
            raise Cancelled


@dataclass(frozen=True)
class JobResult(Generic[T]):
    """A finished job's result or error, delivered on the GUI thread."""

    result: T | None = None
    error: BaseException | None = None


Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class Worker(QObject):
    """Runs jobs one at a time on a background thread and reports on the GUI thread."""

    finished = Signal(object, object, object)  # on_done, on_error, JobResult
    progressed = Signal(object, int, int, str)  # Task, done, total, what is done now
    busy_changed = Signal(bool)
    unexpected = Signal(object)  # an exception that is a bug, after it is logged

    def __init__(self, *, synchronous: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self._pool = None if synchronous else ThreadPoolExecutor(1, "casefile-db")
        self._pending = 0
        self._tasks: dict[int, Task] = {}  # submitted and not yet finished, by id()
        self._stopped = False
        self.finished.connect(self._deliver)

    def submit(
        self,
        job: Callable[[Task], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Failed | None = None,
    ) -> Task:
        """Run ``job(task)`` in the background; call ``on_done(result)`` or
        ``on_error(exc)`` on the GUI thread afterwards."""
        task = Task()
        task.heard = lambda done, total, now: self.progressed.emit(task, done, total, now)
        if self._stopped:  # the window is closing: nothing new starts
            task.cancel()
            return task
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        if self._pool is None:
            self._deliver(on_done, on_error, _run(job, task))
        else:
            self._tasks[id(task)] = task
            future: Future[JobResult[T]] = self._pool.submit(_run, job, task)
            future.add_done_callback(lambda f: self._tasks.pop(id(task), None))
            future.add_done_callback(lambda f: self.finished.emit(on_done, on_error, f.result()))
        return task

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def shutdown(self, *, cancel: bool = False) -> None:
        """Finish every job already submitted (an edit queued behind a read is still the
        user's edit), then stop. ``cancel`` asks long jobs that can stop (an import) to
        stop now, keeping what they finished."""
        self._stopped = True
        if cancel:
            for task in list(self._tasks.values()):
                task.cancel()
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    @Slot(object, object, object)
    def _deliver(
        self, on_done: Done | None, on_error: Failed | None, outcome: JobResult[Any]
    ) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        if outcome.error is None:
            if on_done is not None:
                on_done(outcome.result)
            return
        if on_error is not None and not _is_bug(outcome.error):
            on_error(outcome.error)
        else:
            self.unexpected.emit(outcome.error)


def _is_bug(exc: BaseException) -> bool:
    return not isinstance(exc, KnownError | Cancelled)


def _run(job: Callable[[Task], T], task: Task) -> JobResult[T]:
    try:
        return JobResult(result=job(task))
    except BaseException as exc:  # delivered to the GUI thread, never lost in the thread
        # Loaded here, on the worker: it tells database errors, and the window paints
        # before the database layer is loaded.
        from casefile.services.failures import known_failure

        error = known_failure(exc) or exc  # a full disk is said, not reported as a bug
        if _is_bug(error):
            log.exception("unexpected error in a background job")
        return JobResult(error=error)
