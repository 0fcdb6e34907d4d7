"""The case file's schema as SQLAlchemy 2 typed models.

Every record kind shares one ``record`` row (joined-table inheritance): one UUID space, so a
link, a tag or an audit entry can point at any record with a real foreign key, and the
common columns (timestamps, notes) live in one place. Attribute names equal the field
names of the matching ``casefile.domain.records`` dataclass, which keeps the mapping generic.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from casefile.db.types import EnumList, FigureType, PartialDateType, TextList, UtcDateTime
from casefile.domain.dates import PartialDate
from casefile.domain.figures import Figure
from casefile.domain.terms import (
    AnalyticConfidence,
    AttackStatus,
    Claimed,
    ClaimMode,
    Confidence,
    Credibility,
    DuplicateVerdict,
    GroupKind,
    Kind,
    PersonRole,
    PersonStatus,
    Probability,
    Relation,
    Reliability,
    SourceKind,
)

# Names and titles sort as people expect ("al-Qaeda" beside "AQAP", not after "Zawahiri").
SortableText = Text(collation="NOCASE")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _enum(cls: type[Any]) -> Enum:
    """Store the value (not the member name), checked by a named CHECK constraint."""
    return Enum(
        cls,
        native_enum=False,
        create_constraint=True,
        length=32,
        name=cls.__name__.lower(),
        values_callable=lambda e: [m.value for m in e],
    )


def _record_fk() -> ForeignKey:
    return ForeignKey("record.id", ondelete="CASCADE")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        datetime: UtcDateTime(),
        PartialDate: PartialDateType(),
        Figure: FigureType(),
        str: Text(),
    }


class CaseInfo(Base):
    """The single row that describes the case itself."""

    __tablename__ = "case_info"
    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    title: Mapped[str]
    summary: Mapped[str] = mapped_column(default="")
    created_at: Mapped[datetime]
    # The briefing pack's handling block (``domain.handling.Handling``), as the case's
    # last pack carried it: the next one offers it again (migration 0011).
    pack_originator: Mapped[str] = mapped_column(server_default="")
    pack_reference: Mapped[str] = mapped_column(server_default="")
    pack_distribution: Mapped[str] = mapped_column(server_default="")
    pack_instructions: Mapped[str] = mapped_column(server_default="")
    pack_review: Mapped[PartialDate | None]
    pack_contact: Mapped[str] = mapped_column(server_default="")


class PackVersion(Base):
    """A briefing pack written from the case, recorded once its file was in place: its
    number in the case's sequence (1, 2, 3…), the version it printed (that number, or
    what the user typed), when it was built, the case's last change it includes, the
    SHA-256 of what it was built from (``briefing.versions``) and its file's name."""

    __tablename__ = "pack_version"
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[str]
    built_at: Mapped[datetime]
    as_of: Mapped[datetime | None]
    state_sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str]


class RecordCount(Base):
    """How many records of each kind, kept by triggers on ``record`` (migration 0003):
    counting a million rows reads a whole index, which on a cold start takes a second."""

    __tablename__ = "record_count"
    kind: Mapped[Kind] = mapped_column(_enum(Kind), primary_key=True)
    n: Mapped[int]


class SavedSearch(Base):
    """A search the investigator keeps, to run again with one click."""

    __tablename__ = "saved_search"
    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(SortableText, unique=True)
    query: Mapped[str]
    created_at: Mapped[datetime]


