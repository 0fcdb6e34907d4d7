"""PDF: the text of each page (so quotes can cite pages), the document information, and
its XMP metadata where the information leaves a field out.

PDFium reads them: fast, and tolerant of most damage. A file it refuses as damaged is
tried with pypdf, the fallback reader, before it is given up: slower, pure Python, and
lenient where PDFium is not (a trailer that lost its catalog). Both run in the import's
sandbox worker, within its time and memory limits, as every reader does.

PDFium is not thread-safe, not even across documents, so one lock serialises it within a
process; the importer gets its parallelism from worker processes. Every PDFium object is
closed as soon as it has been read, not when the garbage collector gets round to it.
"""

from __future__ import annotations

import ctypes
import io
import logging
import re
import threading
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from casefile.domain.formats import Format
from casefile.importing.extract.decode import normalise_newlines
from casefile.importing.extract.metadata import one_line, split_authors
from casefile.importing.extract.model import Damaged, Extracted, PasswordRequired, Unsupported
from casefile.importing.extract.ocr import DPI, LONGEST_SIDE, ocr_pages
from casefile.importing.extract.overprint import printed_text
from casefile.importing.extract.xmp import Xmp, read_xmp, read_xmp_stream

if TYPE_CHECKING:
    from PIL.Image import Image

_PDFIUM = threading.Lock()
_LOAD_ERRORS = {
    pdfium_c.FPDF_ERR_FILE: "it cannot be opened",
    pdfium_c.FPDF_ERR_FORMAT: "it is truncated or corrupt",
    pdfium_c.FPDF_ERR_PAGE: "a page cannot be read",
}
_PDF_TIME = re.compile(
    r"D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:(Z)|([+-])(\d{2})'?(\d{2})?'?)?"
)
_XMP_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:(Z)|([+-])(\d{2}):(\d{2}))?$"
)


def read_pdf(data: bytes, password: str | None, ocr: tuple[str, ...] = ()) -> Extracted:
    """The text of each page; a page with no text (a scan) read by OCR in ``ocr``'s
    languages, and said so in the notes. A PDF that PDFium refuses as damaged is read by
    the fallback reader if it can be (``_read_leniently``)."""
    try:
        return _read_by_pdfium(data, password, ocr)
    except Damaged as refused:
        return _read_leniently(data, password, refused)


def _read_by_pdfium(data: bytes, password: str | None, ocr: tuple[str, ...]) -> Extracted:
    """What ``read_pdf`` says, read by PDFium; ``Damaged`` if it cannot load the file or
    a page of it (the fallback reader's turn)."""
    try:
        with _PDFIUM, _open(data, password) as pdf:
            if pdfium_c.FPDF_GetFormType(pdf) != pdfium_c.FORMTYPE_NONE:
                pdf.init_forms()  # so that form fields' values can be read
            parts = [_page_text(pdf, index) for index in range(len(pdf))]
            # A page with no printed text is a scan, whatever notes or form fields it carries.
            scanned = [n for n, (printed, _) in enumerate(parts, start=1) if not printed.strip()]
            read, notes, warnings = (
                ocr_pages(((n, _picture(pdf, n - 1)) for n in scanned), len(scanned), ocr, "page")
                if ocr and scanned
                else ({}, {}, ())
            )
            pages = [
                "\n\n".join(t for t in (read.get(number, printed), "\n".join(beside)) if t)
                for number, (printed, beside) in enumerate(parts, start=1)
            ]
            info = pdf.get_metadata_dict(skip_empty=True)
            language = _language(pdf)
            version = pdf.get_version()
    except pdfium.PdfiumError:  # opened, but a page (its text, its picture) will not load
        raise Damaged(f"damaged PDF document: {_LOAD_ERRORS[pdfium_c.FPDF_ERR_PAGE]}") from None
    described = _described(data, password, info, language, version)
    return replace(
        described,
        pages=tuple(pages),
        # Unread scans; without OCR, only a PDF with no printed text at all (a blank page
        # between typed ones is no scan).
        needs_ocr=any(n not in read for n in scanned) if ocr else len(scanned) == len(pages) > 0,
        by_ocr=any(text.strip() for text in read.values()),
        metadata={**described.metadata, **notes},
        warnings=warnings,
    )


