"""The sandbox that reads untrusted files: limits hold, failures stay with their file."""

from __future__ import annotations

import ctypes
import os
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from casefile.domain.errors import InvalidInput
from casefile.importing.sandbox import Limits, Sandbox, TaskFailed, say

# Reader processes started, killed and timed out.
pytestmark = pytest.mark.slow


def behave(task: str) -> str:
    """A stand-in parser whose behaviour each task names."""
    if task == "hang":
        time.sleep(60)
    if task == "bomb":
        _ = bytearray(600 * 1024 * 1024)
    if task == "crash":
        os._exit(3)
    if task == "bad":
        raise InvalidInput("not a PDF after all")
    if task == "net":
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    if task == "quiet-net":  # a library that swallows the refusal is still caught out
        try:
            socket.getaddrinfo("tracker.example", 443)
        except OSError:
            return "read anyway"
    if task.startswith("native-net:"):  # C code's own connect(), past the Python guard
        return _native_connect(int(task.split(":")[1]))
    if task == "bug":
        raise KeyError("trailer")
    if task.startswith("run-then-hang:"):  # a reader that runs a program (Tesseract)
        program = subprocess.Popen(["sleep", "60"])
        Path(task.split(":", 1)[1]).write_text(str(program.pid))
        time.sleep(60)
    if task == "say-then-answer":
        say("half way")
        say("nearly")
    if task == "answer-then-die":  # a library's thread kills the reader once it has answered
        threading.Timer(0.1, os._exit, (9,)).start()
    return task.upper()


def _native_connect(port: int) -> str:
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
    if fd < 0:
        return f"socket refused: {os.strerror(ctypes.get_errno())}"
    address = socket.inet_aton("127.0.0.1")
    sockaddr = struct.pack("!HH4s8x", socket.AF_INET, port, address)
    sockaddr = struct.pack("=H", socket.AF_INET) + sockaddr[2:]  # the family is host-endian
    done = libc.connect(fd, ctypes.c_char_p(sockaddr), len(sockaddr))
    libc.close(fd)
    return "connected" if done == 0 else f"connect refused: {os.strerror(ctypes.get_errno())}"


@pytest.mark.skipif(sys.platform != "linux", reason="seccomp is Linux's")
def test_a_reader_cannot_open_a_socket_even_from_c_code() -> None:
    """Issue 17: a native connect() from inside a reader succeeded; the Python guard
    only sees Python's socket module."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    assert _native_connect(port) == "connected"  # here, outside the sandbox, it would
    listener.accept()[0].close()

    sandbox = Sandbox(behave, Limits(seconds=10, memory_mb=400), processes=1)
    [(_, answer)] = list(sandbox.map([f"native-net:{port}"], lambda: False))

    assert answer == "socket refused: Permission denied"
    with pytest.raises(TimeoutError):
        listener.accept()  # nothing reached it
    listener.close()


def test_every_task_is_answered_and_failures_stay_with_their_task() -> None:
    tasks = ["a", "hang", "b", "bomb", "crash", "bad", "bug", "net", "quiet-net", "c"]
    sandbox = Sandbox(behave, Limits(seconds=2, memory_mb=400), processes=2)
    found = dict(sandbox.map(tasks))
    assert found["a"] == "A"
    assert found["b"] == "B"
    assert found["c"] == "C"
    assert found["hang"] == TaskFailed("took longer than 2 s to read")
    assert found["bomb"] == TaskFailed("needs more than the 400 MB memory limit")
    assert isinstance(found["crash"], TaskFailed)
    assert "crash" in found["crash"].message
    assert found["bad"] == TaskFailed("not a PDF after all", "InvalidInput")
    assert found["bug"] == TaskFailed("could not be read (KeyError: 'trailer')")
    assert found["net"] == TaskFailed(
        "could not be read (OSError: network access is disabled while documents are read)"
    )
    assert found["quiet-net"] == "read anyway"
    assert sorted(task for task, _what in sandbox.network_attempts) == ["net", "quiet-net"]
    assert "tracker.example" in dict(sandbox.network_attempts)["quiet-net"]


def nap(seconds: float) -> tuple[float, float]:
    """When a worker started and ended a task (the monotonic clock is the machine's)."""
    start = time.monotonic()
    time.sleep(seconds)
    return start, time.monotonic()


def test_both_cores_work_at_once() -> None:
    sandbox = Sandbox(nap, Limits(seconds=30), processes=2)
    spans = [span for _task, span in sandbox.map([1.0, 1.0])]
    assert all(isinstance(span, tuple) for span in spans)
    (first_start, first_end), (second_start, second_end) = spans  # type: ignore[misc]
    assert max(first_start, second_start) < min(first_end, second_end)  # they overlapped


def test_word_from_a_running_task_comes_before_its_answer() -> None:
    sandbox = Sandbox(behave, Limits(seconds=10, memory_mb=400), processes=1)
    order: list[tuple[str, str]] = []
    for task, answer in sandbox.map(
        ["say-then-answer", "a"], heard=lambda task, note: order.append((task, note))
    ):
        order.append((task, str(answer)))
    assert order == [
        ("say-then-answer", "half way"),
        ("say-then-answer", "nearly"),
        ("say-then-answer", "SAY-THEN-ANSWER"),
        ("a", "A"),
    ]


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_a_program_a_reader_runs_dies_with_it_at_the_time_limit(tmp_path: Path) -> None:
    noted = tmp_path / "pid"
    sandbox = Sandbox(behave, Limits(seconds=1, memory_mb=400), processes=1)
    [(_task, answer)] = list(sandbox.map([f"run-then-hang:{noted}"]))
    assert answer == TaskFailed("took longer than 1 s to read")
    status = Path(f"/proc/{noted.read_text()}/status")
    deadline = time.monotonic() + 5
    while status.exists() and "\tZ" not in status.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)  # SIGKILL is delivered, not waited for
    assert not status.exists() or "\tZ" in status.read_text()  # gone, or dead and unreaped


