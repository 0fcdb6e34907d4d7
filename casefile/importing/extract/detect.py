"""What a file really is, judged by its bytes.

Extensions lie (a web page saved as report.pdf, a photo renamed to look like a document),
so the name is only consulted where content cannot tell: Markdown is plain text, a web
archive starts with the same headers as an e-mail, and a subtitle file too damaged to
show its first cue is still one (read, it says what is wrong with it).
"""

from __future__ import annotations

import io
import os
import re
import struct
import tarfile
import zipfile

from casefile.domain.formats import Format
from casefile.importing.extract.archive import is_mbox, is_warc
from casefile.importing.extract.chat import is_telegram_json, is_whatsapp
from casefile.importing.extract.decode import bom_codec, decode, looks_like_text
from casefile.importing.extract.model import Unsupported
from casefile.importing.extract.subtitles import is_srt, is_webvtt

_BINARY = tuple(
    (re.compile(pattern, re.DOTALL), name)
    for pattern, name in (
        (rb".{4}ftyp(?:heic|heix|mif1)", "HEIC image"),
        (rb".{4}ftyp", "MP4 or QuickTime video"),
        (rb"RIFF.{4}AVI ", "AVI video"),
        (rb"RIFF.{4}WAVE", "WAV audio"),
        (rb"ID3[\x02-\x04]", "MP3 audio"),
        (rb"OggS", "Ogg audio or video"),
        (rb"fLaC", "FLAC audio"),
        (rb"MZ.{0,62}\x00", "Windows executable"),
        (rb"\x7fELF", "ELF executable"),
        (rb"\xcf\xfa\xed\xfe", "macOS executable"),
        (rb"\x1f\x8b", "gzip archive"),
        (rb"BZh[1-9]1AY&SY", "bzip2 archive"),
        (rb"\xfd7zXZ\x00", "xz archive"),
        (rb"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
        (rb"Rar!\x1a\x07", "RAR archive"),
        (rb"\x28\xb5\x2f\xfd", "Zstandard archive"),
        (rb"SQLite format 3\x00", "SQLite database"),
        (rb"%!PS", "PostScript document"),
    )
)
_ZIPPED = (
    ("xl/workbook.xml", Format.XLSX),
    ("ppt/presentation.xml", Format.PPTX),
    ("META-INF/container.xml", Format.EPUB),
)
# An OpenDocument package's mimetype; a template reads as its document.
_OPENDOCUMENT = {
    "application/vnd.oasis.opendocument.text": Format.ODT,
    "application/vnd.oasis.opendocument.text-template": Format.ODT,
    "application/vnd.oasis.opendocument.spreadsheet": Format.ODS,
    "application/vnd.oasis.opendocument.spreadsheet-template": Format.ODS,
    "application/vnd.oasis.opendocument.presentation": Format.ODP,
    "application/vnd.oasis.opendocument.presentation-template": Format.ODP,
}
_IMAGES = tuple(
    (re.compile(pattern, re.DOTALL), kind)
    for pattern, kind in (
        (rb"\x89PNG\r\n\x1a\n", Format.PNG),
        (rb"\xff\xd8\xff", Format.JPEG),
        (rb"GIF8[79]a", Format.GIF),
        (rb"II\*\x00|MM\x00\*", Format.TIFF),
        (rb"RIFF.{4}WEBP", Format.WEBP),
    )
)
_COMPRESSED = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# What an OLE2 compound file (Office 97-2003) is, by a stream it holds.
_OLE_STREAMS = (
    ("workbook", Format.XLS),
    ("book", Format.XLS),
    ("worddocument", "Word 97-2003 document"),
    ("powerpoint document", "PowerPoint 97-2003 presentation"),
    ("encryptedpackage", "password-protected Office document"),
    ("__properties_version1.0", Format.MSG),
)
# An RFC 822 header field: "Name: value", the name printable ASCII without a colon.
_FIELD = re.compile(rb"([!-9;-~]+)[ \t]*:(.*)")
_MAIL_FIELDS = frozenset(
    {"from", "to", "cc", "date", "subject", "received", "message-id", "return-path"}
)
_MAIL_ONLY = frozenset({"to", "cc", "received", "message-id", "return-path", "delivered-to"})
_HTML_PART = re.compile(rb"content-type:[ \t]*text/html", re.IGNORECASE)
_HTML_TAG = re.compile(r"<(?:!doctype\s+html|html|head|body)[\s>/]", re.IGNORECASE)
_MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})
_MARKDOWN_SIGNS = tuple(
    re.compile(pattern, re.MULTILINE)
    for pattern in (
        r"^#{1,6}[ \t]+\S",  # heading
        r"^(?:```|~~~)",  # fenced code
        r"\[[^\]\n]+\]\([^)\s]+\)",  # link
        r"^[ \t]*(?:[-*+]|\d+\.)[ \t]+\S",  # list item
        r"\*\*[^*\n]+\*\*",  # strong emphasis
    )
)


