"""The record kinds of a case as plain, immutable values.

The services take these in and hand them out; the CLI and the GUI never see ORM objects.
Each field's metadata says what the services must check that a dataclass cannot: which
kinds a reference may point at, which case vocabulary a code belongs to, and which fields
are fixed once stored.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from casefile.domain.corroboration import Corroboration
from casefile.domain.dates import PartialDate
from casefile.domain.display import a_or_an, any_of
from casefile.domain.errors import InvalidInput
from casefile.domain.figures import Figure
from casefile.domain.formats import UNKNOWN_MEDIA_TYPE
from casefile.domain.terms import (
    RELATION_ENDS,
    AnalyticConfidence,
    AttackStatus,
    Claimed,
    ClaimMode,
    Confidence,
    Credibility,
    GroupKind,
    Kind,
    PersonRole,
    PersonStatus,
    Probability,
    Relation,
    Reliability,
    SourceKind,
    Vocabulary,
)


def ref(*kinds: Kind, cli: str | None = None) -> Any:
    """A reference to another record, which must exist and be of one of ``kinds``."""
    return field(default=None, metadata={"ref": kinds, "cli": cli})


def required_ref(*kinds: Kind, cli: str | None = None) -> Any:
    return field(metadata={"ref": kinds, "cli": cli})


def terms(vocabulary: Vocabulary, cli: str) -> Any:
    return field(default=(), metadata={"vocab": vocabulary, "cli": cli})


def listed(cli: str) -> Any:
    """A repeatable value; ``cli`` is the singular option name (``--alias``)."""
    return field(default=(), metadata={"cli": cli})


def fixed() -> Any:
    """Set when the record is made and never changed afterwards (provenance)."""
    return field(metadata={"fixed": True})


def _require_text(name: str, value: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput(f"{name} is required")
    return text


INT_LIMIT = 2**63 - 1  # what SQLite (and any SQL database) stores in an INTEGER


def _require_storable(name: str, value: int | None) -> None:
    if value is not None and abs(value) > INT_LIMIT:
        raise InvalidInput(f"{name} is too large")


def _clean_list(values: tuple[str, ...]) -> tuple[str, ...]:
    """Strip, drop empties and repeats, keep the order the user gave."""
    return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


@dataclass(frozen=True, kw_only=True)
class AttackFields:
    title: str
    date: PartialDate | None = None
    end_date: PartialDate | None = None
    location: str = ""
    city: str = ""
    country: str = ""
    latitude: float | None = None
    longitude: float | None = None
    attack_types: tuple[str, ...] = terms(Vocabulary.ATTACK_TYPE, "attack-type")
    weapon_types: tuple[str, ...] = terms(Vocabulary.WEAPON_TYPE, "weapon-type")
    target_types: tuple[str, ...] = terms(Vocabulary.TARGET_TYPE, "target-type")
    killed: Figure | None = None
    wounded: Figure | None = None
    perpetrators_killed: Figure | None = None
    claimed: Claimed = Claimed.UNKNOWN
    claimed_by: UUID | None = ref(Kind.GROUP)
    claim_date: PartialDate | None = None
    claim_method: str = ""
    status: AttackStatus = AttackStatus.CONFIRMED
    summary: str = ""

    def __post_init__(self) -> None:
        _set(self, "title", _require_text("title", self.title))
        if self.latitude is not None and not (
            math.isfinite(self.latitude) and -90 <= self.latitude <= 90
        ):
            raise InvalidInput("latitude must be between -90 and 90")
        if self.longitude is not None and not (
            math.isfinite(self.longitude) and -180 <= self.longitude <= 180
        ):
            raise InvalidInput("longitude must be between -180 and 180")
        if (self.latitude is None) != (self.longitude is None):
            raise InvalidInput("give both latitude and longitude, or neither")
        if self.date and self.end_date and self.end_date.last_day() < self.date.first_day():
            raise InvalidInput(f"end date {self.end_date} is before the start date {self.date}")
        if self.end_date and not self.date:
            raise InvalidInput("an end date needs a start date")
        has_details = self.claimed_by is not None or self.claim_date or self.claim_method.strip()
        if has_details and self.claimed is Claimed.UNKNOWN:
            # Naming who claimed it is saying that it was claimed.
            _set(self, "claimed", Claimed.YES)
        for name in ("attack_types", "weapon_types", "target_types"):
            _set(self, name, _clean_list(getattr(self, name)))


@dataclass(frozen=True, kw_only=True)
class PersonFields:
    name: str
    aliases: tuple[str, ...] = listed("alias")
    roles: tuple[PersonRole, ...] = listed("role")
    nationality: str = ""
    birth_date: PartialDate | None = None
    status: PersonStatus = PersonStatus.UNKNOWN

    def __post_init__(self) -> None:
        _set(self, "name", _require_text("name", self.name))
        _set(self, "aliases", _clean_list(self.aliases))
        _set(self, "roles", tuple(dict.fromkeys(self.roles)))


@dataclass(frozen=True, kw_only=True)
class GroupFields:
    name: str
    aliases: tuple[str, ...] = listed("alias")
    group_kind: GroupKind = field(default=GroupKind.OTHER, metadata={"cli": "kind"})
    country: str = ""

    def __post_init__(self) -> None:
        _set(self, "name", _require_text("name", self.name))
        _set(self, "aliases", _clean_list(self.aliases))


@dataclass(frozen=True, kw_only=True)
class SourceFields:
    title: str
    source_kind: SourceKind = field(default=SourceKind.ARTICLE, metadata={"cli": "kind"})
    authors: tuple[str, ...] = listed("author")
    publisher: str = ""
    published: PartialDate | None = None
    url: str = ""
    accessed: PartialDate | None = None
    language: str = ""
    reliability: Reliability | None = None
    # The source this one repeats (a wire story re-published, a report quoting another):
    # it corroborates nothing its origin does not already say.
    derived_from: UUID | None = ref(Kind.SOURCE)

    def __post_init__(self) -> None:
        _set(self, "title", _require_text("title", self.title))
        _set(self, "authors", _clean_list(self.authors))
        _set(self, "url", self.url.strip())


@dataclass(frozen=True, kw_only=True)
class DocumentFields:
    """A stored original. Its bytes live once in the case, named by their SHA-256."""

    source: UUID | None = ref(Kind.SOURCE)
    file_name: str
    media_type: str = UNKNOWN_MEDIA_TYPE
    sha256: str = fixed()
    size: int = fixed()

    def __post_init__(self) -> None:
        _set(self, "file_name", _require_text("file name", self.file_name))


@dataclass(frozen=True, kw_only=True)
class QuoteFields:
    text: str
    source: UUID = required_ref(Kind.SOURCE)
    # Which of the source's documents the page and characters are in (an e-mail and its
    # attachments are one source): the viewer opens the quote there.
    document: UUID | None = ref(Kind.DOCUMENT)
    speaker: UUID | None = ref(Kind.PERSON, Kind.GROUP)
    page: int | None = None
    paragraph: int | None = None
    # When in a recording (a video, its subtitles) it is said, in whole seconds from its
    # start. Seconds, not milliseconds: a second is what a reader cites and finds again
    # in a player, a subtitle's line gives its cue's time in seconds, and every time is
    # shown and typed in seconds ("0:01:02"), so a finer value would hold a precision
    # nobody sees, which the next edit of the quote would silently change.
    at: int | None = None
    char_start: int | None = None
    char_end: int | None = None
    said: PartialDate | None = None
    credibility: Credibility | None = None
    language: str = ""
    translation: str = ""
    context: str = ""

    def __post_init__(self) -> None:
        _set(self, "text", _require_text("quote text", self.text))
        for name in ("page", "paragraph", "at", "char_start", "char_end"):
            _require_storable(name.replace("_", " "), getattr(self, name))
        for name in ("page", "paragraph"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise InvalidInput(f"{name} numbers start at 1")
        if self.at is not None and self.at < 0:
            raise InvalidInput("a time into a recording cannot be negative")
        if (self.char_start is None) != (self.char_end is None):
            raise InvalidInput("give both ends of the character range, or neither")
        if (
            self.char_start is not None
            and self.char_end is not None
            and not 0 <= self.char_start < self.char_end
        ):
            raise InvalidInput("the character range must be start < end, from 0")


@dataclass(frozen=True, kw_only=True)
class LinkFields:
    subject: UUID = required_ref(*Kind)
    relation: Relation
    object: UUID = required_ref(*Kind)
    start: PartialDate | None = None
    end: PartialDate | None = None
    confidence: Confidence | None = None
    citations: tuple[UUID, ...] = field(
        default=(), metadata={"ref": (Kind.SOURCE, Kind.QUOTE), "cli": "source"}
    )

    def __post_init__(self) -> None:
        if self.subject == self.object:
            raise InvalidInput("a record cannot be linked to itself")
        if self.start and self.end and self.end.last_day() < self.start.first_day():
            raise InvalidInput(f"link end {self.end} is before its start {self.start}")
        _set(self, "citations", tuple(dict.fromkeys(self.citations)))


@dataclass(frozen=True, kw_only=True)
class ReportFields:
    """One value of one fact of an attack or a person, as one source reported it.

    ``value`` is the value written as ``casefile.domain.facts.encode`` writes it (empty:
    the source says it is not known). Its grades are its source's and its quote's. Only
    a value that was in the case before values were reported has no source: it is shown
    as unsourced."""

    record: UUID = required_ref(Kind.ATTACK, Kind.PERSON)
    fact: str
    value: str = ""
    source: UUID | None = ref(Kind.SOURCE)
    quote: UUID | None = ref(Kind.QUOTE)
    page: int | None = None
    reported: PartialDate | None = None
    claim_mode: ClaimMode | None = None
    # Set by assessing (``FactService.assess``), which keeps one assessed report per fact:
    # not by the forms and options that add and edit a report.
    assessed: bool = field(default=False, metadata={"by_command": "assess"})
    reason: str = field(default="", metadata={"by_command": "assess"})

    def __post_init__(self) -> None:
        _set(self, "fact", self.fact.strip())
        _set(self, "reason", self.reason.strip())
        if self.assessed and not self.reason:
            raise InvalidInput("say why this value is the one to go by")
        _require_storable("page", self.page)
        if self.page is not None and self.page < 1:
            raise InvalidInput("page numbers start at 1")
        if self.claim_mode is not None and self.fact != "claimed_by":
            raise InvalidInput("a claim mode goes with a report of who claimed the attack")


@dataclass(frozen=True, kw_only=True)
class JudgementFields:
    """An analyst's assessment, in the words of the PHIA probability yardstick, with how
    far its basis can be trusted and what it rests on."""

    statement: str
    probability: Probability
    confidence: AnalyticConfidence | None = None
    basis: str = ""
    rests_on: tuple[UUID, ...] = field(
        default=(),
        metadata={
            "ref": (Kind.SOURCE, Kind.QUOTE, Kind.REPORT, Kind.LINK, Kind.JUDGEMENT),
            "cli": "rests-on",
        },
    )
    concerns: tuple[UUID, ...] = field(
        default=(), metadata={"ref": (Kind.ATTACK, Kind.PERSON, Kind.GROUP), "cli": "concerns"}
    )
    made: PartialDate | None = None
    superseded_by: UUID | None = ref(Kind.JUDGEMENT)

    def __post_init__(self) -> None:
        _set(self, "statement", _require_text("statement", self.statement))
        _set(self, "basis", self.basis.strip())
        _set(self, "rests_on", tuple(dict.fromkeys(self.rests_on)))
        _set(self, "concerns", tuple(dict.fromkeys(self.concerns)))


def contradiction(fields: AnyFields) -> str | None:
    """What an analyst typing a record says against itself: an attack marked as not
    claimed, with claim details. Asked of what is typed (``RecordService.add`` and
    ``update``), not of values that sources reported: sources may well disagree."""
    if not isinstance(fields, AttackFields) or fields.claimed is not Claimed.NO:
        return None
    if fields.claimed_by is not None or fields.claim_date or fields.claim_method.strip():
        return "the attack is marked as not claimed but has claim details"
    return None


def link_misfit(relation: Relation, subject: Kind, obj: Kind) -> str | None:
    """Why a link of ``relation`` cannot join a ``subject`` to an ``obj`` (None if it can):
    an attack is not "member of" a group. The reason starts with a word, so that the
    window can write it as a sentence."""
    subjects, objects = RELATION_ENDS[relation]
    fits = subject in subjects and obj in objects
    if relation is Relation.SIMILAR_TO:
        fits = subject is obj
    if fits:
        return None
    if relation is Relation.SIMILAR_TO:
        rule = "joins two records of one kind"
    else:
        wanted = [k.value for k in Kind if k in subjects], [k.value for k in Kind if k in objects]
        rule = f"links {_kinds(wanted[0])} to {_kinds(wanted[1])}"
    said = (
        f"{a_or_an(subject.value)} cannot be linked to {a_or_an(obj.value)} as “{relation.label}”"
    )
    return f"{said}: it {rule}"


def _kinds(names: list[str]) -> str:
    return "any record" if len(names) == len(Kind) else any_of(names)


AnyFields = (
    AttackFields
    | PersonFields
    | GroupFields
    | SourceFields
    | DocumentFields
    | QuoteFields
    | LinkFields
    | ReportFields
    | JudgementFields
)
F = TypeVar("F", bound=AnyFields)

FIELDS_OF_KIND: dict[Kind, type[AnyFields]] = {
    Kind.ATTACK: AttackFields,
    Kind.PERSON: PersonFields,
    Kind.GROUP: GroupFields,
    Kind.SOURCE: SourceFields,
    Kind.DOCUMENT: DocumentFields,
    Kind.QUOTE: QuoteFields,
    Kind.LINK: LinkFields,
    Kind.REPORT: ReportFields,
    Kind.JUDGEMENT: JudgementFields,
}
KIND_OF_FIELDS: dict[type[AnyFields], Kind] = {v: k for k, v in FIELDS_OF_KIND.items()}


@dataclass(frozen=True)
class Record(Generic[F]):
    """One stored record as the services hand it out."""

    id: UUID
    kind: Kind
    fields: F
    label: str
    tags: tuple[str, ...] = ()
    notes: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # Facts whose reported values disagree (attacks and people): kept by the services.
    disputed: tuple[str, ...] = ()
    # How well supported (``services.support``): an attack's or a person's least supported
    # reported fact, a link's citations; None when nothing reports or cites.
    support: Corroboration | None = None


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def field_names(cls: type[AnyFields]) -> tuple[str, ...]:
    """Cached: bulk imports ask this for every record."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


_METADATA: dict[tuple[type[Any], str], tuple[tuple[str, Any], ...]] = {}


def metadata_fields(cls: type[AnyFields], key: str) -> tuple[tuple[str, Any], ...]:
    """(field name, metadata value) of the fields that carry ``key`` (cached, as above)."""
    found = _METADATA.get((cls, key))
    if found is None:
        found = _METADATA[cls, key] = tuple(
            (f.name, f.metadata[key]) for f in dataclasses.fields(cls) if f.metadata.get(key)
        )
    return found


def ref_values(fields: AnyFields) -> Iterable[tuple[str, UUID, tuple[Kind, ...]]]:
    for name, kinds in metadata_fields(type(fields), "ref"):
        value = getattr(fields, name)
        for v in value if isinstance(value, tuple) else (value,):
            if v is not None:
                yield name, v, kinds
