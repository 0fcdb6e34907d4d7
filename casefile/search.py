"""Search everything in a case: records, notes and document pages, ranked, with snippets.

The index (SQLite FTS5, see migrations 0003 and 0004) is kept in step inside every
transaction, by triggers and by ``index_pending`` as each action commits; this module only
reads it, rebuilds it (``reindex``) and checks it. Names of people and groups are also
found by near spellings of what was typed (rapidfuzz), since transliterated names are
spelt many ways: "Masud" finds "Masood".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID, uuid4

from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler
from sqlalchemy import Row, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from casefile.audit import AuditLog, created, diff
from casefile.dates import edtf_range_bounds
from casefile.db import models as m
from casefile.db.engine import Sessions
from casefile.db.search_tables import TEXT, key_range
from casefile.errors import InvalidInput, NotFound
from casefile.record_service import labels
from casefile.search_query import SearchQuery, parse
from casefile.vocab import Kind

SAVED = "saved_search"  # the audit trail's kind for saved searches
MARK_START, MARK_END = "\x02", "\x03"  # around matched words in a snippet
# Jaro-Winkler similarity from which a word of a name counts as the word typed: it
# weighs the shared beginning, as transliterations share it (Masud, Masood, Massoud).
NEAR_SPELLING = 0.86
# Ranking weights per column: a match in a title (a name, a quote's words) outranks one
# in the body, which outranks one in the notes.
WEIGHTS = (10.0, 3.0, 1.0)
POOL = 1000  # the best matches a filter is checked on first


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


class SearchService:
    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions
        self._named: tuple[Any, Names] | None = None

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

    def search(self, typed: str, *, kind: Kind | None = None, limit: int = 50) -> SearchResult:
        """The best ``limit`` matches for what was typed, best first."""
        query = parse(typed)
        if kind is not None:
            query.kinds.add(kind)
        match = query.match()
        if match is None:
            return SearchResult(query, [])
        with self.sessions.read() as s:
            rows = self._best(s, query, match, limit)
            shown = _shown(s, match, [r.rowid for r in rows])
            hits = []
            for r in rows:
                snippet, outside_notes = shown[r.rowid]
                kind = Kind.parse(r.kind)
                hits.append(
                    Hit(
                        record_id=UUID(r.record_id),
                        kind=kind,
                        group=_group(kind, r.page, outside_notes),
                        label="",
                        snippet=snippet,
                        page=r.page or None,
                    )
                )
            room = limit - len(hits)
            if room > 0 and _may_be_a_name(query):
                known = {h.record_id for h in hits}
                hits += _near_spellings(self._names(s), query, known)[:room]
            names = labels(s, {h.record_id for h in hits})
        return SearchResult(query, [replace(h, label=names.get(h.record_id, "?")) for h in hits])

    @staticmethod
    def _best(s: Session, query: SearchQuery, match: str, limit: int) -> list[Row[Any]]:
        """The best ``limit`` matches that pass the filters.

        With filters, they are first checked only on the best ``POOL`` matches, row by
        row. That is exact whenever ``limit`` of them pass (a passing match outside the
        pool ranks below all of them) or the pool holds every match; otherwise the
        filters go into the full ranking.

        (Ranking ranges of the index on two connections at once, then merging, was
        tried: exact, since bm25 weighs a word over the whole index, but SQLite's threads
        contend, and it was as often twice as slow as twice as fast.)"""
        if _filters(query)[0]:  # kinds are not checked row by row: see _of_kinds
            pool = list(s.execute(_pooled(query, match, POOL)).all())
            rows = list(s.execute(_passing(query, pool, limit)).all())
            if len(rows) == limit or len(pool) < POOL:
                return rows
        return list(s.execute(_ranked(query, match, limit)).all())

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
        the number of rows indexed."""
        with self.sessions.write() as s:
            s.execute(text("DELETE FROM fts_text"))
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
            return int(s.scalar(text("SELECT count(*) FROM fts_key")) or 0)

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
# The kept rows (``rowid``, ``score``) with the record each stands for.
RESOLVED = (
    "SELECT best.rowid AS rowid, best.score AS score, k.record_id AS record_id, "
    "k.page AS page, r.kind AS kind FROM ({best}) best "
    "{join} fts_key k ON k.id = best.rowid {join} record r ON r.id = k.record_id"
)


def _fts_match(query: SearchQuery, match: str) -> str:
    return f"{{notes}} : ({match})" if "note" in query.kinds else match


def _ranked(query: SearchQuery, match: str, limit: int) -> Any:
    """The best ``limit`` matches that pass the filters. Without filters,
    FTS5 ranks alone and only the rows kept are joined to their records: joining every
    match of a common word first would cost more than ranking it."""
    where, params = _filters(query)
    joins = "JOIN fts_key k ON k.id = fts_text.rowid"
    best = (
        f"SELECT fts_text.rowid AS rowid, {SCORE} FROM fts_text {joins if where else ''} "
        f"WHERE fts_text MATCH :match {_of_kinds(query)} {''.join(' AND ' + w for w in where)} "
        "ORDER BY score LIMIT :limit"
    )
    sql = RESOLVED.format(best=best, join="JOIN") + " ORDER BY best.score"
    params.update(match=_fts_match(query, match), limit=limit)
    return text(sql).bindparams(**params)


