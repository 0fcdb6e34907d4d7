"""The columns of each record table: what they show and which listing sort they use."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from casefile.display import display
from casefile.moments import day_of
from casefile.records import Record
from casefile.vocab import Kind

Labels = Mapping[UUID, str]


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Record[Any], Labels], str]
    sort: str | None = None  # a casefile.listing sort name; None: not sortable
    numeric: bool = False  # right-aligned
    width: int = 120
    wide: bool = False  # shares the table's width left over by the others


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


def label(title: str, sort: str | None = None) -> Column:
    """The record's own name (title, name, quote text): the widest column."""
    return Column(title, lambda record, labels: record.label, sort, width=320, wide=True)


# A wide column is not made narrower than this to share the table's width with the others
# (only to fit a table too narrow for them all: see ``fitted_widths``).
WIDE_AT_LEAST = 160
SHRINK_AT_MOST = 0.2  # of every column's width, in a table too narrow for them


def fitted_widths(columns: Sequence[Column], available: int) -> list[int]:
    """Each column's width: the narrow ones as set, the wide ones sharing what is left of
    ``available`` (the table's width) so that the last column is not cut off, nor a
    wide one left wider than the table needs. In a table too narrow for that, every
    column gives up the same share of its width, up to ``SHRINK_AT_MOST``; beyond it the
    table scrolls."""
    wide = [c for c in columns if c.wide]
    if available <= 0:  # not laid out yet: as set
        return [c.width for c in columns]
    left = available - sum(c.width for c in columns if not c.wide)
    share = max(WIDE_AT_LEAST, left // len(wide)) if wide else 0
    widths = [share if c.wide else c.width for c in columns]
    scale = max(1 - SHRINK_AT_MOST, min(1.0, available / sum(widths)))
    return [int(w * scale) for w in widths]


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
        field("killed", "Killed", sort="killed", numeric=True, width=70),
        field("wounded", "Wounded", numeric=True, width=75),
        field("claimed_by", "Claimed by", width=110),
        field("status", "Status", width=NARROW),
        UPDATED,
    ),
    Kind.PERSON: (
        label("Name", sort="name"),
        field("aliases", "Aliases"),
        field("roles", "Roles"),
        field("nationality", "Nationality"),
        field("status", "Status", width=NARROW),
        UPDATED,
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
        Column(
            "Credibility",
            lambda r, labels: r.fields.credibility.value if r.fields.credibility else "",
            width=NARROW,
        ),
        UPDATED,
    ),
    Kind.LINK: (
        field("subject", "Subject", width=260, wide=True),
        field("relation", "Relation", sort="relation", width=110),
        field("object", "Object", width=260, wide=True),
        field("confidence", "Confidence", width=NARROW),
        UPDATED,
    ),
}
