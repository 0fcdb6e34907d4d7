"""E-mail: the headers an investigator cites, the body as a mail client shows it, as text,
and the attachments, which the importer stores as documents of their own.

An RFC 822 message (.eml) is read here; an Outlook message (.msg) is read in
``outlook.py`` into the same pieces (headers, the bodies it offers, attachments), and
both are made into what a source holds by ``mail_extracted``: one reading of a mail,
whatever file it came in.
"""

from __future__ import annotations

import email
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from email import policy
from email.headerregistry import AddressHeader, DateHeader
from email.message import EmailMessage, MIMEPart
from typing import TypeVar

from casefile.domain.formats import Format
from casefile.importing.extract.decode import Decoded, decode, normalise_newlines
from casefile.importing.extract.metadata import partial_date
from casefile.importing.extract.model import Attachment, Extracted
from casefile.importing.extract.web import html_text

# In-Reply-To and References tie a message to the one it answers: a mailbox's messages,
# each a source, can be followed as a thread by them.
_SHOWN = ("From", "To", "Cc", "Date", "Subject", "Message-ID", "In-Reply-To", "References")
# What an attached message is called when it has no name of its own.
FORWARDED = "forwarded message"
_UNSAFE_IN_NAMES = re.compile(r"[\x00-\x1f\x7f]")
# A body's text, what of it could not be read ("" if nothing), and how it was decoded
# from bytes (None for text a format stores as text: an Outlook message's UTF-16).
PartText = tuple[str, str, Decoded | None]
T = TypeVar("T")


def read_email(data: bytes) -> Extracted:
    message = email.message_from_bytes(data, policy=policy.default)
    headers = parsed_headers(message.raw_items(), _codec(message, data))
    return mail_extracted(Format.EMAIL, headers, *mime_contents(message))


def mime_contents(message: MIMEPart) -> tuple[list[PartText], list[Attachment]]:
    """The text of the parts a mail client shows of a MIME message, in order, and the
    files it carries: an .eml's, or the signed content an Outlook message keeps whole."""
    texts: dict[int, PartText] = {}

    def text_of(part: MIMEPart) -> PartText:  # each part read once, however nested
        if id(part) not in texts:
            texts[id(part)] = _part_text(part)
        return texts[id(part)]

    shown = _shown(message, text_of)
    attachments = list(_attachments(message, {id(part) for part in shown}))
    return [text_of(part) for part in shown], attachments


def mail_extracted(
    kind: Format,
    headers: Mapping[str, object],
    read: Sequence[PartText],
    attachments: Iterable[Attachment],
    warnings: Iterable[str] = (),
    *,
    strings: Decoded | None = None,
) -> Extracted:
    """A mail as a source holds it, from its ``headers`` (as ``parsed_headers`` gives
    them), the text of the body parts a mail client shows, in order, and its attachments:
    the subject its title, the sender its author, the day it was sent as the headers
    state it, and the headers an investigator cites in its notes. ``strings``: how all
    its text was decoded, where the file decides that for all of it (an old Outlook
    file's 8-bit strings) rather than each part for itself."""
    sender = headers.get("from")
    sent = headers.get("date")
    text = "\n\n".join(part_text for part_text, _, _ in read if part_text.strip())
    cut = next((part_cut for _, part_cut, _ in read if part_cut), "")
    decodings = [d for d in (strings, *(d for _, _, d in read)) if d is not None]
    return Extracted(
        format=kind,
        title=" ".join(str(headers.get("subject", "")).split()),
        authors=tuple(
            address.display_name or address.addr_spec
            for address in (sender.addresses if isinstance(sender, AddressHeader) else ())
        ),
        published=partial_date(sent.datetime if isinstance(sent, DateHeader) else None),
        language=str(headers.get("content-language", "")).strip(),
        pages=(text,),
        metadata={name: str(headers[name.lower()]) for name in _SHOWN if name.lower() in headers},
        attachments=tuple(attachments),
        warnings=((f"its HTML body {cut}",) if cut else ()) + tuple(warnings),
        decoded=next((d for d in decodings if d.guessed), decodings[0] if decodings else None),
    )


def parsed_headers(items: Iterable[tuple[str, str]], codec: str = "ascii") -> dict[str, object]:
    """The first of each header by lower-case name, parsed where Python can parse it.

    Python's header parser raises on some malformed addresses instead of noting a defect;
    such a header is kept as written rather than costing the whole message. A header sent
    in raw 8-bit bytes (which the parser keeps as surrogates) is read in ``codec``.
    """
    found: dict[str, object] = {}
    for name, value in items:
        if name.lower() not in found:
            readable = _readable(value, codec)
            try:
                found[name.lower()] = policy.default.header_fetch_parse(name, readable)
            except (AttributeError, IndexError, ValueError):
                found[name.lower()] = readable
    return found


