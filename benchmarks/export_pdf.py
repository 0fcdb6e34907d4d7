"""Benchmark for briefing packs: the time to export a whole case as a PDF.

Three cases are generated once per run in a temporary folder, from a fixed seed, through
the core API (``RecordService.insert`` in one action): 100, 500, 1,000 and 2,000 attacks with
four quotes and two sources per attack, about 0.6 people and 0.12 groups per attack, and
1-3 links per attack (carried out / claimed / planned by a person or group), each citing
one or two sources or quotes. Dates are partial (day, month or year only) over 2005-2020,
casualty counts are sometimes unknown, and names include accents (Zoë, José) and Arabic
script (الدولة الإسلامية), so the pack's font and right-to-left paths are exercised.

For each case the whole pack (every section) is exported with ``case.briefing.export``,
which reads the case, lays out the pages and writes the file; the reading alone is timed
as well, to show where the time goes.

The baseline, in the same run, is what ReportLab costs for the same text with no database
and none of the pack's machinery: a plain ``SimpleDocTemplate`` on the same page size and
margins in the same fonts, with a cover, a timeline table (plain ``Table``s of 40 rows), a
section per attack (heading, 4x4 fact table, summary, link lines, four quotes), a heading
and a paragraph (and link lines) per person and group, every quote and every source, and a
marking and page number on every page. Like the pack's, its citations are [n] links to the
source entries and its timeline titles link to the profiles: a pack must have them, so
ReportLab setting them is part of the cost a pack cannot avoid. Both are compared per page
(seconds per page), as the pack adds a contents page, charts and bookmarks the baseline has
not.

Each export runs --runs times (3), the pack and its baseline in turn; printed: the first
run and the median, the median's CPU time (this process: the export runs in it), and the
load average before and after. Targets (medians): pack seconds per page within 1.25x of
the baseline, the 500-attack pack under 15 s, and pages per second flat (within 15%) from
100 to 2,000 attacks (issue 18).

    .venv/bin/python benchmarks/export_pdf.py [--runs N] [--profile]

``--profile`` adds a cProfile summary (top 15 by cumulative time) of the 500-attack export.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
)

from casefile.briefing import fonts
from casefile.briefing.options import PackOptions
from casefile.domain.dates import PartialDate
from casefile.domain.display import link_caveats
from casefile.domain.figures import Figure
from casefile.domain.records import (
    AnyFields,
    AttackFields,
    GroupFields,
    LinkFields,
    PersonFields,
    QuoteFields,
    SourceFields,
)
from casefile.domain.terms import (
    GTD_TERMS,
    AttackStatus,
    Claimed,
    Confidence,
    GroupKind,
    PersonRole,
    PersonStatus,
    Relation,
    Reliability,
    SourceKind,
    Vocabulary,
)
from casefile.services.audit import AuditLog
from casefile.services.case import create_case, open_case
from casefile.services.record_service import NewRecord

SEED = 2015
FLAT_AT_LEAST = 0.85  # the slowest scale's pages per second over the fastest's
SCALES = (100, 500, 1_000, 2_000)  # attacks; quotes x4, sources x2, people x0.6, groups x0.12
MAIN = 500
TARGET_RATIO, TARGET_SECONDS = 1.25, 15.0
MARKING = "OFFICIAL-SENSITIVE"

# --- word lists ---------------------------------------------------------------------------

FIRST = [
    "Khalid", "Rachid", "Omar", "Yusuf", "Salah", "Anis", "Mohamed", "Ahmed", "Ali", "Hassan",
    "Karim", "Bilal", "Samir", "Zoë", "José", "François", "Chérif", "Amédy", "Hélène", "Noël",
    "Jürgen", "Søren", "Ayşe", "Mehmet", "Fatima", "Sarah", "David", "Thomas", "Mark", "Rita",
    "Andrew", "Ibrahim", "Abdelhamid", "Najim", "Mohammed", "Ismaël", "Inès", "Łukasz",
]  # fmt: skip
LAST = [
    "Masood", "Redouane", "Abdeslam", "Amri", "Butt", "Zaghba", "Abedi", "Khan", "Hussain",
    "Kouachi", "Coulibaly", "Abaaoud", "Laachraoui", "Bakraoui", "Müller", "Şahin", "Núñez",
    "García", "Lefèvre", "Østergaard", "Parker", "Rowley", "Katz", "Dupont", "Rossi",
    "Haddad", "Mansour", "El Khazzani", "Benali", "Öztürk", "Nowak", "O'Brien", "Fernández",
]  # fmt: skip
ARABIC_PEOPLE = ["أبو محمد العدناني", "أبو بكر البغدادي", "عبد الحميد أباعود"]
GROUP_STEMS = [
    "Brigade", "Front", "Battalion", "Movement", "Network", "Cell", "Army", "Council",
    "Mujahideen Shura", "Liberation Front", "Revolutionary Cells", "Martyrs' Brigade",
]  # fmt: skip
GROUP_PLACES = [
    "Sahel", "Maghreb", "Levant", "Sinai", "Khorasan", "Caucasus", "Euskadi", "Anatolia",
    "the Two Rivers", "the Horn", "Mindanao", "Kurdistan", "Idlib", "Cyrenaica", "Zoë's Quarter",
]  # fmt: skip
ARABIC_GROUPS = ["الدولة الإسلامية", "جبهة النصرة", "تنظيم القاعدة في جزيرة العرب"]
AGENCIES = [
    ("Metropolitan Police", GroupKind.POLICE_FORCE, "United Kingdom"),
    ("MI5", GroupKind.GOVERNMENT_AGENCY, "United Kingdom"),
    ("DGSI", GroupKind.GOVERNMENT_AGENCY, "France"),
    ("Policía Nacional", GroupKind.POLICE_FORCE, "Spain"),
    ("Europol", GroupKind.GOVERNMENT_AGENCY, ""),
    ("SITE Intelligence Group", GroupKind.RESEARCH_ORGANISATION, "United States"),
    ("Amaq News Agency", GroupKind.MEDIA_OUTLET, ""),
]
PLACES = [
    ("London", "United Kingdom"), ("Manchester", "United Kingdom"), ("Paris", "France"),
    ("Nice", "France"), ("Brussels", "Belgium"), ("Berlin", "Germany"), ("Madrid", "Spain"),
    ("Barcelona", "Spain"), ("Istanbul", "Turkey"), ("Ankara", "Turkey"), ("Kabul", "Afghanistan"),
    ("Baghdad", "Iraq"), ("Mosul", "Iraq"), ("Aleppo", "Syria"), ("Sousse", "Tunisia"),
    ("Bamako", "Mali"), ("Maiduguri", "Nigeria"), ("Mogadishu", "Somalia"), ("Nairobi", "Kenya"),
    ("Peshawar", "Pakistan"), ("Stockholm", "Sweden"), ("Copenhagen", "Denmark"),
    ("Québec", "Canada"), ("Ottawa", "Canada"), ("Orlando", "United States"),
    ("San Bernardino", "United States"), ("Marawi", "Philippines"), ("Zürich", "Switzerland"),
]  # fmt: skip
SITES = [
    "a crowded market", "the central railway station", "a police checkpoint", "a concert hall",
    "the main mosque", "a hotel lobby", "an army barracks", "the airport departure hall",
    "a church during Sunday mass", "a café terrace", "a shopping centre", "the town hall",
    "a bus depot", "a school gate", "the embassy compound", "a pedestrian bridge",
]  # fmt: skip
ACTORS = [
    "A lone attacker", "Two gunmen", "A suicide bomber", "A group of at least four men",
    "An attacker driving a rented van", "A man armed with a knife", "Three militants",
    "A teenager wearing an explosive belt", "Several attackers in military fatigues",
]  # fmt: skip
ACTS = [
    "opened fire on people at", "detonated an explosive device near", "drove into pedestrians at",
    "stabbed passers-by outside", "stormed", "set fire to", "attacked guards at",
    "took hostages inside",
]  # fmt: skip
TIMES = [
    "shortly after evening prayers", "during the morning rush hour", "late at night",
    "on the first day of a national holiday", "as crowds gathered for a match",
    "minutes before a scheduled visit by officials", "in the early afternoon",
]  # fmt: skip
AFTERMATH = [
    "Investigators later linked the suspects to a network of supporters abroad.",
    "Police arrested several people in raids over the following days.",
    "The prosecutor's office opened an inquiry into terrorist murder and conspiracy.",
    "Witnesses described scenes of panic as people fled the area.",
    "Security at similar sites across the country was raised in the weeks that followed.",
    "The suspect had been known to the security services but was not under active watch.",
    "Court documents later showed the plot had been discussed in an encrypted chat group.",
    "The attacker was shot dead by police at the scene.",
    "A second suspect escaped and was detained near the border nine days later.",
]  # fmt: skip
QUOTE_MILITANT = [
    "The soldiers of the caliphate will not rest while your aircraft bomb our cities",
    "Whoever is able to strike them in their homes and streets should do so by any means",
    "This operation is a response to the crimes committed against our brothers in {place}",
    "We warned you before and we warn you again: you will not be safe in {place}",
    "Our brothers carried out a blessed raid against a gathering of the enemy",
]  # fmt: skip
QUOTE_OFFICIAL = [
    "Our thoughts are with the families of those who lost their lives in {place}",
    "The investigation is moving at pace and we are following a number of lines of enquiry",
    "We do not believe there is a continuing threat to the public at this time",
    "The threat level remains severe, which means an attack is highly likely",
    "We have foiled a number of plots in recent months and will keep doing so",
    "There is no evidence at this stage that the attacker acted with others",
]  # fmt: skip
QUOTE_RESEARCH = [
    "The group has shifted from directed operations towards inspiring supporters abroad",
    "Claims of this kind usually follow within forty-eight hours when the group is involved",
    "The choice of a soft target in {place} fits the pattern we have seen since 2014",
    "What we are seeing is a decentralised threat that is much harder to detect",
]  # fmt: skip
ARABIC_QUOTES = [
    (
        "بيان صادر عن المكتب الإعلامي بشأن العملية",
        "A statement from the media office on the operation",
    ),
    ("سنواصل القتال حتى النصر", "We will continue fighting until victory"),
    ("هذه رسالة إلى كل من يقاتلنا", "This is a message to everyone who fights us"),
]  # fmt: skip
PUBLISHERS = [
    ("BBC News", "bbc.co.uk/news"), ("Reuters", "reuters.com/world"),
    ("Le Monde", "lemonde.fr/international"), ("El País", "elpais.com/internacional"),
    ("Der Spiegel", "spiegel.de/politik"), ("Al Jazeera", "aljazeera.com/news"),
    ("The Guardian", "theguardian.com/world"), ("Europol", "europol.europa.eu/publications"),
    ("Combating Terrorism Center", "ctc.westpoint.edu/sentinel"),
    ("International Crisis Group", "crisisgroup.org/reports"), ("Home Office", "gov.uk/government"),
    ("Süddeutsche Zeitung", "sueddeutsche.de/politik"),
    ("SITE Intelligence Group", "siteintelgroup.com"),
]  # fmt: skip
TITLE_PARTS = [
    "Inside the network behind the {place} attack",
    "How the {place} attackers slipped through the net",
    "TE-SAT: EU terrorism situation and trend report {year}",
    "Court judgment in the trial of the {place} cell",
    "Statement on the incident in {place}",
    "Timeline: attacks claimed in {year}",
    "The evolution of vehicle attacks in Europe, {year}",
    "Witnesses recall the night of the {place} shooting",
    "Propaganda output and claims of responsibility, {year}",
    "Police name suspect in {place} stabbing",
]  # fmt: skip
SLUG_WORDS = ["attack", "inquiry", "suspects", "network", "claim", "report", "trial", "police"]


def rid(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)


def partial_date(rng: random.Random, first: int, last: int) -> PartialDate:
    year = rng.randint(first, last)
    roll = rng.random()
    if roll < 0.7:
        return PartialDate(year, rng.randint(1, 12), rng.randint(1, 28))
    if roll < 0.92:
        return PartialDate(year, rng.randint(1, 12))
    return PartialDate(year, circa=rng.random() < 0.3)


def person_name(rng: random.Random, i: int) -> str:
    if i % 100 == 7:
        return ARABIC_PEOPLE[(i // 100) % len(ARABIC_PEOPLE)]
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def codes(rng: random.Random, vocabulary: Vocabulary, most: int) -> tuple[str, ...]:
    known = [code for code, _ in GTD_TERMS[vocabulary] if code != "unknown"]
    return tuple(rng.sample(known, rng.randint(1, most)))


# --- the generated case -------------------------------------------------------------------


@dataclass
class Generated:
    """The records of one case as plain values, for the API and for the baseline alike."""

    attacks_n: int
    groups: list[tuple[UUID, GroupFields]] = field(default_factory=list)
    people: list[tuple[UUID, PersonFields]] = field(default_factory=list)
    sources: list[tuple[UUID, SourceFields]] = field(default_factory=list)
    attacks: list[tuple[UUID, AttackFields]] = field(default_factory=list)
    quotes: list[tuple[UUID, QuoteFields]] = field(default_factory=list)
    links: list[tuple[UUID, LinkFields]] = field(default_factory=list)

    def records(self) -> list[NewRecord]:
        ordered: list[tuple[UUID, AnyFields]] = [
            *self.groups,
            *self.people,
            *self.sources,
            *self.attacks,
            *self.quotes,
            *self.links,
        ]
        return [NewRecord(fields, record_id=record_id) for record_id, fields in ordered]

    def names(self) -> dict[UUID, str]:
        found = {i: f.name for i, f in self.groups}
        found.update((i, f.name) for i, f in self.people)
        found.update((i, f.title) for i, f in self.attacks)
        return found


def make_groups(rng: random.Random, n: int) -> list[tuple[UUID, GroupFields]]:
    groups = [
        (rid(rng), GroupFields(name=name, group_kind=kind, country=country))
        for name, kind, country in AGENCIES
    ]
    groups += [
        (rid(rng), GroupFields(name=name, group_kind=GroupKind.MILITANT_GROUP))
        for name in ARABIC_GROUPS
    ]
    while len(groups) < n:
        name = f"{rng.choice(GROUP_STEMS)} of {rng.choice(GROUP_PLACES)}"
        aliases = (f"{rng.choice(LAST)} {rng.choice(GROUP_STEMS)}",) if rng.random() < 0.4 else ()
        country = rng.choice(PLACES)[1] if rng.random() < 0.6 else ""
        fields = GroupFields(
            name=f"{name} ({len(groups)})",
            aliases=aliases,
            group_kind=GroupKind.MILITANT_GROUP,
            country=country,
        )
        groups.append((rid(rng), fields))
    return groups[:n]


def make_people(rng: random.Random, n: int) -> list[tuple[UUID, PersonFields]]:
    people = []
    for i in range(n):
        roles = rng.sample(list(PersonRole), rng.randint(1, 2))
        fields = PersonFields(
            name=person_name(rng, i),
            aliases=(f"Abu {rng.choice(FIRST)}",) if rng.random() < 0.3 else (),
            roles=tuple(roles),
            nationality=rng.choice(PLACES)[1] if rng.random() < 0.7 else "",
            birth_date=partial_date(rng, 1960, 2000) if rng.random() < 0.5 else None,
            status=rng.choice(list(PersonStatus)),
        )
        people.append((rid(rng), fields))
    return people


def make_sources(rng: random.Random, n: int) -> list[tuple[UUID, SourceFields]]:
    sources = []
    for i in range(n):
        place, _ = rng.choice(PLACES)
        year = rng.randint(2005, 2021)
        publisher, site = rng.choice(PUBLISHERS)
        slug = "-".join(rng.sample(SLUG_WORDS, 3))
        fields = SourceFields(
            title=rng.choice(TITLE_PARTS).format(place=place, year=year),
            source_kind=rng.choice(list(SourceKind)),
            authors=tuple(person_name(rng, i + 1) for _ in range(rng.randint(0, 3))),
            publisher=publisher,
            published=partial_date(rng, year, year),
            url=f"https://www.{site}/{year}/{slug}-{i}",
            language=rng.choice(["en", "en", "en", "fr", "de", "es", "ar"]),
            reliability=rng.choice([*Reliability, None]),
        )
        sources.append((rid(rng), fields))
    return sources


def summary(rng: random.Random, city: str, killed: int | None, wounded: int | None) -> str:
    sentences = [f"{rng.choice(ACTORS)} {rng.choice(ACTS)} {rng.choice(SITES)} in {city} "]
    sentences[0] += f"{rng.choice(TIMES)}."
    if killed is not None:
        hurt = f" and {wounded} wounded" if wounded is not None else ""
        sentences.append(f"Officials said {killed} people were killed{hurt}.")
    sentences += rng.sample(AFTERMATH, rng.randint(1, 2))
    return " ".join(sentences[:4])


def make_attacks(
    rng: random.Random, n: int, militants: list[tuple[UUID, GroupFields]]
) -> list[tuple[UUID, AttackFields]]:
    attacks = []
    for i in range(n):
        city, country = rng.choice(PLACES)
        killed = rng.choice([None, *range(0, 40), rng.randint(40, 150)])
        wounded = None if killed is None or rng.random() < 0.2 else killed * rng.randint(1, 6)
        claimer = rng.choice(militants)[0] if rng.random() < 0.35 else None
        fields = AttackFields(
            title=f"{rng.choice(SITES).split(' ', 1)[1].capitalize()} attack, {city} ({i + 1})",
            date=partial_date(rng, 2005, 2020) if rng.random() < 0.97 else None,
            location=rng.choice(SITES).capitalize(),
            city=city,
            country=country,
            attack_types=codes(rng, Vocabulary.ATTACK_TYPE, 2),
            weapon_types=codes(rng, Vocabulary.WEAPON_TYPE, 2),
            target_types=codes(rng, Vocabulary.TARGET_TYPE, 2),
            killed=_figure(killed),
            wounded=_figure(wounded),
            perpetrators_killed=_figure(rng.choice([None, 0, 1, 2])),
            claimed=Claimed.YES if claimer else rng.choice([Claimed.UNKNOWN, Claimed.NO]),
            claimed_by=claimer,
            claim_method="statement on Telegram" if claimer and rng.random() < 0.5 else "",
            status=rng.choice(list(AttackStatus)),
            summary=summary(rng, city, killed, wounded),
        )
        attacks.append((rid(rng), fields))
    return attacks


def make_quotes(
    rng: random.Random,
    n: int,
    sources: list[tuple[UUID, SourceFields]],
    people: list[tuple[UUID, PersonFields]],
    groups: list[tuple[UUID, GroupFields]],
) -> list[tuple[UUID, QuoteFields]]:
    speakers = [i for i, _ in people] + [i for i, _ in groups]
    quotes = []
    for i in range(n):
        # Every source is quoted at least once, so every one of them is in the pack.
        source = sources[i][0] if i < len(sources) else rng.choice(sources)[0]
        place = rng.choice(PLACES)[0]
        translation, language = "", "en"
        if i % 50 == 13:
            text, translation = rng.choice(ARABIC_QUOTES)
            language = "ar"
        else:
            pool = rng.choice([QUOTE_MILITANT, QUOTE_OFFICIAL, QUOTE_RESEARCH])
            parts = rng.sample(pool, rng.randint(1, 3))
            text = ". ".join(p.format(place=place) for p in parts) + "."
        fields = QuoteFields(
            text=text,
            source=source,
            speaker=rng.choice(speakers) if rng.random() < 0.85 else None,
            page=rng.randint(1, 40) if rng.random() < 0.6 else None,
            said=partial_date(rng, 2005, 2020) if rng.random() < 0.9 else None,
            language=language,
            translation=translation,
        )
        quotes.append((rid(rng), fields))
    return quotes


def make_links(rng: random.Random, g: Generated) -> list[tuple[UUID, LinkFields]]:
    citable = [i for i, _ in g.sources] + [i for i, _ in g.quotes]
    people = [i for i, _ in g.people]
    militants = [i for i, f in g.groups if f.group_kind is GroupKind.MILITANT_GROUP]
    links = []

    def link(subject: UUID, relation: Relation, obj: UUID) -> None:
        fields = LinkFields(
            subject=subject,
            relation=relation,
            object=obj,
            confidence=rng.choice([*Confidence, None]),
            citations=tuple(rng.sample(citable, rng.randint(1, 2))),
        )
        links.append((rid(rng), fields))

    for attack, _ in g.attacks:
        ends: set[UUID] = set()
        for _ in range(rng.randint(1, 3)):
            roll = rng.random()
            if roll < 0.5:
                end, relation = rng.choice(people), Relation.CARRIED_OUT
            elif roll < 0.8:
                end, relation = rng.choice(militants), Relation.CLAIMED
            else:
                end, relation = rng.choice(people + militants), Relation.PLANNED
            if end not in ends:
                ends.add(end)
                link(end, relation, attack)
    for person in people:
        if rng.random() < 0.5:
            link(
                person,
                rng.choice([Relation.MEMBER_OF, Relation.SUPPORTER_OF]),
                rng.choice(militants),
            )
    return links


def generate(n_attacks: int) -> Generated:
    rng = random.Random(SEED + n_attacks)
    g = Generated(n_attacks)
    g.groups = make_groups(rng, max(len(AGENCIES) + len(ARABIC_GROUPS) + 2, n_attacks * 12 // 100))
    g.people = make_people(rng, n_attacks * 6 // 10)
    g.sources = make_sources(rng, n_attacks * 2)
    militants = [(i, f) for i, f in g.groups if f.group_kind is GroupKind.MILITANT_GROUP]
    g.attacks = make_attacks(rng, n_attacks, militants)
    g.quotes = make_quotes(rng, n_attacks * 4, g.sources, g.people, g.groups)
    g.links = make_links(rng, g)
    return g


def write_case(path: Path, g: Generated) -> float:
    start = time.perf_counter()
    with create_case(path, title=f"Attacks 2005-2020 ({g.attacks_n} attacks)") as case:
        case.describe(
            summary="Attacks recorded from open sources between 2005 and 2020, with the "
            "people and groups linked to them, their statements, and every source cited."
        )
        with case.sessions.write() as s:
            case.records.insert(s, AuditLog(s), g.records())
    return time.perf_counter() - start


# --- the pack -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    pages: int
    cpu: float = 0.0

    @property
    def per_page(self) -> float:
        return self.seconds / self.pages

    @property
    def rate(self) -> float:
        return self.pages / self.seconds


def export_pack(case_path: Path, pdf: Path) -> Run:
    with open_case(case_path, backups=False) as case:
        start, cpu = time.perf_counter(), time.process_time()
        report = case.briefing.export(pdf, PackOptions(), replace=True)
        return Run(time.perf_counter() - start, report.pages, time.process_time() - cpu)


def gather_seconds(case_path: Path) -> float:
    """Reading the case into the pack's content alone (the part the baseline has not)."""
    from casefile.briefing.content import gather

    with open_case(case_path, backups=False) as case:
        start = time.perf_counter()
        with case.sessions.read() as s:
            gather(s, PackOptions())
        return time.perf_counter() - start


