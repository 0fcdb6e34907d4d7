"""A list's query and its answers as plain values: what the window asks for and is given
(``listing.Listing`` answers in SQL). Apart from the listing so that the window can build
its filters and tables before the database layer is loaded (its first paint).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from casefile.domain.dates import DateRange, PartialDate
from casefile.domain.records import Record
from casefile.domain.terms import Kind

# The kinds a list can be filtered by dates (``db.filters.DATED`` says by which columns),
# and those it can be filtered by words (``listing.TEXT_COLUMNS``).
DATED_KINDS = frozenset(
    {Kind.ATTACK, Kind.PERSON, Kind.SOURCE, Kind.QUOTE, Kind.REPORT, Kind.JUDGEMENT}
)
WORDS_KINDS = frozenset(Kind) - {Kind.LINK}


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: the last row's sort value and ID."""

    value: Any
    id: UUID


@dataclass(frozen=True)
class ListQuery:
    kind: Kind
    sort: str | None = None
    descending: bool = False
    text: str = ""
    tag: str = ""
    since: PartialDate | None = None
    until: PartialDate | None = None
    limit: int = 50
    after: Cursor | None = None

    def __post_init__(self) -> None:
        DateRange(self.since, self.until)  # a range ending before it starts: refused now

    @property
    def dates(self) -> DateRange:
        return DateRange(self.since, self.until)


@dataclass(frozen=True)
class Page:
    records: list[Record[Any]]
    next: Cursor | None


@dataclass(frozen=True)
class Window:
    """Rows for a table, with the labels of the records they refer to."""

    records: list[Record[Any]]
    labels: dict[UUID, str]
