"""Reading a stored document again in an encoding the user chooses: when detection could
only guess (the source is tagged ``encoding guessed``) and the text reads garbled.

The stored bytes never change: they are read again, in the import's sandbox (they are as
untrusted as on the day they came in), and the document's text, its source's note of the
encoding and its tags are replaced in one action, in the audit trail. What the document
said before is returned with what it says now, so that the window can undo it exactly
(``restore``).
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import cast
from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from casefile.db import models as m
from casefile.db.engine import Sessions, fold
from casefile.domain.changes import Changes
from casefile.domain.errors import InvalidInput, NotFound
from casefile.domain.formats import Format
from casefile.domain.terms import Kind
from casefile.importing.extract.decode import GUESSED, chosen_codec
from casefile.importing.extract.metadata import heading_of
from casefile.importing.reading import PARSERS, ReadResult, ReadTask, read_document
from casefile.importing.sandbox import Limits, Sandbox, TaskFailed
from casefile.services.audit import AuditLog
from casefile.services.documents import add_pages
from casefile.services.record_service import RecordService

# The tag the importer sets when detection could only guess a text's encoding.
ENCODING_GUESSED = "encoding guessed"
# How the notes say a text was decoded: "Text encoding: cp1256 (detected)", or for a
# document other than the source's first, "Text encoding of claim.txt: …".
ENCODING_NOTE = "Text encoding"
# What can be read again in a chosen encoding (``dispatch.CHOOSE_ENCODING``), by media type.
READ_AGAIN = frozenset(
    f.media_type for f in (Format.TEXT, Format.MARKDOWN, Format.HTML, Format.SRT, Format.WEBVTT)
)


@dataclass(frozen=True)
class TextState:
    """What a document's text is at one time: its pages, and its source's title, notes
    and tags (a title the import took from the text reads as garbled as the text)."""

    pages: tuple[str, ...]
    title: str
    notes: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class ReadAgain:
    """A document read again: the text before and after, and what changed."""

    document_id: UUID
    file_name: str
    encoding: str
    before: TextState
    after: TextState
    changes: Changes
    # Quotes placed in the document by characters of its old text: their words are theirs,
    # but the characters they point at may have moved (said, not silently wrong).
    quotes_placed: int = 0


class Encodings:
    def __init__(self, sessions: Sessions, records: RecordService) -> None:
        self.sessions = sessions
        self.records = records

    def read_as(self, document_id: UUID, encoding: str) -> ReadAgain:
        """The document's stored bytes read again in ``encoding`` (cp1256, koi8-r, …)."""
        codec = chosen_codec(encoding)
        with self.sessions.read() as s:
            document = _document(s, document_id)
            if document.media_type.partition(";")[0].strip() not in READ_AGAIN:
                raise InvalidInput(
                    "only a text file or a web page can be read in an encoding chosen for it"
                )
            data: bytes = s.scalars(
                select(m.Blob.data).where(m.Blob.sha256 == document.sha256)
            ).one()
            before = _state(s, document)
            name, source = document.file_name, document.source
            placed = s.scalar(
                select(func.count())
                .select_from(m.Quote)
                .where(m.Quote.document == document_id, m.Quote.char_start.is_not(None))
            )
        result = _read(data, name, codec)
        said = f"{codec} (chosen)"
        # The first document's line reads "Text encoding: …"; an attachment's names it.
        assert source is not None  # _state refused a document without one
        main = self.records.documents_of(source)[0].id == document_id
        notes = [n for n in before.notes.splitlines() if not _notes_encoding_of(n, name, main)]
        guessed = any(f"({GUESSED}" in n for n in notes if n.startswith(ENCODING_NOTE))
        # The title the text gave at import follows the text; one the user wrote stays.
        from_text = before.title == heading_of(before.pages) and result.extracted.title
        after = TextState(
            pages=result.extracted.pages,
            title=result.extracted.title if from_text else before.title,
            notes="\n".join([*notes, f"{ENCODING_NOTE} of {name}: {said}"]),
            # The tag stays while another of the source's texts is still a guess.
            tags=tuple(t for t in before.tags if guessed or fold(t) != fold(ENCODING_GUESSED)),
        )
        changes = self.restore(document_id, after, said=said)
        return ReadAgain(document_id, name, codec, before, after, changes, int(placed or 0))

    def restore(self, document_id: UUID, state: TextState, said: str = "") -> Changes:
        """Put a document's text, and its source's notes and tags, as ``state`` says: one
        action (an undo, a redo, or reading it again)."""
        with self.sessions.write() as s:
            document = _document(s, document_id)
            audit = AuditLog(s)
            source = self.records.load(s, document.source) if document.source else None
            if source is None:
                raise InvalidInput("the document has no source to note its encoding in")
            old = _size(_state(s, document).pages)
            s.execute(delete(m.DocumentPage).where(m.DocumentPage.document_id == document_id))
            add_pages(s, document_id, state.pages)
            title = {"title": state.title}
            self.records.change(s, audit, source, title, tags=state.tags, notes=state.notes)
            now = _size(state.pages) + (f", {said}" if said else "")
            audit.record(
                "update", document_id, Kind.DOCUMENT.value, document.file_name, {"text": [old, now]}
            )
            ids = frozenset({document_id, source.id})
            return Changes(kinds=frozenset({Kind.DOCUMENT, Kind.SOURCE}), records=ids)


def _document(s: Session, document_id: UUID) -> m.Document:
    document = s.get(m.Document, document_id)
    if document is None:
        raise NotFound(f"no document with ID {document_id}")
    return document


def _state(s: Session, document: m.Document) -> TextState:
    if document.source is None:
        raise InvalidInput("the document has no source to note its encoding in")
    source = s.get(m.Record, document.source)
    assert source is not None
    pages = s.scalars(
        select(m.DocumentPage.text)
        .where(m.DocumentPage.document_id == document.id)
        .order_by(m.DocumentPage.number)
    )
    tags = tuple(t.tag.name for t in source.tag_rows)
    title = cast(m.Source, source).title
    return TextState(tuple(pages), title, source.notes, tags)


def _notes_encoding_of(line: str, file_name: str, main: bool) -> bool:
    """The notes' line that says how this document's text was decoded."""
    own = f"{ENCODING_NOTE} of {file_name}: "
    return line.startswith((f"{ENCODING_NOTE}: ", own) if main else own)


def _size(pages: tuple[str, ...]) -> str:
    return f"{len(pages):,} page(s), {sum(map(len, pages)):,} characters"


def _read(data: bytes, name: str, codec: str) -> ReadResult:
    """The bytes read in ``codec`` by the import's reader, in its sandbox."""
    with tempfile.TemporaryDirectory(prefix="casefile-read-again-") as folder:
        path = Path(folder) / (Path(name).name or "document")
        path.write_bytes(data)
        sha = hashlib.sha256(data).hexdigest()
        task = ReadTask(0, path, sha, len(data), None, 1_000_000, len(data) + 1, (), codec)
        sandbox = Sandbox(read_document, Limits(), processes=1, preload=[PARSERS])
        [(_task, result)] = list(sandbox.map([task], lambda: False))
    if isinstance(result, TaskFailed):
        raise InvalidInput(f"{name} could not be read as {codec}: {result.message}")
    return result
