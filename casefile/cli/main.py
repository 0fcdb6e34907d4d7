"""The `casefile` command: parse, call one core service, print text or JSON.

Known problems (``KnownError``) print one line on stderr and exit 1 with the case
unchanged; usage errors exit 2 (argparse); anything else is a bug, logged with its
traceback to the log file and reported in one line.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casefile.briefing.options import PackOptions, Scope, Section
from casefile.cli import output
from casefile.cli.options import (
    Parser,
    add_options,
    convert,
    environ_text,
    given_values,
    options_of,
)
from casefile.domain.dates import PartialDate
from casefile.domain.display import a_or_an, how_many, moved_places, terminal_safe
from casefile.domain.errors import (
    AlreadyExists,
    Damaged,
    InvalidInput,
    KnownError,
    NeedsPassphrase,
)
from casefile.domain.facts import FACTS
from casefile.domain.handling import Handling
from casefile.domain.import_options import ImportOptions
from casefile.domain.input_text import clean_text
from casefile.domain.records import FIELDS_OF_KIND, ReportFields
from casefile.domain.terms import Kind, Relation, Vocabulary

if TYPE_CHECKING:
    from casefile.services.case import Case
    from casefile.services.importer import ImportReport

PASSPHRASE_ENV = "CASEFILE_PASSPHRASE"
PDF_PASSWORD_ENV = "CASEFILE_PDF_PASSWORD"
NEW_PASSPHRASE_ENV = "CASEFILE_NEW_PASSPHRASE"
# A pack's handling block, as options of `export pdf`; each one not given is as kept.
HANDLING_OPTIONS = options_of(Handling)
KIND_PLURALS = {
    "attacks": Kind.ATTACK,
    "people": Kind.PERSON,
    "groups": Kind.GROUP,
    "sources": Kind.SOURCE,
    "documents": Kind.DOCUMENT,
    "quotes": Kind.QUOTE,
    "links": Kind.LINK,
    "reports": Kind.REPORT,
    "judgements": Kind.JUDGEMENT,
}
# ``list`` takes a kind as people name a list of it, or as one of it ("attack").
KIND_NAMES = {**KIND_PLURALS, **{kind.value: kind for kind in KIND_PLURALS.values()}}
ADDABLE = (
    Kind.ATTACK,
    Kind.PERSON,
    Kind.GROUP,
    Kind.SOURCE,
    Kind.QUOTE,
    Kind.LINK,
    Kind.JUDGEMENT,
)
# What ``report`` takes as options; the record, the fact and the value are its arguments,
# and assessing is ``assess`` (or ``report --assess REASON``).
REPORT_ARGUMENTS = ("record", "fact", "value")
LINK_POSITIONALS = ("subject", "relation", "object")
EXAMPLES = """\
examples:
  casefile new westminster.casefile --title "Westminster 2017"
  casefile add source westminster.casefile --title "Westminster attack" --reliability B
  casefile add quote westminster.casefile --text "blood with blood" --source 3f2a
  casefile list westminster.casefile quotes --json
