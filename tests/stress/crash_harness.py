"""Kill Casefile at random moments and check that nothing acknowledged is lost.

Each trial starts one operation on a real case in a child process (single adds, a bulk
add, an import, a reindex, an encryption change, a backup, an upgrade), waits until the
child is under way, kills it with SIGKILL at a random moment, and then opens the case
**with Casefile** (never with SQLite first), as a user would, and checks:

- it opens (with the passphrase it had, or the new one if the re-key was made);
- every write the child acknowledged (printed after its commit returned) is there;
- ``casefile check`` finds nothing wrong, and every backup copy opens with the case's key;
- nothing staged is left beside the case or among its backups (once opened);
- no file in its folder or its backups folder holds a name of the case in plaintext,
  when the case is encrypted.

The case carries over from trial to trial, as a user's does, for a hundred trials (by
then it holds some 20,000 records); then a new case starts, so that the trials of a long
run stay alike in cost rather than slowing as one case grows. Run as a script for the long
run reported on the issue (``python -m tests.stress.crash_harness --trials 1000``);
``tests/stress/test_crash.py`` runs a few trials of each operation in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from casefile.domain.records import PersonFields
from casefile.domain.terms import Kind
from casefile.services.backups import backup_folder
from casefile.services.case import create_case, open_case
from casefile.services.list_query import ListQuery

MARK = "Quillon Vantablack"  # in every name written: its bytes reveal a plaintext copy
KEYS = (None, "first passphrase", "second passphrase")
# Each operation, and how long after it starts it may be killed: about the time it takes
# on a small case here (a re-key of an encrypted case derives keys for seconds), so that
# kills land in every step; adds, copies and reindexes repeat until killed.
OPERATIONS = {
    "add": 1.0,
    "bulk": 1.5,
    "import": 2.0,
    "reindex": 1.0,
    "rekey": 2.5,
    "backup": 1.5,
    "upgrade": 0.06,
}
CASE_LIFE = 100  # trials on one case before the next starts
STAGING_MARKS = (".rekeying", ".rekeyed", ".partial", ".checking", "-journal", ".creating")
UPGRADE_MARK = ".before-upgrade-"

CHILD = r"""
import os, sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from casefile.services.case import open_case
from casefile.domain.records import PersonFields

op, path, key, new, trial = sys.argv[1:6]
path, key, new, trial = Path(path), key or None, new or None, int(trial)
MARK, work = os.environ["CRASH_MARK"], Path(os.environ["CRASH_WORK"])

def ack(*words):
    print(*words, flush=True)

if op == "upgrade":  # this Casefile as its next release: opening the case upgrades it
    from tests.services.test_upgrade import install_next_release
    install_next_release(work / f"next-{trial}", None)
if op == "rekey":
    from casefile.services.rekeying import change_passphrase
    ack("ready")
    change_passphrase(path, key, new)
    ack("rekeyed")
    sys.exit(0)
ack("ready")
with open_case(path, key, backups=False) as case:
    if op == "add":
        for n in range(100_000):
            ack("id", case.records.add(PersonFields(name=f"{MARK} {trial}.{n}")).id)
    elif op == "bulk":
        for round_ in range(1000):
            many = [PersonFields(name=f"{MARK} {trial}.{round_}.{n}") for n in range(300)]
            for made in case.records.add_many(many):
                ack("id", made)
    elif op == "import":
        folder = work / f"import-{trial}"
        folder.mkdir()
        for n in range(8):
            (folder / f"report-{n}.txt").write_text(f"{MARK} report {trial}.{n}.\n" * 2000)
        for outcome in case.importer.import_files([folder]).outcomes:
            if outcome.source_id is not None:
                ack("id", outcome.source_id)
    elif op == "reindex":
        while True:
            case.search_index.rebuild()
    elif op == "backup":
        from casefile.services.backups import daily_backup
        for n in range(1000):
            dest = work / f"copy-{trial}-{n}.casefile"
            case.backup(dest)
            ack("copy", dest)
            later = datetime.now(UTC) + timedelta(days=2 + trial * 1000 + n)
            daily_backup(path, key, now=later)
"""

# Opens the case as the user's next command would, in a process of its own, and says
# what it found as JSON (a refusal included).
VERIFY = r"""
import json, sys
from pathlib import Path
from typing import Any
from uuid import UUID
from casefile.services.case import open_case, upgrade_needed
from casefile.db.engine import is_plain_sqlite
from casefile.domain.errors import KnownError

