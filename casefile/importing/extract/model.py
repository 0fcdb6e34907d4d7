"""What extraction hands back: plain, picklable values.

The importer runs extraction in worker processes, so everything here must cross a process
boundary unchanged (no open files, no library objects), and must mean the same thing
whatever the format was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from casefile.domain.dates import PartialDate
from casefile.domain.errors import InvalidInput
from casefile.domain.formats import Format
from casefile.importing.extract.decode import Decoded


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
    # For a page captured in a web archive: its address and when it was captured, which
    # become its source's URL and date accessed when the page does not say otherwise.
    url: str = ""
    accessed: PartialDate | None = None


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
    accessed: PartialDate | None = None  # when it was seen (a web archive's capture)
    language: str = ""
    pages: tuple[str, ...] = ()
    needs_ocr: bool = False
    by_ocr: bool = False  # some of its text was read by OCR (the notes say how surely)
    # Read by a second, lenient reader once the first refused the file (the notes say why).
    by_fallback: bool = False
    metadata: Mapping[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    warnings: tuple[str, ...] = ()
    # How its text was decoded from bytes (a text file, a page, a mail body); None for
    # formats that carry their text as text (PDF, Word).
    decoded: Decoded | None = None

    @property
    def media_type(self) -> str:
        return self.format.media_type
