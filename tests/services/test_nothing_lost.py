"""Nothing lost, nothing leaked: a case survives kills, full disks and rivals (issue 14).

Each test sets up the state a failure leaves on disk (a checkpoint cut short, a re-key
killed between its steps, leftovers of killed backups) and then opens the case with
Casefile, never with SQLite first, as a user would.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from uuid import UUID

import pytest
import sqlcipher3
from sqlalchemy import event

from casefile.cli.main import main
from casefile.db.sqlite_tools import online_backup
from casefile.domain.errors import CaseFileError
from casefile.domain.records import PersonFields, SourceFields
from casefile.domain.terms import Kind
from casefile.services import paths
from casefile.services.backups import backup_before_upgrade, backup_folder
from casefile.services.case import Case, create_case, open_case
from casefile.services.list_query import ListQuery
from casefile.services.record_service import RecordService
from casefile.services.rekeying import change_passphrase
from casefile.services.rescue import rescue_case

# Killed processes and encrypted copies: seconds each.
pytestmark = pytest.mark.slow

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
        case.search_index.rebuild()  # rewrites the schema: the killed checkpoint cuts through it
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
import casefile.services.rekeying as rekeying

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


# -- what the user meets: one line, never a bug, never case content in the log --------------


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str]:
    """The `casefile` command in-process: its exit code and what it said on stderr (or,
    for an import, which reports each file on stdout, there)."""
    capsys.readouterr()
    code = main([str(a) for a in argv])
    said = capsys.readouterr()
    return code, said.err or said.out


def test_the_log_is_written_and_kept_clean_when_a_host_watches_too(casefile_home: Path) -> None:
    # pytest (and an embedding application) attach their own handlers to a logger that does
    # not propagate: the log file was then never opened, and once it was, the host's
    # formatting of an error (message included) was cached on the record and written here.
    seen = io.StringIO()
    watcher = logging.StreamHandler(seen)
    logger = logging.getLogger("casefile")
    logger.addHandler(watcher)
    try:
        paths.setup_logging()
        try:
            raise ValueError("the informant is Abu Secretname")
        except ValueError:
            logger.exception("a known line")
    finally:
        logger.removeHandler(watcher)
    assert "Abu Secretname" in seen.getvalue()  # the host saw the whole error
    log = paths.log_file().read_text(encoding="utf-8")
    assert "a known line" in log
    assert "builtins.ValueError" in log
    assert "Abu Secretname" not in log


def test_the_log_holds_no_case_content_after_unexpected_errors(
    tmp_path: Path,
    casefile_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "Secret Operation Nightfall.casefile"
    create_case(path, title="Nightfall", passphrase=PASSPHRASE).close()
    monkeypatch.setenv("CASEFILE_PASSPHRASE", PASSPHRASE)

    def broken(self: object, fields: object, **meta: object) -> None:
        raise RuntimeError(f"could not store {fields!r} with {meta!r}")  # quotes the content

    monkeypatch.setattr(RecordService, "add", broken)
    code, err = run(
        capsys, "add", "person", path, "--name", "Abu Secretname", "--notes", "informant X9"
    )
    assert code == 70
    assert "a bug" in err

    log = paths.log_file().read_text(encoding="utf-8")
    assert "unexpected error in `casefile add`" in log
    assert "builtins.RuntimeError" in log
    assert "record_service.py" not in log  # the patched function is this test's
    assert __file__ in log  # the stack: paths of code
    for content in ("Secretname", "informant", "X9", "Nightfall", str(tmp_path)):
        assert content not in log


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 6 MB file system of its own (tmpfs), for filling up and making read-only."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root (CI runs as root)")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(disk)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb") as f, pytest.raises(OSError, match="No space left"):
        _write_until_full(f)
    return filler


def _write_until_full(f: BinaryIO) -> None:
    while True:
        f.write(b"\0" * 65536)
        f.flush()


STAGING_MARKS = (".partial", ".checking", ".rekeying", ".rekeyed", "-journal", ".creating")


@pytest.mark.parametrize("room", [0, 256 * 1024], ids=["full", "nearly-full"])
def test_every_command_on_a_full_disk_says_so_in_one_line_and_loses_nothing(
    room: int,
    small_disk: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = small_disk / "full.casefile"
    with create_case(path, title="Full") as case:
        kept = case.records.add(PersonFields(name=MARK)).id
        case.records.add(SourceFields(title="A report"))
    report = tmp_path / "report.txt"
    report.write_text("A statement. " * 20_000, encoding="utf-8")  # 260 KB: more than is left
    filler = _fill(small_disk)
    os.truncate(filler, filler.stat().st_size - room)  # room to open, not to write
    monkeypatch.setenv("CASEFILE_NEW_PASSPHRASE", PASSPHRASE)

    commands: list[list[str | Path]] = [
        ["add", "person", path, "--name", "Written on a full disk", "--notes", "x" * 300_000],
        ["import", path, report],
        ["backup", path, small_disk / "copy.casefile"],
        ["passphrase", path],
        ["export", "pdf", path, small_disk / "pack.pdf"],
        ["reindex", path],
        ["describe", path, "--summary", "y" * 300_000],
    ]
    for command in commands:
        code, said = run(capsys, *command)
        if code == 0 and command[0] in ("export", "reindex"):
            continue  # a small pack, a small index may fit in what is left
        assert code == 1, (command, said)
        assert "disk is full" in said or "not enough free space" in said, (command, said)
        assert "bug" not in said, (command, said)
        # One line; an import, one for each file and one to sum up.
        lines = said.strip().splitlines()
        assert len(lines) == (2 if said.startswith("failed") else 1), said

    filler.unlink()
    code, said = run(capsys, "check", path)
    assert code == 0, said
    assert said.endswith("no problems found\n")
    with open_case(path, backups=False) as case:
        assert not case.encrypted
        names = [r.label for r in case.listing.page(ListQuery(Kind.PERSON)).records]
        assert names == [MARK]
        assert case.records.get(kept).label == MARK
    left = [p.name for p in small_disk.rglob("*") if any(m in p.name for m in STAGING_MARKS)]
    assert left == []


def test_a_case_on_read_only_media_is_refused_in_one_line(
    small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = small_disk / "read-only.casefile"
    with create_case(path, title="Read-only") as case:
        case.records.add(PersonFields(name=MARK))
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    before = sorted(p.name for p in small_disk.iterdir())
    commands: list[list[str | Path]] = [
        ["list", path, "people"],
        ["add", "person", path, "--name", "x"],
        ["check", path],
    ]
    for command in commands:
        code, err = run(capsys, *command)
        assert code == 1, (command, err)
        assert "read-only" in err, (command, err)
        assert len(err.strip().splitlines()) == 1, (command, err)
    assert sorted(p.name for p in small_disk.iterdir()) == before


# -- a damaged case: said only when it is, and rescued -------------------------------------


def add_people(case: Case, count: int = 2000) -> list[UUID]:
    """Enough people, with long enough names, to fill some forty pages."""
    return case.records.add_many(
        [PersonFields(name=f"{MARK} {n:04d} {'x' * 200}") for n in range(count)]
    )


def damage_a_page_of(path: Path, table: str) -> None:
    """Overwrite one leaf page in the middle of ``table`` with noise, as a bad sector does."""
    try:
        with sqlite3.connect(path) as db:
            leaves = [
                row[0]
                for row in db.execute(
                    "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'", (table,)
                )
            ]
    except sqlite3.OperationalError as exc:
        pytest.skip(f"this SQLite has no dbstat table to find a page by: {exc}")
    page = leaves[len(leaves) // 2]
    with path.open("r+b") as f:
        f.seek((page - 1) * PAGE)
        f.write(bytes(range(256)) * (PAGE // 256))


def test_a_damaged_case_is_rescued_into_a_copy_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "damaged.casefile"
    with create_case(path, title="Damaged") as case:
        ids = add_people(case)
        source = case.records.add(SourceFields(title="A report")).id
    damage_a_page_of(path, "person")
    before = path.read_bytes()
    with open_case(path, backups=False) as case:
        found = case.check()
        assert found, found

    rescued = rescue_case(path)
    assert path.read_bytes() == before  # only read
    assert rescued.path.name.startswith("damaged.rescued-")
    assert rescued.salvaged.damaged == ["person"]
    assert 1900 < rescued.salvaged.rows["person"] < 2000  # all but one page's rows
    assert rescued.problems == []
    with open_case(rescued.path, backups=False) as copy:
        assert copy.check() == []
        people = copy.records.get_many(ids)
        assert len(people) == rescued.salvaged.rows["person"]
        assert copy.records.get(source).label == "A report"
        result = copy.search.search(f"{MARK.split(maxsplit=1)[0]} 0001")  # the index is rebuilt
        assert result.hits
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_case_with_nothing_left_to_rescue_is_said_in_one_line(tmp_path: Path) -> None:
    whole = tmp_path / "whole.casefile"
    with create_case(whole, title="Whole") as case:
        case.records.add_many([PersonFields(name=f"{MARK} {n}") for n in range(500)])
    cut = tmp_path / "cut.casefile"
    cut.write_bytes(whole.read_bytes()[:5000])  # a copy cut short: the schema is gone
    with pytest.raises(CaseFileError, match=r"^nothing can be rescued from .*cut\.casefile"):
        rescue_case(cut)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.casefile", "whole.casefile"]


def test_check_repair_writes_the_rescued_copy_from_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "scratched.casefile"
    with create_case(path, title="Scratched") as case:
        case.records.add_many(
            [PersonFields(name=f"{MARK} {n:04d} {'x' * 200}") for n in range(2000)]
        )
    damage_a_page_of(path, "person")
    before = path.read_bytes()
    code, said = run(capsys, "check", path)
    assert code == 1
    code, said = run(capsys, "check", path, "--repair")
    assert code == 0, said
    [copy] = tmp_path.glob("scratched.rescued-*.casefile")
    lines = said.splitlines()
    assert lines[0].startswith(f"wrote {copy}: 1,9")
    assert lines[1:] == [
        "partly lost (they could not all be read): people",
        f"{path} is as it was",
    ]
    assert path.read_bytes() == before
    code, said = run(capsys, "check", copy)
    assert (code, said) == (0, f"{copy}: no problems found\n")


# -- backups: what a killed one leaves is swept at the next open, a live one is not ---------

KILLED_BACKUP = """
import os, signal, sys
from pathlib import Path
from casefile.services.case import open_case
from casefile.db import sqlite_tools

