"""Outlook messages (.msg) read as Outlook shows them: an e-mail as the same message saved
as .eml is read, other items as their fields; a kind not read refused in one line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path

import pytest

from casefile.domain.dates import PartialDate
from casefile.domain.formats import Format
from casefile.importing.extract.decode import DETECTED, GUESSED
from casefile.importing.extract.detect import detect
from casefile.importing.extract.dispatch import extract
from casefile.importing.extract.model import Damaged, Unsupported
from casefile.importing.reading import NESTED_AT_MOST
from tests.importing.outlook_files import CC, TO, Attached, Item, msg_bytes
from tests.importing.reader import read_file

SENT = datetime(2017, 3, 22, 23, 40, tzinfo=UTC)
STORY = "Police said the attacker acted alone when he drove into pedestrians. "


def claim(**changes: object) -> Item:
    """A message as Outlook saves one it sent: no Internet headers, only its properties."""
    item = Item(
        subject="Claim of\r\n responsibility",
        body="The claim was posted at 23:14.\r\nSee the attached file.\r\n",
        sender_name="Rita Katz",
        sender_address="rita@example.org",
        sent=SENT,
        recipients=[("Desk", "desk@example.org", TO), ("Jane Doe", "jane@example.org", CC)],
        message_id="<2@example.org>",
        in_reply_to="<1@example.org>",
        references="<1@example.org>",
        attachments=[Attached("claim.txt", STORY.encode(), "text/plain")],
    )
    for name, value in changes.items():
        setattr(item, name, value)
    return item


def the_same_as_eml() -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Rita Katz <rita@example.org>"
    mail["To"] = "Desk <desk@example.org>"
    mail["Cc"] = "Jane Doe <jane@example.org>"
    mail["Date"] = "Wed, 22 Mar 2017 23:40:00 +0000"
    mail["Subject"] = "Claim of responsibility"
    mail["Message-ID"] = "<2@example.org>"
    mail["In-Reply-To"] = "<1@example.org>"
    mail["References"] = "<1@example.org>"
    mail.set_content("The claim was posted at 23:14.\r\nSee the attached file.\r\n")
    mail.add_attachment(STORY.encode(), maintype="text", subtype="plain", filename="claim.txt")
    return mail


def test_an_outlook_message_reads_as_the_same_message_saved_as_eml() -> None:
    msg = extract(msg_bytes(claim()), "claim.msg")
    eml = extract(the_same_as_eml().as_bytes(), "claim.eml")

    assert msg.format is Format.MSG
    assert msg.media_type == "application/vnd.ms-outlook"
    assert msg.title == eml.title == "Claim of responsibility"
    assert msg.authors == eml.authors == ("Rita Katz",)
    assert msg.published == eml.published == PartialDate(2017, 3, 22)
    assert msg.pages == eml.pages
    assert dict(msg.metadata) == dict(eml.metadata)
    assert msg.metadata["In-Reply-To"] == "<1@example.org>"
    assert [(a.file_name, a.data) for a in msg.attachments] == [
        (a.file_name, a.data) for a in eml.attachments
    ]


def test_a_received_message_keeps_the_headers_it_came_with() -> None:
    """Outlook keeps a received message's Internet headers: its Date in the sender's zone
    gives the day the sender sent it, as the .eml would (23:40 UTC is the 23rd in Moscow)."""
    headers = (
        "Microsoft Mail Internet Headers Version 2.0\r\n"
        "From: Rita Katz <rita@example.org>\r\n"
        "Date: Thu, 23 Mar 2017 02:40:00 +0300\r\n"
        "Subject: Claim of responsibility\r\n"
        "Message-ID: <2@example.org>\r\n"
        "Content-Language: ru\r\n\r\n"
    )

    found = extract(msg_bytes(claim(transport_headers=headers)), "claim.msg")

    assert found.published == PartialDate(2017, 3, 23)
    assert found.metadata["Date"] == "Thu, 23 Mar 2017 02:40:00 +0300"
    assert found.language == "ru"
    assert found.metadata["To"] == "Desk <desk@example.org>"  # not in the headers kept


def test_a_message_never_sent_has_no_sent_date() -> None:
    found = extract(msg_bytes(claim(draft=True)), "draft.msg")

    assert found.published is None
    assert "Date" not in found.metadata


def test_an_empty_plain_body_gives_way_to_the_html_body_in_its_charset() -> None:
    html = "<html><body><p>Группа взяла на себя ответственность.</p></body></html>"

    found = extract(
        msg_bytes(claim(body="", html=html.encode("cp1251"), html_code_page=1251)), "claim.msg"
    )

    assert found.pages == ("Группа взяла на себя ответственность.",)


@pytest.mark.parametrize(
    "rtf",
    [
        # What Outlook writes for an HTML message: the HTML inside the RTF.
        rb"{\rtf1\ansi\ansicpg1252\fromhtml1 \deff0{\fonttbl{\f0\fswiss Arial;}}"
        rb"{\*\htmltag64 <html>}{\*\htmltag64 <body>}\htmlrtf {\htmlrtf0 {\*\htmltag64 <p>}"
        rb"The group claimed the attack.{\*\htmltag72 </p>}\htmlrtf }\htmlrtf0 "
        rb"{\*\htmltag72 </body>}{\*\htmltag72 </html>}}",
        # A message written in Outlook's RTF editor: RTF alone.
        rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Arial;}}"
        rb"\f0 The group claimed the attack.\par}",
    ],
    ids=["encapsulated HTML", "plain RTF"],
)
def test_a_message_with_only_an_rtf_body_gives_its_text(rtf: bytes) -> None:
    found = extract(msg_bytes(claim(body=None, rtf=rtf)), "claim.msg")

    assert found.pages == ("The group claimed the attack.",)


def test_an_old_outlook_files_strings_in_an_unnamed_code_page_are_detected_and_said() -> None:
    """Outlook 97-2002 wrote 8-bit strings; without the code page named, taking the
    default MS-OXMSG suggests (ISO-8859-15) would read Cyrillic as garbage and say nothing."""
    body = "Текст заявления группы о нападении в Лондоне. Мы сделали это во имя нашей веры."
    old = claim(subject="Заявление о нападении", body=body, ansi="cp1251", sender_name="Иван")

    found = extract(msg_bytes(old), "statement.msg")

    assert (found.title, found.pages, found.authors) == (
        "Заявление о нападении",
        (body,),
        ("Иван",),
    )
    assert found.decoded is not None
    assert found.decoded.encoding == "cp1251"
    assert found.decoded.found_by in (DETECTED, GUESSED)  # the importer notes either


def test_an_old_outlook_file_that_names_its_code_page_is_read_in_it() -> None:
    old = claim(subject="Заявление", body="Мы сделали это.", ansi="cp1251", code_page=1251)

    found = extract(msg_bytes(old), "statement.msg")

    assert (found.title, found.pages, found.decoded) == ("Заявление", ("Мы сделали это.",), None)


def test_a_picture_shown_in_the_body_is_not_an_attachment() -> None:
    logo = Attached("image001.png", b"\x89PNG\r\n\x1a\n", "image/png", hidden=True)
    report = Attached("report.pdf", b"%PDF-1.4", "application/pdf", hidden=True)

    found = extract(msg_bytes(claim(attachments=[logo, report])), "claim.msg")

    assert [a.file_name for a in found.attachments] == ["report.pdf"]


def _read(path: Path) -> list[tuple[str, str]]:
    return [
        (a.attachment.file_name, a.extracted.pages[0] if a.extracted else a.problem)
        for a in read_file(path).attachments
    ]


def test_an_attached_message_is_read_in_turn_with_its_own_attachments(tmp_path: Path) -> None:
    inner = claim(subject="Original", body="See the attached statement.")
    outer = claim(subject="Fwd: Original", body="Forwarding this.", attachments=[])
    outer.attachments = [Attached("Original", message=inner)]
    path = tmp_path / "forward.msg"
    path.write_bytes(msg_bytes(outer))

    read = _read(path)

    assert [name for name, _ in read] == ["Original.msg", "claim.txt"]
    assert read[0][1] == "See the attached statement."
    assert "acted alone" in read[1][1]
    assert "See the attached statement" not in extract(path.read_bytes(), path.name).pages[0]


def test_messages_attached_deeper_than_the_limit_are_kept_unread_with_the_reason(
    tmp_path: Path,
) -> None:
    item = claim(subject="Level 0", attachments=[])
    for level in range(1, NESTED_AT_MOST + 2):
        item = claim(subject=f"Fwd {level}", attachments=[Attached(f"level {level}", message=item)])
    path = tmp_path / "chain.msg"
    path.write_bytes(msg_bytes(item))

    read = _read(path)

    assert len(read) == NESTED_AT_MOST + 1
    assert read[-1][1] == f"not read: more than {NESTED_AT_MOST} messages deep"


def test_a_contact_reads_as_its_fields_and_its_notes() -> None:
    contact = Item(
        subject="Jane Doe",
        body="Met at the embassy.",
        message_class="IPM.Contact",
        extra_strings={0x3001: "Jane Doe", 0x3A16: "Example Ltd", 0x3A1C: "+44 20 7946 0000"},
    )

    found = extract(msg_bytes(contact), "jane.msg")

    assert found.title == "Jane Doe"
    assert found.pages == (
        "Full Name: Jane Doe\nCompany: Example Ltd\nMobile: +44 20 7946 0000\n\n"
        "Met at the embassy.",
    )
    assert found.metadata["Outlook item"] == "IPM.Contact"
    assert found.metadata["Company"] == "Example Ltd"


def test_an_appointments_times_say_their_offset() -> None:
    """Times are printed with their offset: they name the same instant wherever the case
    is opened."""
    start = datetime(2017, 3, 22, 14, 0, tzinfo=timezone(timedelta(hours=1)))
    meeting = Item(
        subject="Meeting at the embassy",
        body="Bring the file.",
        message_class="IPM.Appointment",
        extra_times={0x0060: start, 0x0061: start + timedelta(hours=1)},
    )

    found = extract(msg_bytes(meeting), "meeting.msg")

    assert found.title == "Meeting at the embassy"
    assert datetime.strptime(found.metadata["Start"], "%Y-%m-%d %H:%M %z") == start
    assert found.pages[0].endswith("\n\nBring the file.")


def test_an_item_of_a_kind_not_read_is_refused_in_one_line() -> None:
    with pytest.raises(Unsupported, match=r"^unsupported format: an Outlook item .*\(IPM\.Foo\)$"):
        extract(msg_bytes(Item(subject="x", message_class="IPM.Foo")), "x.msg")


def test_a_damaged_message_is_damaged_not_a_crash() -> None:
    data = msg_bytes(claim(subject="Claim"))
    # The subject's UTF-16 cut short by a byte: no longer text.
    broken = data.replace("Claim".encode("utf-16-le"), "Claim".encode("utf-16-le")[:-1] + b"\xd8")

    with pytest.raises(Damaged, match=r"^damaged Outlook message: "):
        extract(broken, "claim.msg")


def test_an_outlook_message_is_told_by_its_content_whatever_its_name() -> None:
    assert detect(msg_bytes(claim()), "claim.doc") is Format.MSG


def test_a_signed_message_gives_the_body_and_attachments_it_was_signed_with() -> None:
    """Outlook keeps a clear-signed message whole, as sent, in its one attachment: its
    body and files are read from it as an .eml's are (the signature is one of them)."""
    signed = (
        b'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; boundary=s\r\n'
        b"\r\n--s\r\nContent-Type: multipart/mixed; boundary=m\r\n"
        b"\r\n--m\r\nContent-Type: text/plain\r\n\r\nThe claim, as signed.\r\n"
        b"\r\n--m\r\nContent-Type: text/plain\r\n"
        b"Content-Disposition: attachment; filename=claim.txt\r\n\r\n"
        + STORY.encode()
        + b"\r\n--m--\r\n"
        b"\r\n--s\r\nContent-Type: application/pkcs7-signature\r\n"
        b"Content-Disposition: attachment; filename=smime.p7s\r\n\r\nsignature\r\n--s--\r\n"
    )
    item = claim(
        body=None,
        message_class="IPM.Note.SMIME.MultipartSigned",
        attachments=[Attached("smime.p7m", signed, "multipart/signed")],
    )

    found = extract(msg_bytes(item), "signed.msg")

    assert found.pages == ("The claim, as signed.\n",)
    assert [(a.file_name, a.data) for a in found.attachments] == [
        ("claim.txt", STORY.encode()),
        ("smime.p7s", b"signature"),
    ]


