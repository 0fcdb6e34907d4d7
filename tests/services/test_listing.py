"""Sorted, filtered pages of records: keyset paging, the text, tag and date filters,
the windows the tables read."""

from __future__ import annotations

import dataclasses
import random
import string
from dataclasses import replace
from typing import Any
from uuid import UUID

import pytest

from casefile.domain.dates import PartialDate
from casefile.domain.errors import InvalidInput
from casefile.domain.figures import Figure
from casefile.domain.records import (
    AttackFields,
    GroupFields,
    PersonFields,
    QuoteFields,
    Record,
    SourceFields,
)
from casefile.domain.terms import Kind
from casefile.services import listing
from casefile.services.case import Case
from casefile.services.list_query import Cursor, ListQuery
from tests.conftest import index_ranges_read, pd

TITLES = ("Bridge attack", "bridge attack", "Alpha", "alpha", "Zeta", "Ambush", "Émeute")


def _random_date(rng: random.Random) -> PartialDate | None:
    choice = rng.randrange(6)
    if choice < 2:
        return None
    year = rng.choice((2015, 2016))
    if choice == 1:
        return PartialDate(year)
    month = rng.choice((1, 2, 3))
    if choice == 2:
        return PartialDate(year, month)
    return PartialDate(year, month, rng.choice((1, 2, 15)))


def _random_attack(rng: random.Random, n: int) -> AttackFields:
    title = rng.choice(TITLES)
    return AttackFields(
        title=title if n % 3 else f"{title} {n}",
        date=_random_date(rng),
        killed=rng.choice((None, None, *map(Figure.exactly, (0, 0, 1, 2, 10, 250)))),
    )


def build_attacks(case: Case) -> list[Record[Any]]:
    """120 attacks: 100 from one bulk call (one shared created_at), 20 added one by one."""
    rng = random.Random(20170322)
    ids = case.records.add_many([_random_attack(rng, n) for n in range(100)])
    for n in range(100, 120):
        tags = ["Paged"] if n % 4 == 0 else []
        ids.append(case.records.add(_random_attack(rng, n), tags=tags).id)
    records = case.records.get_many(ids)
    assert len(records) == 120
    # More unknowns than one page holds: page boundaries fall inside the NULL block both
    # ascending (NULLs first) and descending (NULLs last).
    assert 25 < sum(r.fields.date is None for r in records) < 95
    assert 25 < sum(r.fields.killed is None for r in records) < 95
    return records


ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def nocase(text: str) -> str:
    """How names and titles sort: SQLite's NOCASE collation, which folds A-Z only."""
    return text.translate(ASCII_LOWER)


def expected_key(sort: str, record: Record[Any]) -> tuple[Any, ...]:
    if sort == "date":
        date: PartialDate | None = record.fields.date
        return (date is not None, date.sort_key() if date is not None else (), record.id)
    if sort == "killed":
        killed: Figure | None = record.fields.killed
        return (killed is not None, killed.low if killed is not None else 0, record.id)
    if sort == "title":
        return (nocase(record.fields.title), record.id)
    assert sort == "created"
    return (record.created_at, record.id)


def page_through(case: Case, query: ListQuery) -> tuple[list[UUID], int]:
    ids: list[UUID] = []
    after: Cursor | None = None
    pages = 0
    while True:
        page = case.listing.page(dataclasses.replace(query, after=after))
        pages += 1
        assert len(page.records) <= query.limit
        ids.extend(r.id for r in page.records)
        if page.next is None:
            return ids, pages
        assert len(page.records) == query.limit
        after = page.next
        assert pages < 50, "paging does not end"


@pytest.mark.parametrize("sort", ["date", "title", "killed", "created"])
@pytest.mark.slow
def test_keyset_paging_visits_every_record_once_in_order(case: Case, sort: str) -> None:
    records = build_attacks(case)
    ascending = [r.id for r in sorted(records, key=lambda r: expected_key(sort, r))]
    for descending, expected in ((False, ascending), (True, ascending[::-1])):
        query = ListQuery(Kind.ATTACK, sort=sort, descending=descending, limit=25)
        ids, pages = page_through(case, query)
        assert len(ids) == len(set(ids)) == 120
        assert ids == expected, f"sort={sort} descending={descending}"
        assert pages == 5
        assert case.listing.count(query) == len(ids)
        # A page size that divides the total exactly: no empty trailing page.
        exact, exact_pages = page_through(case, dataclasses.replace(query, limit=24))
        assert exact == expected
        assert exact_pages == 5