def _described(
    data: bytes, password: str | None, info: Mapping[str, str], language: str, version: int | None
) -> Extracted:
    """What the PDF says of itself: its document information (``info``, by the names
    PDFium gives its entries) and catalog language, XMP for what they leave out."""
    xmp = _xmp(data, password)
    stated = {
        "Subject": info.get("Subject") or xmp.description,
        "Keywords": info.get("Keywords") or xmp.keywords,
        "Creator": info.get("Creator") or xmp.creator_tool,
        "Producer": info.get("Producer") or xmp.producer,
        "Created": _timestamp(info.get("CreationDate") or xmp.created),
        "Modified": _timestamp(info.get("ModDate") or xmp.modified),
    }
    metadata = {key: value.strip() for key, value in stated.items() if value.strip()}
    if version:
        metadata["PDF version"] = f"{version // 10}.{version % 10}"
    return Extracted(
        format=Format.PDF,
        title=info.get("Title", "").strip() or xmp.title,
        authors=split_authors(info.get("Author")) or xmp.creators,
        publisher=xmp.publisher,
        # No publication date: when the file was made is not when it was published (a
        # report scanned in 2020 is no 2020 report). "Created" is in the notes, as such.
        language=language or xmp.language,
        metadata=metadata,
    )


# pypdf says in its log how it worked round a file's faults ("Cannot find /Root"): those are
# what it is asked to read here, and the notes say the text is its. Unsilenced, the lines
# would reach the terminal (Python prints a warning that no handler takes).
_PYPDF_LOG = logging.getLogger("pypdf")
_PYPDF_LOG.addHandler(logging.NullHandler())
_PYPDF_LOG.propagate = False
_HEADER = re.compile(r"%PDF-(\d)\.(\d)")
T = TypeVar("T")


def _read_leniently(data: bytes, password: str | None, refused: Damaged) -> Extracted:
    """A PDF that PDFium ``refused`` as damaged, read by pypdf, lenient (``strict=False``):
    it looks for the catalog a damaged trailer lost, and passes over what it cannot parse.
    Its text, if it reads any, is kept, with a note that the fallback reader read it and
    why PDFium did not, and the pages it could not read said; else PDFium's refusal
    stands. What pypdf cannot read of the rest (the information, the language) is left
    out: a damaged file's text matters more."""
    found = _attempt(lambda: _pages_by_pypdf(data, password), None)
    if found is None or not any(text and text.strip() for text in found[1]):
        raise refused
    reader, texts = found
    entries: dict[Any, Any] = _attempt(lambda: dict(reader.metadata or {}), {})
    header = _HEADER.match(reader.pdf_header)
    described = _described(
        data,
        password,
        {name.lstrip("/"): _text(entry) for name, entry in entries.items()},
        _attempt(lambda: _text(reader.root_object.get("/Lang")), ""),
        int(header[1] + header[2]) if header else None,
    )
    unread = ", ".join(str(number) for number, text in enumerate(texts, start=1) if text is None)
    return replace(
        described,
        pages=tuple(normalise_newlines(text or "") for text in texts),
        by_fallback=True,
        metadata={
            **described.metadata,
            "Text read by": f"pypdf, the fallback reader (PDFium: {refused})",
        },
        warnings=(f"the fallback reader could not read page {unread}",) if unread else (),
    )


def _pages_by_pypdf(data: bytes, password: str | None) -> tuple[pypdf.PdfReader, list[str | None]]:
    """pypdf's reader of ``data`` and each page's text (None: a page it cannot read)."""
    reader = _by_pypdf(data, password)
    texts: list[str | None] = [_attempt(page.extract_text, None) for page in reader.pages]
    return reader, texts


