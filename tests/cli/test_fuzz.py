"""The CLI and the search box against random input, typed as a careless or hostile user would.

Whatever the arguments, Casefile answers with a result (exit 0), a one-line error (exit 1)
or a usage message (exit 2): never "a bug" (exit 70), never a traceback, and never a
character a terminal would act on. The commands, their options and their choices are read
from the real parser, so a new option is fuzzed without a change here. Each example runs
against its own copy of a small real case on disk, so a failing one replays exactly.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlcipher3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casefile.cli.main import build_parser, main
from casefile.cli.options import is_text
from casefile.domain.display import UNSAFE
from casefile.domain.errors import KnownError
from casefile.domain.records import FIELDS_OF_KIND
from casefile.domain.search_query import parse
from casefile.domain.terms import Kind
from casefile.services.case import open_case
from casefile.services.demo import write_demo_case
from casefile.services.list_query import ListQuery

# Hypothesis runs hundreds of commands on real cases.
pytestmark = pytest.mark.slow

# The window is not the CLI's to fuzz.
SKIPPED = {"gui"}
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ODD = [
    "",
    " ",
    "-",
    "--",
    "-1",
    "0",
    "-500",
    "1e309",
    "nan",
    "-inf",
    str(2**63),
    str(-(2**63) - 1),
    "9" * 40,
    "1.5",
    "0x10",
    "١٢",
    "unknown",
    "?",
    "c. -500",
    "500 BC",
    "+2017",
    "29 February 2017",
    "03/04/2017",
    "0000",
    "9999-12-31",
    "10000",
    "Wed, 22 Mar 2017 10:00:00 -0500",
    "\x1b[31m",
    "\r",
    "\n",
    "\t",
    "\u202e",
    "\x9b",
    "\x7f",
    os.fsdecode(b"\xff"),
    os.fsdecode(b"caf\xe9"),
    "a" * 3000,
    "*",
    '"',
    "%",
    "_",
    "OR",
    "NEAR(a b)",
    "kind:quote",
    "'; DROP TABLE records; --",
    "../../etc/passwd",
]
# What argv can hold on Linux: any bytes but NUL, undecodable ones as lone surrogates.
ARGV_BYTES = st.binary(max_size=12).filter(lambda b: b"\0" not in b).map(os.fsdecode)
TEXT = st.one_of(
    st.sampled_from(ODD),
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\0"), max_size=30),
    ARGV_BYTES,
)
# Values that are right often enough for a command to get as far as the case.
PLAIN = st.sampled_from(
    ["Westminster", "Khalid Masood", "22 March 2017", "March 2016", "2017", "3", "0", "B", "2"]
)
VALUE = st.one_of(PLAIN, TEXT)
# What is typed into a search box is text; the CLI refuses bytes that are not UTF-8 first.
TYPED = st.one_of(st.sampled_from([t for t in ODD if is_text(t)]), st.text(max_size=20))
# Words of the demo case, often enough that queries find something.
FOUND = st.sampled_from(["Westminster", "attack", "Masood", "bridge", "knife", "car", "blood"])
QUERY_WORDS = st.one_of(
    FOUND,
    FOUND,
    FOUND.map(lambda w: w[:3] + "*"),
    st.sampled_from(["OR", "AND", "NOT", "NEAR", "(", ")", "*", "^", ":", "-", '"', "+"]),
    st.sampled_from(["kind:", "tag:", "from:", "to:", "reliability:", "-kind:"]).flatmap(
        lambda name: st.one_of(PLAIN, TYPED).map(lambda value: name + value)
    ),
    TYPED.map(lambda t: f'"{t}"'),
    TYPED.map(lambda t: f"-{t}"),
    TYPED.map(lambda t: f"{t}*"),
    TYPED,
)
QUERIES = st.one_of(
    st.lists(QUERY_WORDS, max_size=8),
    st.tuples(FOUND, QUERY_WORDS),  # finds something more often
).map(" ".join)


@dataclass(frozen=True)
class Command:
    words: tuple[str, ...]  # ("add", "person")
    positionals: tuple[argparse.Action, ...]
    options: tuple[argparse.Action, ...]


def _commands() -> list[Command]:
    found: list[Command] = []

    def walk(parser: argparse.ArgumentParser, words: tuple[str, ...]) -> None:
        actions = [a for a in parser._actions if not isinstance(a, argparse._HelpAction)]
        subs = [a for a in actions if isinstance(a, argparse._SubParsersAction)]
        if subs:
            for name, child in subs[0].choices.items():
                walk(child, (*words, name))
            return
        positionals = tuple(a for a in actions if not a.option_strings)
        found.append(Command(words, positionals, tuple(a for a in actions if a.option_strings)))

    walk(build_parser(), ())
    return [c for c in found if c.words[0] not in SKIPPED]


COMMANDS = _commands()
FIELD_FLAGS = sorted(
    {
        "--" + (f.metadata.get("cli") or f.name).replace("_", "-")
        for cls in FIELDS_OF_KIND.values()
        for f in cls.__dataclass_fields__.values()
    }
    | {"--tag", "--notes", "--help"}
)


@dataclass(frozen=True)
class Place:
    """Where one example runs: its own copy of the case, a file to import, room for more."""

    case: Path
    folder: Path
    ids: list[str] = field(repr=False)


@dataclass(frozen=True)
class Master:
    """The case every example copies, and its records' IDs."""

    path: Path
    ids: list[str] = field(repr=False)


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Master:
    path = tmp_path_factory.mktemp("fuzz") / "master.casefile"
    write_demo_case(path).close()
    with open_case(path, backups=False) as case:
        ids = [str(r.id) for kind in Kind for r in case.listing.page(ListQuery(kind)).records]
    return Master(path, ids)


