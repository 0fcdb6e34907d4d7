"""What goes into a briefing pack, read from the case in one transaction and a few queries.

The result is plain values, so the typesetting knows nothing of the database and a pack
shows one consistent moment of it. Citations are the IDs of the sources (a cited quote
stands for its source); they are numbered as the pack prints them, so the list of sources
holds exactly what the printed pages cite.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from casefile.briefing.changes import Event, Previous, count_changes
from casefile.briefing.changes import since as said_since
from casefile.briefing.options import PackOptions, Scope, Section
from casefile.db import models as m
from casefile.db import packs
from casefile.db.engine import fold
from casefile.db.filters import tagged, within
from casefile.domain.corroboration import Corroboration
from casefile.domain.dates import PartialDate, Precision
from casefile.domain.display import UNSOURCED, display, field_label, grade_code, link_caveats
from casefile.domain.errors import InvalidInput
from casefile.domain.facts import FACTS, disagree, is_unknown
from casefile.domain.figures import Figure, Tally
from casefile.domain.input_text import UNKNOWN
from casefile.domain.scripts import in_other_script
from casefile.domain.terms import (
    Claimed,
    GroupKind,
    Kind,
    PersonRole,
    Probability,
    Relation,
    Reliability,
    grade_rank,
)
from casefile.services.facts import Fact, read_facts

KEY_QUOTES_PER_ATTACK = 5
# The key quotes section holds at most this many, unless the analyst tags more.
KEY_QUOTES = 8
KEY_QUOTE_TAG = "key quote"  # as folded: the tag an analyst puts on a quote to choose it
# How long after an attack what its people and groups say is quoted under it.
AFTERMATH = timedelta(days=30)
R = TypeVar("R", bound=m.Record)
_BATCH = 900  # ids per IN (...): well under SQLite's limit on bound values


@dataclass(frozen=True)
class SourceEntry:
    title: str
    authors: str
    publisher: str
    published: str
    url: str
    reliability: str  # "B — Usually reliable"; empty when not graded
    documents: tuple[tuple[str, str], ...]  # (file name, SHA-256)
    kind: str = ""  # "News article"
    language: str = ""
    grade: str = ""  # the reliability's letter, "" when not graded
    dated: PartialDate | None = None  # when published, else when accessed: its information's date


@dataclass(frozen=True)
class QuoteEntry:
    text: str
    speaker: str
    said: str
    page: int | None
    at: str  # the time into a recording it is said at, "0:01:02"; empty when none
    translation: str
    cites: tuple[UUID, ...]
    grade: str = ""  # the Admiralty pair: its source's reliability, its own credibility ("B2")


@dataclass(frozen=True)
class Tie:
    """One link as read from a profile: "carried out by Khalid Masood [1]"."""

    how: str
    other: str
    cites: tuple[UUID, ...]
    caveats: str  # how sure, and "unsourced" when nothing cites it (``link_caveats``)


@dataclass(frozen=True)
class FactLine:
    """How one fact in a fact box stands: the sources of the reports that give the value
    printed, how that value was chosen ("assessed", "by rule"; "unsourced" for a value no
    report gives), and each other value reported, as it reads, with its sources."""

    cites: tuple[UUID, ...] = ()
    chosen: str = ""
    others: tuple[tuple[str, tuple[UUID, ...]], ...] = ()


@dataclass(frozen=True)
class AttackEntry:
    key: str
    title: str
    date: str
    year: int | None
    circa: bool  # its date is approximate ("c. 2014"): a chart says so
    claimed_yes: bool
    claim_delay: int | None  # days from the attack to its claim, where both days are known
    location: str
    attack_types: tuple[str, ...]
    weapon_types: str
    killed: Figure | None
    wounded: Figure | None
    claimed: str
    status: str
    summary: str
    ties: tuple[Tie, ...]
    quotes: tuple[QuoteEntry, ...]
    cites: tuple[UUID, ...]
    facts: dict[str, FactLine] = field(default_factory=dict)  # by fact name


@dataclass(frozen=True)
class JudgementEntry:
    """A current key judgement, as its reader needs it: the statement, how likely in the
    yardstick's words (with their range), how far its basis is trusted, and the sources
    it rests on."""

    statement: str
    probability: Probability
    confidence: str  # "moderate confidence: credible sources but gaps…"; "" when not said
    made: str
    cites: tuple[UUID, ...]


@dataclass(frozen=True)
class Gaps:
    """What the case does not know about one attack: the facts reports disagree on, those
    no source reports, and those not known at all (each as its label, in profile order)."""

    attack: str
    key: str  # its profile's anchor
    disputed: tuple[str, ...]
    unsourced: tuple[str, ...]
    unknown: tuple[str, ...]


@dataclass(frozen=True)
class ProfileEntry:
    key: str
    name: str
    aliases: str
    facts: tuple[tuple[str, str], ...]
    ties: tuple[Tie, ...]
    cites: tuple[UUID, ...]
    circle: str = ""  # which part of who's who: "Subjects", "Militant groups"…
    beside: str = ""  # the name in its original script, or its romanisation (an alias)


@dataclass
class PackContent:
    title: str  # the pack's: the case's for the whole case, else its scope's
    case_title: str  # the case it is drawn from
    summary: str  # the case's own: printed in a pack of the whole case, which it describes
    # A scoped pack's summary instead, read from its attacks: each line with its citations.
    overview: list[tuple[str, tuple[UUID, ...]]] = field(default_factory=list)
    judgements: list[JudgementEntry] = field(default_factory=list)
    gaps: list[Gaps] = field(default_factory=list)
    attacks: list[AttackEntry] = field(default_factory=list)
    people: list[ProfileEntry] = field(default_factory=list)
    groups: list[ProfileEntry] = field(default_factory=list)
    quotes: list[QuoteEntry] = field(default_factory=list)  # the key ones, best first
    every_quote: list[QuoteEntry] = field(default_factory=list)  # for the annex, by date
    sources: dict[UUID, SourceEntry] = field(default_factory=dict)  # all that may be cited
    since: str = ""  # what changed in the scope since the case's previous pack


def _in(column: Any, ids: Iterable[UUID | None]) -> list[ColumnElement[bool]]:
    wanted = [i for i in ids if i is not None]
    return [column.in_(wanted[i : i + _BATCH]) for i in range(0, len(wanted), _BATCH)]


def _rows(s: Session, model: type[R], ids: Iterable[UUID]) -> list[R]:
    found: list[R] = []
    for condition in _in(model.id, set(ids)):
        found.extend(s.scalars(select(model).where(condition)))
    return found


def _by_date(value: PartialDate | None) -> tuple[bool, tuple[date, bool, bool, bool] | None]:
    return (value is None, value.sort_key() if value else None)


def gather(s: Session, options: PackOptions) -> PackContent:
    return _Gathering(s, options).content()


class _Gathering:
    """One pack's reading of the case; sources are numbered as they are first cited."""

    def __init__(self, s: Session, options: PackOptions) -> None:
        self.s = s
        self.options = options
        self.cited_sources: set[UUID] = set()
        self.names: dict[UUID, str] = {}
        self.quote_source: dict[UUID, UUID] = {}
        self.cited: dict[UUID, list[UUID]] = defaultdict(list)
        self.links_of: dict[UUID, list[m.Link]] = defaultdict(list)
        self.speaking: dict[UUID, list[m.Quote]] = defaultdict(list)
        self.quote_rank: dict[UUID, int] = {}  # place in the pack's date order
        self.labels: dict[str, dict[str, str]] = defaultdict(dict)
        self.reported: set[UUID] | None = None  # the attacks with reported values
        self.reliability: dict[UUID, Reliability] = {}  # of the quotes' sources, where graded
        self.judged: set[UUID] = set()  # the judgements printed

    def content(self) -> PackContent:
        s, shown = self.s, self.options.sections
        info = s.scalars(select(m.CaseInfo)).one()
        scope = self.options.scope
        attacks = self.attacks()
        content = PackContent(
            title=self.options.title.strip()
            or (info.title if scope.whole_case else scope_title(scope, attacks)),
            case_title=info.title,
            summary=info.summary.strip() if Section.SUMMARY in shown and scope.whole_case else "",
        )
        links = self.links({a.id for a in attacks})
        people, groups = self.actors(attacks, links)
        for link in links:
            self.links_of[link.subject].append(link)
            self.links_of[link.object].append(link)
        self.read_citations(links)
        self.names.update((p.id, p.name) for p in people)
        self.names.update((g.id, g.name) for g in groups)
        for a in attacks:
            self.names[a.id] = a.title
        quotes = self.quotes({r.id for r in people} | {r.id for r in groups}, attacks)
        for vocabulary, code, label in s.execute(
            select(m.VocabularyTerm.vocabulary, m.VocabularyTerm.code, m.VocabularyTerm.label)
        ):
            self.labels[vocabulary][code] = label

        # Always: the cover's scope line names them, whichever sections are printed.
        content.attacks = [self.attack_entry(a, quotes) for a in attacks]
        if Section.SUMMARY in shown:
            content.overview = [(in_figures(content.attacks), ())] if content.attacks else []
            if not scope.whole_case:
                content.overview += overview(content.attacks)
        if Section.GAPS in shown:
            content.gaps = [g for g in map(gaps_of, content.attacks) if g is not None]
        if Section.JUDGEMENTS in shown:
            in_scope = {r.id for r in (*attacks, *people, *groups)}
            content.judgements = self.judgements(in_scope)
        if Section.PEOPLE in shown:
            content.people = _by_circle([self.person_entry(p) for p in people], PEOPLE_CIRCLES)
        if Section.GROUPS in shown:
            content.groups = _by_circle([self.group_entry(g) for g in groups], GROUP_CIRCLES)
        if Section.QUOTES in shown:
            content.quotes = [self.quote_entry(q) for q in self.key_quotes(quotes)]
        if Section.ANNEX in shown:
            content.every_quote = [self.quote_entry(q) for q in quotes]
        # Read whether or not they are listed: the cover's cut-off is their newest date.
        content.sources = _sources(s, self.cited_sources)
        if Section.SUMMARY in shown:
            printed = {r.id for r in (*attacks, *people, *groups, *links, *quotes)}
            content.since = self.since(printed | self.judged | self.cited_sources)
        return content

    def since(self, printed: set[UUID]) -> str:
        """What changed among the records ``printed`` (and the values reported of them)
        since the case's previous pack (``briefing.changes``)."""
        s = self.s
        latest = packs.latest_version(s)
        if latest is None:
            return ""
        events = [Event(*e) for e in packs.events_after(s, latest.as_of)]
        reported = {e.record_id for e in events if e.kind == Kind.REPORT.value}
        for condition in _in(m.Report.id, reported):
            printed.update(
                s.scalars(select(m.Report.id).where(condition, m.Report.record.in_(printed)))
            )
        counts = count_changes(events, printed, self.options.scope.whole_case)
        return said_since(Previous(latest.version, latest.built_at), counts)

    def key_quotes(self, quotes: Sequence[m.Quote]) -> list[m.Quote]:
        """The handful a reader should see: those the analyst tagged ``KEY_QUOTE_TAG``,
        if any; else the quotes the pack's links cite, then the best graded, then the
        latest, at most ``KEY_QUOTES``. Every quote is in the annex."""
        tagged = [q for q in quotes if any(fold(t.tag.name) == KEY_QUOTE_TAG for t in q.tag_rows)]
        if tagged:
            return tagged
        cited = {c for ids in self.cited.values() for c in ids}

        def rank(q: m.Quote) -> tuple[bool, tuple[int, int], int]:
            graded = grade_rank(self.reliability.get(q.source), q.credibility)
            return (q.id not in cited, graded, -self.quote_rank[q.id])

        best = sorted(quotes, key=rank)[:KEY_QUOTES]
        return sorted(best, key=lambda q: self.quote_rank[q.id])  # in date order

    def judgements(self, in_scope: set[UUID]) -> list[JudgementEntry]:
        """The current judgements (none superseded) of the whole case; or, in a scoped
        pack, those that concern its attacks, people or groups and no attack outside it
        (a judgement on the Westminster attacker's inspiration is not a Brussels pack's,
        though it concerns ISIS too)."""
        s = self.s
        current = list(
            s.scalars(
                select(m.Judgement)
                .where(m.Judgement.superseded_by.is_(None))
                .order_by(m.Judgement.created_at)
            )
        )
        if not self.options.scope.whole_case:
            concerns = {
                j.id: {r.ref_id for r in j.ref_rows if r.role == "concerns"} for j in current
            }
            attacks: set[UUID] = set()
            for condition in _in(m.Attack.id, set().union(*concerns.values())):
                attacks.update(s.scalars(select(m.Attack.id).where(condition)))
            current = [
                j
                for j in current
                if concerns[j.id] & in_scope and (concerns[j.id] & attacks) <= in_scope
            ]
        self.judged.update(j.id for j in current)
        rests = {r.ref_id for j in current for r in j.ref_rows if r.role == "rests_on"}
        behind = _sources_behind(s, rests)
        return [
            JudgementEntry(
                statement=j.statement,
                probability=j.probability,
                confidence=(
                    f"{j.confidence.label.lower()} confidence" + (f": {j.basis}" if j.basis else "")
                    if j.confidence
                    else j.basis
                ),
                made=display("made", j.made, {}),
                cites=self.cite(
                    c for r in j.ref_rows if r.role == "rests_on" for c in behind.get(r.ref_id, ())
                ),
            )
            for j in current
        ]

    def cite(self, ids: Iterable[UUID]) -> tuple[UUID, ...]:
        """The sources behind ``ids`` (sources, or quotes standing for theirs), once each."""
        sources = tuple(dict.fromkeys(self.quote_source.get(i, i) for i in ids))
        self.cited_sources.update(sources)
        return sources

    def attacks(self) -> list[m.Attack]:
        scope = self.options.scope
        query = select(m.Attack)
        if scope.tag is not None:
            query = query.where(tagged(m.Attack.id, scope.tag))
        if scope.dates:
            query = query.where(within(Kind.ATTACK, scope.dates))
        if scope.attacks:
            query = query.where(or_(*_in(m.Attack.id, scope.attacks)))
        found = list(self.s.scalars(query))
        if missing := set(scope.attacks) - {a.id for a in found}:
            raise InvalidInput(f"not an attack in this case: {', '.join(map(str, missing))}")
        return sorted(found, key=lambda a: (_by_date(a.date), a.title.casefold()))

    def links(self, attack_ids: set[UUID]) -> list[m.Link]:
        query = select(m.Link).where(m.Link.relation != Relation.MENTIONS)
        if self.options.scope.whole_case:
            return list(self.s.scalars(query.order_by(m.Link.created_at)))
        found: dict[UUID, m.Link] = {}
        for condition in _in(m.Link.subject, attack_ids) + _in(m.Link.object, attack_ids):
            found.update((link.id, link) for link in self.s.scalars(query.where(condition)))
        return sorted(found.values(), key=lambda link: link.created_at)

    def actors(
        self, attacks: Sequence[m.Attack], links: list[m.Link]
    ) -> tuple[list[m.Person], list[m.Group]]:
        """The people and groups of the pack: all, or those tied to its attacks (and the ties
        among them, added to ``links``)."""
        s = self.s
        if self.options.scope.whole_case:
            people = list(s.scalars(select(m.Person)))
            groups = list(s.scalars(select(m.Group)))
        else:
            ends = {x for link in links for x in (link.subject, link.object)}
            ends |= {a.claimed_by for a in attacks if a.claimed_by}
            people = _rows(s, m.Person, ends)
            groups = _rows(s, m.Group, ends)
            actors = {r.id for r in people} | {r.id for r in groups}
            known = {link.id for link in links}
            for condition in _in(m.Link.subject, actors):
                query = select(m.Link).where(condition, m.Link.object.in_(actors))
                links += [
                    link
                    for link in s.scalars(query)
                    if link.id not in known and link.relation is not Relation.MENTIONS
                ]
        people.sort(key=lambda r: r.name.casefold())
        groups.sort(key=lambda r: r.name.casefold())
        return people, groups

    def read_citations(self, links: Sequence[m.Link]) -> None:
        for condition in _in(m.LinkCitation.link_id, (link.id for link in links)):
            rows = self.s.execute(
                select(m.LinkCitation.link_id, m.LinkCitation.cited_id)
                .where(condition)
                .order_by(m.LinkCitation.position)
            )
            for link_id, cited_id in rows:
                self.cited[link_id].append(cited_id)

    def quotes(self, actors: set[UUID], attacks: Sequence[m.Attack]) -> list[m.Quote]:
        """Every quote of the case; or, in a scoped pack, those its links cite and what its
        people and groups said within its scope: within its dates, or around one of its
        attacks (from its start until ``AFTERMATH`` after its end). A pack of the Brussels
        attacks does not quote ISIS's calls of 2014. With the name of each speaker and the
        source of each cited quote."""
        s = self.s
        cited = {c for ids in self.cited.values() for c in ids}
        scope = self.options.scope
        if scope.whole_case:
            found = list(s.scalars(select(m.Quote)))
        else:
            by_id = {q.id: q for q in _rows(s, m.Quote, cited)}
            around = _Windows(attacks)
            for condition in _in(m.Quote.speaker, actors):
                for q in s.scalars(select(m.Quote).where(condition)):
                    if scope.dates.meets(q.said) if scope.dates else around.hold(q.said):
                        by_id[q.id] = q
            found = list(by_id.values())
        found.sort(key=lambda q: (_by_date(q.said), q.created_at))
        self.quote_rank = {q.id: rank for rank, q in enumerate(found)}
        self.quote_source = {q.id: q.source for q in found}
        for condition in _in(m.Quote.id, cited - set(self.quote_source)):
            rows = s.execute(select(m.Quote.id, m.Quote.source).where(condition))
            self.quote_source.update((quote_id, source_id) for quote_id, source_id in rows)
        for condition in _in(m.Source.id, {q.source for q in found}):
            grades = s.execute(select(m.Source.id, m.Source.reliability).where(condition))
            self.reliability.update((source_id, graded) for source_id, graded in grades if graded)
        for q in found:
            if q.speaker:
                self.speaking[q.speaker].append(q)
        unnamed = {q.speaker for q in found if q.speaker and q.speaker not in self.names}
        self.names.update((p.id, p.name) for p in _rows(s, m.Person, unnamed))
        self.names.update((g.id, g.name) for g in _rows(s, m.Group, unnamed))
        return found

    def quote_entry(self, q: m.Quote) -> QuoteEntry:
        return QuoteEntry(
            text=q.text,
            speaker=self.names.get(q.speaker, "") if q.speaker else "",
            said=display("said", q.said, {}),
            page=q.page,
            at=display("at", q.at, {}),
            translation=q.translation,
            cites=self.cite([q.source]),
            grade=grade_code(self.reliability.get(q.source), q.credibility),
        )

    def ties(self, record_id: UUID) -> tuple[Tie, ...]:
        found = []
        for link in self.links_of[record_id]:
            mine = link.subject == record_id
            other = link.object if mine else link.subject
            if other in self.names:
                how = link.relation.label if mine else link.relation.inverse_label
                cites = self.cite(self.cited[link.id])
                caveats = link_caveats(link.confidence, len(self.cited[link.id]))
                found.append(Tie(how, self.names[other], cites, caveats))
        return tuple(found)

    def attack_entry(self, a: m.Attack, quotes: Sequence[m.Quote]) -> AttackEntry:
        """Key quotes: those its links cite, then what the people and groups tied to it
        said from its start until ``AFTERMATH`` after its end (a group that claims many
        attacks is not quoted under each of them for everything it ever said)."""
        links = self.links_of[a.id]
        cited = {c for link in links for c in self.cited[link.id] if c in self.quote_rank}
        chosen = sorted(cited, key=self.quote_rank.__getitem__)[:KEY_QUOTES_PER_ATTACK]
        for link in links:
            other = link.object if link.subject == a.id else link.subject
            for q in self.speaking.get(other, ()):
                if len(chosen) < KEY_QUOTES_PER_ATTACK and q.id not in chosen and _during(q, a):
                    chosen.append(q.id)
        ties = self.ties(a.id)
        claimant = self.names.get(a.claimed_by) if a.claimed_by else None
        if claimant and not any(t.other == claimant and t.how == "claimed by" for t in ties):
            ties = (*ties, Tie("claimed by", claimant, (), UNSOURCED))  # no link cites it
        labels = self.labels
        return AttackEntry(
            key=f"attack-{a.id}",
            title=a.title,
            date=_when(a.date, a.end_date),
            year=a.date.year if a.date else None,
            circa=bool(a.date and a.date.circa),
            claimed_yes=a.claimed is Claimed.YES,
            claim_delay=_days_between(a.date, a.claim_date),
            location=", ".join(p for p in (a.location, a.city, a.country) if p),
            attack_types=tuple(labels["attack_type"].get(t, t) for t in a.attack_types),
            weapon_types=", ".join(labels["weapon_type"].get(t, t) for t in a.weapon_types),
            killed=a.killed,
            wounded=a.wounded,
            claimed=_claim(a, self.names),
            status=a.status.label,
            summary=a.summary,
            ties=ties,
            quotes=tuple(self.quote_entry(quotes[self.quote_rank[q]]) for q in chosen),
            cites=self.cite(c for link in links for c in self.cited[link.id]),
            facts={f.name: self.fact_line(f) for f in self.facts_of(a)},
        )

    def facts_of(self, a: m.Attack) -> list[Fact]:
        """The attack's facts with the reports behind them, read only for an attack that
        has reports (an unreported value is unsourced, and a pack of many attacks without
        reports reads none)."""
        if self.reported is None:
            self.reported = set(self.s.scalars(select(m.Report.record).distinct()))
        if a.id in self.reported:
            return read_facts(self.s, a)
        return [_unreported(a, name) for name in FACTS[Kind.ATTACK]]

    def fact_line(self, fact: Fact) -> FactLine:
        if not fact.reports:
            return FactLine(chosen="" if is_unknown(fact.value) else UNSOURCED)
        agree: list[UUID] = []
        others: dict[str, list[UUID]] = defaultdict(list)
        for view in fact.reports:
            source = view.record.fields.source
            if disagree([view.value, fact.value]):
                said = display(fact.name, view.value, self.names, with_ids=False) or UNKNOWN
                others[said] += [source] if source else []
            elif source:
                agree.append(source)
        chosen = "assessed" if fact.assessed else "by rule"
        return FactLine(
            cites=self.cite(agree),
            chosen=chosen if agree else f"{chosen}, {UNSOURCED}",
            others=tuple((said, self.cite(ids)) for said, ids in others.items()),
        )

    def person_entry(self, p: m.Person) -> ProfileEntry:
        facts = (
            ("Roles", display("roles", p.roles, {})),
            ("Nationality", p.nationality),
            ("Born", display("birth_date", p.birth_date, {})),
            ("Status", UNKNOWN if is_unknown(p.status) else p.status.label),
        )
        entry = self.profile(f"person-{p.id}", p.id, p.name, p.aliases, facts)
        return replace(entry, circle=_circle(set(p.roles), PEOPLE_CIRCLES))

    def group_entry(self, g: m.Group) -> ProfileEntry:
        facts = (("Kind", g.group_kind.label), ("Country", g.country))
        entry = self.profile(f"group-{g.id}", g.id, g.name, g.aliases, facts)
        return replace(entry, circle=_circle({g.group_kind}, GROUP_CIRCLES))

    def profile(
        self,
        key: str,
        record_id: UUID,
        name: str,
        aliases: Sequence[str],
        facts: Sequence[tuple[str, str]],
    ) -> ProfileEntry:
        """A profile cites what its links cite and the sources of what was said."""
        ties = self.ties(record_id)
        said = [q.source for q in self.speaking.get(record_id, [])]
        cites = self.cite([*(c for tie in ties for c in tie.cites), *said])
        shown = tuple((label, value) for label, value in facts if value)
        beside, others = in_other_script(name, aliases)
        return ProfileEntry(key, name, ", ".join(others), shown, ties, cites, beside=beside)


