"""The SQL of search, which SQLite's full-text index (FTS5) and its functions (``MATCH``,
``bm25``) shape: written here, behind ``casefile/db``, so that the service in
``casefile.services.search`` holds only what a search does, not how this database does it.

Rows of the index are keyed by ranges per kind (``search_tables.key_range``), so a kind
is a span of keys FTS5 can seek to; filters other than kinds are the shared ones of
``casefile.db.filters``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal_column, select, text, union_all
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from casefile.db import models as m
from casefile.db.filters import DATED, as_sql, documents_within, tagged, within
from casefile.db.search_bounds import Texts
from casefile.db.search_tables import FTS_CREATE, KEY_RANGES, key_range
from casefile.domain.dates import DateRange
from casefile.domain.search_query import SearchQuery
from casefile.domain.terms import Kind

# Ranking weights per column: a match in a title (a name, a quote's words) outranks one
# in the body, which outranks one in the notes.
WEIGHTS = (10.0, 3.0, 1.0)
# How many of a kind's matches are ranked: all of them up to this many, else its newest
# this many (about 12 ms of scoring; see ``SearchService._top``).
CANDIDATES = 10_000


def index_problems(s: Session) -> list[str]:
    found: list[str] = []
    try:  # FTS5 reads every row's text from ``fts_source`` and compares it with the index
        s.execute(text("INSERT INTO fts_text (fts_text, rank) VALUES ('integrity-check', 1)"))
    except DBAPIError as exc:  # damage, or words that are not the text's, are this error
        found.append(f"search index: damaged or out of step with the text ({exc.orig or exc})")
    for kind in Kind:
        start, end = key_range(kind.value)
        unkeyed = s.scalar(
            text(
                f'SELECT count(*) FROM "{kind.value}" t LEFT JOIN fts_key k '
                f"ON k.record_id = t.id AND k.page = 0 AND k.id >= {start} AND k.id < {end} "
                "WHERE k.id IS NULL"
            )
        )
        if unkeyed:
            found.append(f"search index: {unkeyed} {kind.value} record(s) out of step")
    start, end = key_range("page")
    pages = s.scalar(
        text(
            "SELECT count(*) FROM document_page p LEFT JOIN fts_key k "
            "ON k.record_id = p.document_id AND k.page = p.number "
            f"AND k.id >= {start} AND k.id < {end} WHERE k.id IS NULL"
        )
    )
    if pages:
        found.append(f"search index: {pages} document page(s) out of step")
    waiting = s.scalar(text("SELECT count(*) FROM fts_pending"))
    if waiting:
        found.append(f"search index: {waiting} entries were never indexed")
    extra = s.scalar(
        text(
            "SELECT (SELECT count(*) FROM fts_key) - (SELECT count(*) FROM record) "
            "- (SELECT count(*) FROM document_page)"
        )
    )
    if extra:
        found.append(f"search index: {extra} entries for records that do not exist")
    wrong_counts = s.scalar(
        text(
            "SELECT count(*) FROM (SELECT kind, count(*) AS n FROM record GROUP BY kind) a "
            "FULL JOIN record_count c USING (kind) WHERE coalesce(a.n, 0) <> coalesce(c.n, 0)"
        )
    )
    if wrong_counts:
        found.append(f"record counts: {wrong_counts} kind(s) out of step")
    return found


SCORE = f"bm25(fts_text, {', '.join(str(w) for w in WEIGHTS)}) AS score"


def match_in_columns(query: SearchQuery, match: str) -> str:
    return f"{{notes}} : ({match})" if "note" in query.kinds else match


Span = tuple[int, int]  # index keys from the first to before the second


def kind_spans(query: SearchQuery) -> list[Span]:
    """The range of keys of each kind asked for (of every kind when none is), in order."""
    names = [k.value if isinstance(k, Kind) else k for k in query.kinds if k != "note"]
    return sorted(key_range(name) for name in names or KEY_RANGES)


def joined(spans: list[Span]) -> list[Span]:
    """``spans`` (in order), neighbours joined into one."""
    whole: list[Span] = []
    for start, end in spans:
        if whole and whole[-1][1] == start:
            whole[-1] = (whole[-1][0], end)
        else:
            whole.append((start, end))
    return whole


def split_spans(spans: list[Span], key: int) -> list[list[Span]]:
    """The spans below ``key``, and those from it on."""
    below = [(a, min(b, key)) for a, b in spans if a < key]
    above = [(max(a, key), b) for a, b in spans if b > key]
    return [half for half in (below, above) if half]


def within_spans(spans: list[Span]) -> str:
    """``AND`` the row's key is in one of the spans. FTS5 seeks to a key and stops at
    another, so it reads from the first span's start to the last one's end, and the rows
    between spans are then dropped (before they are scored)."""
    within = f"AND fts_text.rowid >= {spans[0][0]} AND fts_text.rowid < {spans[-1][1]}"
    if len(spans) == 1:
        return within
    each = " OR ".join(f"fts_text.rowid BETWEEN {a} AND {b - 1}" for a, b in spans)
    return f"{within} AND ({each})"


# What says the case has changed: every change writes an audit event (a reindex too).
STAMP = select(func.max(m.AuditEvent.id))


def _matching(
    query: SearchQuery, fts_match: str, span: Span, filtered: bool
) -> tuple[str, dict[str, Any]]:
    """FROM and WHERE of the matches in ``span`` (past the filters if ``filtered``), as
    FTS5 reads them: in key order, without scoring any."""
    where, params = filters(query) if filtered else ([], {})
    joins = "JOIN fts_key k ON k.id = fts_text.rowid" if where else ""
    sql = (
        f"FROM fts_text {joins} WHERE fts_text MATCH :match {within_spans([span])}"
        f"{''.join(' AND ' + w for w in where)}"
    )
    return sql, {**params, "match": fts_match}


def newest(query: SearchQuery, fts_match: str, spans: list[Span], filtered: bool) -> Any:
    """Per span (``start``, ``end``): how many matches it has, up to ``CANDIDATES``
    (``n``); whether it has that many (``full``); and the key of the oldest of its newest
    ``CANDIDATES`` (``edge``): a walk back from its end through at most that many keys,
    the spans in one statement."""
    each = []
    params: dict[str, Any] = {}
    for start, end in spans:
        matching, params = _matching(query, fts_match, (start, end), filtered)
        each.append(
            f'SELECT {start} AS start, {end} AS "end", count(*) AS n, '
            f"count(*) = {CANDIDATES} AS full, min(rowid) AS edge FROM "
            f"(SELECT fts_text.rowid AS rowid {matching} "
            f"ORDER BY fts_text.rowid DESC LIMIT {CANDIDATES})"
        )
    return text(" UNION ALL ".join(each)).bindparams(**params)


def nth_newest(query: SearchQuery, fts_match: str, span: Span, filtered: bool, nth: int) -> Any:
    """The key of the ``nth`` newest match of ``span`` (the first is 1)."""
    matching, params = _matching(query, fts_match, span, filtered)
    sql = f"SELECT fts_text.rowid {matching} ORDER BY fts_text.rowid DESC LIMIT 1 OFFSET :skip"
    return text(sql).bindparams(**params, skip=nth - 1)


def ranked(query: SearchQuery, fts_match: str, n: int, spans: list[Span], filtered: bool) -> Any:
    """The best ``n`` matches (rowid, score) among the keys of ``spans``, and past the
    other filters if ``filtered``. Without filters, FTS5 ranks alone and only the rows
    kept are joined to their records (by ``passing``): joining every match of a common
    word first would cost more than ranking it."""
    where, params = filters(query) if filtered else ([], {})
    joins = "JOIN fts_key k ON k.id = fts_text.rowid" if where else ""
    sql = (
        f"SELECT fts_text.rowid AS rowid, {SCORE} FROM fts_text {joins} "
        f"WHERE fts_text MATCH :match {within_spans(spans)} {''.join(' AND ' + w for w in where)} "
        "ORDER BY score, fts_text.rowid LIMIT :n"  # ties cut as the halves are merged
    )
    return text(sql).bindparams(**params, match=fts_match, n=n)


def passing(query: SearchQuery, pool: Sequence[tuple[int, float]], limit: int) -> Any:
    """The best ``limit`` rows of ``pool`` (key, score) that pass the filters, checked row
    by row, with the record each stands for."""
    where, params = filters(query, per_row=True)
    # CROSS JOIN keeps SQLite from starting at the records (every quote) instead.
    sql = (
        "SELECT best.rowid AS rowid, best.score AS score, k.record_id AS record_id, "
        "k.page AS page, r.kind AS kind FROM (SELECT value ->> 0 AS rowid, "
        "value ->> 1 AS score, key AS place FROM json_each(:pool)) best "
        "CROSS JOIN fts_key k ON k.id = best.rowid CROSS JOIN record r ON r.id = k.record_id "
        f"WHERE 1 {''.join(' AND ' + w for w in where)} ORDER BY best.place LIMIT :limit"
    )
    params.update(pool=json.dumps(pool), limit=limit)
    return text(sql).bindparams(**params)


def texts_of(s: Session, rowids: list[int]) -> Texts:
    """The text of each row of the index: its title, body and notes."""
    found = s.execute(
        text(
            "SELECT rowid, title, body, notes FROM fts_text "
            "WHERE rowid IN (SELECT value FROM json_each(:rowids))"
        ).bindparams(rowids=json.dumps(rowids))
    )
    return {rowid: (title, body, notes) for rowid, title, body, notes in found}


def _among(selects: list[tuple[str, str]], per_row: bool) -> str:
    """``k.record_id`` among the IDs the ``(SELECT id ... WHERE ..., id column)`` give.
    Per row, each select is tied to the row's record (a primary-key lookup) instead of
    being listed whole first: cheaper for a thousand rows, dearer for a hundred thousand."""
    tied = [f"{sql} AND {column} = k.record_id" if per_row else sql for sql, column in selects]
    return f"k.record_id IN ({' UNION ALL '.join(tied)})"


def _tied(ids: Any, key: Any, per_row: bool) -> list[Any]:
    """Per row, a select of IDs is tied to the row's record (see ``_among``)."""
    return [ids == key] if per_row else []


