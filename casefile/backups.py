"""Automatic, verified backups, in the manner of Zotero's.

At most once a day, when a case is opened, a copy is written beside it in
``<case>.backups/``, opened and checked, and only then takes its place among the last
``KEEP`` copies. A copy that fails its check is deleted and never replaces a good one.
"""

from __future__ import annotations

import glob
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from casefile.db.engine import DBAPIError, probe
from casefile.db.sqlite_tools import online_backup, problems
from casefile.errors import CaseFileError

log = logging.getLogger("casefile")
KEEP = 3
INTERVAL = timedelta(days=1)
STAMP = "%Y%m%d-%H%M%S"


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


def verified_copy(case_path: Path, key: str | None, dest: Path) -> None:
    """Copy, then open the copy as a case and run the integrity checks on it."""
    staging = dest.with_name(dest.name + ".checking")
    online_backup(case_path, key, staging)
    try:
        probe(staging, key)
        found = problems(staging, key, quick=True)
        if found:
            raise CaseFileError(f"the backup copy failed its check: {found[0]}")
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    staging.replace(dest)


def daily_backup(case_path: Path, key: str | None, now: datetime | None = None) -> Path | None:
    """Write today's backup if the newest is a day old or missing; return its path. The
    case is untouched whatever happens to the copy."""
    now = now or datetime.now(UTC)
    current = existing_backups(case_path)
    if current:
        stamp = current[0].stem.removeprefix(case_path.stem + "-")
        newest = datetime.strptime(stamp, STAMP).replace(tzinfo=UTC)
        if now - newest < INTERVAL:
            return None
    folder = backup_folder(case_path)
    folder.mkdir(exist_ok=True)
    dest = folder / f"{case_path.stem}-{now.strftime(STAMP)}.casefile"
    try:
        verified_copy(case_path, key, dest)
    except (OSError, DBAPIError) as exc:  # a full disk, a folder gone: said in one line
        raise CaseFileError(
            f"today's backup copy of {case_path.name} could not be written ({exc}); "
            "it is tried again at the next open"
        ) from exc
    for old in existing_backups(case_path)[KEEP:]:
        old.unlink()
    return dest


def try_daily_backup(case_path: Path, key: str | None) -> Path | None:
    """The daily backup, when a failure must not keep the user from their case (a full
    disk, a damaged copy): it is logged, and tried again at the next open."""
    try:
        return daily_backup(case_path, key)
    except (CaseFileError, OSError, DBAPIError) as exc:
        log.warning("daily backup of %s failed: %s", case_path, exc)
        return None


def backup_before_upgrade(case_path: Path, key: str | None, revision: str) -> Path:
    stamp = datetime.now(UTC).strftime(STAMP)
    dest = case_path.with_name(f"{case_path.stem}.before-upgrade-{revision}-{stamp}.casefile")
    verified_copy(case_path, key, dest)
    return dest
