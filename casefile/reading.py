"""What a sandbox worker does with one file: read it and its attachments.

A module of its own, light to import (no database, no parser): the fork server imports
it, and ``PARSERS``, once for all workers, and the importer names ``read_document`` for
them without loading a parser itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from casefile.errors import InvalidInput
from casefile.extract.fields import clean_text
from casefile.extract.model import Attachment, Extracted

PARSERS = "casefile.extract.dispatch"
CHANGED = "changed while it was being imported; import it again"


@dataclass(frozen=True)
class ReadTask:
    """One file for a worker: it reads the bytes itself (they do not cross a pipe) and
    checks they are still the ones hashed here, which are the ones stored."""

    number: int  # its place in the import: what in-flight state is keyed by
    path: Path
    sha256: str
    password: str | None
    max_pages: int


@dataclass(frozen=True)
class ReadAttachment:
    attachment: Attachment
    extracted: Extracted | None  # None: stored as it is, its text unread
    problem: str = ""


@dataclass(frozen=True)
class ReadResult:
    extracted: Extracted
    attachments: tuple[ReadAttachment, ...]


def _cleaned(found: Extracted) -> Extracted:
    return replace(
        found,
        title=clean_text(found.title),
        authors=tuple(clean_text(a) for a in found.authors),
        publisher=clean_text(found.publisher),
        url=clean_text(found.url),
        language=clean_text(found.language),
        pages=tuple(clean_text(p) for p in found.pages),
        metadata={clean_text(k): clean_text(v) for k, v in found.metadata.items()},
        attachments=tuple(replace(a, file_name=clean_text(a.file_name)) for a in found.attachments),
    )


def read_document(task: ReadTask) -> ReadResult:
    """The document and its attachments, read (in a sandbox worker)."""
    from casefile.extract.dispatch import extract

    try:
        data = task.path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot be read ({exc.strerror or exc})") from None
    if hashlib.sha256(data).hexdigest() != task.sha256:
        raise InvalidInput(CHANGED)
    extracted = _checked(_cleaned(extract(data, task.path.name, password=task.password)), task)
    attachments = []
    for attachment in extracted.attachments:
        try:
            inner = _checked(_cleaned(extract(attachment.data, attachment.file_name)), task)
            attachments.append(ReadAttachment(attachment, inner))
        except InvalidInput as exc:
            attachments.append(ReadAttachment(attachment, None, str(exc)))
    return ReadResult(extracted, tuple(attachments))


def _checked(extracted: Extracted, task: ReadTask) -> Extracted:
    if len(extracted.pages) > task.max_pages:
        raise InvalidInput(
            f"has {len(extracted.pages):,} pages, more than the limit of {task.max_pages:,}"
        )
    return extracted
