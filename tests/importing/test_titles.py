"""A source's title as a reader would give it: the file's own unless it names a file, a
tool or a template; one clean line; never longer than a list can show. What the file said
stays in the notes."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from casefile.importing.extract.metadata import TITLE_AT_MOST, titled
from tests.importing.reader import read_file

PAGES = ("\n\nWestminster attack: the police statement\nFour people died.",)


@pytest.mark.parametrize(
    "stated",
    ["Binder1.pdf", "10811.exe", "Microsoft Word - draft3.doc", "untitled", "escenic", ""],
)
def test_a_title_naming_a_file_or_a_tool_gives_way_to_the_first_heading(stated: str) -> None:
    assert titled(stated, PAGES) == ("Westminster attack: the police statement", stated)


def test_a_title_is_one_line_without_control_characters() -> None:
    assert titled("Westminster\x00 attack\r\n report", PAGES) == ("Westminster attack report", "")


def test_a_title_too_long_for_a_list_is_cut_and_kept_whole_in_the_notes() -> None:
    subject = "Re: " * 40_000 + "the claim"
    title, kept = titled(subject, PAGES)
    assert len(title) <= TITLE_AT_MOST
    assert title.endswith("…")
    assert kept == subject.strip()


def _read(path: Path) -> tuple[str, dict[str, str]]:
    found = read_file(path).extracted
    return found.title, dict(found.metadata)


def test_a_pdf_titled_binder1_is_titled_by_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "Binder1.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.setTitle("Binder1")
    pdf.drawString(72, 720, "Threat assessment: Westminster, March 2017")
    pdf.save()
    title, metadata = _read(path)
    assert title == "Threat assessment: Westminster, March 2017"
    assert metadata["Title in the file"] == "Binder1"


def test_a_mail_subject_with_line_breaks_and_a_nul_is_one_clean_line(tmp_path: Path) -> None:
    message = EmailMessage()
    message["From"] = "desk@example.org"
    message["To"] = "analyst@example.org"
    message["Message-ID"] = "<2@example.org>"
    message["Subject"] = "Claim\x00 of responsibility"
    message.set_content("The group claimed the attack.")
    path = tmp_path / "claim.eml"
    path.write_bytes(message.as_bytes())
    title, _ = _read(path)
    assert title == "Claim of responsibility"
