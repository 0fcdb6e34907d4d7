"""Search over a real case file: the query language, the index kept in step, the CLI."""

from __future__ import annotations

import ctypes
import itertools
import json
import random
import sqlite3
import threading
import unicodedata
from contextlib import closing
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import sqlcipher3._sqlite3 as driver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from casefile.cli.main import main
from casefile.db import search_bounds, search_sql
from casefile.domain.dates import PartialDate
from casefile.domain.errors import InvalidInput, NotFound
from casefile.domain.records import (
    GroupFields,
    PersonFields,
    QuoteFields,
    SourceFields,
)
from casefile.domain.terms import Kind, Reliability
from casefile.services import search
from casefile.services.audit import AuditLog
from casefile.services.case import Case, create_case, open_case
from casefile.services.demo import article_bytes
from casefile.services.list_query import ListQuery
from casefile.services.record_service import NewRecord
from casefile.services.search import MARK_END, MARK_START
from tests.services.test_case_file import case_at_revision


def found(case: Case, query: str, **kwargs: object) -> list[str]:
    return [h.label for h in case.search.search(query, **kwargs).hits]  # type: ignore[arg-type]


@pytest.fixture
def people(case: Case) -> Case:
    source = case.records.add(
        SourceFields(title="Court record", reliability=Reliability.B, published=PartialDate(2017))
    )
    rumour = case.records.add(SourceFields(title="Forum rumour", reliability=Reliability.E))
    case.records.add(PersonFields(name="Khalid Masood", aliases=("Adrian Elms",)))
    case.records.add(PersonFields(name="Zoë Quartermain"), notes="Met the Bradford cell twice.")
    case.records.add(
        GroupFields(name="Islamic State", aliases=("ISIS", "Daesh")), tags=("jihadist",)
    )
    case.records.add(
        QuoteFields(
            text="run [the enemy] over in your car",
            source=source.id,
            said=PartialDate(2014, 9),
        )
    )
    case.records.add(
        QuoteFields(text="the enemy will run", source=rumour.id, said=PartialDate(2016, 4))
    )
    return case


def test_words_phrases_prefixes_or_and_exclusion(people: Case) -> None:
    assert set(found(people, "enemy run")) == {
        "“the enemy will run”",
        "“run [the enemy] over in your car”",
    }
    assert found(people, '"enemy will run"') == ["“the enemy will run”"]
    assert found(people, "quarterm*") == ["Zoë Quartermain"]
    assert set(found(people, "daesh OR elms")) == {"Islamic State", "Khalid Masood"}
    assert found(people, "enemy -car") == ["“the enemy will run”"]


def test_case_and_accents_do_not_matter(people: Case) -> None:
    assert found(people, "zoe") == ["Zoë Quartermain"]
    assert found(people, "ZOË") == ["Zoë Quartermain"]


def test_filters_narrow_by_kind_tag_date_and_reliability(people: Case) -> None:
    assert set(found(people, "enemy")) == {
        "“the enemy will run”",
        "“run [the enemy] over in your car”",
    }
    assert found(people, "enemy from:2016") == ["“the enemy will run”"]
    assert found(people, "enemy to:2014") == ["“run [the enemy] over in your car”"]
    assert found(people, "enemy reliability:A-C") == ["“run [the enemy] over in your car”"]
    assert found(people, "isis tag:jihadist") == ["Islamic State"]
    assert found(people, "isis tag:other") == []
    [isis] = people.search.search("isis").hits
    people.records.update(isis.record_id, tags=["jihadist", "proscribed group"])
    assert found(people, 'isis tag:"proscribed group"') == ["Islamic State"]
    assert found(people, 'isis tag:"proscribed"') == []  # a tag is named whole
    assert found(people, "court kind:source") == ["Court record"]
    assert found(people, "court kind:quote") == []
    assert found(people, "court", kind=Kind.PERSON) == []


def test_each_kind_is_found_in_its_own_range_of_the_index(case: Case) -> None:
    """A kind filter reads only that kind's range of index keys: one kind, neighbouring
    kinds, kinds far apart, pages, and notes, as made and as rebuilt by a reindex."""
    source = case.records.add(SourceFields(title="Shared source"), notes="shared note")
    case.records.add(PersonFields(name="Shared person"))
    case.records.add(GroupFields(name="Shared group"))
    case.records.add(QuoteFields(text="shared quote", source=source.id))
    case.documents.attach(b"pages", "pages.txt", source=source.id, pages=["a shared page"])
    expected = {
        "shared kind:person": {"person"},
        "shared kind:person kind:group": {"person", "group"},
        "shared kind:person kind:quote": {"person", "quote"},
        "shared kind:page": {"page"},
        "shared kind:quote kind:page": {"quote", "page"},
        "shared kind:note": {"source"},  # its notes hold the word (grouped by its title)
        "shared kind:note kind:quote": set(),
        "shared": {"person", "group", "quote", "page", "source"},
    }

    def groups(typed: str) -> set[str]:
        return {h.group for h in case.search.search(typed).hits}

    for reindexed in (False, True):
        assert {typed: groups(typed) for typed in expected} == expected, reindexed
        assert case.check() == []
        case.search_index.rebuild()