path, upgraded, work = Path(sys.argv[1]), sys.argv[2] == "1", Path(sys.argv[3])
keys = [k or None for k in json.loads(sys.argv[4])]
acknowledged = {UUID(i) for i in Path(sys.argv[5]).read_text().split()}
copies = [Path(p) for p in json.loads(sys.argv[6])]
if upgraded:
    from tests.services.test_upgrade import install_next_release
    install_next_release(work / "next-verify", None)
found = {"refused": None, "key": None, "missing": 0, "problems": [], "bad_copies": []}
found["was_upgraded"] = upgraded and not upgrade_needed(path)
for key in keys:
    try:
        case = open_case(path, key, backups=False)
        break
    except KnownError as exc:
        found["refused"] = str(exc)
else:
    print(json.dumps(found))
    sys.exit(0)
found["refused"] = None
found["key"] = None if is_plain_sqlite(path) else key
with case:
    have = {r.id for r in case.records.get_many(sorted(acknowledged))}
    found["missing"] = len(acknowledged - have)
    found["problems"] = case.check()
    found["schema"] = case.info().schema
for copy in copies:
    try:
        open_case(copy, found["key"], backups=False).close()
    except KnownError as exc:
        found["bad_copies"].append(f"{copy.name}: {exc}")
print(json.dumps(found))
"""


@dataclass
class Tally:
    """What the trials found; every count but ``trials`` and ``by_operation`` must be 0."""

    trials: int = 0
    by_operation: Counter[str] = field(default_factory=Counter)
    acknowledged: int = 0  # writes the killed children acknowledged (and were checked)
    rekeys_made: int = 0  # re-keys that finished before the kill
    refused: int = 0  # the case did not open with Casefile
    lost: int = 0  # acknowledged writes missing
    problems: int = 0  # check found something, or a backup copy did not open
    leftovers: int = 0  # staged files left after an open
    plaintext: int = 0  # a name of the case in a plaintext file beside an encrypted case
    notes: list[str] = field(default_factory=list)

    def failed(self) -> int:
        return self.refused + self.lost + self.problems + self.leftovers + self.plaintext

    def line(self) -> str:
        ops = ", ".join(f"{op} {n}" for op, n in sorted(self.by_operation.items()))
        return (
            f"{self.trials} trials ({ops}; {self.acknowledged:,} acknowledged writes, "
            f"{self.rekeys_made} re-keys made): {self.refused} refused, {self.lost} lost "
            f"acknowledged writes, {self.problems} problems, {self.leftovers} leftovers, "
            f"{self.plaintext} plaintext copies"
        )


class Harness:
    """One case through many trials (the upgrade trials each on a case of their own)."""

    def __init__(self, folder: Path, seed: int, tally: Tally) -> None:
        self.random = random.Random(seed)
        self.work = folder / "work"
        self.work.mkdir(parents=True)
        self.path = folder / "case" / "crashed.casefile"
        self.path.parent.mkdir()
        self.key: str | None = None
        self.acknowledged: set[UUID] = set()
        self.tally = tally
        # How long after "ready" a kill may land. A re-key's time grows with the case, so
        # its window follows it: longer after each re-key killed, shorter after each made.
        # It settles where about half finish, the kills spread over every step of it
        # (stage, swap, backups) rather than all landing in its first copy.
        self.window = dict(OPERATIONS)
        with create_case(self.path, title=MARK) as case:
            self.acknowledged.add(case.records.add(PersonFields(name=f"{MARK} first")).id)
        self.older = folder / "older.casefile"  # the case an upgrade trial starts from
        shutil.copyfile(self.path, self.older)

    def trial(self, op: str) -> None:
        number = self.tally.trials
        self.tally.trials += 1
        self.tally.by_operation[op] += 1
        if op == "upgrade":
            self._upgrade_trial(number)
            return
        new = self.random.choice([k for k in KEYS if k != self.key])
        said = self._run_and_kill(op, self.path, self.key, new, number)
        written = {UUID(line.split()[1]) for line in said if line.startswith("id ")}
        self.acknowledged |= written
        self.tally.acknowledged += len(written)
        made = op == "rekey" and "rekeyed" in said
        self.tally.rekeys_made += made
        if op == "rekey":
            self.window[op] *= 0.9 if made else 1.1
        keys = [new] if made else [self.key, new] if op == "rekey" else [self.key]
        copies = [Path(line.split(maxsplit=1)[1]) for line in said if line.startswith("copy ")]
        found = self._verify(op, self.path, keys, self.acknowledged, copies, upgraded=False)
        if found.get("refused") is None:
            self.key = found["key"]
        self._check_files(op, self.path.parent)
        self._check_partials(op)

    def _check_partials(self, op: str) -> None:
        """Copies the user asked for are written elsewhere: a killed one's partial file
        is removed by the next open too."""
        left = [p.name for p in self.work.glob("copy-*") if p.name.endswith(STAGING_MARKS)]
        if left:
            self.tally.leftovers += len(left)
            self.tally.notes.append(f"{op}: left: {', '.join(left)}")

    def _upgrade_trial(self, number: int) -> None:
        folder = self.work / f"upgrade-{number}"
        folder.mkdir()
        path = folder / "older.casefile"
        shutil.copyfile(self.older, path)
        acknowledged = set(self.acknowledged_in_older())
        self._run_and_kill("upgrade", path, None, None, number)
        self._verify("upgrade", path, [None], acknowledged, [], upgraded=True)
        self._check_files("upgrade", folder)

    def acknowledged_in_older(self) -> list[UUID]:
        with open_case(self.older, backups=False) as case:
            return [r.id for r in case.listing.page(ListQuery(Kind.PERSON)).records]

    def _run_and_kill(
        self, op: str, path: Path, key: str | None, new: str | None, number: int
    ) -> list[str]:
        env = {**os.environ, "CRASH_MARK": MARK, "CRASH_WORK": str(self.work)}
        argv = [op, str(path), key or "", new or "", str(number)]
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        assert child.stdout is not None
        said = [child.stdout.readline().strip()]  # "ready": loaded, about to start
        time.sleep(self.random.uniform(0, self.window[op]))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        return said + [line.strip() for line in out.splitlines()]

    def _verify(
        self,
        op: str,
        path: Path,
        keys: list[str | None],
        acknowledged: set[UUID],
        copies: list[Path],
        *,
        upgraded: bool,
    ) -> dict[str, Any]:
        copies = [
            *copies,
            *backup_folder(path).glob("*.casefile"),
            *path.parent.glob(f"*{UPGRADE_MARK}*.casefile"),
        ]
        ids = self.work / "acknowledged.txt"
        ids.write_text("\n".join(str(i) for i in acknowledged))
        argv = [
            str(path),
            "1" if upgraded else "0",
            str(self.work),
            json.dumps([k or "" for k in keys]),
            str(ids),
            json.dumps([str(c) for c in copies]),
        ]
        done = subprocess.run(
            [sys.executable, "-c", VERIFY, *argv], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            self.tally.problems += 1
            self.tally.notes.append(f"{op}: opening it went wrong: {done.stderr[-500:]}")
            return {"refused": "crashed"}
        found: dict[str, Any] = json.loads(done.stdout)
        if found["refused"] is not None:
            self.tally.refused += 1
            self.tally.notes.append(f"{op}: refused: {found['refused']}")
            return found
        if found["missing"]:
            self.tally.lost += found["missing"]
            self.tally.notes.append(f"{op}: {found['missing']} acknowledged records missing")
        if found["problems"] or found["bad_copies"]:
            self.tally.problems += 1
            self.tally.notes.append(f"{op}: {(found['problems'] + found['bad_copies'])[0]}")
        if op == "upgrade":
            when = "after" if found["was_upgraded"] else "before"
            self.tally.notes.append(
                f"upgrade killed {when} it was made; opens at {found['schema']}"
            )
        return found

    def _check_files(self, op: str, folder: Path) -> None:
        files = [p for p in folder.rglob("*") if p.is_file()]
        left = [p.name for p in files if any(mark in p.name for mark in STAGING_MARKS)]
        if left:
            self.tally.leftovers += len(left)
            self.tally.notes.append(f"{op}: left: {', '.join(left)}")
        if self.key is not None and folder == self.path.parent:
            plain = [p.name for p in files if MARK.encode() in p.read_bytes()]
            if plain:
                self.tally.plaintext += len(plain)
                self.tally.notes.append(f"{op}: plaintext: {', '.join(plain)}")


def run(trials: int, seed: int, folder: Path, progress: int = 0) -> Tally:
    """``trials`` trials, the operations taken in turn (so that each is tried alike)."""
    tally = Tally()
    operations = list(OPERATIONS)
    for n in range(trials):
        if n % CASE_LIFE == 0:  # the last case's checks are done: its files can go
            shutil.rmtree(folder / f"case-{n // CASE_LIFE - 1}", ignore_errors=True)
            harness = Harness(folder / f"case-{n // CASE_LIFE}", seed + n, tally)
        harness.trial(operations[n % len(operations)])
        if progress and (n + 1) % progress == 0:
            print(tally.line(), flush=True)
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=70)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        tally = run(args.trials, args.seed, Path(folder), progress=50)
    print(tally.line(), f"in {time.perf_counter() - started:.0f} s")
    for note in tally.notes:
        print(" ", note)
    return 1 if tally.failed() else 0


if __name__ == "__main__":
    sys.exit(main())