def _by_pypdf(data: bytes, password: str | None) -> pypdf.PdfReader:
    """pypdf's reader of ``data``, lenient, and opened with ``password`` if it needs one
    (with none, pypdf tries the empty password, as PDFium does)."""
    reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and password:
        reader.decrypt(password)
    return reader


def _xmp(data: bytes, password: str | None) -> Xmp:
    """The document's XMP packet: as the file's bytes show it, else (a compressed or an
    encrypted metadata stream hides it there) the catalog's metadata stream, decoded by
    pypdf. A file with neither "/Metadata" nor an object stream in its bytes has no
    metadata stream to look for, and pypdf, slow to open a large file, is not asked: a
    catalog that names one says so in plain bytes or in an object stream (PDF 1.5), the
    two places a dictionary can be, and encryption hides neither a dictionary's names
    nor which streams hold objects."""
    shown = read_xmp(data)
    if shown != Xmp() or (b"/Metadata" not in data and b"/ObjStm" not in data):
        return shown
    try:
        return read_xmp_stream(_metadata_stream(data, password))
    except Exception:  # any fault, a limit met too: the text is read, and XMP only adds to it
        return shown


def _metadata_stream(data: bytes, password: str | None) -> bytes:
    """The catalog's metadata stream, decoded (decompressed, decrypted); empty if none."""
    found = _by_pypdf(data, password).root_object.get("/Metadata")
    stream = found.get_object() if found is not None else None
    return stream.get_data() if isinstance(stream, pypdf.generic.StreamObject) else b""


def _attempt(read: Callable[[], T], otherwise: T) -> T:
    """``read()``, or ``otherwise`` where pypdf cannot read what it is asked (a damaged
    file's faults are many, and a library's errors on them of any kind). Running out of
    memory or stack is said as such (a limit the user may raise), as the other readers
    say it."""
    try:
        return read()
    except (MemoryError, RecursionError):
        raise
    except Exception:
        return otherwise


def _text(entry: Any) -> str:
    """A pypdf value as text: a string's own, and nothing for anything else."""
    value = entry.get_object() if entry is not None else None
    return value.strip() if isinstance(value, str) else ""


def _open(data: bytes, password: str | None) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data, password=password)
    except pdfium.PdfiumError as error:
        if error.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise PasswordRequired(
                "the PDF is protected by a password: the one given is wrong"
                if password
                else "the PDF is protected by a password, and none was given"
            ) from None
        if error.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise Unsupported(
                "unsupported format: PDF with an unknown kind of encryption"
            ) from None
        reason = _LOAD_ERRORS.get(error.err_code, "it has no readable pages")
        raise Damaged(f"damaged PDF document: {reason}") from None


# PDFium gives a word hyphenated at a line end as "dan\x02gerous": joined, as pdftotext
# joins it, so that "dangerous" is found and no control character is stored. A soft
# hyphen inside a line is invisible in print: dropped too, for the same search.
_HYPHENATION = str.maketrans({"\x02": None, "\u00ad": None})


def _page_text(pdf: pdfium.PdfDocument, index: int) -> tuple[str, list[str]]:
    """The page's printed text (a fake bold's doubled glyphs once), and what its
    annotations and form fields say, a line each and labelled as such (a reviewer's note,
    a filled-in form: not the print)."""
    with closing(pdf[index]) as page, closing(page.get_textpage()) as textpage:
        # Bounded by the page box: what is printed on the page, not text hidden off it.
        text = printed_text(textpage, page.get_bbox())
        beside = _annotations(pdf, page)
    return normalise_newlines(text.translate(_HYPHENATION)), beside


