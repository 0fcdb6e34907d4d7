"""Nothing lost, nothing leaked: a case survives kills, full disks and rivals (issue 14).

Each test sets up the state a failure leaves on disk (a checkpoint cut short, a re-key
killed between its steps, leftovers of killed backups) and then opens the case with
Casefile, never with SQLite first, as a user would.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import event

from casefile.backups import backup_before_upgrade, backup_folder
from casefile.case import create_case, open_case
from casefile.errors import CaseFileError
from casefile.listing import ListQuery
from casefile.records import PersonFields
from casefile.rekeying import change_passphrase
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


# -- changing the encryption, killed at every step ------------------------------------------

PASSPHRASE = "correct horse battery staple"
MARK = "Zebulon Markworthy"  # a name whose bytes show a plaintext copy of the case
KILLED_AT = """
import os, signal, sys
import casefile.rekeying as rekeying

path, old, new, step = sys.argv[1], sys.argv[2] or None, sys.argv[3] or None, sys.argv[4]
calls = []

def killed_on(nth, real):
    def call(*args):
        calls.append(real)
        if step != "staging":
            real(*args)
        if calls.count(real) == nth:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args) if step == "staging" else None
    return call

if step == "staging":  # while the second file's copy is written
    rekeying._staged_copy = killed_on(2, rekeying._staged_copy)
elif step == "planned":  # the plan is on disk, nothing renamed yet
    rekeying._write_plan = killed_on(1, rekeying._write_plan)
else:  # "swapping": the case renamed into place, its backup copies not yet
    os.replace = killed_on(2, os.replace)  # (the first rename puts the plan in place)
rekeying.change_passphrase(path, old, new)
"""


def _marked_case_with_backups(tmp_path: Path, passphrase: str | None) -> Path:
    path = tmp_path / "marked.casefile"
    with create_case(path, title="Marked", passphrase=passphrase) as case:
        case.records.add(PersonFields(name=MARK))
    open_case(path, passphrase).close()  # today's daily copy, in marked.casefile.backups/
    backup_before_upgrade(path, passphrase, "0001")  # an upgrade's copy, beside the case
    # A daily copy killed before its check, left in plaintext as the old code left it.
    (backup_folder(path) / "marked-20310301-083000.casefile.checking").write_bytes(
        b"SQLite format 3\x00" + MARK.encode()
    )
    return path


def _opens_with(path: Path, passphrase: str | None) -> bool:
    try:
        with open_case(path, passphrase, backups=False) as case:
            return case.encrypted == (passphrase is not None)
    except CaseFileError:
        return False


@pytest.mark.parametrize("step", ["staging", "planned", "swapping"])
@pytest.mark.parametrize(("old", "new"), [(None, PASSPHRASE), (PASSPHRASE, None)])
def test_a_rekey_killed_at_any_step_leaves_the_case_all_old_or_all_new(
    step: str, old: str | None, new: str | None, tmp_path: Path
) -> None:
    path = _marked_case_with_backups(tmp_path, old)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_AT, str(path), old or "", new or "", step],
        capture_output=True,
        text=True,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    made = step != "staging"  # from the moment the plan is on disk, the change is made
    now = new if made else old
    assert _opens_with(path, now)  # the open finishes or undoes the change first
    copies = [p for p in tmp_path.rglob("*.casefile") if p != path]
    assert len(copies) == 2
    assert all(_opens_with(copy, now) for copy in copies)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert not [p.name for p in files if p.name.startswith(".")]  # nothing staged is left
    if now is not None:
        assert not [p.name for p in files if MARK.encode() in p.read_bytes()]
    with open_case(path, now, backups=False) as case:
        people = case.listing.page(ListQuery(Kind.PERSON)).records
        assert [r.label for r in people] == [MARK]
        assert case.check() == []


def test_a_backup_under_another_passphrase_is_kept_and_said(tmp_path: Path) -> None:
    path = tmp_path / "marked.casefile"
    create_case(path, title="Marked", passphrase=PASSPHRASE).close()
    other = backup_folder(path) / "marked-20310301-083000.casefile"
    backup_folder(path).mkdir()
    create_case(other, title="Marked", passphrase="an older passphrase").close()

    report = change_passphrase(path, PASSPHRASE, None)
    assert (report.rekeyed, report.removed, report.kept) == ([], [], [other])
    assert _opens_with(other, "an older passphrase")
    assert _opens_with(path, None)
