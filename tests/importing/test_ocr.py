"""Scans and pictures read by OCR, with real engines: RapidOCR (installed with Casefile)
always, Tesseract where it is installed (``.ci/run`` installs it, with Arabic)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from casefile.domain.formats import Format
from casefile.domain.terms import Kind
from casefile.importing.extract import ocr
from casefile.importing.extract.dispatch import extract
from casefile.importing.extract.model import Damaged
from casefile.services.case import Case
from casefile.services.importer import READ_BY_OCR, ImportReport, Status
from casefile.services.list_query import ListQuery

FONTS = Path(__file__).resolve().parents[2] / "resources" / "fonts"
LINES = ("Police said the attacker acted alone.", "Five people died on the bridge.")


def page_picture(lines: tuple[str, ...] = LINES, font: str = "NotoSans-Regular.ttf") -> Image.Image:
    """A page of printed text as a scanner sees it: black on white, at about 150 dpi."""
    picture = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(picture)
    face = ImageFont.truetype(str(FONTS / font), 40)
    for number, line in enumerate(lines):
        draw.text((120, 200 + 80 * number), line, font=face, fill=0)
    return picture


def scanned_pdf(pictures: list[Image.Image]) -> bytes:
    """A PDF whose pages are pictures alone: no text layer, as a scanner writes it."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(595, 842))
    for picture in pictures:
        pdf.drawImage(ImageReader(picture), 0, 0, width=595, height=842)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


@pytest.fixture
def rapidocr_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine without Tesseract: RapidOCR reads."""
    monkeypatch.setattr(ocr, "tesseract_languages", frozenset)


def words(text: str) -> str:
    return " ".join(text.split()).lower()


@pytest.mark.slow
@pytest.mark.usefixtures("rapidocr_only")
def test_a_scanned_pdf_is_read_by_ocr_and_says_how_surely() -> None:
    data = scanned_pdf([page_picture(), page_picture(("Page two of the statement.",))])

    found = extract(data, "scan.pdf", ocr=("eng",))

    assert "police said the attacker acted alone" in words(found.pages[0])
    assert "five people died on the bridge" in words(found.pages[0])
    assert "page two of the statement" in words(found.pages[1])
    assert found.by_ocr
    assert not found.needs_ocr
    said = found.metadata["Text read by OCR"]
    assert said.startswith("RapidOCR; confidence page 1 ")
    assert ", page 2 " in said
    assert found.warnings == ()


def test_without_ocr_a_scan_says_it_needs_it() -> None:
    found = extract(scanned_pdf([page_picture()]), "scan.pdf")

    assert found.needs_ocr
    assert found.pages == ("",)
    assert "Text read by OCR" not in found.metadata


@pytest.mark.slow
@pytest.mark.usefixtures("rapidocr_only")
def test_a_script_rapidocr_cannot_read_is_said_not_passed_off_as_read() -> None:
    found = extract(scanned_pdf([page_picture()]), "scan.pdf", ocr=("eng", "ara"))

    assert found.warnings == (
        "OCR could not read ara (RapidOCR reads Latin script): install Tesseract and its "
        "language packs, then import the file again",
    )


@pytest.mark.usefixtures("rapidocr_only")
def test_an_engine_that_cannot_run_leaves_the_scan_needing_ocr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def missing() -> None:
        raise ocr.OcrUnavailable("RapidOCR did not load: libGL.so.1: cannot open")

    monkeypatch.setattr(ocr, "_rapid_engine", missing)
    found = extract(scanned_pdf([page_picture()]), "scan.pdf", ocr=("eng",))

    assert found.needs_ocr  # not damaged: read as far as it could be, and said
    assert found.warnings == ("OCR could not run (RapidOCR did not load: libGL.so.1: cannot open)",)


@pytest.mark.usefixtures("rapidocr_only")
def test_an_engine_out_of_memory_is_the_memory_limit_not_damage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ONNX Runtime says it with its own error: it reaches the worker as MemoryError, which
    the worker reports as the memory limit it met."""

    def engine() -> object:
        def run(_picture: object) -> None:
            raise RuntimeError("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : std::bad_alloc")

        return run

    monkeypatch.setattr(ocr, "_rapid_engine", engine)
    with pytest.raises(MemoryError):
        extract(scanned_pdf([page_picture()]), "scan.pdf", ocr=("eng",))


def jpeg_with_exif() -> bytes:
    picture = page_picture().convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "EOS 5D"
    exif[0x013B] = "Press photographer"
    exif.get_ifd(0x8769)[0x9003] = "2017:03:22 14:41:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 2.52)
    gps[3], gps[4] = "W", (0.0, 7.0, 28.56)
    out = io.BytesIO()
    picture.save(out, format="JPEG", exif=exif, quality=90)
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.usefixtures("rapidocr_only")
def test_a_picture_keeps_what_the_camera_said_and_is_read() -> None:
    found = extract(jpeg_with_exif(), "IMG_0001.JPG", ocr=("eng",))

    assert found.format is Format.JPEG
    assert found.authors == ("Press photographer",)
    assert found.metadata["Camera"] == "Canon EOS 5D"
    assert found.metadata["Taken (camera clock)"] == "2017-03-22 14:41:00"
    assert found.published is None  # when it was taken is not when it was published
    position = found.metadata["GPS position (the place, if the camera was right)"]
    assert position == "51.500700, -0.124600"
    assert found.metadata["Picture size"] == "1,240 by 1,754 pixels"
    assert "police said the attacker acted alone" in words(found.pages[0])
    assert found.by_ocr


