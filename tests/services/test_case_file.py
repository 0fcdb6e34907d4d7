"""The case file on disk: refusals, encryption, crashes, backups, checks and migrations.

Every test works on real files in a temporary folder. Raw ``sqlite3`` (the standard
library's, a different SQLite than the app's SQLCipher) is only used on a file while no
``Case`` of this process has it open: two SQLite libraries in one process do not see each
other's POSIX locks.
"""

from __future__ import annotations

import ast
import hashlib
import itertools
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
import sqlcipher3
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from casefile.db import migrate, sqlite_tools
from casefile.db.engine import create_database, make_engine
from casefile.db.models import Base
from casefile.db.sqlite_tools import problems
from casefile.domain.errors import (
    CaseFileError,
    InvalidInput,
    KnownError,
    NeedsPassphrase,
    WrongPassphrase,
)
from casefile.domain.records import PersonFields, QuoteFields, SourceFields
from casefile.services import backups
from casefile.services.backups import KEEP, backup_before_upgrade, backup_folder, daily_backup
from casefile.services.case import Case, create_case, open_case
from casefile.services.rekeying import change_passphrase

SQLITE_MAGIC = b"SQLite format 3\x00"
PASSPHRASE = "correct horse 'battery' staple"
QUOTE_MARK = "Blood with blood, fire with fire: quote-marker-QM7731"
PERSON_MARK = "Zebulon Quartermaine-Marker PM4410"
DOC_MARK = b"document-marker-DM9052-original-bytes"
DOC_BYTES = b"%PDF-1.7\n" + DOC_MARK + b"\n" + bytes(range(256)) + b"\n%%EOF\n"
MARKERS = (QUOTE_MARK.encode(), PERSON_MARK.encode(), DOC_MARK)


# -- helpers ----------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder`` with the hash of its bytes."""
    return {
        str(p.relative_to(folder)): sha256(p) if p.is_file() else "<folder>"
        for p in sorted(folder.rglob("*"))
    }


def without_wal(files: dict[str, str]) -> dict[str, str]:
    """The snapshot without the -wal and -shm of a case that is open right now."""
    return {name: h for name, h in files.items() if not name.endswith(("-wal", "-shm"))}


def fill(case: Case) -> None:
    """A source, a person, a quote the person said and a stored document: the markers."""
    source = case.records.add(SourceFields(title="Court transcript"))
    person = case.records.add(PersonFields(name=PERSON_MARK))
    case.records.add(QuoteFields(text=QUOTE_MARK, source=source.id, speaker=person.id))
    case.documents.attach(
        DOC_BYTES, "statement.pdf", source=source.id, media_type="application/pdf"
    )