def test_a_cancel_stops_at_once_and_kills_what_runs() -> None:
    sandbox = Sandbox(behave, Limits(seconds=30), processes=1)
    start = time.monotonic()
    seen: list[tuple[str, str | TaskFailed]] = []
    for task, result in sandbox.map(["a", "hang", "b"], cancelled=lambda: bool(seen)):
        seen.append((task, result))
    assert seen == [("a", "A")]
    assert time.monotonic() - start < 5


def test_nothing_is_handed_over_after_a_cancel_even_when_two_finish_together() -> None:
    sandbox = Sandbox(behave, Limits(seconds=5, memory_mb=400), processes=2)
    handed: list[str | TaskFailed] = []
    # The first wait is slow enough for both readers to finish: they come back together.
    naps = iter([0.8])
    answers = sandbox.map(["a", "b"], lambda: bool(handed), lambda: time.sleep(next(naps, 0)))
    handed.extend(result for _task, result in answers)
    assert len(handed) == 1


def test_a_reader_that_dies_after_answering_keeps_its_answer_and_is_replaced() -> None:
    sandbox = Sandbox(behave, Limits(seconds=5, memory_mb=400), processes=1)

    def tasks() -> Iterator[str]:
        for task in ("answer-then-die", "a", "answer-then-die", "b"):
            yield task
            if task == "answer-then-die":
                time.sleep(1.0)  # the next task comes once the idle reader has died

    found = list(sandbox.map(tasks()))
    assert found == [
        ("answer-then-die", "ANSWER-THEN-DIE"),
        ("a", "A"),
        ("answer-then-die", "ANSWER-THEN-DIE"),
        ("b", "B"),
    ]


def test_a_reader_goes_on_with_its_next_task_while_the_caller_is_busy() -> None:
    sandbox = Sandbox(nap, Limits(seconds=30), processes=1)
    spans = []
    for _task, span in sandbox.map([0.2, 0.2, 0.2]):
        spans.append(span)
        time.sleep(0.6)  # the caller stores what came back
    (_, first_end), (second_start, second_end), (third_start, _) = spans  # type: ignore[misc]
    assert second_start - first_end < 0.2
    assert third_start - second_end < 0.2  # it did not wait for the caller to come back


def test_what_a_crashed_reader_held_is_read_by_another_and_the_crash_is_retried_once() -> None:
    sandbox = Sandbox(behave, Limits(seconds=2, memory_mb=400), processes=1)
    found = list(sandbox.map(["a", "crash", "b", "hang", "c"]))
    assert [task for task, _result in found] == ["a", "crash", "b", "hang", "c"]
    results = dict(found)
    assert results["a"] == "A"
    assert results["b"] == "B"
    assert results["c"] == "C"
    crash = results["crash"]
    assert isinstance(crash, TaskFailed)
    assert crash.message.startswith("made the reader crash")
    assert results["hang"] == TaskFailed("took longer than 2 s to read")
