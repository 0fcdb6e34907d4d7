"""Two writers and a re-keyer at once, at a small count (see ``rivals``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.stress.rivals import run

# A minute of rival writers: the whole suite runs it, `make test-fast` does not.
pytestmark = pytest.mark.slow


def test_two_writers_and_a_rekey_lose_nothing_and_say_only_clean_things(tmp_path: Path) -> None:
    outcome = run(tmp_path, count=60, per_open=10)
    assert outcome.acknowledged == 120, outcome.line()
    assert (outcome.lost, outcome.problems, outcome.unclean) == (0, [], []), outcome.line()
    assert outcome.rekeys >= 1, outcome.line()  # the re-keys did happen among the writes
