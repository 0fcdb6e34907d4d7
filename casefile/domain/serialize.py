"""Plain JSON forms of record values, for ``--json`` output and the audit trail."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

from casefile.domain.dates import PartialDate
from casefile.domain.figures import Figure
from casefile.domain.records import AnyFields, Record, field_names

PLAIN = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any, *, dates_as_objects: bool = True) -> Any:
    """Dates appear as display text plus sortable ISO (EDTF) form with their precision.

    The audit trail stores a partial date as its EDTF string alone (``dates_as_objects``
    off): compact, exact, and readable as it stands.
    """
    if type(value) in PLAIN:  # the common case first: this runs for every field of a bulk import
        return value
    if isinstance(value, PartialDate):
        return value.to_json() if dates_as_objects else value.to_edtf()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Figure):
        return figure_json(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [
            v if type(v) in PLAIN else jsonable(v, dates_as_objects=dates_as_objects) for v in value
        ]
    return value


def figure_json(figure: Figure) -> Any:
    """An exact number as the number; anything else as what was said with its bounds
    (``high`` null when open), so a program can sort and a person can read."""
    if figure.exact is not None:
        return figure.exact
    return {"said": str(figure), "low": figure.low, "high": figure.high, "words": figure.words}


def fields_json(fields: AnyFields, *, dates_as_objects: bool = True) -> dict[str, Any]:
    values = ((name, getattr(fields, name)) for name in field_names(type(fields)))
    return {
        # Plain values are most of an import: they skip the call.
        name: value if type(value) in PLAIN else jsonable(value, dates_as_objects=dates_as_objects)
        for name, value in values
    }


def record_json(record: Record[Any]) -> dict[str, Any]:
    return {
        "id": str(record.id),
        "kind": record.kind.value,
        "label": record.label,
        **fields_json(record.fields),
        "tags": list(record.tags),
        "notes": record.notes,
        "created_at": jsonable(record.created_at),
        "updated_at": jsonable(record.updated_at),
    }
