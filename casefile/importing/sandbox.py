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
import errno
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import socket
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar

from casefile.domain.errors import InvalidInput, KnownError
from casefile.importing.cores import free_cores

T = TypeVar("T")
R = TypeVar("R")
log = logging.getLogger("casefile")
_DONE: Any = object()
AHEAD = 16  # tasks a worker holds: the one it reads and those queued behind it


@dataclass(frozen=True)
class Limits:
    """What one file may cost. The defaults suit a laptop: large reports pass, bombs do not."""

    seconds: float = 120.0
    memory_mb: int = 2048


Item = tuple[int, Any]  # a task and its place in the map


@dataclass(frozen=True)
class TaskFailed:
    """Why a file could not be read, as one line for the user; ``error`` names the
    ``InvalidInput`` subclass a parser raised (a caller may act on it: ask a password)."""

    message: str
    error: str = ""


class _Crashed(TaskFailed):
    """The worker died reading the task (or right after its previous one)."""


def prepare(preload: Sequence[str]) -> multiprocessing.context.BaseContext:
    """A fork of a process that runs Qt and database threads is unsafe; the fork server
    forks from a clean process instead, and cheaply: the ``preload`` modules (the parsers)
    are imported there once, not in the caller. It is started at once, so that it loads
    them while the caller gets ready (lists the files, opens the case)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))
    multiprocessing.forkserver.ensure_running()
    return context


_ATTEMPTS: list[str] = []  # in a worker: connections refused while reading the task
_ANSWERS: Connection | None = None  # in a worker: where its answers go


@dataclass(frozen=True)
class _Heard:
    """Word from a task still running (``say``), sent before its answer."""

    note: Any


def say(note: Any) -> None:
    """From inside a task: tell the caller how far it has got (``Sandbox.map``'s
    ``heard``). Does nothing outside a worker."""
    if _ANSWERS is not None:
        _ANSWERS.send(_Heard(note))


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


def deny_sockets() -> bool:
    """No new socket at all, at the system-call level (Linux, through libseccomp): the
    Python guard above does not see a library's own C code, nor a program a reader runs
    (Tesseract), which inherits the filter. Not even a local one (a compromised parser
    could reach a desktop bus or a Docker socket): the worker's pipes to Casefile exist
    already. False where it cannot be done (not Linux, no libseccomp): the Python guard
    remains."""
    try:
        import pyseccomp as seccomp

        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket")
        rules.load()
    except (ImportError, OSError, RuntimeError, ValueError, AttributeError):
        return False
    return True


def _serve(
    tasks: Connection, answers: Connection, fn: Callable[[Any], Any], memory_mb: int
) -> None:
    """A worker's life: cut the network, limit memory, then answer tasks until told to stop.
    Ctrl-C is the parent's to handle: a worker ignores it rather than print a traceback."""
    global _ANSWERS  # noqa: PLW0603 (one per worker process)
    _ANSWERS = answers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A group of its own, which ``_Worker.kill`` kills whole: a program the reader runs
    # (Tesseract) dies with it, instead of reading on for minutes after a time limit.
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    _cut_network()
    if not deny_sockets():
        log.info("import readers: sockets are refused in Python only (no seccomp here)")
    try:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # no RLIMIT_AS here: the time limit remains
        pass
    while True:
        try:
            task = tasks.recv()
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
        answers.send((answer, list(_ATTEMPTS)))
        _ATTEMPTS.clear()


def _widen(pipe: Connection) -> None:
    """Room for many answers in the pipe (1 MB, Linux's most for a user, not 64 KB), so a
    worker goes on while the caller is busy committing rather than wait for it to read."""
    with contextlib.suppress(ImportError, AttributeError, OSError):  # not Linux, or denied
        import fcntl

        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, 1024 * 1024)


class _Worker:
    """A reader process and the items handed to it, oldest (the one being read) first."""

    def __init__(self, ctx: Any, fn: Callable[[Any], Any], limits: Limits) -> None:
        tasks, self.conn = ctx.Pipe(duplex=False)
        self.answers, answers = ctx.Pipe(duplex=False)
        _widen(answers)
        self.process: BaseProcess = ctx.Process(
            target=_serve, args=(tasks, answers, fn, limits.memory_mb), daemon=True
        )
        try:
            self.process.start()
        except BaseException:
            self.close()
            raise
        finally:
            tasks.close()
            answers.close()
        self.items: deque[Item] = deque()
        self.deadline = 0.0
        self.dead = False

    def give(self, item: Item, seconds: float) -> None:
        self.conn.send(item[1])  # first: a worker that died takes nothing on
        if not self.items:
            self.deadline = time.monotonic() + seconds
        self.items.append(item)

    def done(self, seconds: float) -> Item:
        """The item just answered (or failed); the next one, already sent, starts now."""
        item = self.items.popleft()
        self.deadline = time.monotonic() + seconds
        return item

    def kill(self) -> None:
        """Kill the worker and any program it runs (its process group: until the worker has
        made one, no group bears its ID and the worker alone is killed)."""
        if self.process.pid is not None and hasattr(os, "killpg"):
            with contextlib.suppress(OSError):  # no such group yet
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.kill()
        self.process.join()
        self.close()

    def close(self) -> None:
        self.conn.close()
        self.answers.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.kill()
        else:
            self.close()


def readers() -> int:
    """How many worker processes a sandbox starts unless told: one a core free now, at
    least one, at most four (``cores``)."""
    return min(free_cores(), 4)


