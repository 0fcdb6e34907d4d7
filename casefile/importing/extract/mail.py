"""E-mail (.eml): the headers an investigator cites, the body as text, and the attachments,
which the importer stores as documents of their own."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from email import policy
from email.headerregistry import AddressHeader, DateHeader
from email.message import EmailMessage, MIMEPart

from casefile.domain.formats import Format
from casefile.importing.extract.decode import Decoded, decode, normalise_newlines
from casefile.importing.extract.metadata import partial_date
from casefile.importing.extract.model import Attachment, Extracted
from casefile.importing.extract.web import html_text

_SHOWN = ("From", "To", "Cc", "Date", "Subject", "Message-ID")
_UNSAFE_IN_NAMES = re.compile(r"[\x00-\x1f\x7f]")


def read_email(data: bytes) -> Extracted:
    message = email.message_from_bytes(data, policy=policy.default)
    headers = _headers(message)
    sender = headers.get("from")
    sent = headers.get("date")
    body = message.get_body(preferencelist=("plain", "html"))
    text, cut, decoded = _body_text(body)
    return Extracted(
        format=Format.EMAIL,
        title=" ".join(str(headers.get("subject", "")).split()),
        authors=tuple(
            address.display_name or address.addr_spec
            for address in (sender.addresses if isinstance(sender, AddressHeader) else ())
        ),
        published=partial_date(sent.datetime if isinstance(sent, DateHeader) else None),
        language=str(headers.get("content-language", "")).strip(),
        pages=(text,),
        metadata={name: str(headers[name.lower()]) for name in _SHOWN if name.lower() in headers},
        attachments=tuple(_attachments(message, body)),
        warnings=(f"its HTML body {cut}",) if cut else (),
        decoded=decoded,
    )


def _headers(message: EmailMessage) -> dict[str, object]:
    """The first of each header by lower-case name, parsed where Python can parse it.

    Python's header parser raises on some malformed addresses instead of noting a defect;
    such a header is kept as written rather than costing the whole message.
    """
    found: dict[str, object] = {}
    for name, value in message.raw_items():
        if name.lower() not in found:
            try:
                found[name.lower()] = message.policy.header_fetch_parse(name, value)
            except (AttributeError, IndexError, ValueError):
                found[name.lower()] = value
    return found


def _body_text(body: MIMEPart | None) -> tuple[str, str, Decoded | None]:
    """The body's text, what of it could not be read ("" if nothing), and how it was
    decoded."""
    if body is None:
        return "", "", None
    decoded = decode(_payload(body), body.get_content_charset())
    if body.get_content_subtype() == "html":
        return (*html_text(decoded.text), decoded)
    return normalise_newlines(decoded.text), "", decoded


def _attachments(part: MIMEPart, body: MIMEPart | None) -> Iterator[Attachment]:
    """Parts with a file name that are not shown in the body; a forwarded message is one
    attachment, not its parts."""
    for sub in part.iter_parts():
        if sub is body:
            continue
        if sub.get_content_type() == "message/rfc822":
            forwarded = sub.get_filename() or "forwarded message.eml"
            yield Attachment(_safe_name(forwarded), sub.get_content().as_bytes())
        elif sub.is_multipart():
            yield from _attachments(sub, body)
        elif (name := sub.get_filename()) and sub.get_content_disposition() != "inline":
            yield Attachment(_safe_name(name), _payload(sub))


def _payload(part: MIMEPart) -> bytes:
    """The part's bytes with the transfer encoding (base64, quoted-printable) undone."""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _safe_name(name: str) -> str:
    """The name alone: a sender chooses it, and "../../x" must not become a path."""
    base = _UNSAFE_IN_NAMES.sub("", name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base if base not in ("", ".", "..") else "attachment"
