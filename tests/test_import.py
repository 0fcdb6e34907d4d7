"""Importing documents into a real case file: stored untouched, read, one transaction each."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy.orm import Session

from casefile import documents, importer, reading, sandbox
from casefile.case import Case, open_case
from casefile.cli.main import main
from casefile.dates import PartialDate
from casefile.display import display
from casefile.extract.model import Format
from casefile.importer import NEEDS_OCR, ImportOptions, Status, files_in
from casefile.listing import ListQuery
from casefile.records import QuoteFields, SourceFields
from casefile.vocab import Kind, SourceKind

ARTICLE = """<!doctype html><html><head>
<title>Westminster attacker acted alone | The Paper</title>
<meta name="author" content="Jane Reporter">
<meta property="og:site_name" content="The Paper">
<meta property="article:published_time" content="2017-03-27T09:00:00Z">
<link rel="canonical" href="https://paper.example/westminster-alone">
<script>fetch("https://tracker.example/p?id=1")</script>
</head><body>
<img src="https://tracker.example/pixel.gif" width="1" height="1">
<article><h1>Westminster attacker acted alone</h1>
<p>Police said Khalid Masood acted alone when he drove into pedestrians on Westminster
Bridge. The investigation continues across several cities in the country.</p>
<p>Islamic State claimed the attack through its Amaq agency the following day, but
investigators found no evidence of direct contact with the group.</p>
<img src="https://cdn.example/photo.jpg"></article></body></html>
"""


def make_pdf(path: Path, pages: list[str], *, password: str | None = None) -> Path:
    encrypt = StandardEncryption(password, canPrint=1) if password else None
    canvas = Canvas(str(path), encrypt=encrypt)
    canvas.setTitle("Threat assessment")
    canvas.setAuthor("Ops Analyst")
    for text in pages:
        canvas.drawString(72, 720, text)
        canvas.showPage()
    canvas.save()
    return path


def make_email(path: Path) -> Path:
    message = EmailMessage()
    message["From"] = "Rita Analyst <rita@example.org>"
    message["To"] = "desk@example.org"
    message["Subject"] = "Claim translation"
    message["Date"] = "Thu, 23 Mar 2017 10:15:00 +0000"
    message.set_content("Translation of the Amaq claim attached.")
    message.add_attachment(
        b"The perpetrator was a soldier of the Islamic State.",
        maintype="text",
        subtype="plain",
        filename="claim.txt",
    )
    path.write_bytes(message.as_bytes())
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder as an investigator's downloads look: documents, a saved page with its
    assets folder, a duplicate, and files that cannot be imported."""
    root = tmp_path / "downloads"
    (root / "web" / "article_files").mkdir(parents=True)
    make_pdf(root / "report.pdf", ["First page text", "Second page text", "Third page text"])
    shutil.copyfile(root / "report.pdf", root / "web" / "copy of report.pdf")
    (root / "web" / "article.html").write_text(ARTICLE)
    (root / "web" / "article_files" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not used")
    (root / "notes.txt").write_bytes("Zoë met the source — twice.\n".encode("cp1252"))
    (root / "empty.txt").write_bytes(b"")
    (root / "image.pdf").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (root / ".hidden").write_text("never imported")
    return root


def sources(case: Case) -> dict[str, SourceFields]:
    page = case.listing.page(ListQuery(Kind.SOURCE, limit=100))
    return {r.label: r.fields for r in page.records}


def snapshot(path: Path) -> list[tuple[str, int]]:
    """What a case holds, table by table (row counts): equal means nothing was written."""
    with closing(sqlite3.connect(path)) as con:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return [(n, con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in names]


def test_a_folder_is_listed_without_hidden_files_or_a_saved_page_assets(folder: Path) -> None:
    names = [p.relative_to(folder).as_posix() for p in files_in([folder])]
    assert names == [
        "empty.txt",
        "image.pdf",
        "notes.txt",
        "report.pdf",
        "web/article.html",
        "web/copy of report.pdf",
    ]


def test_importing_a_folder_stores_reads_and_reports_every_file(case: Case, folder: Path) -> None:
    report = case.importer.import_files([folder])

    assert report.network_attempts == []  # the page's scripts, images and pixel: untouched
    status = {o.path.name: o.status for o in report.outcomes}
    assert status == {
        "empty.txt": Status.FAILED,
        "image.pdf": Status.FAILED,
        "notes.txt": Status.IMPORTED,
        "report.pdf": Status.IMPORTED,
        "article.html": Status.IMPORTED,
        "copy of report.pdf": Status.DUPLICATE,
    }
    why = {o.path.name: o.message for o in report.outcomes}
    assert "empty" in why["empty.txt"]
    assert "PNG" in why["image.pdf"]
    assert report.summary() == "3 imported, 1 duplicate, 2 failed"

    found = sources(case)
    assert set(found) == {
        "Threat assessment",
        "Westminster attacker acted alone",
        "Zoë met the source — twice.",  # a text file's first line is its title
    }
    pdf = found["Threat assessment"]
    assert pdf.authors == ("Ops Analyst",)
    assert pdf.source_kind is SourceKind.REPORT
    page = found["Westminster attacker acted alone"]
    assert page.publisher == "The Paper"
    assert page.authors == ("Jane Reporter",)
    assert page.published == PartialDate(2017, 3, 27)
    assert page.url == "https://paper.example/westminster-alone"

    documents = case.listing.page(ListQuery(Kind.DOCUMENT, limit=100)).records
    by_name = {d.fields.file_name: d for d in documents}
    assert set(by_name) == {"report.pdf", "article.html", "notes.txt"}
    original = (folder / "report.pdf").read_bytes()
    report_doc = by_name["report.pdf"]
    assert report_doc.fields.sha256 == hashlib.sha256(original).hexdigest()
    assert case.documents.content(report_doc.id) == original
    assert [p.strip() for p in case.documents.pages(report_doc.id)] == [
        "First page text",
        "Second page text",
        "Third page text",
    ]
    article = "\n".join(case.documents.pages(by_name["article.html"].id))
    assert "acted alone" in article
    assert "tracker" not in article
    assert "fetch(" not in article
    assert "Zoë met the source — twice." in case.documents.pages(by_name["notes.txt"].id)[0]
    duplicate = next(o for o in report.outcomes if o.status is Status.DUPLICATE)
    assert duplicate.source_id == next(
        o.source_id for o in report.outcomes if o.title == "Threat assessment"
    )


def test_importing_the_same_file_again_is_a_duplicate_and_stores_nothing(
    case: Case, case_path: Path, folder: Path
) -> None:
    case.importer.import_files([folder / "report.pdf"])
    before = snapshot(case_path)
    report = case.importer.import_files([folder / "report.pdf"])
    assert [o.status for o in report.outcomes] == [Status.DUPLICATE]
    assert report.outcomes[0].title == "Threat assessment"
    assert snapshot(case_path) == before


def test_files_that_fail_leave_the_case_exactly_as_it_was(
    case: Case, case_path: Path, tmp_path: Path
) -> None:
    truncated = make_pdf(tmp_path / "truncated.pdf", ["Some text"])
    truncated.write_bytes(truncated.read_bytes()[:300])
    (tmp_path / "bomb.docx").write_bytes(b"PK\x03\x04 not really a zip")
    before = snapshot(case_path)
    report = case.importer.import_files(
        [truncated, tmp_path / "bomb.docx", tmp_path / "missing.pdf"]
    )
    assert [o.status for o in report.outcomes] == [Status.FAILED] * 3
    assert all(o.message for o in report.outcomes)
    assert snapshot(case_path) == before


def test_a_failure_while_storing_undoes_that_file_only(
    case: Case, case_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The failure comes after the file's source, document and blob were written: its
    savepoint takes them all back, and the other file stays."""

    def add_pages(s: Session, document_id: UUID, pages: Sequence[str]) -> None:
        documents.add_pages(s, document_id, pages)
        if any("Zoë" in page for page in pages):
            raise OSError("disk full")

    monkeypatch.setattr(importer, "add_pages", add_pages)
    before = snapshot(case_path)
    report = case.importer.import_files([folder / "notes.txt"])
    assert [(o.status, o.message) for o in report.outcomes] == [
        (Status.FAILED, "could not be stored (disk full)")
    ]
    assert snapshot(case_path) == before
    report = case.importer.import_files([folder / "notes.txt", folder / "report.pdf"])
    why = {o.path.name: (o.status, o.message) for o in report.outcomes}
    assert why == {
        "notes.txt": (Status.FAILED, "could not be stored (disk full)"),
        "report.pdf": (Status.IMPORTED, ""),
    }
    assert set(sources(case)) == {"Threat assessment"}  # no source left without its document
    assert len(case.listing.page(ListQuery(Kind.DOCUMENT)).records) == 1


def test_odd_paths_are_reported_one_by_one_and_never_stop_the_import(
    case: Case, tmp_path: Path
) -> None:
    odd = tmp_path / "odd"
    odd.mkdir()
    latin1 = odd / os.fsdecode(b"caf\xe9 report.txt")
    latin1.write_bytes("Café report".encode("cp1252"))
    (odd / "plain.txt").write_text("Plain words")
    os.mkfifo(odd / "pipe")
    (odd / "link.txt").symlink_to(odd / "plain.txt")
    (odd / "old.casefile").write_bytes(b"not imported")
    report = case.importer.import_files([odd, odd / "plain.txt", odd])  # named thrice
    status = {o.path.name: (o.status, o.message) for o in report.outcomes}
    assert status == {
        latin1.name: (Status.IMPORTED, ""),
        "plain.txt": (Status.IMPORTED, ""),
        "pipe": (Status.FAILED, "is not a regular file"),
        "link.txt": (Status.FAILED, "is a symbolic link (import what it points to)"),
    }
    titles = set(sources(case))
    assert titles == {"Plain words", "Café report"}
    names = {d.fields.file_name for d in case.listing.page(ListQuery(Kind.DOCUMENT)).records}
    assert names == {"plain.txt", "caf\ufffd report.txt"}  # the undecodable byte, marked
    assert case.check() == []


def test_an_encrypted_pdf_needs_its_password(case: Case, tmp_path: Path) -> None:
    locked = make_pdf(tmp_path / "locked.pdf", ["Secret page"], password="s3cret")
    [first] = case.importer.import_files([locked]).outcomes
    assert first.status is Status.FAILED
    assert first.needs_password
    [wrong] = case.importer.import_files([locked], ImportOptions(password="nope")).outcomes
    assert wrong.status is Status.FAILED
    [right] = case.importer.import_files([locked], ImportOptions(password="s3cret")).outcomes
    assert right.status is Status.IMPORTED
    [doc] = case.listing.page(ListQuery(Kind.DOCUMENT)).records
    assert case.documents.content(doc.id) == locked.read_bytes()  # stored as it came
    assert "Secret page" in case.documents.pages(doc.id)[0]


def test_a_pdf_without_text_is_imported_and_flagged_for_ocr(case: Case, tmp_path: Path) -> None:
    canvas = Canvas(str(tmp_path / "scan.pdf"))
    canvas.rect(72, 72, 300, 500, fill=1)
    canvas.showPage()
    canvas.save()
    [outcome] = case.importer.import_files([tmp_path / "scan.pdf"]).outcomes
    assert outcome.status is Status.IMPORTED
    [source] = case.listing.page(ListQuery(Kind.SOURCE)).records
    assert source.tags == (NEEDS_OCR,)
    assert [r.id for r in case.listing.page(ListQuery(Kind.SOURCE, tag=NEEDS_OCR)).records] == [
        source.id
    ]


def test_an_email_keeps_its_headers_and_its_attachment_as_a_document(
    case: Case, tmp_path: Path
) -> None:
    [outcome] = case.importer.import_files([make_email(tmp_path / "claim.eml")]).outcomes
    assert outcome.status is Status.IMPORTED
    [source] = case.listing.page(ListQuery(Kind.SOURCE)).records
    assert source.label == "Claim translation"
    assert source.fields.published == PartialDate(2017, 3, 23)
    assert "rita@example.org" in source.notes
    documents = {d.fields.file_name: d for d in case.listing.page(ListQuery(Kind.DOCUMENT)).records}
    assert set(documents) == {"claim.eml", "claim.txt"}
    assert all(d.fields.source == source.id for d in documents.values())
    assert "soldier of the Islamic State" in case.documents.pages(documents["claim.txt"].id)[0]


def test_limits_fail_the_file_with_the_reason(case: Case, folder: Path) -> None:
    tiny = ImportOptions(max_mb=0.0001)
    [outcome] = case.importer.import_files([folder / "report.pdf"], tiny).outcomes
    assert outcome.status is Status.FAILED
    assert "more than the limit" in outcome.message
    [pages] = case.importer.import_files(
        [folder / "report.pdf"], ImportOptions(max_pages=2)
    ).outcomes
    assert pages.status is Status.FAILED
    assert "3 pages, more than the limit of 2" in pages.message


def test_a_cancel_keeps_what_was_stored_and_stores_nothing_more(
    case: Case, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored: list[Path] = []
    store = case.importer._store

    def store_then_cancel(s: Session, task: reading.ReadTask, *rest: Any) -> Any:
        stored.append(task.path)
        return store(s, task, *rest)

    monkeypatch.setattr(case.importer, "_store", store_then_cancel)
    report = case.importer.import_files(
        [folder / "report.pdf", folder / "notes.txt", folder / "web"],
        cancelled=lambda: bool(stored),
    )
    assert report.cancelled
    assert [(o.path, o.status) for o in report.outcomes] == [(stored[0], Status.IMPORTED)]
    assert len(sources(case)) == 1  # what finished stays
    assert "not done (cancelled)" in report.summary()


def test_a_file_that_changes_after_it_was_read_is_not_stored(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = tmp_path / "note.txt"
    note.write_text("What the reader read.")
    read_all = sandbox.Sandbox.map

    def read_then_edit(self: Any, *args: Any) -> Any:
        for task, result in read_all(self, *args):
            task.path.write_text("Edited after it was read.")
            yield task, result

    monkeypatch.setattr(sandbox.Sandbox, "map", read_then_edit)
    [outcome] = case.importer.import_files([note]).outcomes
    assert (outcome.status, outcome.message) == (Status.FAILED, reading.CHANGED)
    assert sources(case) == {}


def test_every_import_is_in_the_audit_trail(case: Case, folder: Path) -> None:
    case.importer.import_files([folder / "report.pdf"])
    entries = case.history.entries()
    assert {(e.action, e.kind) for e in entries} >= {("create", "source"), ("create", "document")}
    assert len({e.action_id for e in entries if e.kind in ("source", "document")}) == 1


def test_the_cli_imports_and_summarises(
    case_path: Path, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["import", str(case_path), str(folder), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1  # some files failed: a script can tell
    assert data["total"] == 6
    assert sorted(f["status"] for f in data["files"]) == [
        "duplicate",
        "failed",
        "failed",
        "imported",
        "imported",
        "imported",
    ]
    code = main(["import", str(case_path), str(folder / "notes.txt")])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines() == [
        "duplicate notes.txt: already in the case as 'Zoë met the source — twice.'",
        "0 imported, 1 duplicate, 0 failed",
    ]
    with open_case(case_path, backups=False) as case:
        assert len(sources(case)) == 3


def test_the_cli_says_in_one_line_when_a_path_is_missing(
    case_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["import", str(case_path), str(tmp_path / "nowhere")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip().splitlines() == [f"casefile: no such file or folder: {tmp_path / 'nowhere'}"]


def test_a_quote_reopens_in_the_document_it_was_taken_from(case: Case, tmp_path: Path) -> None:
    case.importer.import_files([make_email(tmp_path / "claim.eml")])
    documents = {d.fields.file_name: d for d in case.listing.page(ListQuery(Kind.DOCUMENT)).records}
    attachment = documents["claim.txt"]
    quote = case.records.add(
        QuoteFields(
            text="soldier of the Islamic State",
            source=attachment.fields.source,
            document=attachment.id,
            page=1,
            char_start=22,
            char_end=50,
        )
    )
    reading = case.documents.reading(quote.id)
    assert reading.document.id == attachment.id  # not the e-mail itself
    assert reading.pages[0][reading.char_start : reading.char_end] == "soldier of the Islamic State"


def test_stored_types_read_as_people_call_them() -> None:
    """A document's type is shown as "Web page", not "text/html; charset=utf-8"; a type
    Casefile does not read keeps its own name."""
    assert display("media_type", "text/plain; charset=utf-8", {}) == "Text file"
    assert display("media_type", "multipart/related", {}) == "Web archive"
    assert display("media_type", Format.DOCX.media_type, {}) == "Word document"
    assert display("media_type", "Image/PNG", {}) == "image/png"