def test_check_sees_an_index_key_outside_its_kinds_range(case: Case) -> None:
    case.records.add(PersonFields(name="Misplaced"))
    with case.sessions.write() as s:
        s.execute(text("UPDATE fts_key SET id = id + (1 << 40)"))
        s.execute(text("DELETE FROM fts_text"))
        s.execute(text("INSERT INTO fts_text (rowid, title) SELECT id, 'Misplaced' FROM fts_key"))
    assert "search index: 1 person record(s) out of step" in case.check()
    case.search_index.rebuild()
    assert case.check() == []
    assert found(case, "misplaced kind:person") == ["Misplaced"]


@pytest.mark.slow
def test_a_match_in_the_notes_is_grouped_as_a_note(people: Case) -> None:
    [hit] = people.search.search("bradford").hits
    assert (hit.label, hit.group, hit.kind) == ("Zoë Quartermain", "note", Kind.PERSON)
    assert f"{MARK_START}Bradford{MARK_END}" in hit.snippet


@pytest.mark.slow
def test_names_are_found_by_near_spellings(people: Case) -> None:
    assert found(people, "Masud") == ["Khalid Masood"]
    assert found(people, "Massoud") == ["Khalid Masood"]
    assert found(people, "Masud kind:group") == []
    assert found(people, "khaled masud") == ["Khalid Masood"]
    assert found(people, "Masud enemy") == []  # every word must be near a word of the name


@pytest.mark.parametrize(
    "typed",
    [
        "x" * 10_000,
        "🔥 claim 🔥",
        "الدولة الإسلامية",
        "'; DROP TABLE record; --",
        "NEAR(",
        '"unbalanced',
        "*",
        "AND",
        "OR",
        "NOT",
        "NEAR(a b)",
        "-",
        '""',
        "a:b:c",
        "DROP TABLE x;--",
        "from:notadate",
        "reliability:Z",
        "kind:bogus",
        "^x",
        "{title}: x",
        "(",
        "x OR",
    ],
)
@pytest.mark.slow
def test_whatever_is_typed_is_searched_and_never_an_error(people: Case, typed: str) -> None:
    people.search.search(typed)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=40))
def test_no_typed_text_raises(people: Case, typed: str) -> None:
    people.search.search(typed)


@pytest.mark.slow
def test_the_index_follows_every_change_made_through_the_api(case: Case) -> None:
    rng = random.Random(5)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
    source = case.records.add(SourceFields(title="Base source")).id
    live: dict[UUID, str] = {}
    for step in range(120):
        action = rng.random()
        if action < 0.45 or not live:
            word = rng.choice(words)
            record = case.records.add(QuoteFields(text=f"quote {word} {step}", source=source))
            live[record.id] = word
        elif action < 0.7:
            target = rng.choice(list(live))
            word = rng.choice(words)
            case.records.update(target, {"text": f"changed {word}"})
            live[target] = word
        elif action < 0.85:
            target = rng.choice(list(live))
            word = rng.choice(words)
            case.records.update(target, notes=f"note {word}")
        else:
            target = rng.choice(list(live))
            deletion = case.records.delete(target)
            word = live.pop(target)
            if rng.random() < 0.5:
                case.records.restore(deletion)
                live[target] = word
    assert case.search_index.problems() == []
    for word in words:
        expected = {rid for rid, w in live.items() if w == word}
        hits = case.search.search(word, kind=Kind.QUOTE, limit=500).hits
        in_text = {h.record_id for h in hits if h.group == "quote"}
        assert in_text == expected, word


