"""E-mail (.eml): the headers an investigator cites, the body as text, and the attachments,
which the importer stores as documents of their own."""

from __future__ import annotations

import email
import re
from collections.abc import Callable, Iterator
from email import policy
from email.headerregistry import AddressHeader, DateHeader
from email.message import EmailMessage, MIMEPart

from casefile.domain.formats import Format
from casefile.importing.extract.decode import Decoded, decode, normalise_newlines
from casefile.importing.extract.metadata import partial_date
from casefile.importing.extract.model import Attachment, Extracted
from casefile.importing.extract.web import html_text

# In-Reply-To and References tie a message to the one it answers: a mailbox's messages,
# each a source, can be followed as a thread by them.
_SHOWN = ("From", "To", "Cc", "Date", "Subject", "Message-ID", "In-Reply-To", "References")
_UNSAFE_IN_NAMES = re.compile(r"[\x00-\x1f\x7f]")


def read_email(data: bytes) -> Extracted:
    message = email.message_from_bytes(data, policy=policy.default)
    headers = _headers(message, data)
    sender = headers.get("from")
    sent = headers.get("date")
    texts: dict[int, PartText] = {}

    def text_of(part: MIMEPart) -> PartText:  # each part read once, however nested
        if id(part) not in texts:
            texts[id(part)] = _part_text(part)
        return texts[id(part)]

    shown = _shown(message, text_of)
    read = [text_of(part) for part in shown]
    text = "\n\n".join(part_text for part_text, _, _ in read if part_text.strip())
    cut = next((part_cut for _, part_cut, _ in read if part_cut), "")
    decoded = next((d for _, _, d in read if d.guessed), read[0][2] if read else None)
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
        attachments=tuple(_attachments(message, {id(part) for part in shown})),
        warnings=(f"its HTML body {cut}",) if cut else (),
        decoded=decoded,
    )


def _headers(message: EmailMessage, data: bytes) -> dict[str, object]:
    """The first of each header by lower-case name, parsed where Python can parse it.

    Python's header parser raises on some malformed addresses instead of noting a defect;
    such a header is kept as written rather than costing the whole message. A header sent
    in raw 8-bit bytes (a Russian subject in windows-1251, unencoded, as old clients send
    it) is decoded in the encoding the message's bytes are in (the charset it declares,
    else detected over the whole message, headers and body together: a subject alone is
    too short to tell code pages apart); Python's parser would make each byte U+FFFD.
    """
    raw = list(message.raw_items())
    codec = "ascii"
    if not all(value.isascii() for _, value in raw):
        declared = next((c for c in message.get_charsets() if c), None)
        codec = decode(data, declared).encoding
    found: dict[str, object] = {}
    for name, value in raw:
        if name.lower() not in found:
            readable = _readable(value, codec)
            try:
                found[name.lower()] = message.policy.header_fetch_parse(name, readable)
            except (AttributeError, IndexError, ValueError):
                found[name.lower()] = readable
    return found


def _readable(value: str, codec: str) -> str:
    """A raw header's text, its 8-bit bytes (which the parser keeps as surrogates) read in
    ``codec``."""
    if not any("\udc80" <= c <= "\udcff" for c in value):
        return value
    return value.encode("ascii", "surrogateescape").decode(codec, errors="replace")


PartText = tuple[str, str, Decoded]  # its text, what could not be read, how decoded


def _shown(part: MIMEPart, text_of: Callable[[MIMEPart], PartText]) -> list[MIMEPart]:
    """The text parts a mail client shows as the message, in order: of alternatives, the
    plain text unless it is empty (then the HTML), and every other inline text part (a
    note after an attachment, a list's footer), not only the first. A forwarded message
    is an attachment of its own, not part of this one's text."""
    if part.get_content_maintype() == "message":
        return []
    if part.get_content_type() == "multipart/alternative":
        options = list(part.iter_parts())
        ranked = sorted(options, key=lambda p: _PREFERRED.get(p.get_content_type(), 2))
        for option in ranked:
            shown = _shown(option, text_of)
            if any(text_of(p)[0].strip() for p in shown):
                return shown
        return []
    if part.is_multipart():
        return [p for sub in part.iter_parts() for p in _shown(sub, text_of)]
    if (
        part.get_content_type() in _PREFERRED
        and not part.get_filename()
        and part.get_content_disposition() != "attachment"
    ):
        return [part]
    return []


_PREFERRED = {"text/plain": 0, "text/html": 1}  # of alternatives: plain text first


def _part_text(part: MIMEPart) -> PartText:
    """A text part's text, what of it could not be read ("" if nothing), and how it was
    decoded."""
    decoded = decode(_payload(part), part.get_content_charset())
    if part.get_content_subtype() == "html":
        return (*html_text(decoded.text), decoded)
    return normalise_newlines(decoded.text), "", decoded


def _attachments(part: MIMEPart, shown: set[int]) -> Iterator[Attachment]:
    """The files the message carries, by their names, those marked inline too (Apple
    Mail's) but for pictures shown in the text; a forwarded message as one .eml (the
    reader opens it in turn, attachments and all). A message that is nothing but an
    attachment gives it."""
    if id(part) in shown:
        return
    if part.get_content_type() == "message/rfc822":
        forwarded = part.get_filename() or "forwarded message.eml"
        yield Attachment(_safe_name(forwarded), part.get_content().as_bytes())
    elif part.is_multipart():
        for sub in part.iter_parts():
            yield from _attachments(sub, shown)
    elif (name := part.get_filename()) and not (
        part.get_content_disposition() == "inline" and part.get_content_maintype() == "image"
    ):
        yield Attachment(_safe_name(name), _payload(part))


def _payload(part: MIMEPart) -> bytes:
    """The part's bytes with the transfer encoding (base64, quoted-printable) undone."""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _safe_name(name: str) -> str:
    """The name alone: a sender chooses it, and "../../x" must not become a path."""
    base = _UNSAFE_IN_NAMES.sub("", name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base if base not in ("", ".", "..") else "attachment"
