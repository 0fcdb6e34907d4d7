"""The one entry point: detect the format, read it, and keep library failures inside.

Documents are sometimes hostile, and parsers fail on them in ways no list of exceptions
anticipates (an IndexError deep in a header parser, lxml's own errors, a MemoryError), so
every failure while reading a recognised format becomes ``Damaged`` with a one-line reason;
the original stays chained for the log. Running out of memory or of stack is not damage:
those pass through, for the worker that reads the file to say which limit it met.
"""

from __future__ import annotations

from lxml import etree

from casefile.domain.display import file_size
from casefile.domain.errors import InvalidInput
from casefile.domain.formats import Format
from casefile.importing.extract.archive import read_mbox, read_tar, read_warc, read_zip
from casefile.importing.extract.chat import read_telegram_json, read_whatsapp
from casefile.importing.extract.detect import detect
from casefile.importing.extract.epub import read_epub
from casefile.importing.extract.image import read_image
from casefile.importing.extract.mail import read_email
from casefile.importing.extract.model import Damaged, Extracted, TooLarge, Unsupported
from casefile.importing.extract.opendocument import read_opendocument
from casefile.importing.extract.outlook import read_msg
from casefile.importing.extract.pdf import read_pdf
from casefile.importing.extract.rtf import read_rtf
from casefile.importing.extract.slides import read_pptx
from casefile.importing.extract.spreadsheet import read_xls, read_xlsx
from casefile.importing.extract.subtitles import read_srt, read_webvtt
from casefile.importing.extract.text import read_text
from casefile.importing.extract.web import read_html, read_mhtml
from casefile.importing.extract.word import read_docx

_REASON_LENGTH = 160
_TEXT = frozenset({Format.TEXT, Format.MARKDOWN, Format.WHATSAPP, Format.SRT, Format.WEBVTT})
# What a user may read again in an encoding they choose: files that are text in some
# encoding as a whole (a mail's parts and a PDF's text say their own).
CHOOSE_ENCODING = frozenset(
    {Format.TEXT, Format.MARKDOWN, Format.HTML, Format.WHATSAPP, Format.SRT, Format.WEBVTT}
)


def extract(
    data: bytes,
    file_name: str,
    *,
    password: str | None = None,
    max_text: int | None = None,
    ocr: tuple[str, ...] = (),
    encoding: str | None = None,
) -> Extracted:
    """The text and metadata of the file ``data``, named ``file_name`` by its owner.

    ``password`` opens an encrypted PDF; ``ocr``: the languages to read scanned pages and
    pictures in (none: they are not read, and a scan says it needs OCR); ``encoding``: the
    one the user chose to read a text file or a web page in (``chosen_codec``). ``max_text``: the
    most text to read, in characters;
    a text file is measured by its bytes, before it is decoded (decoding is what costs).
    Raises ``Unsupported``, ``PasswordRequired``, ``Damaged`` or ``TooLarge`` (all
    ``InvalidInput``) for files that cannot be read.
    """
    kind = detect(data, file_name)
    if encoding and kind not in CHOOSE_ENCODING:
        raise Unsupported(f"a {kind.label} is not read in an encoding chosen for it")
    if kind in _TEXT:
        _within(len(data), max_text)
    try:
        found = _read(kind, data, password, ocr, encoding)
    except (InvalidInput, MemoryError, RecursionError):
        raise
    except etree.LxmlError as error:
        if error.error_log.filter_types([etree.ErrorTypes.ERR_NO_MEMORY]):
            raise MemoryError from error  # libxml2 says so as a syntax error
        raise Damaged(f"damaged {kind.label}: {_reason(error)}") from error
    except Exception as error:
        raise Damaged(f"damaged {kind.label}: {_reason(error)}") from error
    _within(sum(map(len, found.pages)), max_text)
    return found


def _within(size: int, max_text: int | None) -> None:
    if max_text is not None and size > max_text:
        raise TooLarge(
            f"has {file_size(size)} of text, more than the limit of {file_size(max_text)}"
        )


def _read(
    kind: Format, data: bytes, password: str | None, ocr: tuple[str, ...], encoding: str | None
) -> Extracted:
    match kind:
        case Format.PDF:
            return read_pdf(data, password, ocr)
        case Format.DOCX:
            return read_docx(data)
        case Format.HTML:
            return read_html(data, encoding)
        case Format.MHTML:
            return read_mhtml(data)
        case Format.EMAIL:
            return read_email(data)
        case Format.MSG:
            return read_msg(data)
        case Format.TEXT | Format.MARKDOWN:
            return read_text(data, kind, encoding)
        case Format.RTF:
            return read_rtf(data)
        case Format.ODT | Format.ODS | Format.ODP:
            return read_opendocument(data, kind)
        case Format.XLSX:
            return read_xlsx(data)
        case Format.XLS:
            return read_xls(data)
        case Format.PPTX:
            return read_pptx(data)
        case Format.EPUB:
            return read_epub(data)
        case Format.ZIP:
            return read_zip(data)
        case Format.TAR:
            return read_tar(data)
        case Format.MBOX:
            return read_mbox(data)
        case Format.WARC:
            return read_warc(data)
        case Format.TELEGRAM:
            return read_telegram_json(data)
        case Format.WHATSAPP:
            return read_whatsapp(data, encoding)
        case Format.SRT:
            return read_srt(data, encoding)
        case Format.WEBVTT:
            return read_webvtt(data, encoding)
        case Format.JPEG | Format.PNG | Format.TIFF | Format.WEBP | Format.GIF:
            return read_image(data, kind, ocr)


def _reason(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    reason = lines[0] if lines else type(error).__name__
    return reason if len(reason) <= _REASON_LENGTH else f"{reason[:_REASON_LENGTH]}…"
