"""A rescue copy of a damaged case: what can still be read, written beside it.

The case itself is only read, never changed: the user compares the copy with the last
backup and keeps what serves them. (``casefile check --repair``.)"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from sqlalchemy import select

from casefile.db import models as m
from casefile.db.case_lock import CaseLock
from casefile.db.engine import is_plain_sqlite, probe_file
from casefile.db.salvage import Salvaged, salvage
from casefile.db.sqlite_tools import remove_with_side_files
from casefile.domain.errors import NeedsPassphrase
from casefile.services.audit import AuditLog, created
from casefile.services.backups import STAMP, ensure_room
from casefile.services.case import REKEY_WAIT_S, Case, open_case

# What a table's lost rows were, in the user's words; tables made again from the others
# (the search index, counts, the schema's version) lose nothing the user wrote.
LOST_AS = {
    "case_info": "the case's title and notes",
    "record": "records",
    "attack": "attacks",
    "person": "people",
    "group": "groups",
    "source": "sources",
    "quote": "quotes",
    "link": "links",
    "link_citation": "links' citations",
    "document": "stored documents",
    "document_page": "stored documents",
    "blob": "stored documents",
    "tag": "tags",
    "record_tag": "tags",
    "vocabulary_term": "the case's vocabulary",
    "saved_search": "saved searches",
    "audit_event": "history",
    "pack_version": "the record of the briefing packs written",
}


@dataclass(frozen=True)
class Rescued:
    path: Path
    salvaged: Salvaged
    problems: list[str]  # what ``check`` still finds in the copy (none, as a rule)

    @property
    def lost(self) -> list[str]:
        """What could not all be read, in the user's words, each once."""
        words = (LOST_AS.get(table) for table in self.salvaged.damaged)
        return list(dict.fromkeys(w for w in words if w))


def rescue_case(path: Path | str, passphrase: str | None = None) -> Rescued:
    """Write ``CASE.rescued-STAMP.casefile`` beside the case: every row that can be read,
    the search index rebuilt, checked. Refused while the case is being re-encrypted."""
    path = Path(path)
    probe_file(path)
    key = None if is_plain_sqlite(path) else passphrase
    if key is None and not is_plain_sqlite(path):
        raise NeedsPassphrase(f"{path} is encrypted: a passphrase is needed to rescue it")
    stamp = datetime.now(UTC).strftime(STAMP)
    dest = path.with_name(f"{path.stem}.rescued-{stamp}.casefile")
    staging = dest.with_name(f".{dest.name}.rescuing")
    ensure_room(path.parent, path, what="a rescue copy")
    lock = CaseLock.shared(path, REKEY_WAIT_S)
    try:
        remove_with_side_files(staging)
        try:
            salvaged = salvage(path, key, staging)
            with open_case(staging, key, backups=False) as case:
                _describe_if_lost(case, path)
                case.search_index.rebuild()
                problems = case.check()
            os.replace(staging, dest)
        finally:
            remove_with_side_files(staging)
    finally:
        lock.release()
    return Rescued(dest, salvaged, problems)


def _describe_if_lost(case: Case, damaged: Path) -> None:
    """The case's own row (its title) lost with its page: a new one, named after the
    file, so that the copy opens; said in its history."""
    with case.sessions.write() as s:
        if s.scalars(select(m.CaseInfo)).first() is None:
            info = m.CaseInfo(id=uuid4(), title=damaged.stem, created_at=datetime.now(UTC))
            s.add(info)
            AuditLog(s).record(
                "create", info.id, "case", info.title, created({"title": info.title})
            )
