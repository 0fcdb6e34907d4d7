"""Searches kept under a name, for the search menu and `casefile search --saved`.

Each save and removal is one action in the case's history, like a record's."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

from sqlalchemy import select

from casefile.db import models as m
from casefile.db.engine import Sessions
from casefile.domain.errors import InvalidInput, NotFound
from casefile.services.audit import AuditLog, created, diff

SAVED = "saved_search"  # the audit trail's kind for saved searches


@dataclass(frozen=True)
class Saved:
    name: str
    query: str


class SavedSearches:
    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    def save(self, name: str, query: str) -> Saved:
        """Keep a search under a name (a name already used gets the new query)."""
        name, query = " ".join(name.split()), query.strip()
        if not name or not query:
            raise InvalidInput("a saved search needs a name and something to search for")
        with self.sessions.write() as s:
            audit = AuditLog(s)
            row = s.scalars(select(m.SavedSearch).where(m.SavedSearch.name == name)).first()
            if row is None:
                row = m.SavedSearch(id=uuid4(), name=name, query=query, created_at=audit.at)
                s.add(row)
                audit.record("create", row.id, SAVED, name, created({"query": query}))
            elif row.query != query:
                audit.record(
                    "update", row.id, SAVED, name, diff({"query": row.query}, {"query": query})
                )
                row.query = query
            return Saved(row.name, row.query)

    def all(self) -> list[Saved]:
        with self.sessions.read() as s:
            rows = s.scalars(select(m.SavedSearch).order_by(m.SavedSearch.name))
            return [Saved(r.name, r.query) for r in rows]

    def forget(self, name: str) -> None:
        with self.sessions.write() as s:
            row = s.scalars(select(m.SavedSearch).where(m.SavedSearch.name == name.strip())).first()
            if row is None:
                raise NotFound(f"no saved search named {name!r}")
            AuditLog(s).record("delete", row.id, SAVED, row.name, diff({"query": row.query}, {}))
            s.delete(row)
