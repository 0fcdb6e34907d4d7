"""The audit trail: who-did-what is one user, so it is when, which record, which fields.

Every service that changes a record writes through ``AuditLog`` in the same session, so
an action and its audit entries commit or vanish together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.db.engine import Sessions
from casefile.db.ids import unique_id
from casefile.db.models import AuditEvent


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    action: str
    record_id: UUID
    kind: str
    label: str
    changes: dict[str, list[Any]]
    action_id: UUID


class AuditLog:
    """Collects the audit events of one user action (one ``action_id``)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.action_id = uuid4()
        self.at = datetime.now(UTC)

    def record(
        self, action: str, record_id: UUID, kind: str, label: str, changes: dict[str, list[Any]]
    ) -> None:
        self.session.add(
            AuditEvent(
                action_id=self.action_id,
                at=self.at,
                action=action,
                record_id=record_id,
                kind=kind,
                label=label,
                changes=changes,
            )
        )

    ROW_COLUMNS = ("action_id", "at", "action", "record_id", "kind", "label", "changes")

    def row(
        self, action: str, record_id: UUID, kind: str, label: str, changes: dict[str, list[Any]]
    ) -> tuple[Any, ...]:
        """The same event as a plain row (``ROW_COLUMNS``), for the bulk path."""
        return (self.action_id, self.at, action, record_id, kind, label, changes)


EMPTY: tuple[Any, ...] = (None, "", [])


def created(new: dict[str, Any]) -> dict[str, list[Any]]:
    """A create's changes: every field that has a value, as ``[None, value]``."""
    return {n: [None, v] for n, v in new.items() if v not in EMPTY}


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """Each changed field as ``[old, new]``; a create has ``old`` empty, a delete ``new``."""
    if not old:
        return created(new)
    names = list(dict.fromkeys([*old, *new]))
    return {
        n: [old.get(n), new.get(n)]
        for n in names
        if old.get(n) != new.get(n) and not (old.get(n) in EMPTY and new.get(n) in EMPTY)
    }


class History:
    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    def resolve(self, text: str) -> UUID:
        """A record ID (or unique prefix) as the audit trail knows it: deleted records too."""
        with self.sessions.read() as s:
            return unique_id(s, AuditEvent.record_id, text, " in the history")

    def entries(
        self, record_id: UUID | None = None, limit: int | None = None
    ) -> list[HistoryEntry]:
        """Oldest first; with ``limit``, the newest ``limit`` entries."""
        query = select(AuditEvent).order_by(AuditEvent.id.desc())
        if record_id is not None:
            query = query.where(AuditEvent.record_id == record_id)
        if limit is not None:
            query = query.limit(limit)
        with self.sessions.read() as s:
            events = list(s.scalars(query))
        return [
            HistoryEntry(e.at, e.action, e.record_id, e.kind, e.label, e.changes, e.action_id)
            for e in reversed(events)
        ]
