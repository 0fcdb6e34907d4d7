"""The formats a stored document can have, and what people call each.

A value of the case (a document's type), not of extraction: the window, the terminal and
the pack name a document's type with it, whether or not an extractor is loaded.
"""

from __future__ import annotations

from casefile.domain.terms import LabelledEnum

# A stored file whose format was not read (kept unread): no type is claimed for it.
UNKNOWN_MEDIA_TYPE = "application/octet-stream"
# A case file's own name ends so (one case, one file).
CASE_EXTENSION = ".casefile"


class Format(LabelledEnum):
    PDF = "pdf", "PDF document"
    HTML = "html", "web page"
    MHTML = "mhtml", "web archive"
    DOCX = "docx", "Word document"
    TEXT = "text", "text file"
    MARKDOWN = "markdown", "Markdown file"
    EMAIL = "email", "e-mail"
    MSG = "msg", "Outlook message"
    RTF = "rtf", "RTF document"
    ODT = "odt", "OpenDocument text"
    ODS = "ods", "OpenDocument spreadsheet"
    ODP = "odp", "OpenDocument presentation"
    XLSX = "xlsx", "Excel workbook"
    XLS = "xls", "Excel 97-2003 workbook"
    PPTX = "pptx", "PowerPoint presentation"
    EPUB = "epub", "EPUB e-book"
    ZIP = "zip", "ZIP archive"
    TAR = "tar", "tar archive"
    MBOX = "mbox", "mailbox"
    WARC = "warc", "web archive (WARC)"
    TELEGRAM = "telegram", "Telegram chat export"
    WHATSAPP = "whatsapp", "WhatsApp chat export"
    SRT = "srt", "SubRip subtitles"
    WEBVTT = "webvtt", "WebVTT subtitles"
    JPEG = "jpeg", "JPEG image"
    PNG = "png", "PNG image"
    TIFF = "tiff", "TIFF image"
    WEBP = "webp", "WebP image"
    GIF = "gif", "GIF image"

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self]

    @property
    def holds_files(self) -> bool:
        """An archive, a mailbox or a web archive: each file, message or page in it is
        imported as a source."""
        return self in (Format.ZIP, Format.TAR, Format.MBOX, Format.WARC)

    @property
    def timed(self) -> bool:
        """Subtitles: each line of the text is a cue, led by the time it is said at
        (``casefile.domain.cues``)."""
        return self in (Format.SRT, Format.WEBVTT)

    @property
    def extensions(self) -> tuple[str, ...]:
        """What files of this format are usually named (the content decides, not these)."""
        return _EXTENSIONS[self]


_MEDIA_TYPES = {
    Format.PDF: "application/pdf",
    Format.HTML: "text/html",
    Format.MHTML: "multipart/related",
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Format.TEXT: "text/plain",
    Format.MARKDOWN: "text/markdown",
    Format.EMAIL: "message/rfc822",
    Format.MSG: "application/vnd.ms-outlook",
    Format.RTF: "application/rtf",
    Format.ODT: "application/vnd.oasis.opendocument.text",
    Format.ODS: "application/vnd.oasis.opendocument.spreadsheet",
    Format.ODP: "application/vnd.oasis.opendocument.presentation",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.XLS: "application/vnd.ms-excel",
    Format.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    Format.EPUB: "application/epub+zip",
    Format.ZIP: "application/zip",
    Format.TAR: "application/x-tar",
    Format.MBOX: "application/mbox",
    Format.WARC: "application/warc",
    Format.TELEGRAM: "application/json",
    Format.WHATSAPP: "text/plain",  # after TEXT: a stored text/plain is called a text file
    Format.SRT: "application/x-subrip",
    Format.WEBVTT: "text/vtt",
    Format.JPEG: "image/jpeg",
    Format.PNG: "image/png",
    Format.TIFF: "image/tiff",
    Format.WEBP: "image/webp",
    Format.GIF: "image/gif",
}


_EXTENSIONS = {
    Format.PDF: ("pdf",),
    Format.HTML: ("html", "htm", "xhtml"),
    Format.MHTML: ("mhtml", "mht"),
    Format.DOCX: ("docx", "docm", "dotx", "dotm"),
    Format.TEXT: ("txt", "csv", "tsv", "log"),
    Format.MARKDOWN: ("md", "markdown"),
    Format.EMAIL: ("eml",),
    Format.MSG: ("msg",),
    Format.RTF: ("rtf",),
    Format.ODT: ("odt", "ott"),
    Format.ODS: ("ods", "ots"),
    Format.ODP: ("odp", "otp"),
    Format.XLSX: ("xlsx", "xlsm"),
    Format.XLS: ("xls",),
    Format.PPTX: ("pptx",),
    Format.EPUB: ("epub",),
    Format.ZIP: ("zip",),
    Format.TAR: ("tar", "tgz", "gz", "tbz2", "bz2", "txz", "xz"),
    Format.MBOX: ("mbox", "mbx"),
    Format.WARC: ("warc",),
    Format.TELEGRAM: ("json",),
    Format.WHATSAPP: (),  # a .txt, told by its lines
    Format.SRT: ("srt",),
    Format.WEBVTT: ("vtt",),
    Format.JPEG: ("jpg", "jpeg"),
    Format.PNG: ("png",),
    Format.TIFF: ("tif", "tiff"),
    Format.WEBP: ("webp",),
    Format.GIF: ("gif",),
}


def format_of(media_type: str) -> Format | None:
    """The format a stored document's media type names (the first, where two share one:
    a stored text/plain is a text file); None for a type Casefile does not read."""
    bare = media_type.partition(";")[0].strip().lower()
    return next((f for f in Format if f.media_type == bare), None)


def media_label(media_type: str) -> str:
    """What people call a stored document's type: "Web page", not "text/html"."""
    found = format_of(media_type)
    if found is None:
        return media_type.partition(";")[0].strip().lower()
    return found.label[0].upper() + found.label[1:]


# What can be read again in a chosen encoding (``dispatch.CHOOSE_ENCODING``), by media type.
READ_AGAIN = frozenset(
    f.media_type for f in (Format.TEXT, Format.MARKDOWN, Format.HTML, Format.SRT, Format.WEBVTT)
)
