"""Keeping a record's fields in step with its reported values, inside the action that
changed the reports: the field holds the value that stands (``domain.facts.standing``),
and ``record.disputed`` names the facts whose reports disagree."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.db import models as m
from casefile.domain.facts import FACTS, Standing, decode, disagree, standing
from casefile.services.record_reading import table_of

Pair = tuple[UUID, str]  # a record and one of its facts
Write = Callable[[m.Record, Mapping[str, Any]], None]


def standings(s: Session, record_id: UUID) -> dict[str, list[tuple[Standing, str]]]:
    """Every report of the record, by fact, with its value, as the rule weighs it."""
    # The kind tables alone: joining the mapped classes would join ``record`` thrice.
    source, quote = table_of(m.Source), table_of(m.Quote)
    query = (
        select(m.Report, source.c.reliability, quote.c.credibility)
        .outerjoin(source, source.c.id == m.Report.source)
        .outerjoin(quote, quote.c.id == m.Report.quote)
        .where(m.Report.record == record_id)
    )
    found: dict[str, list[tuple[Standing, str]]] = {}
    for report, reliability, credibility in s.execute(query):
        weighed = Standing(
            report=report.id,
            assessed=report.assessed,
            sourced=report.source is not None,
            reliability=reliability,
            credibility=credibility,
            reported=report.reported,
            created_at=report.created_at,
        )
        found.setdefault(report.fact, []).append((weighed, report.value))
    return found


def sync_facts(s: Session, pairs: Iterable[Pair], write: Write) -> None:
    """Bring each record named in ``pairs`` in step with its reports: the standing value
    of each fact named (through ``write``, so it is audited) and its disputed facts. A
    fact left with no reports keeps its last value."""
    by_record: dict[UUID, set[str]] = {}
    for record_id, fact in pairs:
        by_record.setdefault(record_id, set()).add(fact)
    for record_id, facts in by_record.items():
        model = s.get(m.Record, record_id)
        if model is None or model.kind not in FACTS:  # deleted in the same action
            continue
        reports = standings(s, record_id)
        changes: dict[str, Any] = {}
        for fact in facts & set(reports):
            weighed = reports[fact]
            chosen = standing([w for w, _ in weighed])
            assert chosen is not None
            value = next(v for w, v in weighed if w.report == chosen[0])
            wanted = decode(model.kind, fact, value)
            if getattr(model, fact) != wanted:
                changes[fact] = wanted
        if changes:
            write(model, changes)
        disputed = tuple(
            fact
            for fact in FACTS[model.kind]
            if fact in reports and disagree([decode(model.kind, fact, v) for _, v in reports[fact]])
        )
        if tuple(model.disputed) != disputed:
            model.disputed = disputed
            s.flush()  # the caller may expire the record to read it again