def filters(query: SearchQuery, *, per_row: bool = False) -> tuple[list[str], dict[str, Any]]:
    """The filters other than kinds (``key_spans``), on the row's key ``k``."""
    where: list[str] = []
    params: dict[str, Any] = {}
    shared: list[Any] = []  # as the tables filter (``casefile.db.filters``)
    key: ColumnElement[Any] = literal_column("k.record_id")
    for tag in query.tags:
        shared.append(tagged(key, tag))
    dates = DateRange(query.since, query.until)
    if dates:
        per_kind: list[Any] = []
        for kind, (start, _end) in DATED.items():
            ids = start.table.c.id
            per_kind.append(select(ids).where(within(kind, dates), *_tied(ids, key, per_row)))
        documents = documents_within(dates)
        per_kind.append(documents.where(*_tied(m.Document.__table__.c.id, key, per_row)))
        shared.append(key.in_(union_all(*per_kind)))
    if shared:
        sql, values = as_sql(and_(*shared))
        where.append(sql)
        params.update(values)
    if query.reliability:
        grades = ", ".join(f":grade{i}" for i in range(len(query.reliability)))
        params.update({f"grade{i}": g.value for i, g in enumerate(query.reliability)})
        graded = f"s.reliability IN ({grades})"
        through_source = [
            (f"SELECT s.id FROM source s WHERE {graded}", "s.id"),
            (
                f"SELECT q.id FROM quote q JOIN source s ON s.id = q.source_id WHERE {graded}",
                "q.id",
            ),
            (
                f"SELECT d.id FROM document d JOIN source s ON s.id = d.source_id WHERE {graded}",
                "d.id",
            ),
        ]
        where.append(_among(through_source, per_row))
    return where, params


