"""Search everything in a case: records, notes and document pages, ranked, with snippets.

The index (SQLite FTS5, see migrations 0003, 0004 and 0012) is kept in step inside every
transaction, by triggers and by ``index_pending`` as each action commits; this module only
reads it (``search_index.py`` rebuilds and checks it). Names of people and groups are also
found by near spellings of what was typed (rapidfuzz), since transliterated names are
spelt many ways: "Masud" finds "Masood".

A search's cost is bounded: it ranks a bounded number of each kind's matches (see
``SearchService._top``), makes its snippets over a bounded length of each hit's text,
however many matches that holds, and stops at its time budget (see
``casefile.db.search_bounds``).
"""

from __future__ import annotations

import contextlib
import os
import re
from concurrent import futures
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler
from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from casefile.db import models as m
from casefile.db.engine import PARALLEL_READS, Sessions
from casefile.db.search_bounds import Marks, OutOfTime, Shown, Texts, TimeBudget, snippets
from casefile.db.search_sql import (
    CANDIDATES,
    STAMP,
    Span,
    filters,
    joined,
    kind_spans,
    match_in_columns,
    newest,
    nth_newest,
    passing,
    ranked,
    split_spans,
    texts_of,
)
from casefile.domain.display import link_caveats
from casefile.domain.search_query import SearchQuery, parse
from casefile.domain.terms import Kind
from casefile.importing.cores import usable
from casefile.services.record_reading import labels, read_records

MARK_START, MARK_END = "\x02", "\x03"  # around matched words in a snippet
MARKS = Marks(MARK_START, MARK_END, ellipsis="…", words=14)
NOTES = 2  # the index's column of a record's notes (after its title and body)
# Seconds a search may take: then it stops, and gives what it has found and says so.
BUDGET = 2.0
# Jaro-Winkler similarity from which a word of a name counts as the word typed: it
# weighs the shared beginning, as transliterations share it (Masud, Masood, Massoud).
NEAR_SPELLING = 0.86
POOL = 1000  # the best matches a filter is checked on first
# Candidates from which ranking them in two halves at once, on two cores, pays (see
# ``SearchService._top``): the scoring halved (about 8 ms of 16 at this many) against
# what each half's statement costs anyway (a walk to weigh each word, the hand-over).
SPLIT_FROM = 15_000


@dataclass(frozen=True)
class Hit:
    record_id: UUID
    kind: Kind
    group: str  # what the result list groups by: a kind's value, "page" or "note"
    label: str
    snippet: str  # matched words between MARK_START and MARK_END
    page: int | None = None
    caveats: str = ""  # a link's: how sure, "unsourced" (``display.link_caveats``)


def group_title(group: str) -> str:
    """What a group of results is called, for the window and the CLI alike."""
    if group in GROUPS_OUTSIDE_KINDS:
        return GROUPS_OUTSIDE_KINDS[group]
    kind = Kind.parse(group)
    return "People" if kind is Kind.PERSON else f"{kind.label}s"


GROUPS_OUTSIDE_KINDS = {"page": "Document pages", "note": "Notes"}


