"""Outlook items that are not e-mail, read as their fields from the named properties
Outlook defines for each kind (the file's own map says which property each is)."""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from pathlib import Path

from casefile.importing.extract.dispatch import extract
from casefile.importing.extract.mapi import (
    PSETID_ADDRESS,
    PSETID_APPOINTMENT,
    PSETID_LOG,
    PSETID_TASK,
)
from tests.importing.outlook_files import TO, Attached, Item, msg_bytes
from tests.importing.reader import read_file

START = datetime(2017, 3, 22, 13, 0, tzinfo=UTC)
WEEKLY = struct.pack("<HHHH", 0x3004, 0x3004, 0x200B, 1) + bytes(40)  # MS-OXOCAL 2.2.1.44.1


def meeting() -> Item:
    return Item(
        subject="Weekly briefing",
        body="Bring the file.",
        message_class="IPM.Appointment",
        recipients=[("Desk", "desk@example.org", TO)],
        extra_strings={0x0042: "Rita Katz"},
        extra_times={0x0060: START, 0x0061: START.replace(hour=14)},
        named={
            (PSETID_APPOINTMENT, 0x8208): "The embassy",
            (PSETID_APPOINTMENT, 0x8205): 2,
            (PSETID_APPOINTMENT, 0x8216): WEEKLY,
            (PSETID_APPOINTMENT, 0x8232): "every Wednesday from 13:00 to 14:00",
            (PSETID_APPOINTMENT, 0x8218): 1,
        },
    )


def test_an_appointment_reads_its_named_fields() -> None:
    found = extract(msg_bytes(meeting()), "briefing.msg")

    assert found.pages == (
        "Subject: Weekly briefing\n"
        "Location: The embassy\n"
        "Start: 2017-03-22 13:00 +0000\n"
        "End: 2017-03-22 14:00 +0000\n"
        "Show Time As: Busy\n"
        "Recurrence: Weekly\n"
        "Recurrence Pattern: every Wednesday from 13:00 to 14:00\n"
        "Meeting Status: Meeting organizer\n"
        "Organizer: Rita Katz\n"
        "Required Attendees: Desk <desk@example.org>\n\n"
        "Bring the file.",
    )
    assert found.metadata["Outlook item"] == "IPM.Appointment"


def test_an_attached_appointment_keeps_the_named_map_of_the_file_it_came_in(
    tmp_path: Path,
) -> None:
    """An attached item has no map of its own: handed on as a .msg, it takes its file's."""
    invitation = Item(subject="Fwd: briefing", body="See the invitation.")
    invitation.attachments = [Attached("Weekly briefing", message=meeting())]
    path = tmp_path / "invitation.msg"
    path.write_bytes(msg_bytes(invitation))

    [attached] = read_file(path).attachments

    assert attached.attachment.file_name == "Weekly briefing.msg"
    assert attached.extracted is not None
    assert attached.extracted.metadata["Location"] == "The embassy"


def test_a_contact_reads_its_e_mail_address_and_birthday() -> None:
    contact = Item(
        subject="Jane Doe",
        message_class="IPM.Contact",
        extra_strings={0x3001: "Jane Doe"},
        named={
            (PSETID_ADDRESS, 0x8083): "jane@example.org",
            (PSETID_ADDRESS, 0x8080): "Jane Doe (jane@example.org)",
            # Kept as the day's midnight with no time zone: the day, whatever the zone.
            (PSETID_ADDRESS, 0x80DE): datetime(1980, 5, 4, tzinfo=UTC),
        },
    )

    found = extract(msg_bytes(contact), "jane.msg")

    assert found.pages == (
        "Full Name: Jane Doe\nEmail: jane@example.org\n"
        "Email Display As: Jane Doe (jane@example.org)\nBirthday: 1980-05-04",
    )


def test_a_task_reads_its_status_and_work() -> None:
    task = Item(
        subject="Call the witness",
        message_class="IPM.Task",
        named={
            (PSETID_TASK, 0x8101): 1,
            (PSETID_TASK, 0x8102): 0.25,
            (PSETID_TASK, 0x8110): 90,
            (PSETID_TASK, 0x811F): "Rita Katz",
        },
    )

    found = extract(msg_bytes(task), "task.msg")

    assert found.pages == (
        "Subject: Call the witness\nStatus: In Progress\nPercent Complete: 25%\n"
        "Total Work: 90 minutes\nOwner: Rita Katz",
    )


def test_a_journal_entry_reads_its_type_and_times() -> None:
    entry = Item(
        subject="Call with the desk",
        message_class="IPM.Activity",
        named={
            (PSETID_LOG, 0x8712): "Phone call",
            (PSETID_LOG, 0x8706): START,
            (PSETID_LOG, 0x8707): 1,
        },
    )

    found = extract(msg_bytes(entry), "call.msg")

    assert found.pages == (
        "Subject: Call with the desk\nEntry Type: Phone call\n"
        "Start: 2017-03-22 13:00 +0000\nDuration: 1 minute",
    )
