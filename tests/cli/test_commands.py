"""The `casefile` command, driven as a user or a script would drive it.

Most tests call ``casefile.cli.main.main`` in-process and read stdout/stderr with capsys;
a few run the installed console script to check what only a real process shows (exit
codes from argparse, tracebacks, SQLCipher's own stderr). Every test looks at what the
case file holds afterwards, not just at what was printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import json
import os
import re
import shutil
import string
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from casefile.cli import main as cli_main
from casefile.cli.main import main
from casefile.cli.output import ProgressBar
from casefile.domain.dates import PartialDate
from casefile.domain.display import UNSAFE, terminal_safe
from casefile.domain.errors import NeedsPassphrase
from casefile.domain.figures import FIGURE_LIMIT, Figure
from casefile.domain.moments import moment
from casefile.domain.records import (
    AttackFields,
    GroupFields,
    LinkFields,
    PersonFields,
    QuoteFields,
    Record,
    SourceFields,
)
from casefile.domain.terms import Kind, PersonRole, Relation, Reliability, Vocabulary
from casefile.services.case import create_case, open_case
from tests.services.test_threads import imported, message

CASEFILE = Path(sys.executable).parent / "casefile"
SQLITE_MAGIC = b"SQLite format 3\x00"
UUID_LINE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n$")
NO_SUCH_ID = "ffffffff-ffff-4fff-8fff-ffffffffffff"
SECRET = "correct horse battery"
DEMO_COUNTS = {"attacks": 5, "people": 6, "groups": 5, "sources": 1, "quotes": 6, "links": 9}
KIND_OF_PLURAL = {
    "attacks": "attack",
    "people": "person",
    "groups": "group",
    "sources": "source",
    "quotes": "quote",
    "links": "link",
}


# -- helpers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


class Cli:
    """Runs ``main`` in-process, the way the console script does, and captures output."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def __call__(self, *argv: str | Path | UUID) -> Result:
        self.capsys.readouterr()
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:  # argparse: --help and usage errors
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = self.capsys.readouterr()
        return Result(code, out, err)

    def ok(self, *argv: str | Path | UUID) -> str:
        result = self(*argv)
        assert result.code == 0, result
        assert result.err == "", result
        return result.out

    def json(self, *argv: str | Path | UUID) -> Any:
        return json.loads(self.ok(*argv, "--json"))

    def add(self, *argv: str | Path | UUID) -> str:
        """`casefile add ...`: stdout is the new record's ID and nothing else."""
        out = self.ok("add", *argv)
        assert UUID_LINE.match(out), out
        return out.strip()

    def fails(self, *argv: str | Path | UUID) -> str:
        """A user error: exit 1, nothing on stdout, one line on stderr. Returns the line."""
        result = self(*argv)
        assert result.code == 1, result
        assert result.out == "", result
        return one_error_line(result.err)

    def usage_error(self, *argv: str | Path | UUID) -> str:
        result = self(*argv)
        assert result.code == 2, result
        assert result.out == "", result
        assert "usage:" in result.err
        assert "Traceback" not in result.err
        return result.err


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("casefile: "), err
    assert "Traceback" not in err
    return lines[0]


@dataclass(frozen=True)
class Snapshot:
    sha256: str
    counts: dict[Kind, int]
    history: int


