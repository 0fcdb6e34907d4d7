"""Opening a case made by an older Casefile: a verified backup first, then the upgrade.

Casefile has one schema revision so far, so the test writes the next one itself (as a
future release would ship it) into a copy of the migration scripts and points the runner
there: the machinery that will upgrade real cases is exercised end to end today.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from importlib.resources import files
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import text

from casefile.briefing.options import PackOptions
from casefile.db import migrate
from casefile.db.engine import make_engine
from casefile.domain.dates import PartialDate
from casefile.domain.errors import CaseFileError
from casefile.domain.figures import Figure
from casefile.domain.handling import Handling
from casefile.domain.records import AttackFields, GroupFields, PersonFields, SourceFields
from casefile.domain.terms import Kind, Vocabulary
from casefile.services.case import Case, create_case, open_case, upgrade_needed
from casefile.services.demo import write_demo_case
from casefile.services.list_query import ListQuery

HEAD = migrate.HEAD  # the next release's revision follows this one
NEXT_REVISION = '''"""A later release adds a column."""

import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("later_field", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("later_field")
'''


def install_next_release(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch | None,
    revision_source: str = NEXT_REVISION,
) -> None:
    """This Casefile, as if its next release (schema 9999) were installed: for the test,
    or (with no ``monkeypatch``) for good, in a process of the crash harness."""
    set_attribute = setattr if monkeypatch is None else monkeypatch.setattr
    scripts = tmp_path / "migrations"
    shutil.copytree(str(files("casefile.migrations")), scripts, dirs_exist_ok=True)
    (scripts / "versions" / "9999_next.py").write_text(revision_source.replace("{head}", HEAD))
    original = migrate.alembic_config

    def config(connection: object = None) -> object:
        made = original(connection)  # type: ignore[arg-type]
        made.set_main_option("script_location", str(scripts))
        return made

    set_attribute(migrate, "alembic_config", config)
    revision = re.search(r'^revision = "(\w+)"', revision_source, re.M)
    assert revision is not None
    set_attribute(migrate, "HEAD", revision[1])  # what that release would say


@pytest.fixture
def newer_casefile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_next_release(tmp_path, monkeypatch, NEXT_REVISION)


def schema_of(path: Path) -> str:
    with open_case(path, backups=False) as case:
        return case.info().schema


def test_an_older_case_is_backed_up_then_upgraded(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    path = tmp_path / "old.casefile"
    with create_case(path) as case:
        case.records.add(PersonFields(name="Rita Katz"))
    assert schema_of(path) == HEAD

    request.getfixturevalue("newer_casefile")
    assert upgrade_needed(path)
    with open_case(path, backups=False) as case:
        assert case.info().schema == "9999"
        assert case.info().counts[Kind.PERSON] == 1
        with case.sessions.read() as s:
            columns = [row[1] for row in s.execute(text("PRAGMA table_info(person)"))]
        assert "later_field" in columns
        assert case.check() == []
    assert not upgrade_needed(path)
    [backup] = tmp_path.glob(f"old.before-upgrade-{HEAD}-*.casefile")
    with sqlite3.connect(backup) as copy:  # the copy is the case as it was, at HEAD
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)
        assert copy.execute("SELECT name FROM person").fetchall() == [("Rita Katz",)]


def test_a_case_from_the_newer_release_is_refused_by_this_one(
    tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "new.casefile"
    request.getfixturevalue("newer_casefile")
    create_case(path).close()
    assert schema_of(path) == "9999"
    monkeypatch.undo()  # back to this release, whose newest schema is HEAD
    with pytest.raises(CaseFileError, match="newer Casefile"):
        open_case(path, backups=False)


REBUILDING_REVISION = '''"""A later release changes a column others point at (a table rebuild)."""

import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("document", recreate="always") as batch:
        batch.alter_column("media_type", type_=sa.String(200))


def downgrade() -> None:
    pass
'''


def test_an_upgrade_that_rebuilds_a_table_keeps_what_points_at_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite rebuilds a table by dropping it: with foreign keys on, the drop would empty
    every table that cascades from it (here a document's extracted pages)."""
    path = tmp_path / "old.casefile"
    with create_case(path) as case:
        source = case.records.add(SourceFields(title="Report")).id
        document = case.documents.attach(b"bytes", "r.txt", source=source, pages=["one", "two"])
    install_next_release(tmp_path, monkeypatch, REBUILDING_REVISION)
    with open_case(path, backups=False) as case:
        assert case.info().schema == "9999"
        assert case.documents.pages(document.id) == ["one", "two"]
        assert case.check() == []


