"""A mailbox imported a source per message reads as the conversations it held."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path
from uuid import UUID

from casefile.domain.terms import Kind
from casefile.services.case import Case
from casefile.services.list_query import ListQuery
from casefile.services.threads import Headers


def message(subject: str, own: str, sent: str, answers: tuple[str, ...] = ()) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Cell leader <leader@example.org>"
    mail["To"] = "Courier <courier@example.org>"
    mail["Subject"] = subject
    mail["Date"] = f"{sent} +0000"
    mail["Message-ID"] = own
    if answers:
        mail["In-Reply-To"] = answers[-1]
        mail["References"] = " ".join(answers)
    mail.set_content(f"{subject}. Message-ID: <not-a-header@example.org> in the body.")
    return mail


def imported(case: Case, tmp_path: Path, messages: list[EmailMessage]) -> list[tuple[str, UUID]]:
    """The messages written to a real mbox file and imported: each a source, its title."""
    path = tmp_path / "seized.mbox"
    box = mailbox.mbox(path)
    for mail in messages:
        box.add(mail)
    box.close()
    case.importer.import_files([path])
    sources = case.listing.page(ListQuery(Kind.SOURCE, limit=100)).records
    return [(r.label, r.id) for r in sources]


def thread_of(case: Case, source: UUID) -> list[tuple[str, int]]:
    return [(t.label, t.depth) for t in case.threads.of(source)]


def test_a_mailbox_message_shows_its_whole_conversation_replies_under_what_they_answer(
    case: Case, tmp_path: Path
) -> None:
    a, b, c, d = (f"<{n}@example.org>" for n in "abcd")
    ids = dict(
        found := imported(
            case,
            tmp_path,
            [
                # Out of order in the file, as a mailbox often is.
                message("Re: Re: Travel", c, "Wed, 22 Mar 2017 12:00:00", (a, b)),
                message("Travel", a, "Wed, 22 Mar 2017 10:00:00"),
                message("Re: Travel", b, "Wed, 22 Mar 2017 11:00:00", (a,)),
                message("Re: Travel (second answer)", d, "Wed, 22 Mar 2017 10:30:00", (a,)),
                # The same subject, tied to nothing: another conversation.
                message("Travel", "<e@example.org>", "Thu, 23 Mar 2017 09:00:00"),
            ],
        )
    )
    expected = [
        ("Travel", 0),
        ("Re: Travel (second answer)", 1),
        ("Re: Travel", 1),
        ("Re: Re: Travel", 2),
    ]
    assert thread_of(case, ids["Re: Re: Travel"]) == expected
    assert thread_of(case, ids["Re: Travel (second answer)"]) == expected
    travel = [thread_of(case, i) for title, i in found if title == "Travel"]
    assert sorted(travel) == [[], expected]


def test_replies_to_a_message_not_in_the_case_still_read_as_one_thread(
    case: Case, tmp_path: Path
) -> None:
    """The first message was never seized: its replies name it, and so each other."""
    missing, b, c = "<missing@example.org>", "<b@example.org>", "<c@example.org>"
    ids = dict(
        imported(
            case,
            tmp_path,
            [
                message("Re: Plan", b, "Wed, 22 Mar 2017 11:00:00", (missing,)),
                message("Re: Re: Plan", c, "Wed, 22 Mar 2017 12:00:00", (missing, b)),
            ],
        )
    )
    assert thread_of(case, ids["Re: Plan"]) == [("Re: Plan", 0), ("Re: Re: Plan", 1)]


def test_a_message_id_written_elsewhere_in_the_notes_ties_nothing(case: Case) -> None:
    from casefile.domain.records import SourceFields

    tied = case.records.add(SourceFields(title="Memo"), notes="Seen in <a@example.org>.").id
    assert case.threads.of(tied) == []
    assert Headers.of("Subject: x\nMessage-ID: <a@example.org>").own == "<a@example.org>"
    assert Headers.of("Notes on <a@example.org>").mentions == frozenset()
