"""What files say about themselves, read leniently into ``Extracted``'s fields.

Metadata is written by every kind of software, often badly: a value that cannot be read is
dropped rather than refused, since the document itself is still worth importing.
"""

from __future__ import annotations

import re
from datetime import date

from casefile.domain.dates import DateError, PartialDate

# ISO 8601 (2017-03-22T18:00Z, 20170322) and PDF's D:20170322101500+00'00'; the precision
# is what the string gives.
_DATE = re.compile(r"\s*(?:D:)?(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?")


def partial_date(value: str | date | None) -> PartialDate | None:
    """The date ``value`` states, to its own precision; None if it states none."""
    if value is None:
        return None
    if isinstance(value, date):  # a datetime too: its time of day says nothing of the day
        return PartialDate(value.year, value.month, value.day)
    found = _DATE.match(value)
    if not found:
        return None
    year, month, day = found.groups()
    try:
        return PartialDate(int(year), int(month) if month else None, int(day) if day else None)
    except DateError:  # D:00000000, 2017-13-45: a placeholder or a mistake, not a date
        return None


def split_authors(text: str | None) -> tuple[str, ...]:
    """Office and trafilatura join several authors with semicolons (commas are in names)."""
    return tuple(name.strip() for name in (text or "").split(";") if name.strip())
