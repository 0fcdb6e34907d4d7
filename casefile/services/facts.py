"""Reporting values of a record's facts, assessing them, and reading a record's facts with
every report behind them: what the CLI's ``report``, ``assess`` and ``facts`` commands
and the window's facts panel call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from casefile.db import models as m
from casefile.db.engine import Sessions
from casefile.domain.changes import Changes, changes_of
from casefile.domain.corroboration import Corroboration
from casefile.domain.display import grade_code, how_many
from casefile.domain.errors import InvalidInput
from casefile.domain.facts import (
    FACTS,
    RULE,
    check_fact,
    decode,
    disagree,
    encode,
    is_unknown,
    standing,
)
from casefile.domain.records import Record, ReportFields
from casefile.domain.terms import Credibility, Kind, Reliability
from casefile.services.audit import AuditLog
from casefile.services.corroboration import Origins, corroboration
from casefile.services.fact_sync import standings
from casefile.services.record_reading import to_records
from casefile.services.record_service import NewRecord, RecordService
from casefile.services.support import fact_supports


@dataclass(frozen=True)
class Reported:
    """What reporting a value did: the report, the report that keeps the value the
    record held before its fact was first reported (when there was one), the record
    before and after, and the report that was the assessed value until this one came
    assessed (as it was)."""

    report: Record[ReportFields]
    kept: Record[ReportFields] | None
    before: Record[Any]
    after: Record[Any]
    unassessed: tuple[Record[ReportFields], ...] = ()

    @property
    def changes(self) -> Changes:
        made = [self.report, *([self.kept] if self.kept else []), *self.unassessed]
        return changes_of([*made, self.before, self.after])


@dataclass(frozen=True)
class Assessed:
    """What assessing changed: the reports as they were (the one assessed first), to be
    put back by an undo, and everything it touched."""

    before: tuple[Record[ReportFields], ...]
    changes: Changes


@dataclass(frozen=True)
class ReportView:
    """One report as a reader sees it: the value, who said it, how good they are."""

    record: Record[ReportFields]
    value: Any
    source: str  # the source's title; "" when unsourced
    reliability: Reliability | None
    credibility: Credibility | None  # the quote's

    @property
    def grade(self) -> str:
        """'B2', 'B', '2' or ''."""
        return grade_code(self.reliability, self.credibility)


@dataclass(frozen=True)
class Fact:
    """A fact of a record: the value that stands, how it was chosen, and every report."""

    name: str
    value: Any
    assessed: bool  # chosen by the analyst (False: by ``RULE``, or no reports at all)
    reason: str
    reports: tuple[ReportView, ...]
    disputed: bool
    corroboration: Corroboration  # by the sources that agree with the value that stands

    @property
    def how_chosen(self) -> str:
        if not self.reports:
            return "entered directly, unsourced"
        return "assessed" if self.assessed else RULE

    @property
    def disagreeing(self) -> int:
        """Reports whose value disagrees with the value that stands."""
        return sum(disagree([v.value, self.value]) for v in self.reports)

    def summary(self, shown: str) -> str:
        """'3 (assessed) · 3 reported values · 2 disagree · corroborated by 2 independent
        sources, best B2', ``shown`` being the value as it reads."""
        if not self.reports:
            return f"{shown} (unsourced)"
        chosen = "assessed" if self.assessed else "picked by rule"
        return f"{shown} ({chosen}) · {self.standing()}"

    def standing(self) -> str:
        """What stands behind the value: '3 reported values · 2 disagree · corroborated
        by 2 independent sources, best B2'."""
        parts = [how_many(len(self.reports), "reported value")]
        if self.disagreeing:
            parts.append(f"{self.disagreeing:,} disagree")
        parts.append(self.corroboration.said())
        return " · ".join(parts)