@dataclass(frozen=True)
class SearchResult:
    query: SearchQuery
    hits: list[Hit]
    stopped_after: float | None = None  # the time budget, if it ran out before the end
    # Some kind had more matches than are ranked (``SearchService._top``): its newest were.
    newest_only: bool = False

    def stopped(self) -> str | None:
        """One line saying that the search ran out of time (None if it did not)."""
        if self.stopped_after is None:
            return None
        after = f"Search stopped after {self.stopped_after:g} s"
        return f"{after}: the results so far" if self.hits else f"{after}, before finding any"

    def bounded(self) -> str | None:
        """One line saying that the best were found among the newest matches only."""
        if not self.newest_only:
            return None
        return (
            f"Ranked among the newest {CANDIDATES:,} matches of each kind: "
            "add a word to reach older ones"
        )


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
            newest_only: list[bool] = []  # said by each ranking
            with contextlib.suppress(OutOfTime), clock.over(s):
                rows = self._best(s, query, match, limit, clock, newest_only=newest_only)
                texts = texts_of(s, [r.rowid for r in rows])
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
            links = [h.record_id for h in hits if h.kind is Kind.LINK]
            caveats = {
                r.id: link_caveats(r.fields.confidence, len(r.fields.citations))
                for r in read_records(s, Kind.LINK, links)
            }
        return SearchResult(
            query,
            [
                replace(h, label=names.get(h.record_id, "?"), caveats=caveats.get(h.record_id, ""))
                for h in hits
            ],
            stopped_after=clock.seconds if clock.spent else None,
            newest_only=any(newest_only),
        )

    def _best(
        self,
        s: Session,
        query: SearchQuery,
        match: str,
        limit: int,
        clock: TimeBudget,
        *,
        newest_only: list[bool],
    ) -> list[Row[Any]]:
        """The best ``limit`` matches that pass the filters, with the records they stand for.

        With filters, they are first checked only on the best ``POOL`` matches, row by
        row. That is exact whenever ``limit`` of them pass (a passing match outside the
        pool ranks below all of them) or the pool holds every match; otherwise the
        filters go into the full ranking."""
        filtered = bool(filters(query)[0])  # kinds are not checked row by row: kind_spans
        if filtered:
            pool = self._top(s, query, match, POOL, clock, newest_only=newest_only, filtered=False)
            rows = list(s.execute(passing(query, pool, limit)).all())
            if len(rows) == limit or len(pool) < POOL:
                return rows
        best = self._top(s, query, match, limit, clock, newest_only=newest_only, filtered=filtered)
        return list(s.execute(passing(query, best, limit)).all())

    def _top(
        self,
        s: Session,
        query: SearchQuery,
        match: str,
        n: int,
        clock: TimeBudget,
        *,
        newest_only: list[bool],
        filtered: bool,
    ) -> list[tuple[int, float]]:
        """The best ``n`` matches (key, score) of the kinds asked for, and past the other
        filters if ``filtered``; ``newest_only`` hears whether a kind's newest matches
        alone were ranked (the search says so).

        **Bounded.** Of each kind, the matches ranked are all of them up to
        ``CANDIDATES``, else its newest ``CANDIDATES`` (the highest keys: keys are given
        in the order rows are made). A word that rare is ranked exactly as bm25 ranks
        every match. A commoner word costs about the same however many places hold it:
        scoring every match was 88–94% of its time (a word in 240,000 rows of 100,000
        pages: 280 ms to score, 11 ms to walk its matches unscored). What is left in
        proportion to its matches is FTS5's unscored walk, to count them for bm25's
        weight of the word and to pass over the older ones.

        A phrase is ranked whole, as bm25 ranks every match: what it costs is finding its
        words side by side (a walk through every row holding them all, which weighing it
        does anyway), not scoring the rows found; counting them first, to bound the
        scoring, was one walk more (92 ms at p95 against 51 ms raw, at 100,000 pages).

        Why the newest, and not a stored weight per row: a word in more than 10,000
        rows of a kind gets almost no weight from bm25 (in more than half of all rows,
        none at all), and its best scores are near-ties: over the benchmark's case, the
        50th best score among the newest candidates is within 1% of the 50th best among
        all, for the ten commonest words and five common prefixes. A weight per row
        (the score a word making up a fixed share of the row's words would get, in
        tiers in the keys) did no better at finding bm25's own top 50 there, and would
        have needed the keys given by it (a migration, and a weight kept in step with
        every edit). The newest first is what a person reading a case expects of the
        near-ties, costs nothing to keep, and is as good.

        **Two threads, when it pays.** With at least ``SPLIT_FROM`` candidates, none a
        phrase, and a core free (``a_core_is_free``), the candidates are ranked in two
        halves at once on two connections, then merged. That is exact, since bm25 weighs
        a word by the whole index whichever rows are read; it costs each half its own
        walk to weigh the words, so the CPU grows while the wall time falls. Not for a
        phrase: weighing a phrase is most of the work, which both halves would do. Nor
        where SQLite could not be set up for it (``PARALLEL_READS``). Without a free core
        the halves would take turns on one: the same wall time, for more CPU.

        The other half is read in a transaction of its own. If the case changed between
        the two (a write from another thread or program: every change writes an audit
        event), that half is ranked again here, so that every key is read as of one state.
        """
        fts_match = match_in_columns(query, match)
        stamp = s.scalar(STAMP)  # in this transaction's view of the case, as every read
        phrase = any(len(re.findall(r"\w+", t.text)) > 1 for g in query.groups for t in g)
        if phrase:  # its cost is finding it, not scoring it: ranked whole, as before
            halves = [joined(kind_spans(query))]
        else:
            per_kind = s.execute(newest(query, fts_match, kind_spans(query), filtered)).all()
            newest_only.append(any(full for _start, _end, _many, full, _edge in per_kind))
            found: list[tuple[Span, int]] = [  # per kind: the keys ranked, and how many
                ((edge if full else start, end), many)
                for start, end, many, full, edge in per_kind
                if many
            ]
            if not found:
                return []
            spans = joined([span for span, _ in found])
            halves = [spans]
            total = sum(many for _, many in found)
            if total >= SPLIT_FROM and PARALLEL_READS and a_core_is_free():
                middle = self._middle(s, query, fts_match, found, filtered)
                halves = split_spans(spans, middle)
        ranking = [ranked(query, fts_match, n, half, filtered) for half in halves]
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

    def _middle(
        self,
        s: Session,
        query: SearchQuery,
        fts_match: str,
        found: list[tuple[Span, int]],
        filtered: bool,
    ) -> int:
        """The key with about half the candidates of ``found`` (spans in key order, each
        with how many it holds) from it on: counted back from the newest."""
        left = sum(many for _, many in found) // 2
        for span, many in reversed(found):
            if many >= left:
                return int(s.scalar(nth_newest(query, fts_match, span, filtered, left)))
            left -= many
        return found[0][0][0]

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


def a_core_is_free() -> bool:
    """Whether a core of those this process may use (``cores.usable``) is idle, by the
    load average of the last minute (which counts this search's own thread): not where it
    is not known. Not sampled as an import's readers are (``cores.free_cores``): that
    waits a tenth of a second, more than a search takes."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # not on Windows
        return False
    return load < usable() - 0.5


def _group(kind: Kind, page: int, outside_notes: bool) -> str:
    if page:
        return "page"
    return kind.value if outside_notes else "note"


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
