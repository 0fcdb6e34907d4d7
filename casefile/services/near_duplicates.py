"""Sources whose documents are near-duplicates: found at import, judged by the analyst.

A new document's fingerprint (``importing.fingerprint``) is stored with its bands; the
sources that share the most bands with it are compared on the whole fingerprint, and
those at least ``THRESHOLD`` alike are kept as suggested matches. The analyst confirms a
match (one story) or rejects it (independent after all). Until rejected, the two count
as one origin in corroboration: a suggestion errs toward fewer independent sources, never
more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from casefile.db import models as m
from casefile.db.bulk import insert_rows
from casefile.db.engine import Sessions
from casefile.domain.changes import SUPPORTED, Changes
from casefile.domain.errors import NotFound
from casefile.domain.terms import DuplicateVerdict, Kind
from casefile.importing.fingerprint import BANDS, bands, fingerprint, similarity
from casefile.services.audit import AuditLog
from casefile.services.record_reading import labels, table_of

if TYPE_CHECKING:  # it imports this module, to put back what a delete took
    from casefile.services.record_service import RecordService

THRESHOLD = 0.8  # estimated Jaccard similarity of two texts' five-word runs
CANDIDATES = 20  # sources compared in full: those sharing the most bands


@dataclass(frozen=True)
class NearDuplicate:
    """One match, seen from one of its two sources."""

    other: UUID
    title: str
    similarity: float
    verdict: DuplicateVerdict

    def match(self) -> str:
        """'near-duplicate of “Title”, 92% similar'."""
        return f"near-duplicate of “{self.title}”, {self.similarity:.0%} similar"

    def said(self) -> str:
        """The match and its verdict: '… 92% similar (confirmed: one story)'."""
        return f"{self.match()} ({self.verdict.label[0].lower()}{self.verdict.label[1:]})"


def store_fingerprint(s: Session, source_id: UUID, signature: bytes) -> None:
    """Store a source's fingerprint with its bands, comparing nothing (an undone delete
    puts one back)."""
    insert_rows(s, table_of(m.Fingerprint), ("source_id", "signature"), [(source_id, signature)])
    rows = [(b, k, source_id) for b, k in bands(signature)]
    insert_rows(s, table_of(m.FingerprintBand), ("band", "bucket", "source_id"), rows)


def _candidates() -> Select[Any]:
    """The sources sharing the most bands with a fingerprint (its buckets bound as
    ``k0``..``k15``), with their fingerprints: built once, run at every import."""
    band, print_ = table_of(m.FingerprintBand), table_of(m.Fingerprint)
    same = (and_(band.c.band == b, band.c.bucket == bindparam(f"k{b}")) for b in range(BANDS))
    shared = (
        select(band.c.source_id)
        .where(or_(*same), band.c.source_id != bindparam("source"))
        .group_by(band.c.source_id)
        .order_by(func.count().desc())
        .limit(CANDIDATES)
    )
    return select(print_.c.source_id, print_.c.signature).where(print_.c.source_id.in_(shared))


_CANDIDATES = _candidates()


def keep_fingerprint(
    s: Session, audit: AuditLog, source_id: UUID, signature: bytes
) -> list[NearDuplicate]:
    """Store a source's fingerprint and the matches it has with sources already stored,
    most alike first, each in the audit trail of both sources. Within the caller's
    action."""
    store_fingerprint(s, source_id, signature)
    buckets = {f"k{b}": k for b, k in bands(signature)}
    candidates = s.execute(_CANDIDATES, {**buckets, "source": source_id}).all()
    found = sorted(
        (
            (row.source_id, alike)
            for row in candidates
            if (alike := similarity(signature, row.signature)) >= THRESHOLD
        ),
        key=lambda match: -match[1],
    )
    if not found:
        return []
    paired = {d.other for d in _matches(s, source_id)}  # a verdict already given stays
    found = [(other, alike) for other, alike in found if other not in paired]
    s.add_all(
        m.NearDuplicate(
            source_id=source_id,
            other_id=other,
            similarity=alike,
            verdict=DuplicateVerdict.SUGGESTED,
        )
        for other, alike in found
    )
    names = labels(s, [source_id, *(other for other, _ in found)])
    matches = []
    for other, alike in found:
        for one, two in ((source_id, other), (other, source_id)):
            match = NearDuplicate(two, names.get(two, "?"), alike, DuplicateVerdict.SUGGESTED)
            change = {"near_duplicate": [None, f"suggested: {match.match()}"]}
            audit.record("update", one, Kind.SOURCE.value, names.get(one, "?"), change)
        matches.append(
            NearDuplicate(other, names.get(other, "?"), alike, DuplicateVerdict.SUGGESTED)
        )
    return matches


@dataclass(frozen=True)
class Judged:
    before: DuplicateVerdict  # what undo sets back
    changes: Changes


class NearDuplicates:
    def __init__(self, sessions: Sessions, records: RecordService) -> None:
        self.sessions = sessions
        self.records = records

    def of(self, source_id: UUID) -> list[NearDuplicate]:
        """The source's matches, either way round, most alike first."""
        with self.sessions.read() as s:
            return _matches(s, source_id)

    def every(self) -> list[tuple[UUID, NearDuplicate]]:
        with self.sessions.read() as s:
            return every_match(s)

    def judge(self, source_id: UUID, other_id: UUID, verdict: DuplicateVerdict) -> Judged:
        """Confirm or reject a match (or set it back to suggested, to undo). One action in
        the audit trail, on both sources; the support of what cites them is counted
        again."""
        with self.sessions.write() as s:
            row = _row(s, source_id, other_id)
            before = row.verdict
            changes = Changes(frozenset({Kind.SOURCE}), frozenset({source_id, other_id}))
            if before is verdict:
                return Judged(before, changes)
            row.verdict = verdict
            s.flush()
            audit = AuditLog(s)
            names = labels(s, [source_id, other_id])
            for one, other in ((source_id, other_id), (other_id, source_id)):
                change = {
                    "near_duplicate": [
                        f"{before.value}: {names[other]}",
                        f"{verdict.value}: {names[other]}",
                    ]
                }
                audit.record("update", one, Kind.SOURCE.value, names[one], change)
            self.records.sources_changed(s, audit, [source_id, other_id])
            return Judged(before, changes | Changes.of_kinds(SUPPORTED))

    def scan(
        self,
        progress: Callable[[int, int], None] = lambda done, total: None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> int:
        """Fingerprint the stored documents of sources that have none (imported before
        Casefile looked for near-duplicates), from their stored text; how many matches
        were found. Each batch is one action: a cancel keeps what was done."""
        source, fingerprint_ = table_of(m.Source), table_of(m.Fingerprint)
        with self.sessions.read() as s:
            left = list(
                s.scalars(
                    select(source.c.id).where(source.c.id.not_in(select(fingerprint_.c.source_id)))
                )
            )
        found = 0
        for start in range(0, len(left), BATCH):
            if cancelled():
                break
            with self.sessions.write() as s:
                audit = AuditLog(s)
                matched: set[UUID] = set()
                for source_id in left[start : start + BATCH]:
                    signature = fingerprint(_texts(s, source_id))
                    if signature is not None:
                        matches = keep_fingerprint(s, audit, source_id, signature)
                        if matches:
                            matched.update([source_id, *(d.other for d in matches)])
                        found += len(matches)
                s.flush()
                if matched:  # sources cited already: they may now count as one
                    self.records.sources_changed(s, audit, matched)
            progress(min(start + BATCH, len(left)), len(left))
        return found


BATCH = 50  # sources fingerprinted per action in a scan


def _texts(s: Session, source_id: UUID) -> list[str]:
    document, page = table_of(m.Document), table_of(m.DocumentPage)
    query = (
        select(page.c.text)
        .join(document, document.c.id == page.c.document_id)
        .where(document.c.source_id == source_id)
        .order_by(document.c.id, page.c.number)
    )
    return list(s.scalars(query))


def _row(s: Session, source_id: UUID, other_id: UUID) -> m.NearDuplicate:
    row = s.get(m.NearDuplicate, (source_id, other_id)) or s.get(
        m.NearDuplicate, (other_id, source_id)
    )
    if row is None:
        raise NotFound("these two sources were not found to be near-duplicates")
    return row


def _matches(s: Session, source_id: UUID) -> list[NearDuplicate]:
    table = table_of(m.NearDuplicate)
    rows = s.execute(
        select(table).where(or_(table.c.source_id == source_id, table.c.other_id == source_id))
    ).all()
    others = [r.other_id if r.source_id == source_id else r.source_id for r in rows]
    names = labels(s, others)
    found = [
        NearDuplicate(other, names.get(other, "?"), r.similarity, r.verdict)
        for r, other in zip(rows, others, strict=True)
    ]
    return sorted(found, key=lambda d: -d.similarity)


def every_match(s: Session) -> list[tuple[UUID, NearDuplicate]]:
    """Every match in the case, once each (the source imported later first)."""
    table = table_of(m.NearDuplicate)
    rows = s.execute(select(table).order_by(table.c.similarity.desc())).all()
    names = labels(s, {i for r in rows for i in (r.source_id, r.other_id)})
    return [
        (
            r.source_id,
            NearDuplicate(r.other_id, names.get(r.other_id, "?"), r.similarity, r.verdict),
        )
        for r in rows
    ]