def query(case: Case, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with case.sessions.read() as s:
        return [tuple(row) for row in s.connection().exec_driver_sql(sql, params).all()]


def scalar(case: Case, sql: str, *params: Any) -> Any:
    return query(case, sql, *params)[0][0]


def assert_marked_data(case: Case) -> None:
    """Everything ``fill`` stored is there, whole."""
    assert scalar(case, "SELECT count(*) FROM quote WHERE text = ?", QUOTE_MARK) == 1
    assert scalar(case, "SELECT count(*) FROM person WHERE name = ?", PERSON_MARK) == 1
    assert DOC_BYTES in [row[0] for row in query(case, "SELECT data FROM blob")]
    assert case.check() == []


def copy_case(master: Path, folder: Path, name: str = "copy.casefile") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    shutil.copyfile(master, path)
    return path


def contains_marker(path: Path) -> bool:
    data = path.read_bytes()
    return any(marker in data for marker in MARKERS)


def assert_one_line(error: BaseException, *words: str) -> None:
    message = str(error)
    assert message.strip(), "the error has no message"
    assert len(message.splitlines()) == 1, message
    for word in words:
        assert word.lower() in message.lower(), message


@dataclass(frozen=True)
class Masters:
    """Closed cases holding the markers, built once; tests work on copies."""

    plain: Path
    encrypted: Path


@pytest.fixture(scope="module")
def masters(tmp_path_factory: pytest.TempPathFactory) -> Masters:
    folder = tmp_path_factory.mktemp("masters")
    plain = folder / "plain.casefile"
    with create_case(plain, title="Marked case") as case:
        fill(case)
    encrypted = folder / "encrypted.casefile"
    with create_case(encrypted, title="Marked case", passphrase=PASSPHRASE) as case:
        fill(case)
    return Masters(plain=plain, encrypted=encrypted)


# -- 1. files that are not (openable) cases --------------------------------------------


def make_missing(folder: Path, masters: Masters) -> Path:
    return folder / "missing.casefile"


def make_folder(folder: Path, masters: Masters) -> Path:
    path = folder / "folder.casefile"
    path.mkdir()
    return path


def make_empty(folder: Path, masters: Masters) -> Path:
    path = folder / "empty.casefile"
    path.touch()
    return path


def make_noise(folder: Path, masters: Masters) -> Path:
    path = folder / "noise.casefile"
    path.write_bytes(random.Random(7).randbytes(4096))
    return path


def make_text(folder: Path, masters: Masters) -> Path:
    path = folder / "notes.casefile"
    path.write_text("Interview notes, 3 May: the driver was seen at 14:05.\n", encoding="utf-8")
    return path


def make_foreign_sqlite(folder: Path, masters: Masters, *, wal: bool = False) -> Path:
    path = folder / "other.sqlite"
    with closing(sqlite3.connect(path)) as con:
        if wal:
            con.execute("PRAGMA journal_mode = WAL")
        con.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
        con.execute("INSERT INTO contacts VALUES ('A. Source', '555-0100')")
        con.commit()
    return path


def make_foreign_wal_sqlite(folder: Path, masters: Masters) -> Path:
    return make_foreign_sqlite(folder, masters, wal=True)


def make_newer(folder: Path, masters: Masters) -> Path:
    path = copy_case(masters.plain, folder, "newer.casefile")
    with closing(sqlite3.connect(path)) as con:
        con.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
        con.commit()
    return path


def make_without_schema(folder: Path, masters: Masters) -> Path:
    path = folder / "half-made.casefile"
    create_database(path, None)
    return path


def make_damaged(folder: Path, masters: Masters) -> Path:
    path = folder / "damaged.casefile"
    path.write_bytes(masters.plain.read_bytes()[:5000])
    return path


def make_encrypted(folder: Path, masters: Masters) -> Path:
    return copy_case(masters.encrypted, folder, "secret.casefile")


@dataclass(frozen=True)
class Bad:
    make: Callable[[Path, Masters], Path]
    passphrase: str | None
    error: type[CaseFileError]
    words: tuple[str, ...]


BAD_FILES = {
    "missing": Bad(make_missing, None, CaseFileError, ("no case file",)),
    "folder": Bad(make_folder, None, CaseFileError, ("folder",)),
    "empty": Bad(make_empty, None, CaseFileError, ("empty",)),
    "text": Bad(make_text, None, CaseFileError, ("not a case file",)),
    "text-with-passphrase": Bad(make_text, "guess", CaseFileError, ("not a case file",)),
    # Whole pages of noise look like an encrypted case: only a passphrase can tell.
    "noise": Bad(make_noise, None, NeedsPassphrase, ("passphrase",)),
    "noise-with-passphrase": Bad(make_noise, "guess", WrongPassphrase, ("passphrase",)),
    "foreign-sqlite": Bad(make_foreign_sqlite, None, CaseFileError, ("not a casefile case",)),
    "foreign-wal-sqlite": Bad(
        make_foreign_wal_sqlite, None, CaseFileError, ("not a casefile case",)
    ),
    "newer-casefile": Bad(make_newer, None, CaseFileError, ("newer casefile",)),
    "no-schema": Bad(make_without_schema, None, CaseFileError, ("no schema",)),
    "damaged": Bad(make_damaged, None, CaseFileError, ("damaged",)),
    "encrypted-no-passphrase": Bad(make_encrypted, None, NeedsPassphrase, ("passphrase",)),
    "encrypted-wrong-passphrase": Bad(
        make_encrypted, PASSPHRASE + "x", WrongPassphrase, ("wrong passphrase",)
    ),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
@pytest.mark.slow
def test_a_bad_file_is_refused_with_one_line_and_left_as_it_was(
    kind: str, tmp_path: Path, masters: Masters
) -> None:
    bad = BAD_FILES[kind]
    folder = tmp_path / "files"
    folder.mkdir()
    path = bad.make(folder, masters)
    before = snapshot(folder)
    with pytest.raises(bad.error) as caught:
        open_case(path, bad.passphrase)
    assert_one_line(caught.value, *bad.words)
    after = snapshot(folder)
    assert {name: after.get(name) for name in before} == before


@pytest.mark.parametrize("kind", list(BAD_FILES))
@pytest.mark.slow
def test_a_refused_file_gets_no_new_files_beside_it(
    kind: str, tmp_path: Path, masters: Masters
) -> None:
    bad = BAD_FILES[kind]
    folder = tmp_path / "files"
    folder.mkdir()
    path = bad.make(folder, masters)
    before = snapshot(folder)
    with pytest.raises(CaseFileError):
        open_case(path, bad.passphrase)
    assert snapshot(folder) == before


HOLD_WRITE_LOCK = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
print("holding", flush=True)
sys.stdin.read()
con.execute("ROLLBACK")
con.close()
"""


@pytest.mark.slow
def test_a_case_locked_by_another_writer_is_refused_quickly(
    tmp_path: Path, masters: Masters
) -> None:
    path = copy_case(masters.plain, tmp_path)
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE_LOCK, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdin is not None
        assert holder.stdout is not None
        try:
            assert holder.stdout.readline().strip() == "holding"
            names_before, bytes_before = set(snapshot(tmp_path)), sha256(path)
            started = time.monotonic()
            with pytest.raises(CaseFileError) as caught:
                open_case(path)
            elapsed = time.monotonic() - started
            assert names_before == set(snapshot(tmp_path))
            assert sha256(path) == bytes_before
        finally:
            holder.stdin.close()
            holder.wait(timeout=10)
    assert_one_line(caught.value, "locked")
    assert elapsed < 4, f"waited {elapsed:.1f} s for the lock instead of refusing"
    assert holder.returncode == 0
    with open_case(path, backups=False) as case:
        assert_marked_data(case)


@pytest.mark.parametrize("existing", ["case", "text"])
def test_create_case_refuses_an_existing_path(
    existing: str, tmp_path: Path, masters: Masters
) -> None:
    if existing == "case":
        path = copy_case(masters.plain, tmp_path, "taken.casefile")
    else:
        path = tmp_path / "taken.casefile"
        path.write_text("not mine to overwrite\n", encoding="utf-8")
    before = snapshot(tmp_path)
    with pytest.raises(CaseFileError) as caught:
        create_case(path, title="Second thoughts")
    assert_one_line(caught.value, "already exists")
    assert snapshot(tmp_path) == before


def test_create_case_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CaseFileError) as caught:
        create_case(tmp_path / "nowhere" / "new.casefile")
    assert_one_line(caught.value, "no folder")
    assert list(tmp_path.iterdir()) == []


# -- 2. encryption -----------------------------------------------------------------------


def test_markers_are_readable_in_a_plain_case_file(masters: Masters) -> None:
    """The control for the tests below: the search for markers does find them."""
    data = masters.plain.read_bytes()
    assert data.startswith(SQLITE_MAGIC)
    assert all(marker in data for marker in MARKERS)


@pytest.mark.slow
def test_an_encrypted_case_reopens_and_hides_its_contents(tmp_path: Path, masters: Masters) -> None:
    path = copy_case(masters.encrypted, tmp_path)
    with open_case(path, PASSPHRASE, backups=False) as case:
        assert case.encrypted
        assert case.info().encrypted
        assert_marked_data(case)
    assert sorted(os.listdir(tmp_path)) == [path.name]
    data = path.read_bytes()
    assert not data.startswith(SQLITE_MAGIC)
    assert not contains_marker(path)


@pytest.mark.parametrize(
    "passphrase",
    [
        "pa'ss \"wo\\rd ü 密码",
        "'; DROP TABLE record; -- \\' " + "ßž€😀'\"\\ " * 500,
    ],
    ids=["quotes-spaces-backslash-unicode", "very-long-sql-like"],
)
@pytest.mark.slow
def test_awkward_passphrases_work(passphrase: str, tmp_path: Path) -> None:
    path = tmp_path / "awkward.casefile"
    with create_case(path, passphrase=passphrase) as case:
        case.records.add(PersonFields(name=PERSON_MARK))
    assert not contains_marker(path)
    with open_case(path, passphrase, backups=False) as case:
        assert scalar(case, "SELECT count(*) FROM person WHERE name = ?", PERSON_MARK) == 1
    with pytest.raises(WrongPassphrase):
        open_case(path, passphrase[:-1], backups=False)


def test_a_nul_in_a_passphrase_is_invalid_input(tmp_path: Path, masters: Masters) -> None:
    with pytest.raises(InvalidInput) as caught:
        create_case(tmp_path / "nul.casefile", passphrase="before\x00after")
    assert_one_line(caught.value, "nul")
    assert not (tmp_path / "nul.casefile").exists()

    path = copy_case(masters.encrypted, tmp_path / "enc")
    before = snapshot(path.parent)
    with pytest.raises(InvalidInput):
        open_case(path, PASSPHRASE + "\x00")
    assert snapshot(path.parent) == before


@pytest.mark.parametrize("passphrase", ["", "a\x00b"], ids=["empty", "nul"])
def test_a_failed_create_case_leaves_nothing_behind(passphrase: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        create_case(tmp_path / "new.casefile", passphrase=passphrase)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("new", ["", "a\x00b"], ids=["empty", "nul"])
def test_change_passphrase_refuses_an_unusable_new_passphrase(
    new: str, tmp_path: Path, masters: Masters
) -> None:
    path = copy_case(masters.plain, tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(InvalidInput):
        change_passphrase(path, None, new)
    assert sha256(path) == before[path.name]
    with open_case(path, backups=False) as case:
        assert not case.encrypted
        assert_marked_data(case)


@pytest.mark.slow
def test_change_passphrase_encrypts_rekeys_and_decrypts(tmp_path: Path, masters: Masters) -> None:
    path = copy_case(masters.plain, tmp_path)

    change_passphrase(path, None, PASSPHRASE)
    assert not path.read_bytes().startswith(SQLITE_MAGIC)
    assert not contains_marker(path)
    with pytest.raises(NeedsPassphrase):
        open_case(path, backups=False)
    with open_case(path, PASSPHRASE, backups=False) as case:
        assert case.encrypted
        assert_marked_data(case)
        assert scalar(case, "PRAGMA journal_mode") == "wal"

    new = "a new one ü"
    change_passphrase(path, PASSPHRASE, new)
    assert not contains_marker(path)
    with pytest.raises(WrongPassphrase):
        open_case(path, PASSPHRASE, backups=False)
    with open_case(path, new, backups=False) as case:
        assert_marked_data(case)

    change_passphrase(path, new, None)
    assert path.read_bytes().startswith(SQLITE_MAGIC)
    with open_case(path, backups=False) as case:
        assert not case.encrypted
        assert_marked_data(case)
        assert scalar(case, "PRAGMA journal_mode") == "wal"


def test_change_passphrase_with_the_wrong_old_one_changes_nothing(
    tmp_path: Path, masters: Masters
) -> None:
    path = copy_case(masters.encrypted, tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(WrongPassphrase) as caught:
        change_passphrase(path, "not it", "whatever")
    assert_one_line(caught.value)
    assert snapshot(tmp_path) == before


def test_change_passphrase_refuses_to_decrypt_a_plain_case(
    tmp_path: Path, masters: Masters
) -> None:
    path = copy_case(masters.plain, tmp_path)
    with pytest.raises(KnownError) as caught:  # InvalidInput: the user asked for it
        change_passphrase(path, None, None)
    assert_one_line(caught.value, "not encrypted")
    assert sha256(path) == sha256(masters.plain)


@pytest.mark.slow
def test_change_passphrase_leaves_only_the_case_file(tmp_path: Path, masters: Masters) -> None:
    path = copy_case(masters.plain, tmp_path)
    change_passphrase(path, None, PASSPHRASE)
    assert sorted(os.listdir(tmp_path)) == [path.name]


@pytest.mark.slow
def test_change_passphrase_does_not_lose_edits_of_a_case_open_elsewhere(
    tmp_path: Path, masters: Masters
) -> None:
    path = copy_case(masters.plain, tmp_path)
    with open_case(path, backups=False) as window:
        source = scalar(window, "SELECT id FROM source")
        try:
            change_passphrase(path, None, PASSPHRASE)
        except CaseFileError:
            return  # refusing while the case is open is the right answer
        window.records.add(QuoteFields(text="written after the re-key", source=UUID(source)))
    with open_case(path, PASSPHRASE, backups=False) as case:
        found = scalar(case, "SELECT count(*) FROM quote WHERE text = 'written after the re-key'")
    assert found == 1, "an edit reported as saved is not in the case"


HOLD_OPEN = """
import sys
from casefile.services.case import open_case
case = open_case(sys.argv[1], backups=False)
case.info()
print("open", flush=True)
sys.stdin.read()
case.close()
"""


@pytest.mark.parametrize("where", ["this-process", "another-process"])
@pytest.mark.slow
def test_change_passphrase_refuses_while_the_case_is_open_elsewhere(
    where: str, tmp_path: Path, masters: Masters
) -> None:
    path = copy_case(masters.plain, tmp_path)
    if where == "this-process":
        with open_case(path, backups=False) as window:
            source = UUID(scalar(window, "SELECT id FROM source"))
            before = without_wal(snapshot(tmp_path))
            with pytest.raises(CaseFileError) as caught:
                change_passphrase(path, None, PASSPHRASE)
            assert without_wal(snapshot(tmp_path)) == before
            window.records.add(QuoteFields(text="written after the refusal", source=source))
    else:
        with subprocess.Popen(
            [sys.executable, "-c", HOLD_OPEN, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        ) as holder:
            assert holder.stdin is not None
            assert holder.stdout is not None
            try:
                assert holder.stdout.readline().strip() == "open"
                before = without_wal(snapshot(tmp_path))
                with pytest.raises(CaseFileError) as caught:
                    change_passphrase(path, None, PASSPHRASE)
                assert without_wal(snapshot(tmp_path)) == before
            finally:
                holder.stdin.close()
                holder.wait(timeout=30)
        assert holder.returncode == 0
    assert_one_line(caught.value, "open in another program")
    assert path.read_bytes().startswith(SQLITE_MAGIC)
    with open_case(path, backups=False) as case:
        assert not case.encrypted
        assert_marked_data(case)
        if where == "this-process":
            text = "written after the refusal"
            assert scalar(case, "SELECT count(*) FROM quote WHERE text = ?", text) == 1


@pytest.mark.slow
def test_encrypting_a_case_leaves_no_plaintext_copy_beside_it(
    tmp_path: Path, masters: Masters
) -> None:
    path = copy_case(masters.plain, tmp_path)
    open_case(path).close()  # writes today's automatic backup
    assert len(list(backup_folder(path).iterdir())) == 1
    change_passphrase(path, None, PASSPHRASE)
    leaking = [p.name for p in tmp_path.rglob("*") if p.is_file() and contains_marker(p)]
    assert leaking == []


def all_files(folder: Path) -> list[Path]:
    return sorted(p.relative_to(folder) for p in folder.rglob("*"))


@pytest.mark.parametrize("new", [PASSPHRASE, None], ids=["encrypt", "decrypt"])
@pytest.mark.slow
def test_change_passphrase_rekeys_the_backup_copies(
    new: str | None, tmp_path: Path, masters: Masters
) -> None:
    old = None if new is not None else PASSPHRASE
    path = copy_case(masters.plain if old is None else masters.encrypted, tmp_path)
    with open_case(path, old):  # writes today's automatic backup, in <case>.backups/
        backup_before_upgrade(path, old, "0001")  # as an upgrade leaves it, beside the case
    [daily] = backup_folder(path).iterdir()
    [before_upgrade] = tmp_path.glob(f"{path.stem}.before-upgrade-*.casefile")
    files = all_files(tmp_path)

    change_passphrase(path, old, new)
    assert all_files(tmp_path) == files  # re-keyed in place: none lost, nothing left over
    for copy in (daily, before_upgrade):
        assert copy.read_bytes().startswith(SQLITE_MAGIC) == (new is None)
        if new is not None:
            assert not contains_marker(copy)
            with pytest.raises(NeedsPassphrase):
                open_case(copy, backups=False)
        with open_case(copy, new, backups=False) as restored:
            assert restored.encrypted == (new is not None)
            assert_marked_data(restored)
    assert all_files(tmp_path) == files


@pytest.mark.slow
def test_backup_and_check_work_on_an_encrypted_case(tmp_path: Path, masters: Masters) -> None:
    path = copy_case(masters.encrypted, tmp_path)
    dest = tmp_path / "manual-copy.casefile"
    with open_case(path, PASSPHRASE) as case:  # also writes today's automatic backup
        assert case.check() == []
        case.backup(dest)
    [daily] = backup_folder(path).iterdir()
    for copy in (dest, daily):
        assert not copy.read_bytes().startswith(SQLITE_MAGIC)
        assert not contains_marker(copy)
        with pytest.raises(NeedsPassphrase):
            open_case(copy, backups=False)
        with open_case(copy, PASSPHRASE, backups=False) as restored:
            assert restored.encrypted
            assert_marked_data(restored)


# -- 3. kill -9 ------------------------------------------------------------------------

ONE_BY_ONE = """
import sys
from uuid import UUID
from casefile.services.case import open_case
from casefile.domain.records import QuoteFields
case = open_case(sys.argv[1], backups=False)
source = UUID(sys.argv[2])
n = 0
while True:
    case.records.add(QuoteFields(text=f"one by one {n:06d}", source=source))
    n += 1
    print(n, flush=True)
"""

IN_BULK = """
import sys
from uuid import UUID
from casefile.services.case import open_case
from casefile.domain.records import QuoteFields
case = open_case(sys.argv[1], backups=False)
items = [QuoteFields(text=f"in bulk {i:06d}", source=UUID(sys.argv[2])) for i in range(20000)]
print("start", flush=True)
case.records.add_many(items)
print("done", flush=True)
"""


def source_of(path: Path) -> str:
    with open_case(path, backups=False) as case:
        return str(UUID(scalar(case, "SELECT id FROM source")))


def assert_records_complete(case: Case) -> None:
    """No record without its kind row, no quote without its audit entry, no dangling key."""
    kinds = [row[0] for row in query(case, "SELECT DISTINCT kind FROM record")]
    for kind in kinds:
        missing = scalar(
            case,
            f'SELECT count(*) FROM record r LEFT JOIN "{kind}" k ON k.id = r.id '
            "WHERE r.kind = ? AND k.id IS NULL",
            kind,
        )
        assert missing == 0, f"{missing} {kind} records lack their {kind} row"
    unaudited = scalar(
        case,
        "SELECT count(*) FROM quote q WHERE NOT EXISTS (SELECT 1 FROM audit_event a "
        "WHERE a.record_id = q.id AND a.action = 'create')",
    )
    assert unaudited == 0
    assert case.check() == []


@pytest.mark.slow
def test_every_committed_edit_survives_kill_9(tmp_path: Path, masters: Masters) -> None:
    path = copy_case(masters.plain, tmp_path)
    source = source_of(path)
    last = 0
    with subprocess.Popen(
        [sys.executable, "-c", ONE_BY_ONE, str(path), source], stdout=subprocess.PIPE, text=True
    ) as writer:
        assert writer.stdout is not None
        try:
            while last < 50:
                line = writer.stdout.readline()
                assert line, "the writer died before committing 50 records"
                last = int(line)
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.wait(timeout=10)
    assert writer.returncode == -signal.SIGKILL
    with open_case(path, backups=False) as case:
        texts = {
            row[0] for row in query(case, "SELECT text FROM quote WHERE text LIKE 'one by one %'")
        }
        assert len(texts) >= last
        assert texts == {f"one by one {n:06d}" for n in range(len(texts))}
        assert_records_complete(case)
        assert_marked_data(case)


@pytest.mark.slow
def test_a_bulk_add_killed_mid_write_leaves_none_or_all(tmp_path: Path, masters: Masters) -> None:
    path = copy_case(masters.plain, tmp_path)
    source = source_of(path)
    wal = Path(f"{path}-wal")
    with subprocess.Popen(
        [sys.executable, "-c", IN_BULK, str(path), source], stdout=subprocess.PIPE, text=True
    ) as writer:
        assert writer.stdout is not None
        try:
            assert writer.stdout.readline().strip() == "start"
            deadline = time.monotonic() + 30
            # The first pages of the open transaction reaching the WAL: mid-write.
            while writer.poll() is None and time.monotonic() < deadline:
                if wal.exists() and wal.stat().st_size > 0:
                    break
                time.sleep(0.002)
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.wait(timeout=10)
    with open_case(path, backups=False) as case:
        count = scalar(case, "SELECT count(*) FROM quote WHERE text LIKE 'in bulk %'")
        assert count in (0, 20000), f"{count} of 20000 quotes survived: part of one action"
        assert_records_complete(case)
        assert_marked_data(case)


# -- 4. backups ------------------------------------------------------------------------


def grow(case: Case, size: int = 4_000_000) -> UUID:
    """Make the case a few MB (a backup that takes a while); return a source ID."""
    source = UUID(scalar(case, "SELECT id FROM source"))
    case.documents.attach(
        hashlib.shake_256(b"large original").digest(size), "scan.tiff", source=source
    )
    return source


class Writer:
    """Another window saving edits as fast as it can, one quote per commit, in a thread.

    The quotes are numbered from 0 ("writer 000000", ...), so a consistent copy of the
    case holds a gapless prefix of them. ``with Writer(...)`` returns once it has
    committed a few, and stops it (at the latest after ``give_up`` seconds)."""

    def __init__(self, case: Case, source: UUID, give_up: float = 30) -> None:
        self.case = case
        self.source = source
        self.give_up = give_up
        self.committed = 0
        self.errors: list[BaseException] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._write)

    def _write(self) -> None:
        try:
            give_up = time.monotonic() + self.give_up
            while not self._stop.is_set() and time.monotonic() < give_up:
                text = f"writer {self.committed:06d}"
                self.case.records.add(QuoteFields(text=text, source=self.source))
                self.committed += 1
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.errors.append(exc)

    def __enter__(self) -> Writer:
        self._thread.start()
        until = time.monotonic() + 10
        while self.committed < 3 and not self.errors and time.monotonic() < until:
            time.sleep(0.001)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass(frozen=True)
class Attempt:
    """One backup taken while the writer ran: the writer's count before and after."""

    dest: Path
    at_start: int
    at_end: int
    seconds: float


def back_up_while_writing(case: Case, writer: Writer, folder: Path) -> list[Attempt]:
    """Back up (to new copies) until edits were committed while a backup ran: a backup of
    a few MB can be quicker than one commit, so it may take a few tries."""
    attempts: list[Attempt] = []
    for n in range(20):
        dest = folder / f"copy-while-writing-{n}.casefile"
        at_start, started = writer.committed, time.monotonic()
        case.backup(dest)
        attempts.append(Attempt(dest, at_start, writer.committed, time.monotonic() - started))
        if attempts[-1].at_end > attempts[-1].at_start or writer.errors:
            break
    return attempts


def test_a_backup_taken_while_another_connection_writes_is_consistent(
    tmp_path: Path, masters: Masters
) -> None:
    path = copy_case(masters.plain, tmp_path / "case")
    with open_case(path, backups=False) as case, open_case(path, backups=False) as other:
        source = grow(case)
        with Writer(other, source) as writer:
            assert writer.committed >= 3, "the writer did not get going"
            attempts = back_up_while_writing(case, writer, tmp_path)
    assert writer.errors == []
    assert attempts[-1].at_end > attempts[-1].at_start, "no edit was committed during a backup"
    for attempt in attempts:
        with open_case(attempt.dest, backups=False) as copy:
            assert copy.check() == []
            texts = {
                row[0] for row in query(copy, "SELECT text FROM quote WHERE text LIKE 'writer %'")
            }
            assert attempt.at_start <= len(texts) <= attempt.at_end + 1
            assert texts == {f"writer {n:06d}" for n in range(len(texts))}
            assert_records_complete(copy)
            assert_marked_data(copy)


@pytest.mark.slow
def test_a_backup_completes_while_another_connection_commits_continuously(
    tmp_path: Path, masters: Masters
) -> None:
    """A backup that started over at every commit (as one copied in slices of 256 pages
    did: here about 50 slices) would end only when the writer gives up, after 20 s."""
    path = copy_case(masters.plain, tmp_path / "case")
    with open_case(path, backups=False) as case, open_case(path, backups=False) as other:
        source = grow(case, 50 * 256 * 4096)
        with Writer(other, source, give_up=20) as writer:
            assert writer.committed >= 3, "the writer did not get going"
            attempts = back_up_while_writing(case, writer, tmp_path)
    assert writer.errors == []
    last = attempts[-1]
    assert last.at_end > last.at_start, "no edit was committed during a backup"
    slowest = max(a.seconds for a in attempts)
    assert slowest < 5, f"a backup took {slowest:.1f} s while another connection committed"
    with open_case(last.dest, backups=False) as copy:
        assert copy.check() == []
        assert_marked_data(copy)


def test_backup_refuses_an_existing_file_and_the_case_itself(
    tmp_path: Path, masters: Masters
) -> None:
    path = copy_case(masters.plain, tmp_path / "cases")
    taken = tmp_path / "cases" / "taken.casefile"
    taken.write_bytes(b"someone else's file")
    with open_case(path, backups=False) as case:
        before = snapshot(tmp_path)
        same = tmp_path / "cases" / ".." / "cases" / path.name
        for dest in (taken, path, same):
            with pytest.raises(CaseFileError) as caught:
                case.backup(dest)
            assert_one_line(caught.value)
        with pytest.raises(CaseFileError) as caught:
            case.backup(tmp_path / "no such folder" / "copy.casefile")
        assert_one_line(caught.value, "no folder")
        assert without_wal(snapshot(tmp_path)) == without_wal(before)
        assert_marked_data(case)
    assert taken.read_bytes() == b"someone else's file"


def test_daily_backup_writes_once_a_day_and_keeps_the_newest_three(
    tmp_path: Path, masters: Masters
) -> None:
    path = copy_case(masters.plain, tmp_path, "daily.casefile")
    folder = tmp_path / "daily.casefile.backups"
    day = datetime(2031, 3, 1, 8, 30, tzinfo=UTC)

    first = daily_backup(path, None, now=day)
    assert first is not None
    assert first.parent == folder
    assert first.is_file()
    assert daily_backup(path, None, now=day + timedelta(hours=23)) is None
    assert list(folder.iterdir()) == [first]

    written = [first]
    for n in range(1, 5):
        made = daily_backup(path, None, now=day + timedelta(days=n))
        assert made is not None
        written.append(made)
    assert len(set(written)) == 5
    assert KEEP == 3
    assert sorted(folder.iterdir()) == sorted(written[-KEEP:])
    for kept in written[-KEEP:]:
        with open_case(kept, backups=False) as copy:
            assert_marked_data(copy)


def test_opening_a_case_makes_todays_backup_once(tmp_path: Path, masters: Masters) -> None:
    path = copy_case(masters.plain, tmp_path)
    open_case(path).close()
    made = list(backup_folder(path).iterdir())
    assert len(made) == 1
    assert made[0].suffix == ".casefile"
    open_case(path).close()
    assert list(backup_folder(path).iterdir()) == made
    with open_case(made[0], backups=False) as copy:
        assert_marked_data(copy)


def test_daily_backup_of_a_case_with_brackets_in_its_name(tmp_path: Path, masters: Masters) -> None:
    path = copy_case(masters.plain, tmp_path, "Westminster [draft].casefile")
    day = datetime(2031, 3, 1, 8, 30, tzinfo=UTC)
    assert daily_backup(path, None, now=day) is not None
    assert daily_backup(path, None, now=day + timedelta(hours=1)) is None


def test_a_daily_backup_that_cannot_be_written_says_so_in_one_line(
    tmp_path: Path, masters: Masters, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = copy_case(masters.plain, tmp_path)
    before = path.read_bytes()

    def full_disk(*_args: object) -> None:
        raise sqlcipher3.dbapi2.OperationalError("disk I/O error")

    working = sqlite_tools.online_backup
    monkeypatch.setattr(backups, "online_backup", full_disk)
    day = datetime(2031, 3, 1, tzinfo=UTC)
    with pytest.raises(CaseFileError) as caught:
        daily_backup(path, None, now=day)
    assert_one_line(caught.value, "backup copy", "disk I/O error", "tried again tomorrow")
    assert path.read_bytes() == before
    assert [p.name for p in backup_folder(path).iterdir()] == [backups.FAILED]
    # Said once: the opens that follow the same day neither try nor say it again.
    assert daily_backup(path, None, now=day + timedelta(hours=6)) is None
    monkeypatch.setattr(backups, "online_backup", working)
    assert daily_backup(path, None, now=day + timedelta(days=1)) is not None
    assert backups.FAILED not in [p.name for p in backup_folder(path).iterdir()]


def test_a_case_restored_from_a_backup_runs_in_wal_mode(tmp_path: Path, masters: Masters) -> None:
    path = copy_case(masters.plain, tmp_path)
    restored = tmp_path / "restored.casefile"
    with open_case(path, backups=False) as case:
        case.backup(restored)
    with open_case(restored, backups=False) as case:
        assert scalar(case, "PRAGMA journal_mode") == "wal"


def test_a_case_restored_from_a_backup_is_switched_to_wal_when_opened(
    tmp_path: Path, masters: Masters
) -> None:
    path = copy_case(masters.plain, tmp_path)
    restored = tmp_path / "restored.casefile"
    with open_case(path, backups=False) as case:
        case.backup(restored)
    assert restored.read_bytes()[18:20] == b"\x01\x01"  # the copy: rollback journal
    with open_case(restored, backups=False) as case:
        assert restored.read_bytes()[18:20] == b"\x02\x02"  # WAL, in the file's header
        case.records.add(PersonFields(name="After the restore"))
        assert Path(f"{restored}-wal").stat().st_size > 0
        engine = case.sessions.engine
        with engine.connect() as one, engine.connect() as two:
            for conn in (one, two):
                conn.exec_driver_sql("SELECT count(*) FROM record").all()
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


# -- 5. check ------------------------------------------------------------------------


def test_check_finds_nothing_wrong_with_a_sound_case(tmp_path: Path, masters: Masters) -> None:
    path = copy_case(masters.plain, tmp_path)
    with open_case(path, backups=False) as case:
        assert case.check() == []


def test_check_reports_changed_document_bytes(tmp_path: Path, masters: Masters) -> None:
    path = copy_case(masters.plain, tmp_path)
    with closing(sqlite3.connect(path)) as con:
        [(sha,)] = con.execute("SELECT sha256 FROM blob").fetchall()
        con.execute("UPDATE blob SET data = ? WHERE sha256 = ?", (b"tampered bytes", sha))
        con.commit()
    with open_case(path, backups=False) as case:
        found = case.check()
    assert len(found) == 1
    assert "\n" not in found[0]
    assert "document" in found[0]
    assert sha[:12] in found[0]
    assert hashlib.sha256(b"tampered bytes").hexdigest()[:12] in found[0]


def test_check_reports_a_dangling_foreign_key(tmp_path: Path, masters: Masters) -> None:
    path = copy_case(masters.plain, tmp_path)
    with closing(sqlite3.connect(path)) as con:
        con.execute("PRAGMA foreign_keys = OFF")
        [(quote,)] = con.execute("SELECT id FROM quote").fetchall()
        con.execute("INSERT INTO record_tag (record_id, tag_id) VALUES (?, 424242)", (quote,))
        con.commit()
    with open_case(path, backups=False) as case:
        found = case.check()
    assert len(found) == 1
    assert "foreign key" in found[0]
    assert "record_tag" in found[0]
    assert "tag" in found[0]


def damage_table(path: Path, table: str) -> None:
    """Overwrite the root page of ``table`` with junk, as a failing disk might."""
    with closing(sqlite3.connect(path)) as con:
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
        [(root,)] = con.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchall()
    data = bytearray(path.read_bytes())
    data[(root - 1) * page_size : root * page_size] = b"\xde\xad\xbe\xef" * (page_size // 4)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("table", ["alembic_version", "case_info", "record"])
def test_a_damaged_page_is_refused_or_reported(
    table: str, tmp_path: Path, masters: Masters
) -> None:
    path = copy_case(masters.plain, tmp_path)
    damage_table(path, table)
    try:
        case = open_case(path, backups=False)
    except CaseFileError as refused:
        assert_one_line(refused)
        return
    with case:
        found = case.check()
    assert found, "check() found nothing wrong with a damaged case"


# -- 6. migrations ---------------------------------------------------------------------


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(migrate.alembic_config())


def revisions_oldest_first() -> list[str]:
    return [rev.revision for rev in reversed(list(script_directory().walk_revisions()))]


def env_include_object() -> Callable[..., bool]:
    """The very ``include_object`` of migrations/env.py (which cannot be imported)."""
    env = Path(script_directory().dir) / "env.py"
    tree = ast.parse(env.read_text(encoding="utf-8"))
    [function] = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name == "include_object"
    ]
    namespace: dict[str, Any] = {}
    exec(compile(ast.Module(body=[function], type_ignores=[]), str(env), "exec"), namespace)
    include: Callable[..., bool] = namespace["include_object"]
    return include


def case_at_revision(path: Path, revision: str) -> None:
    """A case as the Casefile whose newest migration was ``revision`` would have made it."""
    create_database(path, None)
    engine = make_engine(path, None)
    try:
        migrate.upgrade(engine, revision)
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO case_info (id, title, summary, created_at) VALUES (?, ?, ?, ?)",
                (uuid4().hex, "An old case", "", "2020-01-02 03:04:05.000000"),
            )
    finally:
        engine.dispose()


def test_the_revision_chain_is_linear() -> None:
    script = script_directory()
    heads, bases = script.get_heads(), script.get_bases()
    assert len(heads) == 1
    assert len(bases) == 1
    chain = list(script.walk_revisions())  # newest first
    assert chain[0].revision == heads[0] == migrate.HEAD
    assert chain[-1].revision == bases[0]
    assert chain[-1].down_revision is None
    for newer, older in itertools.pairwise(chain):
        assert newer.down_revision == older.revision
    assert {rev.revision for rev in chain} == migrate.known_revisions()
    scripts = [p for p in (Path(script.dir) / "versions").glob("*.py") if p.name != "__init__.py"]
    assert len(scripts) == len(chain)


def test_the_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    path = tmp_path / "schema.casefile"
    create_database(path, None)
    engine = make_engine(path, None)
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            tables = {
                row[0]
                for row in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")
            }
            assert set(Base.metadata.tables) <= tables
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "include_object": env_include_object(),
                    "target_metadata": Base.metadata,
                },
            )
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


