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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from casefile.db import models as m
from casefile.db.engine import Sessions, fold
from casefile.domain.changes import Changes
from casefile.domain.errors import InvalidInput, NotFound
from casefile.domain.formats import READ_AGAIN
from casefile.domain.placing import place_again
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


@dataclass(frozen=True)
class QuotePlace:
    """A quote placed in the document by characters, and its words, at one time."""

    quote_id: UUID
    text: str
    page: int | None  # never changed here: the characters are on this page
    char_start: int | None
    char_end: int | None


@dataclass(frozen=True)
class TextState:
    """What a document's text is at one time: its pages, its source's title, notes and
    tags (a title the import took from the text reads as garbled as the text), and where
    the quotes placed in it by characters point."""

    pages: tuple[str, ...]
    title: str
    notes: str
    tags: tuple[str, ...]
    quotes: tuple[QuotePlace, ...] = ()


@dataclass(frozen=True)
class Moved:
    """The quotes placed in a document by characters, after it was read again: how many
    were found again, how many of those had their words copied from its garbled text and
    now read as it does, and how many were not found (they now cite their page only)."""

    placed: int
    reworded: int
    unplaced: int

    def counts(self) -> tuple[int, int, int]:
        return self.placed, self.reworded, self.unplaced


@dataclass(frozen=True)
class ReadAgain:
    """A document read again: the text before and after, and what changed."""

    document_id: UUID
    file_name: str
    encoding: str
    before: TextState
    after: TextState
    changes: Changes

    @property
    def quotes_moved(self) -> Moved:
        """What became of the quotes placed in the document by characters."""
        now = {q.quote_id: q for q in self.after.quotes}
        reworded = sum(now[q.quote_id].text != q.text for q in self.before.quotes)
        unplaced = sum(now[q.quote_id].char_start is None for q in self.before.quotes)
        return Moved(len(self.before.quotes) - unplaced, reworded, unplaced)


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
        result = _read(data, name, codec)
        said = f"{codec} (chosen)"
        # The first document's line reads "Text encoding: …"; an attachment's names it.
        assert source is not None  # _state refused a document without one
        main = self.records.documents_of(source)[0].id == document_id
        own = [n for n in before.notes.splitlines() if _notes_encoding_of(n, name, main)]
        notes = [n for n in before.notes.splitlines() if n not in own]
        was = _codec_said(own[-1]) if own else None
        pages = result.extracted.pages
        guessed = any(f"({GUESSED}" in n for n in notes if n.startswith(ENCODING_NOTE))
        # The title the text gave at import follows the text; one the user wrote stays.
        from_text = before.title == heading_of(before.pages) and result.extracted.title
        after = TextState(
            pages=pages,
            title=result.extracted.title if from_text else before.title,
            notes="\n".join([*notes, f"{ENCODING_NOTE} of {name}: {said}"]),
            # The tag stays while another of the source's texts is still a guess.
            tags=tuple(t for t in before.tags if guessed or fold(t) != fold(ENCODING_GUESSED)),
            quotes=tuple(
                _placed_again(q, before.pages, pages, (was, codec)) for q in before.quotes
            ),
        )
        changes = self.restore(document_id, after, said=said)
        return ReadAgain(document_id, name, codec, before, after, changes)

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
            quotes = _move_quotes(self.records, s, audit, state.quotes)
            now = _size(state.pages) + (f", {said}" if said else "")
            audit.record(
                "update", document_id, Kind.DOCUMENT.value, document.file_name, {"text": [old, now]}
            )
            ids = frozenset({document_id, source.id, *quotes})
            kinds = {Kind.DOCUMENT, Kind.SOURCE} | ({Kind.QUOTE} if quotes else set())
            return Changes(kinds=frozenset(kinds), records=ids)


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
    placed = s.execute(
        select(m.Quote.id, m.Quote.text, m.Quote.page, m.Quote.char_start, m.Quote.char_end)
        .where(m.Quote.document == document.id, m.Quote.char_start.is_not(None))
        .order_by(m.Quote.id)
    )
    quotes = tuple(QuotePlace(*row) for row in placed)
    return TextState(tuple(pages), title, source.notes, tags, quotes)


def _placed_again(
    quote: QuotePlace,
    old: tuple[str, ...],
    new: tuple[str, ...],
    codecs: tuple[str | None, str],
) -> QuotePlace:
    """Where a quote's words are in the text read again (its page stays its page); not
    placed by characters where they are not found."""
    at = (quote.page or 1) - 1
    assert quote.char_start is not None  # as selected
    assert quote.char_end is not None
    if at >= min(len(old), len(new)):
        return replace(quote, char_start=None, char_end=None)
    span = (quote.char_start, quote.char_end)
    placed = place_again(quote.text, old[at], new[at], span, codecs)
    if placed is None:
        return replace(quote, char_start=None, char_end=None)
    return replace(quote, text=placed.text, char_start=placed.char_start, char_end=placed.char_end)


def _move_quotes(
    records: RecordService, s: Session, audit: AuditLog, places: tuple[QuotePlace, ...]
) -> set[UUID]:
    """Put each quote's words and characters as ``places`` say (audited per quote); the
    quotes that changed. A quote deleted since is left deleted."""
    moved: set[UUID] = set()
    for place in places:
        quote = records.load(s, place.quote_id)
        if quote is None:
            continue
        values = {"text": place.text, "char_start": place.char_start, "char_end": place.char_end}
        if any(getattr(quote, name) != value for name, value in values.items()):
            records.change(s, audit, quote, values)
            moved.add(place.quote_id)
    return moved


def _codec_said(line: str) -> str | None:
    """The encoding a notes line says a text was read in ("… : cp1256 (detected)")."""
    said = line.partition(": ")[2].split(" ")[0]
    try:
        return chosen_codec(said) if said else None
    except InvalidInput:
        return None


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