def test_a_file_only_linked_to_is_a_warning_that_names_it() -> None:
    linked = Attached("report.pdf", link=r"\\server\share\report.pdf")

    found = extract(msg_bytes(claim(attachments=[linked])), "claim.msg")

    assert found.attachments == ()
    assert found.warnings == (
        r"attachment report.pdf is only a link to \\server\share\report.pdf: "
        "the file is not in the message",
    )


def test_a_damaged_rtf_body_is_a_warning_not_the_message_lost() -> None:
    data = msg_bytes(claim(body=None, rtf=rb"{\rtf1\ansi The group claimed the attack.}"))
    broken = data.replace(b"LZFu", b"LZFv")  # a compression Outlook does not know

    found = extract(broken, "claim.msg")

    assert found.title == "Claim of responsibility"
    assert [a.file_name for a in found.attachments] == ["claim.txt"]
    assert found.warnings == ("its RTF body could not be read (Unknown type of RTF compression!)",)


def test_an_old_outlook_files_strings_in_the_code_page_of_its_internet_body_are_read_in_it() -> (
    None
):
    old = claim(subject="Заявление", body="Мы сделали это.", ansi="cp1251", html_code_page=1251)

    found = extract(msg_bytes(old), "statement.msg")

    assert (found.title, found.pages, found.decoded) == ("Заявление", ("Мы сделали это.",), None)