"""


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not args_list:
        args_list = ["gui"]
    args = parser.parse_args(args_list)
    from casefile.services import paths  # after parsing: `--help` and usage errors need no log file

    try:
        paths.setup_logging()
        result: int = args.run(args)
        return result
    except KnownError as exc:  # messages quote what was typed: shown escaped
        print(terminal_safe(f"casefile: {exc}"), file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`casefile list ... | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("casefile: interrupted; the case is as it was before this command", file=sys.stderr)
        return 130
    except Exception as exc:
        import logging

        from casefile.services.failures import known_failure

        known = known_failure(exc)
        if known is not None:
            print(terminal_safe(f"casefile: {known}"), file=sys.stderr)
            return 1
        # The command's name only: its arguments are the case's content (names, notes).
        logging.getLogger("casefile").exception(
            "unexpected error in `casefile %s`", args.run.__name__.removeprefix("cmd_")
        )
        print(f"casefile: unexpected error (a bug); details in {paths.log_file()}", file=sys.stderr)
        return 70


Sub = Any  # argparse's subparsers action has no public type


def _command(
    sub: Sub, name: str, run: Callable[[argparse.Namespace], int] | None, text: str, example: str
) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        name,
        help=text,
        description=text,
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if run is not None:  # a command with sub-commands (add KIND) runs theirs
        p.set_defaults(run=run)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="casefile",
        description="Record attacks, people, groups, sources and quotes in one case file.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--dates",
        choices=("day-first", "month-first", "strict"),
        default="day-first",
        help="how to read 03/04/2017: day first (default), month first, or refuse",
    )
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    _file_commands(sub)
    _add_commands(sub)
    _record_commands(sub)
    _fact_commands(sub)
    _duplicate_commands(sub)
    _read_as_command(sub)
    _case_commands(sub)
    return parser


def _file_commands(sub: Sub) -> None:
    p = _command(
        sub,
        "gui",
        cmd_gui,
        "open the desktop window (what `casefile` alone does)",
        "casefile gui my.casefile",
    )
    p.add_argument("case", type=Path, metavar="CASE", nargs="?")
    p.add_argument("--demo", action="store_true", help="open a copy of the demo case")
    p = _command(
        sub,
        "new",
        cmd_new,
        "create a new, empty case",
        "casefile new my.casefile --title 'My case' --encrypt",
    )
    p.add_argument("case", type=Path, metavar="CASE")
    p.add_argument("--title", help="the case title (default: the file name)")
    p.add_argument(
        "--encrypt",
        action="store_true",
        help=f"encrypt with a passphrase (prompted, or ${PASSPHRASE_ENV})",
    )
    p = _command(
        sub,
        "demo",
        cmd_demo,
        "write the Westminster 2017 demo case",
        "casefile demo westminster-2017.casefile",
    )
    p.add_argument("case", type=Path, metavar="CASE")
    p = _command(sub, "info", cmd_info, "summarise a case", "casefile info my.casefile --json")
    _case_arg(p)
    _json_arg(p)


def _add_commands(sub: Sub) -> None:
    add = _command(
        sub,
        "add",
        None,
        "add a record",
        "casefile add person my.casefile --name 'Rita Katz' --role researcher",
    )
    add_sub = add.add_subparsers(title="kinds", metavar="KIND", required=True)
    for kind in ADDABLE:
        cls = FIELDS_OF_KIND[kind]
        example = _ADD_EXAMPLES[kind]
        kp = add_sub.add_parser(
            kind.value,
            help=f"add {a_or_an(kind.value)}",
            description=f"Add {a_or_an(kind.value)}.",
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _case_arg(kp)
        if kind is Kind.LINK:
            kp.add_argument("subject", metavar="SUBJECT_ID")
            kp.add_argument(
                "relation", metavar="RELATION", help="; ".join(r.value for r in Relation)
            )
            kp.add_argument("object", metavar="OBJECT_ID")
        add_options(kp, options_of(cls, skip=LINK_POSITIONALS if kind is Kind.LINK else ()))
        _meta_args(kp)
        _json_arg(kp)
        kp.set_defaults(run=cmd_add, kind=kind)


def _record_commands(sub: Sub) -> None:
    p = _command(
        sub,
        "list",
        cmd_list,
        "list records of one kind",
        "casefile list my.casefile attacks --from 2016 --to 2017",
    )
    _case_arg(p)
    p.add_argument("kind", choices=list(KIND_NAMES), metavar="KIND", help=", ".join(KIND_PLURALS))
    p.add_argument("--sort", help="column to sort by (e.g. date, title, name, created, updated)")
    p.add_argument("--desc", action="store_true", help="sort descending")
    p.add_argument("--filter", default="", help="only records whose text contains this")
    p.add_argument("--tag", default="", help="only records with this tag")
    p.add_argument(
        "--from",
        dest="since",
        metavar="DATE",
        help="only records whose dates reach this (partial) date or later",
    )
    p.add_argument(
        "--to",
        dest="until",
        metavar="DATE",
        help="only records whose dates start by the end of this (partial) date",
    )
    p.add_argument("--limit", type=_count, default=0, help="at most this many (default: all)")
    _json_arg(p)

    p = _command(
        sub,
        "show",
        cmd_show,
        "show one record with its links",
        "casefile show my.casefile 3f2a --json",
    )
    _case_arg(p)
    p.add_argument("id", metavar="ID")
    _json_arg(p)

    p = _command(
        sub,
        "edit",
        cmd_edit,
        "change fields of a record (same options as add)",
        "casefile edit my.casefile 3f2a --killed unknown --tag verified",
    )
    _case_arg(p)
    p.add_argument("id", metavar="ID")
    p.add_argument(
        "changes", nargs=argparse.REMAINDER, metavar="OPTIONS", help="options as for `add KIND`"
    )

    p = _command(
        sub,
        "delete",
        cmd_delete,
        "delete a record (and what cannot exist without it)",
        "casefile delete my.casefile 3f2a --yes",
    )
    _case_arg(p)
    p.add_argument("id", metavar="ID")
    p.add_argument("--yes", action="store_true", help="also delete the records that depend on it")


def _fact_commands(sub: Sub) -> None:
    p = _command(
        sub,
        "report",
        cmd_report,
        "record a value of a fact as a source reported it",
        "casefile report my.casefile 3f2a wounded 'dozens (at least 24)' --source 77de "
        "--reported '23 March 2017'",
    )
    _case_arg(p)
    p.add_argument("record", metavar="RECORD", help="the attack or person it is about")
    p.add_argument(
        "fact", metavar="FACT", help="; ".join(sorted({*FACTS[Kind.ATTACK], *FACTS[Kind.PERSON]}))
    )
    p.add_argument(
        "value",
        metavar="VALUE",
        help="as for the record's option: a date, a count as the source gave it ('at least "
        "30'), a group ID, a status; several types separated by commas",
    )
    add_options(p, options_of(ReportFields, skip=REPORT_ARGUMENTS))
    p.add_argument(
        "--assess", metavar="REASON", help="take it as the assessed value, for this reason"
    )
    _meta_args(p)
    _json_arg(p)

    p = _command(
        sub,
        "assess",
        cmd_assess,
        "take a reported value as its fact's assessed value",
        "casefile assess my.casefile 9b1c --reason 'The inquest's figure'",
    )
    _case_arg(p)
    p.add_argument("report", metavar="REPORT", help="the reported value's ID")
    p.add_argument("--reason", required=True, help="why this is the value to go by")

    p = _command(
        sub,
        "facts",
        cmd_facts,
        "list a record's facts with every reported value",
        "casefile facts my.casefile 3f2a --json",
    )
    _case_arg(p)
    p.add_argument("record", metavar="RECORD")
    _json_arg(p)


def _read_as_command(sub: Sub) -> None:
    p = _command(
        sub,
        "read-as",
        cmd_read_as,
        "read a stored text file or web page again in another encoding (its bytes unchanged)",
        "casefile read-as my.casefile 5c1e cp1256",
    )
    _case_arg(p)
    p.add_argument("document", metavar="DOCUMENT", help="the document (or the start of its ID)")
    p.add_argument("encoding", metavar="ENCODING", help="cp1256, koi8-r, gb18030, shift_jis, …")


def cmd_read_as(args: argparse.Namespace) -> int:
    with open_for(args) as case:
        read = case.encodings.read_as(case.records.resolve(args.document), args.encoding)
    pages = how_many(len(read.after.pages), "page")
    print(terminal_safe(f"read {read.file_name} again as {read.encoding}: {pages}"))
    moved = moved_places(*read.quotes_moved.counts())
    if moved:
        print(f"casefile: {moved}", file=sys.stderr)
    return 0


def _duplicate_commands(sub: Sub) -> None:
    p = _command(
        sub,
        "duplicates",
        cmd_duplicates,
        "list, confirm or reject sources whose documents are near-duplicates",
        "casefile duplicates my.casefile 77de --confirm 9b1c",
    )
    _case_arg(p)
    p.add_argument("source", nargs="?", metavar="SOURCE", help="only this source's matches")
    verdict = p.add_mutually_exclusive_group()
    verdict.add_argument(
        "--confirm", metavar="OTHER", help="the two are one story: they count as one source"
    )
    verdict.add_argument(
        "--reject", metavar="OTHER", help="the two are independent after all: they count apart"
    )
    verdict.add_argument(
        "--scan",
        action="store_true",
        help="look for near-duplicates among documents imported before Casefile looked",
    )
    _json_arg(p)


def _case_commands(sub: Sub) -> None:
    p = _command(
        sub, "history", cmd_history, "show the audit trail", "casefile history my.casefile 3f2a"
    )
    _case_arg(p)
    p.add_argument("id", nargs="?", metavar="RECORD")
    p.add_argument("--limit", type=_count, default=0, help="only the newest N entries")
    _json_arg(p)

    p = _command(
        sub,
        "describe",
        cmd_describe,
        "set the case's title or summary",
        "casefile describe my.casefile --summary 'What we know'",
    )
    _case_arg(p)
    p.add_argument("--title")
    p.add_argument("--summary")

    p = _command(
        sub,
        "vocab",
        cmd_vocab,
        "list or extend attack, weapon and target types",
        "casefile vocab my.casefile weapon_type --add 'Drone'",
    )
    _case_arg(p)
    p.add_argument("vocabulary", choices=[v.value for v in Vocabulary])
    p.add_argument("--add", metavar="LABEL", help="add a case-specific value")

    p = _command(
        sub,
        "search",
        cmd_search,
        'search records, notes and document pages (words, "phrases", prefix*, OR, -word, '
        "kind: tag: from: to: reliability:)",
        "casefile search my.casefile '\"run over\" kind:quote from:2016'",
    )
    _case_arg(p)
    p.add_argument("query", metavar="QUERY", nargs="?", default="")
    p.add_argument("--kind", type=Kind.parse, metavar="KIND", help="only this kind of record")
    p.add_argument("--limit", type=_count, default=20, help="at most N results (default 20)")
    p.add_argument("--save", metavar="NAME", help="also keep this search under NAME")
    p.add_argument("--saved", metavar="NAME", help="run the search saved as NAME")
    _json_arg(p)

    p = _command(
        sub,
        "searches",
        cmd_searches,
        "list the saved searches, or forget one",
        "casefile searches my.casefile --forget 'Amaq claims'",
    )
    _case_arg(p)
    p.add_argument("--forget", metavar="NAME", help="delete the saved search NAME")

    p = _command(
        sub, "reindex", cmd_reindex, "rebuild the search index", "casefile reindex my.casefile"
    )
    _case_arg(p)

    _import_command(sub)

    _export_commands(sub)

    p = _command(
        sub,
        "backup",
        cmd_backup,
        "write a consistent copy, even while the case is open elsewhere",
        "casefile backup my.casefile copy.casefile",
    )
    _case_arg(p)
    p.add_argument("dest", type=Path, metavar="DEST")

    p = _command(
        sub,
        "check",
        cmd_check,
        "check integrity, foreign keys and document hashes",
        "casefile check my.casefile --repair",
    )
    _case_arg(p)
    p.add_argument(
        "--repair",
        action="store_true",
        help="write a copy of everything that can be read beside the case (left untouched)",
    )

    p = _command(
        sub,
        "migrate",
        cmd_migrate,
        "upgrade an older case (a backup is written first)",
        "casefile migrate old.casefile",
    )
    _case_arg(p)

    p = _command(
        sub,
        "passphrase",
        cmd_passphrase,
        "encrypt, change the passphrase of, or decrypt a case",
        f"{NEW_PASSPHRASE_ENV}=... casefile passphrase my.casefile",
    )
    _case_arg(p)
    p.add_argument("--remove", action="store_true", help="remove the encryption")


_ADD_EXAMPLES = {
    Kind.ATTACK: "casefile add attack my.casefile --title 'Westminster attack' "
    "--date '22 March 2017' --killed 3",
    Kind.PERSON: "casefile add person my.casefile --name 'Rita Katz' --role researcher",
    Kind.GROUP: "casefile add group my.casefile --name 'Islamic State' --alias ISIS --alias ISIL",
    Kind.SOURCE: "casefile add source my.casefile --title 'Report' --published 'March 2017' "
    "--reliability B",
    Kind.QUOTE: "casefile add quote my.casefile --text 'blood with blood' --source 3f2a --page 1",
    Kind.LINK: "casefile add link my.casefile 3f2a claimed 9b1c --source 77de",
    Kind.JUDGEMENT: "casefile add judgement my.casefile --statement 'The attacker acted alone' "
    "--probability likely --confidence moderate --rests-on 77de --concerns 3f2a",
}


def _import_command(sub: Sub) -> None:
    p = _command(
        sub,
        "import",
        cmd_import,
        "import documents and folders as sources: PDF, web pages, office files, e-mail,"
        " archives, pictures, text",
        "casefile import my.casefile ~/Downloads/reports --pdf-password s3cret",
    )
    _case_arg(p)
    p.add_argument("paths", type=Path, nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("--pdf-password", help="the password of encrypted PDFs")
    defaults = ImportOptions()
    p.add_argument(
        "--max-size", type=_positive, default=defaults.max_mb, metavar="MB", help="per file"
    )
    p.add_argument("--max-pages", type=_at_least_one, default=defaults.max_pages, metavar="N")
    p.add_argument(
        "--timeout", type=_positive, default=defaults.seconds, metavar="S", help="per file"
    )
    p.add_argument(
        "--max-memory",
        type=_at_least_one,
        default=defaults.memory_mb,
        metavar="MB",
        help="per reader",
    )
    p.add_argument(
        "--max-text",
        type=_positive,
        default=defaults.max_text_mb,
        metavar="MB",
        help="text read from one file",
    )
    p.add_argument(
        "--batch-timeout",
        type=_positive,
        metavar="S",
        help="the whole import (default: the per-file timeout for each file, and one more)",
    )
    p.add_argument(
        "--ocr",
        default=defaults.ocr_languages,
        metavar="LANGS",
        help="read scans and pictures in these languages, joined by + (default: %(default)s;"
        " Tesseract's names: eng+ara+urd; without Tesseract only Latin script is read)",
    )
    p.add_argument("--no-ocr", action="store_true", help="do not read scans and pictures")
    _json_arg(p)


def _export_commands(sub: Sub) -> None:
    export = _command(
        sub,
        "export",
        None,
        "export the case (a briefing pack as PDF)",
        "casefile export pdf my.casefile pack.pdf --marking TLP:AMBER",
    )
    kinds = export.add_subparsers(title="formats", metavar="FORMAT", required=True)
    p = _command(
        kinds,
        "pdf",
        cmd_export_pdf,
        "write a briefing pack: cover, contents, summary, timeline, profiles, quotes, "
        "charts and numbered sources. Its handling block (--originator to --contact) is "
        "kept in the case: the next pack carries it unless told otherwise ('' clears one)",
        "casefile export pdf my.casefile pack.pdf --tag westminster --from 2016 --to 2017\n"
        "  casefile export pdf my.casefile pack.pdf --originator 'Home Office' --review 2027",
    )
    _case_arg(p)
    p.add_argument("out", type=Path, metavar="OUT.pdf", help="the PDF to write")
    p.add_argument("--force", action="store_true", help="replace OUT.pdf if it exists")
    p.add_argument(
        "--attack", dest="attacks", action="append", metavar="ID", help="only this attack (repeat)"
    )
    p.add_argument("--tag", help="only the attacks with this tag")
    p.add_argument(
        "--from", dest="start", metavar="DATE", help="only attacks reaching this date or later"
    )
    p.add_argument(
        "--to", dest="end", metavar="DATE", help="only attacks starting by the end of this date"
    )
    defaults = PackOptions()
    p.add_argument(
        "--marking",
        default=defaults.marking,
        help=f"handling marking, free text or a TLP 2.0 label (default {defaults.marking})",
    )
    p.add_argument(
        "--sections",
        type=_sections,
        default=defaults.sections,
        metavar="S,S",
        help=f"comma-separated, from: {', '.join(s.value for s in Section)} (default all)",
    )
    p.add_argument("--title", default="", help="default: the case's title")
    p.add_argument("--subtitle", default=defaults.subtitle)
    p.add_argument("--author", default="")
    p.add_argument(
        "--no-author-metadata",
        action="store_true",
        help="leave the author out of the PDF's metadata and cover",
    )
    p.add_argument(
        "--version",
        dest="pack_version",
        default=defaults.version,
        metavar="V",
        help="the version the pack prints (default: the next number of the case's packs)",
    )
    add_options(p, HANDLING_OPTIONS)
    _json_arg(p)


def _sections(text: str) -> frozenset[Section]:
    try:
        return frozenset(Section.parse(part) for part in text.split(",") if part.strip())
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _case_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("case", type=Path, metavar="CASE", help="the .casefile")


def _json_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON for scripts")


def _meta_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--tag",
        dest="tags",
        action="append",
        metavar="TAG",
        help="a tag (repeat for more); on edit, the record's tags become exactly these",
    )
    p.add_argument("--notes", help="free-text notes")


def _positive(text: str) -> float:
    """A limit such as --max-size: a number above 0 (not nan, not infinity)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError("give a number above 0")
    return value