def test_a_built_in_value_missing_from_a_case_is_added_when_it_opens(tmp_path: Path) -> None:
    """As a later release adding a GTD value would find an older case."""
    path = tmp_path / "old.casefile"
    create_case(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute("DELETE FROM vocabulary_term WHERE code = 'vehicle'")
    with open_case(path, backups=False) as case:
        codes = {t.code for t in case.vocabulary.terms(Vocabulary.WEAPON_TYPE)}
    assert "vehicle" in codes


def _downgrade(path: Path, revision: str) -> None:
    """The case as an older Casefile left it (foreign keys off, as ``migrate`` runs)."""
    from alembic import command

    engine = make_engine(path, None)
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys = OFF")
        with conn.begin():
            command.downgrade(migrate.alembic_config(conn), revision)
    engine.dispose()


def test_counts_stored_as_numbers_become_figures_that_say_the_same(tmp_path: Path) -> None:
    """Migration 0007: every count and every other value of every attack reads the same
    after the upgrade, and lists sort by killed as before."""
    path = tmp_path / "old.casefile"
    with create_case(path) as case:
        group = case.records.add(GroupFields(name="A group")).id
        for n, (killed, wounded) in enumerate([(3, None), (0, 48), (None, None), (250, 1000)]):
            case.records.add(
                AttackFields(
                    title=f"Attack {n}",
                    date=PartialDate(2017, 3, 22 - n),
                    killed=None if killed is None else Figure.exactly(killed),
                    wounded=None if wounded is None else Figure.exactly(wounded),
                    perpetrators_killed=Figure.exactly(1) if n else None,
                    claimed_by=group if n == 1 else None,
                    attack_types=("armed_assault",),
                ),
                tags=["verified"],
            )
        before = case.listing.page(ListQuery(Kind.ATTACK, sort="killed")).records
    _downgrade(path, "0006")
    with sqlite3.connect(path) as raw:  # what an older Casefile stored: whole numbers
        stored = raw.execute("SELECT killed, typeof(killed) FROM attack ORDER BY killed").fetchall()
    assert stored == [(None, "null"), (0, "integer"), (3, "integer"), (250, "integer")]
    assert upgrade_needed(path)
    with open_case(path, backups=False) as case:
        after = case.listing.page(ListQuery(Kind.ATTACK, sort="killed")).records
        assert case.check() == []
        # The search index's triggers on the rebuilt table stayed.
        assert len(case.search.search("attack").hits) == 4
        case.records.update(after[0].id, {"title": "Renamed"})
        case.records.add(AttackFields(title="Added later"))
        assert [h.label for h in case.search.search("renamed").hits] == ["Renamed"]
        assert [h.label for h in case.search.search("later").hits] == ["Added later"]
    assert [(r.id, r.fields, r.tags, r.notes) for r in after] == [
        (r.id, r.fields, r.tags, r.notes) for r in before
    ]


def test_every_record_of_every_kind_survives_the_new_kinds_migration(tmp_path: Path) -> None:
    """Migration 0008 rebuilds ``record`` (which every table points at) for its kinds: a
    demo case, without what 0007 cannot hold, goes down to 0007 and up again unchanged."""
    path = tmp_path / "demo.casefile"
    write_demo_case(path).close()
    with open_case(path, backups=False) as case:
        for kind in (Kind.JUDGEMENT, Kind.REPORT):
            for record in case.listing.page(ListQuery(kind, limit=100)).records:
                case.records.delete(record.id)
        everything = {kind: case.listing.page(ListQuery(kind, limit=500)).records for kind in Kind}
        history = case.history.entries()
    full = tmp_path / "full.casefile"
    write_demo_case(full).close()
    with pytest.raises(RuntimeError, match="8 reported values or judgements"):
        _downgrade(full, "0007")
    _downgrade(path, "0007")
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT count(*) FROM record").fetchone() == (
            sum(len(v) for v in everything.values()),
        )
    with open_case(path, backups=False) as case:
        assert case.info().schema == HEAD
        assert case.check() == []
        assert {
            kind: case.listing.page(ListQuery(kind, limit=500)).records for kind in Kind
        } == everything
        assert case.history.entries()[: len(history)] == history
        assert [h.label for h in case.search.search("blood").hits][:1] == ["“blood with blood”"]


def test_a_count_too_large_for_a_figure_stops_the_upgrade_and_changes_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.casefile"
    with create_case(path) as case:
        case.records.add(AttackFields(title="Miscounted"))
    _downgrade(path, "0006")
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE attack SET killed = 12345678901")
    with pytest.raises(CaseFileError, match="1 attacks have a count over 9,999,999,999"):
        open_case(path, backups=False)
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == ("0006",)
        assert raw.execute("SELECT killed FROM attack").fetchone() == (12345678901,)


