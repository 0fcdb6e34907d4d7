"""The real-world corpus (issue 17), and what each of its files should give: the text its
format's own reader gives (the reference), the date it states, and the one measure,
recall, of how much of that text Casefile stored. Used by ``tests/services/test_corpus.py``
and ``benchmarks/import_corpus.py`` (and ``benchmarks/import_formats.py`` for recall).

``files/`` holds public test suites' files, by format (PROVENANCE.md names each one's
origin, version and licence); ``make_files`` writes the rest at test time with the
formats' own libraries: the large files, which are not committed, and files that state
what no public one here does (a title with control characters, a date to the month).
"""

from __future__ import annotations

import email
import hashlib
import io
import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import policy
from email.headerregistry import DateHeader
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from casefile.domain.dates import PartialDate
from casefile.services.case import Case
from casefile.services.importer import ImportOptions, Outcome, Status

CORPUS = Path(__file__).parent
FILES = CORPUS / "files"
EXPECTED = CORPUS / "expected"

# The corpus's folders, by the format their files are given as (files/ and made).
FORMATS = {
    "text": "text",
    "mail": "e-mail",
    "word": "Word",
    "slides": "PowerPoint",
    "excel": "Excel",
    "pdf": "PDF",
    "subtitles": "subtitles",
    "web": "web page",
    "epub": "EPUB",
    "large": "large (made)",
}

# charset_normalizer's samples, in the encoding its own tests name for each
# (tests/test_full_detection.py of its 3.5.3 sdist); CPython's cjkencodings name theirs
# and come with their text in UTF-8 (expected/text/).
ENCODINGS = {
    "sample-arabic-1.txt": "cp1256",
    "sample-arabic.txt": "utf_8",
    "sample-bulgarian.txt": "utf_8",
    "sample-chinese.txt": "big5",
    "sample-english.bom.txt": "utf_8_sig",
    "sample-french-1.txt": "cp1252",
    "sample-french.txt": "utf_8",
    "sample-greek-2.txt": "cp1253",
    "sample-greek.txt": "cp1253",
    "sample-hebrew-2.txt": "cp1255",
    "sample-hebrew-3.txt": "cp1255",
    "sample-korean.txt": "cp949",
    "sample-polish.txt": "utf_8",
    "sample-russian-2.txt": "utf_8",
    "sample-russian-3.txt": "utf_8",
    "sample-russian.txt": "mac_cyrillic",
    "sample-spanish.txt": "utf_8",
    "sample-turkish.txt": "cp1254",
}

TITLE_AT_MOST = 500  # characters (issue 17)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def format_of(path: Path) -> str:
    """The corpus folder a file is in: the format it is given as."""
    return path.parent.name


# -- recall ------------------------------------------------------------------------------


def words(text: str) -> set[str]:
    """The words a recall counts: runs of four or more letters or digits, in lower case and
    compatibility forms ("ﬀ" is "ff": pdftotext keeps ligatures); a run of Chinese or
    Japanese characters is one word."""
    return set(re.findall(r"\w{4,}", unicodedata.normalize("NFKC", text).casefold()))


def recall(reference: str, stored: str) -> float | None:
    """The share of the reference's words found in the stored text; None if the reference
    has none (nothing to measure)."""
    expected = words(reference)
    if not expected:
        return None
    return len(expected & words(stored)) / len(expected)


