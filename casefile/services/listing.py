"""Sorted, filtered pages of records, done in SQL so a million rows cost one page.

Paging is by keyset (the last row's sort value and ID), never OFFSET: the cost of the next
page does not grow with how far the reader has scrolled.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, cast
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Table,
    and_,
    false,
    func,
    literal,
    or_,
    select,
    tuple_,
    type_coerce,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from casefile.db import models as m
from casefile.db.engine import Sessions
from casefile.db.filters import DATED, Unindexed, tagged, within
from casefile.db.search_tables import FTS_KEY, FTS_TEXT, key_range
from casefile.domain.errors import InvalidInput
from casefile.domain.facts import value_refs
from casefile.domain.records import ReportFields, metadata_fields
from casefile.domain.search_query import prefix_match
from casefile.domain.terms import Kind
from casefile.services.list_query import DATED_KINDS, WORDS_KINDS, Cursor, ListQuery, Page, Window
from casefile.services.record_reading import MODEL_OF_KIND, labels, read_records, to_records

# Per kind: the columns a list can be sorted by (the first is the default), and the
# columns the quick text filter looks in. (The dates a range filters on: ``DATED``.)
SORTS: dict[Kind, dict[str, Any]] = {
    Kind.ATTACK: {"date": m.Attack.date, "title": m.Attack.title, "killed": m.Attack.killed},
    Kind.PERSON: {"name": m.Person.name},
    Kind.GROUP: {"name": m.Group.name},
    Kind.SOURCE: {"title": m.Source.title, "published": m.Source.published},
    Kind.DOCUMENT: {"file_name": m.Document.file_name},
    Kind.QUOTE: {"said": m.Quote.said},
    Kind.LINK: {"relation": m.Link.relation},
    Kind.REPORT: {"reported": m.Report.reported, "fact": m.Report.fact},
    Kind.JUDGEMENT: {"made": m.Judgement.made, "probability": m.Judgement.probability},
}
TEXT_COLUMNS: dict[Kind, tuple[Any, ...]] = {
    Kind.ATTACK: (m.Attack.title, m.Attack.location, m.Attack.city, m.Attack.country),
    Kind.PERSON: (m.Person.name, m.Person.aliases),
    Kind.GROUP: (m.Group.name, m.Group.aliases),
    Kind.SOURCE: (m.Source.title, m.Source.publisher, m.Source.authors, m.Source.url),
    Kind.DOCUMENT: (m.Document.file_name,),
    Kind.QUOTE: (m.Quote.text, m.Quote.translation),
    Kind.LINK: (),
    Kind.REPORT: (m.Report.value, m.Report.reason),
    Kind.JUDGEMENT: (m.Judgement.statement, m.Judgement.basis),
}
# The window's plain view of these (it loads no SQL): checked here, never to drift.
assert frozenset(DATED) == DATED_KINDS
assert frozenset(k for k, columns in TEXT_COLUMNS.items() if columns) == WORDS_KINDS
COMMON_SORTS = {"created": m.Record.created_at, "updated": m.Record.updated_at}


class Matching(Enum):
    """How the records that hold the words typed are told apart. Words are matched in the
    search index (a word prefix among a million quotes is an index lookup, a substring
    test reads every row); the matches are index keys, to be tied to records."""

    # Each match's record is looked up, then they are sorted: dear per match (a whole
    # list, a count).
    LOOKED_UP = "looked up"
    # The matches' records are listed first, and each entry of the index being walked in
    # order is checked against that list: dear per match, cheap per entry walked.
    LISTED = "listed"
    # Each entry of the index being walked has its own key looked up and checked against
    # the matches: cheap per match, dear per entry walked (the first rows of a list with
    # many matches: every entry walked is then likely one).
    KEYED = "keyed"


def _as_tuple(value: Any) -> tuple[Any, ...]:
    return value if isinstance(value, tuple) else (value,)


def sort_names(kind: Kind) -> list[str]:
    return [*SORTS[kind], *COMMON_SORTS]


# A list filtered by words at most this long is read whole once, in order, and kept, when
# a row far from both its ends is wanted. Finding such a row by position means walking
# the sort column's index, checking each entry against the matches, until that many
# matches are passed: a jump to the middle of ten thousand matches among a million rows
# walks half a million entries. Read once (a lookup and a sort per match), the list is
# sliced instead.
KEEP_AT_MOST = 100_000
# Rows near either end of a list filtered by words are found by walking the index for at
# most this many entries (about 15 ms), so the first page of a new filter costs what it
# shows, not what it matches. Farther in, the list is kept (above).
WALK_AT_MOST = 50_000
# A walk checks each entry's own key (``Matching.KEYED``) when it passes fewer than this
# many entries per match. Measured on a million quotes: listing the matches' records costs
# about 1.4 µs a match, looking up an entry's key 0.7 µs an entry.
KEYED_BELOW = 2
# A walk that took longer than this says the matches are not spread evenly: the list is
# kept from then on.
SLOW_WALK_S = 0.03

# Every STRIDE-th row of a long list (its sort value and ID) is remembered on the way to
# a jump. SQLite's indexes know no positions: a jump to row 500,000 walks 500,000 index
# entries, every time. With the row at the last multiple of STRIDE before it known, a jump
# walks fewer than STRIDE; the anchors on the way are found once, each from the last.
STRIDE = 4096
# A list filtered by dates, of a kind with end dates too (attacks), is found through both
# date indexes and sorted when it holds at most this many rows. Walked in the date
# index's order instead, it would check the end date of every record before the range's
# end: 15 ms to show 1,827 of 50,000 attacks, against 2 ms sorted.
SORTED_AT_MOST = STRIDE
# What a list has learnt survives changes to other kinds; past this many changes since,
# it is learnt again rather than the changes read to see which kinds they touched.
CHANGES_CHECKED = 10_000
# Anchors found by one step of ``Listing.prepare``: 65,536 index entries, a few ms once read.
PREPARED_AT_ONCE = 16


@dataclass(frozen=True)
class _Remembered:
    """Something learnt about one list as of one state of the case: the newest audit
    event says when the case has changed, since every change writes one."""

    query: ListQuery  # without its page (``after``, ``limit``)
    version: int
    value: Any


class Listing:
    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions
        # Per kind of record, one list's: "kept", a word-filtered list's IDs in order;
        # "slow walk", that walking to its rows proved slow; "anchors", cursors[k] is the
        # row at position (k + 1) * STRIDE - 1.
        self._remembered: dict[tuple[str, Kind], _Remembered] = {}
        self._lock = threading.Lock()

    def _recall(self, s: Session, what: str, q: ListQuery) -> tuple[_Remembered, bool]:
        """A blank record for ``q`` as the case is now, or the one remembered if it is
        still true (the list is the same, and no record of its kind changed since: adding
        a person keeps what was learnt of the quotes); and whether it was."""
        blank = _Remembered(replace(q, after=None, limit=0), self._version(s), None)
        with self._lock:
            known = self._remembered.get((what, q.kind))
        if known is None or known.query != blank.query:
            return blank, False
        if known.version != blank.version:
            if _kind_changed(s, q.kind, known.version):
                return blank, False
            known = replace(known, version=blank.version)  # checked up to now
            with self._lock:
                self._remembered[what, q.kind] = known
        return known, True

    def _remember(self, what: str, record: _Remembered, value: Any) -> None:
        with self._lock:
            self._remembered[what, record.query.kind] = replace(record, value=value)

    def _version(self, s: Session) -> int:
        return int(s.scalar(select(func.max(m.AuditEvent.id))) or 0)

    def _from_anchor(self, s: Session, q: ListQuery, first: int, count: int) -> list[UUID] | None:
        """The IDs at ``first`` (at least ``STRIDE``) to ``first + count`` of an ascending
        list, counted on from the anchor before them. None where that anchor has no sort
        value (the index cannot start at a NULL) or the list no longer reaches it: the
        caller walks from an end."""
        wanted = first // STRIDE
        anchors = self._anchors(s, q, wanted)
        if len(anchors) < wanted or anchors[wanted - 1].value is None:
            return None
        query, column, id_column = _in_order(q)
        query = query.where(_beyond(column, id_column, anchors[wanted - 1]))
        return list(s.scalars(query.limit(count).offset(first - wanted * STRIDE)))

    def _reach(self, s: Session, q: ListQuery) -> int:
        """How far into the ascending list its remembered anchors reach: a jump beyond the
        middle walks from them if that is shorter than walking from the list's end."""
        record, known = self._recall(s, "anchors", replace(q, descending=False))
        if not known or not record.value or record.value[-1].value is None:
            return 0  # anchors among empty values are found a row at a time, not by range
        return len(record.value) * STRIDE

    def _anchors(self, s: Session, q: ListQuery, wanted: int) -> list[Cursor]:
        """The first ``wanted`` anchors of an ascending list (fewer if it ends before),
        found on from those remembered, and remembered."""
        record, known = self._recall(s, "anchors", q)
        cursors: list[Cursor] = list(record.value) if known else []
        ids, column, id_column = _in_order(q)
        rows = ids.add_columns(column).limit(1)
        while len(cursors) < wanted:
            step = rows.offset(STRIDE - 1)
            if cursors and cursors[-1].value is not None:  # as an index range
                step = step.where(_beyond(column, id_column, cursors[-1]))
            elif cursors:
                step = step.where(_after(column, id_column, cursors[-1], desc=False))
            row = s.execute(step).first()
            if row is None:  # shorter than it was counted: changed since
                break
            cursors.append(Cursor(row[1], row[0]))
        self._remember("anchors", record, cursors)
        return cursors

    def prepare(self, q: ListQuery, total: int, stop: Callable[[], bool]) -> None:
        """Find now what a jump far into the list would otherwise find while the user
        waits: a long list's anchors, or a list filtered by words kept whole. For the
        window's idle time, after a list is shown: a jump to the middle of a million
        rows reads half an index, about 30 ms once its pages are in memory but half a
        second from a disk not read since the case was opened. Done in steps of a few
        milliseconds, each a read of its own; ``stop`` is asked between them."""
        if q.text.strip():
            if total <= KEEP_AT_MOST and not stop():
                with self.sessions.read() as s:
                    self._keep(s, q, self._recall(s, "kept", q))
            return
        ascending = replace(q, descending=False)
        for wanted in range(PREPARED_AT_ONCE, total // STRIDE + PREPARED_AT_ONCE, PREPARED_AT_ONCE):
            if stop():
                return
            with self.sessions.read() as s:
                if len(self._anchors(s, ascending, wanted)) < wanted:
                    return  # the list ends (or changed): nothing more to find

    def _kept(
        self, s: Session, q: ListQuery, start: int, count: int, total: int, *, rows: int
    ) -> list[str] | None:
        """A list filtered by words (of ``total`` among ``rows`` records), as its IDs
        (hex) in order, when it is known already or rows ``start`` to ``start + count``
        are too far from its ends to walk to (see ``KEEP_AT_MOST`` and ``WALK_AT_MOST``);
        None: walk. (Other filters narrow the index that is walked; words are matched in
        the search index.)"""
        if not q.text.strip() or total > KEEP_AT_MOST:
            return None
        remembered = self._recall(s, "kept", q)
        if not remembered[1]:
            matched = min(start, total - (start + count)) + count
            # Entries walked, if the matches are spread evenly through the index; unless a
            # walk proved slow (the words follow the order: "abu" among names sorted Z to A).
            slow = self._recall(s, "slow walk", q)[1]
            if matched * rows <= WALK_AT_MOST * total and not slow:
                return None
        return self._keep(s, q, remembered)

    def _keep(
        self, s: Session, q: ListQuery, remembered: tuple[_Remembered, bool]
    ) -> list[str] | None:
        """A list filtered by words, read whole in order and remembered (as it was
        ``remembered``); None if it holds more than ``KEEP_AT_MOST``."""
        record, known = remembered
        if known:
            kept: list[str] = record.value
            return kept
        query, _column, id_column = _in_order(q, Matching.LOOKED_UP)
        # As stored (hex): making a UUID of each costs as much as finding it.
        as_text = query.with_only_columns(type_coerce(id_column, String))
        found = list(s.scalars(as_text.limit(KEEP_AT_MOST + 1)))
        if len(found) > KEEP_AT_MOST:  # grown since it was counted
            return None
        self._remember("kept", record, found)
        return found

    def page(self, q: ListQuery) -> Page:
        """The first ``q.limit`` records after ``q.after`` (keyset paging)."""
        if q.limit < 1:
            raise InvalidInput("a page holds at least one record")
        model = MODEL_OF_KIND[q.kind]
        query, column, id_column = _ordered(select(model), q)
        if q.after is not None:
            query = query.where(_after(column, id_column, q.after, q.descending))
        with self.sessions.read() as s:
            rows = list(s.scalars(query.limit(q.limit + 1)))
            more = len(rows) > q.limit
            rows = rows[: q.limit]
            records = to_records(s, rows)
        last = rows[-1] if more else None
        cursor = Cursor(getattr(last, column.key), last.id) if last is not None else None
        return Page(records, cursor)

    def window(self, q: ListQuery, start: int, count: int, total: int) -> Window:
        """The records at positions ``start`` to ``start + count`` in the list's order.

        For a table that jumps anywhere (a scroll bar dragged to the end of a million
        rows): the IDs are found first, walking the (column, id) index from whichever end
        of the list is nearer, then only those records are loaded."""
        if count < 1 or start < 0:
            raise InvalidInput("a window holds at least one record")
        count = min(count, max(total - start, 0))
        if count == 0:
            return Window([], {})
        from_end = start > total - (start + count)
        flipped = replace(q, descending=not q.descending) if from_end else q
        offset = total - (start + count) if from_end else start
        with self.sessions.read() as s:
            rows = _rows(s, q.kind) if q.text.strip() else 0
            kept = self._kept(s, q, start, count, total, rows=rows)
            # The same rows in ascending order start at ``first`` (SQLite puts NULLs first
            # going up and last going down: one order is the other reversed).
            first = total - (start + count) if q.descending else start
            ids = None
            if kept is not None:
                ids = [UUID(hex) for hex in kept[start : start + count]]
            elif first >= STRIDE and first - self._reach(s, q) <= total - (first + count):
                ids = self._from_anchor(s, replace(q, descending=False), first, count)
                if ids is not None and q.descending:
                    ids.reverse()
            if ids is None:
                began = time.perf_counter()
                matching = _matching(q, offset + count, total, rows)
                walk = _in_order(flipped, matching, few=total <= SORTED_AT_MOST)[0]
                ids = list(s.scalars(walk.limit(count).offset(offset)))
                if from_end:
                    ids.reverse()
                if q.text.strip() and time.perf_counter() - began > SLOW_WALK_S:
                    self._remember("slow walk", self._recall(s, "slow walk", q)[0], True)
            records = read_records(s, q.kind, ids)
            refs = {
                value
                for r in records
                for name, _kinds in metadata_fields(type(r.fields), "ref")
                for value in _as_tuple(getattr(r.fields, name))
                if value is not None
            }
            refs.update(
                claimant
                for r in records
                if isinstance(r.fields, ReportFields)
                for claimant in value_refs(r.fields.fact, r.fields.value)
            )
            return Window(records, labels(s, refs))

    def position(self, q: ListQuery, record_id: UUID) -> int | None:
        """Where a record stands in the list (its row), or None if the query excludes it."""
        model = MODEL_OF_KIND[q.kind]
        query, column, id_column = _ordered(select(model), q)
        with self.sessions.read() as s:
            record = s.scalars(query.where(model.id == record_id)).one_or_none()
            if record is None:
                return None
            cursor = Cursor(getattr(record, column.key), record.id)
            after = _filtered(select(func.count(model.id)), q).where(
                _after(column, id_column, cursor, q.descending)
            )
            if q.sort in COMMON_SORTS:
                after = after.where(m.Record.kind == q.kind)
            total = self.count(q)
            return total - int(s.scalar(after) or 0) - 1

    def count(self, q: ListQuery) -> int:
        """Unfiltered, from the counts the triggers keep; by words alone, from the search
        index (its rows of a kind are that kind's records); otherwise from the kind's own
        table (joining the shared record table would walk every record of every kind)."""
        if not _is_filtered(q):
            query = select(m.RecordCount.n).where(m.RecordCount.kind == q.kind)
        elif not _is_filtered(replace(q, text="")):
            query = _matches(q).with_only_columns(func.count())
        else:
            query = _filtered(select(func.count()).select_from(_table(q.kind)), q)
        with self.sessions.read() as s:
            return int(s.scalar(query) or 0)


def _kind_changed(s: Session, kind: Kind, since: int) -> bool:
    """Whether the audit trail holds a change to a record of ``kind`` after event
    ``since``: every change writes an event, in its transaction. An event of anything
    but a record (a tag's name, the case's title) counts as a change to every kind, as
    do more events than ``CHANGES_CHECKED`` (read in the trail's own order: an index
    range)."""
    found = s.scalars(
        select(m.AuditEvent.kind)
        .where(m.AuditEvent.id > since)
        .order_by(m.AuditEvent.id)
        .limit(CHANGES_CHECKED + 1)
    ).all()
    return len(found) > CHANGES_CHECKED or any(k == kind.value or k not in _KINDS for k in found)


_KINDS = frozenset(k.value for k in Kind)


def _is_filtered(q: ListQuery) -> bool:
    return bool(q.text.strip() or q.tag.strip() or q.since or q.until)


def _sort(q: ListQuery) -> tuple[str, Any]:
    """The sort's name and the mapped attribute it orders by (a one-line error if none)."""
    sorts = {**SORTS[q.kind], **COMMON_SORTS}
    name = q.sort or next(iter(SORTS[q.kind]))
    if name not in sorts:
        raise InvalidInput(f"{q.kind.value}s cannot be sorted by '{name}' ({', '.join(sorts)})")
    return name, sorts[name]


def _ordered(query: Select[Any], q: ListQuery) -> tuple[Select[Any], Any, Any]:
    """``query`` filtered and ordered by the list's sort column, ties broken by ID."""
    model = MODEL_OF_KIND[q.kind]
    name, column = _sort(q)
    # Tie-break on the ID column of the table that holds the sort column, so that one
    # (column, id) index serves both the order and the keyset condition.
    id_column = m.Record.id if name in COMMON_SORTS else model.id
    query = _filtered(query, q)
    if name in COMMON_SORTS:
        # Implied by the join; stated so the (kind, time, id) index serves the order.
        query = query.where(m.Record.kind == q.kind)
    order = (column.desc(), id_column.desc()) if q.descending else (column, id_column)
    return query.order_by(*order), column, id_column


def _rows(s: Session, kind: Kind) -> int:
    return int(s.scalar(select(m.RecordCount.n).where(m.RecordCount.kind == kind)) or 0)


def _matching(q: ListQuery, passed: int, total: int, rows: int) -> Matching:
    """How a walk past ``passed`` rows of a list of ``total`` (among ``rows`` records)
    tells the records that hold the words: ``KEYED`` if it walks fewer than
    ``KEYED_BELOW`` entries per match (the matches spread evenly), else ``LISTED``."""
    if not q.text.strip():
        return Matching.LISTED
    walked = passed * rows / max(total, 1)
    return Matching.KEYED if walked < KEYED_BELOW * total else Matching.LISTED


def _table(kind: Kind) -> Table:
    return cast(Table, MODEL_OF_KIND[kind].__table__)


def _in_order(
    q: ListQuery, matching: Matching = Matching.LISTED, *, few: bool = False
) -> tuple[Select[Any], Any, Any]:
    """The IDs of the list in its order, read from one table's (column, id) index where
    the sort allows: an OFFSET then skips index entries, not joined rows. With the sort
    column and the ID column, for keyset conditions. ``matching``: how the words typed
    are checked (see ``Matching``); ``few``: the list is short (see ``SORTED_AT_MOST``)."""
    table = _table(q.kind)
    name, column = _sort(q)
    id_column: Any = table.c.id
    if name in COMMON_SORTS:
        id_column = m.Record.id
        query = select(m.Record.id).where(m.Record.kind == q.kind)
        if _is_filtered(q):
            query = query.join(table, table.c.id == m.Record.id)
    else:
        column = table.c[column.property.columns[0].name]
        query = select(table.c.id)
    query = _filtered(query, q, matching)
    by = Unindexed(column) if few and q.dates and DATED[q.kind][1] is not None else column
    order = (by.desc(), id_column.desc()) if q.descending else (by, id_column)
    return query.order_by(*order), column, id_column


def _matches(q: ListQuery) -> Select[Any]:
    """The search index's rows of the list's kind that hold the words typed (as the
    start of words: "glasg" finds Glasgow): only that kind's range of keys is read."""
    if not TEXT_COLUMNS[q.kind]:
        raise InvalidInput(f"{q.kind.value}s have no text to filter on")
    match = prefix_match(q.text)
    start, end = key_range(q.kind.value)
    rows = FTS_TEXT.c.rowid
    if match is None:  # punctuation alone: no word can match it
        return select(rows).where(false())
    return select(rows).where(FTS_TEXT.c.fts_text.op("MATCH")(match), rows >= start, rows < end)


def _filtered(
    query: Select[Any], q: ListQuery, matching: Matching = Matching.LOOKED_UP
) -> Select[Any]:
    """``query`` narrowed to the list's filters."""
    table = _table(q.kind)
    if q.text.strip():
        if matching is Matching.KEYED:
            key = select(FTS_KEY.c.id).where(FTS_KEY.c.record_id == table.c.id, FTS_KEY.c.page == 0)
            query = query.where(key.scalar_subquery().in_(_matches(q)))
        else:
            indexed = select(FTS_KEY.c.record_id).where(FTS_KEY.c.id.in_(_matches(q)))
            # Kept from answering the IN through the ID's own index.
            plus = Unindexed(table.c.id)
            query = query.where((plus if matching is Matching.LISTED else table.c.id).in_(indexed))
    if q.tag.strip():
        query = query.where(tagged(table.c.id, q.tag))
    if q.dates:
        if q.kind not in DATED:
            raise InvalidInput(f"{q.kind.value}s have no date to filter on")
        query = query.where(within(q.kind, q.dates))
    return query


def _beyond(column: Any, id_col: Any, c: Cursor) -> ColumnElement[bool]:
    """Rows after the cursor in ascending (column, id) order, for a cursor with a value:
    one row-value comparison, which SQLite reads as a range of the (column, id) index."""
    value = literal(c.value, type_=column.type)
    return tuple_(column, id_col) > tuple_(value, literal(c.id, type_=id_col.type))


def _after(
    column: InstrumentedAttribute[Any], id_col: Any, c: Cursor, desc: bool
) -> ColumnElement[bool]:
    """Rows after the cursor in (column, id) order, with NULLs first as SQLite sorts them."""
    if c.value is None:
        if desc:
            return and_(column.is_(None), id_col < c.id)
        return or_(and_(column.is_(None), id_col > c.id), column.is_not(None))
    if desc:
        return or_(column < c.value, and_(column == c.value, id_col < c.id), column.is_(None))
    return or_(column > c.value, and_(column == c.value, id_col > c.id))
