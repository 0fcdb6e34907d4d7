"""What extraction hands back: plain, picklable values.

The importer runs extraction in worker processes, so everything here must cross a process
boundary unchanged (no open files, no library objects), and must mean the same thing
whatever the format was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from casefile.dates import PartialDate
from casefile.errors import InvalidInput
from casefile.vocab import LabelledEnum


class Format(LabelledEnum):
    PDF = "pdf", "PDF document"
    HTML = "html", "web page"
    MHTML = "mhtml", "web archive"
    DOCX = "docx", "Word document"
    TEXT = "text", "text file"
    MARKDOWN = "markdown", "Markdown file"
    EMAIL = "email", "e-mail"

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self]


_MEDIA_TYPES = {
    Format.PDF: "application/pdf",
    Format.HTML: "text/html",
    Format.MHTML: "multipart/related",
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Format.TEXT: "text/plain",
    Format.MARKDOWN: "text/markdown",
    Format.EMAIL: "message/rfc822",
}


def media_label(media_type: str) -> str:
    """What people call a stored document's type: "Web page", not "text/html"."""
    bare = media_type.partition(";")[0].strip().lower()
    found = next((f for f in Format if f.media_type == bare), None)
    return found.label[0].upper() + found.label[1:] if found else bare


class Unsupported(InvalidInput):
    """Not a format Casefile reads; the message names what the file actually is."""


class PasswordRequired(InvalidInput):
    """An encrypted document that the given password (if any) does not open."""


class Damaged(InvalidInput):
    """A file of a known format that cannot be read safely: truncated, corrupt or hostile."""


class TooLarge(InvalidInput):
    """More text than may be read from one document (the limit is the caller's)."""


@dataclass(frozen=True)
class Attachment:
    """A file carried inside another (an e-mail's attachment), imported as its own document."""

    file_name: str
    data: bytes


@dataclass(frozen=True, kw_only=True)
class Extracted:
    """A document's text and what it says about itself, ready to pre-fill a source.

    ``pages`` holds one string per PDF page, so a quote can cite its page; other formats
    have no pages and give one section. Fields a file does not state are empty, never
    guessed. ``warnings``: why the text is not the document's whole text, one clause each
    ("the page is nested too deep to read whole …"), for the importer to pass on.
    """

    format: Format
    title: str = ""
    authors: tuple[str, ...] = ()
    publisher: str = ""
    published: PartialDate | None = None
    url: str = ""
    language: str = ""
    pages: tuple[str, ...] = ()
    needs_ocr: bool = False
    metadata: Mapping[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def media_type(self) -> str:
        return self.format.media_type