# Who's who, in the order it is printed: the people and groups a pack is about apart
# from those who report, police or study them. The first circle a record's roles (or its
# kind) fall in is its own; "Others" holds the rest.
PEOPLE_CIRCLES: tuple[tuple[str, frozenset[Any]], ...] = (
    ("Subjects", frozenset({PersonRole.PERPETRATOR, PersonRole.SUSPECT, PersonRole.SPOKESPERSON})),
    ("Victims", frozenset({PersonRole.VICTIM})),
    ("Officials and researchers", frozenset({PersonRole.OFFICIAL, PersonRole.RESEARCHER})),
)
GROUP_CIRCLES: tuple[tuple[str, frozenset[Any]], ...] = (
    ("Militant groups", frozenset({GroupKind.MILITANT_GROUP})),
    (
        "Agencies, police, media and researchers",
        frozenset(
            {
                GroupKind.GOVERNMENT_AGENCY,
                GroupKind.POLICE_FORCE,
                GroupKind.MEDIA_OUTLET,
                GroupKind.RESEARCH_ORGANISATION,
            }
        ),
    ),
)
OTHERS = "Others"


def _circle(traits: set[Any], circles: Sequence[tuple[str, frozenset[Any]]]) -> str:
    return next((name for name, members in circles if traits & members), OTHERS)


