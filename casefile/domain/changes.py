"""What one action changed in a case: the small value every mutating call reports, so
that whoever shows the case reads again only what concerns it (the Anki pattern: one
signal carries it, and each view decides for itself)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from casefile.domain.facts import FACTS
from casefile.domain.records import Record, ref_values
from casefile.domain.terms import Kind


@dataclass(frozen=True)
class Changes:
    """The records an action added, changed or removed, and what that touched.

    ``related`` are records that did not change themselves but whose lists did: those a
    changed record refers to, before or after the change (a new link's subject and
    object, a deleted quote's source). ``records`` is None when the action cannot name
    its records one by one (an import of many files): any record of ``kinds`` may have
    changed."""

    kinds: frozenset[Kind] = frozenset()
    records: frozenset[UUID] | None = frozenset()
    related: frozenset[UUID] = frozenset()
    searches: bool = False  # the saved searches

    @classmethod
    def of_kinds(cls, kinds: Iterable[Kind]) -> Changes:
        """Some records of these kinds, not known one by one."""
        kinds = frozenset(kinds)
        return cls(kinds, None if kinds else frozenset())

    def __or__(self, other: Changes) -> Changes:
        records = (
            None if self.records is None or other.records is None else self.records | other.records
        )
        return Changes(
            self.kinds | other.kinds,
            records,
            self.related | other.related,
            self.searches or other.searches,
        )

    def showing(self, kinds: Iterable[Kind]) -> Changes:
        """The same, and the tables of ``kinds`` read again: their rows show something
        these records changed (an attack's support, after a report or a source changed)."""
        return Changes(self.kinds | frozenset(kinds), self.records, self.related, self.searches)

    def touches(self, ids: Iterable[UUID]) -> bool:
        """Whether any of these records changed, or a list of its did (a link to it, a
        quote of it): what shows them should read them again."""
        if not self.kinds:
            return False
        if self.records is None:
            return True
        wanted = set(ids)
        return not self.records.isdisjoint(wanted) or not self.related.isdisjoint(wanted)


def changes_of(records: Iterable[Record[Any]]) -> Changes:
    """What adding, removing or changing records touched (a change: give the record
    as it was and as it is): their kinds and IDs, and the records they refer to, whose
    lists (links, quotes, documents) are not what they were."""
    touched = list(records)
    ids = frozenset(r.id for r in touched)
    related = frozenset(value for r in touched for _name, value, _kinds in ref_values(r.fields))
    found = Changes(frozenset(r.kind for r in touched), ids, related - ids)
    if any(r.kind is Kind.REPORT for r in touched):  # the values that stand, their support
        found = found.showing(REPORTED)
    seen: dict[UUID, Record[Any]] = {}
    for r in touched:
        before = seen.setdefault(r.id, r)
        if any(getattr(before.fields, n) != getattr(r.fields, n) for n in GRADING.get(r.kind, ())):
            # What cites it, however far: its support, its values, not known one by one.
            return found | Changes.of_kinds(SUPPORTED)
    return found


# A source's and a quote's fields that the support of what cites them depends on (and the
# values that stand: the assessment rule weighs grades); the kinds that follow them.
GRADING = {
    Kind.SOURCE: frozenset({"publisher", "derived_from", "reliability"}),
    Kind.QUOTE: frozenset({"credibility", "source"}),
}
SUPPORTED = frozenset({Kind.ATTACK, Kind.PERSON, Kind.LINK})
REPORTED = frozenset(FACTS)  # the kinds with reported values
