"""Partial dates: investigators rarely know the exact day, and must not be made to invent one.

A date is stored as a Library of Congress EDTF string ("2016-03", "2014~") because those
strings sort chronologically as plain text, so the database can filter and order them
without knowing anything about dates.
"""

import re
from calendar import monthrange
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache, total_ordering
from typing import Any

from casefile.domain.errors import InvalidInput


class Precision(StrEnum):
    YEAR = "year"
    MONTH = "month"
    DAY = "day"


class DateError(InvalidInput):
    """Text that cannot be taken as a date; ``str(e)`` is one line telling the user why."""


# Parsing with both defaults shows which fields came from the text: those are the ones that
# agree. Both years are leap years and both months have 31 days, so "29 February" and "31"
# still parse and get reported as missing the year rather than as impossible.
_DEFAULTS = (datetime(2000, 1, 1), datetime(2004, 12, 2))
# The names dateutil reads (its own tables: a test holds them equal), so what is printed is
# exactly what can be read back, whatever the locale. Written out, so that showing a date
# does not import dateutil: a command that only prints pays nothing for parsing.
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY_NUMBERS = {
    spelt.lower(): number
    for number, name in enumerate(_WEEKDAY_NAMES)
    for spelt in (name[:3], name)
}


@cache
def _parser() -> Any:
    """dateutil's parser, made at the first date read, refusing two-digit years: dateutil
    silently picks a century for "17"; the record would then state a guess as fact."""
    from dateutil.parser import parser, parserinfo

    class FullYears(parserinfo):
        def convertyear(self, year: int, century_specified: bool = False) -> int:
            if year < 100 and not century_specified:
                raise DateError(
                    f"write the year in full: '{year:02d}' could be 20{year:02d} or 19{year:02d}"
                )
            return year

    return parser(FullYears())


_LETTERS = re.compile(r"[^\W\d_]+")
_CIRCA = re.compile(r"(?:circa|about|ca?\.|~)\s*", re.IGNORECASE)
_EDTF = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?(~?)")
# A sign before a number: dateutil takes it for a separator ("-500" is read as the year
# 500), and the EDTF form of a year before the common era is "-0500". After a number it is
# a dash ("2016 - 2017") or a zone's offset after a time of day ("10:00:00 -0500", as
# e-mail dates are written), and dateutil can judge it.
_SIGN = re.compile(
    r"(?P<number>\d(?:\s*[ap]\.?m\.?)?\s*)?(?<![\w.:])(?P<sign>[-+\u2212])\s*\d", re.IGNORECASE
)
_BEFORE_COMMON_ERA = re.compile(r"\bB\.?\s?C\.?(?:E\b\.?)?(?!\w)", re.IGNORECASE)
# dateutil reads a year-first numeric date as year-day-month when dayfirst is set, which
# nobody writes; year-first text is always read year-month-day.
_YEAR_FIRST = re.compile(r"\W*[0-9]{3}")