def _by_circle(
    entries: list[ProfileEntry], circles: Sequence[tuple[str, frozenset[Any]]]
) -> list[ProfileEntry]:
    """The profiles circle by circle, in the circles' order (names sorted within)."""
    order = {name: n for n, (name, _members) in enumerate(circles)}
    return sorted(entries, key=lambda e: order.get(e.circle, len(order)))  # stable: by name


# A scope of more chosen attacks than this is titled by their count, not their names.
NAMED_AT_MOST = 3
# A scoped pack's summary says this many attacks one by one; the timeline has the rest.
SUMMARISED_AT_MOST = 8


def scope_title(scope: Scope, attacks: Sequence[m.Attack]) -> str:
    """A scoped pack's title, from what it covers: a pack of the Brussels attacks is not
    titled after the case's Westminster attack."""
    if scope.attacks and not scope.tag and not scope.dates:
        titles = [a.title for a in attacks]
        if len(titles) <= NAMED_AT_MOST:
            return "; ".join(titles)
        return f"{len(titles)} chosen attacks"
    parts = ["Attacks"]
    if scope.tag:
        parts.append(f"tagged “{scope.tag}”")
    if scope.dates:
        parts.append(scope.dates.said())
    return " ".join(parts)


def in_figures(attacks: Sequence[AttackEntry]) -> str:
    """The pack's attacks in one sentence of figures, each with what it leaves out: "In
    figures: 5 attacks; at least 5 killed in 3 of them (not known for 2); …; 1 claimed,
    1 day after the attack"."""
    parts = [f"{len(attacks):,} attack{'s' if len(attacks) != 1 else ''}"]
    for what, tally in (
        ("killed", Tally.of(a.killed for a in attacks)),
        ("wounded", Tally.of(a.wounded for a in attacks)),
    ):
        if not tally.known:
            parts.append(f"{what} not known")
            continue
        said = (
            f"{'' if tally.exact else 'at least '}{tally.total:,} {what} in {tally.known:,} of them"
        )
        if tally.unknown:
            said += f" (not known for {tally.unknown:,})"
        parts.append(said)
    claimed = [a for a in attacks if a.claimed_yes]
    if claimed:
        delays = sorted(a.claim_delay for a in claimed if a.claim_delay is not None)
        said = f"{len(claimed):,} claimed"
        if delays:
            said += f", {_days(delays[len(delays) // 2])} after the attack" + (
                " (median)" if len(delays) > 1 else ""
            )
        parts.append(said)
    else:
        parts.append("none claimed as far as the case knows")
    return "In figures: " + "; ".join(parts) + "."