class FactService:
    def __init__(self, sessions: Sessions, records: RecordService) -> None:
        self.sessions = sessions
        self.records = records

    def report(
        self,
        fields: ReportFields,
        *,
        tags: tuple[str, ...] = (),
        notes: str = "",
        report_id: UUID | None = None,
        kept_id: UUID | None = None,
    ) -> Reported:
        """Record what a source says a fact is (assessed at once when ``fields`` says so,
        in the same action). The first report of a fact that already had a value keeps
        that value as a report of its own, unsourced, so nothing is lost. The IDs let an
        undone report come back as it was."""
        if fields.source is None:
            raise InvalidInput("a reported value needs its source (--source)")
        with self.sessions.write() as s:
            audit = AuditLog(s)
            model = self.records.load(s, fields.record)
            before = to_records(s, [model])[0]
            check_fact(model.kind, fields.fact)
            held = getattr(model, fields.fact)
            first = s.scalar(
                select(m.Report.id).where(
                    m.Report.record == fields.record, m.Report.fact == fields.fact
                )
            )
            unassessed: list[Record[ReportFields]] = []
            if fields.assessed:
                unassessed = self._unassess(s, audit, fields.record, fields.fact, keep=None)
            new = [NewRecord(fields, tags=tags, notes=notes, record_id=report_id)]
            if first is None and not is_unknown(held):
                kept = ReportFields(
                    record=fields.record,
                    fact=fields.fact,
                    value=encode(held),
                    reason="The value the case held before its first report.",
                )
                new.insert(0, NewRecord(kept, record_id=kept_id or uuid4()))
            made = self.records.insert(s, audit, new)
            s.expire(model)
            after = to_records(s, [model])[0]
        kept_report = made[0] if len(made) > 1 else None
        return Reported(made[-1], kept_report, before, after, tuple(unassessed))

    def withdraw(self, reported: Reported) -> Changes:
        """Undo ``report``, in one action: its report and the one that kept the old value
        go, and the record holds what it held before (a fact left with no reports keeps
        its last value otherwise)."""
        fact = reported.report.fields.fact
        with self.sessions.write() as s:
            audit = AuditLog(s)
            for record in (reported.report, reported.kept):
                if record is not None:
                    self.records.delete_in(s, audit, record.id)
            for was in reported.unassessed:  # the assessment it replaced stands again
                values = {"assessed": True, "reason": was.fields.reason}
                self.records.change(s, audit, self.records.load(s, was.id), values)
            left = s.scalar(
                select(m.Report.id).where(
                    m.Report.record == reported.before.id, m.Report.fact == fact
                )
            )
            model = self.records.load(s, reported.before.id)
            held = getattr(reported.before.fields, fact)
            if left is None and getattr(model, fact) != held:
                self.records.change(s, audit, model, {fact: held})
        return reported.changes

    def assess(self, report_id: UUID, reason: str) -> Assessed:
        """Take a report as the fact's assessed value, for a reason; any other report of
        the fact assessed before is no longer. One action."""
        if not reason.strip():
            raise InvalidInput("say why this value is the one to go by (--reason)")
        with self.sessions.write() as s:
            audit = AuditLog(s)
            chosen = self.records.load(s, report_id)
            if not isinstance(chosen, m.Report):
                raise InvalidInput("only a reported value can be assessed")
            subject = self.records.load(s, chosen.record)
            before = to_records(s, [subject])[0]
            others = s.scalars(
                select(m.Report).where(
                    m.Report.record == chosen.record,
                    m.Report.fact == chosen.fact,
                    m.Report.assessed,
                    m.Report.id != chosen.id,
                )
            )
            touched = [to_records(s, [chosen])[0], *to_records(s, list(others))]
            self._unassess(s, audit, chosen.record, chosen.fact, keep=chosen.id)
            self.records.change(s, audit, chosen, {"assessed": True, "reason": reason})
            s.expire(subject)
            after = to_records(s, [subject])[0]
            return Assessed(tuple(touched), changes_of([*touched, before, after]))

    def _unassess(
        self, s: Session, audit: AuditLog, record_id: UUID, fact: str, keep: UUID | None
    ) -> list[Record[ReportFields]]:
        """One assessed report per fact: any other is no longer. Those, as they were."""
        others = s.scalars(
            select(m.Report).where(
                m.Report.record == record_id,
                m.Report.fact == fact,
                m.Report.assessed,
                m.Report.id != keep if keep else true(),
            )
        )
        found = list(others)
        was = to_records(s, found)
        for other in found:
            self.records.change(s, audit, other, {"assessed": False, "reason": ""})
        return was

    def reported(self, record_id: UUID) -> set[str]:
        """The record's facts that have reported values (their fields follow the reports)."""
        query = select(m.Report.fact).where(m.Report.record == record_id).distinct()
        with self.sessions.read() as s:
            return set(s.scalars(query))

    def facts_of(self, record_id: UUID) -> list[Fact]:
        """Every reportable fact of the record, in profile order, with its reports."""
        with self.sessions.read() as s:
            model = self.records.load(s, record_id)
            if model.kind not in FACTS:
                return []
            return read_facts(s, model)


def read_facts(s: Session, model: m.Record) -> list[Fact]:
    """Every reportable fact of ``model`` with its reports, read in the session ``s``
    (the briefing pack reads them in its own)."""
    kind: Kind = model.kind
    weighed = standings(s, model.id)
    reports = list(s.scalars(select(m.Report).where(m.Report.record == model.id)))
    records = {r.id: r for r in to_records(s, reports)}
    sources = {
        row.id: row
        for row in s.execute(
            select(m.Source.id, m.Source.title, m.Source.reliability).where(
                m.Source.id.in_({r.source for r in reports if r.source})
            )
        )
    }
    credibility = dict(
        s.execute(
            select(m.Quote.id, m.Quote.credibility).where(
                m.Quote.id.in_({r.quote for r in reports if r.quote})
            )
        ).all()
    )
    supports = {fact: fact_supports(kind, fact, found) for fact, found in weighed.items()}
    origins = Origins.load(s, {source for found in supports.values() for source, _ in found})
    facts = []
    for name in FACTS[kind]:
        views = []
        for report in sorted(
            (r for r in reports if r.fact == name), key=lambda r: (r.reported is None, r.created_at)
        ):
            source = sources.get(report.source) if report.source else None
            views.append(
                ReportView(
                    record=records[report.id],
                    value=decode(kind, name, report.value),
                    source=source.title if source else "",
                    reliability=source.reliability if source else None,
                    credibility=credibility.get(report.quote) if report.quote else None,
                )
            )
        chosen = standing([w for w, _ in weighed.get(name, [])])
        assessed = chosen is not None and chosen[1]
        reason = ""
        if chosen is not None:
            reason = records[chosen[0]].fields.reason if assessed else ""
        facts.append(
            Fact(
                name=name,
                value=getattr(model, name),
                assessed=assessed,
                reason=reason,
                reports=tuple(views),
                disputed=disagree([v.value for v in views]),
                corroboration=corroboration(origins, supports.get(name, [])),
            )
        )
    return facts
