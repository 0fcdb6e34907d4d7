"""E-mail read as a mail client shows it: the body that has the text, every inline text
part, and every attachment, forwarded messages' own included."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from casefile.importing.extract.dispatch import extract
from casefile.importing.reading import NESTED_AT_MOST
from tests.importing.reader import read_file

STORY = "Police said the attacker acted alone when he drove into pedestrians. " * 5


def message(subject: str = "Westminster") -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Desk <desk@example.org>"
    mail["To"] = "analyst@example.org"
    mail["Subject"] = subject
    mail["Date"] = "Thu, 23 Mar 2017 09:00:00 +0000"
    mail["Message-ID"] = f"<{subject}@example.org>"
    return mail


def test_an_empty_plain_part_gives_way_to_the_html_body() -> None:
    mail = message()
    mail.set_content("")
    mail.add_alternative(f"<html><body><p>{STORY}</p></body></html>", subtype="html")
    [text] = extract(mail.as_bytes(), "mail.eml").pages
    assert "acted alone" in text


def test_every_inline_text_part_is_in_the_body() -> None:
    mail = message()
    mail.set_content("First part: the claim came at noon.")
    mail.add_attachment(
        b"%PDF-1.4 not really", maintype="application", subtype="pdf", filename="claim.pdf"
    )
    tail = EmailMessage()
    tail.set_content("Second part, after the attachment: the group is known.")
    mail.attach(tail)
    result = extract(mail.as_bytes(), "mail.eml")
    assert "the claim came at noon" in result.pages[0]
    assert "after the attachment: the group is known" in result.pages[0]
    assert [a.file_name for a in result.attachments] == ["claim.pdf"]


def _read(path: Path) -> list[tuple[str, str]]:
    found = read_file(path)
    return [
        (a.attachment.file_name, a.extracted.pages[0] if a.extracted else a.problem)
        for a in found.attachments
    ]


def test_a_forwarded_messages_attachments_are_read_too(tmp_path: Path) -> None:
    inner = message("Original")
    inner.set_content("See the attached statement.")
    inner.add_attachment(STORY.encode(), maintype="text", subtype="plain", filename="statement.txt")
    outer = message("Fwd: Original")
    outer.set_content("Forwarding this.")
    outer.add_attachment(inner)
    path = tmp_path / "forward.eml"
    path.write_bytes(outer.as_bytes())
    read = _read(path)
    assert [name for name, _ in read] == ["forwarded message.eml", "statement.txt"]
    assert "acted alone" in read[1][1]


def test_a_message_that_is_only_an_attachment_gives_it(tmp_path: Path) -> None:
    mail = message()
    mail.set_content(
        STORY.encode(),
        maintype="text",
        subtype="plain",
        disposition="attachment",
        filename="report.txt",
    )
    path = tmp_path / "only.eml"
    path.write_bytes(mail.as_bytes())
    [(name, text)] = _read(path)
    assert name == "report.txt"
    assert "acted alone" in text


def test_forwards_nested_deeper_than_the_limit_are_kept_unread_with_the_reason(
    tmp_path: Path,
) -> None:
    mail = message("Level 0")
    mail.set_content("The last of the chain.")
    for level in range(1, NESTED_AT_MOST + 2):
        outer = message(f"Fwd {level}")
        outer.set_content(f"Forward {level}.")
        outer.add_attachment(mail)
        mail = outer
    path = tmp_path / "chain.eml"
    path.write_bytes(mail.as_bytes())
    read = _read(path)
    assert len(read) == NESTED_AT_MOST + 1  # every message is kept, read or not
    assert read[-1][1] == f"not read: more than {NESTED_AT_MOST} messages deep"
    assert all("not read" not in text for _, text in read[:-1])


def test_a_forwarded_message_is_an_attachment_not_the_body_twice() -> None:
    inner = message("Original")
    inner.set_content("The forwarded words, said once.")
    outer = message("Fwd")
    outer.set_content("Forwarding this.")
    outer.add_attachment(inner)
    result = extract(outer.as_bytes(), "mail.eml")
    assert "The forwarded words" not in result.pages[0]
    assert [a.file_name for a in result.attachments] == ["forwarded message.eml"]


def test_a_named_part_marked_inline_is_an_attachment_and_an_inline_picture_is_not() -> None:
    mail = message()
    mail.set_content("See below.")
    mail.add_attachment(
        b"%PDF-1.4",
        maintype="application",
        subtype="pdf",
        filename="report.pdf",
        disposition="inline",
    )
    mail.add_attachment(
        b"\x89PNG\r\n\x1a\n",
        maintype="image",
        subtype="png",
        filename="logo.png",
        disposition="inline",
    )
    result = extract(mail.as_bytes(), "mail.eml")
    assert [a.file_name for a in result.attachments] == ["report.pdf"]


@pytest.mark.parametrize("disposition", ["inline", None])
def test_a_named_text_part_not_marked_as_an_attachment_is_in_the_body(
    disposition: str | None,
) -> None:
    """As in CPython's test messages msg_04 (marked inline) and msg_44 (not marked): what
    mail clients and Python's ``get_body`` show as the message, not a file beside it."""
    mail = message()
    mail.make_mixed()
    for words in ("the claim came at noon", "the group is known"):
        part = EmailMessage()
        part.set_content(f"Shown: {words}.", disposition=disposition, filename="msg.txt")
        if disposition is None:  # named as msg_44 names it: on its type, not marked
            del part["Content-Disposition"]
            part.set_param("name", "msg.txt")
        mail.attach(part)
    attached = EmailMessage()
    attached.set_content("Sent as a file: the transcript.", filename="transcript.txt")
    mail.attach(attached)
    result = extract(mail.as_bytes(), "mail.eml")
    assert "the claim came at noon" in result.pages[0]
    assert "the group is known" in result.pages[0]
    assert "the transcript" not in result.pages[0]
    assert [a.file_name for a in result.attachments] == ["transcript.txt"]


