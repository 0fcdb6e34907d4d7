"""What Outlook prints of an item that is not an e-mail: the labelled fields of an
appointment or meeting, a contact, a task or a journal entry (those with a value), as
its Memo style shows them.

Each field is read from its MAPI property, most from the named ones Outlook defines for
the kind (MS-OXOCAL, MS-OXOCNTC, MS-OXOTASK, MS-OXOJRNL). Times are printed as the
instants Outlook keeps, in UTC with the offset, so that they name the same instant
wherever a case is opened; a contact's birthday and anniversary, kept as a day (midnight,
with no time zone), as that day.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime

from casefile.domain.display import how_many
from casefile.importing.extract.mapi import (
    BCC,
    CC,
    PSETID_ADDRESS,
    PSETID_APPOINTMENT,
    PSETID_COMMON,
    PSETID_LOG,
    PSETID_TASK,
    TO,
    MapiObject,
    Prop,
    recipients,
    sender,
    sent,
)
from casefile.importing.extract.model import Unsupported

# How a field reads its value from an item: None when the item has none.
Read = Callable[[MapiObject], str | None]
Fields = tuple[tuple[str, Read], ...]
_TIME = "%Y-%m-%d %H:%M %z"


def printed(item: MapiObject, fields: Fields) -> Iterator[tuple[str, str]]:
    """The ``fields`` of ``item`` that have a value, labelled, each on one line."""
    for label, read in fields:
        value = read(item)
        if value:
            yield label, " ".join(value.split())


def _text(prop: Prop) -> Read:
    """A string, or the values of a multiple-valued one (children, phone numbers)."""
    return lambda item: ", ".join(item.strings(prop)) or None


def _either(*reads: Read) -> Read:
    """The first of ``reads`` that has a value."""
    return lambda item: next(filter(None, (read(item) for read in reads)), None)


def _time(prop: Prop) -> Read:
    return lambda item: _when(item.time(prop))


def _when(time: datetime | None) -> str | None:
    return time.strftime(_TIME) if time else None


def _day(prop: Prop) -> Read:
    """A day Outlook keeps as its midnight without a time zone: the day alone."""
    return lambda item: time.date().isoformat() if (time := item.time(prop)) else None


def _choice(prop: Prop, names: Mapping[int, str]) -> Read:
    """A number that stands for one of ``names``; a number not among them is left out."""
    return lambda item: names.get(number) if (number := item.integer(prop)) is not None else None


def _minutes(prop: Prop) -> Read:
    return lambda item: how_many(n, "minute") if (n := item.integer(prop)) is not None else None


def _percent(prop: Prop) -> Read:
    """A share kept as a fraction (0.5) as a percentage (50%)."""
    return lambda item: f"{share * 100:.0f}%" if (share := item.real(prop)) is not None else None


def _people(kind: int) -> Read:
    return lambda item: recipients(item, kind) or None


def _recurrence(item: MapiObject) -> str | None:
    """How often a series recurs, by the frequency of its recurrence pattern
    (MS-OXOCAL 2.2.1.44.1); "(none)", as Outlook prints it, for a single one."""
    pattern = item.binary((PSETID_APPOINTMENT, 0x8216))
    if pattern is None:
        return "(none)"
    if len(pattern) < 6:
        return None
    frequency = struct.unpack_from("<H", pattern, 4)[0]
    return {0x200A: "Daily", 0x200B: "Weekly", 0x200C: "Monthly", 0x200D: "Yearly"}.get(frequency)


def _appointment(lid: int) -> Prop:
    return PSETID_APPOINTMENT, lid


def _address(lid: int) -> Prop:
    return PSETID_ADDRESS, lid


def _task(lid: int) -> Prop:
    return PSETID_TASK, lid


def _log(lid: int) -> Prop:
    return PSETID_LOG, lid


_SUBJECT: Fields = (("Subject", _text(0x0037)),)
_IMPORTANCE: Fields = (("Importance", _choice(0x0017, {0: "Low", 2: "High"})),)
_CALENDAR: Fields = (
    *_SUBJECT,
    ("Location", _text(_appointment(0x8208))),
    ("Start", _time(0x0060)),
    ("End", _time(0x0061)),
    (
        "Show Time As",
        _choice(
            _appointment(0x8205),
            {0: "Free", 1: "Tentative", 2: "Busy", 3: "Out of Office", 4: "Working Elsewhere"},
        ),
    ),
    ("Recurrence", _recurrence),
    ("Recurrence Pattern", _text(_appointment(0x8232))),
    (
        "Meeting Status",
        _choice(
            _appointment(0x8218),
            {
                1: "Meeting organizer",
                2: "Tentatively accepted",
                3: "Accepted",
                4: "Declined",
                5: "Not yet responded",
            },
        ),
    ),
    ("Organizer", _text(0x0042)),
    ("Required Attendees", _people(TO)),
    ("Optional Attendees", _people(CC)),
    ("Resources", _people(BCC)),
    *_IMPORTANCE,
)
# A meeting response or an exception to a series: printed as a message is.
_SENT: Fields = (
    ("From", lambda item: sender(item) or None),
    ("Sent", lambda item: _when(sent(item))),
    ("To", _people(TO)),
    ("Cc", _people(CC)),
    ("Bcc", _people(BCC)),
    *_SUBJECT,
    *_IMPORTANCE,
)
_CONTACT: Fields = (
    ("Full Name", _text(0x3001)),
    ("Last Name", _text(0x3A11)),
    ("First Name", _text(0x3A06)),
    ("Job Title", _text(0x3A17)),
    ("Department", _text(0x3A18)),
    ("Company", _text(0x3A16)),
    ("Business Address", _text(_address(0x801B))),
    ("Home Address", _text(_address(0x801A))),
    ("Other Address", _text(_address(0x801C))),
    ("IM Address", _text(_address(0x8062))),
    ("Business", _text(0x3A08)),
    ("Business 2", _text(0x3A1B)),
    ("Assistant's Phone", _text(0x3A2E)),
    ("Company Main Phone", _text(0x3A57)),
    ("Home", _text(0x3A09)),
    ("Home 2", _text(0x3A2F)),
    ("Mobile", _text(0x3A1C)),
    ("Car", _text(0x3A1E)),
    ("Radio", _text(0x3A1D)),
    ("Pager", _text(0x3A21)),
    ("Callback", _text(0x3A02)),
    ("Other", _text(0x3A1F)),
    ("Primary Phone", _text(0x3A1A)),
    ("Telex", _text(0x3A2C)),
    ("TTY/TDD Phone", _text(0x3A4B)),
    ("ISDN", _text(0x3A2D)),
    ("Business Fax", _text(0x3A24)),
    ("Home Fax", _text(0x3A25)),
    *(
        field
        for label, lid in (("Email", 0x8080), ("Email 2", 0x8090), ("Email 3", 0x80A0))
        for field in (
            # The address, else the name it was first shown by; then the name shown now.
            (label, _either(_text(_address(lid + 3)), _text(_address(lid + 4)))),
            (f"{label} Display As", _text(_address(lid))),
        )
    ),
    ("Birthday", _day(_address(0x80DE))),
    ("Anniversary", _day(_address(0x80DF))),
    ("Spouse/Partner", _text(0x3A48)),
    ("Profession", _text(0x3A46)),
    ("Children", _text(0x3A58)),
    ("Hobbies", _text(0x3A43)),
    ("Assistant", _text(0x3A30)),
    ("Web Page", _text(_address(0x802B))),
)
_TASK: Fields = (
    *_SUBJECT,
    (
        "Status",
        _choice(
            _task(0x8101),
            {
                0: "Not Started",
                1: "In Progress",
                2: "Completed",
                3: "Waiting on someone else",
                4: "Deferred",
            },
        ),
    ),
    ("Percent Complete", _percent(_task(0x8102))),
    # Midnight where it was completed, kept in UTC: an instant, the zone unknown.
    ("Date Completed", _time(_task(0x810F))),
    ("Total Work", _minutes(_task(0x8110))),
    ("Actual Work", _minutes(_task(0x8111))),
    ("Owner", _text(_task(0x811F))),
    *_IMPORTANCE,
)
_JOURNAL: Fields = (
    *_SUBJECT,
    ("Entry Type", _text(_log(0x8712))),
    ("Company", _text((PSETID_COMMON, 0x8539))),
    ("Start", _time(_log(0x8706))),
    ("End", _time(_log(0x8708))),
    ("Duration", _minutes(_log(0x8707))),
)
# Message classes by how they start, in the order tried: an e-mail (None) is read as one;
# the rest as their fields (a sticky note and a task request have none of their own: a
# request's task is attached to it, and read in turn).
_KINDS: tuple[tuple[str, Fields | None], ...] = (
    *((mail, None) for mail in ("ipm.note", "report.", "ipm.post", "ipm.skypeteams.message")),
    ("ipm.appointment", _CALENDAR),
    ("ipm.schedule.meeting.request", _CALENDAR),
    ("ipm.schedule.meeting.canceled", _CALENDAR),
    ("ipm.schedule.meeting.notification.forward", _CALENDAR),
    ("ipm.schedule.meeting.resp", _SENT),
    ("ipm.ole.class.{00061055-0000-0000-c000-000000000046}", _SENT),
    ("ipm.contact", _CONTACT),
    ("ipm.distlist", _CONTACT),
    ("ipm.activity", _JOURNAL),
    ("ipm.taskrequest", ()),
    ("ipm.task", _TASK),
    ("ipm.stickynote", ()),
)


def fields_of(kind: str) -> Fields | None:
    """The fields Outlook prints of an item of the message class ``kind``; None for an
    e-mail. A kind not known here is refused in one line that names it."""
    for prefix, fields in _KINDS:
        if kind.lower().startswith(prefix):
            return fields
    name = kind or "no message class"
    raise Unsupported(f"unsupported format: an Outlook item of a kind not read ({name})")