# Annotations whose text is a note on the page; a pop-up repeats its parent's.
_NOTE_KINDS = ("TEXT", "FREETEXT", "HIGHLIGHT", "UNDERLINE", "SQUIGGLY", "STRIKEOUT", "STAMP")
_NOTES = frozenset(
    getattr(pdfium_c, f"FPDF_ANNOT_{kind}")
    for kind in (*_NOTE_KINDS, "CARET", "INK", "SQUARE", "CIRCLE", "LINE", "POLYGON")
)


def _annotations(pdf: pdfium.PdfDocument, page: pdfium.PdfPage) -> list[str]:
    found = []
    for number in range(pdfium_c.FPDFPage_GetAnnotCount(page)):
        annot = pdfium_c.FPDFPage_GetAnnot(page, number)
        try:
            kind = pdfium_c.FPDFAnnot_GetSubtype(annot)
            if kind in _NOTES:
                found.append(_note(annot))
            elif kind == pdfium_c.FPDF_ANNOT_WIDGET and pdf.formenv is not None:
                found.append(_field(pdf.formenv, annot))
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)
    return [line for line in found if line]


def _note(annot: Any) -> str:
    said = one_line(_wide(pdfium_c.FPDFAnnot_GetStringValue, annot, b"Contents"))
    author = one_line(_wide(pdfium_c.FPDFAnnot_GetStringValue, annot, b"T"))
    if not said:
        return ""
    return f"Annotation ({author}): {said}" if author else f"Annotation: {said}"


def _field(form: Any, annot: Any) -> str:
    value = one_line(_wide(pdfium_c.FPDFAnnot_GetFormFieldValue, form, annot))
    name = one_line(_wide(pdfium_c.FPDFAnnot_GetFormFieldName, form, annot))
    return f"Form field {name}: {value}" if value else ""


def _wide(function: Any, *args: Any) -> str:
    """A string PDFium writes as UTF-16 into a buffer of the size it first says."""
    size = function(*args, None, 0)
    if size <= 2:
        return ""
    buffer = ctypes.create_string_buffer(size)
    function(*args, ctypes.cast(buffer, ctypes.POINTER(pdfium_c.FPDF_WCHAR)), size)
    return buffer.raw.decode("utf-16-le", errors="replace").rstrip("\x00")


def _picture(pdf: pdfium.PdfDocument, index: int) -> Image:
    """The page as a picture for OCR: ``ocr.DPI``, within ``ocr.LONGEST_SIDE`` pixels."""
    with closing(pdf[index]) as page:
        width, height = page.get_size()
        scale = min(DPI / 72, LONGEST_SIDE / max(width, height, 1))
        bitmap = page.render(scale=scale, grayscale=True)
        try:
            picture: Image = bitmap.to_pil()
            return picture.copy()
        finally:
            bitmap.close()


def _language(pdf: pdfium.PdfDocument) -> str:
    """The catalog's /Lang, which pypdfium2 has no helper for."""
    size = pdfium_c.FPDFCatalog_GetLanguage(pdf, None, 0)  # in bytes, with the final NUL
    if size <= 2:
        return ""
    buffer = (ctypes.c_ushort * (size // 2))()
    pdfium_c.FPDFCatalog_GetLanguage(pdf, buffer, size)
    return bytes(buffer).decode("utf-16-le", errors="replace").rstrip("\x00").strip()


def _timestamp(value: str) -> str:
    """D:20170322101500+01'00' (the information's) and 2017-03-22T10:15:00+01:00 (XMP's)
    as 2017-03-22 10:15:00 +01:00; anything else (a date alone) as it is."""
    found = _PDF_TIME.match(value) or _XMP_TIME.match(value)
    if not found:
        return value
    year, month, day, hour, minute, second, utc, sign, zone_h, zone_m = found.groups()
    shown = f"{year}-{month}-{day} {hour}:{minute}:{second or '00'}"
    if utc:
        return f"{shown} UTC"
    return f"{shown} {sign}{zone_h}:{zone_m or '00'}" if sign else shown