def test_support_is_counted_when_a_case_from_before_it_was_kept_opens(tmp_path: Path) -> None:
    """Migration 0009: the demo case goes down to 0008 (no support columns, no
    near-duplicate tables) and up again with every record's support as it was kept."""
    path = tmp_path / "demo.casefile"
    write_demo_case(path).close()
    with open_case(path, backups=False) as case:
        kept = {
            r.id: r.support
            for kind in (Kind.ATTACK, Kind.PERSON, Kind.LINK)
            for r in case.listing.page(ListQuery(kind, limit=500)).records
        }
    assert any(v is not None and v.independent for v in kept.values())
    _downgrade(path, "0008")
    with sqlite3.connect(path) as raw:
        columns = [row[1] for row in raw.execute("PRAGMA table_info(record)")]
        assert "support_count" not in columns
    with open_case(path, backups=False) as case:
        assert case.check() == []
        assert {
            r.id: r.support
            for kind in (Kind.ATTACK, Kind.PERSON, Kind.LINK)
            for r in case.listing.page(ListQuery(kind, limit=500)).records
        } == kept


def test_a_case_from_before_quotes_had_times_opens_with_every_quote_as_it_was(
    tmp_path: Path,
) -> None:
    """Migration 0010: the demo case goes down to 0009 (no ``quote.at``) and up again with
    every quote unchanged and none with a time; a time is then kept, and a case whose
    quotes cite one is not taken down to where it would be lost."""
    path = tmp_path / "demo.casefile"
    write_demo_case(path).close()
    with open_case(path, backups=False) as case:
        quotes = case.listing.page(ListQuery(Kind.QUOTE, limit=100)).records
    _downgrade(path, "0009")
    with sqlite3.connect(path) as raw:
        assert "at" not in [row[1] for row in raw.execute("PRAGMA table_info(quote)")]
    with open_case(path, backups=False) as case:
        assert case.info().schema == HEAD
        assert case.check() == []
        assert case.listing.page(ListQuery(Kind.QUOTE, limit=100)).records == quotes
        assert {q.fields.at for q in quotes} == {None}
        case.records.update(quotes[0].id, {"at": 62})
    with open_case(path, backups=False) as case:
        assert case.records.get(quotes[0].id).fields.at == 62
    with pytest.raises(RuntimeError, match="1 quotes cite a time into a recording"):
        _downgrade(path, "0009")


def everything_in(case: Case) -> dict[str, object]:
    """What a user can see of a case: every record of every kind, each document's pages,
    the saved searches, the vocabularies, the case's own description and its history."""
    records = {kind: case.listing.page(ListQuery(kind, limit=500)).records for kind in Kind}
    info = case.info()
    return {
        "records": records,
        "pages": {d.id: case.documents.pages(d.id) for d in records[Kind.DOCUMENT]},
        "searches": case.saved_searches.all(),
        "terms": {v: case.vocabulary.terms(v) for v in Vocabulary},
        "case": (info.id, info.title, info.summary, info.created_at, info.counts),
        "history": case.history.entries(),
    }


def test_a_case_from_before_packs_were_recorded_opens_with_everything_as_it_was(
    tmp_path: Path,
) -> None:
    """Migration 0011: a case holding a record of every kind (the demo case, with a saved
    search and a term of its own) goes down to 0010 (no handling block, no pack versions)
    and up again with everything as it was, no handling kept and no pack recorded."""
    path = tmp_path / "demo.casefile"
    write_demo_case(path).close()
    with open_case(path, backups=False) as case:
        case.saved_searches.save("Vehicles", "vehicle")
        case.vocabulary.add(Vocabulary.WEAPON_TYPE, "Drone", case.info().id)
        before = everything_in(case)
    assert all(before["records"][kind] for kind in Kind)  # type: ignore[index]
    _downgrade(path, "0010")
    with sqlite3.connect(path) as raw:
        assert "pack_originator" not in [r[1] for r in raw.execute("PRAGMA table_info(case_info)")]
        assert (
            raw.execute("SELECT name FROM sqlite_master WHERE name = 'pack_version'").fetchall()
            == []
        )
    with open_case(path, backups=False) as case:
        assert case.info().schema == HEAD
        assert case.check() == []
        assert everything_in(case) == before
    with sqlite3.connect(path) as raw:
        handling = raw.execute(
            "SELECT pack_originator, pack_reference, pack_distribution, pack_instructions,"
            " pack_review, pack_contact FROM case_info"
        ).fetchall()
        assert handling == [("", "", "", "", None, "")]
        assert raw.execute("SELECT count(*) FROM pack_version").fetchone() == (0,)


