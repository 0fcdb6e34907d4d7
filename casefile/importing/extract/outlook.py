"""Outlook messages (.msg), read from their MAPI properties as Outlook shows them.

An e-mail saved from Outlook becomes a source as the same message saved as .eml does:
its headers, the body a mail client shows and its attachments are read here (with
``mapi``) and made into a source's fields by ``mail.mail_extracted``. An attached message
is handed on as a .msg of its own, which the reader opens in turn. Appointments, contacts,
tasks and the other items Outlook saves the same way are read as their fields (as
Outlook prints them, ``outlook_items``) above their text.

Outlook keeps a time as an instant (UTC), which says nothing of the sender's zone: the
day a message was sent is taken in UTC (its Date in the notes says +0000) unless the
Internet headers it was received with say more.
"""

from __future__ import annotations

import email
from collections.abc import Callable, Iterator
from dataclasses import replace
from email import policy
from email.utils import format_datetime

from casefile.domain.formats import Format
from casefile.importing.extract.decode import normalise_newlines
from casefile.importing.extract.mail import (
    FORWARDED,
    PartText,
    body_text,
    mail_extracted,
    mime_contents,
    parsed_headers,
    picture_in_text,
    preferred,
    safe_name,
)
from casefile.importing.extract.mapi import (
    ATTACHMENTS,
    CC,
    TO,
    MapiObject,
    code_page,
    opened,
    recipients,
    sender,
    sent,
)
from casefile.importing.extract.model import Attachment, Extracted
from casefile.importing.extract.outlook_items import Fields, fields_of, printed
from casefile.importing.extract.rtf import rtf_text
from casefile.importing.extract.web import html_text

# Outlook's header block of a received message starts with this line, not a header.
_HEADERS_PREFIX = "Microsoft Mail Internet Headers Version 2.0"
# The class of a clear-signed message ends so: its content is its one attachment, the
# MIME message as it was sent and signed.
_SIGNED = "smime.multipartsigned"
_DATA = 0x3701  # PR_ATTACH_DATA_BIN


def read_msg(data: bytes) -> Extracted:
    """The item in the Outlook file ``data``: an e-mail as ``read_email`` reads one; any
    other item as its fields and text; a kind not read is Unsupported."""
    message, strings = opened(data)
    kind = message.string(0x001A) or ""  # PR_MESSAGE_CLASS
    fields = fields_of(kind)
    signed = _signed(message, kind)
    warnings: list[str] = []
    attachments = signed[1] if signed else _attachments(message, warnings)
    body = _body(message, signed[0] if signed else [], warnings)
    found = mail_extracted(
        Format.MSG, _headers(message), body, attachments, warnings, strings=strings
    )
    return found if fields is None else _with_fields(message, kind, fields, found)


def _signed(message: MapiObject, kind: str) -> tuple[list[PartText], list[Attachment]] | None:
    """A clear-signed message's body parts and attachments, read from the MIME message
    its one attachment keeps (Outlook may keep no body of its own beside it)."""
    if not kind.lower().endswith(_SIGNED):
        return None
    content = next((a.binary(_DATA) for a in message.children(ATTACHMENTS)), None)
    if content is None:
        return None
    return mime_contents(email.message_from_bytes(content, policy=policy.default))


def _headers(message: MapiObject) -> dict[str, object]:
    """The headers the message was received with (Outlook keeps them), and what they lack
    from its properties: a message never received (a sent one, a draft) has only those."""
    kept = message.string(0x007D) or ""  # PR_TRANSPORT_MESSAGE_HEADERS
    if kept.startswith(_HEADERS_PREFIX):
        kept = kept[len(_HEADERS_PREFIX) :].lstrip()
    received = email.message_from_string(kept, policy=policy.default)
    return parsed_headers([*received.raw_items(), *_properties(message)])


def _properties(message: MapiObject) -> Iterator[tuple[str, str]]:
    """The message's own properties as the headers they stand for."""
    fields = {
        "From": sender(message),
        "To": recipients(message, TO),
        "Cc": recipients(message, CC),
        "Date": format_datetime(when) if (when := sent(message)) else "",
        "Subject": message.string(0x0037),
        "Message-ID": message.string(0x1035),
        "In-Reply-To": message.string(0x1042),
        "References": message.string(0x1039),
    }
    return ((name, value) for name, value in fields.items() if value)


