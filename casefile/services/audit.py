"""The audit trail: who-did-what is one user, so it is when, which record, which fields.

Every service that changes a record writes through ``AuditLog`` in the same session, so
an action and its audit entries commit or vanish together.

A record's creation (``create``, or ``restore`` when an undone delete brings it back) does
not repeat the values it was created with: they are the record's, and every later change
of a field, tag or note is an event of its own that keeps the value it replaced, so they
are read back (``created_with``). Its values now, taken back through the updates since; or,
once it is deleted, the values its ``delete`` event kept, taken back the same way. What
the history shows of a creation is the same as when it was written whole (as creations of
what is not a record, the case's own title or a saved search, still are).
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.db.engine import Sessions
from casefile.db.ids import unique_id
from casefile.db.models import AuditEvent
from casefile.domain.records import FIELDS_OF_KIND, Record, field_names
from casefile.domain.serialize import fields_json
from casefile.domain.terms import Kind
from casefile.services.record_reading import read_records


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

    def created_row(self, action: str, record_id: UUID, kind: Kind, label: str) -> tuple[Any, ...]:
        """A record's creation (or restore) as a plain row (``ROW_COLUMNS``), for the
        insert path: without its values, which are read back from the record."""
        return (self.action_id, self.at, action, record_id, kind.value, label, None)


EMPTY: tuple[Any, ...] = (None, "", [])


def created(new: dict[str, Any]) -> dict[str, list[Any]]:
    """A create's changes: every field that has a value, as ``[None, value]``."""
    return {n: [None, v] for n, v in new.items() if v not in EMPTY}


def values_of(record: Record[Any]) -> dict[str, Any]:
    """A record's values as the audit trail keeps them: each field, then its tags and
    notes, as JSON (a date as its EDTF text), those without a value left out."""
    values = fields_json(record.fields, dates_as_objects=False)
    values.update(tags=list(record.tags), notes=record.notes)
    return {n: v for n, v in values.items() if v not in EMPTY}


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
            events = list(s.scalars(query))[::-1]
            made = created_with(s, events)
        return [
            HistoryEntry(
                e.at,
                e.action,
                e.record_id,
                e.kind,
                e.label,
                made.get(e.id, e.changes or {}),
                e.action_id,
            )
            for e in events
        ]


# Records whose values now are read at once: well under any limit on parameters.
CHUNK = 500
KINDS = {kind.value: kind for kind in Kind}


def created_with(s: Session, events: Sequence[AuditEvent]) -> dict[int, dict[str, list[Any]]]:
    """What each creation among ``events`` that does not keep its values (``changes``
    NULL) created its record with, by event ID, as a creation written whole says it.

    ``events`` are oldest first and hold every event of the record after the creation
    (what ``History`` reads does: all of a record's, or the newest so many of all). The
    record's values after its last event are the values it has now, or, after a delete,
    none; walking back, each update gives back the values it replaced and a delete the
    values it kept, down to the creation. A record gone with no delete recorded (a rescue
    copy that lost it) leaves its creation without values."""
    kinds = {e.record_id: KINDS[e.kind] for e in events if e.changes is None}
    if not kinds:
        return {}
    now = values_now(s, kinds)
    by_record: dict[UUID, list[AuditEvent]] = {}
    for e in events:
        if e.record_id in kinds:
            by_record.setdefault(e.record_id, []).append(e)
    made: dict[int, dict[str, list[Any]]] = {}
    for record_id, record_events in by_record.items():
        names = _names(kinds[record_id])
        values = now.get(record_id)
        for e in reversed(record_events):
            if e.changes is None:
                held = values or {}
                made[e.id] = created({n: held[n] for n in names if n in held})
            values = values_before(e.action, e.changes, values, names)
    return made


def values_before(
    action: str,
    changes: Mapping[str, list[Any]] | None,
    after: Mapping[str, Any] | None,
    names: Container[str],
) -> dict[str, Any] | None:
    """A record's values before an event of it (its ``action`` and ``changes``), from
    those after it; None: it did not exist then, or they are not known. Only ``names``
    are the record's values: an update may say more (a document's text read again in
    another encoding). Migration 0013 reads old cases' creations back with it too."""
    if changes is None or action not in ("update", "delete"):  # a creation
        return None
    if action == "delete":  # it kept every value the record had
        return {n: old for n, (old, _new) in changes.items() if n in names}
    if after is None:
        return None
    before = dict(after)
    for n, (old, _new) in changes.items():
        if n not in names:
            continue
        if old in EMPTY:
            before.pop(n, None)
        else:
            before[n] = old
    return before


def _names(kind: Kind) -> tuple[str, ...]:
    """The order a kind's values are kept in: its fields, then tags and notes."""
    return (*field_names(FIELDS_OF_KIND[kind]), "tags", "notes")


def values_now(s: Session, kinds: Mapping[UUID, Kind]) -> dict[UUID, dict[str, Any]]:
    """The values (``values_of``) of the records that still exist among ``kinds``."""
    by_kind: dict[Kind, list[UUID]] = {}
    for record_id, kind in kinds.items():
        by_kind.setdefault(kind, []).append(record_id)
    now: dict[UUID, dict[str, Any]] = {}
    for kind, ids in by_kind.items():
        for start in range(0, len(ids), CHUNK):
            for record in read_records(s, kind, ids[start : start + CHUNK]):
                now[record.id] = values_of(record)
    return now