def _days(n: int) -> str:
    return "the same day" if n == 0 else f"{n:,} day{'s' if n != 1 else ''}"


def _days_between(start: PartialDate | None, end: PartialDate | None) -> int | None:
    """Days from ``start`` to ``end`` where both are known to the day (a claim "in March"
    has no delay to give)."""
    if (
        start is None
        or end is None
        or start.precision != Precision.DAY
        or end.precision != Precision.DAY
    ):
        return None
    return (end.first_day() - start.first_day()).days


def overview(attacks: Sequence[AttackEntry]) -> list[tuple[str, tuple[UUID, ...]]]:
    """A scoped pack's summary: what each attack was, as its profile has it, with the
    profile's citations (the case's own summary describes the whole case)."""
    if not attacks:
        return [("No attack of the case is within this pack's scope.", ())]
    lines = []
    for a in attacks[:SUMMARISED_AT_MOST]:
        where = f", {a.location}" if a.location else ""
        figures = (
            f"killed {display('killed', a.killed, {})}, wounded {display('wounded', a.wounded, {})}"
        )
        lines.append((f"{a.title}: {a.date}{where}; {figures}; claimed: {a.claimed}.", a.cites))
    if len(attacks) > SUMMARISED_AT_MOST:
        more = len(attacks) - SUMMARISED_AT_MOST
        lines.append((f"And {more:,} more attack{'s' if more != 1 else ''}: see the timeline.", ()))
    return lines


