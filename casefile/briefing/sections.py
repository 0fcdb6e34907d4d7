"""The pack's sections as ReportLab flowables, from the gathered content.

Every piece of user text goes through ``writing_systems.markup`` or
``writing_systems.paragraph`` (escaped, each script in a font that has it); every cited
statement ends with its [n] marks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from html import escape
from uuid import UUID

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Spacer,
)

from casefile.briefing.charts import charts
from casefile.briefing.content import (
    AttackEntry,
    FactLine,
    PackContent,
    ProfileEntry,
    QuoteEntry,
    SourceEntry,
    Tie,
)
from casefile.briefing.fonts import SANS, SERIF, covers
from casefile.briefing.options import PackOptions, Section, tlp_colour
from casefile.briefing.pages import (
    INK,
    MUTED,
    RULE,
    TEXT_WIDTH,
    Anchored,
    Heading,
    PageOf,
    grid,
    rows_table,
)
from casefile.briefing.writing_systems import Para, base_is_rtl, markup, para, paragraph
from casefile.domain.dates import PartialDate
from casefile.domain.display import UNSOURCED, display, shortened
from casefile.domain.figures import Figure
from casefile.domain.moments import moment
from casefile.domain.terms import Probability

LINK = "rgb(31,95,168)"  # ReportLab reads rgb() five times faster than #1F5FA8
SHADE = colors.HexColor("#F2F4F6")


def _style(name: str, **values: object) -> ParagraphStyle:
    base: dict[str, object] = {
        "fontName": SERIF,
        "fontSize": 9.5,
        "leading": 13.5,
        "textColor": INK,
        # No paragraph leaves one line alone at a page's foot or head.
        "allowWidows": 0,
        "allowOrphans": 0,
    }
    base.update(values)
    return ParagraphStyle(name, **base)


# The sections that flow one into the next at the front of a pack: what a reader with
# five minutes reads.
FRONT = frozenset({Section.JUDGEMENTS, Section.SUMMARY, Section.GAPS})
# The gaps section lists this many attacks; the rest are counted (their profiles say).
GAPS_AT_MOST = 12
# A quote longer than this (characters) is cut to its first EXCERPT in profiles and key
# quotes when the annex holds it whole: a 3,000-character statement is not printed twice.
LONG_QUOTE = 600
EXCERPT = 400
# Under a fact box no source reports anything in.
ALL_UNSOURCED = "No source reports these facts: they were entered directly (unsourced)."
# The cover's scope line names at most this many chosen attacks.
SCOPE_NAMES = 5
BODY = _style("body", spaceAfter=6)
JUDGEMENT_HOW = _style("judgement-how", leftIndent=12, spaceBefore=-4, spaceAfter=8)
SMALL = _style("small", fontSize=8.5, leading=11.5)
LABEL = _style("label", fontName=SANS, fontSize=7.5, leading=10, textColor=MUTED)
KEEP_LABEL = ParagraphStyle("keep-label", parent=LABEL, keepWithNext=1)
CELL = _style("cell", fontSize=8.5, leading=11)
HEAD_CELL = _style(
    "head-cell", fontName=f"{SANS}-Bold", fontSize=8, leading=10, textColor=colors.white
)
H1 = _style(
    "h1",
    fontName=f"{SANS}-Bold",
    fontSize=17,
    leading=22,
    spaceBefore=4,
    spaceAfter=10,
    keepWithNext=1,
)
H2 = _style(
    "h2",
    fontName=f"{SANS}-Bold",
    fontSize=12,
    leading=16,
    spaceBefore=12,
    spaceAfter=4,
)  # each profile is kept together on a page where it fits
QUOTE = _style(
    "quote",
    fontName=f"{SERIF}-Italic",
    fontSize=9.5,
    leading=13.5,
    leftIndent=10,
    rightIndent=10,
    spaceAfter=8,
    allowWidows=0,
)
ATTRIBUTION = _style("attribution", fontName=SANS, leftIndent=10, spaceAfter=8)
SOURCE_CELL = _style("source-cell", fontSize=8.5, leading=11.5)
TOC = _style("toc", fontName=SANS, fontSize=10.5, leading=15)
COVER_TITLE = _style("cover-title", fontName=f"{SANS}-Bold", fontSize=28, leading=34, spaceAfter=10)
COVER_SUB = _style(
    "cover-sub", fontName=SANS, fontSize=15, leading=20, textColor=MUTED, spaceAfter=28
)

TABLE_STYLE: tuple[tuple[object, ...], ...] = (
    ("BACKGROUND", (0, 0), (-1, 0), INK),
    ("ROWBACKGROUNDS", (0, 1), (-1, -1), (colors.white, SHADE)),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
    ("TOPPADDING", (0, 0), (-1, -1), 3),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
)


class Story:
    """Builds the flowables of one pack. Sources are numbered [1], [2]... as the pages cite
    them, each mark a link to its entry in the list; with no list, no marks."""

    def __init__(
        self,
        content: PackContent,
        options: PackOptions,
        created: datetime,
        as_of: datetime | None,
    ) -> None:
        """``as_of``: the time of the case's newest change the pack includes."""
        self.content = content
        self.options = options
        self.created = created
        self.as_of = as_of
        self.numbers: dict[UUID, int] = {}
        # Every source the pages rest on, numbered or not (a pack without its list of
        # sources prints no marks, but its facts came from them: its cut-off is theirs).
        self.drawn_on: set[UUID] = set()
        self._parsed: dict[tuple[QuoteEntry, str], tuple[ParagraphStyle, list[object]]] = {}
        # The annex is printed when it holds what the pages before do not: a quote not
        # among the key ones, or one too long to print whole anywhere else.
        every, key = content.every_quote, content.quotes
        self.annexed = len(every) > len(key) or any(len(q.text) > LONG_QUOTE for q in every)

    def cites(self, sources: Sequence[UUID], grade: str = "") -> str:
        """The marks of ``sources`` ("[2]"); with a quote's Admiralty ``grade``, in the
        mark of its one source ("[2 · B2]")."""
        self.drawn_on.update(sources)
        if not sources or Section.SOURCES not in self.options.sections:
            return ""
        numbers = sorted({self.numbers.setdefault(s, len(self.numbers) + 1) for s in sources})
        graded = f" · {grade}" if grade and len(numbers) == 1 else ""
        # One tag per number: markup parsing is a good part of a pack's time.
        look = f'color="{LINK}" face="{SANS}" size="7.5"'

        def mark(n: int) -> str:
            return f'<a href="#source-{n}" {look}>{n}</a>'

        runs = ", ".join(
            mark(first)
            if first == last
            else f"{mark(first)}{'–' if last > first + 1 else ', '}{mark(last)}"
            for first, last in _runs(numbers)
        )
        return f' <font color="{LINK}" face="{SANS}" size="7.5">[{runs}{graded}]</font>'

    def flowables(self) -> list[Flowable]:
        c = self.content
        sections: list[tuple[Section, list[Flowable]]] = []
        if c.judgements:
            sections.append((Section.JUDGEMENTS, self.judgements()))
        if c.summary or c.overview or c.since:
            sections.append((Section.SUMMARY, self.summary()))
        if c.gaps:
            sections.append((Section.GAPS, self.gaps()))
        if c.attacks and Section.TIMELINE in self.options.sections:
            sections.append((Section.TIMELINE, self.timeline()))
        if c.attacks and Section.ATTACKS in self.options.sections:
            sections.append((Section.ATTACKS, self.attacks()))
        if c.people:
            sections.append((Section.PEOPLE, self.profiles(c.people)))
        if c.groups:
            sections.append((Section.GROUPS, self.profiles(c.groups)))
        if c.quotes:
            sections.append((Section.QUOTES, [self.quote(q) for q in c.quotes]))
        annex = [self.quote(q, whole=True) for q in c.every_quote] if self.annexed else []
        drawn = charts(c.attacks) if Section.CHARTS in self.options.sections else []
        if drawn:
            sections.append((Section.CHARTS, drawn))
        if self.numbers:  # it lists what the sections above cited, in their order
            sections.append((Section.SOURCES, self.sources()))
        if annex:
            sections.append((Section.ANNEX, annex))

        story: list[Flowable] = self.cover(bool(self.numbers))
        if not sections:
            story.append(PageBreak())
            story.append(
                para(
                    "There is nothing to report in the chosen scope and sections: no summary, "
                    "attacks, people, groups or quotes.",
                    BODY,
                )
            )
            return story
        story += self.contents([section for section, _ in sections])
        for number, (section, body) in enumerate(sections):
            title = section.label
            # The front section (judgements, summary) flows on: one page, not two half-empty.
            flows_on = number and section in FRONT and sections[number - 1][0] in FRONT
            story += [
                *([CondPageBreak(60 * mm), Spacer(1, 8 * mm)] if flows_on else [PageBreak()]),
                Heading(
                    markup(title, bold=True), H1, anchor=f"section-{section.value}", outline=title
                ),
            ]
            story += body
        return story

    def cover(self, cited: bool) -> list[Flowable]:
        o = self.options
        rows = [
            ("Marking", o.marking),
            *(o.handling.said() if o.handling else []),
            ("Author", o.author if o.show_author else ""),
            ("Date", PartialDate(*self.created.timetuple()[:3]).display()),  # not the locale's
            ("Version", o.version),
            ("Cut-off", self.cut_off()),
            ("Scope", self.scope_text()),
            # A pack of part of a case says which case it is drawn from.
            ("Case", "" if o.scope.whole_case else self.content.case_title),
        ]
        facts = grid(
            [
                [para(label.upper(), LABEL), para(markup(value), BODY)]
                for label, value in rows
                if value
            ],
            [28 * mm, TEXT_WIDTH - 28 * mm],
            [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEABOVE", (0, 0), (-1, 0), 1.5, INK)],
        )
        flow: list[Flowable] = [
            Spacer(1, 45 * mm),
            para(markup(self.content.title, bold=True), COVER_TITLE),
            para(markup(o.subtitle), COVER_SUB),
            facts,
            Spacer(1, 3 * mm),
            para(markup(self.built()), SMALL),
            Spacer(1, 10 * mm),
        ]
        if cited:
            flow.append(
                para(
                    "Every fact, quote and profile in this pack cites its sources as [n]; the "
                    "numbered list of sources at the end gives each one's reliability grade "
                    "(Admiralty scale) and the SHA-256 of every stored document.",
                    SMALL,
                )
            )
        colour = tlp_colour(o.marking)
        if colour:
            flow.append(Spacer(1, 4 * mm))
            flow.append(para(_TLP_MEANING[o.marking], SMALL))
        return flow

    def cut_off(self) -> str:
        """The information cut-off: the date of the newest source the pack rests on (when
        it was published, or else accessed); "" when none of them is dated."""
        sources = self.content.sources
        dated = [d for d in (sources[s].dated for s in self.drawn_on if s in sources) if d]
        if not dated:
            return ""
        newest = max(dated, key=lambda d: d.last_day())
        return f"{newest.display()}: the newest source this pack rests on"

    def built(self) -> str:
        """ "Version 3, built 9 Dec 2026 10:32 CET from the case as of 8 Dec 2026 16:05
        CET": which pack this is, and how recent what it says is."""
        built = f"Version {self.options.version}, built {moment(self.created)}"
        return f"{built} from the case as of {moment(self.as_of)}." if self.as_of else f"{built}."

    def scope_text(self) -> str:
        """What the pack covers, with the count and span of its attacks."""
        scope = self.options.scope
        attacks = self.content.attacks
        dated = [a.date for a in attacks if a.year is not None]
        span = f" from {dated[0]} to {dated[-1]}" if len(dated) > 1 else ""
        count = f"{len(attacks)} attack{'s' if len(attacks) != 1 else ''}{span}"
        if scope.whole_case:
            return f"The whole case: {count}" if attacks else "The whole case"
        parts = []
        if scope.attacks:
            named = [a.title for a in attacks]
            shown = ", ".join(named[:SCOPE_NAMES]) + (", …" if len(named) > SCOPE_NAMES else "")
            parts.append(f"chosen attacks ({shown})")
        if scope.tag:
            parts.append(f"attacks tagged “{scope.tag}”")
        if scope.dates:
            parts.append(f"attacks {scope.dates.said()}")
        chosen = "; ".join(parts)
        return f"{chosen[:1].upper()}{chosen[1:]}: {count}"

    def contents(self, sections: Sequence[Section]) -> list[Flowable]:
        rows = [
            [
                para(f'<a href="#section-{s.value}">{markup(s.label)}</a>', TOC),
                PageOf(f"section-{s.value}", 10.5),
            ]
            for s in sections
        ]
        listing = grid(
            rows, [TEXT_WIDTH - 20 * mm, 20 * mm], [("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE)]
        )
        return [PageBreak(), para("Contents", H1), listing]

    def judgements(self) -> list[Flowable]:
        """Each current judgement, numbered, in the yardstick's words with their range,
        its confidence and basis, and the sources it rests on; then the yardstick, the
        terms this pack uses in bold, so that "likely" reads as 55–75% and nothing else."""
        flow: list[Flowable] = []
        for number, j in enumerate(self.content.judgements, start=1):
            how = [f"{_bold(j.probability.label, True)} ({markup(j.probability.explanation)})"]
            how += [markup(x) for x in (j.confidence, f"made {j.made}" if j.made else "") if x]
            flow.append(para(f"<b>{number}.</b> {markup(j.statement)}{self.cites(j.cites)}", BODY))
            flow.append(para(_muted(" · ".join(how), 8.5), JUDGEMENT_HOW))
        used = {j.probability for j in self.content.judgements}
        rows = [
            [para(_bold(p.label, p in used), CELL), para(_bold(p.explanation, p in used), CELL)]
            for p in Probability
        ]
        legend = grid(
            [[para("PROBABILITY", LABEL), para("LIKELIHOOD", LABEL)], *rows],
            [45 * mm, 30 * mm],
            [*_plain_cells(first_row=0), ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE)],
        )
        legend.hAlign = "LEFT"
        caption = para(
            "The UK Professional Head of Intelligence Assessment probability yardstick.", SMALL
        )
        return [*flow, Spacer(1, 4 * mm), KeepTogether([legend, Spacer(1, 2 * mm), caption])]

    def gaps(self) -> list[Flowable]:
        """What the case does not know, attack by attack: disputed facts first (each
        attack's profile prints every value reported), then what no source reports, then
        what is not known at all."""
        gaps = sorted(self.content.gaps, key=lambda g: (-len(g.disputed), -len(g.unsourced)))
        flow: list[Flowable] = []
        for g in gaps[:GAPS_AT_MOST]:
            said = [
                f"{what}: {markup(', '.join(facts))}"
                for what, facts in (
                    ("reports disagree on", g.disputed),
                    ("no source reports", g.unsourced),
                    ("not known", g.unknown),
                )
                if facts
            ]
            link = f'<a href="#{g.key}" color="{LINK}">{markup(g.attack, bold=True)}</a>'
            flow.append(para(f"<b>{link}</b> — {'; '.join(said)}.", BODY))
        if len(gaps) > GAPS_AT_MOST:
            more = len(gaps) - GAPS_AT_MOST
            flow.append(para(f"And {more:,} more attacks with gaps: see their profiles.", BODY))
        return flow

    def summary(self) -> list[Flowable]:
        said = [paragraph(part, BODY) for part in self.content.summary.split("\n") if part.strip()]
        since = [para(markup(self.content.since), BODY)] if self.content.since else []
        return [
            *said,
            *(
                para(markup(line) + self.cites(cites), BODY)
                for line, cites in self.content.overview
            ),
            *since,
        ]

    def timeline(self) -> list[Flowable]:
        header = [
            para(t, HEAD_CELL) for t in ("Date", "Attack", "Location", "Method", "Killed / wounded")
        ]
        widths = [26 * mm, 48 * mm, 34 * mm, 38 * mm, TEXT_WIDTH - 146 * mm]
        rows = [
            [
                _cell(a.date, widths[0]),
                self.attack_title(a),
                _cell(a.location, widths[2]),
                _cell(", ".join(a.attack_types), widths[3]),
                _cell(_casualties(a.killed, a.wounded), widths[4]),
            ]
            for a in self.content.attacks
        ]
        return [rows_table(header, rows, widths, [*TABLE_STYLE, *_plain_cells(first_row=1)])]

    def attack_title(self, a: AttackEntry) -> Flowable:
        """The title, linked to the attack's profile when the pack has the profiles."""
        link = f"#{a.key}" if Section.ATTACKS in self.options.sections else ""
        return paragraph(a.title, CELL, link=link, after=self.cites(a.cites))

    def attacks(self) -> list[Flowable]:
        flow: list[Flowable] = []
        for a in self.content.attacks:
            text = markup(a.title, bold=True) + self.cites(a.cites)
            profile: list[Flowable] = [Heading(text, H2, anchor=a.key, level=1, outline=a.title)]
            profile += [*self.fact_box(a), Spacer(1, 6)]
            if a.summary:
                profile += [paragraph(part, BODY) for part in a.summary.split("\n") if part.strip()]
            profile += self.ties(a.ties)
            if a.quotes:
                profile.append(para("KEY QUOTES", KEEP_LABEL))
                profile += [self.quote(q) for q in a.quotes]
            # A profile that fits on a page is kept on one; a longer one starts a page and
            # its name heads the next ("continued": ``PackDocument.handle_flowable``).
            flow.append(KeepTogether(profile))
        return flow

    def fact_box(self, a: AttackEntry) -> list[Flowable]:
        """Each fact with the sources of the value printed, how it was chosen, and any
        other value reported ("5 [4]"): a reader sees what is argued, and by whom. When no
        source reports any of them, one line under the box says so, not one per fact."""
        facts = [
            ("Date", a.date, ("date", "end_date")),
            ("Location", a.location or "unknown", ("location",)),
            ("Attack type", ", ".join(a.attack_types) or "unknown", ("attack_types",)),
            ("Weapons", a.weapon_types or "unknown", ("weapon_types",)),
            ("Killed", display("killed", a.killed, {}), ("killed",)),
            ("Wounded", display("wounded", a.wounded, {}), ("wounded",)),
            ("Claimed", a.claimed, ("claimed", "claimed_by", "claim_date", "claim_method")),
            ("Status", a.status, ("status",)),
        ]
        label_width, value_width = 22 * mm, TEXT_WIDTH / 2 - 22 * mm
        unsourced = all(
            not line.cites and not line.others and line.chosen in ("", UNSOURCED)
            for line in a.facts.values()
        ) and any(line.chosen for line in a.facts.values())
        cells = [
            [
                label.upper(),
                _cell(value, value_width)
                if unsourced
                else self.fact_cell(
                    value, [a.facts[n] for n in names if n in a.facts], value_width
                ),
            ]
            for label, value, names in facts
        ]
        half = (len(cells) + 1) // 2
        rows = [
            left + right
            for left, right in zip(cells[:half], [*cells[half:], ["", ""]], strict=False)
        ]
        box = grid(
            rows,
            [label_width, value_width, label_width, value_width],
            [
                *_plain_cells(first_row=0),
                *(
                    (command, (column, 0), (column, -1), value)
                    for column in (0, 2)
                    for command, value in _LABEL_CELL
                ),
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LINEABOVE", (0, 0), (-1, 0), 1, INK),
            ],
        )
        if not unsourced:
            return [box]
        return [box, para(_muted(ALL_UNSOURCED, 7.5), SMALL)]

    def fact_cell(self, value: str, lines: Sequence[FactLine], width: float) -> str | Flowable:
        """``value`` with what stands behind it, from the facts it is printed from."""
        cites = tuple(dict.fromkeys(c for line in lines for c in line.cites))
        chosen = next((line.chosen for line in lines if line.chosen), "")
        others = [(said, ids) for line in lines for said, ids in line.others]
        if not cites and not chosen and not others:
            return _cell(value, width)
        text = markup(value) + self.cites(cites)
        if chosen:
            text += " " + _muted(f"({markup(chosen)})", 7.5)
        if others:
            also = "; ".join(markup(said) + self.cites(ids) for said, ids in others)
            text += "<br/>" + _muted("also reported: ", 7.5) + also
        return para(text, CELL)

    def ties(self, ties: Sequence[Tie]) -> list[Flowable]:
        if not ties:
            return []
        lines = [
            f"{markup(t.how.capitalize())} <b>{markup(t.other, bold=True)}</b>{self.cites(t.cites)}"
            + (" " + _muted(f"({markup(t.caveats)})", 8) if t.caveats else "")
            for t in ties
        ]
        return [
            para("<br/>".join([_muted("LINKS", 7.5), *lines]), SMALL),
            Spacer(1, 6),
        ]

    def profiles(self, profiles: Sequence[ProfileEntry]) -> list[Flowable]:
        """Who's who, circle by circle under a label (subjects apart from officials)."""
        flow: list[Flowable] = []
        circle = None
        for p in profiles:
            if p.circle != circle:
                circle = p.circle
                label = para(markup(circle.upper()), KEEP_LABEL)
                label.ends_profile = True  # a new circle: no profile runs on past it
                flow += [CondPageBreak(40 * mm), Spacer(1, 2 * mm), label]
            text = markup(p.name, bold=True) + self.cites(p.cites)
            if p.beside:  # the same name in another script: set on its own, not bold
                text += f"  {_muted(markup(p.beside), 10)}"
            head = Heading(text, H2, anchor=p.key, level=1, outline=p.name)
            facts = [f"<b>{label}:</b> {markup(value)}" for label, value in p.facts]
            if p.aliases:
                facts.insert(0, f"<b>Also known as:</b> {markup(p.aliases)}")
            body: list[Flowable] = [para(" · ".join(facts), SMALL)] if facts else []
            flow.append(KeepTogether([head, *body, *self.ties(p.ties)]))
        return flow

    def quote(self, q: QuoteEntry, *, whole: bool = False) -> Flowable:
        """A quote with its attribution; a long one cut to its start where the annex
        holds it whole (``whole``: this is the annex)."""
        # Each part set on its own (as if isolated): "22 July 2010" after an Arabic name
        # would otherwise join the name's right-to-left run.
        fields = (q.speaker, q.said, f"p. {q.page}" if q.page else "", f"at {q.at}" if q.at else "")
        said = " · ".join(markup(field) for field in fields if field)
        attribution = (_muted(f"— {said}", 8) if said else "") + self.cites(q.cites, q.grade)
        text = q.text
        if not whole and self.annexed and len(text) > LONG_QUOTE:
            text = shortened(text, EXCERPT)
            attribution += " " + _muted("(shortened: the whole quote is in the annex)", 8)
        translation = f"Translation: {q.translation}" if q.translation else ""
        if base_is_rtl(text):  # set apart, with no English quotation marks
            parts = [paragraph(text, QUOTE)]
            if translation:
                parts.append(paragraph(translation, QUOTE))
            return KeepTogether([*parts, para(attribution, ATTRIBUTION)])
        # One paragraph (quote, translation, attribution) that never leaves a line alone.
        # A quote printed twice (key quote of an attack, and in Key quotes) is parsed once.
        key = (q, text)
        if key in self._parsed:
            style, frags = self._parsed[key]
            return Para(None, style, frags=list(frags))
        lines = [f"“{markup(text)}”", markup(translation), attribution]
        shown = para("<br/>".join(line for line in lines if line), QUOTE)
        self._parsed[key] = (shown.style, list(shown.frags))
        return shown

    def sources(self) -> list[Flowable]:
        """The evidence register: a row per source cited, in the order first cited, with
        what a reader weighs it by (kind, publisher, date, language, grade), its address
        and the SHA-256 of each stored document; a count by grade above it."""
        cited = sorted(self.numbers.items(), key=lambda item: item[1])
        entries = [(number, self.content.sources[source_id]) for source_id, number in cited]
        rows = [
            [
                Anchored(f"[{number}]", SOURCE_CELL, anchor=f"source-{number}"),
                self.source_cell(s),
                para(_grade_cell(s), SOURCE_CELL),
            ]
            for number, s in entries
        ]
        header = [para(label, LABEL) for label in ("", "SOURCE", "GRADE")]
        widths = [12 * mm, TEXT_WIDTH - 42 * mm, 30 * mm]
        style = [
            *_plain_cells(first_row=1),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ]
        return [
            para(_grade_count([s for _, s in entries]), BODY),
            rows_table(header, rows, widths, style),
        ]

    def source_cell(self, s: SourceEntry) -> list[Flowable]:
        """A source's cell: its title, then what it is, where to find it, its documents."""
        lines = []
        about = [markup(x) for x in (s.kind, s.authors, s.publisher, s.published, s.language) if x]
        if about:
            lines.append(" · ".join(about))
        if s.url:
            shown = markup(s.url)
            if s.url.lower().startswith(("http://", "https://")):  # no javascript: or file:
                shown = f'<a href="{escape(s.url, quote=True)}" color="{LINK}">{shown}</a>'
            lines.append(shown)
        lines.extend(_muted(f"{markup(name)} · SHA-256 {sha}", 7) for name, sha in s.documents)
        title = paragraph(s.title, SOURCE_CELL, bold=True)  # in reading order on every line
        return [title, para("<br/>".join(lines), SOURCE_CELL)] if lines else [title]


def _grade_cell(s: SourceEntry) -> str:
    """The reliability's letter, and what it means, small beneath it."""
    if not s.grade:
        return _muted("not graded", 7)
    meaning = s.reliability.partition(" — ")[2]
    return f"<b>{markup(s.grade)}</b><br/>{_muted(markup(meaning), 7)}"


def _grade_count(sources: Sequence[SourceEntry]) -> str:
    """ "5 sources cited: graded B 2, F 2; not graded 1." """
    grades = Counter(s.grade for s in sources)
    graded = ", ".join(f"{g} {n:,}" for g, n in sorted(grades.items()) if g)
    parts = [f"graded {graded}"] if graded else []
    if grades[""]:
        parts.append(f"not graded {grades['']:,}")
    count = f"{len(sources):,} source{'s' if len(sources) != 1 else ''} cited"
    return f"{count}: {'; '.join(parts)}. Reliability on the Admiralty scale (A to F)."


def _runs(numbers: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted numbers as runs of consecutive ones: [1, 2, 3, 4, 7] → (1, 4), (7, 7); a
    citation reads "[1–4, 7]", each number a link to its source."""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _bold(text: str, bold: bool) -> str:
    return f"<b>{markup(text, bold=True)}</b>" if bold else markup(text)


def _plain_cells(first_row: int) -> list[tuple[object, ...]]:
    """How a table sets plain-text cells: much cheaper than a paragraph in each."""
    start = (0, first_row)
    return [
        ("FONTNAME", start, (-1, -1), SERIF),
        ("FONTSIZE", start, (-1, -1), 8.5),
        ("LEADING", start, (-1, -1), 11),
        ("TEXTCOLOR", start, (-1, -1), INK),
    ]


_LABEL_CELL = (("FONTNAME", SANS), ("FONTSIZE", 7.5), ("TEXTCOLOR", MUTED))


def _cell(text: str, width: float) -> str | Flowable:
    """Plain text where it fits on one line in the body font; else a wrapping paragraph."""
    fits = stringWidth(text, SERIF, 8.5) <= width - 12  # less the cell's padding
    if fits and "\n" not in text and covers(SERIF, text):
        return text
    return paragraph(text, CELL)


_MUTED = "rgb({},{},{})".format(*(round(255 * c) for c in MUTED.rgb()))


def _casualties(killed: Figure | None, wounded: Figure | None) -> str:
    return f"{display('killed', killed, {})} / {display('wounded', wounded, {})}"


def _muted(text_markup: str, size: float) -> str:
    """A small grey aside in the furniture's font, inside a paragraph."""
    return f'<font name="{SANS}" size="{size}" color="{_MUTED}">{text_markup}</font>'


_TLP_MEANING = {
    "TLP:CLEAR": "TLP:CLEAR — recipients may share this information without restriction.",
    "TLP:GREEN": "TLP:GREEN — recipients may share this within their community, not publicly.",
    "TLP:AMBER": "TLP:AMBER — limited disclosure: recipients may share this only within their "
    "organisation and its clients, on a need-to-know basis.",
    "TLP:AMBER+STRICT": "TLP:AMBER+STRICT — limited disclosure: recipients may share this only "
    "within their own organisation, on a need-to-know basis.",
    "TLP:RED": "TLP:RED — for the eyes and ears of the individual recipients only; no further "
    "disclosure.",
}
