"""The columns of each record table: what they show and which listing sort they use."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from casefile.domain.display import citation_count, display, field_label
from casefile.domain.facts import shown_value
from casefile.domain.moments import day_of
from casefile.domain.terms import Kind

if TYPE_CHECKING:
    from casefile.domain.records import Record

Labels = Mapping[UUID, str]


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Record[Any], Labels], str]
    sort: str | None = None  # a casefile.services.listing sort name; None: not sortable
    numeric: bool = False  # right-aligned
    width: int = 120
    wide: bool = False  # shares the table's width left over by the others
    # The tooltip, when there is more to say than the cell holds (else a cell too long
    # to read whole has itself as its tooltip).
    tip: Callable[[Record[Any], Labels], str] | None = None


def field(
    name: str,
    title: str,
    *,
    sort: str | None = None,
    numeric: bool = False,
    width: int = 120,
    wide: bool = False,
) -> Column:
    """A column showing one field as people read it (dates at their precision...)."""

    def text(record: Record[Any], labels: Labels) -> str:
        return display(name, getattr(record.fields, name), labels, with_ids=False)

    return Column(title, text, sort, numeric, width, wide)


def count(name: str, title: str, *, sort: str | None = None, width: int = 75) -> Column:
    """A figure as the source said it ("dozens", "at least 30"): the analyst's reading of a
    word is in the detail pane, a table cell has room for the word. When its reports
    disagree, a flag before it (digits stay aligned on the right)."""

    def text(record: Record[Any], labels: Labels) -> str:
        figure = getattr(record.fields, name)
        said = display(name, figure, labels) if figure is None else figure.said()
        return f"{DISPUTED_FLAG} {said}" if name in record.disputed else said

    def tip(record: Record[Any], labels: Labels) -> str:
        figure = getattr(record.fields, name)
        said = display(name, figure, labels)
        if name in record.disputed:
            return f"{said}: the reported values disagree (see the record's reported values)"
        return said if figure is not None and figure.words else ""

    return Column(title, text, sort, numeric=True, width=width, tip=tip)


DISPUTED_FLAG = "⚑"


def _disputed(record: Record[Any], labels: Labels) -> str:
    return ", ".join(field_label(f).lower() for f in record.disputed)


# Whether reported values disagree: the flag the eye finds and how many facts; which
# ones, in the tooltip and the details (the counts carry the flag themselves).
DISPUTED = Column(
    "Disagree",
    lambda r, labels: f"{DISPUTED_FLAG} {len(r.disputed)}" if r.disputed else "",
    width=70,
    tip=lambda r, labels: (
        f"Reported values disagree on: {_disputed(r, labels)}" if r.disputed else ""
    ),
)


def _support_tip(record: Record[Any], labels: Labels) -> str:
    if record.support is None:
        return ""
    said = record.support.said()
    if record.kind is Kind.LINK:
        return said[0].upper() + said[1:]
    return f"Its least supported reported fact is {said}"


# How many independent sources stand behind it, and the best grade: "2 · B2". Kept as data
# by the services (``record.support``): nothing is counted as the table paints.
SUPPORT = Column(
    "Sources",
    lambda r, labels: r.support.short() if r.support is not None else "",
    numeric=True,
    width=70,
    tip=_support_tip,
)


def label(title: str, sort: str | None = None) -> Column:
    """The record's own name (title, name, quote text): the widest column."""
    return Column(title, lambda record, labels: record.label, sort, width=320, wide=True)


# A wide column is not made narrower than this to share the table's width with the others
# (see ``fitted_widths``).
WIDE_AT_LEAST = 160
SHRINK_AT_MOST = 0.2  # of every column's width, in a table too narrow for them


