"""Archives and mailboxes imported into a real case: each file in them a source of its own."""

from __future__ import annotations

import hashlib
import io
import tarfile
import zipfile
from email.message import EmailMessage
from pathlib import Path
from uuid import UUID

import pytest

from casefile.domain.dates import PartialDate
from casefile.domain.formats import Format
from casefile.domain.terms import Kind, SourceKind
from casefile.importing.extract import archive
from casefile.importing.extract.dispatch import extract
from casefile.services.case import Case
from casefile.services.importer import COULD_NOT_READ, Status
from casefile.services.list_query import ListQuery
from tests.services.test_import import make_email, make_pdf


def message(subject: str, body: str, *, attachment: bytes = b"") -> bytes:
    mail = EmailMessage()
    mail["From"] = "desk@example.org"
    mail["To"] = "rita@example.org"
    mail["Subject"] = subject
    mail["Date"] = "Thu, 23 Mar 2017 10:15:00 +0000"
    mail.set_content(body)
    if attachment:
        mail.add_attachment(attachment, maintype="text", subtype="plain", filename="note.txt")
    return mail.as_bytes()


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, data in files.items():
            package.writestr(name, data)
    return out.getvalue()


def titles(case: Case) -> dict[str, str]:
    """Each source's title and the first line of its notes."""
    sources = case.listing.page(ListQuery(Kind.SOURCE, limit=100)).records
    return {r.label: (r.notes.splitlines() or [""])[0] for r in sources}


def test_each_file_in_a_zip_becomes_a_source_that_says_where_it_was_found(
    case: Case, tmp_path: Path
) -> None:
    pdf = make_pdf(tmp_path / "report.pdf", ["Threat level raised"]).read_bytes()
    already = tmp_path / "already.txt"
    already.write_text("Statement already in the case.")
    case.importer.import_files([already])
    inner = zip_of({"inner/statement.txt": b"The group claimed the attack."})
    path = tmp_path / "seized.zip"
    path.write_bytes(
        zip_of(
            {
                "docs/report.pdf": pdf,
                "docs/claim.eml": message("Claim", "We did it.", attachment=b"Attached note."),
                "tools/run.exe": b"MZ\x90\x00" + bytes(60),
                "copy.txt": already.read_bytes(),
                "empty.txt": b"",
                "nested.zip": inner,
            }
        )
    )

    [outcome] = case.importer.import_files([path]).outcomes

    assert outcome.status is Status.IMPORTED, outcome
    assert outcome.inside == (
        "7 file(s) inside: 4 imported, 1 kept unread, 1 already in the case, 1 empty"
    )
    found = titles(case)
    sources = case.listing.page(ListQuery(Kind.SOURCE, limit=100)).records
    [container] = [r for r in sources if r.label == "seized"]
    assert container.fields.source_kind is SourceKind.OTHER  # what it is, the user says
    assert found["seized"] == "Files inside: 6"  # the archive itself; its text: what it holds
    assert found["Threat assessment"] == "Found in seized.zip: docs/report.pdf"
    assert found["Claim"] == "Found in seized.zip: docs/claim.eml"
    assert found["run"] == "Found in seized.zip: tools/run.exe"
    assert found["The group claimed the attack."] == (
        "Found in seized.zip/nested.zip: inner/statement.txt"
    )
    assert found["nested"] == "Found in seized.zip: nested.zip"
    assert "copy" not in found
    assert "empty" not in found
    kept = case.listing.page(ListQuery(Kind.SOURCE, tag=COULD_NOT_READ)).records
    assert [r.label for r in kept] == ["run"]
    assert "Could not read: unsupported format: Windows executable" in kept[0].notes
    # The e-mail's attachment is a document of the e-mail's source, not a source.
    documents = {
        d.fields.file_name: d for d in case.listing.page(ListQuery(Kind.DOCUMENT, limit=50)).records
    }
    assert documents["note.txt"].fields.source == documents["docs/claim.eml"].fields.source
    assert case.documents.content(documents["docs/report.pdf"].id) == pdf
    listing = case.documents.pages(documents["seized.zip"].id)[0]
    assert "docs/report.pdf" in listing
    assert "tools/run.exe" in listing
    assert outcome.line().startswith(f"imported seized.zip: seized ({outcome.inside}")


def test_a_mailbox_is_read_a_message_a_source(case: Case, tmp_path: Path) -> None:
    mbox = b"".join(
        b"From desk@example.org Thu Mar 23 10:15:00 2017\n" + message(subject, body) + b"\n"
        for subject, body in (
            # An mbox writer quotes a body line that begins "From ".
            ("First claim", ">From the start, we said it."),
            ("Second claim", "Again."),
            ("Third claim", "And again."),
        )
    )
    assert extract(mbox, "claims.mbox").format is Format.MBOX
    path = tmp_path / "claims.mbox"
    path.write_bytes(mbox)

    [outcome] = case.importer.import_files([path]).outcomes

    assert outcome.inside == "3 file(s) inside: 3 imported"
    found = titles(case)
    assert found["First claim"] == "Found in claims.mbox: message 001.eml"
    assert {"Second claim", "Third claim", "claims"} <= set(found)
    [first] = [
        d
        for d in case.listing.page(ListQuery(Kind.DOCUMENT, limit=50)).records
        if d.fields.file_name == "message 001.eml"
    ]
    text = case.documents.pages(first.id)[0]
    assert "\nFrom the start, we said it." in f"\n{text}"  # the quoting taken off


