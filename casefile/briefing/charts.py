"""Charts drawn with reportlab.graphics: attacks per year, casualties by attack type.

A chart is drawn only where the case has the data for it; counts that are unknown are left
out of the sums, and the caption says how many attacks that was. The caption also gives
the bars' values in words: a drawing carries no alternative text in a PDF without a
structure tree (which ReportLab does not write), so the text equivalent a screen reader
reads, and a reader copies, is printed beneath it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, Group, String
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from casefile.briefing.content import AttackEntry
from casefile.briefing.fonts import SANS, SERIF
from casefile.briefing.pages import INK, MUTED, TEXT_WIDTH
from casefile.domain.figures import Figure, Tally

BAR = colors.HexColor("#2F5D8A")
WOUNDED = colors.HexColor("#9DB7D1")
MAX_YEARS = 40  # bars in the attacks-per-year chart
MAX_TYPES = 12  # bars (pairs) in the casualties chart; the rest are summed as OTHER
OTHER = "Other types"
CAPTION = ParagraphStyle("caption", fontName=SERIF, fontSize=8.5, leading=11.5, textColor=MUTED)
TITLE = ParagraphStyle(
    "chart-title", fontName=f"{SANS}-Bold", fontSize=10.5, leading=14, textColor=INK
)


def charts(attacks: Sequence[AttackEntry]) -> list[Flowable]:
    flow: list[Flowable] = []
    per_year = Counter(a.year for a in attacks if a.year is not None)
    if per_year:
        caption = f"{_year_caption(attacks)} {_year_figures(per_year)}"
        flow.append(_figure("Attacks per year", _per_year(per_year), caption))
    tallies, note = _casualty_totals(attacks)
    by_type = {kind: [t.total for t in pair] for kind, pair in tallies.items()}
    if any(k + w for k, w in by_type.values()):
        flow.append(
            _figure(
                "Casualties by attack type",
                _casualties(by_type),
                "Killed and wounded by attack type; an attack of several types counts under "
                f"each, so the bars may add up to more than the attacks' casualties.{note} "
                + _casualty_figures(tallies),
            )
        )
    return flow


def _year_caption(attacks: Sequence[AttackEntry]) -> str:
    """What the per-year bars leave out or place only roughly."""
    caption = "Attacks in this pack by year."
    undated = sum(1 for a in attacks if a.year is None)
    if undated:
        caption += f" {_attacks(undated)} with no known date not shown."
    rough = Counter(a.year for a in attacks if a.year is not None and a.circa)
    if rough:
        years = ", ".join(f"{year} ({_attacks(n)})" for year, n in sorted(rough.items()))
        caption += f" Dated only approximately (c.), shown in the year given: {years}."
    return caption


def _year_figures(per_year: Counter[int]) -> str:
    """The per-year bars in words, years with none left out: "In figures: 2015, 1;
    2017, 2." """
    said = "; ".join(f"{year}, {per_year[year]:,}" for year in sorted(per_year))
    return f"In figures (year, attacks): {said}."


def _casualty_figures(by_type: dict[str, list[Tally]]) -> str:
    """The casualty bars in words, most casualties first; a bar no attack has a figure
    for is said as not known (it is drawn as none)."""

    def said(tally: Tally, what: str) -> str:
        if not tally.known:
            return f"{what} not known"
        text = f"{'' if tally.exact else 'at least '}{tally.total:,} {what}"
        return text + (f" (not known for {_attacks(tally.unknown)})" if tally.unknown else "")

    kinds = sorted(by_type, key=lambda k: sum(t.total for t in by_type[k]), reverse=True)
    pairs = (
        f"{k}, {said(by_type[k][0], 'killed')}, {said(by_type[k][1], 'wounded')}" for k in kinds
    )
    return f"In figures: {'; '.join(pairs)}."


def _casualty_totals(attacks: Sequence[AttackEntry]) -> tuple[dict[str, list[Tally]], str]:
    """Killed and wounded by attack type, each summed over the attacks whose figure for
    it is known (an unknown count is left out, never counted as none), and the caption's
    note of what was left out or counted at its lower bound."""

    def kinds(a: AttackEntry) -> tuple[str, ...]:
        return a.attack_types or ("Unknown",)

    by_type = {
        kind: [Tally.of(f(a) for a in attacks if kind in kinds(a)) for f in _MEASURES]
        for kind in dict.fromkeys(k for a in attacks for k in kinds(a))
    }
    tallies = [Tally.of(f(a) for a in attacks) for f in _MEASURES]
    left_out = [t.unknown for t in tallies]
    bounded = not all(t.exact for t in tallies)
    note = "".join(
        f" {_attacks(n)} with no figure for the {what} left out of its bars."
        for n, what in zip(left_out, ("killed", "wounded"), strict=True)
        if n
    )
    if bounded:
        note += (
            " Where a source gave a range, a lower bound or a word (“dozens”), its lower"
            " bound is counted: the totals are at least these."
        )
    return by_type, note


_MEASURES: tuple[Callable[[AttackEntry], Figure | None], ...] = (
    lambda a: a.killed,
    lambda a: a.wounded,
)


def _attacks(count: int) -> str:
    return f"{count:,} attack{'' if count == 1 else 's'}"


