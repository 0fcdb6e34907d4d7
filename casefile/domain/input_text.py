"""What text typed for a value means: read one way by the CLI's options and the window's
inputs alike, so `--killed n/a` and "n/a" typed in the Killed field both store unknown.

Unknown is not zero and not a guess: the words below mean "not known", and a field left
empty does too."""

from __future__ import annotations

import math
import re

from casefile.domain.dates import PartialDate
from casefile.domain.errors import InvalidInput

UNKNOWN = "unknown"
UNKNOWN_WORDS = frozenset({"", UNKNOWN, "?", "none", "n/a"})
IF_UNKNOWN = f"'{UNKNOWN}' when it is not known"
TIME_EXAMPLES = "e.g. 1:02, 0:01:02, 62s, 1h2m3s"
# A time as players show it, "1:02" (m:ss) or "0:01:02" (h:mm:ss), and as people say it,
# "62s", "1m 2s", "1h2m3s". Twelve digits at most: more than any recording lasts, and an
# int() of thousands of digits is refused by Python itself.
_CLOCK = re.compile(r"(\d{1,12}):(\d{2})(?::(\d{2}))?")
_UNITS = re.compile(
    r"(?:(\d{1,12})\s*h)?\s*(?:(\d{1,12})\s*m(?:in)?)?\s*(?:(\d{1,12})\s*s(?:ec)?)?", re.I
)
_FRACTION = re.compile(r"\d[.,]\d")


def means_unknown(text: str) -> bool:
    return text.strip().casefold() in UNKNOWN_WORDS


def read_number(text: str, number: type[int] | type[float]) -> int | float | None:
    """A whole number (``int``) or any number (``float``); None when not known."""
    if means_unknown(text):
        return None
    noun = "a whole number" if number is int else "a number"
    try:
        value = number(text.strip())
    except ValueError:
        raise InvalidInput(f"'{text.strip()}' is not {noun} ({IF_UNKNOWN})") from None
    if not math.isfinite(value):
        raise InvalidInput(f"'{text.strip()}' is not {noun}")
    return value


def read_date(text: str, *, dayfirst: bool | None) -> PartialDate | None:
    """A (partial) date as people write it; None when not known."""
    return None if means_unknown(text) else PartialDate.parse(text, dayfirst=dayfirst)


def read_time(text: str) -> int | None:
    """How far into a recording, in whole seconds (``QuoteFields.at``); None when not
    known. A bare number is refused, not read as seconds: "62" might as well be minutes."""
    if means_unknown(text):
        return None
    said = text.strip()
    if said.startswith("-"):
        raise InvalidInput(f"'{said}': a time into a recording cannot be negative")
    if _FRACTION.search(said):  # 00:01:02,500 copied from a subtitle file
        raise InvalidInput(f"'{said}': a time is in whole seconds ({TIME_EXAMPLES})")
    clock = _CLOCK.fullmatch(said)
    if clock:
        return _clock_time(said, clock)
    units = _UNITS.fullmatch(said)
    if units and any(units.groups()):
        hours, minutes, seconds = (int(n or 0) for n in units.groups())
        return (hours * 60 + minutes) * 60 + seconds
    raise InvalidInput(f"'{said}' is not a time into a recording ({TIME_EXAMPLES})")


def _clock_time(said: str, clock: re.Match[str]) -> int:
    """m:ss, or h:mm:ss, whose minutes and seconds go up to 59 (a minute count alone, as
    in "75:00", is as long as it says)."""
    first, second, third = clock.groups()
    hours, minutes, seconds = (
        (0, int(first), int(second)) if third is None else (int(first), int(second), int(third))
    )
    if third is not None and minutes >= 60:
        raise InvalidInput(f"'{said}': the minutes of h:mm:ss go up to 59")
    if seconds >= 60:
        raise InvalidInput(f"'{said}': the seconds go up to 59")
    return (hours * 60 + minutes) * 60 + seconds


def clean_text(text: str) -> str:
    """Text SQLite can store: a lone surrogate (a file name in a foreign encoding, an 8-bit
    mail header) becomes U+FFFD instead of failing the file at the last step."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