def test_one_message_alone_is_still_an_email(tmp_path: Path) -> None:
    single = b"From desk@example.org Thu Mar 23 10:15:00 2017\n" + message("Only", "One.")
    assert extract(single, "one.mbox").format is Format.EMAIL
    assert extract(make_email(tmp_path / "x.eml").read_bytes(), "x.eml").format is Format.EMAIL


def test_a_compressed_tar_is_read_and_its_links_are_listed_not_followed(tmp_path: Path) -> None:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        data = b"Cell members met in March."
        info = tarfile.TarInfo("notes/meeting.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("notes/passwd")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tar.addfile(link)
    found = extract(out.getvalue(), "evidence.tar.gz")

    assert found.format is Format.TAR
    assert [a.file_name for a in found.attachments] == ["notes/meeting.txt"]
    assert found.warnings == ("notes/passwd: a link or a device, not a file",)
    assert "notes/passwd" in found.pages[0]


def test_an_archive_past_its_limits_lists_what_it_did_not_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(archive, "MEMBERS_AT_MOST", 2)
    found = extract(zip_of({f"f{i}.txt": b"x" for i in range(4)}), "many.zip")
    assert [a.file_name for a in found.attachments] == ["f0.txt", "f1.txt"]
    assert found.warnings == (
        "f2.txt: not read: more than 2 files in one archive",
        "f3.txt: not read: more than 2 files in one archive",
    )


def warc_of(pages: list[tuple[str, str, bytes]]) -> bytes:
    """A gzipped WARC, as Webrecorder writes one: a response record a captured URL."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for url, kind, body in pages:
        http = StatusAndHeaders("200 OK", [("Content-Type", kind)], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": "2017-03-23T10:15:00Z"},
        )
        writer.write_record(record)
        record.raw_stream.close()  # the digest's spooled copy of the payload
    return out.getvalue()


def test_a_web_archive_gives_a_source_a_captured_page_with_its_address_and_capture_day(
    case: Case, tmp_path: Path
) -> None:
    page = (
        b"<html><head><title>Westminster attack: what we know</title></head><body><article>"
        b"<p>Police said the attacker acted alone when he drove into pedestrians on the "
        b"bridge.</p></article></body></html>"
    )
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(
        warc_of(
            [
                ("https://news.example/westminster", "text/html; charset=utf-8", page),
                ("https://news.example/logo.png", "image/png", b"\x89PNG\r\n\x1a\n"),
            ]
        )
    )
    assert extract(path.read_bytes(), path.name).format is Format.WARC

    [outcome] = case.importer.import_files([path]).outcomes

    assert outcome.inside == "1 file(s) inside: 1 imported"
    [source] = [
        r
        for r in case.listing.page(ListQuery(Kind.SOURCE, limit=10)).records
        if r.label == "Westminster attack: what we know"
    ]
    assert source.fields.url == "https://news.example/westminster"
    assert source.fields.accessed == PartialDate(2017, 3, 23)  # captured, not published
    assert source.fields.published is None
    assert source.notes.startswith("Found in crawl.warc.gz: https://news.example/westminster")
    [container] = [
        r
        for r in case.listing.page(ListQuery(Kind.SOURCE, limit=10)).records
        if r.label == "crawl.warc"
    ]
    listing = "\n".join(case.documents.pages(_document_of(case, container.id)))
    assert "https://news.example/logo.png" in listing
    assert "not a document (image/png)" in listing


def _document_of(case: Case, source_id: UUID) -> UUID:
    documents = case.listing.page(ListQuery(Kind.DOCUMENT, limit=50)).records
    return next(d.id for d in documents if d.fields.source == source_id)


def test_bytes_an_archive_brought_are_not_stored_again_by_a_loose_file(
    case: Case, tmp_path: Path
) -> None:
    """Whichever worker finishes first, the same bytes are one document."""
    text = b"The group claimed the attack in a statement on Tuesday."
    (tmp_path / "a.zip").write_bytes(zip_of({"statement.txt": text}))
    (tmp_path / "statement.txt").write_bytes(text)

    report = case.importer.import_files([tmp_path / "a.zip", tmp_path / "statement.txt"])

    documents = case.listing.page(ListQuery(Kind.DOCUMENT, limit=50)).records
    assert sum(d.fields.sha256 == hashlib.sha256(text).hexdigest() for d in documents) == 1
    either = report.count(Status.DUPLICATE) + sum("already in" in o.inside for o in report.outcomes)
    assert either == 1


def test_lines_that_begin_with_from_do_not_make_a_mailbox() -> None:
    text = b"From the start we knew it.\nThe report said so.\n\nFrom then on, nothing changed.\n"
    found = extract(text, "notes.txt")

    assert found.format is Format.TEXT
    assert found.pages == (text.decode(),)  # every line kept


def test_a_tar_member_with_a_time_no_calendar_holds_is_still_read() -> None:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        data = b"Cell members met in March."
        info = tarfile.TarInfo("meeting.txt")
        info.size, info.mtime = len(data), 10**20
        tar.addfile(info, io.BytesIO(data))
    found = extract(out.getvalue(), "evidence.tar")

    assert [a.file_name for a in found.attachments] == ["meeting.txt"]