# -- what Casefile stored ----------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """A corpus file as the import left it: its outcome and, if it was stored, its
    source's title and date and the text stored for the file itself (not its
    attachments)."""

    outcome: Outcome
    title: str = ""
    published: PartialDate | None = None
    text: str = ""

    @property
    def status(self) -> Status:
        return self.outcome.status


def import_corpus(case: Case, folders: list[Path]) -> dict[Path, Stored]:
    """Import ``folders`` into ``case`` through the real importer, without OCR (a scan is
    tagged as needing it), and what each of their files became."""
    report = case.importer.import_files(folders, ImportOptions(ocr_languages=""))
    stored: dict[Path, Stored] = {}
    for outcome in report.outcomes:
        if outcome.source_id is None:
            stored[outcome.path] = Stored(outcome)
            continue
        source = case.records.get(outcome.source_id)
        sha = hashlib.sha256(outcome.path.read_bytes()).hexdigest()
        documents = case.records.documents_of(outcome.source_id)
        own = [d for d in documents if d.fields.sha256 == sha][:1]  # a duplicate's too
        text = "\n".join(page for d in own for page in case.documents.pages(d.id))
        fields = source.fields
        stored[outcome.path] = Stored(outcome, fields.title, fields.published, text)
    return stored


# -- the reference readers ---------------------------------------------------------------


def expected_text(path: Path) -> str:
    """A text file's text, as its origin states it: CPython's UTF-8 copy, or the bytes in
    the encoding charset_normalizer's tests name."""
    copy = EXPECTED / "text" / path.name
    if copy.exists():
        return copy.read_text(encoding="utf-8")
    if path.name in ENCODINGS:
        return path.read_bytes().decode(ENCODINGS[path.name])
    return path.read_bytes().decode(path.stem.split("-")[-1])  # a made one: "report-cp1251"


def decoded_right(stored: str, path: Path) -> bool:
    """Whether the text stored for a text file is its text: the same, or, where Casefile
    reads the file as a format of its own (charset_normalizer's sample-english.bom.txt is
    subtitles), the same words."""
    reference = expected_text(path).replace("\r\n", "\n").replace("\r", "\n")
    return stored == reference or words(stored) == words(reference)


def charset_normalizer_text(path: Path) -> str | None:
    """What charset_normalizer reads the file as (None if it cannot)."""
    from charset_normalizer import from_bytes

    best = from_bytes(path.read_bytes()).best()
    return None if best is None else str(best)


def reference_text(path: Path) -> str | None:
    """The file's text as its format's own reader gives it; None where that reader cannot
    read it (or is not installed: pdftotext), or the format has none here."""
    folder = format_of(path)
    reader = _LARGE.get(path.suffix) if folder == "large" else _READERS.get(folder)
    if reader is None:
        return None
    try:
        return reader(path)
    except Exception:  # a reference reader refusing a file: nothing to measure
        return None


def mail_body(path: Path) -> str:
    """The body Python's email package gives: ``get_body`` preferring plain text, an HTML
    body as the text it shows; "" if it finds none."""
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    body = message.get_body(preferencelist=("plain", "html"))
    if not isinstance(body, EmailMessage):
        return ""
    content = body.get_content()
    return html_text(content) if body.get_content_subtype() == "html" else str(content)