class _Windows:
    """The days around a pack's attacks (``_during``'s, for each), merged, so that a
    quote is placed among hundreds of attacks by a binary search, not a loop."""

    def __init__(self, attacks: Sequence[m.Attack]) -> None:
        spans = sorted(
            (a.date.first_day(), (a.end_date or a.date).last_day() + AFTERMATH)
            for a in attacks
            if a.date is not None
        )
        self.firsts: list[date] = []
        self.lasts: list[date] = []
        for first, last in spans:
            if self.lasts and first <= self.lasts[-1]:
                self.lasts[-1] = max(self.lasts[-1], last)
            else:
                self.firsts.append(first)
                self.lasts.append(last)

    def hold(self, said: PartialDate | None) -> bool:
        """Whether a date meets a window; an undated quote is placed in none."""
        if said is None:
            return False
        at = bisect_right(self.firsts, said.last_day()) - 1  # the last window begun by then
        return at >= 0 and said.first_day() <= self.lasts[at]


def _sources_behind(s: Session, ids: set[UUID]) -> dict[UUID, tuple[UUID, ...]]:
    """The sources each of ``ids`` stands for: a source itself, a quote's or a report's
    source, a link's citations (each a source, or a quote standing for its source). A
    judgement resting on another judgement cites what that one cites, in its own entry."""
    found: dict[UUID, list[UUID]] = defaultdict(list)
    for condition in _in(m.Source.id, ids):
        found.update((i, [i]) for i in s.scalars(select(m.Source.id).where(condition)))
    for condition in _in(m.LinkCitation.link_id, ids):
        rows = s.execute(
            select(m.LinkCitation.link_id, m.LinkCitation.cited_id)
            .where(condition)
            .order_by(m.LinkCitation.position)
        )
        for link_id, cited_id in rows:
            found[link_id].append(cited_id)
    quoted = ids | {c for cs in found.values() for c in cs}
    source_of: dict[UUID, UUID] = {}
    for model in (m.Quote, m.Report):
        for condition in _in(model.id, quoted):
            for record_id, source in s.execute(select(model.id, model.source).where(condition)):
                if source is not None:
                    source_of[record_id] = source
    for record_id, source in source_of.items():
        if record_id in ids:
            found[record_id].append(source)
    return {
        i: tuple(dict.fromkeys(source_of.get(c, c) for c in cited)) for i, cited in found.items()
    }


