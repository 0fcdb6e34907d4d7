"""What text typed for a value means: read one way by the CLI's options and the window's
inputs alike, so `--killed n/a` and "n/a" typed in the Killed field both store unknown.

Unknown is not zero and not a guess: the words below mean "not known", and a field left
empty does too."""

from __future__ import annotations

import math

from casefile.domain.dates import PartialDate
from casefile.domain.errors import InvalidInput

UNKNOWN = "unknown"
UNKNOWN_WORDS = frozenset({"", UNKNOWN, "?", "none", "n/a"})
IF_UNKNOWN = f"'{UNKNOWN}' when it is not known"


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


def clean_text(text: str) -> str:
    """Text SQLite can store: a lone surrogate (a file name in a foreign encoding, an 8-bit
    mail header) becomes U+FFFD instead of failing the file at the last step."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