def test_rows_added_then_changed_or_removed_within_one_action_are_indexed_as_they_end(
    case: Case,
) -> None:
    """New rows are indexed as the action commits (migration 0004), so what counts is
    how they end, and a failed action leaves nothing waiting."""
    source = case.records.add(SourceFields(title="Base source")).id
    with case.sessions.write() as s:
        changed, gone = (
            r.id
            for r in case.records.insert(
                s,
                AuditLog(s),
                [NewRecord(QuoteFields(text=f"first {w}", source=source)) for w in ("ab", "cd")],
            )
        )
        s.execute(text("UPDATE quote SET text = 'final words' WHERE id = :id"), {"id": changed.hex})
        s.execute(text("UPDATE record SET notes = 'noted' WHERE id = :id"), {"id": changed.hex})
        s.execute(text("DELETE FROM record WHERE id = :id"), {"id": gone.hex})
        # The deleted row's index key is given again (and noted once).
        case.records.insert(s, AuditLog(s), [NewRecord(PersonFields(name="Came After"))])
    assert [h.record_id for h in case.search.search("final noted").hits] == [changed]
    assert case.search.search("first").hits == []
    assert found(case, "came after") == ["Came After"]

    def failing_action() -> None:
        with case.sessions.write() as s:
            case.records.insert(s, AuditLog(s), [NewRecord(PersonFields(name="Never Stored"))])
            raise RuntimeError("the action fails")

    with pytest.raises(RuntimeError):
        failing_action()
    assert case.search.search("never").hits == []
    assert case.search_index.problems() == []


def test_check_finds_a_drifted_index_and_reindex_mends_it(people: Case) -> None:
    # Through the case's own connection: a second SQLite library in this process would
    # break the file's locks (it is what a foreign tool editing the file looks like).
    with people.sessions.write() as s:
        s.execute(text("DELETE FROM fts_text WHERE rowid = (SELECT min(id) FROM fts_key)"))
    problems = people.check()
    assert any("out of step" in p for p in problems)
    assert problems[-1] == "run `casefile reindex` to rebuild the search index"
    with people.sessions.read() as s:
        made = s.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'fts_text'"))
    before = people.history.entries(None, limit=None)
    people.search_index.rebuild()
    assert people.check() == []
    assert found(people, "zoe") == ["Zoë Quartermain"]
    with people.sessions.read() as s:  # made anew, as the migrations made it
        assert s.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'fts_text'")) == made
    [entry] = people.history.entries(None, limit=None)[len(before) :]
    assert (entry.action, entry.kind) == ("reindex", "case")  # tables' kept lists see it


def test_the_index_reads_the_text_where_it_is_kept_and_follows_it(case: Case) -> None:
    """The index keeps no copy of the text (migration 0012): what it shows is read from
    the records and pages, and any statement that changes a page's or a record's text
    (even straight in SQL) takes the old words out of the index and puts the new in;
    one that changes no indexed text leaves the index alone."""
    source = case.records.add(SourceFields(title="Field notes"))
    document = case.documents.attach(b"p", "p.txt", source=source.id, pages=["okapi seen"])
    quote = case.records.add(QuoteFields(text="zebra crossing", source=source.id, page=3))
    with case.sessions.write() as s:
        s.execute(
            text("UPDATE document_page SET text = 'giraffe seen' WHERE document_id = :id"),
            {"id": document.id.hex},
        )
        s.execute(text("UPDATE quote SET page = 4 WHERE id = :id"), {"id": quote.id.hex})
        names = {r[0] for r in s.execute(text("SELECT name FROM sqlite_master"))}
    assert "fts_text_content" not in names
    assert case.search.search("okapi").hits == []
    [hit] = case.search.search("giraffe").hits
    assert (hit.record_id, hit.page, hit.snippet) == (document.id, 1, "\x02giraffe\x03 seen")
    assert [h.record_id for h in case.search.search("zebra").hits] == [quote.id]
    assert case.check() == []


@pytest.mark.slow
def test_search_works_in_an_encrypted_case(tmp_path: Path) -> None:
    with create_case(tmp_path / "secret.casefile", passphrase="correct horse") as case:
        case.records.add(GroupFields(name="Hay'at Tahrir al-Sham"))
        assert found(case, "tahrir") == ["Hay'at Tahrir al-Sham"]


def test_an_older_case_gets_its_index_when_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.casefile"
    case_at_revision(path, "0002")
    with closing(sqlite3.connect(path)) as con:
        con.execute(
            "INSERT INTO record (id, kind, created_at, updated_at, notes) "
            "VALUES ('0123456789abcdef0123456789abcdef', 'group', '2020-01-01', '2020-01-01', "
            "'Seen in Raqqa')"
        )
        con.execute(
            'INSERT INTO "group" (id, name, aliases, group_kind, country) VALUES '
            "('0123456789abcdef0123456789abcdef', 'Jabhat al-Nusra', '[]', 'militant_group', '')"
        )
        con.commit()
    with open_case(path, backups=False) as case:
        assert found(case, "nusra") == ["Jabhat al-Nusra"]
        assert found(case, "raqqa") == ["Jabhat al-Nusra"]
        assert case.check() == []