def profile_pack(case_path: Path, pdf: Path) -> str:
    with open_case(case_path, backups=False) as case:
        profiler = cProfile.Profile()
        profiler.runcall(case.briefing.export, pdf, PackOptions(), replace=True)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(15)
    return out.getvalue()


# --- the baseline: plain ReportLab, the same text, no database ----------------------------

MARGIN = 20 * mm
PAGE_WIDTH, PAGE_HEIGHT = A4
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
INK = colors.HexColor("#1F2A36")
MUTED = colors.HexColor("#5B6670")
SHADE = colors.HexColor("#F2F4F6")
CHUNK = 40  # timeline rows per plain Table


def styles() -> dict[str, ParagraphStyle]:
    serif, sans = fonts.SERIF, fonts.SANS

    def style(name: str, **values: object) -> ParagraphStyle:
        base: dict[str, object] = {
            "fontName": serif,
            "fontSize": 9.5,
            "leading": 13.5,
            "textColor": INK,
        }
        return ParagraphStyle(name, **(base | values))

    return {
        "body": style("body", spaceAfter=6),
        "small": style("small", fontSize=8.5, leading=11.5),
        "label": style("label", fontName=sans, fontSize=7.5, leading=10, textColor=MUTED),
        "cell": style("cell", fontSize=8.5, leading=11),
        "head": style(
            "head", fontName=f"{sans}-Bold", fontSize=8, leading=10, textColor=colors.white
        ),
        "h1": style("h1", fontName=f"{sans}-Bold", fontSize=17, leading=22, spaceAfter=10),
        "h2": style("h2", fontName=f"{sans}-Bold", fontSize=12, leading=16, spaceBefore=12),
        "quote": style("quote", fontName=f"{serif}-Italic", leftIndent=10),
        "by": style(
            "by",
            fontName=sans,
            fontSize=8,
            leading=11,
            textColor=MUTED,
            leftIndent=10,
            spaceAfter=8,
        ),
        "source": style("source", fontSize=8.5, leading=12, leftIndent=22, spaceAfter=6),
        "cover": style("cover", fontName=f"{sans}-Bold", fontSize=28, leading=34),
    }


