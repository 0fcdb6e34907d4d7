"""Two writers and a re-keyer on one case at once: nothing lost, nothing corrupted.

Two processes each add ``count`` records, opening the case anew every ``per_open`` adds
(as separate commands would), while a third encrypts and decrypts it over and over. Every
refusal must be one of the clean ones a user may meet ("being re-encrypted: try again",
"open in another program"); afterwards the case must check clean and hold every record
a writer acknowledged. ``python -m tests.stress.rivals --count 500`` is the run reported
on issue 14; ``test_rivals`` runs it smaller.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from casefile.db.engine import is_plain_sqlite
from casefile.services.case import create_case, open_case

PASSPHRASE = "rival passphrase"
CLEAN = ("being re-encrypted", "open in another program", "try again in a moment")

WRITER = r"""
import sys, time
from casefile.services.case import open_case
from casefile.domain.errors import KnownError
from casefile.domain.records import PersonFields

path, name, key = sys.argv[1], sys.argv[2], sys.argv[5]
count, per_open = int(sys.argv[3]), int(sys.argv[4])
done = 0
while done < count:
    try:
        with open_case(path, key, backups=False) as case:  # the key is ignored while plain
            for _ in range(min(per_open, count - done)):
                print("id", case.records.add(PersonFields(name=f"{name} {done}")).id, flush=True)
                done += 1
    except KnownError as exc:
        print("refused", exc, flush=True)
        time.sleep(0.05)
print("done", flush=True)
"""

REKEYER = r"""
import sys, time
from casefile.db.engine import is_plain_sqlite
from casefile.domain.errors import KnownError
from casefile.services.rekeying import change_passphrase

path, key, stop = sys.argv[1], sys.argv[2], sys.argv[3]
from pathlib import Path
while not Path(stop).exists():
    try:
        change_passphrase(path, key, key if is_plain_sqlite(Path(path)) else None)
        print("rekeyed", flush=True)
    except KnownError as exc:
        print("refused", exc, flush=True)
    # A moment between re-keys, as between a person's: one straight after another holds
    # the case's lock all but a few microseconds a time, and a writer polling for it
    # every 10 ms could wait for ever (it did, once in a full run).
    time.sleep(0.05)
"""


@dataclass
class Outcome:
    acknowledged: int
    lost: int
    problems: list[str]
    rekeys: int
    refusals: int
    unclean: list[str]  # refusals or output that a user should never see
    seconds: float

    def line(self) -> str:
        return (
            f"{self.acknowledged} adds acknowledged by 2 writers while {self.rekeys} "
            f"encryption changes were made ({self.refusals} clean refusals) in "
            f"{self.seconds:.0f} s: {self.lost} lost, {len(self.problems)} problems, "
            f"{len(self.unclean)} unclean messages"
        )


def run(folder: Path, count: int, per_open: int) -> Outcome:
    path = folder / "rivals.casefile"
    create_case(path, title="Rivals").close()
    stop = folder / "stop"
    started = time.perf_counter()
    rekeyer = subprocess.Popen(
        [sys.executable, "-c", REKEYER, str(path), PASSPHRASE, str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), name, str(count), str(per_open), PASSPHRASE],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("First writer", "Second writer")
    ]
    said = [w.communicate() for w in writers]
    stop.touch()
    rekeyed = rekeyer.communicate()
    seconds = time.perf_counter() - started
    lines = [line for out, _ in [*said, rekeyed] for line in out.splitlines()]
    errors = [err for _, err in [*said, rekeyed] if err.strip()]
    ids = {UUID(line.split()[1]) for line in lines if line.startswith("id ")}
    refusals = [line for line in lines if line.startswith("refused ")]
    unclean = [line for line in refusals if not any(words in line for words in CLEAN)]
    unclean += errors
    unclean += [f"exit {p.returncode}" for p in [*writers, rekeyer] if p.returncode != 0]
    key = None if is_plain_sqlite(path) else PASSPHRASE
    with open_case(path, key, backups=False) as case:
        have = {r.id for r in case.records.get_many(sorted(ids))}
        problems = case.check()
    return Outcome(
        acknowledged=len(ids),
        lost=len(ids - have),
        problems=problems,
        rekeys=sum(line == "rekeyed" for line in lines),
        refusals=len(refusals),
        unclean=unclean,
        seconds=seconds,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500, help="adds by each writer")
    parser.add_argument("--per-open", type=int, default=10, help="adds per open")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        outcome = run(Path(folder), args.count, args.per_open)
    print(outcome.line())
    for line in [*outcome.problems, *outcome.unclean][:20]:
        print(" ", line)
    return 1 if outcome.lost or outcome.problems or outcome.unclean else 0


if __name__ == "__main__":
    sys.exit(main())
