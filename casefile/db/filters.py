"""The filters that the tables, search and the briefing pack share, as SQL conditions,
defined once: a tag, and a date range (whose meaning is ``dates.DateRange``'s).

Dates are stored as EDTF text, which sorts as it reads; a range is then a range of the
date's index and a few named values, never a function called on every row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, and_, func, or_, select, true, type_coerce
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.compiler import SQLCompiler

from casefile.db import models as m
from casefile.db.engine import fold
from casefile.domain.dates import DateRange
from casefile.domain.terms import Kind

_ATTACK, _PERSON, _SOURCE, _QUOTE, _DOCUMENT, _REPORT, _JUDGEMENT = (
    model.__table__
    for model in (m.Attack, m.Person, m.Source, m.Quote, m.Document, m.Report, m.Judgement)
)
# The dates a record of each kind is placed in time by: its date, and its end date if it
# has one (columns of the kind's own table: a filter needs no join to the records').
# Documents are placed by their source's date (see ``documents_within``).
DATED: dict[Kind, tuple[Any, Any]] = {
    Kind.ATTACK: (_ATTACK.c.date, _ATTACK.c.end_date),
    Kind.PERSON: (_PERSON.c.birth_date, None),
    Kind.SOURCE: (_SOURCE.c.published, None),
    Kind.QUOTE: (_QUOTE.c.said, None),
    Kind.REPORT: (_REPORT.c.reported, None),
    Kind.JUDGEMENT: (_JUDGEMENT.c.made, None),
}


def tagged(
    record_id: ColumnElement[Any] | InstrumentedAttribute[Any], tag: str
) -> ColumnElement[bool]:
    """The record has ``tag`` (compared as tags compare: case-folded)."""
    with_tag = (
        select(m.RecordTag.record_id)
        .join(m.Tag)
        .where(func.casefold(m.Tag.name) == fold(tag.strip()))
    )
    return record_id.in_(with_tag)


def within(kind: Kind, dates: DateRange) -> ColumnElement[bool]:
    """A record of ``kind`` (a kind in ``DATED``) has dates that meet ``dates``."""
    start, end = DATED[kind]
    return dated_within(start, end, dates)


def documents_within(dates: DateRange) -> Any:
    """The IDs of the documents whose source's date meets ``dates``."""
    return (
        select(_DOCUMENT.c.id)
        .join(_SOURCE, _SOURCE.c.id == _DOCUMENT.c.source_id)
        .where(within(Kind.SOURCE, dates))
    )


def dated_within(start: Any, end: Any | None, dates: DateRange) -> ColumnElement[bool]:
    """Dates from ``start`` to ``end`` (a column, or None for a single date) meet
    ``dates``: they start by the range's end and end from its start."""
    first = type_coerce(start, String)
    one = and_(first.is_not(None), _one_date_within(first, dates))
    if end is None or dates.low is None:  # without a start to the range, ends never matter
        return one
    last = type_coerce(end, String)
    # The rows whose end date reaches into the range while their date does not: found
    # through the end date's index (the date's is kept out of it: else SQLite may walk
    # every date before the range's end, as at 50,000 attacks, 25 ms instead of 2).
    holding = dates.holding_low()
    ends_from = or_(last >= dates.low, last.in_(holding)) if holding else last >= dates.low
    by_end = Unindexed(first)
    return or_(one, and_(by_end.is_not(None), ends_from, _starts_by(by_end, dates)))


def _one_date_within(date: Any, dates: DateRange) -> ColumnElement[bool]:
    """A single date meets ``dates``: one range of its index, and the coarser dates that
    hold the range's start or circa dates that sort past its end, named."""
    low, high = dates.low, dates.high
    bounds = [*([date >= low] if low else []), *([date < high] if high else [])]
    if not bounds:
        return true()
    named = dates.holding_low() + [c for c in dates.circa_before_high() if low is None or c >= low]
    return or_(and_(*bounds), date.in_(named)) if named else and_(*bounds)


def _starts_by(date: Any, dates: DateRange) -> ColumnElement[bool]:
    high = dates.high
    if high is None:
        return true()
    circa = dates.circa_before_high()
    return or_(date < high, date.in_(circa)) if circa else date < high


class Unindexed(ColumnElement[Any]):
    """A column whose index a condition must not use: on SQLite written ``+column`` (the
    planner's documented way to leave an index out), elsewhere as it is."""

    inherit_cache = True

    def __init__(self, column: ColumnElement[Any]) -> None:
        self.column = column
        self.type = column.type


@compiles(Unindexed)
def _unindexed(element: Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


@compiles(Unindexed, "sqlite")
def _unindexed_sqlite(element: Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return f"+{compiler.process(element.column, **kw)}"


def as_sql(condition: ColumnElement[bool]) -> tuple[str, dict[str, Any]]:
    """``condition`` as SQL text with named parameters, for the statements search writes
    as text around FTS5 (``MATCH``, ``bm25``), which SQLAlchemy does not express."""
    compiled = condition.compile(dialect=_NAMED, compile_kwargs={"render_postcompile": True})
    return str(compiled), dict(compiled.params)


_NAMED = sqlite.dialect(paramstyle="named")
