"""Command-line options made from the record dataclasses, so `add` and `edit` never drift
from what a record holds. Values stay text until a case is open: a bad date or an unknown
ID is then a one-line user error (exit 1), not an argparse usage error.

Every option is read by ``Parser``, which refuses text that is not UTF-8 (exit 1, one line
naming the option) before anything is stored, and prints argparse's own messages
terminal-safe."""

from __future__ import annotations

import argparse
import dataclasses
import os
import types
import typing
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from uuid import UUID

from casefile.domain.dates import PartialDate
from casefile.domain.display import TIME_FIELDS, terminal_safe
from casefile.domain.errors import InvalidInput
from casefile.domain.figures import EXAMPLES, Figure, read_figure
from casefile.domain.handling import Handling
from casefile.domain.input_text import (
    TIME_EXAMPLES,
    means_unknown,
    read_date,
    read_number,
    read_time,
)
from casefile.domain.records import AnyFields
from casefile.domain.terms import LabelledEnum, Vocabulary

if TYPE_CHECKING:  # the parser is built before a case is opened, without the database layer
    from casefile.services.case import Case


def is_text(value: str) -> bool:
    """Whether ``value`` is text. On Linux arguments and the environment are bytes, and
    Python keeps bytes that are not UTF-8 as lone surrogates, which no database, file or
    terminal can take as text (a path may hold them: it is bytes to the system too)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def environ_text(name: str) -> str | None:
    """The environment variable ``name``, refused if it is not UTF-8 text."""
    value = os.environ.get(name)
    if value is not None and not is_text(value):
        raise InvalidInput(f"${name} is not valid UTF-8 text")
    return value


class Parser(argparse.ArgumentParser):
    """argparse for the CLI: a text value that is not UTF-8 is refused in one line naming
    its option, an empty path is refused (``type=Path`` would take it for the current
    folder), and argparse's own messages (which quote what was typed) are terminal-safe.
    Sub-commands' parsers are of this class too (argparse makes them of the parent's)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("type", Path, _path)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        parsed, rest = super().parse_known_args(args, namespace)
        for action in self._actions:
            if action.dest == argparse.SUPPRESS or action.nargs == argparse.REMAINDER:
                continue  # a remainder is parsed again, by a parser of this class
            value = getattr(parsed, action.dest, None)
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str) and not is_text(text):
                    self.exit(1, f"casefile: {_option_name(action)} is not valid UTF-8 text\n")
        return parsed, rest

    def error(self, message: str) -> NoReturn:
        super().error(terminal_safe(message))


def _path(text: str) -> Path:
    if not text:
        raise argparse.ArgumentTypeError("an empty path names no file or folder")
    return Path(text)


def _option_name(action: argparse.Action) -> str:
    if action.option_strings:
        return max(action.option_strings, key=len)
    return action.metavar if isinstance(action.metavar, str) else action.dest.upper()


@dataclasses.dataclass(frozen=True)
class FieldOption:
    name: str
    flag: str
    hint: Any
    repeated: bool
    required: bool
    metadata: typing.Mapping[str, Any]


def options_of(cls: type[AnyFields | Handling], *, skip: tuple[str, ...] = ()) -> list[FieldOption]:
    hints = typing.get_type_hints(cls)
    result = []
    for f in dataclasses.fields(cls):
        if f.name in skip or f.metadata.get("fixed") or f.metadata.get("by_command"):
            continue
        hint = hints[f.name]
        repeated = typing.get_origin(hint) is tuple
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        flag = "--" + (f.metadata.get("cli") or f.name).replace("_", "-")
        result.append(FieldOption(f.name, flag, hint, repeated, required, f.metadata))
    return result


