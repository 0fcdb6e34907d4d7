"""How many independent sources support a value or a link, and the best grade among them.

Sources are not independent when they share an origin: one that names another as what it
was derived from counts with it (its origin is the first of the chain), sources of one
publisher count once (a wire service's story on its own site and in its feed), and so do
two whose documents are near-duplicates (``near_duplicates``) unless the analyst rejected
the match. Sources with no publisher stand for themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from casefile.db import models as m
from casefile.db.engine import fold
from casefile.domain.corroboration import Corroboration
from casefile.domain.display import grade_code
from casefile.domain.terms import Credibility, DuplicateVerdict, Reliability, grade_rank
from casefile.services.record_reading import table_of

Support = tuple[UUID, Credibility | None]  # a source, and the grade of the quote cited
CHUNK = 500  # IDs per query: well under any database's limit on parameters


@dataclass(frozen=True)
class _Source:
    publisher: str
    derived_from: UUID | None
    reliability: Reliability | None


class Origins:
    """Which sources share an origin: loaded once for many facts (a recount of the whole
    case loads every source once).

    A source's origin is its publisher, or the source itself without one, taken at the
    first of its derived-from chain; two near-duplicates (not rejected) join their
    origins. What is loaded is closed under both (every source's chain, every match of
    every source loaded), so that a count never depends on which other facts were counted
    with it."""

    def __init__(self, sources: dict[UUID, _Source], twins: Iterable[tuple[UUID, UUID]]) -> None:
        self.sources = sources
        self._joined: dict[str, str] = {}
        for a, b in twins:
            self._join(self._root(a), self._root(b))

    @classmethod
    def load(cls, s: Session, ids: Iterable[UUID]) -> Origins:
        table = table_of(m.Source)
        found: dict[UUID, _Source] = {}
        twins: set[tuple[UUID, UUID]] = set()
        wanted = set(ids)
        while wanted:
            batch = list(wanted)
            for start in range(0, len(batch), CHUNK):
                query = select(
                    table.c.id, table.c.publisher, table.c.derived_from_id, table.c.reliability
                ).where(table.c.id.in_(batch[start : start + CHUNK]))
                for row in s.execute(query):
                    found[row.id] = _Source(row.publisher, row.derived_from_id, row.reliability)
            new = matched_pairs(s, [i for i in batch if i in found])
            twins |= new
            wanted = {v.derived_from for v in found.values() if v.derived_from}
            wanted |= {end for pair in new for end in pair}
            wanted -= set(found)
        return cls(found, sorted(twins))

    def count(self, sources: Iterable[UUID]) -> int:
        """How many distinct origins the sources come from."""
        return len({self._find(self._root(x)) for x in set(sources) if x in self.sources})

    def reliability(self, source: UUID) -> Reliability | None:
        found = self.sources.get(source)
        return found.reliability if found else None

    def _root(self, source_id: UUID) -> str:
        seen = {source_id}
        current = source_id
        while (parent := self.sources[current].derived_from) is not None and parent not in seen:
            seen.add(parent)  # a loop (A from B, B from A) stops where it closes
            current = parent
        publisher = fold(self.sources[current].publisher.strip())
        return f"publisher:{publisher}" if publisher else f"source:{current}"

    def _find(self, origin: str) -> str:
        while (up := self._joined.get(origin, origin)) != origin:
            self._joined[origin] = self._joined.get(up, up)  # halve the path
            origin = up
        return origin

    def _join(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            self._joined[ra] = rb


def matched_pairs(s: Session, ids: list[UUID]) -> set[tuple[UUID, UUID]]:
    """The near-duplicate matches of these sources, not rejected."""
    table = table_of(m.NearDuplicate)
    pairs: set[tuple[UUID, UUID]] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        query = select(table.c.source_id, table.c.other_id).where(
            table.c.verdict != DuplicateVerdict.REJECTED,
            or_(table.c.source_id.in_(chunk), table.c.other_id.in_(chunk)),
        )
        pairs.update((row.source_id, row.other_id) for row in s.execute(query))
    return pairs


def corroboration(origins: Origins, supports: Iterable[Support]) -> Corroboration:
    given = [(source, credibility) for source, credibility in supports if source in origins.sources]
    graded = [
        (origins.reliability(source), credibility)
        for source, credibility in given
        if origins.reliability(source) or credibility
    ]
    best = min(graded, key=lambda grade: grade_rank(*grade), default=None)
    independent = origins.count(source for source, _ in given)
    return Corroboration(independent, grade_code(*best) if best else "")


def cited_supports(s: Session, citations: Iterable[UUID]) -> dict[UUID, Support]:
    """What each citation says of a link's support: a source as itself, a quote as its
    source with the quote's grade."""
    cited = list(set(citations))
    quote = table_of(m.Quote)
    quoted: dict[UUID, Support] = {}
    for start in range(0, len(cited), CHUNK):
        query = select(quote.c.id, quote.c.source_id, quote.c.credibility).where(
            quote.c.id.in_(cited[start : start + CHUNK])
        )
        quoted.update((row.id, (row.source_id, row.credibility)) for row in s.execute(query))
    return {c: quoted.get(c, (c, None)) for c in cited}
