"""Many small units of work (imported files), each atomic, committed a batch at a time.

Each unit runs in a savepoint: one that fails rolls back alone and the others go on.
The batch commits every ``every`` seconds, so a disk sync is paid per batch rather than
per file, and the write lock is released often enough for the user's own edits to get
in. A unit counts as done only once its batch has committed: a crash or a failing
commit loses whole units that were never reported, never part of one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import ExitStack
from types import TracebackType
from typing import Generic, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from casefile.db.engine import Sessions
from casefile.domain.errors import KnownError

T = TypeVar("T")
log = logging.getLogger("casefile")


class GroupCommit(Generic[T]):
    def __init__(
        self,
        sessions: Sessions,
        committed: Callable[[T], None],
        failed: Callable[[T, str], None],
        every: float = 0.5,
    ) -> None:
        """``committed(unit)`` hears each unit once stored for good; ``failed(unit, why)``
        each one that was not (alone, or with its batch when the database failed)."""
        self.sessions = sessions
        self.committed = committed
        self.failed = failed
        self.every = every
        self._stack: ExitStack | None = None
        self._session: Session | None = None
        self._started = 0.0
        self._pending: list[T] = []

    def run(self, unit: T, work: Callable[[Session], object]) -> None:
        """Do ``work`` for ``unit`` in its own savepoint of the current batch."""
        session = self._session or self._begin()
        try:
            with session.begin_nested():
                work(session)
        except IntegrityError as exc:  # a constraint: this unit's savepoint is rolled back
            self.failed(unit, f"could not be stored ({exc.orig or exc})")
            return
        except DBAPIError as exc:  # the database itself failed: the batch cannot be trusted
            self._abort(f"could not be stored ({exc.orig or exc})")
            self.failed(unit, f"could not be stored ({exc.orig or exc})")
            return
        except (KnownError, OSError) as exc:  # this unit alone is rolled back
            self.failed(unit, f"could not be stored ({exc})")
            return
        except Exception as exc:  # a bug met on this unit's data: it alone is rolled back
            log.exception("storing one unit failed")
            self.failed(unit, f"could not be stored (a bug: {type(exc).__name__}; see the log)")
            return
        self._pending.append(unit)
        self.commit_if_due()

    def commit_if_due(self) -> None:
        """Commit once the batch is ``every`` seconds old (also while nothing new comes:
        the write lock is not held while slow files are read)."""
        if self._stack is not None and time.monotonic() - self._started >= self.every:
            self.commit()

    def commit(self) -> None:
        if self._stack is None:
            return
        stack, pending = self._stack, self._pending
        self._stack, self._session, self._pending = None, None, []
        try:
            stack.close()  # commits
        except DBAPIError as exc:
            for unit in pending:
                self.failed(unit, f"could not be stored ({exc.orig or exc})")
            return
        for unit in pending:
            self.committed(unit)

    def _begin(self) -> Session:
        self._stack = ExitStack()
        self._session = self._stack.enter_context(self.sessions.write())
        self._started = time.monotonic()
        return self._session

    def _abort(self, why: str) -> None:
        if self._stack is None:
            return
        stack, pending = self._stack, self._pending
        self._stack, self._session, self._pending = None, None, []
        stack.__exit__(RuntimeError, RuntimeError(why), None)  # rolls back
        for unit in pending:
            self.failed(unit, why)

    def __enter__(self) -> GroupCommit[T]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc is None:
            self.commit()
        elif self._stack is not None:  # a bug or an interrupt: nothing of this batch stays
            stack, self._stack, self._session, self._pending = self._stack, None, None, []
            stack.__exit__(kind, exc, traceback)
