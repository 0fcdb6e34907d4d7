"""Automatic, verified backups, in the manner of Zotero's.

At most once a day, when a case is opened, a copy is written beside it in
``<case>.backups/``, opened and checked, and only then takes its place among the last
``KEEP`` copies. A copy that fails its check is deleted and never replaces a good one.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from casefile.db.case_lock import in_use
from casefile.db.engine import DBAPIError, probe
from casefile.db.sqlite_tools import (
    PARTIAL,
    online_backup,
    problems,
    remove_with_side_files,
    side_files,
)
from casefile.domain.display import file_size
from casefile.domain.errors import CaseFileError

log = logging.getLogger("casefile")
KEEP = 3
INTERVAL = timedelta(days=1)
STAMP = "%Y%m%d-%H%M%S"
# A copy may need a little more room than the case (a log not yet merged, a freer page
# layout); past the margin, a failing copy would only fill the disk the case is on.
ROOM_FACTOR = 1.1
ROOM_SPARE = 16 * 1024 * 1024
# Beside the daily copies: written when today's copy failed, so that it is tried (and
# reported) once a day, not at every open.
FAILED = ".last-failure"
CHECKING = ".checking"
PENDING = ".pending-"  # a note: the partial file of a copy being written elsewhere


def backup_folder(case_path: Path) -> Path:
    return case_path.with_name(case_path.name + ".backups")


def existing_backups(case_path: Path) -> list[Path]:
    """Newest first (the time stamp in the name sorts as text)."""
    folder = backup_folder(case_path)
    if not folder.is_dir():
        return []
    ours = re.compile(re.escape(case_path.stem) + r"-\d{8}-\d{6}\.casefile")
    found = folder.glob(f"{glob.escape(case_path.stem)}-*.casefile")
    return sorted((p for p in found if ours.fullmatch(p.name)), reverse=True)


def all_backups(case_path: Path) -> list[Path]:
    """The daily copies and the copies written before upgrades."""
    before = case_path.parent.glob(f"{glob.escape(case_path.stem)}.before-upgrade-*.casefile")
    return [*existing_backups(case_path), *sorted(before)]


def leftovers(case_path: Path) -> list[Path]:
    """What killed backups left: copies cut short or unchecked, their journals, and the
    partial copies that notes name; not what a live backup holds (``in_use``)."""
    found = [*case_path.parent.glob(f"{glob.escape(case_path.stem)}.before-upgrade-*{CHECKING}*")]
    folder = backup_folder(case_path)
    if folder.is_dir():
        found.extend(p for p in folder.iterdir() if _staged(p.name))
        for note in folder.glob(f"{PENDING}*"):
            partial = Path(os.fsdecode(note.read_bytes()))
            found.extend([*side_files(partial), partial, note])
    return sorted(p for p in found if p.exists() and not in_use(_written(p)))


def _staged(name: str) -> bool:
    return any(mark in name for mark in (PARTIAL, CHECKING)) or name.endswith("-journal")


def _written(path: Path) -> Path:
    """The copy a file belongs to: its journal, or a note, is the copy's while it is."""
    if path.name.startswith(PENDING):
        return Path(os.fsdecode(path.read_bytes()))
    for suffix in ("-journal", "-wal", "-shm"):
        if path.name.endswith(suffix):
            return path.with_name(path.name.removesuffix(suffix))
    return path


def remove_leftovers(case_path: Path) -> None:
    """At every open (and before a re-key): a killed backup's files would otherwise stay,
    in plaintext beside a case encrypted since."""
    for path in leftovers(case_path):
        path.unlink(missing_ok=True)


def backup_to(case_path: Path, key: str | None, dest: Path) -> None:
    """The copy the user asked for (``casefile backup``), at ``dest``. While it is written
    a note in the backups folder names its partial file, so that if it is killed the next
    open finds and removes what it left, wherever that is."""
    ensure_room(dest.parent, case_path)
    folder = backup_folder(case_path)
    folder.mkdir(exist_ok=True)
    note = folder / f"{PENDING}{uuid4().hex[:12]}"
    note.write_bytes(os.fsencode(dest.with_name(dest.name + PARTIAL)))
    try:
        online_backup(case_path, key, dest).release()
    finally:
        note.unlink(missing_ok=True)


