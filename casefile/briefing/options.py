"""What a briefing pack holds and how it is marked: chosen by the user, checked here."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from casefile.domain.dates import DateRange, PartialDate
from casefile.domain.errors import InvalidInput
from casefile.domain.handling import Handling
from casefile.domain.terms import LabelledEnum


class Section(LabelledEnum):
    JUDGEMENTS = "judgements", "Key judgements"
    SUMMARY = "summary", "Summary"
    GAPS = "gaps", "Intelligence gaps"
    TIMELINE = "timeline", "Timeline"
    ATTACKS = "attacks", "Attack profiles"
    PEOPLE = "people", "People"
    GROUPS = "groups", "Groups"
    QUOTES = "quotes", "Key quotes"
    CHARTS = "charts", "Charts"
    SOURCES = "sources", "Sources"
    ANNEX = "annex", "Annex: every quote"


# Traffic Light Protocol 2.0: the label's text colour on black, as FIRST publishes them.
TLP_COLOURS = {
    "TLP:CLEAR": "#FFFFFF",
    "TLP:GREEN": "#33FF00",
    "TLP:AMBER": "#FFC000",
    "TLP:AMBER+STRICT": "#FFC000",
    "TLP:RED": "#FF2B2B",
}


def tlp_colour(marking: str) -> str | None:
    """The TLP colour of ``marking``, or None for a free-text marking such as OFFICIAL."""
    return TLP_COLOURS.get(marking.strip().upper().replace(" ", ""))


MARKING_MAX = 60  # characters: it must fit across the top of every page


def normal_marking(marking: str) -> str:
    text = " ".join(marking.split())
    if not text:
        raise InvalidInput("give a handling marking, such as OFFICIAL or TLP:CLEAR")
    if len(text) > MARKING_MAX:
        raise InvalidInput(f"the handling marking is longer than {MARKING_MAX} characters")
    squeezed = text.upper().replace(" ", "")
    if squeezed.startswith("TLP") and squeezed not in TLP_COLOURS:
        raise InvalidInput(f"{text!r} is not a TLP 2.0 label; use one of {', '.join(TLP_COLOURS)}")
    return squeezed if squeezed in TLP_COLOURS else text


@dataclass(frozen=True)
class Scope:
    """Which attacks the pack covers; its title, summary, people, groups, quotes and
    sources follow from them (``content``: a scoped pack says nothing outside its scope).

    The whole case when nothing is set. A date range keeps the attacks within it as every
    list and search does (``dates.DateRange``); an attack with no date is then left out,
    as it cannot be placed."""

    attacks: tuple[UUID, ...] = ()
    tag: str | None = None
    start: PartialDate | None = None
    end: PartialDate | None = None

    @property
    def whole_case(self) -> bool:
        return not self.attacks and self.tag is None and self.start is None and self.end is None

    @property
    def dates(self) -> DateRange:
        return DateRange(self.start, self.end)

    def __post_init__(self) -> None:
        object.__setattr__(self, "attacks", tuple(dict.fromkeys(self.attacks)))
        DateRange(self.start, self.end)  # a range ending before it starts: refused now


@dataclass(frozen=True)
class PackOptions:
    title: str = ""  # empty: the case's title
    subtitle: str = "Briefing pack"
    marking: str = "OFFICIAL-SENSITIVE"
    author: str = ""
    show_author: bool = True
    version: str = ""  # empty: the next number of the case's sequence (``versions``)
    sections: frozenset[Section] = field(default_factory=lambda: frozenset(Section))
    scope: Scope = Scope()
    # None: the block the case keeps, that its last pack carried (``BriefingService``).
    handling: Handling | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "marking", normal_marking(self.marking))
        if not self.sections:
            raise InvalidInput("choose at least one section")
