"""Counts as sources give them: "3", "at least 30", "30–35", "dozens".

Early reports rarely give an exact number, and a case that only takes one makes the
analyst invent it. A figure keeps what was said: an exact number, a lower bound, a range,
or the source's own word kept verbatim beside the range the analyst reads into it
("dozens (at least 24)"). Sorting and filtering use the lower bound, which every figure
has; what is shown is what was said.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from casefile.domain.errors import InvalidInput
from casefile.domain.input_text import IF_UNKNOWN, means_unknown

# Ten digits: more than anyone has counted, and the width the stored form pads to.
FIGURE_LIMIT = 9_999_999_999
_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)"  # "1,234" or "1234"
_EXACT = re.compile(rf"{_NUMBER}")
_AT_LEAST = re.compile(rf"(?:at least\s*|>=\s*|≥\s*){_NUMBER}|{_NUMBER}\s*(?:\+|or more)")
_RANGE = re.compile(rf"{_NUMBER}\s*(?:-|–|—|to)\s*{_NUMBER}")
_WORDED = re.compile(r"(.*?[^\W\d_].*?)\s*\((.+)\)")
NEGATIVE = "a count cannot be negative (leave it empty when unknown)"
EXAMPLES = "e.g. 3, at least 30, 30–35, dozens (at least 24)"


@dataclass(frozen=True)
class Figure:
    """A reported count. ``high`` is None when there is no upper bound ("at least 30");
    ``words`` is the source's word when it gave one ("dozens"), with ``low``–``high``
    the range the analyst reads into it."""

    low: int
    high: int | None
    words: str = ""

    def __post_init__(self) -> None:
        if self.low < 0:
            raise InvalidInput(NEGATIVE)
        if max(self.low, self.high or 0) > FIGURE_LIMIT:
            raise InvalidInput("the count is too large")
        if self.high is not None and self.high < self.low:
            raise InvalidInput(f"the range {self.low:,}–{self.high:,} ends below its start")
        if self.words != " ".join(self.words.split()):
            object.__setattr__(self, "words", " ".join(self.words.split()))

    @classmethod
    def exactly(cls, n: int) -> Figure:
        return cls(n, n)

    @property
    def exact(self) -> int | None:
        """The number, when the source gave exactly one and no word for it."""
        return self.low if self.high == self.low and not self.words else None

    def numbers(self) -> str:
        """The numbers alone: '3', 'at least 30', '30–35'."""
        if self.high is None:
            return f"at least {self.low:,}"
        if self.high == self.low:
            return f"{self.low:,}"
        return f"{self.low:,}–{self.high:,}"

    def __str__(self) -> str:
        """What was said, with the analyst's reading of a word: read back by ``read_figure``."""
        return f"{self.words} ({self.numbers()})" if self.words else self.numbers()

    def said(self) -> str:
        """What the source said, and nothing more: 'dozens', 'at least 30'."""
        return self.words or self.numbers()

    def disagrees(self, other: Figure) -> bool:
        """Two reports disagree when no single number fits both: '3' and '2–4' agree,
        '3' and 'at least 5' do not."""
        top = min(_top(self), _top(other))
        return max(self.low, other.low) > top


@dataclass(frozen=True)
class Tally:
    """Figures summed as a pack counts them: each by its lower bound ("dozens" as at
    least 24), an unknown one left out and counted apart, never taken as none."""

    total: int
    exact: bool  # every figure summed was a plain number: the total is not "at least"
    known: int
    unknown: int

    @classmethod
    def of(cls, figures: Iterable[Figure | None]) -> Tally:
        given = list(figures)
        known = [f for f in given if f is not None]
        return cls(
            total=sum(f.low for f in known),
            exact=all(f.exact is not None for f in known),
            known=len(known),
            unknown=len(given) - len(known),
        )


def _top(figure: Figure) -> int:
    return FIGURE_LIMIT if figure.high is None else figure.high


def read_figure(text: str) -> Figure | None:
    """A figure as people type it; None when not known. One clear line when it is not one."""
    said = " ".join(text.split())
    if means_unknown(said):
        return None
    worded = _WORDED.fullmatch(said)
    if worded:
        reading = _numbers(worded[2].strip())
        if reading is None or reading.words:
            raise InvalidInput(f"in '{said}', say in brackets the number or range it implies")
        return Figure(reading.low, reading.high, worded[1])
    reading = _numbers(said)
    if reading is not None:
        return reading
    if re.fullmatch(rf"-\s*{_NUMBER}", said):
        raise InvalidInput(NEGATIVE)
    if re.fullmatch(r"[^\W\d_][\w\s'’-]*", said):
        raise InvalidInput(
            f"say what '{said}' implies too, in brackets: e.g. '{said} (at least 24)'"
        )
    raise InvalidInput(f"'{said}' is not a count ({EXAMPLES}; {IF_UNKNOWN})")


def _numbers(text: str) -> Figure | None:
    lowered = text.lower()
    if found := _EXACT.fullmatch(lowered):
        return Figure.exactly(_int(found[1]))
    if found := _AT_LEAST.fullmatch(lowered):
        return Figure(_int(found[1] or found[2]), None)
    if found := _RANGE.fullmatch(lowered):
        return Figure(_int(found[1]), _int(found[2]))
    return None


def _int(digits: str) -> int:
    return int(digits.replace(",", ""))