def fitted_widths(
    columns: Sequence[Column], available: int, content: Sequence[int] | None = None
) -> list[int]:
    """Each column's width within ``available`` (the table's width), given what each
    one's values want (``content``; before any is seen, the widths as set). The room is
    given out in this order: every narrow column as its values want up to its set
    width; the wide ones (the records' names) up to theirs; the narrow ones the rest of
    what they want, the longest cut first; the wide ones whatever is left. In a table
    too narrow even for the first two, the narrow columns give up the same share of
    their width, up to ``SHRINK_AT_MOST``, before a wide one is made narrower than
    ``WIDE_AT_LEAST``; beyond that the table scrolls."""
    wanted = list(content) if content else [c.width for c in columns]
    if available <= 0:  # not laid out yet: as set
        return wanted
    wide = [c for c in columns if c.wide]
    narrow = [(w, min(w, c.width)) for w, c in zip(wanted, columns, strict=True) if not c.wide]
    least = sum(floor for _w, floor in narrow)
    names = max(len(wide) * WIDE_AT_LEAST, min(sum(c.width for c in wide), available - least))
    room = available - names
    level = _level(narrow, room)
    fitted = [max(floor, min(w, level)) for w, floor in narrow]
    scale = max(1 - SHRINK_AT_MOST, min(1.0, room / sum(fitted))) if sum(fitted) else 1.0
    widths = [int(w * scale) for w in fitted]
    share = max(WIDE_AT_LEAST, (available - sum(widths)) // len(wide)) if wide else 0
    narrow_widths = iter(widths)
    return [share if c.wide else next(narrow_widths) for c in columns]


def _level(narrow: Sequence[tuple[int, int]], room: int) -> int:
    """The highest width to cut the narrow columns at (none below its least) so that
    they fit ``room``: every one whole if they can be."""
    if sum(w for w, _least in narrow) <= room:
        return max((w for w, _least in narrow), default=0)
    low, high = 0, max((w for w, _least in narrow), default=0)
    while low < high:  # the widest level that fits
        middle = (low + high + 1) // 2
        if sum(max(least, min(w, middle)) for w, least in narrow) <= room:
            low = middle
        else:
            high = middle - 1
    return low


def place(record: Record[Any], labels: Labels) -> str:
    f = record.fields
    return ", ".join(p for p in (f.city, f.country) if p) or f.location


UPDATED = Column(
    "Updated",
    lambda r, labels: day_of(r.updated_at) if r.updated_at else "",
    "updated",
    width=100,
)
NARROW = 90  # a word or two: a status, a kind, a grade

COLUMNS: dict[Kind, tuple[Column, ...]] = {
    Kind.ATTACK: (
        field("date", "Date", sort="date", width=110),
        label("Attack", sort="title"),
        Column("Place", place, width=110),
        count("killed", "Killed", sort="killed", width=70),
        count("wounded", "Wounded"),
        field("claimed_by", "Claimed by", width=110),
        field("status", "Status", width=NARROW),
        DISPUTED,
        SUPPORT,
    ),
    Kind.PERSON: (
        label("Name", sort="name"),
        field("aliases", "Aliases"),
        field("roles", "Roles"),
        field("nationality", "Nationality"),
        field("status", "Status", width=NARROW),
        DISPUTED,
        SUPPORT,
    ),
    Kind.GROUP: (
        label("Name", sort="name"),
        field("aliases", "Aliases"),
        field("group_kind", "Kind", width=NARROW),
        field("country", "Country"),
        UPDATED,
    ),
    Kind.SOURCE: (
        label("Title", sort="title"),
        field("published", "Published", sort="published", width=110),
        field("publisher", "Publisher"),
        field("source_kind", "Kind", width=NARROW),
        Column(
            "Reliability",
            lambda r, labels: r.fields.reliability.value if r.fields.reliability else "",
            width=NARROW,
        ),
        UPDATED,
    ),
    Kind.DOCUMENT: (
        label("File", sort="file_name"),
        field("media_type", "Type"),
        field("size", "Size", numeric=True, width=80),
        field("source", "Source"),
        Column("SHA-256", lambda r, labels: r.fields.sha256[:16] + "…"),
    ),
    Kind.QUOTE: (
        field("said", "Said", sort="said", width=110),
        label("Quote"),
        field("speaker", "Speaker"),
        field("source", "Source"),
        field("page", "Page", numeric=True, width=50),
        field("at", "Time", numeric=True, width=70),
        Column(
            "Credibility",
            lambda r, labels: r.fields.credibility.value if r.fields.credibility else "",
            width=NARROW,
        ),
        UPDATED,
    ),
    Kind.REPORT: (
        field("reported", "Reported", sort="reported", width=110),
        field("record", "About", width=200),
        Column("Fact", lambda r, labels: field_label(r.fields.fact), sort="fact", width=120),
        Column(
            "Value",
            lambda r, labels: shown_value(r.fields.fact, r.fields.value, labels),
            width=160,
            wide=True,
        ),
        field("source", "Source", width=200, wide=True),
        Column("Assessed", lambda r, labels: "✓" if r.fields.assessed else "", width=70),
        UPDATED,
    ),
    Kind.JUDGEMENT: (
        field("made", "Made", sort="made", width=110),
        label("Judgement"),
        field("probability", "Probability", sort="probability", width=190),
        field("confidence", "Confidence", width=NARROW),
        Column(
            "Status",
            lambda r, labels: "superseded" if r.fields.superseded_by else "current",
            width=NARROW,
        ),
        UPDATED,
    ),
    Kind.LINK: (
        field("subject", "Subject", width=260, wide=True),
        field("relation", "Relation", sort="relation", width=110),
        field("object", "Object", width=260, wide=True),
        field("confidence", "Confidence", width=NARROW),
        Column(
            "Citations",
            lambda r, labels: citation_count(len(r.fields.citations)),
            numeric=True,
            width=NARROW,
        ),
        SUPPORT,
        UPDATED,
    ),
}
