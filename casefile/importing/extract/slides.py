"""PowerPoint presentations (.pptx, through python-pptx): a section a slide.

Each slide is a section (a quote cites slide N as its page): the text of its shapes in the
order the slide lists them (grouped shapes within their group), a table a row a line with
tab-separated cells, then its speaker notes, labelled. The package's XML parts are first
checked for bombs (``package``); its creation date is noted as such.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from casefile.domain.formats import Format
from casefile.importing.extract.metadata import core_notes, split_authors
from casefile.importing.extract.model import Extracted
from casefile.importing.extract.package import refuse_bombs


def read_pptx(data: bytes) -> Extracted:
    import pptx

    label = Format.PPTX.label
    refuse_bombs(data, label)
    presentation = pptx.Presentation(io.BytesIO(data))
    pages = tuple(_slide(slide) for slide in presentation.slides)
    properties = presentation.core_properties
    metadata = core_notes(properties)
    return Extracted(
        format=Format.PPTX,
        title=(properties.title or "").strip(),
        authors=split_authors(properties.author or ""),
        language=(properties.language or "").strip(),
        pages=pages or ("",),
        metadata=metadata,
    )


def _slide(slide: Any) -> str:
    lines = list(_shapes(slide.shapes))
    if slide.has_notes_slide:
        notes = slide.notes_slide.notes_text_frame
        said = notes.text.strip() if notes is not None else ""
        if said:
            lines += ["", "Speaker notes:", said]
    return "\n".join(line.rstrip() for line in lines).strip()


def _shapes(shapes: Iterable[Any]) -> Iterable[str]:
    from pptx.shapes.group import GroupShape

    for shape in shapes:
        # By its class: asking a shape its type raises for one with no geometry.
        if isinstance(shape, GroupShape):
            yield from _shapes(shape.shapes)
        elif getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:  # a merged cell once: the cells it spans are skipped
                cells = [" ".join(c.text.split()) for c in row.cells if not c.is_spanned]
                while cells and not cells[-1]:
                    cells.pop()
                if cells:
                    yield "\t".join(cells)
        elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            text = shape.text_frame.text.strip()
            if text:
                yield text