def ensure_room(folder: Path, *copied: Path, what: str = "a backup copy") -> None:
    """Refuse, before writing anything, copies of ``copied`` the disk has no room for."""
    files = [f for path in copied for f in [path, *side_files(path)] if f.exists()]
    needed = sum(f.stat().st_size for f in files) * ROOM_FACTOR + ROOM_SPARE
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise CaseFileError(
            f"not enough free space for {what} in {folder}: it needs about "
            f"{file_size(int(needed))}, and {file_size(free)} is free"
        )


def verified_copy(case_path: Path, key: str | None, dest: Path) -> None:
    """Copy, then open the copy as a case and run the integrity checks on it."""
    ensure_room(dest.parent, case_path)
    staging = dest.with_name(dest.name + CHECKING)
    lock = online_backup(case_path, key, staging)
    try:
        probe(staging, key)
        found = problems(staging, key, quick=True)
        if found:
            raise CaseFileError(f"the backup copy failed its check: {found[0]}")
        staging.replace(dest)
    except BaseException:
        remove_with_side_files(staging)
        raise
    finally:
        lock.release()


def daily_backup(case_path: Path, key: str | None, now: datetime | None = None) -> Path | None:
    """Write today's backup if the newest is a day old or missing; return its path. The
    case is untouched whatever happens to the copy."""
    now = now or datetime.now(UTC)
    if _tried_within_a_day(case_path, now):
        return None
    folder = backup_folder(case_path)
    dest = folder / f"{case_path.stem}-{now.strftime(STAMP)}.casefile"
    try:
        folder.mkdir(exist_ok=True)
        verified_copy(case_path, key, dest)
    except (OSError, DBAPIError, CaseFileError) as exc:  # a full disk: said once, in one line
        _note_failure(folder, now)
        raise CaseFileError(
            f"today's backup copy of {case_path.name} could not be written ({_reason(exc)}); "
            "it is tried again tomorrow (`casefile backup` makes one now)"
        ) from exc
    (folder / FAILED).unlink(missing_ok=True)
    for old in existing_backups(case_path)[KEEP:]:
        old.unlink()
    return dest


def _reason(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)


def _tried_within_a_day(case_path: Path, now: datetime) -> bool:
    current = existing_backups(case_path)
    if current:
        stamp = current[0].stem.removeprefix(case_path.stem + "-")
        if now - datetime.strptime(stamp, STAMP).replace(tzinfo=UTC) < INTERVAL:
            return True
    failed = backup_folder(case_path) / FAILED
    try:
        text = failed.read_text(encoding="ascii").strip()
        return now - datetime.strptime(text, STAMP).replace(tzinfo=UTC) < INTERVAL
    except (OSError, ValueError):
        return False


def _note_failure(folder: Path, now: datetime) -> None:
    with contextlib.suppress(OSError):  # a disk too full even for this: tried at next open
        (folder / FAILED).write_text(now.strftime(STAMP), encoding="ascii")


def try_daily_backup(case_path: Path, key: str | None) -> Path | None:
    """The daily backup, when a failure must not keep the user from their case (a full
    disk, a damaged copy): it is logged, and tried again at the next open."""
    try:
        return daily_backup(case_path, key)
    except (CaseFileError, OSError, DBAPIError) as exc:
        log.warning("a daily backup failed: %s", type(exc).__name__)  # no paths, no content
        return None


def backup_before_upgrade(case_path: Path, key: str | None, revision: str) -> Path:
    stamp = datetime.now(UTC).strftime(STAMP)
    dest = case_path.with_name(f"{case_path.stem}.before-upgrade-{revision}-{stamp}.casefile")
    verified_copy(case_path, key, dest)
    return dest
