"""How many cores are free now: the import starts one reader for each.

On two busy cores (another program, a second import) two readers are no faster than one
and cost the main process, which stores what they read, its share: measured on the
import benchmark's 700 files with the load at 4, one reader took 23.1 and 23.7 s, two
took 23.2 and 27.0 s; on a quiet machine two take 0.6 of one's time. The load average
cannot tell: it remembers the last minute (an import just ended keeps it at 2), so the
cores' idle time is read over a tenth of a second instead, where the system says it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

STAT = Path("/proc/stat")
SAMPLE_S = 0.1
# A core counts as free when at least this share of it was idle over the sample.
FREE_SHARE = 0.6


def usable() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def free_cores(sample_s: float = SAMPLE_S) -> int:
    """The cores idle now (at least one): all of them where the system does not say."""
    first = _idle_and_total()
    if first is None:
        return usable()
    time.sleep(sample_s)
    second = _idle_and_total()
    if second is None or second[1] <= first[1]:
        return usable()
    idle = (second[0] - first[0]) / (second[1] - first[1])  # of all the machine's cores
    return max(1, min(usable(), int(idle * (os.cpu_count() or 1) + (1 - FREE_SHARE))))


def _idle_and_total() -> tuple[int, int] | None:
    """The machine's idle and total CPU time so far, in ticks (``/proc/stat``)."""
    try:
        fields = STAT.read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    ticks = [int(x) for x in fields[1:]]
    return ticks[3] + ticks[4], sum(ticks[:8])  # idle and I/O wait; no guest time twice
