"""Outlook messages imported into a real case, through the sandbox's readers: a source as
the same message saved as .eml gives, its attachments documents of it; a damaged one kept
unread with why."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from casefile.domain.dates import PartialDate
from casefile.domain.display import display
from casefile.domain.terms import Kind, SourceKind
from casefile.services import importer
from casefile.services.case import Case
from casefile.services.importer import Status
from casefile.services.list_query import ListQuery
from tests.importing.outlook_files import TO, Attached, Item, msg_bytes

STATEMENT = b"The perpetrator was a soldier of the Islamic State."


def claim() -> Item:
    original = Item(
        subject="Amaq statement",
        body="The statement as it was posted.",
        sent=datetime(2017, 3, 23, 8, 0, tzinfo=UTC),
        attachments=[Attached("statement.txt", STATEMENT, "text/plain")],
    )
    return Item(
        subject="Claim translation",
        body="Translation of the Amaq claim attached.",
        sender_name="Rita Analyst",
        sender_address="rita@example.org",
        sent=datetime(2017, 3, 23, 10, 15, tzinfo=UTC),
        recipients=[("", "desk@example.org", TO)],
        message_id="<claim@example.org>",
        attachments=[
            Attached("claim.txt", b"Claim as translated.", "text/plain"),
            Attached("Amaq statement", message=original),
        ],
    )


def test_an_outlook_message_is_a_source_with_its_attachments_as_documents(
    case: Case, tmp_path: Path
) -> None:
    path = tmp_path / "claim.msg"
    path.write_bytes(msg_bytes(claim()))

    report = case.importer.import_files([path])

    [outcome] = report.outcomes
    assert outcome.status is Status.IMPORTED
    assert outcome.message == ""
    assert report.network_attempts == []
    [source] = case.listing.page(ListQuery(Kind.SOURCE)).records
    assert source.label == "Claim translation"
    assert source.fields.source_kind is SourceKind.OTHER
    assert source.fields.authors == ("Rita Analyst",)
    assert source.fields.published == PartialDate(2017, 3, 23)
    assert "Message-ID: <claim@example.org>" in source.notes.splitlines()
    assert "To: desk@example.org" in source.notes.splitlines()
    documents = {d.fields.file_name: d for d in case.listing.page(ListQuery(Kind.DOCUMENT)).records}
    assert set(documents) == {"claim.msg", "claim.txt", "Amaq statement.msg", "statement.txt"}
    assert all(d.fields.source == source.id for d in documents.values())
    assert display("media_type", documents["claim.msg"].fields.media_type, {}) == (
        "Outlook message"
    )
    assert case.documents.pages(documents["claim.msg"].id) == [
        "Translation of the Amaq claim attached."
    ]
    assert case.documents.pages(documents["statement.txt"].id) == [STATEMENT.decode()]


def test_a_damaged_outlook_message_is_kept_unread_with_why(case: Case, tmp_path: Path) -> None:
    data = msg_bytes(claim())
    subject = "Claim translation".encode("utf-16-le")
    path = tmp_path / "claim.msg"
    path.write_bytes(data.replace(subject, subject[:-1] + b"\xd8"))  # no longer UTF-16

    [outcome] = case.importer.import_files([path]).outcomes

    assert outcome.status is Status.KEPT
    assert outcome.message.startswith("damaged Outlook message: ")
    assert "\n" not in outcome.message
    [source] = case.listing.page(ListQuery(Kind.SOURCE, tag=importer.COULD_NOT_READ)).records
    assert source.notes == f"Could not read: {outcome.message}"
