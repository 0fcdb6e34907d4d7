"""What deleting a record takes with it, in an order the foreign keys accept, and the
snapshot that lets ``restore`` put it all back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from casefile.db import models as m
from casefile.domain.changes import GRADING, SUPPORTED, Changes, changes_of
from casefile.domain.display import how_many
from casefile.domain.facts import FACTS
from casefile.domain.records import AnyFields, Record, ref_values
from casefile.domain.terms import DuplicateVerdict, Kind
from casefile.services.record_reading import table_of, to_records


@dataclass(frozen=True)
class Deletion:
    """What a delete removed and changed: enough to put the case back as it was."""

    summary: Dependents
    records: tuple[Record[Any], ...]  # in the order they were deleted (the record last)
    detached: tuple[Record[Any], ...]  # as they were before losing their reference
    blobs: dict[str, bytes]  # document bytes no other document kept
    pages: dict[UUID, tuple[str, ...]]  # extracted text of deleted documents
    fingerprints: dict[UUID, bytes]  # of deleted sources
    # The near-duplicate matches of deleted sources: source, other, similarity, verdict.
    matches: tuple[tuple[UUID, UUID, float, DuplicateVerdict], ...]

    @property
    def changes(self) -> Changes:
        """What the delete touched (and its undo, ``restore``, touches again): the
        records it took with it, those that lost a reference, and what they referred to;
        with a source or a quote, the support of what cited it."""
        found = changes_of((*self.records, *self.detached))
        if any(r.kind in GRADING for r in self.records):
            return found.showing(SUPPORTED)
        return found


@dataclass(frozen=True)
class Dependents:
    """What deleting a record takes with it, and what only loses a reference to it."""

    deleted: tuple[tuple[UUID, Kind, str], ...]
    detached: tuple[tuple[UUID, Kind, str], ...]

    def describe(self) -> str:
        parts = []
        if self.deleted:
            parts.append(f"deletes {_count(self.deleted)} with it")
        if self.detached:
            parts.append(f"removes it from {_count(self.detached)}")
        return "; ".join(parts)


def _count(items: Sequence[tuple[UUID, Kind, str]]) -> str:
    by_kind: dict[Kind, int] = {}
    for _, kind, _label in items:
        by_kind[kind] = by_kind.get(kind, 0) + 1
    return ", ".join(how_many(n, k.singular, k.plural) for k, n in by_kind.items())


def _dependents(s: Session, root: m.Record) -> tuple[list[m.Record], list[m.Record]]:
    """Records deleted with ``root`` (root first) and records that only lose a reference."""
    deleted: dict[UUID, m.Record] = {}
    todo = [root]
    while todo:
        model = todo.pop()
        if model.id in deleted:
            continue
        deleted[model.id] = model
        todo.extend(
            s.scalars(
                select(m.Link).where(or_(m.Link.subject == model.id, m.Link.object == model.id))
            )
        )
        if isinstance(model, m.Source):
            todo.extend(s.scalars(select(m.Quote).where(m.Quote.source == model.id)))
            todo.extend(s.scalars(select(m.Document).where(m.Document.source == model.id)))
        # A reported value goes with what it is about, with its source, and with the
        # group it names as claimant: without any of them it says nothing. (One indexed
        # query per case: an OR of the three would read every report.)
        if model.kind in FACTS:
            todo.extend(s.scalars(select(m.Report).where(m.Report.record == model.id)))
        if isinstance(model, m.Source):
            todo.extend(s.scalars(select(m.Report).where(m.Report.source == model.id)))
        if isinstance(model, m.Group):
            claimed = (m.Report.fact == "claimed_by") & (m.Report.value == str(model.id))
            todo.extend(s.scalars(select(m.Report).where(claimed)))
    gone = set(deleted)
    detached: dict[UUID, m.Record] = {}
    for query in (
        select(m.Quote).where(m.Quote.speaker.in_(gone)),
        select(m.Quote).where(m.Quote.document.in_(gone)),
        select(m.Attack).where(m.Attack.claimed_by.in_(gone)),
        select(m.Link).join(m.LinkCitation).where(m.LinkCitation.cited_id.in_(gone)),
        select(m.Report).where(m.Report.quote.in_(gone)),
        select(m.Judgement).join(m.JudgementRef).where(m.JudgementRef.ref_id.in_(gone)),
        select(m.Judgement).where(m.Judgement.superseded_by.in_(gone)),
        select(m.Source).where(m.Source.derived_from.in_(gone)),
    ):
        for model in s.scalars(query):
            if model.id not in gone:
                detached[model.id] = model
    return list(deleted.values()), list(detached.values())


def delete_plan(
    s: Session, root: m.Record
) -> tuple[list[tuple[m.Record, str]], list[m.Record], Dependents]:
    """What goes, in an order the foreign keys accept (links first, the record last)."""
    found, detached = _dependents(s, root)
    dependents = list(reversed(found[1:]))
    ordered = _links_before_their_ends([r for r in dependents if isinstance(r, m.Link)])
    ordered += [r for r in dependents if not isinstance(r, m.Link)]
    deleted = _labelled(s, [*ordered, root])
    summary = Dependents(
        tuple((r.id, r.kind, label) for r, label in deleted[:-1]),
        tuple((r.id, r.kind, label) for r, label in _labelled(s, detached)),
    )
    return deleted, detached, summary


def _links_before_their_ends(links: list[m.Link]) -> list[m.Record]:
    """A link about a link (say, one citing a membership) is deleted before it."""
    ordered: list[m.Record] = []
    waiting = list(links)
    while waiting:
        ends = {end for link in waiting for end in (link.subject, link.object)}
        free = [link for link in waiting if link.id not in ends] or waiting  # no cycles exist
        ordered.extend(free)
        waiting = [link for link in waiting if link not in free]
    return ordered


def take_snapshot(
    s: Session, deleted: list[m.Record], detached: list[m.Record], summary: Dependents
) -> Deletion:
    documents = [d for d in deleted if isinstance(d, m.Document)]
    doc_ids = [d.id for d in documents]
    pages: dict[UUID, list[str]] = {}
    query = select(m.DocumentPage).where(m.DocumentPage.document_id.in_(doc_ids))
    for page in s.scalars(query.order_by(m.DocumentPage.number)):
        pages.setdefault(page.document_id, []).append(page.text)
    hashes = {d.sha256 for d in documents}
    blobs = dict(
        s.execute(select(m.Blob.sha256, m.Blob.data).where(m.Blob.sha256.in_(hashes))).all()
    )
    sources = [d.id for d in deleted if isinstance(d, m.Source)]
    fingerprints = dict(
        s.execute(
            select(m.Fingerprint.source_id, m.Fingerprint.signature).where(
                m.Fingerprint.source_id.in_(sources)
            )
        ).all()
    )
    match = table_of(m.NearDuplicate)
    matches = tuple(
        (row.source_id, row.other_id, row.similarity, row.verdict)
        for row in s.execute(
            select(match).where(or_(match.c.source_id.in_(sources), match.c.other_id.in_(sources)))
        )
    )
    return Deletion(
        summary=summary,
        records=tuple(to_records(s, deleted)),
        detached=tuple(to_records(s, detached)),
        blobs=blobs,
        pages={k: tuple(v) for k, v in pages.items()},
        fingerprints=fingerprints,
        matches=matches,
    )


def _labelled(s: Session, models: Sequence[m.Record]) -> list[tuple[m.Record, str]]:
    records = to_records(s, models)
    return [(model, r.label) for model, r in zip(models, records, strict=True)]


def without(fields: AnyFields, gone: set[UUID]) -> dict[str, Any]:
    """The field changes that drop references to deleted records."""
    changes: dict[str, Any] = {}
    for name, value, _kinds in ref_values(fields):
        if value in gone:
            current = getattr(fields, name)
            changes[name] = (
                tuple(v for v in current if v not in gone) if isinstance(current, tuple) else None
            )
    return changes


def drop_orphan_blobs(s: Session, hashes: set[str]) -> None:
    for sha in hashes:
        still_used = s.scalar(
            select(func.count()).select_from(m.Document).where(m.Document.sha256 == sha)
        )
        if not still_used:
            blob = s.get(m.Blob, sha)
            if blob is not None:
                s.delete(blob)
