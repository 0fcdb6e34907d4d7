"""Stored originals: bytes kept once in the case, named by SHA-256, never modified."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from casefile.db import models as m
from casefile.db.bulk import insert_rows
from casefile.db.engine import Sessions
from casefile.domain.errors import InvalidInput, NotFound
from casefile.domain.formats import UNKNOWN_MEDIA_TYPE
from casefile.domain.records import DocumentFields, QuoteFields, Record
from casefile.domain.terms import Kind
from casefile.services.audit import AuditLog
from casefile.services.record_service import NewRecord, RecordService


@dataclass(frozen=True)
class Reading:
    """A document to read: its record, source, bytes and text; and, when it is opened
    for a quote, the quote's place in it."""

    document: Record[DocumentFields]
    source_label: str
    data: bytes
    pages: list[str]
    page: int | None = None
    char_start: int | None = None
    char_end: int | None = None
    at: int | None = None  # seconds into a recording: its subtitles open at that cue


class DocumentService:
    def __init__(self, sessions: Sessions, records: RecordService) -> None:
        self.sessions = sessions
        self.records = records

    def attach(
        self,
        data: bytes,
        file_name: str,
        *,
        source: UUID | None = None,
        media_type: str = UNKNOWN_MEDIA_TYPE,
        pages: Sequence[str] = (),
    ) -> Record[DocumentFields]:
        """Store ``data`` (once, however often it is attached) as a document of ``source``,
        with its extracted text per page, in one action."""
        with self.sessions.write() as s:
            return self.attach_in(
                s, AuditLog(s), data, file_name, source=source, media_type=media_type, pages=pages
            )

    def attach_in(
        self,
        s: Session,
        audit: AuditLog,
        data: bytes,
        file_name: str,
        *,
        source: UUID | None,
        media_type: str,
        pages: Sequence[str],
    ) -> Record[DocumentFields]:
        fields = DocumentFields(
            source=source,
            file_name=file_name,
            media_type=media_type,
            sha256=store_blob(s, data),
            size=len(data),
        )
        record: Record[DocumentFields] = self.records.insert(s, audit, [NewRecord(fields)])[0]
        add_pages(s, record.id, pages)
        return record

    def content(self, document_id: UUID) -> bytes:
        with self.sessions.read() as s:
            doc = s.get(m.Document, document_id)
            if doc is None:
                raise NotFound(f"no document with ID {document_id}")
            data: bytes = s.scalars(select(m.Blob.data).where(m.Blob.sha256 == doc.sha256)).one()
            return data

    def pages(self, document_id: UUID) -> list[str]:
        query = select(m.DocumentPage.text).where(m.DocumentPage.document_id == document_id)
        with self.sessions.read() as s:
            return list(s.scalars(query.order_by(m.DocumentPage.number)))

    def reading(self, record_id: UUID) -> Reading:
        """A document, or the document a quote was taken from (its source's PDF first),
        at the quote's place."""
        record = self.records.get(record_id)
        place: dict[str, int | None] = {}
        if record.kind is Kind.QUOTE:
            quote: QuoteFields = record.fields
            documents = self.records.documents_of(quote.source)
            if not documents:
                raise NotFound("the quote's source has no stored document")
            # The document it was taken from; for an older quote, the source's PDF first.
            record = next(
                (d for d in documents if d.id == quote.document),
                next(
                    (d for d in documents if d.fields.media_type == "application/pdf"), documents[0]
                ),
            )
            place = {
                "page": quote.page,
                "char_start": quote.char_start,
                "char_end": quote.char_end,
                "at": quote.at,
            }
        elif record.kind is not Kind.DOCUMENT:
            raise InvalidInput(f"a {record.kind.label.lower()} is not a document")
        source = record.fields.source
        return Reading(
            record,
            self.records.get(source).label if source else "",
            self.content(record.id),
            self.pages(record.id),
            **place,
        )

    def mismatched_hashes(self) -> list[tuple[str, str]]:
        """Blobs whose bytes no longer hash to their name: (expected, actual)."""
        bad: list[tuple[str, str]] = []
        with self.sessions.read() as s:
            for sha in list(s.scalars(select(m.Blob.sha256))):
                data: Any = s.scalars(select(m.Blob.data).where(m.Blob.sha256 == sha)).one()
                actual = hashlib.sha256(data).hexdigest()
                if actual != sha:
                    bad.append((sha, actual))
        return bad


_BLOB = cast(Table, m.Blob.__table__)


def store_blob(s: Session, data: bytes) -> str:
    """Keep ``data`` once, named by its SHA-256 (however often it is attached)."""
    sha = hashlib.sha256(data).hexdigest()
    insert_rows(s, _BLOB, ("sha256", "size", "data"), [(sha, len(data), data)], keep_existing=True)
    return sha


def add_pages(s: Session, document_id: UUID, pages: Sequence[str]) -> None:
    rows = [(document_id, number, text) for number, text in enumerate(pages, start=1)]
    insert_rows(s, _PAGE, ("document_id", "number", "text"), rows)


_PAGE = cast(Table, m.DocumentPage.__table__)
