"""Benchmark for the window's start (issue #19): from `casefile gui` to its first paint.

Whole processes, offscreen (QT_QPA_PLATFORM=offscreen), run in turn round after round so
that a change in the machine's load touches every row alike: the window of `casefile gui`
with no case (the start page) and with the demo case given (it opens on the worker while
the window paints), beside two baselines from the same run: the same interpreter doing
nothing (`python -c pass`), and PySide6 alone showing an empty QMainWindow (the floor any
Qt window pays). A run ends when the main window receives its first paint event: the
child prints a line and leaves at once, so the CPU counted is the start's.

Printed per row: the first run, the median wall time, the median CPU time (user +
system), and the load average before and after. Target: the first paint under 400 ms
(median, with the case given).

Bytecode is cached (in benchmarks/.cache/pycache), as an installed Casefile has it.

    .venv/bin/python benchmarks/window_start.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PYCACHE = Path(__file__).resolve().parent / ".cache" / "pycache"
TARGET_MS = 400.0

# The child: show a window (Casefile's, through its real start-up, or a bare one), and
# leave at the first paint of a top-level window.
CHILD = """
import os, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and watched.isWindow():
            print("painted", flush=True)
            os._exit(0)
        return False

real_exec = QApplication.exec

def exec_and_watch(app):
    app._first_paint = FirstPaint(app)
    for window in app.topLevelWidgets():
        window.installEventFilter(app._first_paint)
    return real_exec()

QApplication.exec = exec_and_watch
what = sys.argv[1]
if what == "qt":
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1280, 800)
    window.show()
    app.exec()
else:
    from pathlib import Path
    from casefile.ui.app import run
    run(Path(sys.argv[2]) if len(sys.argv) > 2 else None)
"""


@dataclass
class Row:
    name: str
    argv: list[str]
    paints: bool = True
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)


def run_once(row: Row, env: dict[str, str]) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(row.argv, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if row.paints and "painted" not in done.stdout:
        sys.exit(f"{row.name}: no paint (exit {done.returncode}): {done.stderr[-500:]}")
    row.walls.append(wall)
    row.cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each row (default 10)")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="casefile-window-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env |= {
            "PYTHONPYCACHEPREFIX": str(PYCACHE),
            "QT_QPA_PLATFORM": "offscreen",
            "CASEFILE_HOME": tmp,  # settings, logs and recent cases of their own
        }
        case = Path(tmp) / "demo.casefile"
        script = Path(sys.executable).with_name("casefile")
        subprocess.run([str(script), "demo", str(case)], env=env, capture_output=True, check=True)
        child = [sys.executable, "-c", CHILD]
        rows = [
            Row("python -c pass (baseline)", [sys.executable, "-c", "pass"], paints=False),
            Row("PySide6 empty window (floor)", [*child, "qt"]),
            Row("casefile gui (start page)", [*child, "casefile"]),
            Row("casefile gui CASE", [*child, "casefile", str(case)]),
        ]
        load = os.getloadavg()[0]
        for _ in range(runs):
            for row in rows:
                run_once(row, env)
        print(
            f"{runs} runs each, in turn; load average {load:.2f} before, "
            f"{os.getloadavg()[0]:.2f} after, on {os.cpu_count()} CPUs"
        )
        print(f"{'':<32}{'first ms':>10}{'median ms':>11}{'CPU ms':>8}   target (median)")
        for row in rows:
            median = statistics.median(row.walls) * 1000
            target = ""
            if row is rows[-1]:
                target = f"   < {TARGET_MS:.0f} ms: {'ok' if median < TARGET_MS else 'MISSED'}"
            print(
                f"{row.name:<32}{row.walls[0] * 1000:>10.0f}{median:>11.0f}"
                f"{statistics.median(row.cpus) * 1000:>8.0f}{target}"
            )


if __name__ == "__main__":
    main()