def _figure(n: int | None) -> Figure | None:
    return None if n is None else Figure.exactly(n)


def _count(value: Figure | None) -> str:
    return "unknown" if value is None else str(value)


def _date(value: PartialDate | None) -> str:
    return value.display() if value else "date unknown"


def baseline_story(g: Generated) -> list[Flowable]:
    st = styles()
    names = g.names()
    number = {source: n for n, (source, _) in enumerate(g.sources, start=1)}
    source_of = {i: q.source for i, q in g.quotes}
    ties: dict[UUID, list[str]] = defaultdict(list)
    cited: dict[UUID, set[int]] = defaultdict(set)

    def cite(numbers: set[int]) -> str:
        """Citations as the pack sets them: each [n] a link to its source's entry."""
        marks = "".join(f'<a href="#s{n}" color="#1F5FA8">[{n}]</a>' for n in sorted(numbers))
        return f' <font size="7.5">{marks}</font>' if marks else ""

    for _, link in g.links:
        numbers = {number[source_of.get(c, c)] for c in link.citations}
        cited[link.subject] |= numbers
        cited[link.object] |= numbers
        said = link_caveats(link.confidence, len(link.citations))  # as the pack says them
        aside = (
            f' <font name="{fonts.SANS}" size="8" color="{MUTED}">({said})</font>' if said else ""
        )
        other = escape(names.get(link.object, ""))
        ties[link.subject].append(
            f"{link.relation.label.capitalize()} <b>{other}</b>{cite(numbers)}{aside}"
        )
        mine = escape(names.get(link.subject, ""))
        ties[link.object].append(
            f"{link.relation.inverse_label.capitalize()} <b>{mine}</b>{cite(numbers)}{aside}"
        )

    def quote(q: QuoteFields) -> list[Flowable]:
        said = " · ".join(
            x for x in (names.get(q.speaker, "") if q.speaker else "", _date(q.said)) if x
        )
        flow: list[Flowable] = [Paragraph(f"“{escape(q.text)}”", st["quote"])]
        if q.translation:
            flow.append(Paragraph(f"Translation: {escape(q.translation)}", st["quote"]))
        flow.append(Paragraph(f"— {escape(said)}{cite({number[q.source]})}", st["by"]))
        return flow

    def link_lines(record_id: UUID) -> list[Flowable]:
        return [Paragraph(line, st["small"]) for line in ties[record_id]]

    story: list[Flowable] = [
        Spacer(1, 45 * mm),
        Paragraph(escape(f"Attacks 2005-2020 ({g.attacks_n} attacks)"), st["cover"]),
        Paragraph("Briefing pack", st["body"]),
        PageBreak(),
        Paragraph("Timeline", st["h1"]),
    ]
    header = [Paragraph(t, st["head"]) for t in ("Date", "Attack", "Location", "Method", "K / W")]
    widths = [26 * mm, 52 * mm, 38 * mm, 30 * mm, TEXT_WIDTH - 146 * mm]
    attacks = sorted(g.attacks, key=lambda a: (a[1].date is None, a[1].date or PartialDate(1)))
    rows = [
        [
            Paragraph(escape(_date(a.date)), st["cell"]),
            Paragraph(f'<a href="#a{i}">{escape(a.title)}</a>{cite(cited[i])}', st["cell"]),
            Paragraph(escape(f"{a.city}, {a.country}"), st["cell"]),
            Paragraph(escape(", ".join(a.attack_types)), st["cell"]),
            Paragraph(f"{_count(a.killed)} / {_count(a.wounded)}", st["cell"]),
        ]
        for i, a in attacks
    ]
    table_style = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.SANS),
        ("BACKGROUND", (0, 0), (-1, 0), INK),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), (colors.white, SHADE)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for i in range(0, len(rows), CHUNK):
        story.append(Table([header, *rows[i : i + CHUNK]], widths, repeatRows=1, style=table_style))

    story += [PageBreak(), Paragraph("Attack profiles", st["h1"])]
    fact_style = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.SANS),
        ("BACKGROUND", (0, 0), (-1, -1), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for n, (attack_id, a) in enumerate(attacks):
        facts = [
            ("Date", _date(a.date)),
            ("Location", f"{a.location}, {a.city}, {a.country}"),
            ("Attack type", ", ".join(a.attack_types)),
            ("Weapons", ", ".join(a.weapon_types)),
            ("Killed", _count(a.killed)),
            ("Wounded", _count(a.wounded)),
            ("Claimed", a.claimed.label),
            ("Status", a.status.label),
        ]
        cells = [
            [Paragraph(label.upper(), st["label"]), Paragraph(escape(value), st["cell"])]
            for label, value in facts
        ]
        fact_rows = [left + right for left, right in zip(cells[:4], cells[4:], strict=True)]
        half = TEXT_WIDTH / 2 - 22 * mm
        story += [
            CondPageBreak(40 * mm),
            Paragraph(
                f'<a name="a{attack_id}"/>{escape(a.title)}{cite(cited[attack_id])}', st["h2"]
            ),
            Table(fact_rows, [22 * mm, half, 22 * mm, half], style=fact_style),
            Spacer(1, 4),
            Paragraph(escape(a.summary), st["body"]),
            Paragraph("LINKS", st["label"]),
            *link_lines(attack_id),
            Paragraph("KEY QUOTES", st["label"]),
        ]
        for k in range(4):
            story += quote(g.quotes[(4 * n + k) % len(g.quotes)][1])

    for title, profiles in (
        ("People", [(i, f.name, f.nationality) for i, f in g.people]),
        ("Groups", [(i, f.name, f.country) for i, f in g.groups]),
    ):
        story += [PageBreak(), Paragraph(title, st["h1"])]
        for record_id, name, country in sorted(profiles, key=lambda p: p[1].casefold()):
            story += [
                CondPageBreak(30 * mm),
                Paragraph(f"{escape(name)}{cite(cited[record_id])}", st["h2"]),
                Paragraph(f"<b>Country:</b> {escape(country or 'unknown')}", st["small"]),
                *link_lines(record_id),
            ]

    story += [PageBreak(), Paragraph("Key quotes", st["h1"])]
    for _, q in g.quotes:
        story += quote(q)

    story += [PageBreak(), Paragraph("Sources", st["h1"])]
    for n, (_, s) in enumerate(g.sources, start=1):
        details = ". ".join(escape(x) for x in (", ".join(s.authors), s.publisher) if x)
        grade = s.reliability.label if s.reliability else "not graded"
        text = f'<a name="s{n}"/>[{n}]&nbsp;&nbsp;<b>{escape(s.title)}</b>. {details}. '
        text += f"{escape(s.url)}. {grade}."
        story.append(Paragraph(text, st["source"]))
    return story


def furniture(canvas: Canvas, doc: SimpleDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont(f"{fonts.SANS}-Bold", 9)
    canvas.setFillColor(colors.HexColor("#9B1C1C"))
    canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - MARGIN + 2 * mm, MARKING)
    canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN - 8 * mm, MARKING)
    canvas.setFont(fonts.SANS, 9)
    canvas.setFillColor(MUTED)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, MARGIN, f"Page {doc.page}")
    canvas.restoreState()