def gaps_of(a: AttackEntry) -> Gaps | None:
    """The attack's gaps (None: every fact is known and sourced, none disputed). An end
    date, perpetrators killed and the claim's details are not gaps when unknown: most
    attacks have none to know."""
    disputed, unsourced, unknown = [], [], []
    for name, line in a.facts.items():
        label = field_label(name).lower()
        if line.others:
            disputed.append(label)
        elif UNSOURCED in line.chosen:
            unsourced.append(label)
        elif not line.chosen and name not in _NOT_GAPS:
            unknown.append(label)
    if not (disputed or unsourced or unknown):
        return None
    return Gaps(a.title, a.key, tuple(disputed), tuple(unsourced), tuple(unknown))


_NOT_GAPS = frozenset(
    {"end_date", "perpetrators_killed", "claimed_by", "claim_date", "claim_method"}
)


def _unreported(a: m.Attack, name: str) -> Fact:
    """A fact no source reports: its value as entered."""
    return Fact(name, getattr(a, name), False, "", (), False, Corroboration(0, ""))


def _during(quote: m.Quote, attack: m.Attack) -> bool:
    """Whether the quote was said (as far as its date tells) from the attack's start until
    ``AFTERMATH`` after its end; an undated quote or attack tells nothing, so no."""
    if quote.said is None or attack.date is None:
        return False
    end = (attack.end_date or attack.date).last_day() + AFTERMATH
    return quote.said.overlaps(attack.date.first_day(), end)


