"""A message's conversation: the e-mails in the case that it answers and that answer it.

A mailbox is imported a source per message, each with the headers that tie it to the
others (Message-ID, In-Reply-To, References, as RFC 5322 names them) in its notes, where
every mail reader writes them. Threads are found from those lines, as a mail client
threads a mailbox (RFC 5256's REFERENCES, without its subject matching: two messages with
one subject are not one conversation unless a header says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from uuid import UUID

from sqlalchemy import or_, select

from casefile.db import models as m
from casefile.db.engine import Sessions
from casefile.domain.terms import Kind
from casefile.services.record_reading import labels

# A thread is gathered up to this many messages (a mailing list's archive can tie
# thousands together): the messages nearest the one asked about come first.
THREAD_AT_MOST = 200
_HEADER = re.compile(r"^(Message-ID|In-Reply-To|References):(.*)$", re.IGNORECASE | re.MULTILINE)
_ID = re.compile(r"<[^<>\s]+>")
_DATE = re.compile(r"^Date:(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Headers:
    """What ties one message to others."""

    own: str  # its Message-ID ("" if none)
    answers: str  # the one it replies to: In-Reply-To, else the last of References
    mentions: frozenset[str]  # every message ID it names

    @classmethod
    def of(cls, notes: str) -> Headers:
        found: dict[str, list[str]] = {}
        for name, value in _HEADER.findall(notes):
            found.setdefault(name.lower(), []).extend(_ID.findall(value))
        own = next(iter(found.get("message-id", [])), "")
        references = found.get("references", [])
        answers = next(iter(found.get("in-reply-to", [])), references[-1] if references else "")
        return cls(own, answers, frozenset({own, answers, *references} - {""}))


@dataclass(frozen=True)
class ThreadMessage:
    source: UUID
    label: str
    depth: int  # 0 for a message that answers none in the case; a reply one deeper


@dataclass(frozen=True)
class _Found:
    source: UUID
    headers: Headers
    sent: datetime | None
    order: int  # as found, for messages whose date cannot be read


class Threads:
    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    def of(self, source_id: UUID) -> list[ThreadMessage]:
        """The conversation ``source_id`` is part of, each message under the one it
        answers, in the order they were sent; empty if it is part of none."""
        with self.sessions.read() as s:
            notes = s.scalar(select(m.Record.notes).where(m.Record.id == source_id)) or ""
            start = Headers.of(notes)
            if not start.mentions:
                return []
            found: dict[UUID, _Found] = {}
            asked: set[str] = set()
            wanted = set(start.mentions)
            while wanted - asked and len(found) < THREAD_AT_MOST:
                new = sorted(wanted - asked)
                asked.update(new)
                query = (
                    select(m.Record.id, m.Record.notes)
                    .where(m.Record.kind == Kind.SOURCE)
                    .where(or_(*(m.Record.notes.contains(i, autoescape=True) for i in new)))
                    .order_by(m.Record.created_at)
                    .limit(THREAD_AT_MOST)
                )
                for record_id, text in s.execute(query):
                    headers = Headers.of(text)
                    if record_id in found or not headers.mentions & asked:
                        continue  # the ID in its notes is not in its headers
                    found[record_id] = _Found(record_id, headers, _sent(text), len(found))
                    wanted.update(headers.mentions)
            if len(found) < 2:
                return []
            names = labels(s, found)
        return [ThreadMessage(f.source, names[f.source], depth) for f, depth in _tree(found)]


def _sent(notes: str) -> datetime | None:
    """When the message says it was sent (its Date line), for ordering replies."""
    line = _DATE.search(notes)
    if line is None:
        return None
    try:
        sent = parsedate_to_datetime(line.group(1).strip())
    except (TypeError, ValueError, IndexError):
        return None
    return sent if sent.tzinfo is not None else None  # a date without a zone cannot be ordered


def _tree(found: dict[UUID, _Found]) -> list[tuple[_Found, int]]:
    """The messages depth first, each under the one it answers, replies in sent order."""
    by_id = {f.headers.own: f for f in found.values() if f.headers.own}
    replies: dict[UUID | None, list[_Found]] = {}
    for f in found.values():
        parent = by_id.get(f.headers.answers)
        replies.setdefault(parent.source if parent and parent is not f else None, []).append(f)

    def key(f: _Found) -> tuple[bool, float, int]:
        return (f.sent is None, f.sent.timestamp() if f.sent else 0.0, f.order)

    ordered: list[tuple[_Found, int]] = []
    seen: set[UUID] = set()

    def walk(parent: UUID | None, depth: int) -> None:
        for f in sorted(replies.get(parent, []), key=key):
            if f.source not in seen:  # headers that answer each other: shown once
                seen.add(f.source)
                ordered.append((f, depth))
                walk(f.source, depth + 1)

    walk(None, 0)
    for f in found.values():  # in a loop of replies with no first message
        if f.source not in seen:
            seen.add(f.source)
            ordered.append((f, 0))
            walk(f.source, 1)
    return ordered