def snapshot(path: Path) -> Snapshot:
    """What must not change when a command fails: the bytes, the records, the history."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with open_case(path, backups=False) as case:
        return Snapshot(digest, case.info().counts, len(case.history.entries()))


def get(path: Path, record_id: str | UUID) -> Record[Any]:
    with open_case(path, backups=False) as case:
        return case.records.get(UUID(str(record_id)))


def exists(path: Path, record_id: str | UUID) -> bool:
    with open_case(path, backups=False) as case:
        return bool(case.records.get_many([UUID(str(record_id))]))


def counts(path: Path) -> dict[Kind, int]:
    with open_case(path, backups=False) as case:
        return case.info().counts


def find(cli: Cli, path: Path, plural: str, label: str) -> str:
    matches = [r for r in cli.json("list", path, plural, "--filter", label) if r["label"] == label]
    assert len(matches) == 1, matches
    return str(matches[0]["id"])


def titles(records: list[dict[str, Any]]) -> list[str]:
    return [str(r["label"]) for r in records]


def run_script(
    *argv: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed `casefile` script in a real process, stdin not a terminal."""
    assert CASEFILE.exists(), f"console script missing: {CASEFILE}"
    full_env = {**os.environ, "PYTHONUTF8": "1", **(env or {})}
    return subprocess.run(
        [str(CASEFILE), *(str(a) for a in argv)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=full_env,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


@dataclass(frozen=True)
class Populated:
    """A small case: a source with a quote and a citing link, and things to point at."""

    path: Path
    source: UUID
    other_source: UUID
    person: UUID
    group: UUID
    attack: UUID
    quote: UUID
    link: UUID
    cited_elsewhere: UUID


@pytest.fixture(scope="session")
def secret_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An encrypted case with one group, made once: deriving keys is slow on purpose."""
    path = tmp_path_factory.mktemp("secret") / "secret.casefile"
    with create_case(path, title="Secret", passphrase=SECRET) as case:
        case.records.add(GroupFields(name="ISIS"))
    return path


@pytest.fixture
def secret_path(secret_master: Path, tmp_path: Path) -> Path:
    path = tmp_path / "secret.casefile"
    shutil.copyfile(secret_master, path)
    return path


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


@pytest.fixture
def no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


@pytest.fixture(scope="session")
def empty_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "test.casefile"
    create_case(path, title="Test case").close()
    return path


@pytest.fixture
def case_path(empty_master: Path, tmp_path: Path) -> Path:
    """As conftest's: a new, empty, unencrypted case, but copied from one made per session
    (making a case runs the migrations, and most tests here start from one)."""
    path = tmp_path / "test.casefile"
    shutil.copyfile(empty_master, path)
    return path


@pytest.fixture(scope="session")
def populated_master(tmp_path_factory: pytest.TempPathFactory) -> Populated:
    case_path = tmp_path_factory.mktemp("populated") / "test.casefile"
    with create_case(case_path, title="Test case") as case:
        add = case.records.add
        source = add(SourceFields(title="Police statement", reliability=Reliability.B)).id
        other = add(SourceFields(title="Second report")).id
        person = add(PersonFields(name="Rita Katz", roles=(PersonRole.RESEARCHER,))).id
        group = add(GroupFields(name="ISIS")).id
        attack = add(
            AttackFields(
                title="Westminster attack",
                date=PartialDate(2017, 3, 22),
                location="Westminster Bridge",
                killed=Figure.exactly(3),
            )
        ).id
        quote = add(QuoteFields(text="blood with blood", source=source, speaker=group)).id
        link = add(
            LinkFields(subject=group, relation=Relation.CLAIMED, object=attack, citations=(source,))
        ).id
        cited_elsewhere = add(
            LinkFields(
                subject=person,
                relation=Relation.INVESTIGATED,
                object=attack,
                citations=(source, other),
            )
        ).id
    return Populated(case_path, source, other, person, group, attack, quote, link, cited_elsewhere)


@pytest.fixture
def populated(populated_master: Populated, tmp_path: Path) -> Populated:
    """A private copy of the small case (made once per session), safe to change."""
    path = tmp_path / "test.casefile"
    shutil.copyfile(populated_master.path, path)
    return dataclasses.replace(populated_master, path=path)


# -- 1. every documented form works as written ------------------------------------------


def test_new_with_title_makes_an_empty_plain_case(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "westminster.casefile"
    out = cli.ok("new", path, "--title", "Westminster 2017")
    assert "created" in out
    assert "not encrypted" in out
    assert path.read_bytes().startswith(SQLITE_MAGIC)
    with open_case(path, backups=False) as case:
        info = case.info()
    assert info.title == "Westminster 2017"
    assert not info.encrypted
    assert set(info.counts.values()) == {0}


def test_new_without_title_uses_the_file_name(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bradford-2016.casefile"
    cli.ok("new", path)
    assert cli.json("info", path)["title"] == "bradford-2016"


def test_new_encrypt_without_passphrase_or_terminal_is_a_user_error(
    cli: Cli, tmp_path: Path, no_terminal: None
) -> None:
    path = tmp_path / "secret.casefile"
    line = cli.fails("new", path, "--encrypt")
    assert "CASEFILE_PASSPHRASE" in line
    assert not path.exists()


def test_new_refuses_an_existing_file(cli: Cli, case_path: Path) -> None:
    before = snapshot(case_path)
    line = cli.fails("new", case_path, "--title", "Other")
    assert "already exists" in line
    assert snapshot(case_path) == before


def test_new_in_a_missing_folder_is_a_user_error(cli: Cli, tmp_path: Path) -> None:
    line = cli.fails("new", tmp_path / "nowhere" / "x.casefile")
    assert "no folder" in line


def test_new_with_an_empty_passphrase_leaves_no_file_behind(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    monkeypatch.setenv("CASEFILE_PASSPHRASE", "")
    line = cli.fails("new", folder / "secret.casefile", "--encrypt")
    assert "passphrase is empty" in line
    assert sorted(p.name for p in folder.iterdir()) == []


@pytest.mark.slow
def test_demo_writes_the_westminster_case(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "westminster-2017.casefile"
    out = cli.ok("demo", path)
    assert "5 attacks" in out
    assert "6 quotes" in out
    found = counts(path)
    assert found[Kind.ATTACK] == 5
    assert found[Kind.QUOTE] == 6
    assert found[Kind.LINK] == 9
    assert cli.ok("check", path).strip().endswith("no problems found")


def test_demo_refuses_an_existing_file(cli: Cli, demo_path: Path) -> None:
    before = snapshot(demo_path)
    cli.fails("demo", demo_path)
    assert snapshot(demo_path) == before


def test_add_source_as_documented(cli: Cli, case_path: Path) -> None:
    new_id = cli.add(
        "source",
        case_path,
        "--title",
        "Westminster attack report",
        "--url",
        "https://example.org/report",
        "--published",
        "March 2016",
        "--reliability",
        "B",
    )
    record = get(case_path, new_id)
    assert record.kind is Kind.SOURCE
    fields = record.fields
    assert isinstance(fields, SourceFields)
    assert fields.title == "Westminster attack report"
    assert fields.url == "https://example.org/report"
    assert fields.published == PartialDate(2016, 3)
    assert fields.reliability is Reliability.B


def test_add_person_with_repeated_aliases_and_roles(cli: Cli, case_path: Path) -> None:
    new_id = cli.add(
        "person",
        case_path,
        "--name",
        "Rita Katz",
        "--alias",
        "R. Katz",
        "--alias",
        "Katz",
        "--role",
        "researcher",
        "--role",
        "official",
    )
    fields = get(case_path, new_id).fields
    assert isinstance(fields, PersonFields)
    assert fields.name == "Rita Katz"
    assert fields.aliases == ("R. Katz", "Katz")
    assert fields.roles == (PersonRole.RESEARCHER, PersonRole.OFFICIAL)


def test_add_group_with_an_alias(cli: Cli, case_path: Path) -> None:
    new_id = cli.add("group", case_path, "--name", "Islamic State", "--alias", "ISIS")
    fields = get(case_path, new_id).fields
    assert isinstance(fields, GroupFields)
    assert (fields.name, fields.aliases) == ("Islamic State", ("ISIS",))


def test_add_attack_as_documented(cli: Cli, case_path: Path) -> None:
    new_id = cli.add(
        "attack",
        case_path,
        "--title",
        "Westminster attack",
        "--date",
        "22 March 2017",
        "--location",
        "Westminster Bridge",
        "--killed",
        "3",
        "--wounded",
        "unknown",
    )
    fields = get(case_path, new_id).fields
    assert isinstance(fields, AttackFields)
    assert fields.title == "Westminster attack"
    assert fields.date == PartialDate(2017, 3, 22)
    assert fields.location == "Westminster Bridge"
    assert fields.killed == Figure.exactly(3)
    assert fields.wounded is None


def test_add_quote_with_id_prefixes(cli: Cli, populated: Populated) -> None:
    path = populated.path
    new_id = cli.add(
        "quote",
        path,
        "--text",
        "run them over",
        "--source",
        str(populated.source)[:8],
        "--speaker",
        str(populated.person)[:8],
        "--page",
        "4",
    )
    fields = get(path, new_id).fields
    assert isinstance(fields, QuoteFields)
    assert fields.text == "run them over"
    assert fields.source == populated.source
    assert fields.speaker == populated.person
    assert fields.page == 4


def test_a_quote_cites_a_time_typed_as_players_show_it(cli: Cli, populated: Populated) -> None:
    path = populated.path
    before = snapshot(path)
    refused = cli.fails(
        "add", "quote", path, "--text", "x", "--source", populated.source, "--at", "0:75:00"
    )
    assert refused == "casefile: --at: '0:75:00': the minutes of h:mm:ss go up to 59"
    assert snapshot(path) == before

    quote = cli.add(
        "quote",
        path,
        "--text",
        "The caliphate will not forget.",
        "--source",
        populated.source,
        "--at",
        "1:02",
    )
    assert get(path, quote).fields.at == 62
    assert re.search(r"^  at:\s+0:01:02$", cli.ok("show", path, quote), re.M)
    assert cli.json("show", path, quote)["at"] == 62  # whole seconds, for scripts
    listed = {q["id"]: q for q in cli.json("list", path, "quotes")}
    assert listed[quote]["at"] == 62
    assert listed[str(populated.quote)]["at"] is None

    cli.ok("edit", path, quote, "--at", "1h2m3s")
    assert get(path, quote).fields.at == 3723
    with open_case(path, backups=False) as case:
        assert case.history.entries(UUID(quote))[-1].changes == {"at": [62, 3723]}
    cli.ok("edit", path, quote, "--at", "unknown")
    assert get(path, quote).fields.at is None
    assert "--at TIME" in cli.ok("add", "quote", "--help")


def test_add_link_with_positional_ids_and_a_citation(cli: Cli, populated: Populated) -> None:
    path = populated.path
    new_id = cli.add(
        "link",
        path,
        str(populated.person)[:8],
        "member_of",
        str(populated.group)[:8],
        "--source",
        str(populated.source)[:8],
    )
    fields = get(path, new_id).fields
    assert isinstance(fields, LinkFields)
    assert (fields.subject, fields.relation, fields.object) == (
        populated.person,
        Relation.MEMBER_OF,
        populated.group,
    )
    assert fields.citations == (populated.source,)


def test_add_link_takes_the_relation_as_its_label(cli: Cli, populated: Populated) -> None:
    new_id = cli.add("link", populated.path, populated.person, "member of", populated.group)
    fields = get(populated.path, new_id).fields
    assert isinstance(fields, LinkFields)
    assert fields.relation is Relation.MEMBER_OF
    assert fields.citations == ()


@pytest.mark.parametrize("plural", list(DEMO_COUNTS))
@pytest.mark.slow
def test_list_json_is_one_object_per_record(cli: Cli, demo_path: Path, plural: str) -> None:
    records = cli.json("list", demo_path, plural)
    assert isinstance(records, list)
    assert len(records) == DEMO_COUNTS[plural]
    assert all(isinstance(r, dict) for r in records)
    assert {r["kind"] for r in records} == {KIND_OF_PLURAL[plural]}
    assert len({r["id"] for r in records}) == len(records)
    for r in records:
        UUID(r["id"])
        assert r["label"]


def test_list_text_has_one_line_per_record(cli: Cli, demo_path: Path) -> None:
    lines = cli.ok("list", demo_path, "attacks").splitlines()
    assert len(lines) == 5
    ids = {r["id"][:8] for r in cli.json("list", demo_path, "attacks")}
    assert {line[:8] for line in lines} == ids


def test_list_takes_a_kind_as_one_of_it_too(cli: Cli, demo_path: Path) -> None:
    assert cli.ok("list", demo_path, "person") == cli.ok("list", demo_path, "people")


def test_list_of_nothing_says_so(cli: Cli, case_path: Path) -> None:
    assert cli.ok("list", case_path, "attacks").strip() == "no attacks"
    assert cli.json("list", case_path, "attacks") == []


def test_show_json_is_one_object_with_its_links(cli: Cli, demo_path: Path) -> None:
    attack_id = find(cli, demo_path, "attacks", "Westminster attack")
    shown = cli.json("show", demo_path, attack_id)
    assert isinstance(shown, dict)
    assert shown["id"] == attack_id
    assert shown["kind"] == "attack"
    assert shown["title"] == "Westminster attack"
    assert shown["killed"] == 3
    assert shown["wounded"] == {
        "said": "dozens (at least 24)",
        "low": 24,
        "high": None,
        "words": "dozens",
    }
    facts = {f["fact"]: f for f in shown["facts"]}
    assert facts["killed"]["value"] == 3
    assert facts["killed"]["corroboration"] == {"independent_sources": 1, "best_grade": "F"}
    assert [r["said"] for r in facts["wounded"]["reports"]] == ["dozens (at least 24)"]
    assert (facts["claimed"]["chosen"], facts["claimed"]["disputed"]) == ("assessed", True)
    assert shown["claimed_by"] in shown["references"]
    assert shown["references"][shown["claimed_by"]] == "ISIS"
    relations = sorted(link["relation"] for link in shown["links"])
    assert relations == ["carried_out", "claimed", "investigated"]
    assert "demo" in shown["tags"]


def test_show_and_list_say_which_links_nothing_cites(cli: Cli, demo_path: Path) -> None:
    """Every link of the demo cites the article; one added without a citation says so,
    beside the confidence a link carries."""
    attack_id = find(cli, demo_path, "attacks", "Westminster attack")
    group_id = find(cli, demo_path, "groups", "ISIS")
    cli.ok(
        "add", "link", demo_path, group_id, "planned", attack_id,
        "--confidence", "doubtful", "--notes", "named at the inquest",
    )  # fmt: skip
    shown = cli.ok("show", demo_path, attack_id).splitlines()
    claimed = next(line for line in shown if "— claimed —" in line)
    assert claimed.endswith("(confirmed, corroborated by 1 independent source, best F)")
    planned = next(line for line in shown if "— planned —" in line)
    assert planned.endswith("(doubtful, unsourced)")
    listed = cli.ok("list", demo_path, "links").splitlines()
    assert [line for line in listed if "unsourced" in line] == [
        next(line for line in listed if "— planned —" in line)
    ]
    assert "doubtful, unsourced" in next(line for line in listed if "— planned —" in line)
    found = cli.ok("search", demo_path, "inquest").splitlines()  # a link's notes are searched
    assert next(line for line in found if "— planned —" in line).endswith("(doubtful, unsourced)")


def test_show_json_of_a_source_lists_its_quotes(cli: Cli, populated: Populated) -> None:
    shown = cli.json("show", populated.path, populated.source)
    assert shown["quotes"] == [str(populated.quote)]
    assert shown["documents"] == []
    assert {link["id"] for link in shown["links"]} == set()


def test_show_text_names_the_record(cli: Cli, populated: Populated) -> None:
    out = cli.ok("show", populated.path, populated.attack)
    assert out.startswith("Attack: Westminster attack")
    assert str(populated.attack) in out
    assert re.search(r"wounded:?\s+unknown", out)
    assert re.search(r"\bkilled:?\s+3\b", out)


def test_info_json_is_one_object_with_counts(cli: Cli, demo_path: Path) -> None:
    info = cli.json("info", demo_path)
    assert isinstance(info, dict)
    assert info["title"] == "Westminster attack, March 2017"
    assert info["encrypted"] is False
    assert info["counts"] == {
        "attack": 5,
        "person": 6,
        "group": 5,
        "source": 1,
        "document": 1,
        "quote": 6,
        "link": 9,
        "report": 7,
        "judgement": 1,
    }
    UUID(info["id"])


def test_info_text(cli: Cli, demo_path: Path) -> None:
    out = cli.ok("info", demo_path)
    assert out.startswith("Westminster attack, March 2017\n")
    assert "5 attacks" in out
    assert "not encrypted" in out


def test_describe_sets_title_and_summary(cli: Cli, case_path: Path) -> None:
    out = cli.ok("describe", case_path, "--title", "Renamed", "--summary", "What we know")
    assert out.startswith("Renamed")
    info = cli.json("info", case_path)
    assert (info["title"], info["summary"]) == ("Renamed", "What we know")
    history = cli.json("history", case_path)
    assert history[-1]["action"] == "update"
    assert history[-1]["kind"] == "case"


# -- 2. what add prints; ID prefixes ----------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("attack", ["--title", "A"]),
        ("person", ["--name", "P"]),
        ("group", ["--name", "G"]),
        ("source", ["--title", "S"]),
    ],
)
@pytest.mark.slow
def test_add_prints_just_the_new_id(
    cli: Cli, case_path: Path, kind: str, options: list[str]
) -> None:
    result = cli("add", kind, case_path, *options)
    assert result.code == 0
    assert result.err == ""
    assert UUID_LINE.match(result.out)
    record = get(case_path, result.out.strip())
    assert record.kind.value == kind
    assert counts(case_path)[record.kind] == 1


def test_add_json_prints_the_whole_record(cli: Cli, case_path: Path) -> None:
    printed = cli.json(
        "add",
        "attack",
        case_path,
        "--title",
        "Westminster attack",
        "--date",
        "22 March 2017",
        "--killed",
        "3",
        "--tag",
        "verified",
        "--notes",
        "from the police statement",
    )
    assert isinstance(printed, dict)
    assert printed["kind"] == "attack"
    assert printed["title"] == printed["label"] == "Westminster attack"
    assert printed["killed"] == 3
    assert printed["tags"] == ["verified"]
    assert printed["notes"] == "from the police statement"
    assert printed["created_at"]
    record = get(case_path, printed["id"])
    assert record.tags == ("verified",)
    assert record.notes == "from the police statement"
    shown = cli.json("show", case_path, printed["id"])
    assert {name: shown[name] for name in printed} == printed


@pytest.mark.slow
def test_a_unique_prefix_works_wherever_an_id_is_taken(cli: Cli, populated: Populated) -> None:
    path = populated.path
    prefix = str(populated.attack)[:8]
    assert cli.json("show", path, prefix)["id"] == str(populated.attack)
    assert cli.json("show", path, prefix.upper())["id"] == str(populated.attack)
    assert cli.json("show", path, str(populated.attack))["id"] == str(populated.attack)
    cli.ok("edit", path, prefix, "--wounded", "50")
    fields = get(path, populated.attack).fields
    assert isinstance(fields, AttackFields)
    assert fields.wounded == Figure.exactly(50)
    history = cli.json("history", path, prefix)
    assert [e["action"] for e in history] == ["create", "update"]
    assert {e["record_id"] for e in history} == {str(populated.attack)}
    quote = str(populated.quote)[:8]
    cli.ok("edit", path, quote, "--speaker", str(populated.person)[:8])
    speaker = get(path, populated.quote).fields
    assert isinstance(speaker, QuoteFields)
    assert speaker.speaker == populated.person
    claimed = cli.add("attack", path, "--title", "B", "--claimed-by", str(populated.group)[:8])
    assert cli.json("show", path, claimed[:8])["claimed_by"] == str(populated.group)
    out = cli.ok("delete", path, prefix, "--yes")
    assert "Westminster attack" in out
    assert not exists(path, populated.attack)


def _two_ids_sharing_a_prefix(path: Path) -> tuple[str, str]:
    """Two record IDs with the same first four hex digits: among 2,000 random UUIDs some
    pair shares them (about 30 pairs are expected; none, about once in 10^13 runs)."""
    with open_case(path, backups=False) as case:
        ids = case.records.add_many([GroupFields(name=f"Group {n}") for n in range(2000)])
    by_prefix: dict[str, list[str]] = {}
    for record_id in map(str, ids):
        by_prefix.setdefault(record_id[:4], []).append(record_id)
    first, second = next(pair for pair in by_prefix.values() if len(pair) > 1)[:2]
    return first, second


@pytest.mark.slow
def test_an_ambiguous_prefix_is_a_user_error(cli: Cli, case_path: Path) -> None:
    first, second = _two_ids_sharing_a_prefix(case_path)
    before = snapshot(case_path)
    assert "ambiguous" in cli.fails("show", case_path, first[:4])
    assert "ambiguous" in cli.fails("delete", case_path, first[:4], "--yes")
    assert "ambiguous" in cli.fails("edit", case_path, second[:4], "--name", "X")
    assert "ambiguous" in cli.fails("add", "link", case_path, first[:4], "similar_to", second)
    assert snapshot(case_path) == before
    assert cli.json("show", case_path, first)["id"] == first
    assert cli.json("show", case_path, second.replace("-", ""))["id"] == second


UNKNOWN_OR_MALFORMED_IDS = [
    ("ffffffff", "no record with ID ffffffff"),
    (NO_SUCH_ID, "no record"),
    ("zzzz", "not a record ID"),
    ("abc", "not a record ID"),
]


@pytest.mark.parametrize(("record_id", "message"), UNKNOWN_OR_MALFORMED_IDS)
@pytest.mark.slow
def test_an_unknown_or_malformed_id_is_a_user_error(
    cli: Cli, populated: Populated, record_id: str, message: str
) -> None:
    before = snapshot(populated.path)
    for argv in (
        ("show", populated.path, record_id),
        ("edit", populated.path, record_id, "--killed", "5"),
        ("delete", populated.path, record_id, "--yes"),
        ("add", "quote", populated.path, "--text", "T", "--source", record_id),
        ("add", "link", populated.path, record_id, "claimed", populated.attack),
    ):
        assert message in cli.fails(*argv)
    assert snapshot(populated.path) == before


@pytest.mark.parametrize(
    ("record_id", "message"),
    [
        *UNKNOWN_OR_MALFORMED_IDS[:3],
        UNKNOWN_OR_MALFORMED_IDS[3],
    ],
)
def test_history_of_an_unknown_or_malformed_id_is_a_user_error(
    cli: Cli, populated: Populated, record_id: str, message: str
) -> None:
    before = snapshot(populated.path)
    assert message in cli.fails("history", populated.path, record_id)
    assert snapshot(populated.path) == before


# -- 3. dates and unknowns in JSON ------------------------------------------------------


def test_json_dates_have_text_iso_and_precision(cli: Cli, case_path: Path) -> None:
    source = cli.json("add", "source", case_path, "--title", "S", "--published", "March 2016")
    assert source["published"] == {
        "text": "March 2016",
        "iso": "2016-03",
        "precision": "month",
        "circa": False,
    }
    assert source["accessed"] is None
    attack = cli.add("attack", case_path, "--title", "A", "--date", "22 March 2017")
    assert cli.json("show", case_path, attack)["date"] == {
        "text": "22 March 2017",
        "iso": "2017-03-22",
        "precision": "day",
        "circa": False,
    }
    circa = cli.add("attack", case_path, "--title", "B", "--date", "c. 2014")
    listed = {r["id"]: r for r in cli.json("list", case_path, "attacks")}
    assert listed[circa]["date"] == {
        "text": "c. 2014",
        "iso": "2014~",
        "precision": "year",
        "circa": True,
    }
    assert listed[attack]["date"]["iso"] == "2017-03-22"


def test_unknown_counts_are_null_and_zero_stays_zero(cli: Cli, case_path: Path) -> None:
    record = cli.json(
        "add", "attack", case_path, "--title", "A", "--killed", "0", "--wounded", "unknown"
    )
    assert record["killed"] == 0
    assert record["wounded"] is None
    assert record["perpetrators_killed"] is None
    fields = get(case_path, record["id"]).fields
    assert isinstance(fields, AttackFields)
    assert (fields.killed, fields.wounded) == (Figure.exactly(0), None)


def test_dates_option_chooses_how_numeric_dates_are_read(cli: Cli, case_path: Path) -> None:
    day_first = cli.json("add", "attack", case_path, "--title", "A", "--date", "03/04/2017")
    assert day_first["date"]["iso"] == "2017-04-03"
    month_first = cli.json(
        "--dates", "month-first", "add", "attack", case_path, "--title", "B", "--date", "03/04/2017"
    )
    assert month_first["date"]["iso"] == "2017-03-04"
    before = snapshot(case_path)
    line = cli.fails(
        "--dates", "strict", "add", "attack", case_path, "--title", "C", "--date", "03/04/2017"
    )
    assert "ambiguous" in line
    assert snapshot(case_path) == before


# -- 4. user errors: exit 1, one line, case unchanged -----------------------------------


def _bad_commands(p: Populated) -> list[tuple[list[str | Path | UUID], str]]:
    path = p.path
    return [
        (["add", "attack", path, "--title", "A", "--date", "yesterday"], "--date"),
        (["add", "attack", path, "--title", "A", "--date", "22/03/17"], "year in full"),
        (["add", "attack", path, "--title", "A", "--killed", "abc"], "--killed"),
        (["add", "attack", path, "--title", "A", "--killed", "-1"], "negative"),
        (["add", "attack", path, "--title", "A", "--latitude", "91", "--longitude", "0"], "90"),
        (["add", "attack", path, "--title", "A", "--weapon-type", "Drone"], "Drone"),
        (["add", "attack", path, "--title", " "], "required"),
        (["add", "person", path, "--name", "N", "--role", "wizard"], "--role"),
        (["add", "source", path, "--title", "S", "--reliability", "Z"], "--reliability"),
        (["add", "quote", path, "--text", "T", "--source", NO_SUCH_ID], "no record"),
        (["add", "attack", path, "--title", "A", "--claimed-by", p.person], "must be a group"),
        (["add", "quote", path, "--text", "T", "--source", p.person], "must be a source"),
        (["add", "quote", path, "--text", "T", "--source", p.source, "--page", "0"], "page"),
        (["add", "link", path, p.person, "claimed", p.person], "itself"),
        (["list", path, "attacks", "--sort", "nonsense"], "sorted by"),
        (["list", path, "attacks", "--from", "yesterday"], "not a date"),
        (["list", path, "links", "--filter", "x"], "no text"),
        (["list", path, "groups", "--from", "2016"], "no date"),
        (["edit", path, p.attack], "nothing to change"),
        (["edit", path, p.attack, "--killed", "many"], "--killed"),
        (["edit", path, p.attack, "--title", ""], "required"),
        (["edit", path, p.quote, "--source", p.person], "must be a source"),
        (["delete", path, p.source], "--yes"),
        (["backup", path, path], "cannot overwrite"),
        (["vocab", path, "weapon_type", "--add", "Vehicle"], "already exists"),
        (["describe", path, "--title", " "], "required"),
        (["passphrase", path, "--remove"], "not encrypted"),
    ]


@pytest.mark.slow
def test_user_errors_exit_1_with_one_line_and_leave_the_case_unchanged(
    cli: Cli, populated: Populated
) -> None:
    before = snapshot(populated.path)
    for argv, expected in _bad_commands(populated):
        line = cli.fails(*argv)
        assert expected in line, (argv, line)
        assert snapshot(populated.path) == before, argv


def test_bad_date_message_names_the_option(cli: Cli, case_path: Path) -> None:
    line = cli.fails("add", "attack", case_path, "--title", "A", "--date", "yesterday")
    assert line == "casefile: --date: 'yesterday' is not a date"
    assert counts(case_path)[Kind.ATTACK] == 0


@pytest.mark.parametrize("argv", [["--date", "-500"], ["--date=-2017"], ["--date", "c. -500"]])
def test_a_year_before_the_common_era_is_refused(
    cli: Cli, case_path: Path, argv: list[str]
) -> None:
    """They were stored as the years 500 and 2017."""
    line = cli.fails("add", "attack", case_path, "--title", "A", *argv)
    assert line.startswith("casefile: --date: '")
    assert line.endswith("': years before the common era are not supported")
    assert counts(case_path)[Kind.ATTACK] == 0


def test_unknown_role_lists_the_choices(cli: Cli, case_path: Path) -> None:
    line = cli.fails("add", "person", case_path, "--name", "N", "--role", "wizard")
    for role in PersonRole:
        assert role.value in line
    assert counts(case_path)[Kind.PERSON] == 0


def test_deleting_a_quoted_source_without_yes_says_what_would_go(
    cli: Cli, populated: Populated
) -> None:
    before = snapshot(populated.path)
    line = cli.fails("delete", populated.path, populated.source)
    assert "Police statement" in line
    assert "1 quote" in line
    assert "2 links" in line  # the links that cite it
    assert "--yes" in line
    assert snapshot(populated.path) == before
    assert exists(populated.path, populated.quote)


def test_deleting_a_linked_attack_without_yes_says_what_would_go(
    cli: Cli, populated: Populated
) -> None:
    before = snapshot(populated.path)
    line = cli.fails("delete", populated.path, str(populated.attack)[:8])
    assert "Westminster attack" in line
    assert "2 links" in line
    assert "--yes" in line
    assert snapshot(populated.path) == before


def test_a_missing_case_file_is_a_user_error(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "missing.casefile"
    for argv in (
        ("info", missing),
        ("list", missing, "attacks"),
        ("add", "attack", missing, "--title", "A"),
        ("show", missing, "abcd1234"),
        ("check", missing),
    ):
        assert "no case file" in cli.fails(*argv)
    assert not missing.exists()
    assert sorted(tmp_path.iterdir()) == []


def _foreign_sqlite(path: Path) -> None:
    import sqlite3  # the standard library's, as any other program would make one

    conn = sqlite3.connect(path)
    try:
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.execute("INSERT INTO notes VALUES ('not a case')")
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize("what", ["sqlite", "text", "empty", "folder"])
def test_a_file_that_is_not_a_case_is_a_user_error(
    cli: Cli, tmp_path: Path, what: str, no_terminal: None
) -> None:
    path = tmp_path / "not-a-case.casefile"
    if what == "sqlite":
        _foreign_sqlite(path)
    elif what == "text":
        path.write_text("hello\n")
    elif what == "empty":
        path.write_bytes(b"")
    else:
        path.mkdir()
    digest = None if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    for argv in (("info", path), ("add", "group", path, "--name", "G"), ("check", path)):
        line = cli.fails(*argv)
        assert path.name in line or "passphrase" in line, line
    if digest is not None:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    if what == "sqlite":
        assert "not a Casefile case" in cli.fails("info", path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_usage_errors_exit_2(cli: Cli, case_path: Path) -> None:
    before = snapshot(case_path)
    cli.usage_error("add", "attack", case_path)  # --title is required
    cli.usage_error("add", "attack", case_path, "--title", "A", "--killed")
    cli.usage_error("list", case_path, "bananas")
    cli.usage_error("vocab", case_path, "colour")
    cli.usage_error("frobnicate", case_path)
    cli.usage_error("add", "document", case_path)
    assert snapshot(case_path) == before


def test_edit_with_an_option_of_another_kind_is_a_usage_error(
    cli: Cli, populated: Populated
) -> None:
    before = snapshot(populated.path)
    err = cli.usage_error("edit", populated.path, populated.person, "--killed", "5")
    assert "--killed" in err
    assert snapshot(populated.path) == before


# -- 5. edit, delete, history ----------------------------------------------------------


def test_edit_changes_exactly_what_was_given(cli: Cli, populated: Populated) -> None:
    path = populated.path
    before = get(path, populated.attack)
    out = cli.ok("edit", path, populated.attack, "--killed", "5", "--tag", "verified")
    assert out.strip() == f"updated attack {populated.attack}"
    after = get(path, populated.attack)
    assert after.fields == dataclasses.replace(before.fields, killed=Figure.exactly(5))
    assert after.tags == ("verified",)
    assert after.notes == before.notes
    assert after.created_at == before.created_at
    assert after.updated_at is not None
    assert before.updated_at is not None
    assert after.updated_at > before.updated_at
    history = cli.json("history", path, populated.attack)
    assert [e["action"] for e in history] == ["create", "update"]
    assert history[-1]["changes"] == {"killed": [3, 5], "tags": [[], ["verified"]]}
    text = cli.ok("history", path, populated.attack)
    assert "update" in text
    assert re.search(r"killed\W+3\W+5", text)
    assert cli.json("list", path, "attacks", "--tag", "verified")[0]["id"] == str(populated.attack)


def test_edit_clears_values_with_unknown(cli: Cli, populated: Populated) -> None:
    path = populated.path
    cli.ok("edit", path, populated.attack, "--killed", "unknown", "--date", "unknown")
    attack = get(path, populated.attack).fields
    assert isinstance(attack, AttackFields)
    assert (attack.killed, attack.date) == (None, None)
    assert attack.location == "Westminster Bridge"
    assert cli.json("show", path, populated.attack)["killed"] is None
    cli.ok("edit", path, populated.source, "--reliability", "unknown")
    source = get(path, populated.source).fields
    assert isinstance(source, SourceFields)
    assert source.reliability is None
    cli.ok("edit", path, populated.quote, "--speaker", "unknown")
    quote = get(path, populated.quote).fields
    assert isinstance(quote, QuoteFields)
    assert quote.speaker is None
    history = cli.json("history", path, populated.attack)
    assert history[-1]["changes"]["killed"] == [3, None]
    assert history[-1]["changes"]["date"] == ["2017-03-22", None]
    # What it was created with, as it was then (the record holds it no longer).
    assert history[0]["changes"]["killed"] == [None, 3]
    assert history[0]["changes"]["date"] == [None, "2017-03-22"]
    assert history[0]["changes"]["location"] == [None, "Westminster Bridge"]


def test_edit_sets_a_partial_date(cli: Cli, populated: Populated) -> None:
    cli.ok("edit", populated.path, populated.attack, "--date", "March 2017")
    assert cli.json("show", populated.path, populated.attack)["date"] == {
        "text": "March 2017",
        "iso": "2017-03",
        "precision": "month",
        "circa": False,
    }


def test_edit_that_changes_nothing_leaves_no_history(cli: Cli, populated: Populated) -> None:
    before = snapshot(populated.path)
    cli.ok("edit", populated.path, populated.attack, "--killed", "3")
    assert snapshot(populated.path).history == before.history


def test_edit_a_link(cli: Cli, populated: Populated) -> None:
    cli.ok("edit", populated.path, populated.link, "--relation", "carried_out", "--source", "")
    fields = get(populated.path, populated.link).fields
    assert isinstance(fields, LinkFields)
    assert fields.relation is Relation.CARRIED_OUT
    assert fields.citations == ()
    assert (fields.subject, fields.object) == (populated.group, populated.attack)


def test_delete_yes_takes_the_dependents_and_says_what_went(cli: Cli, populated: Populated) -> None:
    path = populated.path
    before = counts(path)
    out = cli.ok("delete", path, populated.source, "--yes")
    assert out.startswith("deleted source 'Police statement'")
    assert "1 quote" in out
    assert "removes it from 2 links" in out
    assert not exists(path, populated.source)
    assert not exists(path, populated.quote)
    for link_id, citations in (
        (populated.link, ()),
        (populated.cited_elsewhere, (populated.other_source,)),
    ):
        link = get(path, link_id).fields
        assert isinstance(link, LinkFields)
        assert link.citations == citations
    after = counts(path)
    assert after[Kind.SOURCE] == before[Kind.SOURCE] - 1
    assert after[Kind.QUOTE] == before[Kind.QUOTE] - 1
    assert after[Kind.LINK] == before[Kind.LINK]
    deleted = [e for e in cli.json("history", path) if e["action"] == "delete"]
    assert {e["record_id"] for e in deleted} == {str(populated.source), str(populated.quote)}
    assert len({e["action_id"] for e in deleted}) == 1  # one action in the audit trail


def test_delete_yes_of_an_attack_takes_its_links(cli: Cli, populated: Populated) -> None:
    out = cli.ok("delete", populated.path, populated.attack, "--yes")
    assert out.startswith("deleted attack 'Westminster attack'")
    assert "2 links" in out
    assert not exists(populated.path, populated.attack)
    assert not exists(populated.path, populated.link)
    assert not exists(populated.path, populated.cited_elsewhere)
    assert exists(populated.path, populated.group)
    assert counts(populated.path)[Kind.LINK] == 0


def test_delete_of_a_record_without_dependents_needs_no_yes(cli: Cli, populated: Populated) -> None:
    out = cli.ok("delete", populated.path, populated.other_source)
    assert out.strip().startswith("deleted source 'Second report'")
    assert not exists(populated.path, populated.other_source)
    assert exists(populated.path, populated.cited_elsewhere)


@pytest.mark.slow
def test_history_lists_creates_updates_and_deletes(cli: Cli, populated: Populated) -> None:
    path = populated.path
    cli.ok("edit", path, populated.attack, "--killed", "4")
    cli.ok("delete", path, populated.quote)
    history = cli.json("history", path)
    assert isinstance(history, list)
    assert all(isinstance(e, dict) for e in history)
    assert {e["action"] for e in history} == {"create", "update", "delete"}
    assert history[0]["kind"] == "case"
    assert history[-1]["action"] == "delete"
    assert history[-1]["record_id"] == str(populated.quote)
    assert history[-2]["action"] == "update"
    assert history[-2]["record_id"] == str(populated.attack)
    text = cli.ok("history", path)
    for action in ("create", "update", "delete"):
        assert re.search(rf"\b{action}\b", text)
    deleted = datetime.fromisoformat(history[-1]["at"])
    assert re.search(rf"^{re.escape(moment(deleted))} +delete", text, re.M)  # the reader's clock
    assert len(cli.json("history", path, "--limit", "2")) == 2
    assert cli.json("history", path, "--limit", "2") == history[-2:]


def test_history_of_a_deleted_record(cli: Cli, populated: Populated) -> None:
    cli.ok("delete", populated.path, populated.quote)
    history = cli.json("history", populated.path, populated.quote)
    assert [e["action"] for e in history] == ["create", "delete"]


def test_history_of_a_new_case_has_its_creation(cli: Cli, case_path: Path) -> None:
    history = cli.json("history", case_path)
    assert [(e["action"], e["kind"]) for e in history] == [("create", "case")]


# -- 6. list options --------------------------------------------------------------------


def test_list_sort_date_descending(cli: Cli, demo_path: Path) -> None:
    records = cli.json("list", demo_path, "attacks", "--sort", "date", "--desc")
    isos = [r["date"]["iso"] for r in records]
    assert isos == sorted(isos, reverse=True)
    assert titles(records)[0] == "Westminster attack"
    assert titles(records)[-1] == "Attack on the Canadian Parliament"
    ascending = cli.json("list", demo_path, "attacks", "--sort", "date")
    assert [r["date"]["iso"] for r in ascending] == sorted(isos)


def nocase(text: str) -> str:
    """How names and titles sort: SQLite's NOCASE collation, which folds A-Z only."""
    return text.translate(str.maketrans(string.ascii_uppercase, string.ascii_lowercase))


def test_list_sort_by_title(cli: Cli, demo_path: Path) -> None:
    names = titles(cli.json("list", demo_path, "people", "--sort", "name"))
    assert names == sorted(names, key=nocase)
    desc = titles(cli.json("list", demo_path, "attacks", "--sort", "title", "--desc"))
    assert desc == sorted(desc, key=nocase, reverse=True)


def test_list_filter_is_case_insensitive_text(cli: Cli, demo_path: Path) -> None:
    assert titles(cli.json("list", demo_path, "attacks", "--filter", "glasgow")) == [
        "Murder of an Ahmadi shopkeeper in Glasgow"
    ]
    assert titles(cli.json("list", demo_path, "groups", "--filter", "yemeni")) == ["AQAP"]
    assert cli.json("list", demo_path, "attacks", "--filter", "no such words") == []


def test_list_tag(cli: Cli, demo_path: Path) -> None:
    assert len(cli.json("list", demo_path, "attacks", "--tag", "demo")) == 5
    assert len(cli.json("list", demo_path, "attacks", "--tag", "DEMO")) == 5
    assert cli.json("list", demo_path, "attacks", "--tag", "verified") == []
    glasgow = find(cli, demo_path, "attacks", "Murder of an Ahmadi shopkeeper in Glasgow")
    cli.ok("edit", demo_path, glasgow, "--tag", "verified")
    assert [r["id"] for r in cli.json("list", demo_path, "attacks", "--tag", "verified")] == [
        glasgow
    ]


def test_list_from_to_year(cli: Cli, demo_path: Path) -> None:
    records = cli.json("list", demo_path, "attacks", "--from", "2016", "--to", "2016")
    assert sorted(titles(records)) == [
        "Brussels attacks",
        "Murder of a Sufi leader",
        "Murder of an Ahmadi shopkeeper in Glasgow",
    ]
    march = cli.json("list", demo_path, "attacks", "--from", "March 2016", "--to", "March 2016")
    assert sorted(titles(march)) == [
        "Brussels attacks",
        "Murder of an Ahmadi shopkeeper in Glasgow",
    ]
    since = cli.json("list", demo_path, "attacks", "--from", "2017")
    assert titles(since) == ["Westminster attack"]
    quotes = cli.json("list", demo_path, "quotes", "--from", "2014", "--to", "2014")
    assert len(quotes) == 2


def test_list_limit(cli: Cli, demo_path: Path) -> None:
    everything = cli.json("list", demo_path, "attacks", "--sort", "date", "--desc")
    limited = cli.json("list", demo_path, "attacks", "--sort", "date", "--desc", "--limit", "2")
    assert limited == everything[:2]
    assert len(cli.ok("list", demo_path, "attacks", "--limit", "2").splitlines()) == 2


@pytest.mark.slow
def test_list_pages_through_more_than_one_page(cli: Cli, case_path: Path) -> None:
    total = 1003  # more than two of the CLI's 500-row pages
    with open_case(case_path, backups=False) as case:
        case.records.add_many(
            [
                AttackFields(
                    title=f"attack {i:04d}",
                    date=None if i % 3 == 0 else PartialDate(2000 + i % 20, 1 + i % 12),
                    killed=None if i % 4 == 0 else Figure.exactly(i % 7),
                )
                for i in range(total)
            ]
        )
    for options in (["--desc"], ["--sort", "killed", "--desc"], ["--sort", "title"]):
        records = cli.json("list", case_path, "attacks", *options)
        assert len(records) == total, options
        assert len({r["id"] for r in records}) == total, options
        if options[-1] == "title":
            assert titles(records) == [f"attack {i:04d}" for i in range(total)]
        if "killed" in options:
            known = [r["killed"] for r in records if r["killed"] is not None]
            assert known == sorted(known, reverse=True), options
    dated = cli.json("list", case_path, "attacks", "--sort", "date")
    isos = [r["date"]["iso"] for r in dated if r["date"] is not None]
    assert isos == sorted(isos)
    assert cli.json("list", case_path, "attacks", "--sort", "date", "--limit", "700") == dated[:700]


# -- 7. backup, check, migrate, vocab ----------------------------------------------------


def test_backup_makes_an_openable_copy(cli: Cli, demo_path: Path, tmp_path: Path) -> None:
    dest = tmp_path / "copy.casefile"
    before = snapshot(demo_path)
    out = cli.ok("backup", demo_path, dest)
    assert "backed up" in out
    assert snapshot(demo_path) == before
    assert counts(dest) == before.counts
    assert cli.json("info", dest)["title"] == "Westminster attack, March 2017"
    assert cli.ok("check", dest).strip().endswith("no problems found")
    copy_before = snapshot(dest)
    assert "already exists" in cli.fails("backup", demo_path, dest)
    assert snapshot(dest) == copy_before


def test_check_the_demo_case(cli: Cli, demo_path: Path) -> None:
    result = cli("check", demo_path)
    assert result.code == 0
    assert result.err == ""
    assert "no problems found" in result.out
    assert "problem:" not in result.out


def test_migrate_a_current_case(cli: Cli, demo_path: Path) -> None:
    before = counts(demo_path)
    out = cli.ok("migrate", demo_path)
    assert "schema" in out
    assert counts(demo_path) == before


def test_vocab_lists_and_extends_weapon_types(cli: Cli, case_path: Path) -> None:
    listing = cli.ok("vocab", case_path, "weapon_type")
    codes = [line.split()[0] for line in listing.splitlines()]
    assert "vehicle" in codes
    assert "drone" not in codes
    out = cli.ok("vocab", case_path, "weapon_type", "--add", "Drone")
    assert "Drone" in out
    with open_case(case_path, backups=False) as case:
        assert "drone" in {t.code for t in case.vocabulary.terms(Vocabulary.WEAPON_TYPE)}
    assert "drone" in cli.ok("vocab", case_path, "weapon_type")
    new_id = cli.add("attack", case_path, "--title", "Drone attack", "--weapon-type", "Drone")
    fields = get(case_path, new_id).fields
    assert isinstance(fields, AttackFields)
    assert fields.weapon_types == ("drone",)
    assert cli.json("show", case_path, new_id)["weapon_types"] == ["drone"]


def test_vocabulary_values_resolve_by_code_or_label(cli: Cli, case_path: Path) -> None:
    new_id = cli.add(
        "attack",
        case_path,
        "--title",
        "A",
        "--weapon-type",
        "vehicle",
        "--weapon-type",
        "Melee",
        "--target-type",
        "Police",
    )
    fields = get(case_path, new_id).fields
    assert isinstance(fields, AttackFields)
    assert fields.weapon_types == ("vehicle", "melee")
    assert fields.target_types == ("police",)


def test_vocab_add_refuses_a_label_that_is_already_taken(cli: Cli, case_path: Path) -> None:
    before = snapshot(case_path)
    line = cli.fails("vocab", case_path, "attack_type", "--add", "Bombing/explosion")
    assert "already" in line
    assert snapshot(case_path) == before


# -- 8. passphrases ---------------------------------------------------------------------


@pytest.mark.slow
def test_passphrase_encrypts_and_removes(
    cli: Cli, demo_path: Path, monkeypatch: pytest.MonkeyPatch, no_terminal: None
) -> None:
    before = cli.json("info", demo_path)["counts"]
    monkeypatch.setenv("CASEFILE_NEW_PASSPHRASE", "s3cret words")
    out = cli.ok("passphrase", demo_path)
    assert "now encrypted" in out
    assert not demo_path.read_bytes().startswith(SQLITE_MAGIC)
    monkeypatch.delenv("CASEFILE_NEW_PASSPHRASE")

    line = cli.fails("info", demo_path)  # no passphrase, and no terminal to ask in
    assert "passphrase" in line
    assert "CASEFILE_PASSPHRASE" in line

    monkeypatch.setenv("CASEFILE_PASSPHRASE", "s3cret words")
    info = cli.json("info", demo_path)
    assert info["encrypted"] is True
    assert info["counts"] == before

    out = cli.ok("passphrase", demo_path, "--remove")
    assert "not encrypted" in out
    assert demo_path.read_bytes().startswith(SQLITE_MAGIC)
    monkeypatch.delenv("CASEFILE_PASSPHRASE")
    info = cli.json("info", demo_path)
    assert info["encrypted"] is False
    assert info["counts"] == before


@pytest.mark.slow
def test_passphrase_changes_the_key(
    cli: Cli, secret_path: Path, monkeypatch: pytest.MonkeyPatch, no_terminal: None
) -> None:
    monkeypatch.setenv("CASEFILE_PASSPHRASE", SECRET)
    monkeypatch.setenv("CASEFILE_NEW_PASSPHRASE", "a new one")
    assert "now encrypted" in cli.ok("passphrase", secret_path)
    assert "wrong passphrase" in cli.fails("info", secret_path)
    with open_case(secret_path, "a new one", backups=False) as case:
        info = case.info()
    assert (info.title, info.encrypted, info.counts[Kind.GROUP]) == ("Secret", True, 1)


def test_passphrase_without_a_new_one_and_no_terminal_changes_nothing(
    cli: Cli, case_path: Path, no_terminal: None
) -> None:
    before = snapshot(case_path)
    assert "CASEFILE_NEW_PASSPHRASE" in cli.fails("passphrase", case_path)
    assert snapshot(case_path) == before


@pytest.mark.slow
def test_wrong_passphrase_is_a_user_error(
    cli: Cli, secret_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest = hashlib.sha256(secret_path.read_bytes()).hexdigest()
    monkeypatch.setenv("CASEFILE_PASSPHRASE", "wrong")
    assert "wrong passphrase" in cli.fails("add", "group", secret_path, "--name", "G")
    assert hashlib.sha256(secret_path.read_bytes()).hexdigest() == digest


def test_wrong_passphrase_prints_only_one_line_on_the_real_stderr(
    secret_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CASEFILE_PASSPHRASE", "wrong")
    capfd.readouterr()
    code = main(["info", str(secret_path)])
    out, err = capfd.readouterr()
    assert code == 1
    assert out == ""
    one_error_line(err)


# -- 9. no arguments ---------------------------------------------------------------------


def test_help_lists_the_commands_and_exits_0(cli: Cli) -> None:
    result = cli("--help")
    assert result.code == 0
    assert result.err == ""
    assert "usage: casefile" in result.out
    for command in ("gui", "new", "demo", "add", "list", "show", "edit", "delete", "passphrase"):
        assert re.search(rf"^\s+{command}\s", result.out, re.MULTILINE), command


def test_no_arguments_opens_the_desktop_window(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """`casefile` alone is `casefile gui` (the window itself is tested elsewhere)."""
    opened: list[argparse.Namespace] = []

    def window(args: argparse.Namespace) -> int:
        opened.append(args)
        return 0

    monkeypatch.setattr(cli_main, "cmd_gui", window)
    result = cli()
    assert (result.code, result.out, result.err) == (0, "", "")
    assert [(a.run, a.case, a.demo) for a in opened] == [(window, None, False)]


# -- bugs: unexpected errors where a user error belongs ------------------------------------


def test_add_link_with_an_unknown_relation_is_a_user_error(cli: Cli, populated: Populated) -> None:
    before = snapshot(populated.path)
    line = cli.fails("add", "link", populated.path, populated.person, "bogus", populated.group)
    assert "relation" in line
    assert "member_of" in line
    assert snapshot(populated.path) == before


def test_add_link_whose_relation_does_not_fit_is_a_user_error(
    cli: Cli, populated: Populated
) -> None:
    before = snapshot(populated.path)
    line = cli.fails(
        "add", "link", populated.path, populated.group, "carried_out", populated.person
    )
    assert line.endswith(
        "a group cannot be linked to a person as “carried out”: "
        "it links a person or group to an attack"
    )
    assert snapshot(populated.path) == before


HUGE = "99999999999999999999999"


def _huge_number_commands(p: Populated) -> list[list[str | Path | UUID]]:
    return [
        ["add", "attack", p.path, "--title", "A", "--killed", HUGE],
        ["add", "quote", p.path, "--text", "T", "--source", p.source, "--page", HUGE],
        ["edit", p.path, p.attack, "--wounded", HUGE],
        ["add", "attack", p.path, "--title", "A", "--killed", str(2**63)],
    ]


@pytest.mark.parametrize(
    "which", range(4), ids=["add-killed", "add-page", "edit-wounded", "add-killed-2**63"]
)
def test_a_number_too_large_to_store_is_a_user_error(
    cli: Cli, populated: Populated, which: int
) -> None:
    before = snapshot(populated.path)
    line = cli.fails(*_huge_number_commands(populated)[which])
    assert "is too large" in line
    assert snapshot(populated.path) == before


def test_the_largest_count_is_accepted(cli: Cli, case_path: Path) -> None:
    record = cli.json("add", "attack", case_path, "--title", "A", "--killed", str(FIGURE_LIMIT))
    assert record["killed"] == FIGURE_LIMIT
    fields = get(case_path, record["id"]).fields
    assert isinstance(fields, AttackFields)
    assert fields.killed == Figure.exactly(FIGURE_LIMIT)


@pytest.mark.parametrize("command", ["list", "history"])
@pytest.mark.parametrize("limit", [HUGE, str(10**9 + 1), "-1"])
@pytest.mark.slow
def test_a_limit_outside_0_to_a_billion_is_a_usage_error(
    cli: Cli, populated: Populated, command: str, limit: str
) -> None:
    before = snapshot(populated.path)
    argv: list[str | Path] = [command, populated.path]
    if command == "list":
        argv.append("attacks")
    err = cli.usage_error(*argv, "--limit", limit)
    assert "--limit" in err
    assert snapshot(populated.path) == before
    assert len(cli.json(*argv, "--limit", str(10**9))) == len(cli.json(*argv))


# -- the real console script --------------------------------------------------------------


@pytest.mark.parametrize("argv", [["--help"], ["add", "attack", "--help"]])
@pytest.mark.slow
def test_script_help(argv: list[str]) -> None:
    result = run_script(*argv)
    assert result.returncode == 0, result.stderr
    assert "usage: casefile" in result.stdout
    assert "example" in result.stdout
    assert result.stderr == ""


@pytest.mark.slow
def test_script_user_error(tmp_path: Path) -> None:
    result = run_script("info", tmp_path / "missing.casefile")
    assert result.returncode == 1
    assert result.stdout == ""
    line = one_error_line(result.stderr)
    assert "no case file" in line


@pytest.mark.slow
def test_script_usage_error(case_path: Path) -> None:
    before = snapshot(case_path)
    result = run_script("list", case_path, "bananas")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "usage:" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(case_path) == before


@pytest.mark.slow
def test_script_encrypted_case_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "secret.casefile"
    key = {"CASEFILE_PASSPHRASE": "a long passphrase"}
    created = run_script("new", path, "--encrypt", "--title", "Secret", env=key)
    assert created.returncode == 0, created.stderr
    assert "(encrypted)" in created.stdout
    assert not path.read_bytes().startswith(SQLITE_MAGIC)
    with pytest.raises(NeedsPassphrase):
        open_case(path, None, backups=False)

    added = run_script(
        "add", "attack", path, "--title", "A", "--date", "22 March 2017", "--killed", "3", env=key
    )
    assert added.returncode == 0, added.stderr
    assert UUID_LINE.match(added.stdout)

    refused = run_script("info", path)  # no passphrase, stdin not a terminal
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert "CASEFILE_PASSPHRASE" in one_error_line(refused.stderr)

    with open_case(path, "a long passphrase", backups=False) as case:
        info = case.info()
        attack = case.records.get(UUID(added.stdout.strip())).fields
    assert info.encrypted
    assert info.title == "Secret"
    assert info.counts[Kind.ATTACK] == 1
    assert isinstance(attack, AttackFields)
    assert (attack.date, attack.killed) == (PartialDate(2017, 3, 22), Figure.exactly(3))


# -- terminal-safe output: control characters and bidi controls, stored as found -------

# ESC recolours, CR rewrites the line, LF starts a false one, U+202E shows the rest
# backwards, U+009B is ESC [ to some terminals, DEL, and an isolate left open.
HOSTILE = "Evil\x1b[31m red\rX\nY\u202eZ\x9b\x7f\u2066"
SHOWN = "Evil\\x1b[31m red\\rX\\nY\\u202eZ\\x9b\\x7f\\u2066"


def assert_terminal_safe(text: str) -> None:
    """Nothing a terminal would act on reaches it, but the ends of lines."""
    assert UNSAFE.search(text.replace("\n", "")) is None, text


@pytest.mark.slow
def test_names_with_control_characters_are_stored_as_found_and_printed_escaped(
    cli: Cli, case_path: Path
) -> None:
    person = cli.add(
        "person", case_path, "--name", HOSTILE, "--alias", HOSTILE, "--tag", HOSTILE,
        "--notes", f"first line\n{HOSTILE}",
    )  # fmt: skip
    record = get(case_path, person)
    assert isinstance(record.fields, PersonFields)
    assert (record.fields.name, record.fields.aliases, record.tags) == (
        HOSTILE,
        (HOSTILE,),
        (HOSTILE,),
    )
    listed = cli.ok("list", case_path, "people")
    assert listed == f"{person[:8]}    {SHOWN}\n"
    shown = cli.ok("show", case_path, person)
    assert f"Person: {SHOWN}\n" in shown
    assert f"  aliases:             {SHOWN}\n" in shown
    assert f"  tags:                {SHOWN}\n" in shown
    # Notes are lines of text: their line breaks stay breaks, indented under "notes:".
    assert shown.endswith(
        "  notes:\n    first line\n    Evil\\x1b[31m red\n    X\n    Y\\u202eZ\\x9b\\x7f\\u2066\n"
    )
    cli.ok("edit", case_path, person, "--name", "Renamed")
    history = cli.ok("history", case_path, person)
    assert f"create   person    {SHOWN}\n" in history
    deleted = cli.ok("delete", case_path, person)
    assert deleted == "deleted person 'Renamed'\n"
    for out in (listed, shown, history):
        assert_terminal_safe(out)


def test_json_escapes_what_a_terminal_acts_on_and_reads_back_exactly(
    cli: Cli, case_path: Path
) -> None:
    """json.dumps escapes C0 controls but not DEL, C1 or bidirectional controls."""
    person = cli.add("person", case_path, "--name", HOSTILE)
    argvs: list[list[str | Path]] = [["show", case_path, person], ["list", case_path, "people"]]
    for argv in argvs:
        out = cli.ok(*argv, "--json")
        assert_terminal_safe(out)
        assert "\\u009b" in out
        assert "\\u202e" in out
    assert cli.json("show", case_path, person)["name"] == HOSTILE
    assert cli.json("list", case_path, "people")[0]["name"] == HOSTILE


def test_case_text_and_vocabulary_are_printed_escaped(cli: Cli, case_path: Path) -> None:
    described = cli.ok("describe", case_path, "--title", HOSTILE, "--summary", f"One\n{HOSTILE}")
    assert described.startswith(f"{SHOWN}\n")
    assert described.endswith("\n\nOne\nEvil\\x1b[31m red\nX\nY\\u202eZ\\x9b\\x7f\\u2066\n")
    assert cli.ok("info", case_path) == described
    added = cli.ok("vocab", case_path, "weapon_type", "--add", "Drone\x1b[2J")
    assert added.startswith("added weapon type 'Drone\\x1b[2J' as ")
    assert "Drone\\x1b[2J  (this case)\n" in cli.ok("vocab", case_path, "weapon_type")
    cli.ok("search", case_path, "Evil\x1b[2J", "--save", "Saved\x1b[2J")
    assert cli.ok("searches", case_path) == "Saved\\x1b[2J: Evil\\x1b[2J\n"
    for out in (described, added):
        assert_terminal_safe(out)


def test_argparse_messages_are_printed_escaped(cli: Cli, case_path: Path) -> None:
    """argparse quotes what was typed in its messages."""
    err = cli.usage_error("list", case_path, "people", "\x1b]0;pwned\x07")
    assert "unrecognized arguments: \\x1b]0;pwned\\x07" in err
    assert_terminal_safe(err)
    err = cli.usage_error("list", case_path, "people", "--limit", "1\x1b[2J")
    assert "'1\\x1b[2J' is not a whole number" in err


def test_the_progress_bar_escapes_the_file_name() -> None:
    stream = io.StringIO()
    ProgressBar(stream).show(1, 2, "a\rb\x1b[2J.txt")
    shown = stream.getvalue()
    assert "a\\rb\\x1b[2J.txt" in shown
    assert_terminal_safe(shown.removeprefix("\r"))


@pytest.mark.slow
def test_imported_file_names_are_stored_as_found_and_printed_escaped(
    cli: Cli, case_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "hostile"
    folder.mkdir()
    name = "report\x1b[31m\rfake.html"
    (folder / name).write_text("<html><body><p>Words of the report</p></body></html>")
    out = cli.ok("import", case_path, folder / name)
    # Titled by its first line: a page that names no title is not titled by its file name.
    assert out.startswith("imported report\\x1b[31m\\rfake.html: Words of the report\n")
    assert_terminal_safe(out)
    [document] = cli.json("list", case_path, "documents")
    assert document["file_name"] == name
    assert_terminal_safe(cli.ok("list", case_path, "sources"))


def test_error_messages_are_printed_escaped(cli: Cli, case_path: Path) -> None:
    line = cli.fails("add", "attack", case_path, "--title", "A", "--killed", "\x1b[2J")
    assert line.startswith("casefile: --killed: '\\x1b[2J' is not a count")


def test_search_results_are_printed_escaped(cli: Cli, case_path: Path) -> None:
    cli.add("person", case_path, "--name", f"Findme {HOSTILE}")
    out = cli.ok("search", case_path, "Findme")
    assert SHOWN in out
    assert_terminal_safe(out)


# -- bytes that are not UTF-8 (as the shell passes them) -------------------------------

# Bytes that are not UTF-8: Python keeps them in argv as lone surrogates ("\udcff").
NOT_UTF8 = os.fsdecode(b"\xff")


def _text_options(p: Populated) -> list[tuple[list[str | Path | UUID], str]]:
    path, bad = p.path, f"a{NOT_UTF8}b"
    return [
        (["add", "person", path, "--name", bad], "--name"),
        (["add", "person", path, "--name", "N", "--notes", bad], "--notes"),
        (["add", "person", path, "--name", "N", "--tag", "ok", "--tag", bad], "--tag"),
        (["add", "person", path, "--name", "N", "--alias", bad], "--alias"),
        (["add", "attack", path, "--title", "A", "--date", bad], "--date"),
        (["add", "quote", path, "--text", "T", "--source", bad], "--source"),
        (["add", "link", path, p.person, bad, p.group], "RELATION"),
        (["edit", path, p.person, "--name", bad], "--name"),
        (["edit", path, p.person, "--notes", bad], "--notes"),
        (["show", path, bad], "ID"),
        (["list", path, "people", "--filter", bad], "--filter"),
        (["list", path, "attacks", "--from", bad], "--from"),
        (["search", path, bad], "QUERY"),
        (["search", path, "word", "--save", bad], "--save"),
        (["searches", path, "--forget", bad], "--forget"),
        (["describe", path, "--title", bad], "--title"),
        (["vocab", path, "weapon_type", "--add", bad], "--add"),
        (["import", path, path, "--pdf-password", bad], "--pdf-password"),
        (["export", "pdf", path, path.with_suffix(".pdf"), "--marking", bad], "--marking"),
    ]


@pytest.mark.slow
def test_text_that_is_not_utf8_is_refused_naming_its_option(cli: Cli, populated: Populated) -> None:
    before = snapshot(populated.path)
    for argv, option in _text_options(populated):
        line = cli.fails(*argv)
        assert line == f"casefile: {option} is not valid UTF-8 text", argv
        assert snapshot(populated.path) == before, argv
    assert not populated.path.with_suffix(".pdf").exists()


def test_a_new_case_title_that_is_not_utf8_is_refused(cli: Cli, tmp_path: Path) -> None:
    line = cli.fails("new", tmp_path / "new.casefile", "--title", NOT_UTF8)
    assert line == "casefile: --title is not valid UTF-8 text"
    assert not (tmp_path / "new.casefile").exists()


def test_a_passphrase_variable_that_is_not_utf8_is_refused(
    cli: Cli, secret_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEFILE_PASSPHRASE", NOT_UTF8)
    assert cli.fails("info", secret_path) == (
        "casefile: $CASEFILE_PASSPHRASE is not valid UTF-8 text"
    )


@pytest.mark.slow
def test_script_refuses_a_name_that_is_not_utf8(case_path: Path) -> None:
    """As a shell passes it: the raw byte, in a real process."""
    before = snapshot(case_path)
    argv: list[str | bytes | Path] = [CASEFILE, "add", "person", case_path, "--name", b"\xff"]
    result = subprocess.run(argv, capture_output=True, stdin=subprocess.DEVNULL, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        b"",
        b"casefile: --name is not valid UTF-8 text\n",
    )
    assert snapshot(case_path) == before


@pytest.mark.slow
def test_a_file_whose_name_is_not_utf8_is_imported(
    cli: Cli, case_path: Path, tmp_path: Path
) -> None:
    """The undecodable byte is kept as U+FFFD where the name is stored and shown (as in
    the window), since a title or a file name must be text; the file itself is read."""
    path = tmp_path / os.fsdecode(b"caf\xe9 \x1b.html")
    path.write_text("<html><body><p>Words of the report</p></body></html>")
    out = cli.ok("import", case_path, path)
    assert out.startswith("imported caf\ufffd \\x1b.html: Words of the report\n")
    [document] = cli.json("list", case_path, "documents")
    assert document["file_name"] == "caf\ufffd \x1b.html"
    [source] = cli.json("list", case_path, "sources")
    assert source["title"] == "Words of the report"
    [outcome] = json.loads(cli.ok("import", case_path, path, "--json"))["files"]
    assert outcome["status"] == "duplicate"


def test_a_pack_path_is_printed_escaped(cli: Cli, case_path: Path, tmp_path: Path) -> None:
    out = tmp_path / f"pack {NOT_UTF8}\x1b[2J.pdf"
    said = cli.ok("export", "pdf", case_path, out)
    assert said.startswith(f"wrote {tmp_path}/pack \\xff\\x1b[2J.pdf: ")
    assert out.exists()


def test_a_case_whose_path_is_not_utf8_opens(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / os.fsdecode(b"dossier \xff")
    folder.mkdir()
    path = folder / "case.casefile"
    assert cli.ok("new", path) == "created " + terminal_safe(str(path)) + " (not encrypted)\n"
    cli.add("person", path, "--name", "Rita Katz")
    assert "\\xff" in cli.ok("info", path)
    assert cli.json("info", path)["path"] == str(path)
    assert cli.ok("list", path, "people").endswith("Rita Katz\n")
    assert cli.ok("check", path) == terminal_safe(str(path)) + ": no problems found\n"


# -- found by tests/cli/test_fuzz.py ----------------------------------------------------


def test_an_empty_path_is_refused(cli: Cli, case_path: Path, tmp_path: Path) -> None:
    """Path("") is the current folder: `import CASE ''` imported all of it, `info ''`
    was exit 70."""
    before = snapshot(case_path)
    for argv in (["import", case_path, ""], ["info", ""], ["backup", case_path, ""]):
        err = cli.usage_error(*argv)
        assert "an empty path names no file or folder" in err
    assert snapshot(case_path) == before


@pytest.mark.parametrize("path", [".", "/"])
def test_a_case_path_without_a_file_name_is_a_user_error(cli: Cli, path: str) -> None:
    assert "casefile: " in cli.fails("info", path)


def test_a_backup_destination_is_printed_escaped(cli: Cli, case_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / f"copy {NOT_UTF8}\x1b[2J.casefile"
    said = cli.ok("backup", case_path, copy)
    assert said == f"backed up {case_path} to {tmp_path}/copy \\xff\\x1b[2J.casefile\n"


def test_report_assess_and_facts_from_the_terminal(cli: Cli, demo_path: Path) -> None:
    attack = find(cli, demo_path, "attacks", "Westminster attack")
    police = cli.ok(
        "add", "source", demo_path, "--title", "Met statement", "--reliability", "A"
    ).strip()
    before = snapshot(demo_path)
    assert "needs its source" in cli.fails("report", demo_path, attack, "killed", "4")
    assert cli.fails("report", demo_path, attack, "killed", "dozens", "--source", police) == (
        "casefile: killed: say what 'dozens' implies too, in brackets: e.g. 'dozens (at least 24)'"
    )
    assert "not a fact of attacks" in cli.fails(
        "report", demo_path, attack, "title", "x", "--source", police
    )
    assert snapshot(demo_path) == before
    four = cli.json(
        "report",
        demo_path,
        attack,
        "killed",
        "4",
        "--source",
        police,
        "--reported",
        "24 March 2017",
    )
    assert (four["fact"], four["value"], four["reported"]["iso"]) == ("killed", "4", "2017-03-24")
    assert cli.json("show", demo_path, attack)["killed"] == 4  # the A-graded report stands
    assert "killed has reported values" in cli.fails("edit", demo_path, attack, "--killed", "9")
    three = next(
        r["id"]
        for f in cli.json("facts", demo_path, attack)
        if f["fact"] == "killed"
        for r in f["reports"]
        if r["value"] == 3
    )
    cli.ok("assess", demo_path, three[:8], "--reason", "The article was first")
    [killed] = [f for f in cli.json("facts", demo_path, attack) if f["fact"] == "killed"]
    assert (killed["value"], killed["chosen"], killed["reason"]) == (
        3,
        "assessed",
        "The article was first",
    )
    assert killed["disputed"] is True
    text = cli.ok("facts", demo_path, attack)
    assert "killed: 3 (assessed) · 2 reported values · 1 disagree" in text
    assert "✓ 3 — Police suspect" in text
    assert "· 4 — Met statement [A] (reported 24 March 2017)" in text


def test_a_judgement_is_added_with_its_yardstick_words(cli: Cli, demo_path: Path) -> None:
    attack = find(cli, demo_path, "attacks", "Westminster attack")
    refused = cli("add", "judgement", demo_path, "--statement", "The attacker acted alone")
    assert refused.code == 2  # a usage error, as argparse says it
    assert "required: --probability" in refused.err
    made = cli.json(
        "add",
        "judgement",
        demo_path,
        "--statement",
        "The attacker acted alone",
        "--probability",
        "realistic possibility",
        "--confidence",
        "low",
        "--concerns",
        attack,
    )
    assert (made["probability"], made["confidence"], made["concerns"]) == (
        "realistic_possibility",
        "low",
        [attack],
    )
    shown = cli.ok("show", demo_path, made["id"])
    assert "probability:         Realistic possibility (40–50%)" in shown


def test_report_with_an_empty_reason_changes_nothing(cli: Cli, demo_path: Path) -> None:
    attack = find(cli, demo_path, "attacks", "Westminster attack")
    source = cli.json("list", demo_path, "sources")[0]["id"]
    before = snapshot(demo_path)
    assert (
        cli.fails("report", demo_path, attack, "killed", "4", "--source", source, "--assess", "")
        == "casefile: say why this value is the one to go by"
    )
    assert snapshot(demo_path) == before


def test_facts_print_vocabulary_labels_not_codes(cli: Cli, demo_path: Path) -> None:
    attack = find(cli, demo_path, "attacks", "Westminster attack")
    source = cli.json("list", demo_path, "sources")[0]["id"]
    cli.ok("report", demo_path, attack, "weapon_types", "vehicle,melee", "--source", source)
    text = cli.ok("facts", demo_path, attack)
    assert "weapon types: Vehicle, Melee (picked by rule)" in text
    [weapons] = [f for f in cli.json("facts", demo_path, attack) if f["fact"] == "weapon_types"]
    # The value the case held, kept unsourced, and the source's, in another order.
    assert [(r["said"], r["source"]) for r in weapons["reports"]] == [
        ("Vehicle, Melee", None),
        ("Vehicle, Melee", source),
    ]
    assert weapons["disputed"] is False


def test_show_gives_a_messages_thread_as_text_and_json(
    cli: Cli, case_path: Path, tmp_path: Path
) -> None:
    first, reply = "<first@example.org>", "<reply@example.org>"
    with open_case(case_path, backups=False) as case:
        ids = dict(
            imported(
                case,
                tmp_path,
                [
                    message("Plan", first, "Wed, 22 Mar 2017 10:00:00"),
                    message("Re: Plan", reply, "Wed, 22 Mar 2017 11:00:00", (first,)),
                ],
            )
        )
    shown = cli.ok("show", case_path, ids["Re: Plan"])
    assert (
        f"  thread:\n    Plan [{str(ids['Plan'])[:8]}]\n"
        f"      * Re: Plan [{str(ids['Re: Plan'])[:8]}]\n"
    ) in shown
    assert cli.json("show", case_path, ids["Plan"])["thread"] == [
        {"id": str(ids["Plan"]), "label": "Plan", "depth": 0},
        {"id": str(ids["Re: Plan"]), "label": "Re: Plan", "depth": 1},
    ]