def _at_least_one(text: str) -> int:
    value = _count(text)
    if value < 1:
        raise argparse.ArgumentTypeError("give a whole number from 1")
    return value


def _count(text: str) -> int:
    """A --limit: a whole number from 0 (meaning no limit) up to a billion."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 0 <= value <= 10**9:
        raise argparse.ArgumentTypeError("give a number from 0 to 1000000000")
    return value


def _dayfirst(args: argparse.Namespace) -> bool | None:
    return {"day-first": True, "month-first": False, "strict": None}[args.dates]


def passphrase_from_user(prompt: str, env: str = PASSPHRASE_ENV, *, confirm: bool = False) -> str:
    if (value := environ_text(env)) is not None:
        return value
    if not sys.stdin.isatty():
        raise InvalidInput(f"a passphrase is needed: set {env} or run in a terminal")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat it: ") != first:
        raise InvalidInput("the two passphrases differ")
    return first


def open_for(args: argparse.Namespace) -> Case:
    from casefile.services.case import open_case

    try:
        return open_case(args.case, environ_text(PASSPHRASE_ENV))
    except NeedsPassphrase as exc:
        if PASSPHRASE_ENV in os.environ or not sys.stdin.isatty():
            raise NeedsPassphrase(f"{exc}; set {PASSPHRASE_ENV} or run in a terminal") from None
        return open_case(args.case, passphrase_from_user(f"Passphrase for {args.case.name}: "))


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    """Print JSON or text, terminal-safe (output's texts are already: this is for those
    a command writes itself)."""
    print(output.json_text(data) if args.json else output.safe_lines(text.split("\n")))


# -- commands --------------------------------------------------------------------------
# Each command imports the services it uses when it runs, not this module: `--help` and a
# usage error then start without SQLAlchemy or any service (benchmarks/cli_startup.py,
# tests/cli/test_startup.py).


def cmd_gui(args: argparse.Namespace) -> int:
    from casefile.ui.app import run  # Qt loads only for the window

    return run(args.case, demo=args.demo)


def cmd_new(args: argparse.Namespace) -> int:
    from casefile.services.case import create_case

    passphrase = passphrase_from_user("New passphrase: ", confirm=True) if args.encrypt else None
    with create_case(args.case, title=args.title, passphrase=passphrase) as case:
        print(
            terminal_safe(f"created {case.path} ({'encrypted' if passphrase else 'not encrypted'})")
        )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from casefile.services.demo import write_demo_case

    with write_demo_case(args.case) as case:
        info = case.info()
        print(terminal_safe(f"wrote the demo case to {case.path}: {output.counts_line(info)}"))
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    with open_for(args) as case:
        info = case.info()
    emit(args, output.info_json(info), output.info_text(info))
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    kind: Kind = args.kind
    cls = FIELDS_OF_KIND[kind]
    options = options_of(cls)
    with open_for(args) as case:
        values = convert(case, options, given_values(args, options), _dayfirst(args))
        if kind is Kind.LINK:
            values |= {
                "subject": case.records.resolve(args.subject),
                "relation": Relation.parse(args.relation),
                "object": case.records.resolve(args.object),
            }
        record = case.records.add(cls(**values), tags=args.tags or (), notes=args.notes or "")
    emit(args, output.record_json(record), str(record.id))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from casefile.domain.facts import check_fact, encode

    options = options_of(ReportFields, skip=REPORT_ARGUMENTS)
    with open_for(args) as case:
        record = case.records.get(case.records.resolve(args.record))
        check_fact(record.kind, args.fact)
        [option] = [o for o in options_of(FIELDS_OF_KIND[record.kind]) if o.name == args.fact]
        typed = args.value.split(",") if option.repeated else args.value
        try:
            value = convert(case, [option], {option.name: typed}, _dayfirst(args))[option.name]
        except InvalidInput as exc:  # said of the VALUE argument, not of an option
            raise InvalidInput(
                f"{args.fact}: {str(exc).removeprefix(option.flag + ': ')}"
            ) from None
        given = convert(case, options, given_values(args, options), _dayfirst(args))
        fields = ReportFields(
            record=record.id,
            fact=args.fact,
            value=encode(value),
            assessed=args.assess is not None,
            reason=args.assess or "",
            **given,
        )
        reported = case.facts.report(fields, tags=tuple(args.tags or ()), notes=args.notes or "")
    emit(args, output.record_json(reported.report), str(reported.report.id))
    return 0


def cmd_assess(args: argparse.Namespace) -> int:
    with open_for(args) as case:
        report_id = case.records.resolve(args.report)
        case.facts.assess(report_id, args.reason)
        report = case.records.get(report_id)
    print(terminal_safe(f"assessed: {report.label}"))
    return 0


def cmd_facts(args: argparse.Namespace) -> int:
    from casefile.services.details import RecordDetail

    with open_for(args) as case:
        detail = RecordDetail.gather(case, case.records.resolve(args.record))
    if detail.record.kind not in FACTS:
        raise InvalidInput(
            f"{detail.record.kind.plural} have no reported facts (attacks and people do)"
        )
    text = output.facts_lines(detail) or ["  no reported values yet"]
    emit(
        args,
        output.facts_json(detail),
        output.safe_lines([f"{detail.record.kind.label}: {detail.record.label}", *text]),
    )
    return 0


def cmd_duplicates(args: argparse.Namespace) -> int:
    from casefile.domain.terms import DuplicateVerdict

    with open_for(args) as case:
        if args.scan:
            if args.source:
                raise InvalidInput("--scan looks at every source: name none")
            found = case.duplicates.scan()
            print(f"{how_many(found, 'near-duplicate match', 'near-duplicate matches')} found")
            return 0
        source = case.records.resolve(args.source) if args.source else None
        other = args.confirm or args.reject
        if other:
            if source is None:
                raise InvalidInput("name the SOURCE whose match you confirm or reject")
            verdict = DuplicateVerdict.CONFIRMED if args.confirm else DuplicateVerdict.REJECTED
            case.duplicates.judge(source, case.records.resolve(other), verdict)
        if source is None:
            pairs = case.duplicates.every()
        else:
            pairs = [(source, d) for d in case.duplicates.of(source)]
        titles = {r.id: r.label for r in case.records.get_many([s for s, _ in pairs])}
    emit(
        args,
        [output.near_duplicate_json(s, d) for s, d in pairs],
        output.safe_lines(
            [
                f"{titles.get(s, '?')} [{str(s)[:8]}]: {d.said()} [{str(d.other)[:8]}]"
                for s, d in pairs
            ]
            or ["no near-duplicates found"]
        ),
    )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from casefile.services.list_query import ListQuery
    from casefile.services.listing import sort_names

    kind = KIND_NAMES[args.kind]
    dayfirst = _dayfirst(args)
    if args.sort and args.sort not in sort_names(kind):
        raise InvalidInput(f"{args.kind} can be sorted by: {', '.join(sort_names(kind))}")
    query = ListQuery(
        kind,
        sort=args.sort,
        descending=args.desc,
        text=args.filter,
        tag=args.tag,
        since=PartialDate.parse(args.since, dayfirst=dayfirst) if args.since else None,
        until=PartialDate.parse(args.until, dayfirst=dayfirst) if args.until else None,
        limit=500 if args.limit <= 0 else min(args.limit, 500),
    )
    records = []
    with open_for(args) as case:
        while True:
            page = case.listing.page(query)
            records.extend(page.records)
            if page.next is None or (args.limit and len(records) >= args.limit):
                break
            query = ListQuery(**{**query.__dict__, "after": page.next})
    if args.limit:
        records = records[: args.limit]
    emit(args, [output.record_json(r) for r in records], output.table(kind, records))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from casefile.services.details import RecordDetail

    with open_for(args) as case:
        detail = RecordDetail.gather(case, case.records.resolve(args.id))
    emit(args, output.show_json(detail), output.show_text(detail))
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    with open_for(args) as case:
        record = case.records.get(case.records.resolve(args.id))
        cls = FIELDS_OF_KIND[record.kind]
        skip = ("subject", "object") if record.kind is Kind.LINK else ()
        options = options_of(cls, skip=skip)
        parser = Parser(prog=f"casefile edit CASE ID ({record.kind.value})")
        add_options(parser, options, all_optional=True)
        _meta_args(parser)
        given = parser.parse_args(args.changes)
        changes = convert(case, options, given_values(given, options), _dayfirst(args))
        if not changes and given.tags is None and given.notes is None:
            raise InvalidInput(
                f"nothing to change: give options as for `casefile add {record.kind.value}`"
            )
        updated = case.records.update(record.id, changes, tags=given.tags, notes=given.notes)
    print(f"updated {updated.kind.value} {updated.id}")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    with open_for(args) as case:
        record = case.records.get(case.records.resolve(args.id))
        dependents = case.records.dependents(record.id)
        if dependents.deleted and not args.yes:
            raise InvalidInput(
                f"deleting {record.kind.value} '{record.label}' {dependents.describe()}: "
                "add --yes to confirm"
            )
        case.records.delete(record.id)
    extra = dependents.describe()
    said = f"deleted {record.kind.value} '{record.label}'" + (f" ({extra})" if extra else "")
    print(terminal_safe(said))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    with open_for(args) as case:
        record_id = case.history.resolve(args.id) if args.id else None
        entries = case.history.entries(record_id, limit=args.limit or None)
    emit(args, [output.history_json(e) for e in entries], output.history_text(entries))
    return 0


def cmd_describe(args: argparse.Namespace) -> int:
    with open_for(args) as case:
        info = case.describe(title=args.title, summary=args.summary)
    print(output.info_text(info))
    return 0


def cmd_vocab(args: argparse.Namespace) -> int:
    vocabulary = Vocabulary.parse(args.vocabulary)
    with open_for(args) as case:
        if args.add:
            term = case.vocabulary.add(vocabulary, args.add, case.info().id)
            print(terminal_safe(f"added {vocabulary.label.lower()} '{term.label}' as {term.code}"))
            return 0
        for term in case.vocabulary.terms(vocabulary):
            mine = "" if term.builtin else "  (this case)"
            print(terminal_safe(f"{term.code:24} {term.label}{mine}"))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    with open_for(args) as case:
        query = args.query
        if args.saved:
            found = {s.name.casefold(): s for s in case.saved_searches.all()}
            if args.saved.strip().casefold() not in found:
                raise InvalidInput(f"no saved search named {args.saved!r}")
            query = found[args.saved.strip().casefold()].query
        if not query.strip():
            raise InvalidInput("say what to search for (or --saved NAME)")
        if args.save:
            case.saved_searches.save(args.save, query)
        result = case.search.search(query, kind=args.kind, limit=args.limit)
    emit(args, output.search_json(result), output.search_text(result))
    return 0


def cmd_searches(args: argparse.Namespace) -> int:
    with open_for(args) as case:
        if args.forget:
            case.saved_searches.forget(args.forget)
            print(f"forgot the saved search {args.forget!r}")
            return 0
        saved = case.saved_searches.all()
    print(output.safe_lines(f"{s.name}: {s.query}" for s in saved) or "no saved searches")
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    with open_for(args) as case:
        rows = case.search_index.rebuild()
    print(terminal_safe(f"rebuilt the search index of {args.case}: {rows:,} records and pages"))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from casefile.services.importer import Status

    options = ImportOptions(
        password=args.pdf_password or environ_text(PDF_PASSWORD_ENV),
        max_mb=args.max_size,
        max_pages=args.max_pages,
        seconds=args.timeout,
        memory_mb=args.max_memory,
        max_text_mb=args.max_text,
        batch_seconds=args.batch_timeout,
        ocr_languages="" if args.no_ocr else args.ocr,
    )
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        raise InvalidInput(f"no such file or folder: {', '.join(missing)}")
    bar = output.ProgressBar(sys.stderr) if sys.stderr.isatty() and not args.json else None

    def progress(report: ImportReport) -> None:
        """The bar names a file being read by OCR (minutes for a long scan), else the
        file just done."""
        if bar is None:
            return
        now = report.reading_now().partition("\n")[0]
        name = now or (report.outcomes[-1].path.name if report.outcomes else "")
        bar.show(len(report.outcomes), report.total, clean_text(name))

    with open_for(args) as case:
        try:
            report = case.importer.import_files(args.paths, options, progress)
        except KeyboardInterrupt:
            print(
                "casefile: interrupted; the files imported before now are kept "
                f"(see `casefile list {terminal_safe(str(args.case))} sources`)",
                file=sys.stderr,
            )
            return 130
    if bar is not None:
        bar.clear()
    emit(args, output.import_json(report), output.import_text(report))
    # Not every file read whole into the case: a script can tell.
    return 1 if any(report.count(s) for s in (Status.FAILED, Status.SKIPPED, Status.KEPT)) else 0


def cmd_export_pdf(args: argparse.Namespace) -> int:
    dayfirst = _dayfirst(args)
    bar = output.ProgressBar(sys.stderr) if sys.stderr.isatty() and not args.json else None
    with open_for(args) as case:
        scope = Scope(
            attacks=tuple(case.records.resolve(text) for text in args.attacks or ()),
            tag=args.tag,
            start=PartialDate.parse(args.start, dayfirst=dayfirst) if args.start else None,
            end=PartialDate.parse(args.end, dayfirst=dayfirst) if args.end else None,
        )
        options = PackOptions(
            title=args.title,
            subtitle=args.subtitle,
            marking=args.marking,
            author=args.author,
            show_author=not args.no_author_metadata,
            version=args.pack_version,
            sections=args.sections,
            scope=scope,
            handling=_handling(case, args, dayfirst),
        )
        progress = (lambda done: bar.show(round(done * 100), 100, args.out.name)) if bar else None
        try:
            report = case.briefing.export(
                args.out, options, progress or (lambda done: None), replace=args.force
            )
        except AlreadyExists as exc:
            raise AlreadyExists(f"{exc}: add --force to replace it") from None
    if bar is not None:
        bar.clear()
    counts = ", ".join(
        output.plural(kind, n)
        for kind, n in ((Kind.ATTACK, report.attacks), (Kind.QUOTE, report.quotes))
    )
    sources = output.plural(Kind.SOURCE, report.sources)
    version = report.version.version
    summary = (
        f"wrote {report.path}: version {version}, {report.pages} pages; {counts}; {sources} cited"
    )
    data = {
        "path": str(report.path),
        "version": version,
        "state_sha256": report.version.state_sha256,
        "pages": report.pages,
        "attacks": report.attacks,
        "quotes": report.quotes,
        "sources": report.sources,
    }
    emit(args, data, summary)
    return 0


def _handling(case: Case, args: argparse.Namespace, dayfirst: bool | None) -> Handling:
    """The handling block the case keeps, with each field given as an option instead."""
    given = convert(case, HANDLING_OPTIONS, given_values(args, HANDLING_OPTIONS), dayfirst)
    return dataclasses.replace(case.briefing.handling(), **given)


def cmd_backup(args: argparse.Namespace) -> int:
    with open_for(args) as case:
        case.backup(args.dest)
    print(terminal_safe(f"backed up {args.case} to {args.dest}"))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    if args.repair:
        return _repair(args)
    try:
        with open_for(args) as case:
            found = case.check()
    except Damaged as exc:
        raise Damaged(f"{exc}: `casefile check --repair` writes it") from None
    for line in found:
        print(terminal_safe(f"problem: {line}"))
    print(
        terminal_safe(f"{args.case}: ")
        + ("no problems found" if not found else f"{len(found)} problem(s)")
    )
    if found:
        print("`casefile check --repair` writes a copy of what can be read beside the case")
    return 1 if found else 0


def _repair(args: argparse.Namespace) -> int:
    from casefile.services.rescue import rescue_case

    try:
        rescued = rescue_case(args.case, environ_text(PASSPHRASE_ENV))
    except NeedsPassphrase:
        if not sys.stdin.isatty():
            raise
        passphrase = passphrase_from_user(f"Passphrase for {args.case.name}: ")
        rescued = rescue_case(args.case, passphrase)
    salvaged = rescued.salvaged
    print(terminal_safe(f"wrote {rescued.path}: {salvaged.rows.get('record', 0):,} records"))
    if rescued.lost:
        print(terminal_safe(f"partly lost (they could not all be read): {', '.join(rescued.lost)}"))
    for name in salvaged.not_made:
        print(terminal_safe(f"the index or trigger {name} could not be made again"))
    for line in rescued.problems:
        print(terminal_safe(f"problem in the copy: {line}"))
    print(terminal_safe(f"{args.case} is as it was"))
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    with open_for(args) as case:
        print(terminal_safe(f"{case.path} is at schema {case.info().schema} (the newest)"))
    return 0


def cmd_passphrase(args: argparse.Namespace) -> int:
    from casefile.services.case import needs_passphrase
    from casefile.services.rekeying import change_passphrase

    old = None
    if needs_passphrase(args.case):
        old = passphrase_from_user(f"Current passphrase for {args.case.name}: ")
    new = (
        None
        if args.remove
        else passphrase_from_user("New passphrase: ", NEW_PASSPHRASE_ENV, confirm=True)
    )
    report = change_passphrase(args.case, old, new)
    lines = [f"{args.case} is now " + ("not encrypted" if new is None else "encrypted")]
    if report.rekeyed:
        n = len(report.rekeyed)
        lines.append(
            f"and so {'is' if n == 1 else 'are'} its {n} backup cop{'y' if n == 1 else 'ies'}"
        )
    lines.extend(
        f"removed the backup copy {copy}: it could not be read to encrypt it"
        for copy in report.removed
    )
    lines.extend(
        f"kept the backup copy {copy} as it was: it opens with another passphrase"
        for copy in report.kept
    )
    print(output.safe_lines(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
