"""The pack's sections as ReportLab flowables, from the gathered content.

Every piece of user text goes through ``script.markup`` or ``script.paragraph`` (escaped,
each script in a font that has it); every cited statement ends with its [n] marks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Spacer,
)

from casefile.briefing.charts import charts
from casefile.briefing.content import (
    AttackEntry,
    PackContent,
    ProfileEntry,
    QuoteEntry,
    SourceEntry,
    Tie,
)
from casefile.briefing.fonts import SANS, SERIF
from casefile.briefing.options import PackOptions, Section, tlp_colour
from casefile.briefing.pages import (
    INK,
    MUTED,
    RULE,
    TEXT_WIDTH,
    Anchor,
    Heading,
    PageOf,
    grid,
    rows_table,
)
from casefile.briefing.script import base_is_rtl, markup, para, paragraph

LINK = "#1F5FA8"
SHADE = colors.HexColor("#F2F4F6")


def _style(name: str, **values: object) -> ParagraphStyle:
    base: dict[str, object] = {
        "fontName": SERIF,
        "fontSize": 9.5,
        "leading": 13.5,
        "textColor": INK,
    }
    base.update(values)
    return ParagraphStyle(name, **base)


BODY = _style("body", spaceAfter=6)
SMALL = _style("small", fontSize=8.5, leading=11.5)
LABEL = _style("label", fontName=SANS, fontSize=7.5, leading=10, textColor=MUTED)
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
    keepWithNext=1,
)
QUOTE = _style(
    "quote", fontName=f"{SERIF}-Italic", fontSize=9.5, leading=13.5, leftIndent=10, rightIndent=10
)
ATTRIBUTION = _style(
    "attribution",
    fontName=SANS,
    fontSize=8,
    leading=11,
    textColor=MUTED,
    leftIndent=10,
    spaceAfter=8,
)
SOURCE = _style(
    "source", fontSize=8.5, leading=12, leftIndent=22, firstLineIndent=-22, spaceAfter=6
)
HASH = _style("hash", fontName=SANS, fontSize=7, leading=9.5, textColor=MUTED, leftIndent=22)
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
    """Builds the flowables of one pack; citations link to the sources when they are listed."""

    def __init__(self, content: PackContent, options: PackOptions, created: datetime) -> None:
        self.content = content
        self.options = options
        self.created = created
        self.linked = bool(content.sources)

    def cites(self, numbers: Sequence[int]) -> str:
        if not numbers:
            return ""
        marks = (
            f'<a href="#source-{n}" color="{LINK}">[{n}]</a>' if self.linked else f"[{n}]"
            for n in numbers
        )
        return f' <font name="{SANS}" size="7.5">{"".join(marks)}</font>'

    def flowables(self) -> list[Flowable]:
        c = self.content
        sections: list[tuple[Section, list[Flowable]]] = []
        if c.summary:
            sections.append((Section.SUMMARY, self.summary()))
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
        drawn = charts(c.attacks) if Section.CHARTS in self.options.sections else []
        if drawn:
            sections.append((Section.CHARTS, drawn))
        if c.sources:
            sections.append((Section.SOURCES, self.sources(c.sources)))

        story: list[Flowable] = [NextPageTemplate("body"), *self.cover()]
        if not sections:
            story.append(PageBreak())
            story.append(
                para(
                    "This case holds nothing to report in the chosen scope yet: no summary, "
                    "attacks, people, groups or quotes.",
                    BODY,
                )
            )
            return story
        story += self.contents([section for section, _ in sections])
        for section, body in sections:
            title = section.label
            story += [PageBreak(), Heading(markup(title), H1, f"section-{section.value}", 0, title)]
            story += body
        return story

    def cover(self) -> list[Flowable]:
        o = self.options
        rows = [
            ("Marking", o.marking),
            ("Author", o.author if o.show_author else ""),
            ("Date", self.created.strftime("%-d %B %Y")),
            ("Version", o.version),
            ("Scope", self.scope_text()),
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
            para(markup(self.content.title), COVER_TITLE),
            para(markup(o.subtitle), COVER_SUB),
            facts,
            Spacer(1, 14 * mm),
            para(
                "Every fact, quote and profile in this pack cites its sources as [n]; the "
                "numbered list of sources at the end gives each one's reliability grade "
                "(Admiralty scale) and the SHA-256 of every stored document.",
                SMALL,
            ),
        ]
        colour = tlp_colour(o.marking)
        if colour:
            flow.append(Spacer(1, 4 * mm))
            flow.append(para(_TLP_MEANING[o.marking], SMALL))
        return flow

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
            parts.append(f"{len(scope.attacks)} chosen attack(s)")
        if scope.tag:
            parts.append(f"attacks tagged “{scope.tag}”")
        if scope.start or scope.end:
            parts.append(f"attacks from {scope.start or 'the start'} to {scope.end or 'now'}")
        return "; ".join(parts) + f" ({count})"

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

    def summary(self) -> list[Flowable]:
        return [paragraph(part, BODY) for part in self.content.summary.split("\n") if part.strip()]

    def timeline(self) -> list[Flowable]:
        header = [
            para(t, HEAD_CELL) for t in ("Date", "Attack", "Location", "Method", "Killed / wounded")
        ]
        rows = [
            [
                para(markup(a.date), CELL),
                para(self.attack_title(a), CELL),
                para(markup(a.location), CELL),
                para(markup(", ".join(a.attack_types)), CELL),
                para(f"{_count(a.killed)} / {_count(a.wounded)}", CELL),
            ]
            for a in self.content.attacks
        ]
        widths = [26 * mm, 52 * mm, 38 * mm, 30 * mm, TEXT_WIDTH - 146 * mm]
        return [rows_table(header, rows, widths, TABLE_STYLE)]

    def attack_title(self, a: AttackEntry) -> str:
        """The title, linked to the attack's profile when the pack has the profiles."""
        title = markup(a.title)
        if Section.ATTACKS in self.options.sections:
            title = f'<a href="#{a.key}">{title}</a>'
        return title + self.cites(a.cites)

    def attacks(self) -> list[Flowable]:
        flow: list[Flowable] = []
        for a in self.content.attacks:
            flow += [
                CondPageBreak(40 * mm),
                Heading(markup(a.title) + self.cites(a.cites), H2, a.key, 1, a.title),
            ]
            flow += [self.fact_box(a), Spacer(1, 6)]
            if a.summary:
                flow += [paragraph(part, BODY) for part in a.summary.split("\n") if part.strip()]
            flow += self.ties(a.ties)
            if a.quotes:
                flow.append(para("KEY QUOTES", LABEL))
                flow += [self.quote(q) for q in a.quotes]
        return flow

    def fact_box(self, a: AttackEntry) -> Flowable:
        facts = [
            ("Date", a.date),
            ("Location", a.location or "unknown"),
            ("Attack type", ", ".join(a.attack_types) or "unknown"),
            ("Weapons", a.weapon_types or "unknown"),
            ("Killed", _count(a.killed)),
            ("Wounded", _count(a.wounded)),
            ("Claimed", a.claimed),
            ("Status", a.status),
        ]
        cells = [[para(label.upper(), LABEL), para(markup(value), CELL)] for label, value in facts]
        half = (len(cells) + 1) // 2
        rows = [
            left + right
            for left, right in zip(cells[:half], [*cells[half:], ["", ""]], strict=False)
        ]
        label_width, value_width = 22 * mm, TEXT_WIDTH / 2 - 22 * mm
        return grid(
            rows,
            [label_width, value_width, label_width, value_width],
            [
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LINEABOVE", (0, 0), (-1, 0), 1, INK),
            ],
        )

    def ties(self, ties: Sequence[Tie]) -> list[Flowable]:
        if not ties:
            return []
        lines = [
            f"{markup(t.how.capitalize())} <b>{markup(t.other)}</b>{self.cites(t.cites)}"
            for t in ties
        ]
        return [
            para("LINKS", LABEL),
            *(para(line, SMALL) for line in lines),
            Spacer(1, 6),
        ]

    def profiles(self, profiles: Sequence[ProfileEntry]) -> list[Flowable]:
        flow: list[Flowable] = []
        for p in profiles:
            head = Heading(markup(p.name) + self.cites(p.cites), H2, p.key, 1, p.name)
            facts = [f"<b>{label}:</b> {markup(value)}" for label, value in p.facts]
            if p.aliases:
                facts.insert(0, f"<b>Also known as:</b> {markup(p.aliases)}")
            body: list[Flowable] = [para(" · ".join(facts), SMALL)] if facts else []
            flow += [CondPageBreak(30 * mm), KeepTogether([head, *body]), *self.ties(p.ties)]
        return flow

    def quote(self, q: QuoteEntry) -> Flowable:
        said = " · ".join(
            part for part in (q.speaker, q.said, f"p. {q.page}" if q.page else "") if part
        )
        # Right-to-left text is set without English quotation marks: its style says "quote".
        text = q.text if base_is_rtl(q.text) else f"“{q.text}”"
        parts: list[Flowable] = [paragraph(text, QUOTE)]
        if q.translation:
            parts.append(paragraph(f"Translation: {q.translation}", QUOTE))
        parts.append(para(f"— {markup(said)}{self.cites(q.cites)}", ATTRIBUTION))
        return KeepTogether(parts)

    def sources(self, sources: Sequence[SourceEntry]) -> list[Flowable]:
        flow: list[Flowable] = []
        for s in sources:
            details = [markup(x) for x in (s.authors, s.publisher, s.published) if x]
            text = f"[{s.number}]&nbsp;&nbsp;<b>{markup(s.title)}</b>"
            if details:
                text += ". " + ". ".join(details)
            if s.url:
                text += f". {markup(s.url)}"
            text += f". Reliability: {markup(s.reliability)}."
            parts: list[Flowable] = [Anchor(f"source-{s.number}"), para(text, SOURCE)]
            parts += [para(f"{markup(name)} · SHA-256 {sha}", HASH) for name, sha in s.documents]
            flow.append(KeepTogether(parts))
        return flow


def _count(value: int | None) -> str:
    return "unknown" if value is None else f"{value:,}"


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