def rebuild_index(s: Session) -> int:
    """Make the index (and the record counts) anew from the data; the rows indexed.
    Made anew, not emptied row by row (which reads every row's text again to find what
    to remove). Keys are given again in the order the rows were made, as the triggers
    give them: the newest have the highest (``SearchService._top`` reads them first)."""
    s.execute(text("DROP TABLE fts_text"))
    s.execute(text(FTS_CREATE))
    s.execute(text("DELETE FROM fts_key"))
    s.execute(text("DELETE FROM fts_pending"))
    for kind in Kind:
        start, _end = key_range(kind.value)
        s.execute(
            text(
                "INSERT INTO fts_key (id, record_id, page) SELECT "
                f"{start - 1} + row_number() OVER (ORDER BY r.created_at, r.id), r.id, 0 "
                f'FROM "{kind.value}" t JOIN record r ON r.id = t.id'
            )
        )
    start, _end = key_range("page")
    s.execute(
        text(
            f"INSERT INTO fts_key (id, record_id, page) SELECT {start - 1} + row_number() "
            "OVER (ORDER BY r.created_at, p.document_id, p.number), p.document_id, p.number "
            "FROM document_page p JOIN record r ON r.id = p.document_id"
        )
    )
    s.execute(text("INSERT INTO fts_text (fts_text) VALUES ('rebuild')"))
    s.execute(text("DELETE FROM record_count"))
    s.execute(
        text("INSERT INTO record_count (kind, n) SELECT kind, count(*) FROM record GROUP BY kind")
    )
    return int(s.scalar(text("SELECT count(*) FROM fts_key")) or 0)