class Sandbox(Generic[T, R]):
    """``fn`` applied to tasks in worker processes; results come back as they finish."""

    def __init__(
        self,
        fn: Callable[[T], R],
        limits: Limits = Limits(),
        processes: int | None = None,
        preload: Sequence[str] = (),
    ) -> None:
        """``preload``: modules ``fn`` imports when it first runs, to import once for all
        workers instead."""
        self.fn = fn
        self._ctx = prepare([fn.__module__, *preload])
        self.limits = limits
        self.processes = processes or readers()
        self.network_attempts: list[tuple[T, str]] = []  # (task, what it tried): refused

    def map(
        self,
        tasks: Iterable[T],
        cancelled: Callable[[], bool] = lambda: False,
        waiting: Callable[[], None] = lambda: None,
        heard: Callable[[T, Any], None] = lambda task, note: None,
    ) -> Iterator[tuple[T, R | TaskFailed]]:
        """Each task with its result or failure, in the order they finish. Tasks are taken
        from ``tasks`` only as workers come free (a batch of big files is never all in
        memory). Stops early, killing what is still running, when ``cancelled()`` turns
        true. ``waiting()`` runs at least every 0.2 s while workers read (the caller may
        commit what it has); ``heard(task, note)`` when a running task ``say``s how far
        it has got.

        Each worker holds a queue of tasks (``AHEAD``; a task is a path, not the file) and
        room for many answers, so that it never waits for the caller, who may be busy
        storing or committing: without them the workers stood idle a quarter of the time.
        When a worker crashes, the tasks it held go to other workers, and the one it was
        reading gets a second, fresh worker before it is blamed: the crash may have been
        the previous task's doing (a library's thread that kills the process after the
        answer was sent)."""
        pending = enumerate(tasks)  # numbered: equal tasks are still told apart
        again: deque[Item] = deque()  # held by a worker that crashed: to read elsewhere
        retried: set[int] = set()
        workers: list[_Worker] = []

        def refill() -> None:
            while len(workers) < self.processes or any(len(w.items) < AHEAD for w in workers):
                item = again.popleft() if again else next(pending, _DONE)
                if item is _DONE:
                    return
                idle = [w for w in workers if not w.items]
                if idle:
                    self._give(idle[0], item, workers)
                elif len(workers) < self.processes:
                    workers.append(self._start(item))
                else:
                    self._give(min(workers, key=lambda w: len(w.items)), item, workers)

        try:
            refill()
            while any(w.items for w in workers):
                if cancelled():
                    return
                waiting()
                busy = [w for w in workers if w.items]
                timeout = max(0.0, min(min(w.deadline for w in busy) - time.monotonic(), 0.2))
                ready = wait(
                    [w.answers for w in busy] + [w.process.sentinel for w in busy], timeout
                )
                finished: list[tuple[T, R | TaskFailed]] = []
                for worker in busy:
                    found = self._answer(worker, ready, heard)
                    if found is None:
                        continue
                    (number, task), answer = found
                    if worker.dead:
                        workers.remove(worker)
                        worker.kill()
                        again.extendleft(reversed(worker.items))
                        if isinstance(answer, _Crashed):
                            if number not in retried:
                                retried.add(number)
                                again.appendleft((number, task))
                                continue
                            answer = TaskFailed(answer.message)
                    finished.append((task, answer))
                # The workers go on with the next files before the caller stores these.
                refill()
                for found_task in finished:
                    if cancelled():  # two may finish together: none stored after a cancel
                        return
                    yield found_task
        finally:
            for worker in workers:
                if worker.items:
                    worker.kill()
                else:
                    worker.stop()

    def _give(self, worker: _Worker, item: Item, workers: list[_Worker]) -> None:
        """Hand ``item`` to a live worker; one that died meanwhile (the kernel's
        out-of-memory killer, say) is replaced, and what it held goes with the item."""
        try:
            worker.give(item, self.limits.seconds)
        except OSError:
            workers.remove(worker)
            worker.kill()
            held = [*worker.items, item]
            replacement = self._start(held[0])
            for other in held[1:]:
                replacement.give(other, self.limits.seconds)
            workers.append(replacement)

    def _start(self, item: Item) -> _Worker:
        """A new worker reading ``item``."""
        worker = _Worker(self._ctx, self.fn, self.limits)
        try:
            worker.give(item, self.limits.seconds)
        except OSError:  # it died starting up: nothing could be read at all
            worker.kill()
            log.exception("a document reader process could not start")
            raise KnownError(
                "the document readers could not start (details in the log); nothing more "
                "was imported"
            ) from None
        return worker

    def _answer(
        self, worker: _Worker, ready: list[Any], heard: Callable[[T, Any], None]
    ) -> tuple[Item, Any] | None:
        """The worker's current item and answer if it has one (or died, or overran);
        word from the task first goes to ``heard``."""
        if worker.answers in ready:
            try:
                message = worker.answers.recv()
                if isinstance(message, _Heard):
                    heard(worker.items[0][1], message.note)
                    return None
                answer, attempts = message
                self.network_attempts += [(worker.items[0][1], a) for a in attempts]
            except (EOFError, OSError):
                worker.dead = True
                answer = _Crashed("made the reader crash")
        elif worker.process.sentinel in ready:
            worker.dead = True
            answer = _Crashed("made the reader crash (or exhaust memory)")
        elif time.monotonic() > worker.deadline:
            worker.dead = True
            answer = TaskFailed(f"took longer than {self.limits.seconds:g} s to read")
        else:
            return None
        return worker.done(self.limits.seconds), answer
