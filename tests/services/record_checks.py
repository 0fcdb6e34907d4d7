"""Checks the record tests share: counts in the database, one-line errors, history."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from casefile.db import models as m
from casefile.services.audit import HistoryEntry
from casefile.services.case import Case


def blob_count(case: Case) -> int:
    with case.sessions.read() as s:
        return int(s.scalar(select(func.count()).select_from(m.Blob)) or 0)


def assert_one_line(exc: BaseException) -> None:
    text = str(exc)
    assert text.strip()
    assert "\n" not in text


def assert_utc(value: datetime | None) -> datetime:
    assert value is not None
    assert value.tzinfo is not None
    assert value.utcoffset() == timedelta(0)
    return value


def new_entries(case: Case, before: int) -> list[HistoryEntry]:
    return case.history.entries()[before:]