@total_ordering
@dataclass(frozen=True, order=False)
class PartialDate:
    """A date known to the year, the month or the day, possibly only approximately."""

    year: int
    month: int | None = None
    day: int | None = None
    circa: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise DateError(f"the year must be between 1 and 9999, not {self.year}")
        if self.day is not None and self.month is None:
            raise DateError("a day of the month needs a month")
        try:
            date(
                self.year,
                1 if self.month is None else self.month,
                1 if self.day is None else self.day,
            )
        except ValueError as e:
            raise DateError(f"{self._iso()} is not a real date ({e})") from None

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        return Precision.YEAR if self.month is None else Precision.MONTH

    @classmethod
    def parse(cls, text: str, *, dayfirst: bool | None = True) -> "PartialDate":
        """Read what a person typed, refusing anything that would need a guess.

        ``dayfirst=None`` refuses 03/04/2017 instead of picking a reading. A time of day is
        dropped: it says nothing about which day was meant.
        """
        shown = text.strip()
        if not shown:
            raise DateError("no date given")
        prefix = _CIRCA.match(shown)
        core = shown[prefix.end() :] if prefix else shown
        _refuse_signs(shown, core)
        # Our own storage form is read exactly: dateutil takes "0050" for a two-digit year.
        result = (
            cls.from_edtf(core) if _EDTF.fullmatch(core) else _parse_words(shown, core, dayfirst)
        )
        return replace(result, circa=True) if prefix else result

    def _iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def _plain(self) -> str:
        if self.year < 100:  # in words such a year reads as a day, or as a two-digit year
            return self._iso()
        month = None if self.month is None else _MONTH_NAMES[self.month - 1]
        return " ".join(str(part) for part in (self.day, month, self.year) if part is not None)

    def display(self) -> str:
        return f"c. {self._plain()}" if self.circa else self._plain()

    def __str__(self) -> str:
        return self.display()

    def to_edtf(self) -> str:
        return self._iso() + "~" * self.circa

    @classmethod
    def from_edtf(cls, text: str) -> "PartialDate":
        found = _EDTF.fullmatch(text)
        if not found:
            raise DateError(f"{text!r} is not an EDTF date such as 2016, 2016-03 or 2016-03-22~")
        year, month, day, tilde = found.groups()
        return cls(
            int(year),
            int(month) if month else None,
            int(day) if day else None,
            circa=bool(tilde),
        )

    def first_day(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> date:
        if self.day is not None:
            return self.first_day()
        month = self.month or 12
        return date(self.year, month, monthrange(self.year, month)[1])

    def sort_key(self) -> tuple[date, bool, bool, bool]:
        """Chronological by start; on the same start the coarser date comes first, as in EDTF."""
        return (self.first_day(), self.month is not None, self.day is not None, self.circa)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    def contains(self, other: "PartialDate") -> bool:
        return self.first_day() <= other.first_day() and other.last_day() <= self.last_day()

    def overlaps(self, first: date, last: date) -> bool:
        return self.first_day() <= last and first <= self.last_day()

    def to_json(self) -> dict[str, object]:
        return {
            "text": self.display(),
            "iso": self.to_edtf(),
            "precision": self.precision.value,
            "circa": self.circa,
        }


def _refuse_signs(shown: str, core: str) -> None:
    """Casefile's dates are of the common era: a year before it, or a signed one, is refused
    rather than read without its sign."""
    if _BEFORE_COMMON_ERA.search(core):
        raise DateError(f"{shown!r}: years before the common era are not supported")
    for found in _SIGN.finditer(core):
        if found["number"]:
            continue
        if found["sign"] == "+":
            raise DateError(f"{shown!r}: write the year without a sign")
        raise DateError(f"{shown!r}: years before the common era are not supported")


def _parse_words(shown: str, core: str, dayfirst: bool | None) -> PartialDate:
    weekdays: set[int] = set()

    def drop_weekday(word: re.Match[str]) -> str:
        # dateutil ignores a weekday beside a full date, and moves an incomplete date to it.
        number = _WEEKDAY_NUMBERS.get(word[0].lower())
        if number is None:
            return word[0]
        weekdays.add(number)
        return ""

    core = _LETTERS.sub(drop_weekday, core)
    if weekdays and not any(c.isalnum() for c in core):
        raise DateError(f"{shown!r} is not a full date: the year is missing")
    if _YEAR_FIRST.match(core):
        dayfirst = False
    orders = (True, False) if dayfirst is None else (dayfirst,)
    readings = [_read(shown, core, order) for order in orders]
    result, other = readings[0], readings[-1]
    if result != other:
        raise DateError(
            f"{shown!r} is ambiguous (day/month order): write the month as a word "
            f"('{result}' or '{other}') or the year first ({result.to_edtf()})"
        )
    if weekdays:
        if result.day is None:
            raise DateError(f"{shown!r} names a weekday but not the day of the month")
        actual = result.first_day().weekday()
        if weekdays - {actual}:
            claimed = _WEEKDAY_NAMES[min(weekdays - {actual})]
            raise DateError(f"{result} was a {_WEEKDAY_NAMES[actual]}, not a {claimed}")
    return result


def _read(shown: str, core: str, dayfirst: bool) -> PartialDate:
    try:
        a, b = (_parser().parse(core, d, ignoretz=True, dayfirst=dayfirst) for d in _DEFAULTS)
    except DateError:
        raise
    except (ValueError, ArithmeticError):  # dateutil also lets Overflow and decimal errors out
        raise DateError(f"{shown!r} is not a date") from None
    if a.year != b.year:
        raise DateError(f"{shown!r} is not a full date: the year is missing")
    return PartialDate(
        a.year, a.month if a.month == b.month else None, a.day if a.day == b.day else None
    )


def _coarsest_edtf_starting(day: date) -> str:
    """The EDTF string sorting first among the dates that start on ``day``."""
    return re.sub(r"(-01)+$", "", day.isoformat())


@dataclass(frozen=True)
class DateRange:
    """``since..until``, either end open: what a filter by dates keeps, everywhere (the
    tables, search, the briefing pack's scope, the CLI).

    A record is within the range when the time its dates cover meets it: from its date's
    first day to its end date's (or its date's own) last day. So "2016" is within March
    2016 (it may have been then), and an attack from 20 December 2015 to 5 January 2016 is
    within 2016. A circa date counts as its date. A record without a date is in no range;
    a range with neither end keeps every dated record."""

    since: PartialDate | None = None
    until: PartialDate | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.until.last_day() < self.since.first_day():
            raise InvalidInput(f"the range ends ({self.until}) before it starts ({self.since})")

    def __bool__(self) -> bool:
        return self.since is not None or self.until is not None

    def said(self) -> str:
        """The range as a pack's title or scope line says it: "in 2016", "from March 2016
        to 2017", "from 2016", "up to 2017"."""
        if self.since and self.until:
            if self.since == self.until:
                return f"in {self.since.display()}"
            return f"from {self.since.display()} to {self.until.display()}"
        if self.since:
            return f"from {self.since.display()}"
        return f"up to {self.until.display()}" if self.until else "at any date"

    def meets(self, start: PartialDate | None, end: PartialDate | None = None) -> bool:
        """Whether dates from ``start`` to ``end`` meet the range (the rule, in Python)."""
        if start is None:
            return False
        first = self.since.first_day() if self.since else date.min
        last = self.until.last_day() if self.until else date.max
        return start.first_day() <= last and first <= (end or start).last_day()

    @property
    def low(self) -> str | None:
        """Stored EDTF text (which sorts as it reads: "2016" < "2016-03" < "2016-03-22",
        a circa mark after the finer dates inside it: "2016~" > "2016-12-31") ``>= low``
        starts on or after since's first day."""
        return None if self.since is None else _coarsest_edtf_starting(self.since.first_day())

    @property
    def high(self) -> str | None:
        """Stored EDTF text ``< high`` starts before until's last day is over (a circa
        value aside: see ``circa_before_high``)."""
        if self.until is None or self.until.last_day() == date.max:
            return None
        return _coarsest_edtf_starting(self.until.last_day() + timedelta(days=1))

    def holding_low(self) -> list[str]:
        """The coarser dates that start before since yet hold its first day, and so end
        within the range: "2016" and "2016-03" for since 15 March 2016. (Their circa forms
        sort after ``low`` already.)"""
        low = self.low
        return [low[:n] for n in (4, 7) if low and n < len(low)]

    def circa_before_high(self) -> list[str]:
        """The circa dates that start before until's last day is over yet sort after
        ``high``: "2016~" for an until of March 2016 ("2016~" > "2016-04")."""
        high = self.high
        return [high[:n] + "~" for n in (4, 7) if high and n < len(high)]
