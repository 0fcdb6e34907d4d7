"""How many independent sources support a value or a link, and the best grade among them.

Sources are not independent when they share an origin: one that names another as what it
was derived from counts with it (its origin is the first of the chain), and sources of one
publisher count once (a wire service's story on its own site and in its feed). Sources
with no publisher stand for themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.db import models as m
from casefile.db.engine import fold
from casefile.domain.display import grade_code, how_many
from casefile.domain.terms import Credibility, Reliability, grade_rank
from casefile.services.record_reading import table_of

Support = tuple[UUID, Credibility | None]  # a source, and the grade of the quote cited


@dataclass(frozen=True)
class Corroboration:
    independent: int
    best_grade: str  # "B2", "B", "2" or "" when nothing is graded

    def said(self) -> str:
        """'corroborated by 2 independent sources, best B2' (the same words everywhere)."""
        if not self.independent:
            return "no source supports it"
        grade = f", best {self.best_grade}" if self.best_grade else ", none graded"
        return f"corroborated by {how_many(self.independent, 'independent source')}{grade}"


@dataclass(frozen=True)
class _Source:
    publisher: str
    derived_from: UUID | None
    reliability: Reliability | None


def _sources(s: Session, ids: set[UUID]) -> dict[UUID, _Source]:
    """The sources and every source they are derived from, however far back."""
    table = table_of(m.Source)
    found: dict[UUID, _Source] = {}
    wanted = set(ids)
    while wanted:
        query = select(
            table.c.id, table.c.publisher, table.c.derived_from_id, table.c.reliability
        ).where(table.c.id.in_(wanted))
        for row in s.execute(query):
            found[row.id] = _Source(row.publisher, row.derived_from_id, row.reliability)
        wanted = {v.derived_from for v in found.values() if v.derived_from} - set(found)
    return found


def _origin(source_id: UUID, sources: dict[UUID, _Source]) -> str:
    seen = {source_id}
    current = source_id
    while (parent := sources[current].derived_from) is not None and parent not in seen:
        seen.add(parent)  # a loop (A from B, B from A) stops where it closes
        current = parent
    publisher = fold(sources[current].publisher.strip())
    return f"publisher:{publisher}" if publisher else f"source:{current}"


def corroboration(s: Session, supports: Iterable[Support]) -> Corroboration:
    given = list(supports)
    sources = _sources(s, {source for source, _ in given})
    origins = {_origin(source, sources) for source, _ in given if source in sources}
    graded = [
        (sources[source].reliability, credibility)
        for source, credibility in given
        if source in sources and (sources[source].reliability or credibility)
    ]
    best = min(graded, key=lambda grade: grade_rank(*grade), default=None)
    return Corroboration(len(origins), grade_code(*best) if best else "")


def link_supports(s: Session, citations: Iterable[UUID]) -> list[Support]:
    """What a link's citations say of its support: a source as itself, a quote as its
    source with the quote's grade."""
    cited = set(citations)
    quote = table_of(m.Quote)
    quoted = {
        row.id: (row.source_id, row.credibility)
        for row in s.execute(
            select(quote.c.id, quote.c.source_id, quote.c.credibility).where(quote.c.id.in_(cited))
        )
    }
    return [quoted.get(c, (c, None)) for c in cited]