@pytest.mark.parametrize("revision", revisions_oldest_first()[:-1])
@pytest.mark.slow
def test_an_older_case_is_upgraded_after_a_verified_backup(revision: str, tmp_path: Path) -> None:
    path = tmp_path / "old.casefile"
    case_at_revision(path, revision)
    with open_case(path, backups=False) as case:
        assert case.info().schema == migrate.HEAD
        assert case.check() == []
    [backup] = tmp_path.glob("old.before-upgrade-*")
    assert f"-{revision}-" in backup.name
    assert problems(backup, None) == []
    with closing(sqlite3.connect(backup)) as con:
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(revision,)]


def test_a_case_at_the_first_revision_opens_at_head(tmp_path: Path) -> None:
    first = revisions_oldest_first()[0]
    path = tmp_path / "first.casefile"
    case_at_revision(path, first)
    with open_case(path, backups=False) as case:
        info = case.info()
        assert info.schema == migrate.HEAD
        assert info.title == "An old case"
        assert case.check() == []
    upgraded = first != migrate.HEAD
    assert len(list(tmp_path.glob("first.before-upgrade-*"))) == int(upgraded)


def test_a_case_at_head_gets_no_upgrade_backup(tmp_path: Path, masters: Masters) -> None:
    path = copy_case(masters.plain, tmp_path)
    with open_case(path, backups=False) as case:
        assert case.info().schema == migrate.HEAD
    assert sorted(os.listdir(tmp_path)) == [path.name]


