"""What a sandbox worker does with one file: read it and its attachments.

A module of its own so that the parsers load where files are read (the fork server
imports it once for all workers) and never in the window or a CLI command that does not
import.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from casefile.errors import InvalidInput
from casefile.extract.dispatch import extract
from casefile.extract.fields import clean_text
from casefile.extract.model import Extracted
from casefile.importer import ReadAttachment, ReadResult, ReadTask


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
    try:
        data = task.path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot be read ({exc.strerror or exc})") from None
    if hashlib.sha256(data).hexdigest() != task.sha256:
        raise InvalidInput("changed while it was being imported; import it again")
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
