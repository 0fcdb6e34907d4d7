"""Column types that store the core's value objects in portable SQL types."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from casefile.domain.dates import PartialDate
from casefile.domain.figures import FIGURE_LIMIT, Figure

_WIDTH = len(str(FIGURE_LIMIT))
_STORED_FIGURE = re.compile(rf"(\d{{{_WIDTH}}})(?:(\+)|-(\d{{{_WIDTH}}}))?(?: (.+))?", re.DOTALL)


class PartialDateType(TypeDecorator[PartialDate]):
    """A partial date as its EDTF string: it keeps the precision and sorts by text."""

    impl = String(16)
    cache_ok = True

    def process_bind_param(self, value: PartialDate | None, dialect: Dialect) -> str | None:
        return None if value is None else value.to_edtf()

    def process_result_value(self, value: str | None, dialect: Dialect) -> PartialDate | None:
        return None if value is None else PartialDate.from_edtf(value)


class FigureType(TypeDecorator[Figure]):
    """A figure as text that sorts by its lower bound: the bounds zero-padded, then the
    source's word ("0000000024+ dozens"). The index on the column orders attacks by how
    many were killed, whatever the sources said, and comparing with a figure compares
    lower bounds first."""

    impl = Text()
    cache_ok = True

    def process_bind_param(self, value: Figure | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.high is None:
            upper = "+"
        elif value.high == value.low:
            upper = ""
        else:
            upper = f"-{value.high:0{_WIDTH}d}"
        return f"{value.low:0{_WIDTH}d}{upper}" + (f" {value.words}" if value.words else "")

    def process_result_value(self, value: str | None, dialect: Dialect) -> Figure | None:
        if value is None:
            return None
        found = _STORED_FIGURE.fullmatch(value)
        if found is None:
            raise ValueError(f"not a stored figure: {value!r}")
        low = int(found[1])
        high = None if found[2] else int(found[3]) if found[3] else low
        return Figure(low, high, found[4] or "")


class TextList(TypeDecorator[tuple[str, ...]]):
    """An ordered list of short texts (aliases, authors, vocabulary codes) as JSON."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: tuple[str, ...] | None, dialect: Dialect) -> Any:
        return list(value or ())

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[str, ...]:
        return tuple(value or ())


class EnumList(TypeDecorator[tuple[StrEnum, ...]]):
    """An ordered list of enum members (e.g. a person's roles) as JSON of their values."""

    impl = JSON
    cache_ok = True

    def __init__(self, enum: type[StrEnum]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: tuple[StrEnum, ...] | None, dialect: Dialect) -> Any:
        return [member.value for member in value or ()]

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[StrEnum, ...]:
        return tuple(self.enum(v) for v in value or ())


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC timestamp; SQLite's DATETIME would silently drop the zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: Casefile stores UTC timestamps only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)