def add_options(
    parser: argparse.ArgumentParser, options: list[FieldOption], *, all_optional: bool = False
) -> None:
    for opt in options:
        kwargs: dict[str, Any] = {"dest": f"field_{opt.name}", "help": _help(opt)}
        if opt.repeated:
            kwargs["action"] = "append"
        else:
            kwargs["required"] = opt.required and not all_optional
        parser.add_argument(opt.flag, metavar=_metavar(opt), **kwargs)


def given_values(args: argparse.Namespace, options: list[FieldOption]) -> dict[str, Any]:
    """The raw text of each field option the user actually gave."""
    return {
        opt.name: getattr(args, f"field_{opt.name}")
        for opt in options
        if getattr(args, f"field_{opt.name}", None) is not None
    }


def convert(
    case: Case, options: list[FieldOption], raw: dict[str, Any], dayfirst: bool | None
) -> dict[str, Any]:
    """Turn the given option texts into field values, resolving IDs and vocabulary."""
    by_name = {opt.name: opt for opt in options}
    values: dict[str, Any] = {}
    for name, text in raw.items():
        opt = by_name[name]
        try:
            if opt.repeated:
                items = [t for t in text if t.strip()]
                values[name] = tuple(
                    _one(case, opt, _item_hint(opt.hint), t, dayfirst) for t in items
                )
            else:
                values[name] = _one(case, opt, opt.hint, text, dayfirst)
        except (InvalidInput, ValueError) as exc:
            raise InvalidInput(f"{opt.flag}: {exc}") from None
    return values


def _one(case: Case, opt: FieldOption, hint: Any, text: str, dayfirst: bool | None) -> Any:
    base, optional = _unwrap(hint)
    if optional and means_unknown(text):
        return None
    if opt.metadata.get("vocab") is not None:
        vocabulary: Vocabulary = opt.metadata["vocab"]
        return case.vocabulary.resolve(vocabulary, text)
    if base is str:
        return text
    if base is UUID:
        return case.records.resolve(text)
    if base is PartialDate:
        return read_date(text, dayfirst=dayfirst)
    if opt.name in TIME_FIELDS:
        return read_time(text)
    if base is int or base is float:
        return read_number(text, base)
    if base is Figure:
        return read_figure(text)
    if isinstance(base, type) and issubclass(base, LabelledEnum):
        return base.parse(text)
    raise TypeError(f"no option parser for {hint!r}")


def _unwrap(hint: Any) -> tuple[Any, bool]:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return args[0], True
    return hint, False


def _item_hint(hint: Any) -> Any:
    return typing.get_args(hint)[0]


def _metavar(opt: FieldOption) -> str:
    base, _ = _unwrap(_item_hint(opt.hint) if opt.repeated else opt.hint)
    if opt.metadata.get("vocab") is not None:
        return "TYPE"
    if base is UUID:
        return "ID"
    if base is PartialDate:
        return "DATE"
    if opt.name in TIME_FIELDS:
        return "TIME"
    if base in (int, float):
        return "N"
    if base is Figure:
        return "COUNT"
    if isinstance(base, type) and issubclass(base, StrEnum):
        return "{" + ",".join(m.value for m in base) + "}"
    return "TEXT"


def _help(opt: FieldOption) -> str:
    words = opt.metadata.get("about") or opt.name.replace("_", " ")
    base, optional = _unwrap(_item_hint(opt.hint) if opt.repeated else opt.hint)
    extra = " (repeat for more)" if opt.repeated else ""
    if opt.name in TIME_FIELDS:
        extra += f" into the recording, {TIME_EXAMPLES}"
    elif base is int and optional:
        extra += "; 'unknown' when not known (unknown is not zero)"
    if base is Figure:
        extra += f" as the source gave it, {EXAMPLES}; 'unknown' when not known (not zero)"
    if base is PartialDate:
        extra += "; e.g. '22 March 2017', 'March 2016', 'c. 2014'"
    if opt.metadata.get("ref"):
        extra += "; " + " or ".join(k.value for k in opt.metadata["ref"]) + " ID"
    return words + extra