def test_default_sort_is_date_and_pages_carry_records(case: Case) -> None:
    records = build_attacks(case)
    page = case.listing.page(ListQuery(Kind.ATTACK, limit=200))
    assert page.next is None
    assert [r.id for r in page.records] == [
        r.id for r in sorted(records, key=lambda r: expected_key("date", r))
    ]
    by_id = {r.id: r for r in records}
    assert all(r == by_id[r.id] for r in page.records)
    with pytest.raises(InvalidInput):
        case.listing.page(ListQuery(Kind.ATTACK, sort="colour"))


def test_text_filter(case: Case) -> None:
    titles = [
        "Bridge attack",
        "Market 100% siege",
        "Market 1000 siege",
        "under_score",
        "underXscore",
        "back\\slash",
        "backXslash",
    ]
    for title in titles:
        case.records.add(AttackFields(title=title))
    case.records.add(AttackFields(title="Harbour", city="BRIDGETOWN"))
    john = case.records.add(PersonFields(name="John Smith", aliases=("Abu Example", "J.S.")))
    case.records.add(PersonFields(name="Jane Doe"))

    def matches(kind: Kind, text: str) -> list[str]:
        query = ListQuery(kind, text=text, limit=100, sort="title" if kind is Kind.ATTACK else None)
        labels = [r.label for r in case.listing.page(query).records]
        assert case.listing.count(query) == len(labels)
        return labels

    assert matches(Kind.ATTACK, "bridge") == ["Bridge attack", "Harbour"]
    assert matches(Kind.ATTACK, "  BRIDGE ATTACK ") == ["Bridge attack"]
    # Words match the start of words (from the search index), not any substring.
    assert matches(Kind.ATTACK, "100%") == ["Market 100% siege", "Market 1000 siege"]
    assert matches(Kind.ATTACK, "siege 1000") == ["Market 1000 siege"]
    assert matches(Kind.ATTACK, "%") == []  # no word typed: nothing is a match
    assert matches(Kind.ATTACK, "under_score") == ["under_score"]
    assert matches(Kind.ATTACK, "_") == []
    assert matches(Kind.ATTACK, "ridge") == []
    assert matches(Kind.ATTACK, "back\\slash") == ["back\\slash"]
    assert matches(Kind.ATTACK, "no such thing") == []
    assert matches(Kind.ATTACK, "") == sorted([*titles, "Harbour"], key=nocase)
    assert matches(Kind.PERSON, "abu EXAMPLE") == ["John Smith"]
    assert matches(Kind.PERSON, "j.s.") == ["John Smith"]
    assert matches(Kind.PERSON, "doe") == ["Jane Doe"]
    assert [r.id for r in case.listing.page(ListQuery(Kind.PERSON, text="abu")).records] == [
        john.id
    ]


def test_tag_filter(case: Case) -> None:
    records = build_attacks(case)
    tagged = {r.id for r in records if "Paged" in r.tags}
    assert len(tagged) == 5
    for text in ("Paged", "paged", "  PAGED "):
        query = ListQuery(Kind.ATTACK, tag=text, limit=2)
        ids, _pages = page_through(case, query)
        assert set(ids) == tagged
        assert len(ids) == 5
        assert case.listing.count(query) == 5
    assert case.listing.count(ListQuery(Kind.ATTACK, tag="pag")) == 0
    both = ListQuery(Kind.ATTACK, tag="paged", text="alpha", limit=100)
    expected = {r.id for r in records if r.id in tagged and "alpha" in r.fields.title.lower()}
    assert {r.id for r in case.listing.page(both).records} == expected
    assert case.listing.count(both) == len(expected)


DATED = (
    "2015",
    "2015-12",
    "2015-12-31",
    "2016",
    "2016-01",
    "2016-01-01",
    "2016-02-29",
    "2016-03",
    "2016-03-01",
    "2016-03-22",
    "2016-03-31",
    "2016-04",
    "2016-12",
    "2016-12-31",
    "2017",
    "2017-01-01",
)


BOUNDS = (None, "2015-12", "2016", "2016-03", "2016-03-01", "2016-03-22", "2016-12-31", "2017")


