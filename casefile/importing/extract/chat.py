"""Chat exports: Telegram Desktop's (JSON and HTML), read as the conversation they record.

Each message is a line that keeps who wrote it and when, as the export states it
("2017-03-22 14:41 Amaq Agency: …"), with what it forwarded, answered or carried (a
photo, a file: named, not fetched). Read as a web page or as JSON text, an export loses
exactly that: trafilatura keeps the words and drops the names and times as page furniture.
The chat's name is the title; its participants, first and last message are in the notes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from lxml.html import HtmlElement

from casefile.domain.formats import Format
from casefile.importing.extract.decode import decode
from casefile.importing.extract.model import Damaged, Extracted
from casefile.importing.extract.text import read_text

_MEDIA = ("photo", "file", "thumbnail", "media_type", "sticker_emoji", "location_information")
# Telegram's HTML export: a message is a div of these classes, its parts named so.
_MESSAGE = re.compile(r"\bmessage\b")
_SERVICE = re.compile(r"\bservice\b")


# A WhatsApp export's message line: "22/03/2017, 14:41 - Name: text" (Android) or
# "[22/03/2017, 14:41:05] Name: text" (iPhone); the date as the phone wrote it.
_WHATSAPP = re.compile(
    r"^\u200e?\[?(\d{1,2}[./-]\d{1,2}[./-]\d{2,4}),? "
    r"(\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp]\.?[Mm]\.?)?)\]?(?: -)? ([^:\n]{1,80}): ",
    re.MULTILINE,
)


_DATED_LINE = re.compile(r"\u200e?\[?\d{1,2}[./-]\d{1,2}[./-]\d{2,4},? \d{1,2}:\d{2}")


def is_whatsapp(text: str) -> bool:
    """It opens with a line that begins as WhatsApp's do (a date and a time; the first is
    often the app's own notice), and message lines follow."""
    sample = text[:65536].lstrip("\ufeff")
    return bool(_DATED_LINE.match(sample)) and len(_WHATSAPP.findall(sample)) >= 2


def read_whatsapp(data: bytes, chosen: str | None = None) -> Extracted:
    """A WhatsApp chat export (.txt): its text as exported (every line keeps its date, time
    and author); its participants and first and last message in the notes. Its dates are
    kept as the phone wrote them: 03/04/2017 may be either day first or month first."""
    decoded = decode(data, chosen=chosen)
    text = decoded.text.replace("\r\n", "\n")
    said = [(f"{when} {time}", who.strip()) for when, time, who in _WHATSAPP.findall(text)]
    notes = _notes(said)
    if said:  # as written, not sorted: a date written day first does not sort
        notes["First message"], notes["Last message"] = said[0][0], said[-1][0]
    people = notes.get("Participants", "")
    title = f"WhatsApp chat: {people}" if people else ""  # not its first line: a notice
    return Extracted(
        format=Format.WHATSAPP, title=title, pages=(text,), metadata=notes, decoded=decoded
    )


def is_telegram_json(data: bytes) -> bool:
    head = data[:4096].lstrip()
    return head.startswith(b"{") and b'"messages"' in data[:65536] and b'"date"' in data[:65536]


def is_telegram_html(head: str) -> bool:
    return 'class="page_wrap"' in head and "message default" in head