def _pooled(query: SearchQuery, match: str, size: int) -> Any:
    """The best ``size`` matches (rowid, score) of the kinds asked for, other filters not
    yet applied."""
    sql = (
        f"SELECT fts_text.rowid AS rowid, {SCORE} FROM fts_text "
        f"WHERE fts_text MATCH :match {_of_kinds(query)} ORDER BY score LIMIT :size"
    )
    return text(sql).bindparams(match=_fts_match(query, match), size=size)


def _of_kinds(query: SearchQuery) -> str:
    """`` AND`` the index rows of the kinds asked for (all when none is): a range of keys
    per kind, which FTS5 seeks to instead of reading every match (see ``key_range``).
    FTS5 takes one range, so several kinds are read from the first to the last and the
    rows between them are then dropped."""
    names = sorted(k.value if isinstance(k, Kind) else k for k in query.kinds if k != "note")
    if not names:
        return ""
    ranges = sorted(key_range(name) for name in names)
    spans: list[tuple[int, int]] = []
    for start, end in ranges:
        if spans and spans[-1][1] == start:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    within = f" AND fts_text.rowid >= {spans[0][0]} AND fts_text.rowid < {spans[-1][1]}"
    if len(spans) == 1:
        return within
    each = " OR ".join(f"fts_text.rowid BETWEEN {a} AND {b - 1}" for a, b in spans)
    return f"{within} AND ({each})"


def _passing(query: SearchQuery, pool: Sequence[Row[Any]], limit: int) -> Any:
    """The best ``limit`` rows of ``pool`` that pass the filters, checked row by row."""
    where, params = _filters(query, per_row=True)
    best = "SELECT value ->> 0 AS rowid, value ->> 1 AS score FROM json_each(:pool)"
    # CROSS JOIN keeps SQLite from starting at the records (every quote) instead.
    sql = RESOLVED.format(best=best, join="CROSS JOIN") + (
        f" WHERE 1 {''.join(' AND ' + w for w in where)} ORDER BY best.score LIMIT :limit"
    )
    params.update(pool=json.dumps([[row.rowid, row.score] for row in pool]), limit=limit)
    return text(sql).bindparams(**params)


def _shown(s: Session, match: str, rowids: list[int]) -> dict[int, tuple[str, bool]]:
    """Each row's snippet, and whether the words matched outside its notes: in one
    statement (FTS5 finds each row by its ID without reading the rest of the match)."""
    found = s.execute(
        text(
            "SELECT rowid, snippet(fts_text, -1, :start, :end, '…', 14), "
            "instr(highlight(fts_text, 0, :start, :end), :start) "
            "+ instr(highlight(fts_text, 1, :start, :end), :start) "
            "FROM fts_text WHERE fts_text MATCH :match "
            "AND rowid IN (SELECT value FROM json_each(:rowids))"
        ).bindparams(start=MARK_START, end=MARK_END, match=match, rowids=json.dumps(rowids))
    )
    return {rowid: (str(snippet), bool(outside)) for rowid, snippet, outside in found}


def _among(selects: list[tuple[str, str]], per_row: bool) -> str:
    """``k.record_id`` among the IDs the ``(SELECT id ... WHERE ..., id column)`` give.
    Per row, each select is tied to the row's record (a primary-key lookup) instead of
    being listed whole first: cheaper for a thousand rows, dearer for a hundred thousand."""
    tied = [f"{sql} AND {column} = k.record_id" if per_row else sql for sql, column in selects]
    return f"k.record_id IN ({' UNION ALL '.join(tied)})"


def _filters(query: SearchQuery, *, per_row: bool = False) -> tuple[list[str], dict[str, Any]]:
    """The filters other than kinds (``_of_kinds``), on the row's key ``k``."""
    where: list[str] = []
    params: dict[str, Any] = {}
    for i, tag in enumerate(query.tags):
        tagged = (
            "SELECT rt.record_id FROM record_tag rt JOIN tag t ON t.id = rt.tag_id "
            f"WHERE casefold(t.name) = casefold(:tag{i})"
        )
        where.append(_among([(tagged, "rt.record_id")], per_row))
        params[f"tag{i}"] = tag
    if query.since is not None or query.until is not None:
        low, high = edtf_range_bounds(query.since, query.until)
        within = " AND ".join(
            [
                *(["rtrim({c}, '~') >= :low"] if low else []),
                *(["rtrim({c}, '~') < :high"] if high else []),
            ]
        )
        params.update({k: v for k, v in (("low", low), ("high", high)) if v})
        dated = [
            (f'SELECT x.id FROM "{k}" x WHERE {within.format(c=f"x.{c}")}', "x.id")
            for k, c in DATED.items()
        ]
        document = "SELECT d.id FROM document d JOIN source s ON s.id = d.source_id WHERE "
        dated.append((document + within.format(c="s.published"), "d.id"))
        where.append(_among(dated, per_row))
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


DATED = {"attack": "date", "person": "birth_date", "source": "published", "quote": "said"}


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