def test_a_picture_without_ocr_keeps_its_exif_and_needs_ocr() -> None:
    found = extract(jpeg_with_exif(), "IMG_0001.JPG")

    assert found.needs_ocr
    assert found.pages == ("",)
    assert found.metadata["Camera"] == "Canon EOS 5D"


def test_a_picture_bomb_is_refused_unread() -> None:
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, format="PNG")  # 144 million pixels, 20 KB

    with pytest.raises(Damaged, match="decompression bomb"):
        extract(out.getvalue(), "bomb.png", ocr=("eng",))


needs_tesseract = pytest.mark.skipif(
    not {"eng", "ara"} <= ocr.tesseract_languages(),
    reason="Tesseract with English and Arabic is not installed (.ci/run installs them)",
)


@pytest.mark.slow
@needs_tesseract
def test_tesseract_reads_arabic_where_it_is_installed() -> None:
    arabic = ("بسم الله الرحمن الرحيم",)
    found = extract(
        scanned_pdf([page_picture(arabic, "NotoNaskhArabic-Regular.ttf")]),
        "bayan.pdf",
        ocr=("ara",),
    )

    assert found.metadata["Text read by OCR"].startswith("Tesseract; confidence page 1 ")
    assert "الرحمن" in found.pages[0]
    assert found.warnings == ()


@pytest.mark.slow
@needs_tesseract
def test_tesseract_reads_english_where_it_is_installed() -> None:
    found = extract(scanned_pdf([page_picture()]), "scan.pdf", ocr=("eng",))

    assert found.metadata["Text read by OCR"].startswith("Tesseract; confidence page 1 ")
    assert "police said the attacker acted alone" in words(found.pages[0])


@pytest.mark.slow
def test_an_imported_scan_is_read_searchable_and_tagged(case: Case, tmp_path: Path) -> None:
    """Through the import's sandbox, with whichever engine this machine has."""
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf([page_picture(), page_picture(("Second page.",))]))
    heard: list[str] = []

    def progress(report: ImportReport) -> None:
        heard.append(report.reading_now())

    [outcome] = case.importer.import_files([path], progress=progress).outcomes

    # Page by page as OCR reads them, then the file done.
    assert heard == [
        "scan.pdf: reading page 1 of 2 by OCR",
        "scan.pdf: reading page 2 of 2 by OCR",
        "",
    ]
    assert outcome.status is Status.IMPORTED
    [source] = case.listing.page(ListQuery(Kind.SOURCE)).records
    assert source.tags == (READ_BY_OCR,)
    assert "Text read by OCR: " in source.notes
    hits = case.search.search('"attacker acted alone"').hits
    pages = [h for h in hits if h.kind is Kind.DOCUMENT]
    assert [h.page for h in pages] == [1]
    assert [h.page for h in case.search.search('"second page"').hits if h.page] == [2]
    assert source.label == "Police said the attacker acted alone."  # its first line read


def test_tesseract_words_are_read_back_as_its_lines_and_paragraphs() -> None:
    rows = [
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext",
        "5\t1\t1\t1\t1\t1\t0\t0\t9\t9\t96.5\tPolice",
        "5\t1\t1\t1\t1\t2\t0\t0\t9\t9\t91.5\tsaid",
        "5\t1\t1\t1\t2\t1\t0\t0\t9\t9\t90\tit",
        "4\t1\t1\t2\t1\t0\t0\t0\t9\t9\t-1\t",
        "5\t1\t1\t2\t1\t1\t0\t0\t9\t9\t82\tAgain",
    ]
    read = ocr._from_tsv("\n".join(rows))

    assert read.text == "Police said\nit\n\nAgain"
    assert read.confidence == pytest.approx((0.965 + 0.915 + 0.90 + 0.82) / 4)


def test_ocr_stops_in_time_and_leaves_the_rest_needing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader's time limit nears: no page is begun, so that what was read is stored
    rather than the whole file given up."""
    ocr.stop_at(0.0)  # long past
    try:
        found = extract(scanned_pdf([page_picture(), page_picture()]), "scan.pdf", ocr=("eng",))
    finally:
        ocr.stop_at(None)

    assert found.needs_ocr
    assert found.pages == ("", "")
    assert found.warnings == (
        "OCR stopped at page 1, within the time limit: raise the time per file and import "
        "it again for the rest",
    )


@pytest.mark.slow
@pytest.mark.usefixtures("rapidocr_only")
def test_a_scanned_page_with_a_note_on_it_is_still_read() -> None:
    """Its note is no printed text: the page is a scan all the same."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(595, 842))
    pdf.drawImage(ImageReader(page_picture()), 0, 0, width=595, height=842)
    pdf.textAnnotation("Check the figure", Rect=(72, 600, 200, 650), addtopage=1)
    pdf.showPage()
    pdf.save()

    found = extract(out.getvalue(), "scan.pdf", ocr=("eng",))

    assert "police said the attacker acted alone" in words(found.pages[0])
    assert found.pages[0].endswith("Annotation: Check the figure")
    assert not found.needs_ocr


def test_without_ocr_a_blank_page_does_not_make_a_typed_pdf_a_scan() -> None:
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.drawString(72, 720, "Typed report")
    pdf.showPage()
    pdf.showPage()  # a blank page, as between chapters
    pdf.save()

    assert not extract(out.getvalue(), "report.pdf").needs_ocr