def read_telegram_json(data: bytes) -> Extracted:
    try:
        export = json.loads(decode(data).text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise Damaged(f"damaged {Format.TELEGRAM.label}: {exc}") from None
    chats = _chats(export)
    if not chats:  # JSON that only looked like an export: it is read as the text it is
        return read_text(data, Format.TEXT)
    pages = []
    said: list[tuple[str, str]] = []  # (when, who) of every message
    for chat in chats:
        lines = []
        for message in chat.get("messages") or ():
            if not isinstance(message, dict):
                continue
            line = _json_line(message)
            if line:
                lines.append(line)
                said.append((_when(str(message.get("date", ""))), str(message.get("from") or "")))
        heading = str(chat.get("name") or "")
        pages.append("\n".join([heading, "", *lines] if heading else lines))
    title = str(chats[0].get("name") or "") if len(chats) == 1 else "Telegram export"
    return Extracted(format=Format.TELEGRAM, title=title, pages=tuple(pages), metadata=_notes(said))


def read_telegram_html(tree: HtmlElement, kind: Format) -> Extracted:
    """Telegram's HTML export (messages.html), from the parsed page: a message's author is
    named on the first of a run of messages, and holds for the rest ("joined")."""
    lines = []
    said_by: list[tuple[str, str]] = []
    author = ""
    for div in tree.iter("div"):
        classes = div.get("class") or ""
        if not _MESSAGE.search(classes):
            continue
        if _SERVICE.search(classes):
            text = _text(div.find_class("body"))
            if text:
                lines.append(f"— {text} —")
            continue
        body = next((c for c in div if "body" in (c.get("class") or "").split()), div)
        author = _text(_children(body, "from_name")) or author
        dates = div.find_class("date")
        when = _when(str(dates[0].get("title") or "")) if dates else ""
        forwarded = _children(body, "forwarded")
        parts = [
            *(_forward(f) for f in forwarded),
            _text(_children(body, "text")),
            *(f"[{m}]" for m in (_text(_children(body, "media_wrap")),) if m),
        ]
        said = " ".join(p for p in parts if p)
        if said:
            lines.append(f"{when} {author}: {said}".strip())
            said_by.append((when, author))
    title = _text(tree.find_class("page_header")) or "Telegram chat"
    return Extracted(
        format=kind,
        title=title,
        pages=("\n".join([title, "", *lines]),),
        metadata=_notes(said_by),
    )


def _children(element: HtmlElement, name: str) -> list[HtmlElement]:
    """The element's own children of the class ``name`` (not those of a forwarded message
    or a reply inside it, which name another author)."""
    return [c for c in element if name in (c.get("class") or "").split()]


def _forward(block: HtmlElement) -> str:
    """A forwarded message within one: whose it was, and what it said."""
    names = _children(block, "from_name")
    who = " ".join((names[0].text or "").split()) if names else ""
    said = _text(_children(block, "text"))
    return f"(forwarded from {who}) {said}".strip() if who else said


def _chats(export: Any) -> list[dict[str, Any]]:
    """One chat's export, or every chat of a whole account's."""
    if not isinstance(export, dict):
        return []
    if isinstance(export.get("messages"), list):
        return [export]
    listed = (
        (export.get("chats") or {}).get("list") if isinstance(export.get("chats"), dict) else None
    )
    return [c for c in listed or () if isinstance(c, dict)]


def _json_line(message: dict[str, Any]) -> str:
    when = _when(str(message.get("date", "")))
    if message.get("type") == "service":
        action = str(message.get("action") or "").replace("_", " ")
        actor = str(message.get("actor") or "")
        return f"{when} — {actor} {action}".rstrip() if action else ""
    text = _flat_text(message.get("text"))
    notes = []
    if message.get("forwarded_from"):
        notes.append(f"(forwarded from {message['forwarded_from']})")
    if message.get("reply_to_message_id"):
        notes.append(f"(in reply to message {message['reply_to_message_id']})")
    media = [f"[{k.replace('_', ' ')}: {message[k]}]" for k in _MEDIA if message.get(k)]
    body = " ".join(p for p in (*notes, text, *media) if p)
    if not body:
        return ""
    return f"{when} {message.get('from') or ''}: {body}".strip()


def _flat_text(value: Any) -> str:
    """A message's text: a string, or a list of strings and entities ({"text": …})."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(
            part if isinstance(part, str) else str(part.get("text", ""))
            for part in value
            if isinstance(part, str | dict)
        )
    return ""


def _when(stated: str) -> str:
    """Telegram's 2017-03-22T14:41:05 (JSON) or 22.03.2017 14:41:05 UTC+01:00 (HTML), as
    2017-03-22 14:41:05 (its zone kept where it states one)."""
    iso = re.fullmatch(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)", stated.strip())
    if iso:
        return f"{iso[1]} {iso[2]}"
    dotted = re.fullmatch(r"(\d{2})\.(\d{2})\.(\d{4}) (\d{2}:\d{2}(?::\d{2})?)(.*)", stated.strip())
    if dotted:
        day, month, year, time, zone = dotted.groups()
        return f"{year}-{month}-{day} {time}{zone}".strip()
    return stated.strip()


def _text(elements: Iterable[HtmlElement]) -> str:
    return " ".join(" ".join(e.text_content().split()) for e in _first(elements)).strip()


def _first(elements: Iterable[HtmlElement]) -> Iterator[HtmlElement]:
    for element in elements:
        yield element
        return


def _notes(said: list[tuple[str, str]]) -> dict[str, str]:
    people = sorted({who for _, who in said if who})
    times = sorted(when for when, _ in said if when)
    notes = {"Messages": f"{len(said):,}"}
    if people:
        shown = ", ".join(people[:50]) + (
            f" and {len(people) - 50:,} more" if len(people) > 50 else ""
        )
        notes["Participants"] = shown
    if times:
        notes["First message"], notes["Last message"] = times[0], times[-1]
    return notes
