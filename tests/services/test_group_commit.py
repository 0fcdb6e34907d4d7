"""Group commits: each unit alone in its savepoint, batches committed for good."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.db import models as m
from casefile.db import search_tables
from casefile.services.case import Case
from casefile.services.group_commit import GroupCommit


def add_tag(name: str, tag_id: int) -> Callable[[Session], None]:
    def work(s: Session) -> None:
        s.add(m.Tag(id=tag_id, name=name))
        s.flush()

    return work


def tags(case: Case) -> list[str]:
    with case.sessions.read() as s:
        return sorted(s.scalars(select(m.Tag.name)))


def recorded(case: Case) -> tuple[GroupCommit[str], list[str], list[tuple[str, str]]]:
    """A group commit that batches for a minute, and the lists that hear which units were
    committed and which failed (and why)."""
    done: list[str] = []
    failed: list[tuple[str, str]] = []
    group = GroupCommit[str](
        case.sessions, done.append, lambda unit, why: failed.append((unit, why)), every=60
    )
    return group, done, failed


def test_a_unit_that_breaks_a_constraint_fails_alone_and_its_batch_goes_on(case: Case) -> None:
    group, done, failed = recorded(case)
    with group:
        group.run("first", add_tag("first", 1))
        group.run("same id", add_tag("clash", 1))  # the primary key is taken
        group.run("second", add_tag("second", 2))
        assert done == []  # nothing counts as done before its batch commits
    assert done == ["first", "second"]
    assert [unit for unit, _ in failed] == ["same id"]
    assert "could not be stored" in failed[0][1]
    assert tags(case) == ["first", "second"]


def test_a_bug_in_one_unit_rolls_back_that_unit_only(case: Case) -> None:
    done: list[str] = []
    failed: list[str] = []

    def buggy(s: Session) -> None:
        s.add(m.Tag(id=7, name="half-written"))
        s.flush()
        raise KeyError("a bug after writing")

    with GroupCommit[str](case.sessions, done.append, lambda u, why: failed.append(why)) as group:
        group.run("bug", buggy)
        group.run("fine", add_tag("fine", 8))
    assert done == ["fine"]
    assert "a bug" in failed[0]
    assert tags(case) == ["fine"]


def test_an_interrupt_keeps_the_committed_batches_and_nothing_of_the_open_one(
    case: Case,
) -> None:
    done: list[str] = []
    try:
        with GroupCommit[str](case.sessions, done.append, lambda u, why: None) as group:
            group.run("kept", add_tag("kept", 1))
            group.commit()
            group.run("lost", add_tag("lost", 2))
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert done == ["kept"]
    assert tags(case) == ["kept"]


def test_a_batch_whose_commit_fails_reports_every_unit_as_failed(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index step runs on the driver just before the commit: a failure there (a full
    disk, say; here a statement that cannot run) is reported, not raised as a bug."""
    broken = ("INSERT INTO no_such_table VALUES (1)", *search_tables.INDEX_PENDING)
    monkeypatch.setattr(search_tables, "INDEX_PENDING", broken)
    group, done, failed = recorded(case)
    with group:
        group.run("a", add_tag("a", 1))
        group.run("b", add_tag("b", 2))
    assert done == []
    assert [unit for unit, _ in failed] == ["a", "b"]
    assert "no such table" in failed[0][1]
    assert tags(case) == []
