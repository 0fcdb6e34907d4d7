"""Changing a case's encryption (encrypt, re-key, decrypt): the case and its backup copies
as one change, which a crash at any moment leaves either not begun or complete.

1. The case is held exclusively from start to end (``CaseLock``): whoever tries to open it
   meanwhile is told it is being re-encrypted, and a program that had it open keeps the
   re-key out ("close it there first").
2. The write-ahead log is merged into the file (``held_alone`` leaves WAL mode).
3. Each file (the case, each backup copy) is written under the new key beside itself, as
   ``.NAME.rekeying``, and checked.
4. The plan, ``.CASE.rekeyed``, says which copy replaces which file and which copies are
   removed; once it is on disk the change is made.
5. Each copy is renamed over its file, the copies to remove are removed, then the plan.

A crash before step 4 leaves the old files and staged copies that the next open deletes
(``finish_interrupted``); a crash after it leaves a plan that the next open carries out.
Either way no file of the case stays under the old key, or in plaintext beside an
encrypted case, once the case has been opened again.
"""

from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from casefile.db.case_lock import CaseLock
from casefile.db.engine import (
    DBAPIError,
    DriverConnection,
    held_alone,
    is_plain_sqlite,
    key_pragma,
    probe,
    probe_file,
    raw_connect,
)
from casefile.db.sqlite_tools import export_rekeyed, fsync_folder, problems, remove_with_side_files
from casefile.domain.errors import CaseFileError, InvalidInput, KnownError
from casefile.services.backups import all_backups, backup_folder, ensure_room, remove_leftovers

STAGED = ".rekeying"
PLAN = ".rekeyed"
# A re-key waits this long for a program that is just finishing with the case.
LOCK_WAIT_S = 2.0


class Plan(TypedDict):
    """Step 4's file: names relative to the case's folder."""

    replace: list[tuple[str, str]]  # (staged copy, the file it replaces)
    remove: list[str]


@dataclass
class Rekeyed:
    """What a change of encryption did to the case's backup copies, to be said."""

    rekeyed: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)  # plaintext copies that could not be
    kept: list[Path] = field(default_factory=list)  # copies under some other passphrase


def change_passphrase(path: Path | str, old: str | None, new: str | None) -> Rekeyed:
    """Encrypt, re-key or decrypt a case that is closed everywhere (``None``: no key)."""
    path = Path(path)
    if new is not None:
        key_pragma(new)  # refuse an unusable passphrase before anything is touched
    probe_file(path)
    lock = CaseLock.exclusive(path, LOCK_WAIT_S)
    try:
        _finish(path)
        probe(path, old)
        key = None if is_plain_sqlite(path) else old
        if key is None and new is None:
            raise InvalidInput(f"{path} is not encrypted")
        remove_leftovers(path)  # killed backups' copies, under the old key
        ensure_room(path.parent, path, *all_backups(path), what="the re-encrypted copies")
        with held_alone(path, key) as conn:
            try:
                plan, report = _stage(path, conn, key, new)
                # Held too, so that once renamed it keeps openers out until step 5 ends.
                new_lock = CaseLock.exclusive(_staged_name(path), 0)
            except BaseException:
                _roll_back(path)
                raise
            try:
                _write_plan(path, plan)
                _carry_out(path, plan)
            finally:
                new_lock.release()
        return report
    finally:
        lock.release()


def finish_interrupted(path: Path) -> None:
    """Complete or undo a re-key that was cut short; called before a case is opened.

    A live re-key holds the case exclusively, so finding the lock taken means there is
    nothing to finish (yet)."""
    if not _plan_path(path).exists() and not _staged_files(path):
        return
    try:
        lock = CaseLock.exclusive(path, 0)
    except CaseFileError:
        return
    try:
        _finish(path)
    finally:
        lock.release()


def _finish(path: Path) -> None:
    plan_path = _plan_path(path)
    if plan_path.exists():
        try:
            plan: Plan = json.loads(plan_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass  # not whole: it is written aside and renamed, so this is not ours
        else:
            _carry_out(path, plan)
            return
    _roll_back(path)


def _stage(
    path: Path, conn: DriverConnection, key: str | None, new: str | None
) -> tuple[Plan, Rekeyed]:
    """Step 3: every file under the new key beside itself, checked."""
    replace = [_staged_copy(path, conn, new)]
    report = Rekeyed()
    for copy in all_backups(path):
        try:
            copy_conn = raw_connect(copy, key)
            try:
                replace.append(_staged_copy(copy, copy_conn, new))
            finally:
                copy_conn.close()
            report.rekeyed.append(copy)
        except (KnownError, DBAPIError, OSError):
            (report.removed if is_plain_sqlite(copy) else report.kept).append(copy)
    base = path.parent
    plan = Plan(
        replace=[(_relative(s, base), _relative(t, base)) for s, t in replace],
        remove=[_relative(p, base) for p in report.removed],
    )
    return plan, report


def _staged_copy(target: Path, conn: DriverConnection, new: str | None) -> tuple[Path, Path]:
    staged = _staged_name(target)
    remove_with_side_files(staged)
    export_rekeyed(conn, staged, new)
    probe(staged, new)
    found = problems(staged, new)
    if found:
        raise CaseFileError(f"the re-keyed copy of {target.name} failed its check: {found[0]}")
    return staged, target


def _write_plan(path: Path, plan: Plan) -> None:
    """Step 4: from the moment this is on disk, the change is made."""
    plan_path = _plan_path(path)
    draft = plan_path.with_name(plan_path.name + ".draft")
    with draft.open("w", encoding="utf-8") as f:
        json.dump(plan, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(draft, plan_path)
    fsync_folder(path.parent)


def _carry_out(path: Path, plan: Plan) -> None:
    """Step 5, which may be repeated after a crash: each step is done once at most."""
    base = path.parent
    for staged, target in plan["replace"]:
        staged_path = base / staged
        if staged_path.exists():
            os.replace(staged_path, base / target)
            remove_with_side_files(staged_path)  # the journal of the export, if left
    for removed in plan["remove"]:
        remove_with_side_files(base / removed)
    fsync_folder(path.parent)
    fsync_folder(backup_folder(path))
    _plan_path(path).unlink(missing_ok=True)
    _roll_back(path)  # anything staged that the plan did not name


def _roll_back(path: Path) -> None:
    for staged in _staged_files(path):
        remove_with_side_files(staged)
    _plan_path(path).with_name(_plan_path(path).name + ".draft").unlink(missing_ok=True)


def _staged_files(path: Path) -> list[Path]:
    """Copies a re-key was writing: beside the case and its upgrade copies, and among its
    daily copies (including those rotated out since)."""
    found = [p for p in [_staged_name(path), *_staged_upgrade_copies(path)] if p.is_file()]
    folder = backup_folder(path)
    if folder.is_dir():
        found.extend(p for p in folder.glob(f".*{STAGED}") if p.is_file())
    return found


def _staged_upgrade_copies(path: Path) -> list[Path]:
    pattern = f".{glob.escape(path.stem)}.before-upgrade-*.casefile{STAGED}"
    return list(path.parent.glob(pattern))


def _staged_name(target: Path) -> Path:
    return target.with_name(f".{target.name}{STAGED}")


def _plan_path(path: Path) -> Path:
    return path.with_name(f".{path.name}{PLAN}")


def _relative(path: Path, base: Path) -> str:
    return str(path.relative_to(base))
