"""Which people and groups of the case a source's documents name, and how often.

Found at the time they are asked for, never stored: a person added later is found in a
document imported earlier. Names and aliases match whole words, ignoring case, except
short all-capital aliases ("IS", "AQAP"), which match only as written: "is" is a word.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select

from casefile.db import models as m
from casefile.db.engine import Sessions
from casefile.domain.terms import Kind, Relation

WORD = re.compile(r"\w+")
ACRONYM_MAX = 6


@dataclass(frozen=True)
class Mention:
    record_id: UUID
    kind: Kind
    label: str
    count: int
    linked: bool  # the source already has a "mentions" link to it


def _words(text: str) -> list[str]:
    return WORD.findall(text)


def _is_acronym(name: str) -> bool:
    letters = name.replace(".", "").replace(" ", "")
    return len(letters) <= ACRONYM_MAX and letters.isupper()


class NameCounter:
    """Counts whole-word occurrences of many names in one pass over each text."""

    def __init__(self, names: Iterable[str]) -> None:
        self.folded: dict[tuple[str, ...], int] = {}
        self.exact: dict[tuple[str, ...], int] = {}
        for name in names:
            exact = _is_acronym(name)
            words = tuple(_words(name if exact else name.casefold()))
            if words and len("".join(words)) > 1:
                (self.exact if exact else self.folded)[words] = 0
        self._longest = max((len(w) for w in (*self.folded, *self.exact)), default=0)
        self._starts = {w[0] for w in self.folded} | {w[0] for w in self.exact}

    def feed(self, text: str) -> None:
        """Count each place a name stands once, as the longest name found there: "Khalid
        Masood" is one mention of Khalid Masood, not one more of an alias "Masood"."""
        for table, words in ((self.folded, _words(text.casefold())), (self.exact, _words(text))):
            if not table:
                continue
            i = 0
            while i < len(words):
                found = 0
                if words[i] in self._starts:
                    for n in range(min(self._longest, len(words) - i), 0, -1):
                        key = tuple(words[i : i + n])
                        if key in table:
                            table[key] += 1
                            found = n
                            break
                i += found or 1

    def count(self, name: str) -> int:
        exact = _is_acronym(name)
        words = tuple(_words(name if exact else name.casefold()))
        return (self.exact if exact else self.folded).get(words, 0)


def _distinct(names: Iterable[str]) -> list[str]:
    """One name per distinct word sequence (as it is matched)."""
    seen: dict[tuple[tuple[str, ...], bool], str] = {}
    for name in names:
        exact = _is_acronym(name)
        seen.setdefault((tuple(_words(name if exact else name.casefold())), exact), name)
    return list(seen.values())


class MentionService:
    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    def in_source(self, source_id: UUID) -> list[Mention]:
        """People and groups named in the source's documents, most mentioned first."""
        with self.sessions.read() as s:
            pages = s.scalars(
                select(m.DocumentPage.text)
                .join(m.Document, m.Document.id == m.DocumentPage.document_id)
                .where(m.Document.source == source_id)
            )
            named = [
                (p.id, Kind.PERSON, p.name, (p.name, *p.aliases))
                for p in s.scalars(select(m.Person))
            ] + [
                (g.id, Kind.GROUP, g.name, (g.name, *g.aliases)) for g in s.scalars(select(m.Group))
            ]
            counter = NameCounter(n for *_, names in named for n in names)
            for text in pages:
                counter.feed(text)
            linked = set(
                s.scalars(
                    select(m.Link.object).where(
                        m.Link.subject == source_id, m.Link.relation == Relation.MENTIONS
                    )
                )
            )
        found = Counter(
            {
                # Names that come to the same words ("Islamic-State", "Islamic State") once.
                (rid, kind, label): sum(counter.count(n) for n in _distinct(names))
                for rid, kind, label, names in named
            }
        )
        return [
            Mention(rid, kind, label, n, rid in linked)
            for (rid, kind, label), n in found.most_common()
            if n > 0
        ]
