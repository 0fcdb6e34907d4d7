"""The pack's pages: margins, the marking and "page X of Y" on every page, bookmarks, and
tables that split in linear time.

Everything is laid out in one pass. Numbers that are only known at the end (the page
count, and the page of each heading for the contents) are drawn as PDF form XObjects that
every page refers to and that are written when the last page is done, where ReportLab's
own table of contents needs a second full pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import XMP
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)
from reportlab.platypus.doctemplate import ActionFlowable

from casefile.briefing.fonts import SANS
from casefile.briefing.options import tlp_colour
from casefile.briefing.writing_systems import Para, markup, para, style_for

MARGIN = 20 * mm
PAGE_WIDTH, PAGE_HEIGHT = A4
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
INK = colors.HexColor("#1F2A36")
MUTED = colors.HexColor("#5B6670")
RULE = colors.HexColor("#C9D1D9")


def _page_of(page: int) -> str:
    return f"page-{page}-of"


class PageOf(Flowable):  # type: ignore[misc]
    """The page a heading landed on, right-aligned; filled in when the pack is done."""

    def __init__(self, key: str, size: float) -> None:
        super().__init__()
        self.key = key
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.size * 1.2

    def draw(self) -> None:
        self.canv.translate(self.width, 2)
        self.canv.doForm(_form_name(self.key))


class Anchored(Para):
    """A paragraph that is a named destination, for links such as [1] to land on. (An
    ``<a name>`` in the text breaks ReportLab's line breaking once the text is shaped.)"""

    def __init__(self, text: str | None, style: Any, *args: Any, anchor: str = "", **kw: Any):
        # ReportLab builds the parts of a split paragraph with (None, style, frags=...).
        super().__init__(text, style if text is None else style_for(text, style), *args, **kw)
        self.anchor = anchor

    def split(self, available_width: float, available_height: float) -> list[Paragraph]:
        parts: list[Paragraph] = super().split(available_width, available_height)
        if parts and isinstance(parts[0], type(self)):
            self.hand_over(parts[0])  # the destination goes with the first lines
        return parts

    def hand_over(self, first: Anchored) -> None:
        first.anchor = self.anchor

    def draw(self) -> None:
        if self.anchor:
            self.canv.bookmarkHorizontal(self.anchor, 0, self.height)
        super().draw()


class Heading(Anchored):
    """A heading that is also in the outline and (at level 0) in the contents."""

    def __init__(
        self,
        text: str | None,
        style: Any,
        *args: Any,
        anchor: str = "",
        level: int = 0,
        outline: str = "",
        **kw: Any,
    ):
        super().__init__(text, style, *args, anchor=anchor, **kw)
        self.level = level
        self.outline = outline

    def hand_over(self, first: Anchored) -> None:
        super().hand_over(first)
        assert isinstance(first, Heading)
        first.level, first.outline = self.level, self.outline


class Continued(Para):
    """ "Westminster attack (continued)" at the top of a page a profile runs on to, so
    that no page opens mid-profile without saying whose it is."""


CONTINUED = ParagraphStyle(
    "continued", fontName=f"{SANS}-Bold", fontSize=9, leading=12, textColor=MUTED, spaceAfter=6
)


def _form_name(key: str) -> str:
    return f"page-of-{key}"


ROWS_PER_CHUNK = 32  # about a page of rows; doubled when a page holds more


class RowTable(Flowable):  # type: ignore[misc]
    """A long table laid out a chunk at a time.

    ReportLab's Table measures every remaining row each time it splits at a page foot, which
    is quadratic in the rows; here each page measures one chunk. The header row repeats on
    every page."""

    def __init__(
        self,
        header: list[Any],
        rows: Sequence[list[Any]],
        widths: Sequence[float],
        style: Sequence[tuple[Any, ...]],
    ) -> None:
        super().__init__()
        self.header = header
        self.rows = rows
        self.widths = widths
        self.style = style

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return available_width, available_height + 1  # always split

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        count = ROWS_PER_CHUNK
        while True:  # a chunk taller than the space left, so that it splits here
            chunk = table(self.header, self.rows[:count], self.widths, self.style)
            parts: list[Table] = chunk.split(available_width, available_height)
            if parts != [chunk] or count >= len(self.rows):
                break
            count *= 2
        if not parts or parts == [chunk]:
            return parts
        shown = parts[0]._nrows - 1
        rest = rows_table(self.header, self.rows[shown:], self.widths, self.style)
        return [parts[0], rest]


def grid(
    data: Sequence[Sequence[Any]],
    widths: Sequence[float],
    style: Sequence[tuple[Any, ...]],
    repeat: int = 0,
) -> Table:
    """A table in the pack's fonts (ReportLab's default, Helvetica, would not be embedded)."""
    cells = [("FONTNAME", (0, 0), (-1, -1), SANS), *style]
    rows = [list(row) for row in data]
    # A cell taller than a page (a 2,000-word location) splits across pages, not the pack.
    return Table(rows, colWidths=list(widths), repeatRows=repeat, style=cells, splitInRow=1)


def table(
    header: list[Any],
    rows: Sequence[list[Any]],
    widths: Sequence[float],
    style: Sequence[tuple[Any, ...]],
) -> Table:
    return grid([header, *rows], widths, style, repeat=1)


def rows_table(
    header: list[Any],
    rows: Sequence[list[Any]],
    widths: Sequence[float],
    style: Sequence[tuple[Any, ...]],
) -> Flowable:
    if len(rows) <= ROWS_PER_CHUNK:
        return table(header, rows, widths, style)
    return RowTable(header, rows, widths, style)


class _PackCanvas(Canvas):  # type: ignore[misc]
    """A canvas that lets the document write its deferred numbers before it is saved."""

    before_save: Callable[[Canvas], None] = staticmethod(lambda canvas: None)

    def save(self) -> None:
        self.before_save(self)
        super().save()


class PackDocument(BaseDocTemplate):  # type: ignore[misc]
    """A4 pages with the pack's furniture; headings become bookmarks, outline entries and
    (through forms written at the end) the contents' page numbers."""

    def __init__(
        self,
        out: BinaryIO,
        *,
        title: str,
        marking: str,
        author: str,
        subject: str,
        keywords: str,
        xmp: bytes,
    ) -> None:
        """``xmp``: the packet the catalog's metadata stream holds (``metadata.xmp``)."""
        super().__init__(
            out,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + 6 * mm,
            # The text stops a clear 4.5 mm above the footer's rule (at MARGIN + 10 pt).
            bottomMargin=MARGIN + 8 * mm,
            title=title,
            author=author,
            subject=subject,
            keywords=keywords,
            creator="Casefile",
            initialFontName=SANS,
            invariant=False,
            lang="en",
            displayDocTitle=True,
        )
        self.pack_title = title
        self.marking = marking
        self._profile = ""  # the profile being set, by its name; "" between profiles
        self.xmp = xmp
        self.heading_pages: dict[str, int] = {}
        footer = ParagraphStyle("footer", fontName=SANS, fontSize=9, leading=11, textColor=MUTED)
        self._footer_title = _one_line(title, footer, TEXT_WIDTH - 110)
        free = ParagraphStyle(
            "marking",
            fontName=f"{SANS}-Bold",
            fontSize=9,
            leading=11,
            textColor=colors.HexColor("#9B1C1C"),
            alignment=TA_CENTER,
        )
        self._marking = _one_line(marking, free, TEXT_WIDTH)
        frame = Frame(
            self.leftMargin,
            self.bottomMargin,
            self.width,
            self.height,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        self.addPageTemplates(
            [
                PageTemplate("body", [frame], onPage=self._furniture),
            ]
        )

    def build_pack(self, story: list[Flowable]) -> None:
        def make_canvas(*args: Any, **kwargs: Any) -> Canvas:
            canvas = _PackCanvas(*args, **kwargs)
            canvas.before_save = self._write_numbers
            canvas.setCatalogEntry("Metadata", XMP(creator=lambda doc: self.xmp))
            return canvas

        self.build(story, canvasmaker=make_canvas)

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (ReportLab's hook)
        if isinstance(flowable, Heading) and flowable.anchor:  # (not the rest of a split)
            self.canv.addOutlineEntry(flowable.outline, flowable.anchor, level=flowable.level)
            self.heading_pages[flowable.anchor] = self.page
            # A profile (level 1) runs until the next heading of any level.
            self._profile = flowable.outline if flowable.level == 1 else ""
        elif getattr(flowable, "ends_profile", False):
            self._profile = ""

    def handle_flowable(self, flowables: list[Flowable]) -> None:
        """Before the first content of a page that a profile runs on to, its name with
        "(continued)"."""
        first = flowables[0] if flowables else None
        if (
            self._profile
            and getattr(self.frame, "_atTop", False)
            and not isinstance(first, Heading | Continued | Spacer | ActionFlowable | CondPageBreak)
            and not getattr(first, "ends_profile", False)
        ):
            flowables.insert(0, Continued(markup(f"{self._profile} (continued)"), CONTINUED))
        super().handle_flowable(flowables)

    def _write_numbers(self, canvas: Canvas) -> None:
        canvas.showOutline()
        for page in range(1, self.page + 1):
            self._form(canvas, _page_of(page), f"Page {page} of {self.page}", footer=True)
        for key, page in self.heading_pages.items():
            self._form(canvas, _form_name(key), str(page))

    def _form(self, canvas: Canvas, name: str, text: str, *, footer: bool = False) -> None:
        """A number known only at the end, right-aligned where the form is drawn: in the
        footer, small and grey; in the contents, as its entries."""
        canvas.beginForm(name, lowerx=-150, lowery=-4, upperx=10, uppery=14)
        canvas.setFont(SANS, 9 if footer else 10)
        canvas.setFillColor(MUTED if footer else INK)
        canvas.drawRightString(0, 0, text)
        canvas.endForm()

    def _furniture(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        """The marking at the top and foot, the title and "Page X of Y" in the footer."""
        canvas.saveState()
        self._draw_marking(canvas, PAGE_HEIGHT - MARGIN + 2 * mm)
        self._draw_marking(canvas, MARGIN - 8 * mm)
        top = PAGE_HEIGHT - MARGIN - 2 * mm
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, top, PAGE_WIDTH - MARGIN, top)
        bottom = MARGIN
        canvas.line(MARGIN, bottom + 10, PAGE_WIDTH - MARGIN, bottom + 10)
        self._footer_title.drawOn(canvas, MARGIN, bottom - 2.5)
        # "Page X of Y" against the right margin: the whole line is a form written once
        # the pages are counted, as Y is not known before.
        canvas.translate(PAGE_WIDTH - MARGIN, bottom)
        canvas.doForm(_page_of(doc.page))
        canvas.restoreState()

    def _draw_marking(self, canvas: Canvas, y: float) -> None:
        colour = tlp_colour(self.marking)
        if colour:  # TLP labels (plain ASCII): coloured text on black, as the standard shows
            size = TLP_POINTS
            width = canvas.stringWidth(self.marking, f"{SANS}-Bold", size)
            x = (PAGE_WIDTH - width) / 2
            canvas.setFillColor(colors.black)
            canvas.rect(x - 4, y - 3, width + 8, size + 5, stroke=0, fill=1)
            canvas.setFillColor(colors.HexColor(colour))
            canvas.setFont(f"{SANS}-Bold", size)
            canvas.drawString(x, y, self.marking)
        else:  # free text, in any script
            self._marking.drawOn(canvas, MARGIN, y - 2.5)


# TLP 2.0: "the label should be in 12-point type or greater" (FIRST's standard).
TLP_POINTS = 12


def _one_line(text: str, style: ParagraphStyle, width: float) -> Paragraph:
    """``text`` as one line of ``width``, its end cut off with "…" if it is longer."""
    words = text.split()
    for count in range(len(words), 0, -1):
        shown = " ".join(words[:count]) + ("" if count == len(words) else " …")
        line = para(markup(shown), style)
        _width, height = line.wrap(width, 1000)
        if height <= style.leading * 1.01:
            return line
    line = para(markup("…"), style)
    line.wrap(width, 1000)
    return line
