"""Facts as sources report them: which facts of a record can be reported, how a reported
value is written down, when reports disagree, and which one stands when the analyst has
not said.

A record's field holds the **assessed** value of its fact: what tables, sorting, filters,
search and the pack use. Each report of the fact keeps what one source said, with the
date it said it. The analyst marks one report as the assessed value, with a reason; until
then ``standing`` picks one by a rule the window and the terminal both name.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID

from casefile.domain.dates import PartialDate
from casefile.domain.display import display
from casefile.domain.errors import InvalidInput
from casefile.domain.figures import Figure, read_figure
from casefile.domain.input_text import UNKNOWN
from casefile.domain.records import FIELDS_OF_KIND
from casefile.domain.terms import Credibility, Kind, LabelledEnum, Reliability, grade_rank

# The facts a source can report, per kind, in the order a profile lists them.
FACTS: dict[Kind, tuple[str, ...]] = {
    Kind.ATTACK: (
        "date",
        "end_date",
        "location",
        "killed",
        "wounded",
        "perpetrators_killed",
        "claimed",
        "claimed_by",
        "claim_date",
        "claim_method",
        "attack_types",
        "weapon_types",
        "target_types",
        "status",
    ),
    Kind.PERSON: ("status", "nationality", "birth_date"),
}
REPORTED_KINDS = tuple(FACTS)
RULE = (
    "picked by rule: the best-graded source, then the best-graded quote, then the latest "
    "report date"
)


def fact_type(kind: Kind, fact: str) -> Any:
    """The type a fact's value has (``Figure``, ``PartialDate``, an enum, ``str``...),
    None allowed where the field allows it."""
    check_fact(kind, fact)
    return _hints(kind)[fact]


@cache
def _hints(kind: Kind) -> dict[str, Any]:
    """Read once: resolving a dataclass's annotations costs a millisecond."""
    return typing.get_type_hints(FIELDS_OF_KIND[kind])


@cache
def _base(kind: Kind, fact: str) -> Any:
    """The type inside ``X | None``; a tuple type as it is."""
    hint = fact_type(kind, fact)
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if args and typing.get_origin(hint) is not tuple else hint


def check_fact(kind: Kind, fact: str) -> None:
    if fact not in FACTS.get(kind, ()):
        facts = FACTS.get(kind)
        if not facts:
            raise InvalidInput(f"values are reported for attacks and people, not {kind.plural}")
        raise InvalidInput(f"'{fact}' is not a fact of {kind.plural} (one of: {', '.join(facts)})")


def encode(value: Any) -> str:
    """A fact's value as a report stores it: text that reads back as the same value
    (``decode``), and that two equal values share. Unknown is the empty text."""
    if value is None:
        return ""
    if isinstance(value, PartialDate):
        return value.to_edtf()
    if isinstance(value, LabelledEnum):
        return value.value
    if isinstance(value, tuple):
        return ", ".join(encode(v) for v in value)
    return str(value)  # a figure's own text, a UUID, plain text


def decode(kind: Kind, fact: str, text: str) -> Any:
    """The value ``encode`` wrote, as the record's field takes it."""
    base = _base(kind, fact)
    if typing.get_origin(base) is tuple:
        return tuple(t.strip() for t in text.split(",") if t.strip())
    if not text:
        return "" if base is str else None
    if base is PartialDate:
        return PartialDate.from_edtf(text)
    if base is Figure:
        return read_figure(text)
    if base is UUID:
        return UUID(text)
    if isinstance(base, type) and issubclass(base, LabelledEnum):
        return base.parse(text)
    return text


def value_refs(fact: str, text: str) -> tuple[UUID, ...]:
    """The records a reported value names (who claimed the attack)."""
    return (UUID(text),) if fact == "claimed_by" and text else ()


def shown_value(fact: str, text: str, names: Mapping[UUID, str]) -> str:
    """A reported value as people read it ('22 March 2017', 'dozens (at least 24)', a
    group's name), 'unknown' when the source said it is not known."""
    for kind in REPORTED_KINDS:
        if fact in FACTS[kind]:
            try:
                value = decode(kind, fact, text)
            except (ValueError, InvalidInput):
                continue  # "status" of a person, read as an attack's
            return display(fact, value, names, with_ids=False) or UNKNOWN
    return text


def is_unknown(value: Any) -> bool:
    """Not known: nothing, or a choice that says so (a claim or a status "unknown")."""
    return value in (None, "", ()) or (isinstance(value, LabelledEnum) and value.value == "unknown")


def disagree(values: Sequence[Any]) -> bool:
    """Whether reported values disagree: figures when no number fits them all (``3`` and
    ``2–4`` agree), dates when no day fits them all ("March 2017" and "22 March 2017"
    agree), lists when they hold different things (in any order), anything else when it
    differs. A report that it is unknown disagrees with nothing."""
    known = [v for v in values if not is_unknown(v)]
    figures = [v for v in known if isinstance(v, Figure)]
    if figures:
        return any(a.disagrees(b) for i, a in enumerate(figures) for b in figures[i + 1 :])
    dates = [v for v in known if isinstance(v, PartialDate)]
    if dates:
        return max(d.first_day() for d in dates) > min(d.last_day() for d in dates)
    return len({frozenset(v) if isinstance(v, tuple) else v for v in known}) > 1


@dataclass(frozen=True)
class Standing:
    """A report as the assessment rule sees it."""

    report: UUID
    assessed: bool
    source: UUID | None
    known: bool  # False: the source says it is not known
    reliability: Reliability | None
    credibility: Credibility | None
    reported: PartialDate | None
    created_at: datetime

    @property
    def sourced(self) -> bool:
        return self.source is not None


def _rule_key(r: Standing) -> tuple[Any, ...]:
    """Smaller is better: a value over "not known", sourced, then source grade A..F (none
    last), quote grade 1..6 (none last), then the latest report date and the latest
    entry."""
    reported = r.reported.sort_key() if r.reported else ()
    later = (_Later(reported), _Later(r.created_at))
    return (not r.known, not r.sourced, *grade_rank(r.reliability, r.credibility), *later)


class _Later:
    """Sorts the latest first (dates and times compare but cannot be negated)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Later) -> bool:
        return bool(self.value > other.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Later) and bool(self.value == other.value)

    __hash__ = None  # type: ignore[assignment]


def standing(reports: Sequence[Standing]) -> tuple[UUID, bool] | None:
    """The report whose value stands, and whether the analyst chose it (False: the rule
    picked it). None when there are no reports."""
    if not reports:
        return None
    chosen = [r for r in reports if r.assessed]
    if chosen:
        return chosen[0].report, True
    return min(reports, key=_rule_key).report, False
