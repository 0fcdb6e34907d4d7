"""Briefing packs in the case file: the handling block the case keeps for its packs (on
``case_info``). The queries of ``briefing.service``, kept with the models they read."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.db import models as m
from casefile.domain.handling import LABELS, Handling


def case_row(s: Session) -> m.CaseInfo:
    """The case's one row: it holds the block, and its ID and title name the case in
    the history."""
    return s.scalars(select(m.CaseInfo)).one()


def handling(s: Session) -> Handling:
    """The handling block the case keeps (empty fields where it keeps none)."""
    row = case_row(s)
    return Handling(**{name: getattr(row, f"pack_{name}") for name in LABELS})


def keep_handling(s: Session, kept: Handling) -> None:
    """Keep ``kept`` as the block the case's next pack offers."""
    row = case_row(s)
    for name in LABELS:
        setattr(row, f"pack_{name}", getattr(kept, name))