def test_creations_an_older_case_kept_whole_are_read_back_from_their_records(
    tmp_path: Path,
) -> None:
    """Migration 0013: a demo case with edits, a delete, an undone delete and a document
    read again goes down to 0012, where every creation keeps its values again (those the
    history showed), and up again with the same history, each creation read back from its
    record; one whose record changed without an event keeps its values."""
    path = tmp_path / "demo.casefile"
    write_demo_case(path).close()
    with open_case(path, backups=False) as case:
        attacks = case.listing.page(ListQuery(Kind.ATTACK, limit=10)).records
        case.records.update(
            attacks[0].id, {"title": "Renamed", "killed": Figure.exactly(4)}, tags=["x"]
        )
        people = case.listing.page(ListQuery(Kind.PERSON, limit=10)).records
        case.records.restore(case.records.delete(people[0].id))
        case.records.delete(people[1].id)
        [document] = case.listing.page(ListQuery(Kind.DOCUMENT, limit=10)).records
        case.encodings.read_as(document.id, "cp1252")
        history = case.history.entries()
    creations = [e for e in history if e.action in ("create", "restore") and e.kind != "case"]
    assert {"create", "restore"} == {e.action for e in creations}
    _downgrade(path, "0012")
    with sqlite3.connect(path) as raw:
        kept = raw.execute(
            "SELECT record_id, changes FROM audit_event WHERE action IN ('create', 'restore') "
            "AND kind != 'case' ORDER BY id"
        ).fetchall()
        # What a creation reads back is what the downgrade writes: the same values.
        assert [(UUID(hex=r), json.loads(c)) for r, c in kept] == [
            (e.record_id, e.changes) for e in creations
        ]
        # Changed behind Casefile's back: no event says what it was before.
        raw.execute("UPDATE person SET nationality = 'Nowhere' WHERE id = ?", (people[2].id.hex,))
    with open_case(path, backups=False) as case:
        assert case.info().schema == HEAD
        assert case.check() == []
        assert case.history.entries() == history
    with sqlite3.connect(path) as raw:
        whole = raw.execute(
            "SELECT record_id FROM audit_event WHERE action IN ('create', 'restore') "
            "AND kind != 'case' AND changes IS NOT NULL"
        ).fetchall()
    assert whole == [(people[2].id.hex,)]


@pytest.mark.slow
def test_a_case_that_recorded_packs_or_keeps_a_handling_block_stays_at_0011(
    tmp_path: Path,
) -> None:
    """Neither the record of the packs given out nor the handling block has a place in
    an older Casefile: a case holding either is not taken down to 0010."""
    path = tmp_path / "old.casefile"
    with create_case(path) as case:
        case.briefing.export(tmp_path / "pack.pdf", PackOptions())
    with pytest.raises(RuntimeError, match="the case records 1 briefing packs written"):
        _downgrade(path, "0010")
    kept = tmp_path / "kept.casefile"
    with create_case(kept) as case:
        case.briefing.export(tmp_path / "kept.pdf", PackOptions(handling=Handling(contact="X")))
    with sqlite3.connect(kept) as raw:
        raw.execute("DELETE FROM pack_version")
    with pytest.raises(RuntimeError, match="keeps a handling block"):
        _downgrade(kept, "0010")


def _hits(case: Case, words: list[str]) -> list[list[tuple[object, ...]]]:
    return [
        [(h.record_id, h.page, h.group, h.snippet) for h in case.search.search(w).hits]
        for w in words
    ]


@pytest.mark.slow
def test_the_index_keeps_no_copy_of_the_text_and_finds_what_it_found(tmp_path: Path) -> None:
    """Migration 0012: a case of every kind, with a document's pages, a name's aliases and
    a record's notes, taken down to 0011 (an index with its own copy of the text) and up
    again: the copy is gone, and every search finds and shows what it did."""
    path = tmp_path / "demo.casefile"
    write_demo_case(path).close()
    with open_case(path, backups=False) as case:
        source = case.records.add(SourceFields(title="Field notes")).id
        case.documents.attach(b"pages", "p.txt", source=source, pages=["Okapi seen", "Zoë"])
        case.records.add(PersonFields(name="Rachid Redouane", aliases=("Rachid Elkhdar",)))
        case.records.add(GroupFields(name="Katiba"), notes="Seen in Raqqa")
        words = ["okapi", "zoe", "elkhdar", "raqqa", "westminster", "attack", "isis", "the"]
        before = _hits(case, words)
    assert all(before)

    def tables() -> set[str]:
        with sqlite3.connect(path) as raw:
            return {r[0] for r in raw.execute("SELECT name FROM sqlite_master")}

    assert "fts_text_content" not in tables()
    assert "fts_source" in tables()
    _downgrade(path, "0011")
    assert "fts_text_content" in tables()
    assert "fts_source" not in tables()
    with open_case(path, backups=False) as case:
        assert case.info().schema == HEAD
        assert case.check() == []
        assert _hits(case, words) == before
    assert "fts_text_content" not in tables()
