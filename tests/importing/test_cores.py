"""The import starts a reader for each core that is free now, read from the system."""

from __future__ import annotations

from pathlib import Path

import pytest

from casefile.importing import cores


def sampled(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, idle_share: float) -> int:
    """free_cores() on a 4-core machine whose cores were ``idle_share`` idle over the
    sample (its /proc/stat read before and after)."""
    stat = tmp_path / "stat"
    stat.write_text("cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 1 2 3 4\n")
    busy, idle = round(1000 * (1 - idle_share)), round(1000 * idle_share)

    def later(seconds: float) -> None:
        stat.write_text(f"cpu  {100 + busy} 0 100 {800 + idle} 0 0 0 0 0 0\n")

    monkeypatch.setattr(cores, "STAT", stat)
    monkeypatch.setattr("casefile.importing.cores.time.sleep", later)
    monkeypatch.setattr("casefile.importing.cores.os.cpu_count", lambda: 4)
    monkeypatch.setattr(cores, "usable", lambda: 4)
    return cores.free_cores()


@pytest.mark.parametrize(
    ("idle_share", "free"),
    [(1.0, 4), (0.75, 3), (0.5, 2), (0.4, 2), (0.3, 1), (0.05, 1), (0.0, 1)],
)
def test_a_reader_for_each_core_at_least_six_tenths_idle_and_always_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, idle_share: float, free: int
) -> None:
    assert sampled(monkeypatch, tmp_path, idle_share) == free


def test_where_the_system_says_nothing_every_usable_core_counts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(cores, "STAT", tmp_path / "missing")
    monkeypatch.setattr(cores, "usable", lambda: 3)
    assert cores.free_cores() == 3