def _figure(title: str, drawing: Drawing, caption: str) -> Flowable:
    return KeepTogether(
        [Paragraph(title, TITLE), Spacer(1, 4), drawing, Paragraph(caption, CAPTION), Spacer(1, 14)]
    )


def _step(top: int) -> int:
    """A round tick step (1, 2 or 5 times a power of ten) giving about five ticks: no
    "2.5 attacks", no 3,800,000,000,154."""
    rough = max(1, -(-top // 5))
    power = int(10 ** (len(str(rough)) - 1))
    return next(nice * power for nice in (1, 2, 5, 10) if nice * power >= rough)


def _drawing(height: float) -> Drawing:
    drawing = Drawing(TEXT_WIDTH, height)
    drawing.initialFontName = SANS  # not ReportLab's default Helvetica, which is not embedded
    return drawing


def _axis_fonts(chart: VerticalBarChart | HorizontalBarChart) -> None:
    for axis in (chart.categoryAxis.labels, chart.valueAxis.labels):
        axis.fontName = SANS
        axis.fontSize = 7.5
        axis.fillColor = INK
    chart.valueAxis.strokeColor = MUTED
    chart.categoryAxis.strokeColor = MUTED
    chart.valueAxis.gridStrokeColor = colors.HexColor("#E1E6EB")
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.forceZero = True
    chart.valueAxis.labelTextFormat = _whole


def _whole(value: float) -> str:
    """An axis label: 1,250 or 2.5 bn (never 1250.0, nor 1.25e+03)."""
    for size, name in ((1e12, "tn"), (1e9, "bn"), (1e6, "m")):
        if abs(value) >= size:
            return f"{value / size:,.3g} {name}"
    return f"{value:,.0f}"


def _per_year(per_year: Counter[int]) -> Drawing:
    """Every year from the first to the last; over a long span (a typed 201 for 2016, say)
    only the years with attacks, so that no bar shrinks to a hair."""
    years = list(range(min(per_year), max(per_year) + 1))
    if len(years) > MAX_YEARS:
        years = sorted(per_year)[-MAX_YEARS:]
    drawing = _drawing(62 * 2.83)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 30, TEXT_WIDTH - 40, 62 * 2.83 - 40
    chart.data = [[per_year.get(y, 0) for y in years]]
    chart.categoryAxis.categoryNames = [
        str(y) if len(years) <= 20 or y % 5 == 0 else "" for y in years
    ]
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    chart.valueAxis.valueStep = _step(max(per_year.values()))
    _axis_fonts(chart)
    drawing.add(chart)
    drawing.add(_axis_title("Attacks", 4, chart.y + chart.height / 2, angle=90))
    drawing.add(_axis_title("Year", chart.x + chart.width / 2, 4))
    return drawing


def _casualties(by_type: dict[str, list[int]]) -> Drawing:
    """The types with most casualties first; beyond a dozen, the rest as "Other types"."""
    kinds = sorted(by_type, key=lambda k: sum(by_type[k]), reverse=True)
    if len(kinds) > MAX_TYPES:
        kept, rest = kinds[: MAX_TYPES - 1], kinds[MAX_TYPES - 1 :]
        other = [sum(by_type[k][0] for k in rest), sum(by_type[k][1] for k in rest)]
        by_type = {**{k: by_type[k] for k in kept}, OTHER: other}
        kinds = [*kept, OTHER]
    height = 30 + 22 * len(kinds)
    drawing = _drawing(height + 34)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 150, 30, TEXT_WIDTH - 170, height - 10
    # A group's first series is drawn lowest: wounded first puts killed on top, in the
    # legend's order.
    chart.data = [[by_type[k][1] for k in kinds], [by_type[k][0] for k in kinds]]
    chart.categoryAxis.categoryNames = [k if len(k) <= 34 else k[:33] + "…" for k in kinds]
    chart.categoryAxis.reverseDirection = True
    chart.bars[0].fillColor = WOUNDED
    chart.bars[1].fillColor = BAR
    chart.bars.strokeColor = None
    chart.valueAxis.valueStep = _step(max(max(v) for v in by_type.values()))
    _axis_fonts(chart)
    drawing.add(chart)
    drawing.add(_legend([(BAR, "Killed"), (WOUNDED, "Wounded")], chart.x, height + 32))
    drawing.add(_axis_title("People (at least)", chart.x + chart.width / 2, 4))
    return drawing


def _axis_title(text: str, x: float, y: float, *, angle: float = 0) -> Group:
    """An axis's name, centred on it (turned to run up a vertical axis)."""
    title = String(0, 0, text, fontName=SANS, fontSize=7.5, fillColor=MUTED, textAnchor="middle")
    group = Group(title)
    group.translate(x, y)
    group.rotate(angle)
    return group


def _legend(keys: list[tuple[colors.Color, str]], x: float, y: float) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.colorNamePairs = keys
    legend.columnMaximum = 1  # one row: the keys side by side
    legend.alignment = "right"  # each swatch before its name
    legend.deltax, legend.dx, legend.dy = 70, 8, 8
    legend.fontName, legend.fontSize, legend.fillColor = SANS, 7.5, INK
    legend.strokeColor = None
    return legend
