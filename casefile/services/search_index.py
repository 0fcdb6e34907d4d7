"""Keeping the search index true: rebuilding it, and finding where it and the data
disagree (``casefile check``, ``casefile reindex``).

The index itself is kept in step by every write (see ``casefile.db.search_tables``);
this is for a case whose index was damaged or built by an older Casefile."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from casefile.db import models as m
from casefile.db.engine import Sessions
from casefile.db.search_sql import index_problems, rebuild_index
from casefile.services.audit import AuditLog


class SearchIndex:
    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    def rebuild(self) -> int:
        """Rebuild the index (``rebuild_index``) in one transaction, which the case's
        history records; the number of rows indexed."""
        with self.sessions.write() as s:
            rows = rebuild_index(s)
            case = s.scalars(select(m.CaseInfo)).one()
            changes = {"search index": [None, f"rebuilt: {rows:,} rows"]}
            AuditLog(s).record("reindex", case.id, "case", case.title, changes)
            return rows

    def problems(self) -> list[str]:
        """Where the index and the data disagree (``casefile check``)."""
        try:
            with self.sessions.read() as s:
                found = index_problems(s)
        except DBAPIError as exc:  # a damaged file: the integrity check says where
            found = [f"search index: could not be checked ({exc.orig or exc})"]
        if found:
            found.append("run `casefile reindex` to rebuild the search index")
        return found
