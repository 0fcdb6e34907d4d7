"""How a field's value reads to a person, the same in the terminal, the window and the
briefing pack: dates at their precision, grades by their label, unknown counts as
"unknown" (never 0), references by the label of what they point at."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any
from uuid import UUID

from casefile.dates import PartialDate
from casefile.extract.model import media_label
from casefile.vocab import Credibility, LabelledEnum, Reliability

COUNT_FIELDS = frozenset({"killed", "wounded", "perpetrators_killed"})
# Words of field names that are not read as they are written.
_SPELT = {"url": "URL", "char": "character", "sha256": "SHA-256"}


def field_label(name: str) -> str:
    """A field's name as a label: 'perpetrators_killed' → 'Perpetrators killed',
    'url' → 'URL'."""
    text = " ".join(_SPELT.get(word, word) for word in name.split("_"))
    return text[:1].upper() + text[1:]


def file_size(size: int) -> str:
    """3,296 bytes as '3.2 KB' (as file managers put it, in units of 1,024)."""
    if size < 1024:
        return f"{size:,} bytes"
    amount = size / 1024
    for unit in ("KB", "MB"):
        if amount < 1024:
            return f"{amount:,.1f} {unit}"
        amount /= 1024
    return f"{amount:,.1f} GB"


def display(name: str, value: Any, labels: Mapping[UUID, str], *, with_ids: bool = True) -> str:
    if value is None:
        return "unknown" if name in COUNT_FIELDS else ""
    if name == "size" and isinstance(value, int):
        return file_size(value)
    if name == "media_type" and isinstance(value, str):
        return media_label(value)
    if isinstance(value, PartialDate):
        return value.display()
    if isinstance(value, (Reliability, Credibility)):  # analysts speak of "a B2 report"
        return f"{value.value} — {value.label}"
    if isinstance(value, LabelledEnum):
        return value.label
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, UUID):
        label = labels.get(value, "?")
        return f"{label} [{str(value)[:8]}]" if with_ids else label
    if isinstance(value, tuple):
        return ", ".join(display(name, v, labels, with_ids=with_ids) for v in value)
    return str(value)
