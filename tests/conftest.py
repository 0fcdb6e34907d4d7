"""Shared fixtures: real case files in temporary folders, and no network, ever."""

from __future__ import annotations

import logging
import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Qt draws offscreen in tests: no display needed, and set before Qt is first imported.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

from casefile.domain.dates import PartialDate
from casefile.services import paths
from casefile.services.case import Case, create_case, open_case
from casefile.services.demo import write_demo_case


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that drives the window (it takes ``qtbot``) is slow: `make test-fast` leaves it
    out, with the tests marked slow by hand (``pytest.mark.slow``)."""
    for item in items:
        if "qtbot" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


class NetworkUsed(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Casefile must never open a connection on its own: any attempt fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise NetworkUsed(f"network connection attempted: {args!r}")

    def local_only(method: str) -> Any:
        original = getattr(socket.socket, method)

        def guarded(self: socket.socket, *args: Any, **kwargs: Any) -> Any:
            if self.family == socket.AF_UNIX:  # a pipe to our own worker processes
                return original(self, *args, **kwargs)
            return refuse(self, *args, **kwargs)

        return guarded

    for method in ("connect", "connect_ex", "sendto", "sendmsg"):
        monkeypatch.setattr(socket.socket, method, local_only(method))
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture(autouse=True)
def casefile_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Logs and settings go to a temporary folder, never the developer's own."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CASEFILE_HOME", str(home))
    monkeypatch.delenv("CASEFILE_PASSPHRASE", raising=False)
    monkeypatch.delenv("CASEFILE_NEW_PASSPHRASE", raising=False)
    return home


@pytest.fixture(autouse=True)
def fresh_log() -> Iterator[None]:
    """`main` sets up its log file once per process: each test gets its own, in its own
    home, and the file is closed after."""
    _close_the_log()
    yield
    _close_the_log()


def _close_the_log() -> None:
    logger = logging.getLogger("casefile")
    for handler in list(logger.handlers):
        if handler.get_name() == paths.LOG_HANDLER_NAME:
            logger.removeHandler(handler)
            handler.close()


@pytest.fixture
def case_path(tmp_path: Path) -> Path:
    """A new, empty, unencrypted case file on disk (closed)."""
    path = tmp_path / "test.casefile"
    create_case(path, title="Test case").close()
    return path


@pytest.fixture
def case(case_path: Path) -> Iterator[Case]:
    with open_case(case_path, backups=False) as opened:
        yield opened


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "westminster-2017.casefile"
    write_demo_case(path).close()
    return path


@pytest.fixture
def demo_path(demo_master: Path, tmp_path: Path) -> Path:
    """A private copy of the demo case (built once per session), safe to change."""
    path = tmp_path / "westminster-2017.casefile"
    shutil.copyfile(demo_master, path)
    return path


@pytest.fixture
def demo(demo_path: Path) -> Iterator[Case]:
    with open_case(demo_path, backups=False) as opened:
        yield opened


@pytest.fixture
def window(qtbot: Any) -> Iterator[Any]:
    """The real main window over a synchronous worker, so each action has finished on
    return. (Qt is imported here, not at the top: the core's tests run without it.)"""
    from casefile.ui.controller import CaseController
    from casefile.ui.main_window import MainWindow
    from casefile.ui.settings import WindowSettings
    from casefile.ui.worker import Worker

    win = MainWindow(CaseController(Worker(synchronous=True)), WindowSettings())
    qtbot.addWidget(win)
    win.show()
    yield win
    win.controller.close()


def settled(qtbot: Any, controller: Any) -> None:
    """Every job the window's worker was given so far has run and been delivered: a job
    of its own, queued last, has come back (one worker, in order). What a negative check
    looks at is then final, without waiting for a time and hoping."""
    back: list[bool] = []
    controller.read(lambda _case: None, lambda _none: back.append(True))
    qtbot.waitUntil(lambda: bool(back), timeout=10_000)


def pd(text: str) -> PartialDate:
    """A partial date written as EDTF ("2017-03", "2017-03-22~"), for short test data."""
    return PartialDate.from_edtf(text)


def index_ranges_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Grows by one each time the listing reads rows on from a known one (an anchor found
    from the last, a jump from an anchor): how much of a list a jump had to find."""
    from casefile.services import listing

    ranges: list[int] = []
    beyond = listing._beyond

    def noted(*args: Any) -> Any:
        ranges.append(1)
        return beyond(*args)

    monkeypatch.setattr(listing, "_beyond", noted)
    return ranges
