"""The columns of each record table: what they show and which listing sort they use."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from casefile.display import display
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


def field(
    name: str, title: str, *, sort: str | None = None, numeric: bool = False, width: int = 120
) -> Column:
    """A column showing one field as people read it (dates at their precision...)."""

    def text(record: Record[Any], labels: Labels) -> str:
        return display(name, getattr(record.fields, name), labels, with_ids=False)

    return Column(title, text, sort, numeric, width)


def label(title: str, sort: str | None = None) -> Column:
    """The record's own name (title, name, quote text): the widest column."""
    return Column(title, lambda record, labels: record.label, sort, width=320)


def place(record: Record[Any], labels: Labels) -> str:
    f = record.fields
    return ", ".join(p for p in (f.city, f.country) if p) or f.location


UPDATED = Column(
    "Updated", lambda r, labels: f"{r.updated_at:%d %b %Y}" if r.updated_at else "", "updated"
)

COLUMNS: dict[Kind, tuple[Column, ...]] = {
    Kind.ATTACK: (
        field("date", "Date", sort="date"),
        label("Attack", sort="title"),
        Column("Place", place),
        field("killed", "Killed", sort="killed", numeric=True, width=70),
        field("wounded", "Wounded", numeric=True, width=80),
        field("claimed_by", "Claimed by"),
        field("status", "Status"),
        UPDATED,
    ),
    Kind.PERSON: (
        label("Name", sort="name"),
        field("aliases", "Aliases"),
        field("roles", "Roles"),
        field("nationality", "Nationality"),
        field("status", "Status"),
        UPDATED,
    ),
    Kind.GROUP: (
        label("Name", sort="name"),
        field("aliases", "Aliases"),
        field("group_kind", "Kind"),
        field("country", "Country"),
        UPDATED,
    ),
    Kind.SOURCE: (
        label("Title", sort="title"),
        field("published", "Published", sort="published"),
        field("publisher", "Publisher"),
        field("source_kind", "Kind"),
        Column(
            "Reliability",
            lambda r, labels: r.fields.reliability.value if r.fields.reliability else "",
        ),
        UPDATED,
    ),
    Kind.DOCUMENT: (
        label("File", sort="file_name"),
        field("media_type", "Type"),
        Column("Size", lambda r, labels: f"{r.fields.size / 1024:,.0f} KB", numeric=True),
        field("source", "Source"),
        Column("SHA-256", lambda r, labels: r.fields.sha256[:16] + "…"),
    ),
    Kind.QUOTE: (
        field("said", "Said", sort="said"),
        label("Quote"),
        field("speaker", "Speaker"),
        field("source", "Source"),
        field("page", "Page", numeric=True, width=60),
        Column(
            "Credibility",
            lambda r, labels: r.fields.credibility.value if r.fields.credibility else "",
        ),
        UPDATED,
    ),
    Kind.LINK: (
        field("subject", "Subject", width=260),
        field("relation", "Relation", sort="relation"),
        field("object", "Object", width=260),
        field("confidence", "Confidence"),
        UPDATED,
    ),
}
