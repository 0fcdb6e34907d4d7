"""Search everything in a case: records, notes and document pages, ranked, with snippets.

The index (SQLite FTS5, see migrations 0003 and 0004) is kept in step inside every
transaction, by triggers and by ``index_pending`` as each action commits; this module only
reads it, rebuilds it (``reindex``) and checks it. Names of people and groups are also
found by near spellings of what was typed (rapidfuzz), since transliterated names are
spelt many ways: "Masud" finds "Masood".

A search's cost is bounded: its snippets are made over a bounded length of each hit's
text, however many matches that holds, and it stops at its time budget (see
``casefile.db.search_bounds``).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Sequence
from concurrent import futures
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID, uuid4

from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler
from sqlalchemy import ColumnElement, Row, and_, func, literal_column, select, text, union_all
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from casefile.audit import AuditLog, created, diff
from casefile.dates import DateRange
from casefile.db import models as m
from casefile.db.engine import PARALLEL_READS, Sessions
from casefile.db.filters import DATED, as_sql, documents_within, tagged, within
from casefile.db.search_bounds import Marks, OutOfTime, Shown, Texts, TimeBudget, snippets
from casefile.db.search_tables import FTS_CREATE, TEXT, key_range
from casefile.errors import InvalidInput, NotFound
from casefile.record_service import labels
from casefile.search_query import SearchQuery, parse
from casefile.vocab import Kind

SAVED = "saved_search"  # the audit trail's kind for saved searches
MARK_START, MARK_END = "\x02", "\x03"  # around matched words in a snippet
MARKS = Marks(MARK_START, MARK_END, ellipsis="…", words=14)
NOTES = 2  # the index's column of a record's notes (after its title and body)
# Seconds a search may take: then it stops, and gives what it has found and says so.
BUDGET = 2.0
# Jaro-Winkler similarity from which a word of a name counts as the word typed: it
# weighs the shared beginning, as transliterations share it (Masud, Masood, Massoud).
NEAR_SPELLING = 0.86
# Ranking weights per column: a match in a title (a name, a quote's words) outranks one
# in the body, which outranks one in the notes.
WEIGHTS = (10.0, 3.0, 1.0)
POOL = 1000  # the best matches a filter is checked on first
# Matches from which ranking them in two halves at once pays (about 5 ms of scoring,
# against about 1 ms to hand a half over; see ``SearchService._top``).
SPLIT_FROM = 10_000


@dataclass(frozen=True)
class Hit:
    record_id: UUID
    kind: Kind
    group: str  # what the result list groups by: a kind's value, "page" or "note"
    label: str
    snippet: str  # matched words between MARK_START and MARK_END
    page: int | None = None


def group_title(group: str) -> str:
    """What a group of results is called, for the window and the CLI alike."""
    if group in GROUPS_OUTSIDE_KINDS:
        return GROUPS_OUTSIDE_KINDS[group]
    kind = Kind.parse(group)
    return "People" if kind is Kind.PERSON else f"{kind.label}s"


GROUPS_OUTSIDE_KINDS = {"page": "Document pages", "note": "Notes"}


@dataclass(frozen=True)
class Saved:
    name: str
    query: str


@dataclass(frozen=True)
class SearchResult:
    query: SearchQuery
    hits: list[Hit]
    stopped_after: float | None = None  # the time budget, if it ran out before the end

    def stopped(self) -> str | None:
        """One line saying that the search ran out of time (None if it did not)."""
        if self.stopped_after is None:
            return None
        after = f"Search stopped after {self.stopped_after:g} s"
        return f"{after}: the results so far" if self.hits else f"{after}, before finding any"


class SearchService:
    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions
        self._named: tuple[Any, Names] | None = None
        # Ranks the second half of a search's matches (see ``_top``); its thread starts
        # at the first search.
        self._halves = futures.ThreadPoolExecutor(1, thread_name_prefix="search")

    def _names(self, s: Session) -> Names:
        """The words of every person's and group's names, kept while they do not change
        (their count and latest change say when they have)."""
        version = s.execute(
            select(func.count(), func.max(m.Record.updated_at)).where(
                m.Record.kind.in_((Kind.PERSON, Kind.GROUP))
            )
        ).one()
        if self._named is None or self._named[0] != tuple(version):
            self._named = (tuple(version), Names.read(s))
        return self._named[1]

    def search(
        self,
        typed: str,
        *,
        kind: Kind | None = None,
        limit: int = 50,
        budget: float | None = None,
    ) -> SearchResult:
        """The best ``limit`` matches for what was typed, best first.

        After ``budget`` seconds (``BUDGET`` unless given) the search stops and gives what
        it has, and says so: nothing if it was still ranking the matches, else the best
        ones, with the snippets made by then. Their labels are read whatever the time
        (a look-up each)."""
        query = parse(typed)
        if kind is not None:
            query.kinds.add(kind)
        match = query.match()
        if match is None:
            return SearchResult(query, [])
        clock = TimeBudget(BUDGET if budget is None else budget)
        with self.sessions.read() as s:
            rows: list[Row[Any]] = []
            texts: Texts = {}
            with contextlib.suppress(OutOfTime), clock.over(s):
                rows = self._best(s, query, match, limit, clock)
                texts = _texts(s, [r.rowid for r in rows])
            shown = snippets(texts, query.sought, MARKS, clock) if texts else {}
            hits = []
            for r in rows:
                found = shown.get(r.rowid, Shown("", frozenset()))
                kind = Kind.parse(r.kind)
                hits.append(
                    Hit(
                        record_id=UUID(r.record_id),
                        kind=kind,
                        group=_group(kind, r.page, found.columns != {NOTES}),
                        label="",
                        snippet=found.snippet,
                        page=r.page or None,
                    )
                )
            room = limit - len(hits)
            if room > 0 and _may_be_a_name(query) and clock.left():
                known = {h.record_id for h in hits}
                with contextlib.suppress(OutOfTime), clock.over(s):
                    hits += _near_spellings(self._names(s), query, known)[:room]
            names = labels(s, {h.record_id for h in hits})
        return SearchResult(
            query,
            [replace(h, label=names.get(h.record_id, "?")) for h in hits],
            stopped_after=clock.seconds if clock.spent else None,
        )

    def _best(
        self, s: Session, query: SearchQuery, match: str, limit: int, clock: TimeBudget
    ) -> list[Row[Any]]:
        """The best ``limit`` matches that pass the filters, with the records they stand for.

        With filters, they are first checked only on the best ``POOL`` matches, row by
        row. That is exact whenever ``limit`` of them pass (a passing match outside the
        pool ranks below all of them) or the pool holds every match; otherwise the
        filters go into the full ranking."""
        filtered = bool(_filters(query)[0])  # kinds are not checked row by row: _key_spans
        if filtered:
            pool = self._top(s, query, match, POOL, clock, filtered=False)
            rows = list(s.execute(_passing(query, pool, limit)).all())
            if len(rows) == limit or len(pool) < POOL:
                return rows
        best = self._top(s, query, match, limit, clock, filtered=filtered)
        return list(s.execute(_passing(query, best, limit)).all())

    def _top(
        self,
        s: Session,
        query: SearchQuery,
        match: str,
        n: int,
        clock: TimeBudget,
        *,
        filtered: bool,
    ) -> list[tuple[int, float]]:
        """The best ``n`` matches (key, score) of the kinds asked for, and past the other
        filters if ``filtered``.

        Ranking a common word means scoring every match: it is split at the middle match
        into two halves, ranked at once on two connections, then merged. That is exact,
        since bm25 weighs a word by the whole index whichever rows are read; and twice as
        fast on two cores, for what finding the middle costs (a sixth of ranking).

        Not for a phrase: bm25 matches each phrase over the whole index once per
        statement, and for a phrase that is most of the work, which both halves would do.

        Nor where SQLite could not be set up for it (``PARALLEL_READS``).

        The other half is read in a transaction of its own. If the case changed between
        the two (a write from another thread or program: every change writes an audit
        event), that half is ranked again here, so that every key is read as of one state.
        """
        spans = _key_spans(query)
        fts_match = _fts_match(query, match)
        stamp = s.scalar(STAMP)  # in this transaction's view of the case, as every read
        phrase = any(len(re.findall(r"\w+", t.text)) > 1 for g in query.groups for t in g)
        split = PARALLEL_READS and not phrase
        middle = s.scalar(_middle_match(fts_match, spans)) if split else None
        halves = [spans] if middle is None else _split(spans, middle)
        ranking = [_ranking(query, fts_match, n, half, filtered) for half in halves]
        other = self._other_half(ranking[1], stamp, clock) if len(ranking) > 1 else None
        try:
            rows = list(s.execute(ranking[0]).all())
        finally:
            if other is not None:
                futures.wait([other])  # never left running on a case being closed
        if len(ranking) > 1:
            theirs = None if other is None else other.result()
            rows += list(s.execute(ranking[1]).all()) if theirs is None else theirs
        return sorted(((r.rowid, r.score) for r in rows), key=lambda r: (r[1], r[0]))[:n]

    def _other_half(
        self, ranking: Any, stamp: int | None, clock: TimeBudget
    ) -> futures.Future[Any] | None:
        """The half ranked on the search thread (None once the case is being closed)."""
        try:
            return self._halves.submit(self._rank, ranking, stamp, clock)
        except RuntimeError:  # shut down
            return None

    def _rank(self, ranking: Any, stamp: int | None, clock: TimeBudget) -> list[Row[Any]] | None:
        """The rows of ``ranking``, or None if the case is not as of ``stamp`` here."""
        with self.sessions.read() as s, clock.over(s):
            if s.scalar(STAMP) != stamp:
                return None
            return list(s.execute(ranking).all())

    def close(self) -> None:
        self._halves.shutdown()

    def save(self, name: str, query: str) -> Saved:
        """Keep a search under a name (a name already used gets the new query)."""
        name, query = " ".join(name.split()), query.strip()
        if not name or not query:
            raise InvalidInput("a saved search needs a name and something to search for")
        with self.sessions.write() as s:
            audit = AuditLog(s)
            row = s.scalars(select(m.SavedSearch).where(m.SavedSearch.name == name)).first()
            if row is None:
                row = m.SavedSearch(id=uuid4(), name=name, query=query, created_at=audit.at)
                s.add(row)
                audit.record("create", row.id, SAVED, name, created({"query": query}))
            elif row.query != query:
                audit.record(
                    "update", row.id, SAVED, name, diff({"query": row.query}, {"query": query})
                )
                row.query = query
            return Saved(row.name, row.query)

    def saved(self) -> list[Saved]:
        with self.sessions.read() as s:
            rows = s.scalars(select(m.SavedSearch).order_by(m.SavedSearch.name))
            return [Saved(r.name, r.query) for r in rows]

    def forget(self, name: str) -> None:
        with self.sessions.write() as s:
            row = s.scalars(select(m.SavedSearch).where(m.SavedSearch.name == name.strip())).first()
            if row is None:
                raise NotFound(f"no saved search named {name!r}")
            AuditLog(s).record("delete", row.id, SAVED, row.name, diff({"query": row.query}, {}))
            s.delete(row)

    def reindex(self) -> int:
        """Rebuild the index (and the record counts) from the data, in one transaction;
        the number of rows indexed. The index is made anew, not emptied row by row (which
        reads every row's text again to find what to remove)."""
        with self.sessions.write() as s:
            s.execute(text("DROP TABLE fts_text"))
            s.execute(text(FTS_CREATE))
            s.execute(text("DELETE FROM fts_key"))
            s.execute(text("DELETE FROM fts_pending"))
            for kind in Kind:
                table = f'"{kind.value}"'
                title, body = TEXT[kind.value]
                start, _end = key_range(kind.value)
                s.execute(
                    text(
                        "INSERT INTO fts_key (id, record_id, page) "
                        f"SELECT {start - 1} + row_number() OVER (ORDER BY id), id, 0 FROM {table}"
                    )
                )
                s.execute(
                    text(
                        "INSERT INTO fts_text (rowid, title, body, notes) "
                        f"SELECT k.id, {title.format(r='t')}, {body.format(r='t')}, r.notes "
                        f"FROM {table} t JOIN record r ON r.id = t.id "
                        "JOIN fts_key k ON k.record_id = t.id AND k.page = 0"
                    )
                )
            start, _end = key_range("page")
            s.execute(
                text(
                    f"INSERT INTO fts_key (id, record_id, page) SELECT {start - 1} "
                    "+ row_number() OVER (ORDER BY document_id, number), document_id, number "
                    "FROM document_page"
                )
            )
            s.execute(
                text(
                    "INSERT INTO fts_text (rowid, title, body, notes) "
                    "SELECT k.id, '', p.text, '' FROM document_page p "
                    "JOIN fts_key k ON k.record_id = p.document_id AND k.page = p.number"
                )
            )
            s.execute(text("DELETE FROM record_count"))
            s.execute(
                text(
                    "INSERT INTO record_count (kind, n) "
                    "SELECT kind, count(*) FROM record GROUP BY kind"
                )
            )
            rows = int(s.scalar(text("SELECT count(*) FROM fts_key")) or 0)
            case = s.scalars(select(m.CaseInfo)).one()
            changes = {"search index": [None, f"rebuilt: {rows:,} rows"]}
            AuditLog(s).record("reindex", case.id, "case", case.title, changes)
            return rows

    def problems(self) -> list[str]:
        """Where the index and the data disagree (``casefile check``)."""
        try:
            with self.sessions.read() as s:
                found = _index_problems(s)
        except DBAPIError as exc:  # a damaged file: the integrity check says where
            found = [f"search index: could not be checked ({exc.orig or exc})"]
        if found:
            found.append("run `casefile reindex` to rebuild the search index")
        return found


def _index_problems(s: Session) -> list[str]:
    found: list[str] = []
    try:
        s.execute(text("INSERT INTO fts_text (fts_text) VALUES ('integrity-check')"))
    except DBAPIError as exc:  # FTS5 reports damage as an error of this statement
        found.append(f"search index: damaged ({exc.orig or exc})")
    for kind in Kind:
        title, body = TEXT[kind.value]
        start, end = key_range(kind.value)
        wrong = s.scalar(
            text(
                f'SELECT count(*) FROM "{kind.value}" t JOIN record r ON r.id = t.id '
                "LEFT JOIN fts_key k ON k.record_id = t.id AND k.page = 0 "
                "LEFT JOIN fts_text f ON f.rowid = k.id "
                f"WHERE f.rowid IS NULL OR f.title IS NOT {title.format(r='t')} "
                f"OR f.body IS NOT {body.format(r='t')} OR f.notes IS NOT r.notes "
                f"OR k.id < {start} OR k.id >= {end}"
            )
        )
        if wrong:
            found.append(f"search index: {wrong} {kind.value} record(s) out of step")
    start, end = key_range("page")
    pages = s.scalar(
        text(
            "SELECT count(*) FROM document_page p LEFT JOIN fts_key k "
            "ON k.record_id = p.document_id AND k.page = p.number "
            "LEFT JOIN fts_text f ON f.rowid = k.id "
            f"WHERE f.rowid IS NULL OR f.body IS NOT p.text OR k.id < {start} OR k.id >= {end}"
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


def _group(kind: Kind, page: int, outside_notes: bool) -> str:
    if page:
        return "page"
    return kind.value if outside_notes else "note"


SCORE = f"bm25(fts_text, {', '.join(str(w) for w in WEIGHTS)}) AS score"


def _fts_match(query: SearchQuery, match: str) -> str:
    return f"{{notes}} : ({match})" if "note" in query.kinds else match


Span = tuple[int, int]  # index keys from the first to before the second
EVERY_KEY: list[Span] = [(0, 1 << 62)]


def _key_spans(query: SearchQuery) -> list[Span]:
    """The keys of the index rows of the kinds asked for (every key when none is): a
    range of keys per kind (``key_range``), neighbours joined."""
    names = sorted(k.value if isinstance(k, Kind) else k for k in query.kinds if k != "note")
    spans: list[Span] = []
    for start, end in sorted(key_range(name) for name in names):
        if spans and spans[-1][1] == start:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans or EVERY_KEY


def _split(spans: list[Span], key: int) -> list[list[Span]]:
    """The spans below ``key``, and those from it on."""
    below = [(a, min(b, key)) for a, b in spans if a < key]
    above = [(max(a, key), b) for a, b in spans if b > key]
    return [half for half in (below, above) if half]


def _within(spans: list[Span]) -> str:
    """``AND`` the row's key is in one of the spans. FTS5 seeks to a key and stops at
    another, so it reads from the first span's start to the last one's end, and the rows
    between spans are then dropped."""
    within = f"AND fts_text.rowid >= {spans[0][0]} AND fts_text.rowid < {spans[-1][1]}"
    if len(spans) == 1:
        return within
    each = " OR ".join(f"fts_text.rowid BETWEEN {a} AND {b - 1}" for a, b in spans)
    return f"{within} AND ({each})"


# What says the case has changed: every change writes an audit event (a reindex too).
STAMP = select(func.max(m.AuditEvent.id))


def _middle_match(fts_match: str, spans: list[Span]) -> Any:
    """The key of the middle match, if there are at least ``SPLIT_FROM`` (else None): a
    count and a walk through the keys, without scoring any."""
    matches = f"FROM fts_text WHERE fts_text MATCH :match {_within(spans)}"
    sql = (
        f"WITH matched (n) AS (SELECT count(*) {matches}) SELECT rowid {matches} "
        "ORDER BY rowid LIMIT (SELECT n >= :least FROM matched) "
        "OFFSET (SELECT n / 2 FROM matched)"
    )
    return text(sql).bindparams(match=fts_match, least=SPLIT_FROM)


def _ranking(query: SearchQuery, fts_match: str, n: int, spans: list[Span], filtered: bool) -> Any:
    """The best ``n`` matches (rowid, score) among the keys of ``spans``, and past the
    other filters if ``filtered``. Without filters, FTS5 ranks alone and only the rows
    kept are joined to their records (by ``_passing``): joining every match of a common
    word first would cost more than ranking it."""
    where, params = _filters(query) if filtered else ([], {})
    joins = "JOIN fts_key k ON k.id = fts_text.rowid" if where else ""
    sql = (
        f"SELECT fts_text.rowid AS rowid, {SCORE} FROM fts_text {joins} "
        f"WHERE fts_text MATCH :match {_within(spans)} {''.join(' AND ' + w for w in where)} "
        "ORDER BY score, fts_text.rowid LIMIT :n"  # ties cut as the halves are merged
    )
    return text(sql).bindparams(**params, match=fts_match, n=n)


def _passing(query: SearchQuery, pool: Sequence[tuple[int, float]], limit: int) -> Any:
    """The best ``limit`` rows of ``pool`` (key, score) that pass the filters, checked row
    by row, with the record each stands for."""
    where, params = _filters(query, per_row=True)
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


def _texts(s: Session, rowids: list[int]) -> Texts:
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


def _filters(query: SearchQuery, *, per_row: bool = False) -> tuple[list[str], dict[str, Any]]:
    """The filters other than kinds (``_key_spans``), on the row's key ``k``."""
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


@dataclass(frozen=True)
class Names:
    named: list[tuple[UUID, Kind, str]]  # (record, kind, a name or alias)
    owners: list[tuple[int, str]]  # per word: which name it is from, as written
    words: list[str]  # the words, folded

    @classmethod
    def read(cls, s: Session) -> Names:
        named = [
            (record_id, kind, n)
            for kind, model in ((Kind.PERSON, m.Person), (Kind.GROUP, m.Group))
            for record_id, name, aliases in s.execute(select(model.id, model.name, model.aliases))
            for n in (name, *aliases)
        ]
        owners = [(i, w) for i, (_, _, name) in enumerate(named) for w in name.split()]
        return cls(named, owners, [w.casefold() for _, w in owners])


def _may_be_a_name(query: SearchQuery) -> bool:
    """Only plain words can be a name spelt another way: no filters, no OR, no -word."""
    filtered = query.tags or query.since or query.until or query.reliability
    if filtered or len(query.groups) != 1 or query.excluded:
        return False
    if query.kinds - {Kind.PERSON, Kind.GROUP}:
        return False
    words = query.words
    return bool(words) and len(words) == len(query.groups[0]) and min(map(len, words)) >= 3


def _near_spellings(names: Names, query: SearchQuery, have: set[UUID]) -> list[Hit]:
    """People and groups with a name (or alias) in which every word searched for has a
    word spelt like it: "Khalid Masud" finds Khalid Masood, "Masud video" finds no one."""
    close_words: list[dict[int, str]] = []  # per word searched: name -> its close word
    for word in query.words:
        close = process.extract(
            word.casefold(),
            names.words,
            scorer=JaroWinkler.normalized_similarity,
            score_cutoff=NEAR_SPELLING,
            limit=None,
        )
        close_words.append({names.owners[i][0]: names.owners[i][1] for *_, i in close})
    hits: dict[UUID, Hit] = {}
    for owner in sorted(set.intersection(*(set(c) for c in close_words))):
        record_id, kind, name = names.named[owner]
        if record_id in have or record_id in hits or (query.kinds and kind not in query.kinds):
            continue
        for spellings in close_words:
            spelt = spellings[owner]
            name = name.replace(spelt, f"{MARK_START}{spelt}{MARK_END}", 1)
        hits[record_id] = Hit(record_id, kind, kind.value, "", name)
    return list(hits.values())
