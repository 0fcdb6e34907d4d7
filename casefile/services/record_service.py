"""Create, read, update and delete records: one transaction and one audit action each."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from casefile.db import models as m
from casefile.db.bulk import insert_rows
from casefile.db.engine import Sessions, fold
from casefile.db.ids import unique_id
from casefile.domain.changes import GRADING, Changes
from casefile.domain.corroboration import Corroboration
from casefile.domain.display import a_or_an, field_label
from casefile.domain.errors import InvalidInput, NotFound
from casefile.domain.facts import FACTS
from casefile.domain.records import (
    FIELDS_OF_KIND,
    KIND_OF_FIELDS,
    AnyFields,
    F,
    JudgementFields,
    LinkFields,
    QuoteFields,
    Record,
    ReportFields,
    SourceFields,
    contradiction,
    field_names,
)
from casefile.domain.serialize import fields_json
from casefile.domain.terms import Kind
from casefile.services.audit import AuditLog, diff
from casefile.services.deletion import (
    Deletion,
    Dependents,
    delete_plan,
    drop_orphan_blobs,
    take_snapshot,
    without,
)
from casefile.services.fact_sync import Pair, Write, standings_of, sync_facts
from casefile.services.near_duplicates import store_fingerprint
from casefile.services.record_reading import (
    COLUMNS_OF_KIND,
    MODEL_OF_KIND,
    VALUES_OF_KIND,
    fields_label,
    fields_of,
    labels,
    report_refs,
    table_of,
    to_records,
)
from casefile.services.references import (
    check_codes,
    check_fits,
    check_references,
    check_references_many,
    check_reports,
    check_terms,
    normalised,
    terms_used,
)
from casefile.services.support import (
    citing,
    keep_support,
)

RECORD_COLUMNS = ("id", "kind", "created_at", "updated_at", "notes")


CITATION_COLUMNS = ("link_id", "cited_id", "position")
JUDGEMENT_REF_COLUMNS = ("judgement_id", "role", "ref_id", "position")


TAG_COLUMNS = ("record_id", "tag_id")


# Kind tables in foreign-key order: attacks name groups, quotes and documents name sources.
INSERT_ORDER = (
    Kind.GROUP,
    Kind.PERSON,
    Kind.SOURCE,
    Kind.DOCUMENT,
    Kind.ATTACK,
    Kind.QUOTE,
    Kind.LINK,
    Kind.REPORT,
    Kind.JUDGEMENT,
)


@dataclass(frozen=True)
class NewRecord:
    """One record to insert, with its tags and notes; a fixed ID and creation time when
    it comes back (undo of a delete, redo of an add) or must be stable (the demo case)."""

    fields: AnyFields
    tags: tuple[str, ...] = ()
    notes: str = ""
    record_id: UUID | None = None
    created_at: datetime | None = None

    @classmethod
    def again(cls, record: Record[Any]) -> NewRecord:
        return cls(record.fields, record.tags, record.notes, record.id, record.created_at)


@dataclass
class Stored:
    """What an insert wrote, record by record in the order given: enough to hand each
    back as a value (``records``), which the bulk path, wanting only IDs, never makes."""

    ids: list[UUID]
    kinds: list[Kind]
    new: list[NewRecord]
    at: datetime
    labels: list[str] = dataclasses.field(default_factory=list)
    tags: list[tuple[str, ...]] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    support: dict[UUID, Corroboration | None] = dataclasses.field(default_factory=dict)

    def records(self) -> list[Record[Any]]:
        return [
            Record(
                id=record_id,
                kind=kind,
                fields=item.fields,
                label=label,
                tags=tags,
                notes=notes,
                created_at=item.created_at or self.at,
                updated_at=self.at,
                support=self.support.get(record_id),
            )
            for record_id, kind, item, label, tags, notes in zip(
                self.ids, self.kinds, self.new, self.labels, self.tags, self.notes, strict=True
            )
        ]


@dataclass
class Rows:
    """The rows an insert writes, table by table, each table in one ``executemany``."""

    records: list[tuple[Any, ...]] = dataclasses.field(default_factory=list)
    kinds: dict[Kind, list[tuple[Any, ...]]] = dataclasses.field(default_factory=dict)
    citations: list[tuple[UUID, UUID, int]] = dataclasses.field(default_factory=list)
    judged: list[tuple[UUID, str, UUID, int]] = dataclasses.field(default_factory=list)
    tags: list[tuple[UUID, int]] = dataclasses.field(default_factory=list)
    audit: list[tuple[Any, ...]] = dataclasses.field(default_factory=list)

    def add(
        self,
        record_id: UUID,
        kind: Kind,
        fields: AnyFields,
        notes: str,
        *,
        created_at: datetime,
        updated_at: datetime,
    ) -> None:
        self.records.append((record_id, kind, created_at, updated_at, notes))
        self.kinds.setdefault(kind, []).append((record_id, *VALUES_OF_KIND[kind](fields)))
        if isinstance(fields, LinkFields):
            self.citations.extend((record_id, c, i) for i, c in enumerate(fields.citations))
        elif isinstance(fields, JudgementFields):
            for role in ("rests_on", "concerns"):
                refs = getattr(fields, role)
                self.judged.extend((record_id, role, r, i) for i, r in enumerate(refs))

    def write(self, s: Session) -> None:
        insert_rows(s, table_of(m.Record), RECORD_COLUMNS, self.records)
        for kind in INSERT_ORDER:
            rows = self.kinds.get(kind)
            if rows:
                table_columns = ("id", *COLUMNS_OF_KIND[kind].values())
                insert_rows(s, table_of(MODEL_OF_KIND[kind]), table_columns, rows)
        insert_rows(s, table_of(m.LinkCitation), CITATION_COLUMNS, self.citations)
        insert_rows(s, table_of(m.JudgementRef), JUDGEMENT_REF_COLUMNS, self.judged)
        insert_rows(s, table_of(m.AuditEvent), AuditLog.ROW_COLUMNS, self.audit)
        insert_rows(s, table_of(m.RecordTag), TAG_COLUMNS, self.tags)


def checked(
    s: Session, new: Sequence[NewRecord], pending: Mapping[UUID, Kind], *, check_links: bool
) -> list[NewRecord]:
    """``new`` with its reported values written as their facts' are, once each record
    has passed the checks it must pass against the case (``pending``: the records being
    inserted with it); ``check_links`` off: a link need not fit (a restore puts back what
    was there, as it was)."""
    written = normalised(s, [n.fields for n in new], pending)
    new = [
        n if f is n.fields else dataclasses.replace(n, fields=f)
        for n, f in zip(new, written, strict=True)
    ]
    fields = [n.fields for n in new]
    check_references_many(s, fields, pending)
    if check_links:
        check_fits(s, [f for f in fields if isinstance(f, LinkFields)], pending)
    check_reports(s, fields, pending)
    for vocabulary, codes in terms_used(fields).items():
        check_codes(s, vocabulary, codes)
    return new


def ends_named(items: Iterable[AnyFields]) -> set[UUID]:
    """The records the labels of these links and reported values name."""
    ends: set[UUID] = set()
    for f in items:
        if isinstance(f, LinkFields):
            ends.update((f.subject, f.object))
        elif isinstance(f, ReportFields):
            ends.update(report_refs(f))
    return ends


class RecordService:
    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    # -- reading -------------------------------------------------------------------------

    def get(self, record_id: UUID) -> Record[Any]:
        with self.sessions.read() as s:
            return to_records(s, [self.load(s, record_id)])[0]

    def get_many(self, ids: Sequence[UUID]) -> list[Record[Any]]:
        with self.sessions.read() as s:
            found = {r.id: r for r in s.scalars(select(m.Record).where(m.Record.id.in_(ids)))}
            return to_records(s, [found[i] for i in ids if i in found])

    def resolve(self, text: str) -> UUID:
        """A full UUID or a unique prefix of one (as printed, with or without dashes)."""
        with self.sessions.read() as s:
            return unique_id(s, m.Record.id, text)

    def links_of(self, record_id: UUID) -> list[Record[LinkFields]]:
        query = select(m.Link).where(or_(m.Link.subject == record_id, m.Link.object == record_id))
        with self.sessions.read() as s:
            return to_records(s, list(s.scalars(query.order_by(m.Link.created_at))))

    def quotes_of(self, source_id: UUID) -> list[Record[Any]]:
        query = (
            select(m.Quote).where(m.Quote.source == source_id).order_by(m.Quote.page, m.Quote.id)
        )
        with self.sessions.read() as s:
            return to_records(s, list(s.scalars(query)))

    def documents_of(self, source_id: UUID) -> list[Record[Any]]:
        query = select(m.Document).where(m.Document.source == source_id)
        with self.sessions.read() as s:
            return to_records(s, list(s.scalars(query.order_by(m.Document.created_at))))

    # -- writing -------------------------------------------------------------------------

    def add(
        self,
        fields: F,
        *,
        tags: Sequence[str] = (),
        notes: str = "",
        record_id: UUID | None = None,
    ) -> Record[F]:
        """Add one record; ``record_id`` lets an undone add come back as the same record.
        What it touched: ``changes_of([record])``."""
        if isinstance(fields, FIELDS_OF_KIND[Kind.DOCUMENT]):
            raise InvalidInput("documents are added by attaching a file to a source")
        refuse_contradiction(fields)
        new = NewRecord(fields, tags=tuple(tags), notes=notes, record_id=record_id)
        with self.sessions.write() as s:
            return self.insert(s, AuditLog(s), [new])[0]

    def add_many(self, items: Sequence[AnyFields]) -> list[UUID]:
        """The bulk path (imports, the benchmark): one transaction for all, executemany per
        table, references checked in one query, an audit entry for every record."""
        if any(isinstance(f, FIELDS_OF_KIND[Kind.DOCUMENT]) for f in items):
            raise InvalidInput("documents are added by attaching a file to a source")
        with self.sessions.write() as s:
            return self.store(s, AuditLog(s), [NewRecord(f) for f in items]).ids

    def insert(
        self, s: Session, audit: AuditLog, new: Sequence[NewRecord], *, action: str = "create"
    ) -> list[Record[Any]]:
        """Insert records within an action that is already open (every add goes here),
        and hand them back as values."""
        return self.store(s, audit, new, action=action).records()

    def store(
        self, s: Session, audit: AuditLog, new: Sequence[NewRecord], *, action: str = "create"
    ) -> Stored:
        """``insert``, but for the records as values, which the bulk path does not need.

        Core ``executemany`` per table rather than the ORM unit of work: the same checks
        and audit entries at a fraction of the cost, which is what keeps bulk imports
        within reach of raw SQLite."""
        with collection_paused():
            return self._store(s, audit, new, action)

    def _store(self, s: Session, audit: AuditLog, new: Sequence[NewRecord], action: str) -> Stored:
        fresh = iter(new_ids(sum(1 for n in new if n.record_id is None)))
        ids = [n.record_id or next(fresh) for n in new]
        kinds = [KIND_OF_FIELDS[type(n.fields)] for n in new]
        pending = dict(zip(ids, kinds, strict=True))
        new = checked(s, new, pending, check_links=action != "restore")
        end_labels = labels(s, ends_named(n.fields for n in new))
        stored = Stored(ids, kinds, new, datetime.now(UTC))
        rows = Rows()
        # Tags by what was typed: a batch tagged alike (an import) resolves them once.
        tag_sets: dict[tuple[str, ...], tuple[list[int], tuple[str, ...]]] = {(): ([], ())}
        for record_id, kind, item in zip(ids, kinds, new, strict=True):
            tagged = tag_sets.get(item.tags)
            if tagged is None:
                found = resolve_tags(s, item.tags)
                tagged = (list(found), tuple(sorted(found.values(), key=fold)))
                tag_sets[item.tags] = tagged
            label = fields_label(kind, item.fields, end_labels)
            notes = item.notes.strip()
            stored.labels.append(label)
            stored.tags.append(tagged[1])
            stored.notes.append(notes)
            made = item.created_at or stored.at
            rows.add(record_id, kind, item.fields, notes, created_at=made, updated_at=stored.at)
            if tagged[0]:
                rows.tags.extend((record_id, t) for t in tagged[0])
            rows.audit.append(audit.created_row(action, record_id, kind, label))
        rows.write(s)
        reported = [
            (n.fields.record, n.fields.fact) for n in new if isinstance(n.fields, ReportFields)
        ]
        cited = [i for i, k in zip(ids, kinds, strict=True) if k is Kind.LINK]
        stored.support.update(self.keep_in_step(s, audit, reported, cited))
        return stored

    def update(
        self,
        record_id: UUID,
        changes: Mapping[str, Any] | None = None,
        *,
        tags: Sequence[str] | None = None,
        notes: str | None = None,
    ) -> Record[Any]:
        """Change some fields (by name), the tags or the notes; no change, no audit entry.
        What it touched: ``changes_of([before, after])``."""
        with self.sessions.write() as s:
            model = self.load(s, record_id)
            refuse_reported(s, model, changes or {})
            self.change(s, AuditLog(s), model, changes or {}, tags=tags, notes=notes)
            refuse_contradiction(fields_of(model))  # the action rolls back if it says so
            return to_records(s, [model])[0]

    def change(
        self,
        s: Session,
        audit: AuditLog,
        model: m.Record,
        changes: Mapping[str, Any],
        *,
        tags: Sequence[str] | None = None,
        notes: str | None = None,
    ) -> None:
        old_fields = fields_of(model)
        cls = type(old_fields)
        known = {f.name: f for f in dataclasses.fields(cls)}
        for name in changes:
            if name not in known:
                raise InvalidInput(f"{a_or_an(model.kind.value)} has no field '{name}'")
            if known[name].metadata.get("fixed") and changes[name] != getattr(old_fields, name):
                raise InvalidInput(f"{name} of {a_or_an(model.kind.value)} cannot be changed")
        new_fields = dataclasses.replace(old_fields, **changes)
        check_references(s, new_fields)
        if isinstance(new_fields, LinkFields) and {"relation", "subject", "object"} & {
            name for name in changes if changes[name] != getattr(old_fields, name)
        }:
            check_fits(s, [new_fields])
        check_terms(s, new_fields)
        if isinstance(new_fields, JudgementFields) and model.id in (
            new_fields.superseded_by,
            *new_fields.rests_on,
        ):
            raise InvalidInput("a judgement can neither supersede nor rest on itself")
        if isinstance(new_fields, ReportFields):
            assert isinstance(old_fields, ReportFields)
            if (new_fields.record, new_fields.fact) != (old_fields.record, old_fields.fact):
                raise InvalidInput(
                    "a reported value stays with its record and fact: report a new value instead"
                )
            [new_fields] = normalised(s, [new_fields], {})
            check_reports(s, [new_fields], {})
            if new_fields.source is None and getattr(old_fields, "source", None) is not None:
                raise InvalidInput("a reported value needs its source")
        before = {**fields_json(old_fields, dates_as_objects=False), **meta_json(model)}
        apply(model, new_fields)
        if notes is not None:
            model.notes = notes.strip()
        if tags is not None:
            set_tags(s, model, tags)
        s.flush()
        after = {**fields_json(new_fields, dates_as_objects=False), **meta_json(model)}
        changed = diff(before, after)
        if changed:
            model.updated_at = datetime.now(UTC)
            label = to_records(s, [model])[0].label
            audit.record("update", model.id, model.kind.value, label, changed)
        if changed:
            self._supports_changed(s, audit, model.id, old_fields, new_fields)

    def _supports_changed(
        self, s: Session, audit: AuditLog, record_id: UUID, old: AnyFields, new: AnyFields
    ) -> None:
        """After a change: bring in step what it may have changed the support of."""
        differs = {n for n in field_names(type(old)) if getattr(old, n) != getattr(new, n)}
        if isinstance(old, ReportFields) and isinstance(new, ReportFields):
            self.keep_in_step(s, audit, {(f.record, f.fact) for f in (old, new)})
        elif isinstance(new, LinkFields) and "citations" in differs:
            self.keep_in_step(s, audit, (), [record_id])
        elif isinstance(new, SourceFields) and differs & GRADING[Kind.SOURCE]:
            regraded = "reliability" in differs
            self.sources_changed(s, audit, [record_id], regraded=regraded)
        elif isinstance(new, QuoteFields) and differs & GRADING[Kind.QUOTE]:
            touched = citing(s, quotes=[record_id])
            self.keep_in_step(s, audit, touched.reports, touched.records)

    def sources_changed(
        self, s: Session, audit: AuditLog, sources: Iterable[UUID], *, regraded: bool = False
    ) -> None:
        """After these sources' origins changed (a publisher, a derived-from, a
        near-duplicate verdict): the support of everything their origins reach. Also
        ``regraded``: the values that stand among the facts reported from them (the rule
        weighs grades, not origins)."""
        touched = citing(s, sources=sources)
        self.keep_in_step(s, audit, touched.reports if regraded else (), touched.records)

    def keep_in_step(
        self, s: Session, audit: AuditLog, pairs: Iterable[Pair], others: Iterable[UUID] = ()
    ) -> dict[UUID, Corroboration | None]:
        """Bring records in step with their reports (``pairs``: each record's standing
        value, disputes and support) and count again the support of ``others``; the
        support counted, by record."""
        pairs = list(pairs)
        records = {record for record, _ in pairs}
        weighed = standings_of(s, records)  # read once for both
        if pairs:
            sync_facts(s, pairs, self._writer(s, audit), weighed)
        return keep_support(s, records | set(others), weighed)

    def dependents(self, record_id: UUID) -> Dependents:
        with self.sessions.read() as s:
            return delete_plan(s, self.load(s, record_id))[2]

    def delete(self, record_id: UUID) -> Deletion:
        """Delete a record with what cannot exist without it (a source's quotes and
        documents, the links of any record) and take it out of references that may be
        empty (a quote's speaker, a link's citations). One action in the audit trail.

        Returns everything it removed or changed, so that ``restore`` can undo it."""
        with self.sessions.write() as s:
            return self.delete_in(s, AuditLog(s), record_id)

    def delete_in(self, s: Session, audit: AuditLog, record_id: UUID) -> Deletion:
        """``delete`` within an action that is already open."""
        deleted, detached, summary = delete_plan(s, self.load(s, record_id))
        snapshot = take_snapshot(s, [model for model, _label in deleted], detached, summary)
        gone = {r.id for r, _label in deleted}
        for model in detached:
            self.change(s, audit, model, without(fields_of(model), gone))
        blobs = set()
        for model, label in deleted:
            before = {**fields_json(fields_of(model), dates_as_objects=False)}
            before.update(meta_json(model))
            audit.record("delete", model.id, model.kind.value, label, diff(before, {}))
            if isinstance(model, m.Document):
                blobs.add(model.sha256)
            s.delete(model)
            s.flush()
        drop_orphan_blobs(s, blobs)
        reported = [
            (r.fields.record, r.fields.fact)
            for r in snapshot.records
            if isinstance(r.fields, ReportFields)
        ]
        self.keep_in_step(s, audit, reported)
        return snapshot

    def restore(self, deletion: Deletion) -> Changes:
        """Undo a delete: the same records with the same IDs, tags, notes and documents,
        and the references the delete had cleared. One action in the audit trail; what
        it touched is what the delete did."""
        with self.sessions.write() as s:
            audit = AuditLog(s)
            for sha, data in deletion.blobs.items():
                if s.get(m.Blob, sha) is None:
                    s.add(m.Blob(sha256=sha, size=len(data), data=data))
            s.flush()
            new = [NewRecord.again(r) for r in reversed(deletion.records)]
            self.insert(s, audit, new, action="restore")
            s.add_all(
                m.DocumentPage(document_id=doc, number=i, text=text)
                for doc, pages in deletion.pages.items()
                for i, text in enumerate(pages, start=1)
            )
            for before in deletion.detached:
                values = {n: getattr(before.fields, n) for n in field_names(type(before.fields))}
                self.change(s, audit, self.load(s, before.id), values)
            for source_id, signature in deletion.fingerprints.items():
                store_fingerprint(s, source_id, signature)
            ends = {end for match in deletion.matches for end in match[:2]}
            there = set(s.scalars(select(m.Source.id).where(m.Source.id.in_(ends))))
            s.add_all(  # a match with a source deleted since stays gone with it
                m.NearDuplicate(source_id=a, other_id=b, similarity=alike, verdict=verdict)
                for a, b, alike, verdict in deletion.matches
                if {a, b} <= there
            )
            s.flush()
            if deletion.matches:  # two sources of one story count once again
                self.sources_changed(s, audit, deletion.fingerprints)
        return deletion.changes

    def _writer(self, s: Session, audit: AuditLog) -> Write:
        """How the facts' sync writes a record's standing value: an audited change."""
        return lambda model, changes: self.change(s, audit, model, changes)

    def load(self, s: Session, record_id: UUID) -> m.Record:
        model = s.get(m.Record, record_id)
        if model is None:
            raise NotFound(f"no record with ID {record_id}")
        return model


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cycle collector off while an insert builds and writes its rows. They
    hold no cycles, but a bulk insert makes several tuples per record, and every few
    hundred made start a collection, now and then one of everything alive, the rows made
    so far included: an eighth to a fifth of a bulk insert's CPU time (20,000 people:
    43 ms per 1,000 with it, 35 without). The collector is the process's: what other
    threads leave meanwhile is collected once it runs again, as it did before."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def new_ids(n: int) -> list[UUID]:
    """``n`` random (version 4) UUIDs, as ``uuid4`` makes them, from one read of the
    system's randomness: half the cost of ``uuid4`` each, which a bulk import pays per
    record."""
    data = os.urandom(16 * n)
    return [
        UUID(int=int.from_bytes(data[i : i + 16]) & _RANDOM_BITS | _VERSION_4)
        for i in range(0, 16 * n, 16)
    ]


# A version 4 UUID: 122 random bits, the version (4) and the variant (RFC 4122) set.
_RANDOM_BITS = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_VERSION_4 = (4 << 76) | (0x8000 << 48)


def refuse_contradiction(fields: AnyFields) -> None:
    said = contradiction(fields)
    if said:
        raise InvalidInput(said)


def refuse_reported(s: Session, model: m.Record, changes: Mapping[str, Any]) -> None:
    """A fact with reported values takes the value that stands among them: changing the
    field itself would leave the reports saying something else."""
    if model.kind not in FACTS:
        return
    changed = [
        name
        for name in changes
        if name in FACTS[model.kind] and changes[name] != getattr(model, name)
    ]
    if not changed:
        return
    query = select(m.Report.fact).where(m.Report.record == model.id, m.Report.fact.in_(changed))
    reported = s.scalars(query.limit(1)).first()
    if reported is not None:
        raise InvalidInput(
            f"{field_label(reported).lower()} has reported values: report the new value with "
            "its source, or assess one of the reports"
        )


def apply(model: m.Record, fields: AnyFields) -> None:
    for f in dataclasses.fields(fields):
        setattr(model, f.name, getattr(fields, f.name))


def meta_json(model: m.Record) -> dict[str, Any]:
    return {
        "tags": sorted((t.tag.name for t in model.tag_rows), key=fold),
        "notes": model.notes,
    }


def set_tags(s: Session, model: m.Record, names: Sequence[str]) -> None:
    """Replace a loaded record's tags (the update path)."""
    s.execute(delete(m.RecordTag).where(m.RecordTag.record_id == model.id))
    rows = [(model.id, t) for t in resolve_tags(s, names)]
    insert_rows(s, table_of(m.RecordTag), TAG_COLUMNS, rows)
    s.expire(model, ["tag_rows"])


def resolve_tags(s: Session, names: Sequence[str]) -> dict[int, str]:
    """Tag IDs and stored names for what was typed, creating new tags as needed.

    Tags are shared by name across the case: 'Claimed', 'claimed' and 'CLAIMED' are one
    tag, spelled as it was first typed (compared with Unicode case folding)."""
    wanted = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    if not wanted:
        return {}
    folded = {fold(w): w for w in wanted}
    query = select(m.Tag.id, m.Tag.name).where(func.casefold(m.Tag.name).in_(folded))
    existing = {fold(name): (tag_id, name) for tag_id, name in s.execute(query).all()}
    for key, name in folded.items():
        if key not in existing:
            tag_id = s.execute(insert(m.Tag).values(name=name).returning(m.Tag.id)).scalar_one()
            existing[key] = (tag_id, name)
    return dict(existing[key] for key in folded)