class Record(Base):
    __tablename__ = "record"
    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[Kind] = mapped_column(_enum(Kind))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    notes: Mapped[str] = mapped_column(default="")
    # The facts whose reported values disagree (``domain.facts.disagree``), kept as
    # reports change, so that a table marks them without reading every report per row.
    disputed: Mapped[tuple[str, ...]] = mapped_column(TextList, server_default="[]")
    # How well supported it is (``services.support``): for an attack or a person its least
    # supported reported fact, for a link its citations; None when nothing reports or cites.
    support_count: Mapped[int | None]
    support_grade: Mapped[str] = mapped_column(String(4), server_default="")
    tag_rows: Mapped[list[RecordTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="RecordTag.tag_id"
    )

    __mapper_args__ = {"polymorphic_on": "kind"}
    # Lists of one kind sort by time and page by (time, id): one index walk per page.
    __table_args__: tuple[Any, ...] = (
        Index("ix_record_kind_created_at_id", "kind", "created_at", "id"),
        Index("ix_record_kind_updated_at_id", "kind", "updated_at", "id"),
    )


class Attack(Record):
    __tablename__ = "attack"
    id: Mapped[UUID] = mapped_column(_record_fk(), primary_key=True)
    title: Mapped[str] = mapped_column(SortableText)
    date: Mapped[PartialDate | None]
    end_date: Mapped[PartialDate | None]
    location: Mapped[str] = mapped_column(default="")
    city: Mapped[str] = mapped_column(default="")
    country: Mapped[str] = mapped_column(default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    attack_types: Mapped[tuple[str, ...]] = mapped_column(TextList, default=())
    weapon_types: Mapped[tuple[str, ...]] = mapped_column(TextList, default=())
    target_types: Mapped[tuple[str, ...]] = mapped_column(TextList, default=())
    killed: Mapped[Figure | None]
    wounded: Mapped[Figure | None]
    perpetrators_killed: Mapped[Figure | None]
    claimed: Mapped[Claimed] = mapped_column(_enum(Claimed))
    claimed_by: Mapped[UUID | None] = mapped_column(
        "claimed_by_id", ForeignKey("group.id", ondelete="RESTRICT"), index=True
    )
    claim_date: Mapped[PartialDate | None]
    claim_method: Mapped[str] = mapped_column(default="")
    status: Mapped[AttackStatus] = mapped_column(_enum(AttackStatus))
    summary: Mapped[str] = mapped_column(default="")

    __mapper_args__ = {"polymorphic_identity": Kind.ATTACK}
    __table_args__ = (
        Index("ix_attack_date_id", "date", "id"),
        Index("ix_attack_end_date_id", "end_date", "id"),
        Index("ix_attack_title_id", "title", "id"),
        Index("ix_attack_killed_id", "killed", "id"),
    )


class Person(Record):
    __tablename__ = "person"
    id: Mapped[UUID] = mapped_column(_record_fk(), primary_key=True)
    name: Mapped[str] = mapped_column(SortableText)
    aliases: Mapped[tuple[str, ...]] = mapped_column(TextList, default=())
    roles: Mapped[tuple[PersonRole, ...]] = mapped_column(EnumList(PersonRole), default=())
    nationality: Mapped[str] = mapped_column(default="")
    birth_date: Mapped[PartialDate | None]
    status: Mapped[PersonStatus] = mapped_column(_enum(PersonStatus))

    __mapper_args__ = {"polymorphic_identity": Kind.PERSON}
    __table_args__ = (Index("ix_person_name_id", "name", "id"),)


class Group(Record):
    __tablename__ = "group"
    id: Mapped[UUID] = mapped_column(_record_fk(), primary_key=True)
    name: Mapped[str] = mapped_column(SortableText)
    aliases: Mapped[tuple[str, ...]] = mapped_column(TextList, default=())
    group_kind: Mapped[GroupKind] = mapped_column(_enum(GroupKind))
    country: Mapped[str] = mapped_column(default="")

    __mapper_args__ = {"polymorphic_identity": Kind.GROUP}
    __table_args__ = (Index("ix_group_name_id", "name", "id"),)


class Source(Record):
    __tablename__ = "source"
    id: Mapped[UUID] = mapped_column(_record_fk(), primary_key=True)
    title: Mapped[str] = mapped_column(SortableText)
    source_kind: Mapped[SourceKind] = mapped_column(_enum(SourceKind))
    authors: Mapped[tuple[str, ...]] = mapped_column(TextList, default=())
    publisher: Mapped[str] = mapped_column(default="")
    published: Mapped[PartialDate | None]
    url: Mapped[str] = mapped_column(default="")
    accessed: Mapped[PartialDate | None]
    language: Mapped[str] = mapped_column(default="")
    reliability: Mapped[Reliability | None] = mapped_column(_enum(Reliability))
    derived_from: Mapped[UUID | None] = mapped_column(
        "derived_from_id",
        ForeignKey("source.id", ondelete="RESTRICT"),
        index=True,
    )

    __mapper_args__ = {"polymorphic_identity": Kind.SOURCE, "inherit_condition": id == Record.id}
    __table_args__ = (
        Index("ix_source_title_id", "title", "id"),
        Index("ix_source_published_id", "published", "id"),
    )


class Blob(Base):
    """Original bytes, stored once, named by their SHA-256; never modified."""

    __tablename__ = "blob"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


class Document(Record):
    __tablename__ = "document"
    id: Mapped[UUID] = mapped_column(_record_fk(), primary_key=True)
    source: Mapped[UUID | None] = mapped_column(
        "source_id", ForeignKey("source.id", ondelete="RESTRICT"), index=True
    )
    file_name: Mapped[str] = mapped_column(SortableText)
    media_type: Mapped[str] = mapped_column(String(128))
    sha256: Mapped[str] = mapped_column(
        String(64), ForeignKey("blob.sha256", ondelete="RESTRICT"), index=True
    )
    size: Mapped[int]

    __mapper_args__ = {"polymorphic_identity": Kind.DOCUMENT}


class DocumentPage(Base):
    """Extracted text, one row per page (or section, for formats without pages)."""

    __tablename__ = "document_page"
    document_id: Mapped[UUID] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str]


class Quote(Record):
    __tablename__ = "quote"
    id: Mapped[UUID] = mapped_column(_record_fk(), primary_key=True)
    text: Mapped[str]
    source: Mapped[UUID] = mapped_column(
        "source_id", ForeignKey("source.id", ondelete="RESTRICT"), index=True
    )
    document: Mapped[UUID | None] = mapped_column(
        "document_id", ForeignKey("document.id", ondelete="RESTRICT"), index=True
    )
    speaker: Mapped[UUID | None] = mapped_column(
        "speaker_id", ForeignKey("record.id", ondelete="RESTRICT"), index=True
    )
    page: Mapped[int | None]
    paragraph: Mapped[int | None]
    at: Mapped[int | None]  # seconds into a recording (QuoteFields.at)
    char_start: Mapped[int | None]
    char_end: Mapped[int | None]
    said: Mapped[PartialDate | None]
    credibility: Mapped[Credibility | None] = mapped_column(_enum(Credibility))
    language: Mapped[str] = mapped_column(default="")
    translation: Mapped[str] = mapped_column(default="")
    context: Mapped[str] = mapped_column(default="")

    __mapper_args__ = {
        "polymorphic_identity": Kind.QUOTE,
        "inherit_condition": id == Record.id,
    }
    __table_args__ = (Index("ix_quote_said_id", "said", "id"),)


class Link(Record):
    __tablename__ = "link"
    id: Mapped[UUID] = mapped_column(_record_fk(), primary_key=True)
    subject: Mapped[UUID] = mapped_column(
        "subject_id", ForeignKey("record.id", ondelete="RESTRICT"), index=True
    )
    relation: Mapped[Relation] = mapped_column(_enum(Relation))
    object: Mapped[UUID] = mapped_column(
        "object_id", ForeignKey("record.id", ondelete="RESTRICT"), index=True
    )
    start: Mapped[PartialDate | None]
    end: Mapped[PartialDate | None]
    confidence: Mapped[Confidence | None] = mapped_column(_enum(Confidence))
    citation_rows: Mapped[list[LinkCitation]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="LinkCitation.position"
    )

    __mapper_args__ = {"polymorphic_identity": Kind.LINK, "inherit_condition": id == Record.id}

    @property
    def citations(self) -> tuple[UUID, ...]:
        return tuple(row.cited_id for row in self.citation_rows)

    @citations.setter
    def citations(self, ids: tuple[UUID, ...]) -> None:
        self.citation_rows = [LinkCitation(cited_id=c, position=i) for i, c in enumerate(ids)]


class LinkCitation(Base):
    """A source or quote that supports a link."""

    __tablename__ = "link_citation"
    link_id: Mapped[UUID] = mapped_column(
        ForeignKey("link.id", ondelete="CASCADE"), primary_key=True
    )
    cited_id: Mapped[UUID] = mapped_column(
        ForeignKey("record.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    position: Mapped[int]


class Report(Record):
    """One value of one fact, as one source reported it (``domain.records.ReportFields``)."""

    __tablename__ = "report"
    id: Mapped[UUID] = mapped_column(_record_fk(), primary_key=True)
    record: Mapped[UUID] = mapped_column("record_id", ForeignKey("record.id", ondelete="RESTRICT"))
    fact: Mapped[str] = mapped_column(String(32))
    value: Mapped[str]
    source: Mapped[UUID | None] = mapped_column(
        "source_id", ForeignKey("source.id", ondelete="RESTRICT"), index=True
    )
    quote: Mapped[UUID | None] = mapped_column(
        "quote_id", ForeignKey("quote.id", ondelete="RESTRICT"), index=True
    )
    page: Mapped[int | None]
    reported: Mapped[PartialDate | None]
    claim_mode: Mapped[ClaimMode | None] = mapped_column(_enum(ClaimMode))
    assessed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(default="")

    __mapper_args__ = {"polymorphic_identity": Kind.REPORT, "inherit_condition": id == Record.id}
    # A record's reports of one fact are read together whenever one of them changes; the
    # reports naming a group as claimant are found when it is deleted.
    __table_args__ = (
        Index("ix_report_record_id_fact", "record_id", "fact"),
        Index("ix_report_fact_value", "fact", "value"),
    )


class Judgement(Record):
    __tablename__ = "judgement"
    id: Mapped[UUID] = mapped_column(_record_fk(), primary_key=True)
    statement: Mapped[str]
    probability: Mapped[Probability] = mapped_column(_enum(Probability))
    confidence: Mapped[AnalyticConfidence | None] = mapped_column(_enum(AnalyticConfidence))
    basis: Mapped[str] = mapped_column(default="")
    made: Mapped[PartialDate | None]
    superseded_by: Mapped[UUID | None] = mapped_column(
        "superseded_by_id", ForeignKey("judgement.id", ondelete="RESTRICT"), index=True
    )
    ref_rows: Mapped[list[JudgementRef]] = relationship(
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="(JudgementRef.role, JudgementRef.position)",
    )

    __mapper_args__ = {
        "polymorphic_identity": Kind.JUDGEMENT,
        "inherit_condition": id == Record.id,
    }
    __table_args__ = (Index("ix_judgement_made_id", "made", "id"),)

    def _refs(self, role: str) -> tuple[UUID, ...]:
        return tuple(row.ref_id for row in self.ref_rows if row.role == role)

    def _set_refs(self, role: str, ids: tuple[UUID, ...]) -> None:
        kept = [row for row in self.ref_rows if row.role != role]
        made = [JudgementRef(role=role, ref_id=r, position=i) for i, r in enumerate(ids)]
        self.ref_rows = kept + made

    @property
    def rests_on(self) -> tuple[UUID, ...]:
        return self._refs("rests_on")

    @rests_on.setter
    def rests_on(self, ids: tuple[UUID, ...]) -> None:
        self._set_refs("rests_on", ids)

    @property
    def concerns(self) -> tuple[UUID, ...]:
        return self._refs("concerns")

    @concerns.setter
    def concerns(self, ids: tuple[UUID, ...]) -> None:
        self._set_refs("concerns", ids)


class JudgementRef(Base):
    """What a judgement rests on (``role`` "rests_on": sources, quotes, reports, links)
    or concerns ("concerns": attacks, people, groups)."""

    __tablename__ = "judgement_ref"
    judgement_id: Mapped[UUID] = mapped_column(
        ForeignKey("judgement.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    ref_id: Mapped[UUID] = mapped_column(
        ForeignKey("record.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    position: Mapped[int]


class Fingerprint(Base):
    """The MinHash of a source's document text (``importing.fingerprint``), kept to
    compare documents imported later."""

    __tablename__ = "fingerprint"
    source_id: Mapped[UUID] = mapped_column(
        ForeignKey("source.id", ondelete="CASCADE"), primary_key=True
    )
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class FingerprintBand(Base):
    """One band of a fingerprint, hashed (locality-sensitive hashing): documents that share
    a band are compared, so a new document is checked against a handful, not all."""

    __tablename__ = "fingerprint_band"
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    source_id: Mapped[UUID] = mapped_column(
        ForeignKey("source.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class NearDuplicate(Base):
    """Two sources whose documents' texts are nearly the same (a wire story re-published):
    found at import, confirmed or rejected by the analyst. Unless rejected, they count as
    one origin in corroboration."""

    __tablename__ = "near_duplicate"
    source_id: Mapped[UUID] = mapped_column(
        ForeignKey("source.id", ondelete="CASCADE"), primary_key=True
    )
    other_id: Mapped[UUID] = mapped_column(
        ForeignKey("source.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    similarity: Mapped[float] = mapped_column(Float)
    verdict: Mapped[DuplicateVerdict] = mapped_column(_enum(DuplicateVerdict))


class Tag(Base):
    __tablename__ = "tag"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)


class RecordTag(Base):
    __tablename__ = "record_tag"
    record_id: Mapped[UUID] = mapped_column(_record_fk(), primary_key=True)
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    tag: Mapped[Tag] = relationship(lazy="joined")


class VocabularyTerm(Base):
    """A value of a case vocabulary: GTD built-ins plus what the case adds."""

    __tablename__ = "vocabulary_term"
    vocabulary: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    label: Mapped[str]
    builtin: Mapped[bool] = mapped_column(Boolean)


class AuditEvent(Base):
    """One create, update or delete of one record, with each changed field's old and new
    value. ``action_id`` groups the events of one user action (a delete that also removes
    links is one action). A record's creation keeps no values (``changes`` NULL): they are
    read back from the record and its later events (``services.audit``, migration 0013)."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str]
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
