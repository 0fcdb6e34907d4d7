"""Chat exports read as the conversation: who wrote each message, and when."""

from __future__ import annotations

import json

from casefile.domain.formats import Format
from casefile.importing.extract.detect import detect
from casefile.importing.extract.dispatch import extract

# As Telegram Desktop exports one chat (result.json), in its own shapes: text as a string
# or as a list of plain strings and entities, forwards, replies, a photo, a service line.
EXPORT = {
    "name": "Amaq Agency channel",
    "type": "public_channel",
    "id": 1001,
    "messages": [
        {
            "id": 1,
            "type": "service",
            "date": "2017-03-22T18:00:00",
            "actor": "Amaq Agency",
            "action": "create_channel",
        },
        {
            "id": 2,
            "type": "message",
            "date": "2017-03-23T10:15:05",
            "from": "Amaq Agency",
            "text": [
                "The attacker of the ",
                {"type": "bold", "text": "British parliament"},
                " was a soldier of the Islamic State.",
            ],
        },
        {
            "id": 3,
            "type": "message",
            "date": "2017-03-23T10:20:00",
            "from": "Supporter 7",
            "forwarded_from": "Nashir News",
            "reply_to_message_id": 2,
            "text": "Blood with blood",
            "photo": "photos/photo_1@23-03-2017_10-20-00.jpg",
        },
    ],
}


def test_a_telegram_json_export_keeps_each_messages_author_and_time() -> None:
    data = json.dumps(EXPORT, ensure_ascii=False).encode("utf-8")
    assert detect(data, "result.json") is Format.TELEGRAM

    found = extract(data, "result.json")

    assert found.title == "Amaq Agency channel"
    assert found.pages[0].splitlines() == [
        "Amaq Agency channel",
        "",
        "2017-03-22 18:00:00 — Amaq Agency create channel",
        "2017-03-23 10:15:05 Amaq Agency: The attacker of the British parliament was a "
        "soldier of the Islamic State.",
        "2017-03-23 10:20:00 Supporter 7: (forwarded from Nashir News) (in reply to message 2) "
        "Blood with blood [photo: photos/photo_1@23-03-2017_10-20-00.jpg]",
    ]
    assert found.metadata["Participants"] == "Amaq Agency, Supporter 7"
    assert found.metadata["First message"] == "2017-03-22 18:00:00"
    assert found.metadata["Last message"] == "2017-03-23 10:20:00"
    assert found.published is None  # a chat spans its days: none is its date


def test_any_other_json_is_text() -> None:
    assert detect(b'{"name": "x", "values": [1, 2]}', "data.json") is Format.TEXT


HTML_EXPORT = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Exported Data</title>
</head><body><div class="page_wrap"><div class="page_header"><div class="content">
<div class="text bold">Amaq Agency channel</div></div></div>
<div class="page_body chat_page"><div class="history">
<div class="message service" id="message-1"><div class="body details">22 March 2017</div></div>
<div class="message default clearfix" id="message2"><div class="body">
<div class="pull_right date details" title="23.03.2017 10:15:05 UTC+03:00">10:15</div>
<div class="from_name">Amaq Agency</div>
<div class="text">The attacker was a soldier of the Islamic State.</div></div></div>
<div class="message default clearfix joined" id="message3"><div class="body">
<div class="pull_right date details" title="23.03.2017 10:16:00 UTC+03:00">10:16</div>
<div class="text">Blood with blood.</div></div></div>
<div class="message default clearfix joined" id="message4"><div class="body">
<div class="pull_right date details" title="23.03.2017 10:17:00 UTC+03:00">10:17</div>
<div class="forwarded body"><div class="from_name">Nashir News<span class="details">
23.03.2017 09:00:00</span></div><div class="text">The claim, again.</div></div></div></div>
<div class="message default clearfix joined" id="message5"><div class="body">
<div class="pull_right date details" title="23.03.2017 10:18:00 UTC+03:00">10:18</div>
<div class="text">Read it.</div></div></div>
</div></div></div></body></html>"""


def test_a_telegram_html_export_keeps_authors_and_times_a_page_reader_drops() -> None:
    found = extract(HTML_EXPORT.encode("utf-8"), "messages.html")

    assert found.format is Format.HTML  # stored and shown as the page it is
    assert found.title == "Amaq Agency channel"
    assert found.pages[0].splitlines() == [
        "Amaq Agency channel",
        "",
        "— 22 March 2017 —",
        "2017-03-23 10:15:05 UTC+03:00 Amaq Agency: The attacker was a soldier of the "
        "Islamic State.",
        "2017-03-23 10:16:00 UTC+03:00 Amaq Agency: Blood with blood.",  # a joined message
        # A forward names its own author: not the author of this message, nor of the next.
        "2017-03-23 10:17:00 UTC+03:00 Amaq Agency: (forwarded from Nashir News) The claim, again.",
        "2017-03-23 10:18:00 UTC+03:00 Amaq Agency: Read it.",
    ]
    assert found.metadata["Participants"] == "Amaq Agency"


WHATSAPP = (
    "\u200e22/03/2017, 14:41 - Messages and calls are end-to-end encrypted.\n"
    "22/03/2017, 14:42 - Abu Yusuf: Did you see the news?\n"
    "22/03/2017, 14:43 - Karim: Yes. London.\n"
    "It was on the bridge\n"
    "22/03/2017, 14:45 - Abu Yusuf: <Media omitted>\n"
)


def test_a_whatsapp_export_is_read_whole_with_its_participants() -> None:
    data = WHATSAPP.encode("utf-8")
    assert detect(data, "WhatsApp Chat with Karim.txt") is Format.WHATSAPP

    found = extract(data, "WhatsApp Chat with Karim.txt")

    assert found.pages == (WHATSAPP,)  # as exported: every line keeps its date and author
    assert found.title == "WhatsApp chat: Abu Yusuf, Karim"  # not the app's notice
    assert found.metadata["First message"] == "22/03/2017 14:42"  # as the phone wrote it
    assert found.metadata["Last message"] == "22/03/2017 14:45"
    assert found.published is None
    iphone = "[22/03/2017, 14:42:05] Abu Yusuf: Did you see?\n[22/03/2017, 14:43:10] Karim: Yes.\n"
    assert detect(iphone.encode(), "_chat.txt") is Format.WHATSAPP
    assert detect(b"Meeting notes\n22/03/2017, 14:42 - agenda: one\n", "notes.txt") is Format.TEXT


def test_json_that_only_looks_like_an_export_is_text() -> None:
    data = b'{"data": {"messages": [{"date": "2020"}]}, "date": "x"}'
    found = extract(data, "data.json")

    assert found.format is Format.TEXT
    assert found.pages == (data.decode(),)