def test_nested_alternatives_read_each_part_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from casefile.importing.extract import mail as mail_module

    body = EmailMessage()
    body.set_content("Plain words.")
    body.add_alternative("<html><body><p>HTML words.</p></body></html>", subtype="html")
    for _ in range(20):  # alternatives inside alternatives: each level read the rest again
        outer = EmailMessage()
        outer.make_alternative()
        outer.attach(body)
        body = outer
    mail = message()
    mail.make_mixed()
    mail.attach(body)
    reads: list[object] = []
    real = mail_module._part_text

    def counted(part: Any) -> Any:
        reads.append(part)
        return real(part)

    monkeypatch.setattr(mail_module, "_part_text", counted)
    assert "Plain words." in extract(mail.as_bytes(), "mail.eml").pages[0]
    assert len(reads) <= 2


@pytest.mark.parametrize("charset", ["; charset=windows-1251", ""])
def test_headers_sent_as_raw_8_bit_bytes_read_in_the_messages_encoding(charset: str) -> None:
    """Old clients send a Cyrillic subject and name unencoded; Python's parser made each
    byte U+FFFD. Read as the message declares, or as detected over the whole message."""
    raw = (
        "From: Иван <ivan@example.ru>\r\nTo: desk@example.org\r\n"
        "Subject: Заявление о нападении на Вестминстер\r\n"
        "Date: Thu, 23 Mar 2017 10:15:00 +0000\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/plain{charset}\r\n\r\n"
        "Текст заявления группы о нападении в Лондоне. Мы сделали это во имя нашей веры.\r\n"
    ).encode("cp1251")

    found = extract(raw, "statement.eml")

    assert found.title == "Заявление о нападении на Вестминстер"
    assert found.authors == ("Иван",)
    assert found.metadata["From"] == "Иван <ivan@example.ru>"
    assert found.pages[0].startswith("Текст заявления группы")


def test_a_reply_says_which_message_it_answers() -> None:
    reply = EmailMessage()
    reply["From"] = "desk@example.org"
    reply["Subject"] = "Re: Claim"
    reply["Message-ID"] = "<2@example.org>"
    reply["In-Reply-To"] = "<1@example.org>"
    reply["References"] = "<1@example.org>"
    reply.set_content("Seen.")

    found = extract(reply.as_bytes(), "reply.eml")

    assert found.metadata["In-Reply-To"] == "<1@example.org>"
    assert found.metadata["References"] == "<1@example.org>"