class _Shown(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in ("script", "style", "head")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style", "head") and self.hidden > 0

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_text(page: str) -> str:
    """An HTML text's words as shown (the standard library's parser, not Casefile's)."""
    parser = _Shown()
    parser.feed(page)
    parser.close()
    return " ".join(parser.parts)


def word_parts(path: Path) -> dict[str, str]:
    """A Word file's text by part kind, as python-docx reads it."""
    import docx

    document = docx.Document(str(path))
    tables = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    beside = [
        paragraph.text
        for section in document.sections
        for part in (
            section.header,
            section.footer,
            section.first_page_header,
            section.first_page_footer,
            section.even_page_header,
            section.even_page_footer,
        )
        if not part.is_linked_to_previous
        for paragraph in part.paragraphs
    ]
    return {
        "body": "\n".join(p.text for p in document.paragraphs),
        "tables": "\n".join(tables),
        "headers and footers": "\n".join(beside),
        "comments": "\n".join(comment.text for comment in document.comments),
    }


def _word(path: Path) -> str:
    return "\n".join(word_parts(path).values())


def _slides(path: Path) -> str:
    import pptx
    from pptx.shapes.group import GroupShape

    def shapes_text(shapes: Any) -> Iterator[str]:
        for shape in shapes:
            if isinstance(shape, GroupShape):
                yield from shapes_text(shape.shapes)
            if getattr(shape, "has_text_frame", False):
                yield shape.text_frame.text
            if getattr(shape, "has_table", False):
                yield from (cell.text for row in shape.table.rows for cell in row.cells)

    texts: list[str] = []
    for slide in pptx.Presentation(str(path)).slides:
        texts += shapes_text(slide.shapes)
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            texts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(texts)


def _excel(path: Path) -> str:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    return "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def _pdf(path: Path) -> str:
    """pdftotext (poppler), the reference PDF reader; absent, no reference."""
    if shutil.which("pdftotext") is None:
        raise FileNotFoundError("pdftotext")
    done = subprocess.run(
        ["pdftotext", "-q", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout.decode("utf-8")


def _subtitles(path: Path) -> str:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode(path.stem)  # srt's gb2312.srt is named for its encoding
    if path.suffix == ".srt":
        import srt

        return "\n".join(cue.content for cue in srt.parse(text))
    import webvtt

    return "\n".join(caption.text for caption in webvtt.from_string(text).captions)


_READERS: dict[str, Callable[[Path], str]] = {
    "text": expected_text,
    "mail": mail_body,
    "word": _word,
    "slides": _slides,
    "excel": _excel,
    "pdf": _pdf,
    "subtitles": _subtitles,
    "web": lambda path: html_text(path.read_text(encoding="utf-8")),
}
_LARGE = {".txt": expected_text, ".eml": mail_body, ".pdf": _pdf}  # the made large files


# -- dates -------------------------------------------------------------------------------


def stated_date(path: Path) -> PartialDate | None:
    """The date a file states as when it was sent or published, to the precision it states
    it: a mail's Date header (to the day, as the sender's clock read it), a made page's or
    book's date; None for a file that states none."""
    if format_of(path) == "mail" or path.suffix == ".eml":
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        try:
            sent = message["date"]
        except (IndexError, ValueError):  # a header the parser cannot read states nothing
            return None
        if not isinstance(sent, DateHeader) or sent.datetime is None:
            return None
        return PartialDate(sent.datetime.year, sent.datetime.month, sent.datetime.day)
    return STATED.get(path.name)


def more_precise(stored: PartialDate | None, stated: PartialDate | None) -> bool:
    """Whether a stored date says more than the file does: any date where it states none,
    a finer precision, or another year, month or day than it states."""
    if stored is None:
        return False
    if stated is None:
        return True
    mine = (stored.year, stored.month, stored.day)
    theirs = (stated.year, stated.month, stated.day)
    return any(m is not None and m != t for m, t in zip(mine, theirs, strict=True))


# -- the files made at test time ---------------------------------------------------------

# What the made pages and books state, by file name.
STATED = {
    "published-year.html": PartialDate(2017),
    "published-month.html": PartialDate(2017, 3),
    "published-day.html": PartialDate(2017, 3, 22),
    "book-year.epub": PartialDate(2016),
    "book-month.epub": PartialDate(2016, 11),
}
REPORT = (
    "Police said the attacker acted alone when he drove into pedestrians on Westminster "
    "Bridge. The investigation continues across several cities in the country, and "
    "officers arrested suspects in Birmingham and London."
)
RUSSIAN = (
    "Полиция заявила, что нападавший действовал в одиночку, когда въехал в пешеходов на "
    "Вестминстерском мосту. На следующий день ответственность за нападение взяло на себя "
    "Исламское государство через агентство Амак."
)


@dataclass(frozen=True)
class Made:
    """What ``make_files`` wrote: the folders, by format."""

    folders: dict[str, Path]

    def and_committed(self) -> list[Path]:
        """The whole corpus's folders: the committed ones, then these."""
        return [*sorted(p for p in FILES.iterdir() if p.is_dir()), *self.folders.values()]


def make_files(root: Path, *, large_mb: int = 4) -> Made:
    """Write the made part of the corpus under ``root``: Excel workbooks and a Word file
    with every part kind (their libraries), web pages and books stating dates to the year,
    month and day, and the large files (``large_mb`` of text in windows-1251; a mail with
    a 100,000-character subject and a long body; a PDF whose title has control
    characters)."""
    folders = {name: root / name for name in ("excel", "word", "web", "epub", "large")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    for number in range(3):
        (folders["excel"] / f"figures-{number}.xlsx").write_bytes(_workbook(number))
    (folders["word"] / "every-part.docx").write_bytes(_every_part())
    for name, stated in STATED.items():
        if name.endswith(".html"):
            (folders["web"] / name).write_text(_page(_iso(stated)), encoding="utf-8")
        else:
            (folders["epub"] / name).write_bytes(epub([REPORT], _iso(stated)))
    lines = (RUSSIAN + "\n") * (large_mb * 1024 * 1024 // len(RUSSIAN.encode("cp1251")))
    (folders["large"] / "report-cp1251.txt").write_bytes(lines.encode("cp1251"))
    (folders["large"] / "long-subject.eml").write_bytes(_long_mail())
    (folders["large"] / "control-title.pdf").write_bytes(_titled_pdf("Threat\x00assessment\x07"))
    return Made(folders)


def _iso(date: PartialDate) -> str:
    parts = [f"{date.year:04d}"]
    parts += [f"{date.month:02d}"] if date.month else []
    parts += [f"{date.day:02d}"] if date.day else []
    return "-".join(parts)


def _workbook(number: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Attacks"
    sheet.append(["Place", "Killed", "Claimed by", "Note"])
    for row in range(40):
        sheet.append(
            [f"Westminster{row}", row + number, "Islamic State", REPORT.split(".", maxsplit=1)[0]]
        )
    book.create_sheet("Sources").append(["Amaq agency statement", "Metropolitan Police"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _every_part() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "Every part"
    paragraph = document.add_paragraph("Body paragraph: investigators traced the vehicle.")
    document.add_comment(
        paragraph.runs, text="Comment: check the rental agreement", author="Analyst"
    )
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(
        (c for row in table.rows for c in row.cells),
        ("Tabled suspects", "Birmingham address", "Tabled weapons", "Kitchen knives"),
        strict=True,
    ):
        cell.text = text
    section = document.sections[0]
    section.header.paragraphs[0].text = "Header: restricted circulation"
    section.footer.paragraphs[0].text = "Footer: prepared by counter-terrorism command"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _page(published: str) -> str:
    return (
        "<!doctype html><html><head><title>Westminster attacker acted alone</title>"
        f'<meta property="article:published_time" content="{published}"></head>'
        f"<body><article><h1>Westminster attacker acted alone</h1><p>{REPORT}</p>"
        "</article></body></html>"
    )


def epub(lines: list[str], published: str = "") -> bytes:
    """An EPUB 3 of one chapter, a paragraph a line, stating ``published`` as its date."""
    paragraphs = "".join(f"<p>{line}</p>" for line in lines)
    chapter = f'<html xmlns="http://www.w3.org/1999/xhtml"><body>{paragraphs}</body></html>'
    date = f"<dc:date>{published}</dc:date>" if published else ""
    package = (
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Westminster</dc:title>{date}'
        '</metadata><manifest><item id="one" href="one.xhtml" '
        'media-type="application/xhtml+xml"/></manifest><spine><itemref idref="one"/></spine>'
        "</package>"
    )
    container = (
        '<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0">'
        '<rootfiles><rootfile full-path="content.opf" '
        'media-type="application/oebps-package+xml"/></rootfiles></container>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("mimetype", "application/epub+zip", zipfile.ZIP_STORED)
        book.writestr("META-INF/container.xml", container)
        book.writestr("content.opf", package)
        book.writestr("one.xhtml", chapter)
    return out.getvalue()


def _long_mail() -> bytes:
    """A mail whose subject is 100,000 characters (one of 130,000 was seen) and whose body
    is a megabyte."""
    message = EmailMessage()
    message["From"] = "Desk <desk@example.org>"
    message["To"] = "analyst@example.org"
    message["Date"] = "Thu, 23 Mar 2017 10:15:00 +0000"
    message["Message-ID"] = "<long@example.org>"
    message["Subject"] = ("Westminster " * 8400)[:100_000]
    message.set_content((REPORT + "\n") * (1024 * 1024 // len(REPORT)))
    return message.as_bytes()


def _titled_pdf(title: str) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.setTitle(title)
    canvas.drawString(72, 720, REPORT[:90])
    canvas.showPage()
    canvas.save()
    return out.getvalue()
