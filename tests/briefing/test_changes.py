"""What a pack says changed in its scope since the case's previous pack."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest

from casefile.briefing.changes import Event, Previous, count_changes, since
from casefile.briefing.content import gather
from casefile.briefing.options import PackOptions, Scope, Section
from casefile.domain.dates import PartialDate
from casefile.domain.moments import moment
from casefile.domain.records import AttackFields
from casefile.services.case import Case
from tests.briefing.test_briefing import export, needs_poppler, pages_text

BUILT = datetime(2026, 12, 7, 10, 32, tzinfo=UTC)


def test_added_then_changed_counts_as_added_and_added_then_deleted_not_at_all() -> None:
    added, changed, fleeting, deleted = uuid4(), uuid4(), uuid4(), uuid4()
    events = [
        Event(added, "attack", "create"),
        Event(added, "attack", "update"),
        Event(changed, "quote", "update"),
        Event(fleeting, "quote", "create"),
        Event(fleeting, "quote", "delete"),
        Event(deleted, "source", "delete"),
    ]
    scope = {added, changed}

    whole = count_changes(events, scope, whole_case=True)
    narrow = count_changes(events, scope, whole_case=False)

    assert since(Previous("2", BUILT), whole) == (
        f"Since version 2 (built {moment(BUILT)}): 1 attack added; 1 quote changed; "
        "1 source deleted."
    )
    # Whether the deleted source was in a narrower scope is not known any more: not said.
    assert since(Previous("2", BUILT), narrow).endswith("1 attack added; 1 quote changed.")


def test_records_outside_the_scope_are_not_counted_and_nothing_changed_is_said() -> None:
    counts = count_changes([Event(uuid4(), "attack", "create")], set(), whole_case=False)
    assert since(Previous("1", BUILT), counts) == (
        f"Since version 1 (built {moment(BUILT)}): nothing in this pack's scope has changed."
    )


def test_a_case_s_first_pack_says_nothing_of_changes() -> None:
    assert since(None, count_changes([], set(), whole_case=True)) == ""


def test_several_kinds_are_listed_in_one_clause() -> None:
    events = [Event(uuid4(), kind, "create") for kind in ("person", "attack", "person")]
    counts = count_changes(events, {e.record_id for e in events}, whole_case=True)
    assert since(Previous("1", BUILT), counts).endswith(": 1 attack and 2 people added.")


def said_since(case: Case, options: PackOptions) -> str:
    with case.sessions.read() as s:
        return gather(s, options).since


def test_the_second_pack_says_what_changed_in_its_scope_since_the_first(
    demo: Case, tmp_path: Path
) -> None:
    assert said_since(demo, PackOptions()) == ""  # no pack yet
    export(demo, tmp_path / "v1.pdf")
    new = demo.records.add(AttackFields(title="Later attack", date=PartialDate(2018, 5)))

    whole = said_since(demo, PackOptions())
    scoped = said_since(demo, PackOptions(scope=Scope(attacks=(new.id,))))
    before = said_since(demo, PackOptions(scope=Scope(end=PartialDate(2017))))

    assert whole.startswith("Since version 1 (built ")
    assert whole.endswith(": 1 attack added.")
    assert scoped.endswith(": 1 attack added.")
    assert before.endswith(": nothing in this pack's scope has changed.")
    assert said_since(demo, PackOptions(sections=frozenset({Section.ATTACKS}))) == ""


@needs_poppler
@pytest.mark.slow
def test_the_summary_prints_what_changed_since_the_previous_version(
    demo: Case, tmp_path: Path
) -> None:
    export(demo, tmp_path / "v1.pdf")
    demo.records.add(AttackFields(title="Later attack", date=PartialDate(2018, 5)))
    text = " ".join(" ".join(pages_text(export(demo, tmp_path / "v2.pdf"))).split())
    assert "Since version 1 (built " in text
    assert ": 1 attack added." in text
