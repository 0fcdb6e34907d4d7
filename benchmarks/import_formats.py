"""Import quality by format (issue 17): what share of files is read, kept unread or
refused, and how much of each file's text comes back.

For each format, files are made with the format's own library (python-docx, python-pptx,
openpyxl, ReportLab, the e-mail package) or written as its specification shows
(RTF, OpenDocument, EPUB), each holding sentences drawn from a vocabulary of investigators'
words (Latin, and Arabic and Cyrillic in legacy encodings for text files), and a few of
each are truncated, as a damaged download is. All are imported into a new case through
the real importer; then, per format:
- imported / kept unread / failed, as shares of the files;
- word recall: the share of a file's words (of 4+ letters) found in the text stored for
  it, over the intact files: against the text the file was made from, which is what any
  reference reader of that format would have to give back (``recall``, the measure
  ``benchmarks/import_corpus.py`` and the corpus tests use).

    .venv/bin/python benchmarks/import_formats.py [--files 12]
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import zipfile
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

# Recall is defined once, with the corpus the tests use.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from casefile.services.case import create_case
from casefile.services.importer import ImportOptions, Status
from tests.corpus.reference import epub, recall

WORDS = [
    "attack",
    "police",
    "suspect",
    "claimed",
    "vehicle",
    "bridge",
    "parliament",
    "statement",
    "investigation",
    "officers",
    "arrested",
    "network",
    "group",
    "brigade",
    "channel",
    "propaganda",
    "video",
    "weapons",
    "knife",
    "explosives",
    "victims",
    "wounded",
    "hospital",
    "evidence",
    "witness",
    "court",
    "sentence",
    "prison",
    "border",
    "cell",
    "leader",
    "commander",
    "operation",
    "targets",
    "security",
    "threat",
    "warning",
    "message",
    "supporters",
]
ARABIC = [
    "هجوم",
    "الشرطة",
    "المشتبه",
    "تبنى",
    "مركبة",
    "جسر",
    "البرلمان",
    "بيان",
    "تحقيق",
    "الضباط",
    "اعتقال",
    "شبكة",
]
CYRILLIC = [
    "нападение",
    "полиция",
    "подозреваемый",
    "заявил",
    "машина",
    "мост",
    "парламент",
    "заявление",
]


def sentences(rng: random.Random, vocabulary: list[str], count: int) -> list[str]:
    made = (" ".join(rng.choices(vocabulary, k=rng.randint(8, 14))) for _ in range(count))
    return [f"{sentence.capitalize()}." for sentence in made]


def docx(lines: list[str]) -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pptx(lines: list[str]) -> bytes:
    import pptx as python_pptx

    deck = python_pptx.Presentation()
    for line in lines:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.placeholders[1].text = line
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def xlsx(lines: list[str]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for line in lines:
        sheet.append(line.split(" "))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf(lines: list[str]) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    for number, line in enumerate(lines):
        page.drawString(60, 780 - 16 * (number % 45), line)
        if number % 45 == 44:
            page.showPage()
    page.save()
    return out.getvalue()


def odt(lines: list[str]) -> bytes:
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    body = "".join(f"<text:p>{line}</text:p>" for line in lines)
    content = (
        f'<?xml version="1.0"?><office:document-content {ns}><office:body><office:text>'
        f"{body}</office:text></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        kind = "application/vnd.oasis.opendocument.text"
        package.writestr("mimetype", kind, zipfile.ZIP_STORED)
        package.writestr("content.xml", content)
    return out.getvalue()


def rtf(lines: list[str]) -> bytes:
    return ("{\\rtf1\\ansi " + "".join(f"{line}\\par\n" for line in lines) + "}").encode("ascii")


def eml(lines: list[str]) -> bytes:
    message = EmailMessage()
    message["From"] = "desk@example.org"
    message["Subject"] = "Bench"
    message.set_content("\n".join(lines))
    return message.as_bytes()


def html(lines: list[str]) -> bytes:
    paragraphs = "".join(f"<p>{line}</p>" for line in lines)
    page = f"<html><head><title>Bench</title></head><body><article>{paragraphs}</article>"
    return f"{page}</body></html>".encode()


# name, extension, how a file is made, its vocabulary
FORMATS: list[tuple[str, str, Callable[[list[str]], bytes], list[str]]] = [
    ("text, UTF-8", "txt", lambda lines: "\n".join(lines).encode("utf-8"), WORDS),
    ("text, windows-1256", "txt", lambda lines: "\n".join(lines).encode("cp1256"), ARABIC),
    ("text, KOI8-R", "txt", lambda lines: "\n".join(lines).encode("koi8_r"), CYRILLIC),
    ("web page", "html", html, WORDS),
    ("e-mail", "eml", eml, WORDS),
    ("PDF", "pdf", pdf, WORDS),
    ("Word", "docx", docx, WORDS),
    ("OpenDocument text", "odt", odt, WORDS),
    ("RTF", "rtf", rtf, WORDS),
    ("Excel", "xlsx", xlsx, WORDS),
    ("PowerPoint", "pptx", pptx, WORDS),
    ("EPUB", "epub", epub, WORDS),
]
DAMAGED_EVERY = 6  # one file in six is cut short, as a damaged download is


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=12, help="files of each format")
    args = parser.parse_args()
    rng = random.Random(17)
    print(f"{args.files} files a format, one in {DAMAGED_EVERY} truncated")
    head = f"{'format':<22}{'imported':>10}{'kept unread':>13}{'failed':>8}{'word recall':>13}"
    print(head)
    with tempfile.TemporaryDirectory(prefix="casefile-formats-") as tmp:
        folder = Path(tmp)
        for name, extension, make, vocabulary in FORMATS:
            made: dict[str, str] = {}
            target = folder / extension / name.replace(" ", "_").replace(",", "")
            target.mkdir(parents=True)
            for number in range(args.files):
                lines = sentences(rng, vocabulary, 30)
                data = make(lines)
                path = target / f"file{number}.{extension}"
                if number % DAMAGED_EVERY == DAMAGED_EVERY - 1:
                    data = data[: len(data) // 3]
                else:
                    made[path.name] = "\n".join(lines)
                path.write_bytes(data)
            case_path = folder / f"{extension}-{len(list(folder.glob('*.casefile')))}.casefile"
            with create_case(case_path) as case:
                report = case.importer.import_files([target], ImportOptions(ocr_languages=""))
                shares = {s: report.count(s) / len(report.outcomes) for s in Status}
                recalls = []
                for outcome in report.outcomes:
                    if outcome.path.name not in made or outcome.source_id is None:
                        continue
                    if outcome.status is not Status.IMPORTED:
                        recalls.append(0.0)
                        continue
                    text = "\n".join(
                        page
                        for document in case.records.documents_of(outcome.source_id)
                        for page in case.documents.pages(document.id)
                    )
                    recalls.append(recall(made[outcome.path.name], text) or 0.0)
            mean_recall = statistics.mean(recalls) if recalls else 0.0
            print(
                f"{name:<22}{shares[Status.IMPORTED]:>10.0%}{shares[Status.KEPT]:>13.0%}"
                f"{shares[Status.FAILED]:>8.0%}{mean_recall:>13.1%}"
            )
    print(
        "\nimported: read whole or in part; kept unread: stored with the reason it could not"
        " be read;\nfailed: nothing stored (empty, missing, unreadable from disk). Recall"
        " over the intact files."
    )


if __name__ == "__main__":
    main()