def test_backup_before_upgrade_writes_a_verified_copy(tmp_path: Path, masters: Masters) -> None:
    path = copy_case(masters.plain, tmp_path, "westminster.casefile")
    with open_case(path, backups=False):  # as open_case calls it: on an open case
        dest = backup_before_upgrade(path, None, "0001")
    assert dest.parent == tmp_path
    assert re.fullmatch(r"westminster\.before-upgrade-0001-\d{8}-\d{6}\.casefile", dest.name)
    assert sorted(os.listdir(tmp_path)) == sorted([path.name, dest.name])
    assert sha256(path) == sha256(masters.plain)
    assert problems(dest, None) == []
    with open_case(dest, backups=False) as copy:
        assert_marked_data(copy)


# -- 7. durability -------------------------------------------------------------------


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
@pytest.mark.slow
def test_every_connection_is_wal_synchronous_full_with_foreign_keys(
    encrypted: bool, tmp_path: Path, masters: Masters
) -> None:
    master, key = (masters.encrypted, PASSPHRASE) if encrypted else (masters.plain, None)
    path = copy_case(master, tmp_path)
    with open_case(path, key, backups=False) as case:
        engine = case.sessions.engine
        with engine.connect() as one, engine.connect() as two:
            for conn in (one, two):
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        with case.sessions.write() as s:
            conn = s.connection()
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert scalar(case, "PRAGMA journal_mode") == "wal"


def test_a_stray_file_in_the_backups_folder_is_left_alone(tmp_path: Path, masters: Masters) -> None:
    path = copy_case(masters.plain, tmp_path)
    folder = backup_folder(path)
    folder.mkdir()
    stray = folder / f"{path.stem}-copy.casefile"
    stray.write_bytes(b"not ours")
    with open_case(path) as case:  # writes today's backup; the stray file is not one
        assert case.check() == []
    assert stray.read_bytes() == b"not ours"
    assert len(list(folder.iterdir())) == 2


def test_a_blank_title_becomes_the_file_name(tmp_path: Path) -> None:
    with create_case(tmp_path / "westminster.casefile", title="   ") as case:
        assert case.info().title == "westminster"