def test_the_cli_searches_and_rebuilds(
    people: Case, case_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", str(case_path), "enemy from:2016", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(h["label"], h["kind"], h["highlight"]) for h in data["hits"]] == [
        ("“the enemy will run”", "quote", "the [enemy] will run")
    ]
    assert main(["search", str(case_path), "bradford"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "Notes (1)"
    assert main(["search", str(case_path), "nothing-like-this"]) == 0
    assert capsys.readouterr().out.strip() == "nothing found"
    assert main(["reindex", str(case_path)]) == 0
    assert "rebuilt the search index" in capsys.readouterr().out


def test_saved_searches_are_kept_in_the_case_and_audited(people: Case, case_path: Path) -> None:
    people.saved_searches.save("  Enemy  quotes ", "enemy kind:quote")
    people.saved_searches.save("Names", "masood")
    people.saved_searches.save(
        "Enemy quotes", "enemy from:2016"
    )  # same name: the query is replaced
    with open_case(case_path, backups=False) as again:
        saved = again.saved_searches.all()
    assert [(s.name, s.query) for s in saved] == [
        ("Enemy quotes", "enemy from:2016"),
        ("Names", "masood"),
    ]
    people.saved_searches.forget("names")  # names are matched without regard to case
    assert [s.name for s in people.saved_searches.all()] == ["Enemy quotes"]
    history = [(e.action, e.kind, e.label) for e in people.history.entries()][-4:]
    assert history == [
        ("create", "saved_search", "Enemy quotes"),
        ("create", "saved_search", "Names"),
        ("update", "saved_search", "Enemy quotes"),
        ("delete", "saved_search", "Names"),
    ]
    with pytest.raises(InvalidInput, match="needs a name"):
        people.saved_searches.save(" ", "x")
    with pytest.raises(NotFound, match="no saved search named 'gone'"):
        people.saved_searches.forget("gone")


def test_the_cli_saves_and_reruns_a_search(
    people: Case, case_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", str(case_path), "enemy from:2016", "--save", "Recent"]) == 0
    first = capsys.readouterr().out
    assert main(["searches", str(case_path)]) == 0
    assert capsys.readouterr().out.strip() == "Recent: enemy from:2016"
    assert main(["search", str(case_path), "--saved", "recent"]) == 0
    assert capsys.readouterr().out == first
    assert main(["search", str(case_path), "--saved", "nope"]) == 1
    assert capsys.readouterr().err.strip() == "casefile: no saved search named 'nope'"


def test_near_spellings_follow_people_added_renamed_and_deleted(people: Case) -> None:
    assert found(people, "Redwane") == []  # the names are now read and kept
    rachid = people.records.add(PersonFields(name="Rachid Redouane"))
    assert found(people, "Redwane") == ["Rachid Redouane"]
    people.records.update(rachid.id, {"name": "Rachid Redouan"})
    assert found(people, "Redwan") == ["Rachid Redouan"]
    people.records.delete(rachid.id)
    assert found(people, "Redwan") == []


def test_a_document_that_names_someone_ten_times_ranks_before_one_that_names_them_once(
    case: Case,
) -> None:
    source = case.records.add(SourceFields(title="Reports"))
    once = case.documents.attach(
        b"once", "once.txt", source=source.id, pages=["Redouane was seen. " + "Other words. " * 30]
    )
    often = case.documents.attach(
        b"often",
        "often.txt",
        source=source.id,
        pages=["Redouane said. " * 10 + "Other words. " * 21],
    )
    hits = case.search.search("redouane").hits
    assert [h.record_id for h in hits] == [often.id, once.id]
    assert all(f"{MARK_START}Redouane{MARK_END}" in h.snippet for h in hits)


def test_dates_filter_at_each_precision(case: Case) -> None:
    source = case.records.add(SourceFields(title="S"))
    for said in ("2016", "2016~", "2016-03", "2016-03~", "2016-03-22", "2017-01"):
        case.records.add(
            QuoteFields(text=f"claim {said}", source=source.id, said=PartialDate.parse(said))
        )
    assert set(found(case, "claim from:2016 to:2016")) == {
        "“claim 2016”",
        "“claim 2016~”",
        "“claim 2016-03”",
        "“claim 2016-03~”",
        "“claim 2016-03-22”",
    }
    # A date is the days it may be, circa or not: "c. 2016" may be March 2016.
    assert set(found(case, "claim from:2016-03 to:2016-03")) == {
        "“claim 2016”",
        "“claim 2016~”",
        "“claim 2016-03”",
        "“claim 2016-03~”",
        "“claim 2016-03-22”",
    }
    assert set(found(case, "claim to:2016-03")) == {
        "“claim 2016”",
        "“claim 2016~”",
        "“claim 2016-03”",
        "“claim 2016-03~”",
        "“claim 2016-03-22”",
    }
    assert set(found(case, "claim from:2016-03-22 to:2016-03-22")) == {
        "“claim 2016”",
        "“claim 2016~”",
        "“claim 2016-03”",
        "“claim 2016-03~”",
        "“claim 2016-03-22”",
    }
    assert found(case, "claim from:2017") == ["“claim 2017-01”"]
    case.records.add(QuoteFields(text="claim undated", source=source.id))
    assert len(found(case, "claim")) == 7
    assert len(found(case, "claim to:9999")) == 6  # to the end of time: every dated one


def test_the_kept_record_counts_follow_every_change_and_check_sees_drift(people: Case) -> None:
    def actual() -> dict[Kind, int]:
        with people.sessions.read() as s:
            rows = s.execute(text("SELECT kind, count(*) FROM record GROUP BY kind")).all()
        counted: dict[str, int] = {str(kind): int(n) for kind, n in rows}
        return {kind: counted.get(kind.value, 0) for kind in Kind}

    people.records.add_many([PersonFields(name=f"Bulk {i}") for i in range(25)])
    doomed = people.records.add(PersonFields(name="Doomed"))
    deletion = people.records.delete(doomed.id)
    assert people.info().counts == actual()
    assert people.listing.count(ListQuery(Kind.PERSON)) == actual()[Kind.PERSON]
    people.records.restore(deletion)
    assert people.info().counts == actual()
    with people.sessions.write() as s:
        s.execute(text("UPDATE record_count SET n = n + 5 WHERE kind = 'person'"))
    assert "record counts: 1 kind(s) out of step" in people.check()
    people.search_index.rebuild()
    assert people.check() == []
    assert people.info().counts == actual()


def test_a_filtered_search_gives_the_same_best_hits_whether_or_not_few_pass(case: Case) -> None:
    """A filter is first checked on the best matches only; the first hits must be those
    the full ranking gives."""
    source = case.records.add(SourceFields(title="Court record"))
    for i in range(120):
        # Every quote a different length: no two rank the same, so the order is one.
        words = "vehicle attack " * (1 + i % 7) + "filler " * i
        case.records.add(
            QuoteFields(text=words, source=source.id, said=PartialDate(2010 + i % 10)),
            tags=("ramming",) if i % 3 == 0 else (),
        )
    for typed in ("vehicle tag:ramming", "attack from:2012 to:2015", "vehicle kind:quote"):
        everything = [h.record_id for h in case.search.search(typed, limit=200).hits]
        first = [h.record_id for h in case.search.search(typed, limit=10).hits]
        assert len(everything) > 10
        assert first == everything[:10], typed


def vehicle_quotes(case: Case, count: int) -> UUID:
    """``count`` quotes, each ranked differently for "vehicle" and "attack", most holding
    "ramming", a third tagged so, dated over ten years; the source they are from."""
    source = case.records.add(SourceFields(title="Court record")).id
    for i in range(count):
        words = "vehicle attack " * (1 + i % 5) + "filler " * i + ("ramming " if i % 4 else "")
        case.records.add(
            QuoteFields(text=words, source=source, said=PartialDate(2010 + i % 10)),
            tags=("ramming",) if i % 3 == 0 else (),
        )
    return source


@pytest.mark.slow
def test_filters_checked_on_a_pool_of_the_best_give_exactly_the_full_rankings_hits(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether enough pass within the pool, or the pool holds every match, or neither
    (the full ranking then runs), the hits are those of the full ranking."""
    vehicle_quotes(case, 90)
    typed = ["vehicle tag:ramming", "attack from:2012 to:2015", "ramming kind:quote"]

    def results(pool: int) -> list[list[UUID]]:
        monkeypatch.setattr(search, "POOL", pool)
        return [
            [h.record_id for h in case.search.search(t, limit=limit).hits]
            for t in typed
            for limit in (5, 200)
        ]

    full = results(10**6)
    assert all(full)
    assert results(20) == full  # 5 pass among 20; 200 do not: the full ranking runs
    assert results(100) == full  # the pool of 100 holds all 90 matches


@pytest.mark.slow
def test_ranking_two_halves_at_once_gives_exactly_the_hits_of_one_ranking(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Matches are ranked in two halves on two threads and merged, when a core is free:
    the hits are those of one ranking, for plain words, prefixes, OR, exclusion, kinds
    and other filters, whether each kind's matches are all ranked or only its newest."""
    source = vehicle_quotes(case, 60)
    pages = ["vehicle " * (1 + i % 6) + "page filler " * i for i in range(40)]
    case.documents.attach(b"report", "report.txt", source=source, pages=pages)
    typed = [
        "vehicle",
        "veh*",
        "vehicle OR ramming",
        "vehicle -ramming",
        "vehicle kind:quote",
        "vehicle kind:page kind:quote",
        "vehicle tag:ramming",
        "attack from:2012 to:2015",
    ]
    threads: set[str] = set()
    rank = search.SearchService._rank

    def ranked_on_its_thread(service: search.SearchService, *args: Any) -> object:
        threads.add(threading.current_thread().name)
        return rank(service, *args)

    monkeypatch.setattr(search.SearchService, "_rank", ranked_on_its_thread)

    def results(split_from: int) -> list[list[tuple[UUID, int | None]]]:
        monkeypatch.setattr(search, "SPLIT_FROM", split_from)
        return [
            [(h.record_id, h.page) for h in case.search.search(t, limit=limit).hits]
            for t in typed
            for limit in (5, 200)
        ]

    free = [True]
    monkeypatch.setattr(search, "a_core_is_free", lambda: free[0])
    whole = results(10**9)
    assert all(whole)
    assert not threads
    assert results(2) == whole
    assert len(threads) == 1
    assert threading.current_thread().name not in threads
    monkeypatch.setattr(search_sql, "CANDIDATES", 25)  # fewer than most words' matches
    bounded = results(10**9)
    assert bounded != whole
    assert results(2) == bounded
    free[0] = False  # no core free: one thread, whatever the matches
    threads.clear()
    assert results(2) == bounded
    assert not threads
    free[0] = True
    monkeypatch.undo()
    monkeypatch.setattr(search, "SPLIT_FROM", 2)
    monkeypatch.setattr(search, "a_core_is_free", lambda: True)

    written: list[UUID] = []

    def written_meanwhile(service: search.SearchService, *args: Any) -> object:
        if not written:
            written.append(case.records.add(QuoteFields(text="vehicle " * 6, source=source)).id)
        return rank(service, *args)

    # A write between the two halves' transactions: the second half is ranked again in
    # the first one's, so the hits are those of the case as the search began.
    monkeypatch.setattr(search.SearchService, "_rank", written_meanwhile)
    assert [(h.record_id, h.page) for h in case.search.search("vehicle", limit=5).hits] == whole[0]
    assert case.search.search("vehicle", limit=5).hits[0].record_id == written[0]


@pytest.mark.slow
def test_bounded_ranking_keeps_bm25s_order_for_rare_words_and_phrases(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages and quotes in a real article's words, a few rare names among them, each
    named more often on some pages than on others. A common word is found in more
    places of a kind than are ranked (``CANDIDATES``): only its newest are. A rare word,
    a phrase, or a rare word with a common one is ranked as bm25 ranks every match: the
    same hits in the same order as with every match ranked, and as FTS5's own bm25 over
    the whole index orders them."""
    rng = random.Random(19)
    article = [w for w in article_bytes().decode().split() if w.isalpha()]
    rare = ["Abdeslam", "Zaghba", "Redouane"]
    source = case.records.add(SourceFields(title="Court record")).id
    pages = []
    for i in range(80):
        words = [rng.choice(article) for _ in range(120 + i % 50)]
        for name in (n for step, n in enumerate(rare, start=5) if i % step == 0):
            for _ in range(1 + (i * 7) % 5):
                words.insert(rng.randrange(len(words)), name)
        pages.append(" ".join(words))
    case.documents.attach(b"report", "report.txt", source=source, pages=pages)
    start = rng.randrange(len(article) - 40)
    case.records.add_many(
        [
            QuoteFields(text=" ".join(article[start + i % 30 : start + 8 + i % 30]), source=source)
            for i in range(90)
        ]
    )
    phrase = f'"{article[start + 3]} {article[start + 4]}"'
    exact_words = [*(r.lower() for r in rare), f"{rare[0]} OR {rare[1]}", phrase, f"{rare[2]} the"]

    def hits(typed: str) -> list[tuple[UUID, int | None]]:
        return [(h.record_id, h.page) for h in case.search.search(typed, limit=30).hits]

    every = {typed: hits(typed) for typed in [*exact_words, "the"]}
    monkeypatch.setattr(search_sql, "CANDIDATES", 40)
    bounded = {typed: hits(typed) for typed in every}
    assert all(len(every[t]) > 5 for t in exact_words)
    assert {t: bounded[t] for t in exact_words} == {t: every[t] for t in exact_words}
    assert bounded["the"] != every["the"]  # its older matches were not ranked
    said = case.search.search("the", limit=30)
    assert said.newest_only  # and the search says so
    assert (said.bounded() or "").startswith("Ranked among the newest")
    assert not any(case.search.search(t, limit=30).newest_only for t in exact_words)
    with case.sessions.read() as s:
        for typed in rare:  # FTS5's own ranking of every match
            ranked = s.execute(
                text(
                    "SELECT k.record_id, k.page FROM fts_text "
                    "JOIN fts_key k ON k.id = fts_text.rowid WHERE fts_text MATCH :w "
                    "ORDER BY bm25(fts_text, 10, 3, 1), fts_text.rowid LIMIT 30"
                ).bindparams(w=typed)
            ).all()
            assert [(UUID(r), p or None) for r, p in ranked] == every[typed.lower()]
        newest = s.scalars(
            text(
                "SELECT page FROM fts_key WHERE id IN (SELECT rowid FROM fts_text "
                "WHERE fts_text MATCH 'the' ORDER BY rowid DESC LIMIT 40) AND page > 0"
            )
        ).all()
    assert {page for _, page in bounded["the"] if page} <= set(newest)


def test_a_deleted_source_comes_back_with_its_pages_searchable(case: Case) -> None:
    source = case.records.add(SourceFields(title="Field report"))
    case.documents.attach(
        b"two pages", "report.txt", source=source.id, pages=["zebrafish here", "okapi there"]
    )
    case.records.restore(case.records.delete(source.id))
    assert [(h.group, h.page) for h in case.search.search("okapi").hits] == [("page", 2)]
    assert case.search_index.problems() == []


def test_sqlite_keeps_no_allocation_counts_so_threads_do_not_queue(people: Case) -> None:
    """With SQLite's allocation counts on, the two halves of a ranking queue on one global
    mutex (see casefile.db.library); the counts read zero while they are off."""
    used = ctypes.CDLL(driver.__file__).sqlite3_memory_used
    used.restype = ctypes.c_int64
    assert found(people, "enemy")  # connections open, statements run: memory in use
    assert used() == 0


def test_a_page_repeating_a_word_400000_times_is_shown_from_a_bounded_text(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FTS5's snippet() and highlight() grow with the square of the matches in a text: over
    this page they took hours. A snippet is now made over at most ``SHOWN`` characters of
    each column, whatever the page holds: the work measured is that text's length."""
    source = case.records.add(SourceFields(title="Flood"))
    page = "start " + "word " * 400_000 + "and a rare one at the end"
    document = case.documents.attach(b"flood", "flood.txt", source=source.id, pages=[page])
    made_over: list[int] = []
    shown_texts = search_bounds.shown_texts

    def measured(*args: Any) -> dict[int, list[str]]:
        shown = shown_texts(*args)
        made_over.extend(len(text) for columns in shown.values() for text in columns)
        return shown

    monkeypatch.setattr(search_bounds, "shown_texts", measured)
    result = case.search.search("word", budget=600)  # time is not what is measured
    [hit] = result.hits
    assert (hit.record_id, hit.group, hit.page, result.stopped()) == (document.id, "page", 1, None)
    assert hit.snippet.startswith(f"start {MARK_START}word{MARK_END} {MARK_START}word{MARK_END}")
    assert hit.snippet.endswith("…")
    # The passage shown is the one holding the most of the words sought: the last, here.
    [hit] = case.search.search("word rare", budget=600).hits
    assert hit.snippet.startswith("…")
    assert f"and a {MARK_START}rare{MARK_END}" in hit.snippet
    assert 0 < max(made_over) <= search_bounds.SHOWN + 2  # and an ellipsis at each end


def test_a_long_texts_snippet_is_made_over_the_passage_with_the_most_words_sought(
    case: Case,
) -> None:
    """In a text longer than ``SHOWN``: the first passage holding the most of the words
    sought, whatever their forms (prefixes, folded accents); a phrase cut by the end of a
    passage, found whole in the next; words in a record's notes told from the rest."""
    source = case.records.add(SourceFields(title="Report"))
    filler = "Nothing to see in this sentence at all. " * 60  # 2,400 characters
    cut = "x " * 595 + "the enemy will run " + filler
    assert any(1190 < end < 1204 for _, end in search_bounds.passages(cut))  # in the phrase
    pages = [f"{filler}Only Zoë here. {filler}Zoë met Quartermain. {filler}Quartermain.", cut]
    case.documents.attach(b"report", "report.txt", source=source.id, pages=pages)
    notes = f"{filler}The notes name Abdeslam. {filler}"
    case.records.add(PersonFields(name="Someone"), notes=notes)

    def shown(typed: str) -> list[tuple[str, int | None, str]]:
        return [
            (
                h.group,
                h.page,
                " ".join(h.snippet.split()).replace(MARK_START, "[").replace(MARK_END, "]"),
            )
            for h in case.search.search(typed).hits
        ]

    see = "Nothing to see in this sentence at all. Nothing to see…"
    assert shown("zoe") == [("page", 1, f"…Only [Zoë] here. {see}")]
    assert shown("zoe quartermain") == [("page", 1, f"…[Zoë] met [Quartermain]. {see}")]
    assert shown("quarterm*") == [("page", 1, f"…Zoë met [Quartermain]. {see}")]
    [(_, page, snippet)] = shown('"enemy will run"')
    assert (page, snippet) == (2, "…x x x x the [enemy will run] Nothing to see in this sentence…")
    assert shown("abdeslam") == [
        (
            "note",
            None,
            "…The notes name [Abdeslam]. Nothing to see in this sentence at all. Nothing to…",
        )
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["word", "Zoë", "e\u0301t\u0301e", "_", " ", ", ", "\n", "x" * 30, "中文"])
    )
)
def test_passages_cover_a_text_cut_only_between_words(parts: list[str]) -> None:
    text = "".join(parts)
    spans = list(search_bounds.passages(text, size=40, overlap=10))
    assert not text or (spans[0][0], spans[-1][1]) == (0, len(text))

    def between_words(character: str) -> bool:  # as FTS5 reads them
        return unicodedata.category(character)[0] not in "LNM"

    for (start, end), (after, _) in itertools.pairwise(spans):
        assert start < after <= end  # in order, each repeating the end of the one before
        assert between_words(text[end - 1])
        assert between_words(text[after - 1])
        assert end - start <= 40 or not any(map(between_words, text[start + 20 : start + 40]))


@pytest.mark.slow
def test_a_search_out_of_time_gives_what_it_has_and_says_so(
    case: Case, case_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Statements stop at the time budget (here none at all): a search still ranking has
    found nothing yet; one ranked but still making snippets has its hits without them. The
    CLI and its JSON say so in one line."""
    source = case.records.add(SourceFields(title="Court record")).id
    case.records.add_many(
        [QuoteFields(text=f"vehicle attack {i}", source=source) for i in range(3000)]
    )
    case.documents.attach(b"crossing", "crossing.txt", source=source, pages=["zebra crossing"])
    # First: SQLite looks at the clock every 1,000 steps of a statement counted over all
    # its runs, so a statement that ran before (to its end) may look at it sooner.
    [hit] = case.search.search("zebra", budget=0).hits  # ranked in no time; not shown
    assert (hit.label, hit.group, hit.snippet) == ("crossing.txt", "page", "")
    assert len(case.search.search("vehicle", budget=600).hits) == 50  # given the time

    result = case.search.search("vehicle", budget=0)
    assert (result.hits, result.stopped()) == ([], "Search stopped after 0 s, before finding any")

    monkeypatch.setattr(search, "BUDGET", 0.0)
    assert main(["search", str(case_path), "vehicle"]) == 0
    assert capsys.readouterr().out.strip() == "Search stopped after 0 s, before finding any"
    assert main(["search", str(case_path), "zebra"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0] == "Document pages (1)"
    assert out[-1] == "Search stopped after 0 s: the results so far"
    assert main(["search", str(case_path), "zebra", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["stopped"] == "Search stopped after 0 s: the results so far"
    assert [h["label"] for h in data["hits"]] == ["crossing.txt"]


@pytest.mark.slow
def test_the_search_panel_says_when_a_search_ran_out_of_time(
    window: Any, case_path: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Said first, in one line, above the results found in time (ranked, not shown)."""
    with open_case(case_path, backups=False) as case:
        source = case.records.add(SourceFields(title="Court record")).id
        case.documents.attach(b"crossing", "crossing.txt", source=source, pages=["zebra crossing"])
    monkeypatch.setattr(search, "BUDGET", 0.0)
    window.opener.open_path(case_path)
    window.search_action.trigger()
    qtbot.keyClicks(window.search_field, "zebra")
    qtbot.waitUntil(lambda: "Document pages (1)" in window.results.toPlainText())
    lines = window.results.toPlainText().splitlines()
    assert lines[0] == "Search stopped after 0 s: the results so far."
    assert lines[1].startswith("1 found for “zebra”.")