@contextlib.contextmanager
def place_for(master: Master) -> Iterator[Place]:
    # In the example's own folder: a path typed as "~" or "copy" lands there, not here.
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder, contextlib.chdir(folder):
        case = Path(folder) / "case.casefile"
        shutil.copyfile(master.path, case)
        (Path(folder) / "note.txt").write_text("A note about the Westminster attack.")
        yield Place(case, Path(folder), master.ids)


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


def run(argv: list[str]) -> Outcome:
    """``main`` as the console script runs it, with a UTF-8 terminal's streams: stdout
    refuses what is not text (as it does under a UTF-8 locale), stderr escapes it."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    stdin = sys.stdin
    sys.stdin = io.StringIO("")  # not a terminal: nothing is prompted for
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse: usage errors and --help
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdin = stdin
    err.flush()
    texts = [stream.buffer.getvalue().decode() for stream in (out, err)]
    return Outcome(code, *texts)


def assert_answered(argv: list[str], outcome: Outcome) -> None:
    assert outcome.code in {0, 1, 2}, (argv, outcome)
    assert "Traceback" not in outcome.err, (argv, outcome)
    assert "a bug" not in outcome.err, (argv, outcome)
    if outcome.code == 1 and outcome.err:  # (an import with failures says so on stdout)
        assert outcome.err.startswith("casefile: "), (argv, outcome)
        assert outcome.err.count("\n") == 1, (argv, outcome)  # one line
    shown = outcome.out + outcome.err
    assert UNSAFE.search(shown.replace("\n", "")) is None, (argv, outcome)


def _value(draw: st.DrawFn, action: argparse.Action, place: Place) -> str:
    if action.choices is not None and draw(st.booleans()):
        return str(draw(st.sampled_from(sorted(map(str, action.choices)))))
    if action.metavar == "ID" or action.dest in {"subject", "object", "id"}:
        some_id = st.sampled_from(place.ids).flatmap(lambda i: st.sampled_from([i, i[:4]]))
        return draw(st.one_of(some_id, TEXT))
    return draw(VALUE)


def _positional(
    draw: st.DrawFn, command: Command, action: argparse.Action, place: Place
) -> list[str]:
    fresh = str(place.folder / draw(st.sampled_from(["new.casefile", "out.pdf", "copy"])))
    if action.dest == "case":
        if command.words[0] in {"new", "demo"}:
            return [draw(st.sampled_from([fresh, fresh, str(place.case)]))]
        elsewhere = st.one_of(st.just(fresh), TEXT)
        return [str(place.case) if draw(st.integers(0, 4)) else draw(elsewhere)]
    if action.dest in {"dest", "out"}:
        # `backup` prints its destination as typed (see test_cli's
        # test_a_backup_destination_is_printed_escaped).
        typed = TEXT.filter(printable) if command.words == ("backup",) else TEXT
        return [draw(st.one_of(st.just(fresh), st.just(str(place.case)), typed))]
    if action.dest == "paths":
        paths = st.sampled_from([str(place.folder / "note.txt"), str(place.folder), fresh])
        return draw(st.lists(st.one_of(paths, TEXT), min_size=1, max_size=2))
    if action.dest == "query":
        return [draw(QUERIES)] if action.nargs != "?" or draw(st.booleans()) else []
    if action.nargs == argparse.REMAINDER:
        return draw(st.lists(st.one_of(st.sampled_from(FIELD_FLAGS), VALUE), max_size=6))
    if action.nargs == "?" and draw(st.booleans()):
        return []
    return [_value(draw, action, place)]


def printable(text: str) -> bool:
    return UNSAFE.search(text) is None


@st.composite
def arguments(draw: st.DrawFn, place: Place) -> list[str]:
    command = draw(st.sampled_from(COMMANDS))
    argv: list[str] = []
    if draw(st.integers(0, 4)) == 0:
        argv += ["--dates", draw(st.one_of(st.sampled_from(["strict", "month-first"]), TEXT))]
    argv += command.words
    for action in command.positionals:
        argv += _positional(draw, command, action, place)
    required = [action for action in command.options if action.required]
    chosen = draw(st.lists(st.sampled_from(command.options), max_size=4)) if command.options else []
    for action in required + chosen:
        flag = action.option_strings[-1]
        if action.nargs == 0:
            argv.append(flag)
        else:
            argv += [flag, _value(draw, action, place)]
    return argv


@FUZZ
@given(data=st.data())
def test_no_arguments_make_the_cli_fail_as_a_bug(master: Master, data: st.DataObject) -> None:
    with place_for(master) as place:
        argv = data.draw(arguments(place), label="argv")
        assert_answered(argv, run(argv))


@settings(FUZZ, max_examples=80)
@given(data=st.data())
def test_no_query_makes_search_fail_as_a_bug(master: Master, data: st.DataObject) -> None:
    with place_for(master) as place:
        argv = ["search"]
        if data.draw(st.booleans()):
            argv += ["--kind", data.draw(st.sampled_from([k.value for k in Kind]))]
        if data.draw(st.booleans()):
            argv += ["--limit", data.draw(st.sampled_from(["1", "0", "500"]))]
        # The options go first: argparse takes no QUERY after them (see the report of
        # issue 14). "--": a query may start with "-".
        argv += [str(place.case), "--", data.draw(QUERIES, label="query")]
        assert_answered(argv, run(argv))


@settings(max_examples=500, deadline=None)
@given(st.one_of(QUERIES, st.text()))
def test_every_query_parses_to_an_expression_fts5_reads(text: str) -> None:
    """The parser never refuses what is typed, and what it makes of text is valid FTS5.
    (Bytes that are not UTF-8 are refused before they reach it: by the CLI's parser.)"""
    try:
        query = parse(text)
    except KnownError:
        return
    expression = query.match()
    if expression is None or not is_text(text):
        return
    with contextlib.closing(sqlcipher3.dbapi2.connect(":memory:")) as db:
        db.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        db.execute("INSERT INTO t VALUES ('the Westminster attack')")
        db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expression,)).fetchone()