def _when(start: PartialDate | None, end: PartialDate | None) -> str:
    if start is None:
        return "date unknown"
    if end is None or end == start:
        return start.display()
    return f"{start.display()} \N{EN DASH} {end.display()}"


def _claim(a: m.Attack, names: dict[UUID, str]) -> str:
    """ "Yes, by ISIS (Amaq statement), on 23 March 2017"."""
    parts = [UNKNOWN if is_unknown(a.claimed) else a.claimed.label]  # one word for unknown
    if a.claimed_by and a.claimed_by in names:
        parts.append(
            f"by {names[a.claimed_by]}" + (f" ({a.claim_method})" if a.claim_method else "")
        )
    elif a.claim_method:
        parts.append(a.claim_method)
    if a.claim_date:
        parts.append(f"on {a.claim_date.display()}")
    return ", ".join(parts)


def _sources(s: Session, ids: set[UUID]) -> dict[UUID, SourceEntry]:
    documents: dict[UUID, list[tuple[str, str]]] = defaultdict(list)
    for condition in _in(m.Document.source, ids):
        rows = s.execute(
            select(m.Document.source, m.Document.file_name, m.Document.sha256)
            .where(condition)
            .order_by(m.Document.file_name)
        )
        for source_id, name, sha in rows:
            if source_id is not None:
                documents[source_id].append((name, sha))
    entries = {}
    for record in _rows(s, m.Source, ids):
        entries[record.id] = SourceEntry(
            title=record.title,
            authors=", ".join(record.authors),
            publisher=record.publisher,
            published=display("published", record.published, {}),
            url=record.url,
            reliability=display("reliability", record.reliability, {}),
            documents=tuple(documents[record.id]),
            kind=record.source_kind.label,
            language=record.language,
            grade=record.reliability.value if record.reliability else "",
            dated=record.published or record.accessed,
        )
    return entries
