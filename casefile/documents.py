"""Stored originals: bytes kept once in the case, named by SHA-256, never modified."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.audit import AuditLog
from casefile.db import models as m
from casefile.db.engine import Sessions
from casefile.errors import NotFound
from casefile.record_service import NewRecord, RecordService
from casefile.records import DocumentFields, Record


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
        media_type: str = "application/octet-stream",
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
        sha = hashlib.sha256(data).hexdigest()
        if s.get(m.Blob, sha) is None:
            s.add(m.Blob(sha256=sha, size=len(data), data=data))
            s.flush()  # the document row below is inserted with Core and points at it
        fields = DocumentFields(
            source=source, file_name=file_name, media_type=media_type, sha256=sha, size=len(data)
        )
        record: Record[DocumentFields] = self.records.insert(s, audit, [NewRecord(fields)])[0]
        s.add_all(
            m.DocumentPage(document_id=record.id, number=i, text=text)
            for i, text in enumerate(pages, start=1)
        )
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
