"""Excel workbooks (.xlsx through openpyxl; the older .xls through xlrd): a section a sheet.

Each sheet is a section (a quote cites sheet N as its page), headed by its name, a row a
line with its cells separated by tabs, empty rows and the empty cells that end a row left
out. Values are read as stored (openpyxl's ``data_only``: a formula's last computed value,
never the formula run again). Nothing is evaluated, no macro, link or external data
source is followed; an .xlsx's XML parts are first checked for bombs (``package``).
The workbook's creation date is noted as such, not taken for a publication date.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from casefile.domain.formats import Format
from casefile.importing.extract.metadata import core_notes, split_authors
from casefile.importing.extract.model import Damaged, Extracted
from casefile.importing.extract.package import refuse_bombs


def read_xlsx(data: bytes) -> Extracted:
    import openpyxl

    label = Format.XLSX.label
    refuse_bombs(data, label)
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            # Rows as they are stored, not as wide as a forged <dimension> says (A1:XFD1048576
            # would make every row 16,384 cells).
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()
        pages = tuple(
            _sheet(sheet.title, sheet.iter_rows(values_only=True)) for sheet in book.worksheets
        )
        properties = book.properties
        metadata = core_notes(properties)
        return Extracted(
            format=Format.XLSX,
            title=(properties.title or "").strip(),
            authors=split_authors(properties.creator or ""),
            language=(properties.language or "").strip(),
            pages=pages or ("",),
            metadata=metadata,
        )
    finally:
        book.close()


def read_xls(data: bytes) -> Extracted:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except xlrd.XLRDError as exc:
        raise Damaged(f"damaged {Format.XLS.label}: {exc}") from None
    try:
        pages = []
        for number in range(book.nsheets):
            sheet = book.sheet_by_index(number)
            rows = (
                [_xls(cell, book.datemode) for cell in sheet.row(r)] for r in range(sheet.nrows)
            )
            pages.append(_sheet(sheet.name, rows))
            book.unload_sheet(number)
        saved_by = (book.user_name or "").strip()
        return Extracted(
            format=Format.XLS,
            pages=tuple(pages) or ("",),
            metadata={"Last modified by": saved_by} if saved_by else {},
        )
    finally:
        book.release_resources()


def _xls(cell: Any, datemode: int) -> Any:
    """A cell of an .xls as its value: a date is stored as a number of days, an error and
    a truth value as codes."""
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    return cell.value


def _sheet(name: str, rows: Iterable[Iterable[Any]]) -> str:
    lines = [name.strip()] if name.strip() else []
    for row in rows:
        cells = [_cell(value) for value in row]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            lines.append("\t".join(cells))
    return "\n".join(lines)


def _cell(value: Any) -> str:
    """A cell's value as text on one line: 3 rather than 3.0; a date as ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):  # a spreadsheet's date is a time at midnight
        if value.time() == time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return " ".join(str(value).split())
