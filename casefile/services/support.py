"""Keeping each record's support in step with what supports it, inside the action that
changed it, so that a table shows it without counting anything as it paints.

An attack's or a person's support is that of its least supported reported fact; a fact's
is the corroboration of the reports that agree with the value that stands; a link's is
that of its citations. A record with nothing reported or cited has none (NULL).

What changes a support: a report (its fact's record), a link's citations, and anything
that changes the origins or grades of the sources cited: a source's publisher, its
derived-from or its grade, a quote's grade or source, a near-duplicate match. For those,
``citing`` finds the records to count again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from casefile.db import models as m
from casefile.domain.corroboration import Corroboration, weakest
from casefile.domain.facts import FACTS, Standing, decode, disagree, is_unknown, standing
from casefile.domain.terms import Kind
from casefile.services.corroboration import (
    CHUNK,
    Origins,
    Support,
    cited_supports,
    corroboration,
    matched_pairs,
)
from casefile.services.fact_sync import Pair, Standings, standings_of
from casefile.services.record_reading import table_of

Weighed = list[tuple[Standing, str]]  # a fact's reports, as the rule weighs them


def fact_supports(kind: Kind, fact: str, weighed: Weighed) -> list[Support]:
    """The reports that agree with the value that stands: their sources and quote grades."""
    chosen = standing([w for w, _ in weighed])
    if chosen is None:
        return []
    value = decode(kind, fact, next(v for w, v in weighed if w.report == chosen[0]))
    found = []
    for w, encoded in weighed:
        said = decode(kind, fact, encoded)
        if w.source is not None and not is_unknown(said) and not disagree([said, value]):
            found.append((w.source, w.credibility))
    return found


def keep_support(
    s: Session, record_ids: Iterable[UUID], weighed: Standings | None = None
) -> dict[UUID, Corroboration | None]:
    """Count again the support of these records (any kind: those with none are cleared),
    and return it. ``weighed``: reports the caller has read already (``standings_of``),
    for those records it names."""
    ids = list(dict.fromkeys(record_ids))
    kept: dict[UUID, Corroboration | None] = {}
    if not ids:
        return kept
    record = table_of(m.Record)
    for start in range(0, len(ids), CHUNK):
        counted = _count(s, ids[start : start + CHUNK], weighed or {})
        kept.update(counted)
        rows = [
            {
                "rid": record_id,
                "n": found.independent if found else None,
                "grade": found.best_grade if found else "",
            }
            for record_id, found in counted.items()
        ]
        s.execute(
            update(record)
            .where(record.c.id == bindparam("rid"))
            .values(support_count=bindparam("n"), support_grade=bindparam("grade")),
            rows,
            execution_options={"synchronize_session": False},
        )
    again = set(ids)
    for model in list(s.identity_map.values()):  # mapped records read it again
        if isinstance(model, m.Record) and model.id in again:
            s.expire(model, ["support_count", "support_grade"])
    return kept


def _count(s: Session, ids: list[UUID], read: Standings) -> dict[UUID, Corroboration | None]:
    record = table_of(m.Record)
    kinds = dict(s.execute(select(record.c.id, record.c.kind).where(record.c.id.in_(ids))).all())
    reported = [i for i in ids if kinds.get(i) in FACTS]
    weighed = standings_of(s, [i for i in reported if i not in read])
    weighed.update((i, read[i]) for i in reported if i in read)
    links = _link_supports(s, [i for i in ids if kinds.get(i) == Kind.LINK])
    supports: dict[UUID, dict[str, list[Support]]] = {
        record_id: {
            fact: fact_supports(kinds[record_id], fact, reports)
            for fact, reports in by_fact.items()
        }
        for record_id, by_fact in weighed.items()
    }
    for link_id, cited in links.items():
        supports[link_id] = {"": cited}
    origins = Origins.load(
        s, {source for facts in supports.values() for f in facts.values() for source, _ in f}
    )
    counted: dict[UUID, Corroboration | None] = dict.fromkeys(ids)
    for record_id, facts in supports.items():
        counted[record_id] = weakest(corroboration(origins, f) for f in facts.values())
    return counted


def _link_supports(s: Session, links: list[UUID]) -> dict[UUID, list[Support]]:
    """Each link's citations as supports (``cited_supports``), in two queries."""
    table = table_of(m.LinkCitation)
    cited: dict[UUID, list[UUID]] = {}
    query = select(table.c.link_id, table.c.cited_id).where(table.c.link_id.in_(links))
    for row in s.execute(query):
        cited.setdefault(row.link_id, []).append(row.cited_id)
    supports = cited_supports(s, {c for ids in cited.values() for c in ids})
    return {link: [supports[c] for c in ids] for link, ids in cited.items()}


@dataclass(frozen=True)
class Touched:
    """What a change to some sources or quotes may change."""

    reports: set[Pair]  # the facts reported from them directly: the rule weighs grades
    records: set[UUID]  # every record whose support may change


def citing(s: Session, sources: Iterable[UUID] = (), quotes: Iterable[UUID] = ()) -> Touched:
    """What a change to these sources or quotes may change: the facts reported from them,
    and the records reporting from or citing them or any source whose origin follows
    theirs (derived from one, however far down, or a near-duplicate of one)."""
    report, citation = table_of(m.Report), table_of(m.LinkCitation)
    quote, source = table_of(m.Quote), table_of(m.Source)
    named, quoted = set(sources), set(quotes)
    wanted, reached = set(named), set(named)
    while reached:  # down the derived-from chains and across near-duplicates
        batch = list(reached)
        reached = {end for pair in matched_pairs(s, batch) for end in pair}
        for start in range(0, len(batch), CHUNK):
            chunk = batch[start : start + CHUNK]
            reached.update(
                s.scalars(select(source.c.id).where(source.c.derived_from_id.in_(chunk)))
            )
        reached -= wanted
        wanted |= reached
    touched = Touched(set(), set())
    for start in range(0, len(ids := list(wanted)), CHUNK):
        chunk = ids[start : start + CHUNK]
        quoted.update(s.scalars(select(quote.c.id).where(quote.c.source_id.in_(chunk))))
        touched.records.update(
            s.scalars(select(report.c.record_id).where(report.c.source_id.in_(chunk)))
        )
    for start in range(0, len(cited := [*wanted, *quoted]), CHUNK):
        chunk = cited[start : start + CHUNK]
        touched.records.update(
            s.scalars(select(citation.c.link_id).where(citation.c.cited_id.in_(chunk)))
        )
        touched.records.update(
            s.scalars(select(report.c.record_id).where(report.c.quote_id.in_(chunk)))
        )
    direct = or_(report.c.source_id.in_(named), report.c.quote_id.in_(set(quotes)))
    reported = s.execute(select(report.c.record_id, report.c.fact).where(direct))
    touched.reports.update((row.record_id, row.fact) for row in reported)
    return touched


def recount_all(s: Session) -> int:
    """Count every record's support again from scratch (the migration that brought it
    in; the benchmark); how many records have one."""
    report, citation = table_of(m.Report), table_of(m.LinkCitation)
    ids = set(s.scalars(select(report.c.record_id).distinct()))
    ids.update(s.scalars(select(citation.c.link_id).distinct()))
    keep_support(s, ids)
    return len(ids)
