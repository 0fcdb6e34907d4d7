"""One filter, one meaning: the same tag and date range select the same records in the
tables, in search, in the briefing pack and in the CLI, and what they select is what
``DateRange.meets`` says of the records' dates."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from casefile.briefing.content import gather
from casefile.briefing.options import PackOptions, Scope
from casefile.cli.main import main
from casefile.domain.dates import DateRange, PartialDate
from casefile.domain.records import AttackFields, QuoteFields, SourceFields
from casefile.domain.terms import Kind
from casefile.services.case import Case
from casefile.services.list_query import ListQuery
from tests.conftest import pd

WORD = "zephyrine"  # in every title: what the search looks for


def _maybe(text: str | None) -> PartialDate | None:
    return None if text is None else pd(text)


# Dates at every precision, circa or not, some with an end date; and none.
STARTS = [
    f"{y}{md}{c}"
    for y in ("2015", "2016")
    for md in ("", "-03", "-03-01", "-03-15", "-03-31", "-12", "-12-20", "-12-31")
    for c in ("", "~")
]
ENDS = {"2015-12-20": "2016-01-05", "2015": "2016-03", "2016-03-15": "2016-04", "2015-12": "2016"}
BOUNDS = [None, "2015", "2016", "2016-03", "2016-03-15", "2016-04", "2015-12-31", "2016-12"]


@pytest.fixture
def dated(case: Case) -> Case:
    source = case.records.add(SourceFields(title=f"{WORD} source"))
    for start in STARTS:
        end = ENDS.get(start)
        title = f"{WORD} {start}" + (f" to {end}" if end else "")
        case.records.add(
            AttackFields(title=title, date=pd(start), end_date=_maybe(end)),
            tags=("kept",) if len(start) > 7 else (),
        )
        case.records.add(QuoteFields(text=f"{WORD} said {start}", source=source.id, said=pd(start)))
    case.records.add(AttackFields(title=f"{WORD} undated"), tags=("kept",))
    return case


def _expected(dates: DateRange, tag: str = "") -> set[str]:
    return {
        f"{WORD} {start}" + (f" to {ENDS[start]}" if start in ENDS else "")
        for start in STARTS
        if dates.meets(pd(start), pd(ENDS[start]) if start in ENDS else None)
        and (not tag or len(start) > 7)
    }


def _listed(case: Case, kind: Kind, dates: DateRange, tag: str = "") -> set[str]:
    query = ListQuery(kind, since=dates.since, until=dates.until, tag=tag, limit=1000)
    found = {r.label for r in case.listing.page(query).records}
    assert case.listing.count(query) == len(found)
    return found


def _searched(case: Case, kind: str, dates: DateRange, tag: str = "") -> set[str]:
    typed = " ".join(
        [
            WORD,
            f"kind:{kind}",
            *([f"from:{dates.since.to_edtf()}"] if dates.since else []),
            *([f"to:{dates.until.to_edtf()}"] if dates.until else []),
            *([f"tag:{tag}"] if tag else []),
        ]
    )
    return {hit.label for hit in case.search.search(typed, limit=1000).hits}


def _packed(case: Case, dates: DateRange, tag: str | None = None) -> set[str]:
    scope = Scope(tag=tag, start=dates.since, end=dates.until)
    with case.sessions.read() as s:
        return {a.title for a in gather(s, PackOptions(scope=scope)).attacks}


@pytest.mark.slow
def test_tables_search_and_pack_keep_the_same_attacks_for_every_range(dated: Case) -> None:
    for since, until in itertools.product(BOUNDS, BOUNDS):
        if since and until and pd(until).last_day() < pd(since).first_day():
            continue
        dates = DateRange(_maybe(since), _maybe(until))
        expected = _expected(dates)
        if not dates:
            expected.add(f"{WORD} undated")
        assert _listed(dated, Kind.ATTACK, dates) == expected, (since, until)
        assert _searched(dated, "attack", dates) == expected, (since, until)
        assert _packed(dated, dates) == expected, (since, until)


@pytest.mark.slow
def test_every_dated_kind_keeps_what_its_date_meets(dated: Case) -> None:
    for since, until in itertools.product(BOUNDS, BOUNDS):
        if since and until and pd(until).last_day() < pd(since).first_day():
            continue
        dates = DateRange(_maybe(since), _maybe(until))
        quotes = {f"\u201c{WORD} said {s}\u201d" for s in STARTS if dates.meets(pd(s))}
        assert _listed(dated, Kind.QUOTE, dates) == quotes, (since, until)
        assert _searched(dated, "quote", dates) == quotes, (since, until)
        if dates:
            attacks = _expected(dates)
            assert _listed(dated, Kind.ATTACK, dates) == attacks, (since, until)


def test_a_tag_and_a_range_together_select_the_same_everywhere(dated: Case) -> None:
    dates = DateRange(pd("2016"), pd("2016"))
    expected = _expected(dates, tag="kept")
    assert expected  # (and not every attack of 2016: the tag narrows it)
    assert expected != _expected(dates)
    assert _listed(dated, Kind.ATTACK, dates, tag="KEPT") == expected
    assert _searched(dated, "attack", dates, tag="KEPT") == expected
    assert _packed(dated, dates, tag="KEPT") == expected


def test_the_cli_lists_and_packs_the_attack_that_runs_into_the_year(
    case_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Reported: `list --from 2016 --to 2016` listed one attack, `export pdf` with the same
    # options packed two (one from 20 December 2015 to 5 January 2016).
    from casefile.services.case import open_case

    with open_case(case_path, backups=False) as case:
        case.records.add(
            AttackFields(title="New Year attack", date=pd("2015-12-20"), end_date=pd("2016-01-05"))
        )
        case.records.add(AttackFields(title="Spring attack", date=pd("2016-04-02")))
        case.records.add(AttackFields(title="Earlier attack", date=pd("2015-06")))
    capsys.readouterr()
    assert (
        main(["list", str(case_path), "attacks", "--from", "2016", "--to", "2016", "--json"]) == 0
    )
    listed = {row["title"] for row in json.loads(capsys.readouterr().out)}
    assert listed == {"New Year attack", "Spring attack"}
    pdf = tmp_path / "pack.pdf"
    assert main(["export", "pdf", str(case_path), str(pdf), "--from", "2016", "--to", "2016"]) == 0
    said = capsys.readouterr()
    assert "2 attacks" in said.out + said.err