def _codec(message: EmailMessage, data: bytes) -> str:
    """What raw 8-bit headers are written in: the encoding the message's bytes are in.

    A Russian subject in windows-1251, unencoded, as old clients send it, is read in the
    charset the message declares, else as detected over the whole message, headers and
    body together (a subject alone is too short to tell code pages apart); Python's parser
    would make each byte U+FFFD.
    """
    if all(value.isascii() for _, value in message.raw_items()):
        return "ascii"
    declared = next((c for c in message.get_charsets() if c), None)
    return decode(data, declared).encoding


def _readable(value: str, codec: str) -> str:
    """A raw header's text, its 8-bit bytes (which the parser keeps as surrogates) read in
    ``codec``."""
    if not any("\udc80" <= c <= "\udcff" for c in value):
        return value
    return value.encode("ascii", "surrogateescape").decode(codec, errors="replace")


def preferred(options: Iterable[T], texts: Callable[[T], Iterable[PartText]]) -> T | None:
    """Of a message's bodies, in the order a reader prefers them (plain text, then HTML),
    the first with text in it: what a mail client shows. An empty plain body gives way to
    the next. ``options`` may be lazy: those after the one chosen are never read."""
    return next((o for o in options if any(text.strip() for text, _, _ in texts(o))), None)


def _shown(part: MIMEPart, text_of: Callable[[MIMEPart], PartText]) -> list[MIMEPart]:
    """The text parts a mail client shows as the message, in order: of alternatives, the
    preferred one with text, and every other text part not marked as an attachment (a
    note after an attachment, a list's footer, a named text shown inline), not only the
    first. A forwarded message is an attachment of its own, not part of this one's text."""
    if part.get_content_maintype() == "message":
        return []
    if part.get_content_type() == "multipart/alternative":
        ranked = sorted(part.iter_parts(), key=lambda p: _PREFERRED.get(p.get_content_type(), 2))
        shown = (_shown(option, text_of) for option in ranked)
        return preferred(shown, lambda parts: map(text_of, parts)) or []
    if part.is_multipart():
        return [p for sub in part.iter_parts() for p in _shown(sub, text_of)]
    if part.get_content_type() in _PREFERRED and _in_body(part):
        return [part]
    return []


def _in_body(part: MIMEPart) -> bool:
    """Whether a text part is shown as the message: unless it is marked as an attachment,
    it is, a file name or not (the name is what to save it as, RFC 2183): mail clients
    show it in the body, and so does Python's ``get_body``."""
    return part.get_content_disposition() != "attachment"


_PREFERRED = {"text/plain": 0, "text/html": 1}  # of alternatives: plain text first


def _part_text(part: MIMEPart) -> PartText:
    """A MIME text part's text, what of it could not be read, and how it was decoded."""
    return body_text(_payload(part), part.get_content_charset(), part.get_content_subtype())


def body_text(payload: bytes, charset: str | None, subtype: str = "plain") -> PartText:
    """A body's bytes as text, in the ``charset`` it declares unless its bytes say
    otherwise (``decode``); an HTML body (``subtype`` "html") as the text it shows."""
    decoded = decode(payload, charset)
    if subtype == "html":
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
        forwarded = part.get_filename() or f"{FORWARDED}.eml"
        yield Attachment(safe_name(forwarded), part.get_content().as_bytes())
    elif part.is_multipart():
        for sub in part.iter_parts():
            yield from _attachments(sub, shown)
    elif (name := part.get_filename()) and not picture_in_text(
        part.get_content_disposition() == "inline", part.get_content_type()
    ):
        yield Attachment(safe_name(name), _payload(part))


def picture_in_text(inline: bool, media_type: str) -> bool:
    """A picture the body shows where it stands (a logo, a signature): part of the text as
    a reader sees it, not one of the files the message carries."""
    return inline and media_type.lower().startswith("image/")


def _payload(part: MIMEPart) -> bytes:
    """The part's bytes with the transfer encoding (base64, quoted-printable) undone."""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def safe_name(name: str) -> str:
    """The name alone: a sender chooses it, and "../../x" must not become a path."""
    base = _UNSAFE_IN_NAMES.sub("", name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base if base not in ("", ".", "..") else "attachment"