def export_baseline(g: Generated, pdf: Path) -> Run:
    start, cpu = time.perf_counter(), time.process_time()
    doc = SimpleDocTemplate(
        str(pdf),
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 6 * mm,
        bottomMargin=MARGIN + 4 * mm,
        initialFontName=fonts.SANS,
    )
    doc.build(baseline_story(g), onFirstPage=furniture, onLaterPages=furniture)
    return Run(time.perf_counter() - start, doc.page, time.process_time() - cpu)


def median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]


# --- the run ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", action="store_true", help="profile the 500-attack export")
    parser.add_argument("--runs", type=int, default=3, help="runs of each export (default 3)")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    fonts.register()  # once per process, as in use; not part of any timing
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases: dict[int, tuple[Generated, Path]] = {}
        print(f"{'generating':<12}{'attacks':>8}{'quotes':>8}{'sources':>8}{'people':>8}"
              f"{'groups':>8}{'links':>8}{'seconds':>9}")  # fmt: skip
        for n in SCALES:
            g = generate(n)
            path = folder / f"case-{n}.casefile"
            seconds = write_case(path, g)
            cases[n] = (g, path)
            print(
                f"{'':<12}{n:>8,}{len(g.quotes):>8,}{len(g.sources):>8,}{len(g.people):>8,}"
                f"{len(g.groups):>8,}{len(g.links):>8,}{seconds:>9.1f}",
                flush=True,
            )
        # Warm-up (imports, the Arabic font's glyph map): not timed.
        export_pack(cases[SCALES[0]][1], folder / "warm-up.pdf")

        print(
            f"\n{'attacks':>8}  {'':<9}{'pages':>7}{'first s':>9}{'median s':>9}{'CPU s':>8}"
            f"{'pages/s':>9}{'ms/page':>9}{'reading':>9}{'ratio':>7}"
        )
        results: dict[int, tuple[Run, Run]] = {}
        for n in SCALES:
            g, path = cases[n]
            packs, bases = [], []
            for _ in range(args.runs):  # in turn: a busy moment falls on both
                packs.append(export_pack(path, folder / f"pack-{n}.pdf"))
                bases.append(export_baseline(g, folder / f"baseline-{n}.pdf"))
            reading = gather_seconds(path)
            pack, base = median_run(packs), median_run(bases)
            results[n] = (pack, base)
            ratio = pack.per_page / base.per_page
            for name, first, run, said in (
                ("pack", packs[0], pack, f"{reading:>9.2f}{ratio:>7.2f}"),
                ("baseline", bases[0], base, ""),
            ):
                print(
                    f"{f'{n:,}' if name == 'pack' else '':>8}  {name:<9}{run.pages:>7,}"
                    f"{first.seconds:>9.2f}{run.seconds:>9.2f}{run.cpu:>8.2f}{run.rate:>9.1f}"
                    f"{run.per_page * 1000:>9.1f}{said}",
                    flush=True,
                )

        pack, base = results[MAIN]
        ratio = pack.per_page / base.per_page
        rates = [results[n][0].rate for n in SCALES]
        print(
            f"\n{MAIN} attacks: ratio {ratio:.2f} (pack s/page / baseline s/page; target <= "
            f"{TARGET_RATIO}) — {'met' if ratio <= TARGET_RATIO else 'NOT met'}"
        )
        print(
            f"{MAIN} attacks: whole pack {pack.seconds:.1f} s (target < {TARGET_SECONDS:.0f} s)"
            f" — {'met' if pack.seconds < TARGET_SECONDS else 'NOT met'}"
        )
        print(
            f"scaling: pack pages/s {' → '.join(f'{r:.1f}' for r in rates)} for "
            f"{' / '.join(f'{n:,}' for n in SCALES)} attacks "
            f"(slowest/fastest {min(rates) / max(rates):.2f}; 1.00 is flat; target >= 0.85)"
            f" — {'met' if min(rates) / max(rates) >= FLAT_AT_LEAST else 'NOT met'}"
        )
        print("(reading: gathering the pack's content from the case alone, seconds)")
        print(
            f"{args.runs} runs of each export, in turn; load average {load:.2f} before, "
            f"{os.getloadavg()[0]:.2f} after, on {os.cpu_count()} CPUs"
        )
        if args.profile:
            print(f"\ncProfile of the {MAIN}-attack export, top 15 by cumulative time:")
            print(profile_pack(cases[MAIN][1], folder / "profiled.pdf"))


if __name__ == "__main__":
    main()
