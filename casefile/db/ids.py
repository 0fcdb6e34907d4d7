"""Record IDs as people type them: a whole UUID or a unique prefix, dashes or not."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from casefile.domain.errors import InvalidInput, NotFound

PREFIX = re.compile(r"^[0-9a-f-]{4,36}$")


def unique_id(s: Session, column: Any, text: str, where: str = "") -> UUID:
    """The one ID in ``column`` that starts with ``text``, or a one-line error."""
    wanted = text.strip().lower()
    if not PREFIX.match(wanted) or len(wanted.replace("-", "")) < 4:
        raise InvalidInput(f"'{text}' is not a record ID (a UUID or the start of one)")
    like = cast(column, String).like(wanted.replace("-", "") + "%")
    ids = list(s.scalars(select(column).where(like).distinct().limit(2)))
    if not ids:
        raise NotFound(f"no record with ID {text}{where}")
    if len(ids) > 1:
        raise InvalidInput(f"ID {text} is ambiguous: give more of it")
    found: UUID = ids[0]
    return found
