"""A pack's version, and the state of the case it was built from.

Each pack written from a case is numbered in the case's sequence, 1, 2, 3…; it prints
that number as its version unless the user typed another, which it prints as typed. The
case records each one (``db.packs``) with the SHA-256 of its *state*: what the pack was
built from, so that two packs with the same hash say the same thing, whatever their
version and date, and a pack whose hash differs was built from a case that had changed
since, or in another way.

The state is, as canonical JSON (keys sorted, no spaces, UTF-8): the case's ID; its
newest change, the number and time of its newest audit event that is not of a pack's
own action (every change to a case writes one, in the change's transaction); and the
pack's options but its version: title, subtitle, marking, author (as printed), sections,
scope and handling block. The pack's date is not in it either.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from casefile.briefing.options import PackOptions
from casefile.db.packs import Change
from casefile.domain.handling import Handling


@dataclass(frozen=True)
class PackVersion:
    """A pack written, as the case records it."""

    number: int  # in the case's sequence
    version: str  # as printed: the number, or what the user typed
    built_at: datetime
    as_of: datetime | None  # the case's newest change the pack includes
    state_sha256: str
    file_name: str


def state_sha256(case_id: UUID, change: Change | None, options: PackOptions) -> str:
    """The SHA-256 of the state (this module's docstring) a pack is built from."""
    state = {
        "case": str(case_id),
        "change": None if change is None else [change.event, change.at.isoformat()],
        "options": _options_state(options),
    }
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _options_state(o: PackOptions) -> dict[str, object]:
    """The options as plain JSON values, without the version: the one option that
    changes from one pack to the next whatever they hold."""
    scope = o.scope
    return {
        "title": o.title,
        "subtitle": o.subtitle,
        "marking": o.marking,
        "author": o.author if o.show_author else "",
        "sections": sorted(s.value for s in o.sections),
        "scope": {
            "attacks": [str(a) for a in scope.attacks],
            "tag": scope.tag,
            "dates": [d.to_edtf() if d else None for d in (scope.start, scope.end)],
        },
        "handling": (o.handling or Handling()).stored(),
    }
