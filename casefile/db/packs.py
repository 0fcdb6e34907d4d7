"""Briefing packs in the case file: the handling block the case keeps for its packs (on
``case_info``), the versions written (``pack_version``) and the newest change a pack is
built from. The queries of ``briefing.service``, kept with the models they read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casefile.db import models as m
from casefile.domain.handling import LABELS, Handling

# The audit action that records a pack written.
EXPORT = "export"


@dataclass(frozen=True)
class Change:
    """The newest change to the case: its audit event's number and time."""

    event: int
    at: datetime


def case_row(s: Session) -> m.CaseInfo:
    """The case's one row: it holds the block, and its ID and title name the case in
    the history."""
    return s.scalars(select(m.CaseInfo)).one()


def handling(s: Session) -> Handling:
    """The handling block the case keeps (empty fields where it keeps none)."""
    row = case_row(s)
    return Handling(**{name: getattr(row, f"pack_{name}") for name in LABELS})


def keep_handling(s: Session, kept: Handling) -> None:
    """Keep ``kept`` as the block the case's next pack offers."""
    row = case_row(s)
    for name in LABELS:
        setattr(row, f"pack_{name}", getattr(kept, name))


def last_change(s: Session) -> Change | None:
    """The newest audit event that is not of a pack's own action. Every change to a case
    writes one (``services.audit``), so its number names the state of the case. A pack's
    action (its record, and the handling block it kept, which its options hold) changes
    nothing a pack is built from: two packs of an unchanged case share their state."""
    exports = select(m.AuditEvent.action_id).where(m.AuditEvent.action == EXPORT)
    row = s.execute(
        select(m.AuditEvent.id, m.AuditEvent.at)
        .where(m.AuditEvent.action_id.not_in(exports))
        .order_by(m.AuditEvent.id.desc())
        .limit(1)
    ).first()
    return None if row is None else Change(row.id, row.at)


def next_number(s: Session) -> int:
    """The number of the case's next pack: one more than the last recorded."""
    return int(s.scalar(select(func.max(m.PackVersion.number))) or 0) + 1


def add_version(
    s: Session,
    *,
    number: int,
    version: str,
    built_at: datetime,
    as_of: datetime | None,
    state_sha256: str,
    file_name: str,
) -> None:
    """Record a pack written (``models.PackVersion``); flushed, so that a failure to
    store it shows before the pack's file is put in place."""
    s.add(
        m.PackVersion(
            number=number,
            version=version,
            built_at=built_at,
            as_of=as_of,
            state_sha256=state_sha256,
            file_name=file_name,
        )
    )
    s.flush()


def latest_version(s: Session) -> m.PackVersion | None:
    """The case's newest pack recorded, if it has one."""
    return s.scalars(select(m.PackVersion).order_by(m.PackVersion.number.desc()).limit(1)).first()


def events_after(s: Session, at: datetime | None) -> list[tuple[UUID, str, str]]:
    """Every audited change after ``at`` (all of them for None) but a pack's own, in
    order: (record ID, kind, action)."""
    exports = select(m.AuditEvent.action_id).where(m.AuditEvent.action == EXPORT)
    query = select(m.AuditEvent.record_id, m.AuditEvent.kind, m.AuditEvent.action).where(
        m.AuditEvent.action_id.not_in(exports)
    )
    if at is not None:
        query = query.where(m.AuditEvent.at > at)
    return [(r, k, a) for r, k, a in s.execute(query.order_by(m.AuditEvent.id))]
