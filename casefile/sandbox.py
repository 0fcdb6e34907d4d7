"""Run a parser over untrusted files in worker processes that may die.

Documents come from hostile places: a crafted PDF can hang a parser, a DOCX can expand
without bound, a library can crash outright. Each file is read in a worker process with
a memory limit (``RLIMIT_AS``) and a time limit; a worker that overruns is killed and
replaced, its file is reported as failed, and the others go on. Processes rather than
threads because PDFium is not thread-safe, even across documents, and because only a
process can be killed safely. Both cores are used.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar

from casefile.errors import CasefileError, InvalidInput

T = TypeVar("T")
R = TypeVar("R")
log = logging.getLogger("casefile")
_DONE: Any = object()


@dataclass(frozen=True)
class Limits:
    """What one file may cost. The defaults suit a laptop: large reports pass, bombs do not."""

    seconds: float = 120.0
    memory_mb: int = 2048


@dataclass(frozen=True)
class TaskFailed:
    """Why a file could not be read, as one line for the user; ``error`` names the
    ``InvalidInput`` subclass a parser raised (a caller may act on it: ask a password)."""

    message: str
    error: str = ""


def _context(preload: str) -> multiprocessing.context.BaseContext:
    """A fork of a process that runs Qt and database threads is unsafe; the fork server
    forks from a clean process instead, and cheaply: ``preload`` (the module of the
    function the workers run, with the parsers it imports) is imported there once."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([preload])
    return context


_ATTEMPTS: list[str] = []  # in a worker: connections refused while reading the task


def _cut_network() -> None:
    """No parser may reach out while it reads a hostile file (a saved page's images, a
    PDF's remote references): a worker cannot open a connection at all, and every attempt
    is reported with the task's answer, even one a library catches and hides."""

    def refuse(*args: Any, **_kwargs: Any) -> Any:
        _ATTEMPTS.append(
            repr(args[1:] if args and isinstance(args[0], socket.socket) else args)[:200]
        )
        raise OSError("network access is disabled while documents are read")

    for name in ("connect", "connect_ex", "sendto", "sendmsg"):
        setattr(socket.socket, name, refuse)
    socket.create_connection = refuse
    socket.getaddrinfo = refuse


def _serve(conn: Connection, fn: Callable[[Any], Any], memory_mb: int) -> None:
    """A worker's life: cut the network, limit memory, then answer tasks until told to stop.
    Ctrl-C is the parent's to handle: a worker ignores it rather than print a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _cut_network()
    try:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # no RLIMIT_AS here: the time limit remains
        pass
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        try:
            answer: Any = fn(task)
        except InvalidInput as exc:
            answer = TaskFailed(str(exc), type(exc).__name__)
        except MemoryError:
            answer = TaskFailed(f"needs more than the {memory_mb:,} MB memory limit")
        except RecursionError:
            answer = TaskFailed("is nested too deeply to read")
        except Exception as exc:  # a parser's own bug on a bad file: the file fails, not us
            answer = TaskFailed(f"could not be read ({type(exc).__name__}: {exc})"[:300])
        conn.send((answer, list(_ATTEMPTS)))
        _ATTEMPTS.clear()


class _Worker:
    def __init__(self, ctx: Any, fn: Callable[[Any], Any], limits: Limits) -> None:
        self.conn, child = ctx.Pipe()
        self.process: BaseProcess = ctx.Process(
            target=_serve, args=(child, fn, limits.memory_mb), daemon=True
        )
        self.process.start()
        child.close()
        self.task: Any = None
        self.deadline = 0.0
        self.dead = False

    def give(self, task: Any, seconds: float) -> None:
        self.task = task
        self.deadline = time.monotonic() + seconds
        self.conn.send(task)

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.kill()
        else:
            self.conn.close()


class Sandbox(Generic[T, R]):
    """``fn`` applied to tasks in worker processes; results come back as they finish."""

    def __init__(
        self, fn: Callable[[T], R], limits: Limits = Limits(), processes: int | None = None
    ) -> None:
        self.fn = fn
        self.limits = limits
        self.processes = processes or min(os.cpu_count() or 1, 4)
        self.network_attempts: list[tuple[T, str]] = []  # (task, what it tried): refused

    def map(
        self,
        tasks: Iterable[T],
        cancelled: Callable[[], bool] = lambda: False,
        waiting: Callable[[], None] = lambda: None,
    ) -> Iterator[tuple[T, R | TaskFailed]]:
        """Each task with its result or failure, in the order they finish. Tasks are taken
        from ``tasks`` only as workers come free (a batch of big files is never all in
        memory). Stops early, killing what is still running, when ``cancelled()`` turns
        true. ``waiting()`` runs at least every 0.2 s while workers read (the caller may
        commit what it has)."""
        ctx = _context(self.fn.__module__)
        pending = iter(tasks)
        idle: list[_Worker] = []
        busy: list[_Worker] = []

        def refill() -> None:
            while idle or len(busy) < self.processes:
                task = next(pending, _DONE)
                if task is _DONE:
                    return
                busy.append(self._start(ctx, task, idle))

        try:
            refill()
            while busy:
                if cancelled():
                    return
                waiting()
                timeout = max(0.0, min(min(w.deadline for w in busy) - time.monotonic(), 0.2))
                ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout)
                finished = [(w, found) for w in busy if (found := self._answer(w, ready))]
                for worker, _found in finished:
                    busy.remove(worker)
                    if worker.dead:
                        worker.kill()
                    else:
                        idle.append(worker)
                # The freed workers start on the next files before the caller stores these.
                refill()
                for _worker, found in finished:
                    if cancelled():  # two may finish together: none stored after a cancel
                        return
                    yield found
        finally:
            for worker in busy:
                worker.kill()
            for worker in idle:
                worker.stop()

    def _start(self, ctx: Any, task: Any, idle: list[_Worker]) -> _Worker:
        """A worker reading ``task``: an idle one if it is still alive (one may have been
        killed while it waited, by the kernel's out-of-memory killer say), else a new one."""
        while idle:
            worker = idle.pop()
            if worker.process.is_alive():
                try:
                    worker.give(task, self.limits.seconds)
                    return worker
                except OSError:  # it died between the check and the hand-over
                    pass
            worker.kill()
        worker = _Worker(ctx, self.fn, self.limits)
        try:
            worker.give(task, self.limits.seconds)
        except OSError:  # it died starting up: nothing could be read at all
            worker.kill()
            log.exception("a document reader process could not start")
            raise CasefileError(
                "the document readers could not start (details in the log); nothing more "
                "was imported"
            ) from None
        return worker

    def _answer(self, worker: _Worker, ready: list[Any]) -> tuple[Any, Any] | None:
        """The worker's task and answer if it has one (or died, or overran), else None."""
        if worker.conn in ready:
            try:
                answer, attempts = worker.conn.recv()
                self.network_attempts += [(worker.task, a) for a in attempts]
            except (EOFError, OSError):
                worker.dead = True
                answer = TaskFailed("made the reader crash")
        elif worker.process.sentinel in ready:
            worker.dead = True
            answer = TaskFailed("made the reader crash (or exhaust memory)")
        elif time.monotonic() > worker.deadline:
            worker.dead = True
            answer = TaskFailed(f"took longer than {self.limits.seconds:g} s to read")
        else:
            return None
        return worker.task, answer
