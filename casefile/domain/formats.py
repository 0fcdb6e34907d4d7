"""The formats a stored document can have, and what people call each.

A value of the case (a document's type), not of extraction: the window, the terminal and
the pack name a document's type with it, whether or not an extractor is loaded.
"""

from __future__ import annotations

from casefile.domain.terms import LabelledEnum

# A stored file whose format was not read (kept unread): no type is claimed for it.
UNKNOWN_MEDIA_TYPE = "application/octet-stream"


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
