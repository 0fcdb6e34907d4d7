"""What changed in a pack's scope since the case's previous pack, as its summary says it.

A reader who had version 2 wants to know what version 3 adds before reading it again.
The case's audit trail holds every change with its time, and each pack records the time
of the newest change it included (``db.packs``), so the answer is counted, not guessed:
the records of this pack's scope added, changed or deleted after the previous pack's
cut of the case. A record added and then changed counts as added; one added and deleted
in between, not at all. Deleted records are counted only in a pack of the whole case:
whether a deleted record was in a narrower scope is not known any more.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from casefile.domain.display import how_many
from casefile.domain.moments import moment
from casefile.domain.terms import Kind

ADDED, CHANGED, DELETED = "added", "changed", "deleted"
_KINDS = {kind.value: kind for kind in Kind}


@dataclass(frozen=True)
class Event:
    """One audited change: to which record, of which kind, and how (create, update,
    delete), in the order the trail holds them."""

    record_id: UUID
    kind: str
    action: str


@dataclass(frozen=True)
class Previous:
    """The case's previous pack: its version as printed, and when it was built."""

    version: str
    built_at: datetime


def count_changes(
    events: Iterable[Event], in_scope: set[UUID], whole_case: bool
) -> Counter[tuple[str, Kind]]:
    """How many records of each kind were added, changed and deleted by ``events``, of
    those ``in_scope`` (and of every record, for deletions, in a pack of the whole case)."""
    first: dict[UUID, Event] = {}
    last: dict[UUID, Event] = {}
    for event in events:
        first.setdefault(event.record_id, event)
        last[event.record_id] = event
    counts: Counter[tuple[str, Kind]] = Counter()
    for record_id, began in first.items():
        kind = _kind(began.kind)
        if kind is None:
            continue
        ended = last[record_id]
        if ended.action == "delete":
            if whole_case and began.action != "create":
                counts[DELETED, kind] += 1
        elif record_id in in_scope:
            counts[ADDED if began.action == "create" else CHANGED, kind] += 1
    return counts


def since(previous: Previous | None, counts: Counter[tuple[str, Kind]]) -> str:
    """The summary's line: "Since version 2 (built 7 Dec 2026 10:32 UTC): 2 attacks and
    3 quotes added; 1 attack changed." Empty for a case's first pack."""
    if previous is None:
        return ""
    said = f"Since version {previous.version} (built {moment(previous.built_at)})"
    parts = []
    for how in (ADDED, CHANGED, DELETED):
        kinds = [(kind, n) for (done, kind), n in counts.items() if done == how and n]
        kinds.sort(key=lambda item: list(Kind).index(item[0]))
        if kinds:
            parts.append(f"{_listed([how_many(n, k.singular, k.plural) for k, n in kinds])} {how}")
    if not parts:
        return f"{said}: nothing in this pack's scope has changed."
    return f"{said}: {'; '.join(parts)}."


def _kind(value: str) -> Kind | None:
    """The kind of record an event is of; None for the case's own title, a vocabulary
    term or a document (its source is what a pack prints)."""
    kind = _KINDS.get(value)
    return None if kind is Kind.DOCUMENT else kind


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