def _body(message: MapiObject, signed: list[PartText], warnings: list[str]) -> list[PartText]:
    """The body Outlook shows, by ``mail.preferred``: the plain text, else the HTML, else
    the RTF, else a signed message's MIME body."""
    readers: tuple[Callable[[], list[PartText]], ...] = (
        lambda: _plain(message),
        lambda: _html(message),
        lambda: _rtf(message, warnings),
        lambda: signed,
    )
    return preferred((read() for read in readers), lambda parts: parts) or []


def _plain(message: MapiObject) -> list[PartText]:
    """The plain body, a string as the message's others are."""
    text = message.string(0x1000)  # PR_BODY
    return [] if text is None else [(normalise_newlines(text), "", None)]


def _html(message: MapiObject) -> list[PartText]:
    """The HTML body: bytes in the charset the message names for it (else as ``decode``
    finds), or a string as the message's others are."""
    html = message.binary(0x1013)  # PR_HTML
    if html is not None:
        return [body_text(html, code_page(message.integer(0x3FDE)), "html")]  # PR_INTERNET_CPID
    text = message.string(0x1013)
    return [] if text is None else [(*html_text(text), None)]


def _rtf(message: MapiObject, warnings: list[str]) -> list[PartText]:
    """The RTF body, compressed as Outlook keeps it (MS-OXRTFCP), as its text. The HTML
    Outlook encapsulates in it is read as the RTF shows it: the same words, its markup
    in RTF's own terms. One that cannot be decompressed is a warning, not the whole
    message lost."""
    from compressed_rtf import decompress

    compressed = message.binary(0x1009)  # PR_RTF_COMPRESSED
    if compressed is None:
        return []
    try:
        rtf: bytes = decompress(compressed)
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # compressed-rtf raises bare Exceptions for bad data
        warnings.append(f"its RTF body could not be read ({exc})")
        return []
    return [(rtf_text(rtf), "", None)]


def _attachments(message: MapiObject, warnings: list[str]) -> list[Attachment]:
    """The files the message carries, as ``read_email`` gives an e-mail's: a picture shown
    in the body is not one; an attached message is one .msg. One that cannot be had (a
    link to a file kept elsewhere, a damaged one) is a warning that names it."""
    found: list[Attachment] = []
    for attached in message.children(ATTACHMENTS):
        name = safe_name(attached.string(0x3707) or attached.string(0x3704) or "")
        try:
            found.extend(_attachment(attached, name, warnings))
        except (MemoryError, RecursionError):
            raise
        except Exception as exc:  # one damaged attachment costs itself alone
            warnings.append(f"attachment {name} could not be read ({type(exc).__name__})")
    return found


def _attachment(attached: MapiObject, name: str, warnings: list[str]) -> Iterator[Attachment]:
    """An attachment's file: its bytes, or the message it holds as a .msg; none for a
    picture shown in the body or a file that is not in the message (a warning says)."""
    inner = attached.attached_message()
    data = attached.binary(_DATA)
    if inner is not None:
        shown = attached.string(0x3001)  # PR_DISPLAY_NAME
        yield Attachment(safe_name(f"{shown}.msg" if shown else name or f"{FORWARDED}.msg"), inner)
    elif data is not None:
        hidden = bool(attached.integer(0x7FFE))  # PR_ATTACHMENT_HIDDEN
        if not picture_in_text(hidden, attached.string(0x370E) or ""):  # PR_ATTACH_MIME_TAG
            yield Attachment(name, data)
    else:
        link = attached.string(0x370D) or attached.string(0x3708)  # PR_ATTACH_(LONG_)PATHNAME
        warnings.append(
            f"attachment {name} is only a link to {link}: the file is not in the message"
            if link
            else f"attachment {name} could not be read: damaged, or of a kind not read"
        )


def _with_fields(message: MapiObject, kind: str, fields: Fields, found: Extracted) -> Extracted:
    """An appointment, contact, task or note: its fields as Outlook prints them, above
    its text and in the notes, with what kind of item it is."""
    shown = dict(printed(message, fields))
    lines = "\n".join(f"{label}: {value}" for label, value in shown.items())
    return replace(
        found,
        pages=("\n\n".join(part for part in (lines, found.pages[0]) if part),),
        metadata={"Outlook item": kind, **found.metadata, **shown},
    )