def detect(data: bytes, file_name: str) -> Format:
    """The format of ``data``, or Unsupported naming what it is instead."""
    if not data:
        raise Unsupported("unsupported format: empty file")
    # A ZIP before a PDF: a stored (uncompressed) PDF inside one shows its header early.
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zipped(data)
    if b"%PDF-" in data[:1024]:  # what PDF readers accept: junk may precede the header
        return Format.PDF
    if data.startswith(_OLE):
        return _compound(data)
    if data.startswith(b"{\\rtf"):
        return Format.RTF
    if is_warc(data):
        return Format.WARC
    if data[257:262] == b"ustar" or (data.startswith(_COMPRESSED) and _is_tar(data)):
        return Format.TAR
    if is_mbox(data):
        return Format.MBOX
    for pattern, image in _IMAGES:
        if pattern.match(data):
            return image
    for pattern, name in _BINARY:
        if pattern.match(data):
            raise Unsupported(f"unsupported format: {name}")
    suffix = os.path.splitext(file_name)[1].lower()
    mime = _mime_kind(data, suffix)
    if mime:
        return mime
    head = _head(data).lstrip()
    if head.startswith("<") and _HTML_TAG.search(head):
        return Format.HTML
    if is_telegram_json(data):
        return Format.TELEGRAM
    text = decode(data).text
    if not looks_like_text(text):
        raise Unsupported("unsupported format: binary data")
    if is_webvtt(text) or suffix == ".vtt":
        return Format.WEBVTT
    if is_srt(text) or suffix == ".srt":
        return Format.SRT
    if is_whatsapp(text):
        return Format.WHATSAPP
    if suffix in _MARKDOWN_SUFFIXES or _looks_like_markdown(text):
        return Format.MARKDOWN
    return Format.TEXT


def _zipped(data: bytes) -> Format:
    mimetype = b""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
            if "mimetype" in names and package.getinfo("mimetype").file_size < 200:
                mimetype = package.read("mimetype")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        # Truncated: the central directory is gone, but each part's own header names it.
        names = [name for name in ("[Content_Types].xml", "word/") if name.encode() in data]
    # Word's main part is word/document.xml, or document2.xml and so on from Word online.
    if "[Content_Types].xml" in names and any(name.startswith("word/") for name in names):
        return Format.DOCX
    if mimetype.startswith(b"application/vnd.oasis.opendocument."):
        found = _OPENDOCUMENT.get(mimetype.decode("ascii", "replace").strip())
        if found is None:
            raise Unsupported("unsupported format: an OpenDocument file of another kind")
        return found
    return next((kind for member, kind in _ZIPPED if member in names), Format.ZIP)


def _is_tar(data: bytes) -> bool:
    """A compressed file that holds a tar archive (a .tar.gz): its first member's header
    says so once a few kilobytes are decompressed."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            return archive.next() is not None
    except (tarfile.TarError, OSError, EOFError, ValueError):
        return False


def _compound(data: bytes) -> Format:
    """An Office 97-2003 file: an .xls or an Outlook message is read; the others are named."""
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            streams = {"/".join(path).lower() for path in ole.listdir(streams=True, storages=True)}
    except (OSError, ValueError, IndexError, struct.error):
        raise Unsupported("unsupported format: a damaged Office 97-2003 file") from None
    found = next((kind for name, kind in _OLE_STREAMS if name in streams), None)
    if isinstance(found, Format):
        return found
    raise Unsupported(f"unsupported format: {found or 'Office 97-2003 document'}")


def _mime_kind(data: bytes, suffix: str) -> Format | None:
    """E-mail or web archive, both of which start with RFC 822 headers.

    A web archive is multipart/related with an HTML page; so is an e-mail with pictures in
    its body, but only an e-mail was ever sent to anyone.
    """
    fields = _header_fields(data)
    content_type = fields.get("content-type", "").split(";")[0].strip().lower()
    if (
        content_type == "multipart/related"
        and _HTML_PART.search(data)
        and (suffix in (".mht", ".mhtml") or not _MAIL_ONLY & fields.keys())
    ):
        return Format.MHTML
    if {"from", "received", "message-id"} & fields.keys() and len(_MAIL_FIELDS & fields.keys()) > 1:
        return Format.EMAIL
    return None


def _header_fields(data: bytes) -> dict[str, str]:
    """The header fields the file starts with (lower-case names), or none if it does not."""
    fields: dict[str, str] = {}
    name = ""
    lines = data[:65536].splitlines()
    if lines and lines[0].startswith(b"From "):  # mbox's separator line
        del lines[0]
    for line in lines:
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t") and name:
            fields[name] += line.decode("latin-1")
            continue
        found = _FIELD.fullmatch(line)
        if not found:
            return {}
        name = found[1].decode("ascii").lower()
        fields[name] = found[2].decode("latin-1")
    return fields


def _head(data: bytes) -> str:
    """The start of the file as text, enough to see markup in: ASCII-compatible unless a
    byte-order mark says otherwise. 64 KB: saved pages may open with long scripts or a
    server's PHP warnings before their <html>."""
    marked = bom_codec(data)
    if marked is None:
        return data[:_HEAD].decode("latin-1")
    codec, skip = marked
    return data[skip:_HEAD].decode(codec, errors="ignore")


_HEAD = 65536


def _looks_like_markdown(text: str) -> bool:
    """A heading or a code fence, and at least one other kind of Markdown."""
    sample = text[:65536]
    found = [sign.search(sample) is not None for sign in _MARKDOWN_SIGNS]
    return (found[0] or found[1]) and sum(found) > 1
