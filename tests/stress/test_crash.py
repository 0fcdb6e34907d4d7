"""The crash harness at a small count: two kills of each operation (about a minute)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.stress.crash_harness import OPERATIONS, run

# A minute of random kills: the whole suite runs it, `make test-fast` does not.
pytestmark = pytest.mark.slow


def test_killed_at_random_moments_a_case_loses_nothing_acknowledged(tmp_path: Path) -> None:
    tally = run(2 * len(OPERATIONS), seed=14, folder=tmp_path)
    assert tally.failed() == 0, "\n".join([tally.line(), *tally.notes])
    assert all(tally.by_operation[op] == 2 for op in OPERATIONS)