@pytest.mark.slow
def test_date_range_filters_select_dates_that_meet_the_range(case: Case) -> None:
    for edtf in DATED:
        case.records.add(AttackFields(title=edtf, date=pd(edtf)))
    case.records.add(AttackFields(title="undated"))

    def within(since: str | None, until: str | None) -> set[str]:
        query = ListQuery(
            Kind.ATTACK,
            since=None if since is None else pd(since),
            until=None if until is None else pd(until),
            limit=7,
        )
        ids, _pages = page_through(case, query)
        labels = {r.label for r in case.records.get_many(ids)}
        assert case.listing.count(query) == len(ids) == len(labels)
        return labels

    # The examples a person would check by hand.
    assert "2016" in within(None, "2016")
    assert "2016" in within("2016-03", None)  # it may have been in March or after
    assert "2016-03" in within("2016", "2016")
    assert within("2016", "2016") == {d for d in DATED if d.startswith("2016")}
    assert within("2016-03", "2016-03") == {
        "2016",
        "2016-03",
        "2016-03-01",
        "2016-03-22",
        "2016-03-31",
    }
    assert within("2016-03-22", "2016-03-22") == {"2016", "2016-03", "2016-03-22"}
    assert within("2016-03-01", None) >= {"2016", "2016-03", "2016-03-01"}
    assert "2016" in within(None, "2016-03")
    assert "undated" not in within(None, "2017")

    # Every combination against the rule: the days a date may be meet since..until.
    for since in BOUNDS:
        for until in BOUNDS:
            if since is None and until is None:
                continue
            low = None if since is None else pd(since).first_day()
            high = None if until is None else pd(until).last_day()
            if low and high and high < low:
                with pytest.raises(InvalidInput, match=r"the range ends .* before it starts"):
                    within(since, until)
                continue
            expected = {
                d
                for d in DATED
                if (low is None or pd(d).last_day() >= low)
                and (high is None or pd(d).first_day() <= high)
            }
            assert within(since, until) == expected, (since, until)

    with pytest.raises(InvalidInput):
        case.listing.page(ListQuery(Kind.GROUP, since=pd("2016")))


def test_date_range_filters_treat_circa_dates_like_their_plain_form(case: Case) -> None:
    for edtf in ("2015", "2015~", "2015-06", "2015-06~"):
        case.records.add(AttackFields(title=edtf, date=pd(edtf)))

    def within(since: str | None, until: str | None) -> set[str]:
        query = ListQuery(
            Kind.ATTACK,
            since=None if since is None else pd(since),
            until=None if until is None else pd(until),
            limit=10,
        )
        return {r.label for r in case.listing.page(query).records}

    # "c. 2015" is the year 2015, "c. June 2015" is June: they meet what 2015 and June do.
    assert within("2015-06", None) == {"2015", "2015~", "2015-06", "2015-06~"}
    assert within("2015-07", None) == {"2015", "2015~"}
    assert within(None, "2015-06") == {"2015", "2015~", "2015-06", "2015-06~"}
    assert within(None, "2015-06-10") == {"2015", "2015~", "2015-06", "2015-06~"}


def test_text_filter_finds_non_ascii_aliases(case: Case) -> None:
    case.records.add(PersonFields(name="Person one", aliases=("Abū Muḥammad",)))
    case.records.add(SourceFields(title="Report", authors=("Müller",)))
    assert case.listing.count(ListQuery(Kind.PERSON, text="Muḥammad")) == 1
    assert case.listing.count(ListQuery(Kind.SOURCE, text="Müller")) == 1


def test_text_filter_does_not_match_json_punctuation(case: Case) -> None:
    case.records.add(PersonFields(name="Plain name"))
    case.records.add(PersonFields(name="Other name", aliases=("Alias",)))
    assert case.listing.count(ListQuery(Kind.PERSON, text="[")) == 0
    assert case.listing.count(ListQuery(Kind.PERSON, text='"')) == 0


def test_text_filter_is_case_insensitive_beyond_ascii(case: Case) -> None:
    case.records.add(AttackFields(title="ÖZTÜRK bombing", city="İzmir"))
    assert case.listing.count(ListQuery(Kind.ATTACK, text="öztürk")) == 1
    assert case.listing.count(ListQuery(Kind.ATTACK, text="ÉMEUTE")) == 0
    case.records.add(AttackFields(title="Émeute"))
    assert case.listing.count(ListQuery(Kind.ATTACK, text="ÉMEUTE")) == 1


def test_listing_refuses_a_zero_limit(case: Case) -> None:
    case.records.add(GroupFields(name="G"))
    with pytest.raises(InvalidInput):
        case.listing.page(ListQuery(Kind.GROUP, limit=0))


