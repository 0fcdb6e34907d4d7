"""The case's attack, weapon and target types: the GTD built-ins plus its own values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.db import models as m
from casefile.db.engine import Sessions, fold
from casefile.domain.errors import InvalidInput
from casefile.domain.terms import GTD_TERMS, Vocabulary
from casefile.services.audit import AuditLog, diff


@dataclass(frozen=True)
class Term:
    vocabulary: Vocabulary
    code: str
    label: str
    builtin: bool


class VocabularyService:
    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    def terms(self, vocabulary: Vocabulary) -> list[Term]:
        query = select(m.VocabularyTerm).where(m.VocabularyTerm.vocabulary == vocabulary.value)
        with self.sessions.read() as s:
            rows = list(
                s.scalars(query.order_by(m.VocabularyTerm.builtin.desc(), m.VocabularyTerm.label))
            )
        return [Term(vocabulary, r.code, r.label, r.builtin) for r in rows]

    def resolve(self, vocabulary: Vocabulary, text: str) -> str:
        """The code for what a person typed: a code or a label, in any case."""
        wanted = fold(" ".join(text.split()))
        for term in self.terms(vocabulary):
            if wanted in (fold(term.code), fold(term.label)):
                return term.code
        known = ", ".join(t.code for t in self.terms(vocabulary))
        raise InvalidInput(f"unknown {vocabulary.label.lower()} '{text}' (known: {known})")

    def add(self, vocabulary: Vocabulary, label: str, case_id: UUID) -> Term:
        """Add a case-specific value; its code is made from the label."""
        label = " ".join(label.split())
        code = re.sub(r"\W+", "_", fold(label)).strip("_")
        if not code:
            raise InvalidInput("a vocabulary value needs letters or digits")
        with self.sessions.write() as s:
            taken = s.execute(
                select(m.VocabularyTerm.code, m.VocabularyTerm.label).where(
                    m.VocabularyTerm.vocabulary == vocabulary.value
                )
            ).all()
            if any(code == c or fold(label) in (fold(c), fold(lab)) for c, lab in taken):
                raise InvalidInput(f"{vocabulary.label.lower()} '{label}' already exists")
            s.add(
                m.VocabularyTerm(vocabulary=vocabulary.value, code=code, label=label, builtin=False)
            )
            AuditLog(s).record(
                "create",
                case_id,
                "vocabulary",
                f"{vocabulary.label}: {label}",
                diff({}, {"vocabulary": vocabulary.value, "code": code, "label": label}),
            )
        return Term(vocabulary, code, label, False)


def missing_builtin_terms(s: Session) -> list[m.VocabularyTerm]:
    """Built-in GTD values the case lacks. Kept out of the migrations so that a value
    added to the built-in list reaches old cases (at their next open) without a schema
    change."""
    present = set(s.execute(select(m.VocabularyTerm.vocabulary, m.VocabularyTerm.code)).all())
    return [
        m.VocabularyTerm(vocabulary=vocabulary.value, code=code, label=label, builtin=True)
        for vocabulary, values in GTD_TERMS.items()
        for code, label in values
        if (vocabulary.value, code) not in present
    ]


def ensure_builtin_terms(sessions: Sessions) -> None:
    """Add what ``missing_builtin_terms`` finds; only then take the write lock."""
    with sessions.read() as s:
        if not missing_builtin_terms(s):
            return
    with sessions.write() as s:
        s.add_all(missing_builtin_terms(s))
