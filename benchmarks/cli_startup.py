"""Benchmark for the CLI's start-up (issue #15): what a script pays per `casefile` call.

Whole processes, as a shell or a script starts them (the installed `casefile` script):
`casefile --help`, a usage error (`casefile list CASE nonsense`) and `casefile list CASE
people` on the demo case written to a temporary folder, each beside the baseline of the
same interpreter starting and doing nothing (`python -c pass`). The commands run in turn,
round after round, so a change in the machine's load touches every row alike.

Printed per command: the first run, the median wall time and its excess over the
baseline's median, and the median CPU time (user + system, less disturbed by other
processes than wall time on a busy machine), with the load average before and after.
Targets (median wall time): `--help` and a usage error < 100 ms, `list` < 250 ms. Last,
for reference, two floors under any command that opens a case, whatever the CLI does:
`python -c "import sqlalchemy.orm"`, and that import with Casefile's models mapped and
configured, as the first query needs them.

Bytecode is cached (in benchmarks/.cache/pycache), as an installed Casefile has it, even
where PYTHONDONTWRITEBYTECODE is set: else every run would time Python compiling
Casefile's source. The first run of a fresh checkout includes that compiling.

    .venv/bin/python benchmarks/cli_startup.py [--runs N]
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
from dataclasses import dataclass
from pathlib import Path

PYCACHE = Path(__file__).resolve().parent / ".cache" / "pycache"
# Any command that opens a case loads SQLAlchemy's ORM and maps the models: the floors
# under `list`.
ORM = "import sqlalchemy.orm"
MODELS = "import casefile.db.models, sqlalchemy.orm; sqlalchemy.orm.configure_mappers()"


@dataclass
class Row:
    name: str
    argv: list[str]
    target_ms: float | None
    exit_code: int
    walls: list[float]
    cpus: list[float]


def casefile_command() -> list[str]:
    """The installed script beside this interpreter, or the same entry point through it."""
    script = Path(sys.executable).with_name("casefile")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from casefile.cli import run; sys.exit(run())"]


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def run_once(row: Row, env: dict[str, str]) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(row.argv, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != row.exit_code:
        sys.exit(f"{row.name}: exit {done.returncode}, not {row.exit_code}: {done.stderr!r}")
    row.walls.append(wall)
    row.cpus.append(
        after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime,
    )


def report(rows: list[Row]) -> None:
    base = statistics.median(rows[0].walls)
    print(f"{'':<30}{'first ms':>10}{'median ms':>11}{'- pass':>8}{'CPU ms':>8}   target (median)")
    for row in rows:
        median = statistics.median(row.walls)
        extra = "" if row is rows[0] else f"{(median - base) * 1000:>8.0f}"
        target = ""
        if row.target_ms is not None:
            met = "ok" if median * 1000 < row.target_ms else "MISSED"
            target = f"   < {row.target_ms:.0f} ms: {met}"
        print(
            f"{row.name:<30}{row.walls[0] * 1000:>10.0f}{median * 1000:>11.0f}"
            f"{extra:>8}{statistics.median(row.cpus) * 1000:>8.0f}{target}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    runs = parser.parse_args().runs
    env = child_env()
    casefile = casefile_command()
    with tempfile.TemporaryDirectory() as tmp:
        case = str(Path(tmp) / "demo.casefile")
        subprocess.run([*casefile, "demo", case], env=env, capture_output=True, check=True)
        rows = [
            Row("python -c pass (baseline)", [sys.executable, "-c", "pass"], None, 0, [], []),
            Row("casefile --help", [*casefile, "--help"], 100, 0, [], []),
            Row("usage error (exit 2)", [*casefile, "list", case, "nonsense"], 100, 2, [], []),
            Row("casefile list CASE people", [*casefile, "list", case, "people"], 250, 0, [], []),
            Row("(import sqlalchemy.orm)", [sys.executable, "-c", ORM], None, 0, [], []),
            Row("(… and map the models)", [sys.executable, "-c", MODELS], None, 0, [], []),
        ]
        load = os.getloadavg()[0]
        for _ in range(runs):
            for row in rows:
                run_once(row, env)
        print(
            f"{runs} runs each, in turn; load average {load:.2f} before, "
            f"{os.getloadavg()[0]:.2f} after, on {os.cpu_count()} CPUs"
        )
        report(rows)


if __name__ == "__main__":
    main()