@pytest.mark.parametrize(
    "way",
    [
        {"KEEP_AT_MOST": 0, "KEYED_BELOW": 0},
        {"KEEP_AT_MOST": 0, "KEYED_BELOW": 10**9},
        {"WALK_AT_MOST": 0},
        {"WALK_AT_MOST": 30},
        {"SLOW_WALK_S": 0.0},
    ],
    ids=["walked", "walked by keys", "kept", "both", "kept after a slow walk"],
)
@pytest.mark.slow
def test_window_rows_are_the_rows_of_the_list_in_order(
    case: Case, way: dict[str, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table's random-access window agrees with keyset paging, from either end, for
    every kind of sort and filter (the window reads IDs without the shared-table join),
    whether a list filtered by words is walked each time (its matches listed, or each
    entry's key checked), read whole and kept, walked near its ends and kept for the
    middle, or kept once a walk proved slow; and counting on from anchors every few rows
    (NULL dates among them)."""
    for name, value in way.items():
        monkeypatch.setattr(listing, name, value)
    monkeypatch.setattr(listing, "STRIDE", 7)
    source = case.records.add(SourceFields(title="S")).id
    for i in range(90):
        case.records.add(
            QuoteFields(
                text=f"quote {i} {'alpha' if i % 3 else 'beta'}",
                source=source,
                said=None if i % 7 == 0 else PartialDate(2000 + i % 20, 1 + i % 12),
            ),
            tags=("odd",) if i % 2 else (),
        )
    queries = [
        ListQuery(Kind.QUOTE, sort=sort, descending=desc, text=text, tag=tag, since=since)
        for sort in ("said", "created", "updated")
        for desc in (False, True)
        for text, tag, since in (
            ("", "", None),
            ("alpha", "", None),
            ("", "odd", None),
            ("", "", PartialDate(2010)),
        )
    ]
    for q in queries:
        expected = [r.id for r in case.listing.page(replace(q, limit=500)).records]
        total = case.listing.count(q)
        assert total == len(expected), q
        got = [
            r.id
            for start in range(0, total, 17)
            for r in case.listing.window(q, start, 17, total).records
        ]
        assert got == expected, q


@pytest.mark.parametrize("sorted_at_most", [0, 10**6], ids=["walked in order", "sorted"])
def test_attacks_within_dates_show_in_a_window_as_they_page(
    case: Case, sorted_at_most: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A date range meets attacks by their end dates too: a short list is found through
    both date indexes and sorted, a long one walked in the sort's order; either way the
    window's rows are keyset paging's, from either end, for every sort."""
    monkeypatch.setattr(listing, "SORTED_AT_MOST", sorted_at_most)
    for i in range(40):
        date = PartialDate(2000 + i % 15, 1 + i % 12) if i % 9 else None
        end = PartialDate(2001 + i % 15) if date is not None and i % 4 == 0 else None
        killed = Figure.exactly(i % 6) if i % 5 else None
        case.records.add(AttackFields(title=f"attack {i}", date=date, end_date=end, killed=killed))
    since, until = PartialDate(2005), PartialDate(2009)
    for sort in ("date", "killed", "title"):
        for descending in (False, True):
            q = ListQuery(Kind.ATTACK, sort=sort, descending=descending, since=since, until=until)
            expected = case.listing.page(replace(q, limit=500)).records
            total = case.listing.count(q)
            assert total == len(expected)
            got = [
                r.id
                for start in range(0, total, 7)
                for r in case.listing.window(q, start, 7, total).records
            ]
            assert got == [r.id for r in expected], q
    # Attacks that began before the range and reach into it by their end date are in it.
    assert any(r.fields.date < since for r in expected)


def _noting_walks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each time a list's IDs are read in order: whether by walking an index (True) or
    by reading the matches whole (False)."""
    walks: list[bool] = []
    in_order = listing._in_order

    def noted(
        q: ListQuery, matching: listing.Matching = listing.Matching.LISTED, **how: bool
    ) -> Any:
        walks.append(matching is not listing.Matching.LOOKED_UP)
        return in_order(q, matching, **how)

    monkeypatch.setattr(listing, "_in_order", noted)
    return walks


def test_a_list_whose_walk_proved_slow_is_kept(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    """Walking to a filtered list's first rows is chosen while the matches look spread
    through the index; a walk that took long says they are not, and the list is kept."""
    source = case.records.add(SourceFields(title="S")).id
    for i in range(30):
        case.records.add(QuoteFields(text=f"alpha {i}", source=source))
    q = ListQuery(Kind.QUOTE, text="alpha")
    total = case.listing.count(q)
    walks = _noting_walks(monkeypatch)
    case.listing.window(q, 0, 5, total)
    assert walks == [True]
    monkeypatch.setattr(listing, "SLOW_WALK_S", 0.0)  # every walk is slow from here
    case.listing.window(q, 0, 5, total)
    case.listing.window(q, 0, 5, total)
    assert walks == [True, True, False]  # read whole once, then sliced


def test_a_jump_past_the_middle_walks_from_the_end_when_anchors_stop_among_empty_dates(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anchors through rows without a date are found a row at a time: a jump past the
    middle does not walk them further when the end is nearer."""
    monkeypatch.setattr(listing, "STRIDE", 4)
    source = case.records.add(SourceFields(title="S")).id
    for i in range(40):
        said = PartialDate(2000 + i) if i >= 30 else None  # empty values sort first
        case.records.add(QuoteFields(text=f"q{i}", source=source, said=said))
    q = ListQuery(Kind.QUOTE, sort="said")
    total = case.listing.count(q)
    case.listing.window(q, 12, 4, total)  # anchors up to row 11, all without a date
    walked: list[int] = []
    anchors = listing.Listing._anchors

    def noted(self: listing.Listing, s: Any, q: ListQuery, wanted: int) -> Any:
        walked.append(wanted)
        return anchors(self, s, q, wanted)

    monkeypatch.setattr(listing.Listing, "_anchors", noted)
    window = case.listing.window(q, 24, 4, total)
    assert walked == []
    listed = [r.id for r in case.listing.page(replace(q, limit=100)).records]
    assert [r.id for r in window.records] == listed[24:28]


def test_a_kept_filtered_list_follows_every_change(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listing, "WALK_AT_MOST", 0)
    source = case.records.add(SourceFields(title="S")).id
    quotes = [case.records.add(QuoteFields(text=f"alpha {i}", source=source)).id for i in range(30)]
    q = ListQuery(Kind.QUOTE, text="alpha", sort="updated")

    def listed() -> list[UUID]:
        total = case.listing.count(q)
        return [r.id for r in case.listing.window(q, 0, 100, total).records]

    assert listed() == quotes
    added = case.records.add(QuoteFields(text="alpha again", source=source)).id
    assert listed() == [*quotes, added]
    case.records.update(quotes[0], {"text": "gamma"})
    assert listed() == [*quotes[1:], added]
    case.records.delete(quotes[1])
    assert listed() == [*quotes[2:], added]
    case.records.update(quotes[0], {"text": "alpha back"})
    assert listed() == [*quotes[2:], added, quotes[0]]


def test_anchors_in_a_long_list_follow_every_change(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listing, "STRIDE", 4)
    source = case.records.add(SourceFields(title="S")).id
    for i in range(40):
        case.records.add(QuoteFields(text=f"q{i}", source=source, said=PartialDate(2000 + i)))
    q = ListQuery(Kind.QUOTE, sort="said")

    def rows(start: int) -> list[str]:
        window = case.listing.window(q, start, 5, case.listing.count(q))
        return [r.fields.text for r in window.records]

    assert rows(13) == ["q13", "q14", "q15", "q16", "q17"]
    case.records.add(QuoteFields(text="first", source=source, said=PartialDate(1990)))
    assert rows(13) == ["q12", "q13", "q14", "q15", "q16"]
    [gone] = [
        r.id for r in case.listing.page(replace(q, limit=100)).records if r.fields.text == "q5"
    ]
    case.records.delete(gone)
    assert rows(13) == ["q13", "q14", "q15", "q16", "q17"]


def test_window_records_are_the_records_read_one_by_one(demo: Case) -> None:
    """A window reads its records as rows, not mapped objects: every field, tag, note,
    time and label (a link's from its ends, with its citations) is what ``get`` gives."""
    links = demo.listing.page(ListQuery(Kind.LINK, limit=500)).records
    link = next(r for r in links if r.fields.citations)
    demo.records.update(link.id, tags=["Zeta", "alpha", "Beta"], notes="Checked twice.")
    for kind in Kind:
        q = ListQuery(kind)
        total = demo.listing.count(q)
        window = demo.listing.window(q, 0, total or 1, total).records
        assert len(window) == total, kind
        assert window == demo.records.get_many([r.id for r in window]), kind
    [shown] = [
        r
        for r in demo.listing.window(ListQuery(Kind.LINK), 0, len(links), len(links)).records
        if r.id == link.id
    ]
    assert (shown.tags, shown.notes) == (("alpha", "Beta", "Zeta"), "Checked twice.")
    assert shown.fields.citations == link.fields.citations


def _long_list(case: Case) -> ListQuery:
    """40 quotes sorted by date, the first two without one (with ``STRIDE`` 4: ten
    anchors, the first after an empty date)."""
    source = case.records.add(SourceFields(title="S")).id
    for i in range(40):
        said = PartialDate(2000 + i) if i >= 2 else None
        case.records.add(QuoteFields(text=f"q{i}", source=source, said=said))
    return ListQuery(Kind.QUOTE, sort="said")


def test_a_prepared_list_jumps_from_its_anchors_at_once(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listing, "STRIDE", 4)
    monkeypatch.setattr(listing, "PREPARED_AT_ONCE", 3)
    q = _long_list(case)
    total = case.listing.count(q)
    listed = [r.id for r in case.listing.page(replace(q, limit=100)).records]
    case.listing.prepare(q, total, lambda: False)
    steps = index_ranges_read(monkeypatch)
    for start in (17, 24, 30):
        window = case.listing.window(q, start, 4, total)
        assert [r.id for r in window.records] == listed[start : start + 4]
    assert len(steps) == 3  # the jumps alone: every anchor was found beforehand


def test_what_a_list_learnt_survives_changes_to_other_kinds_not_to_its_own(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adding a person keeps the quotes' anchors (and a jump stays a step); adding a
    quote finds them again, and the jump then shows the new order."""
    monkeypatch.setattr(listing, "STRIDE", 4)
    q = _long_list(case)
    total = case.listing.count(q)
    case.listing.prepare(q, total, lambda: False)
    case.records.add(PersonFields(name="Someone else"))

    steps = index_ranges_read(monkeypatch)
    case.listing.window(q, 30, 4, total)
    assert len(steps) == 1  # the jump alone

    source = case.listing.window(q, 0, 1, total).records[0].fields.source
    case.records.add(QuoteFields(text="new first", source=source, said=PartialDate(1999)))
    listed = [r.id for r in case.listing.page(replace(q, limit=100)).records]
    steps.clear()
    window = case.listing.window(q, 12, 4, total + 1)
    assert len(steps) > 1  # the anchors found again, then the jump
    assert [r.id for r in window.records] == listed[12:16]


def test_preparing_stops_when_asked(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listing, "STRIDE", 4)
    monkeypatch.setattr(listing, "PREPARED_AT_ONCE", 2)
    q = _long_list(case)
    total = case.listing.count(q)
    asked: list[int] = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 1  # after one step

    case.listing.prepare(q, total, stop)
    steps = index_ranges_read(monkeypatch)
    case.listing.window(q, 19, 1, total)  # anchors 1 and 2 found; 4 wanted
    assert len(steps) == 3  # anchors 3 and 4, then the jump


def test_a_list_that_shrank_since_it_was_counted_is_prepared_and_shown_as_it_is(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table's count is a moment old: anchors beyond the list's new end are not there
    to be found, and neither a look-ahead nor a jump fails for it."""
    monkeypatch.setattr(listing, "STRIDE", 4)
    q = _long_list(case)
    total = case.listing.count(q)
    for record in case.listing.page(replace(q, limit=30)).records:
        case.records.delete(record.id)
    case.listing.prepare(q, total, lambda: False)  # 40 counted, 10 left
    assert case.listing.window(q, 16, 4, total).records == []
    listed = [r.id for r in case.listing.page(replace(q, limit=100)).records]
    assert [r.id for r in case.listing.window(q, 4, 4, 10).records] == listed[4:8]


def test_a_list_filtered_by_words_is_kept_when_prepared(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = case.records.add(SourceFields(title="S")).id
    for i in range(30):
        case.records.add(QuoteFields(text=f"alpha {i}", source=source))
    q = ListQuery(Kind.QUOTE, text="alpha", sort="updated")
    total = case.listing.count(q)
    case.listing.prepare(q, total, lambda: False)
    walks = _noting_walks(monkeypatch)
    window = case.listing.window(q, 10, 5, total)
    assert walks == []  # sliced from the list kept, neither walked nor read again
    assert [r.fields.text for r in window.records] == [f"alpha {i}" for i in range(10, 15)]
