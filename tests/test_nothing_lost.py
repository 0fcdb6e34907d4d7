"""Nothing lost, nothing leaked: a case survives kills, full disks and rivals (issue 14).

Each test sets up the state a failure leaves on disk (a checkpoint cut short, a re-key
killed between its steps, leftovers of killed backups) and then opens the case with
Casefile, never with SQLite first, as a user would.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlcipher3
from sqlalchemy import event

from casefile.case import create_case, open_case
from casefile.listing import ListQuery
from casefile.records import PersonFields
from casefile.vocab import Kind

PAGE = 4096


def _checkpoint_cut_short(path: Path, tmp_path: Path) -> None:
    """Leave ``path`` as a process killed half-way through a checkpoint leaves it: the
    lower half of the changed pages copied from the log into the file, the log whole.

    (A checkpoint writes pages in page order; the first is page 1, the schema's root.)
    """
    done = tmp_path / "checkpointed"
    shutil.copyfile(path, done)
    shutil.copyfile(f"{path}-wal", f"{done}-wal")
    conn = sqlcipher3.dbapi2.connect(str(done))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before, after = bytearray(path.read_bytes()), done.read_bytes()
    changed = [
        n
        for n in range(len(after) // PAGE)
        if before[n * PAGE : (n + 1) * PAGE] != after[n * PAGE : (n + 1) * PAGE]
    ]
    for n in changed[: len(changed) // 2]:
        if len(before) < (n + 1) * PAGE:
            before.extend(after[len(before) : (n + 1) * PAGE])
        before[n * PAGE : (n + 1) * PAGE] = after[n * PAGE : (n + 1) * PAGE]
    path.write_bytes(bytes(before))


def test_a_case_whose_checkpoint_was_cut_short_opens_whole(tmp_path: Path) -> None:
    path = tmp_path / "killed.casefile"
    create_case(path, title="Killed mid-checkpoint").close()
    snapshot = tmp_path / "snapshot.casefile"
    with open_case(path, backups=False) as case:
        case.sessions.engine.dispose()
        event.listen(
            case.sessions.engine,
            "connect",
            lambda conn, _record: conn.execute("PRAGMA wal_autocheckpoint = 0"),
        )
        ids = {case.records.add(PersonFields(name=f"Person {n}")).id for n in range(50)}
        case.search.reindex()  # rewrites the schema: the killed checkpoint cuts through it
        shutil.copyfile(path, snapshot)  # the files as the kill left them, log and all
        shutil.copyfile(f"{path}-wal", f"{snapshot}-wal")
    _checkpoint_cut_short(snapshot, tmp_path)

    with open_case(snapshot, backups=False) as case:
        assert case.check() == []
        people = case.listing.page(ListQuery(Kind.PERSON, limit=500)).records
        assert ids <= {r.id for r in people}