real = sqlite_tools._copy

def killed_half_way(source, key, partial):
    real(source, key, partial)  # the copy is written, not yet renamed into place
    os.kill(os.getpid(), signal.SIGKILL)

sqlite_tools._copy = killed_half_way
with open_case(sys.argv[1], backups=False) as case:
    case.backup(Path(sys.argv[2]))
"""


def test_a_killed_backup_leaves_nothing_once_the_case_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "case" / "kept.casefile"
    path.parent.mkdir()
    create_case(path, title="Kept").close()
    elsewhere = tmp_path / "usb"
    elsewhere.mkdir()
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_BACKUP, str(path), str(elsewhere / "copy.casefile")],
        capture_output=True,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert [p.name for p in elsewhere.iterdir()] == ["copy.casefile.partial"]

    open_case(path, backups=False).close()
    assert list(elsewhere.iterdir()) == []
    assert list(backup_folder(path).iterdir()) == []  # the note that named it, too


def test_a_copy_being_checked_is_not_taken_for_a_leftover(tmp_path: Path) -> None:
    path = tmp_path / "busy.casefile"
    create_case(path, title="Busy").close()
    backup_folder(path).mkdir()
    checking = backup_folder(path) / "busy-20310301-083000.casefile.checking"
    held = online_backup(path, None, checking)  # as a daily backup holds it while it checks
    try:
        open_case(path, backups=False).close()  # another program opens the case meanwhile
        assert checking.exists()
    finally:
        held.release()
    open_case(path, backups=False).close()
    assert not checking.exists()
