"""Reading a stored document again in an encoding the user chooses, and undoing it."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from uuid import UUID

import pytest

from casefile.domain.errors import InvalidInput
from casefile.domain.records import QuoteFields
from casefile.services.case import Case
from casefile.services.encodings import ENCODING_GUESSED
from tests.services.test_import import make_pdf

# Short KOI8-R: too few bytes for detection to tell it from Shift-JIS.
RUSSIAN = "Привет, это заявление группы."


def imported(case: Case, path: Path) -> tuple[UUID, UUID]:
    """The document and the source an import of ``path`` made."""
    [outcome] = case.importer.import_files([path]).outcomes
    assert outcome.source_id is not None
    [document] = case.records.documents_of(outcome.source_id)
    return document.id, outcome.source_id


@pytest.mark.slow
def test_a_garbled_text_read_again_in_its_encoding_reads_right_and_undoes(
    case: Case, tmp_path: Path
) -> None:
    path = tmp_path / "statement.txt"
    path.write_bytes(RUSSIAN.encode("koi8_r"))
    document, source = imported(case, path)
    assert case.documents.pages(document) != [RUSSIAN]  # garbled: the import's reading
    garbled = case.records.get(source)
    [page] = case.documents.pages(document)
    guess = garbled.notes.partition(": ")[2].split(" ")[0]  # as detection read the bytes
    word = "заявление"
    before = RUSSIAN.partition(word)[0]
    start = len(before.encode("koi8_r").decode(guess))
    end = start + len(word.encode("koi8_r").decode(guess))
    placed = QuoteFields(
        text=page[start:end], source=source, document=document, char_start=start, char_end=end
    )
    copied = case.records.add(placed)  # selected in the garbled text: its words are a copy
    # The analyst's own words for the same place.
    written = case.records.add(dataclasses.replace(placed, text="the group's statement"))
    read = case.encodings.read_as(document, "KOI8-R")

    assert read.encoding == "koi8-r"
    assert read.quotes_moved.counts() == (2, 1, 0)
    now_copied, now_written = case.records.get(copied.id), case.records.get(written.id)
    assert now_copied.fields.text == "заявление"  # the copy now reads as the text does
    assert now_written.fields.text == "the group's statement"  # the analyst's words stay
    for quote in (now_copied.fields, now_written.fields):
        assert RUSSIAN[quote.char_start : quote.char_end] == "заявление"
    assert case.documents.pages(document) == [RUSSIAN]
    now = case.records.get(source)
    assert now.label == RUSSIAN  # the title the text gave follows the text
    assert now.notes.splitlines()[-1] == "Text encoding of statement.txt: koi8-r (chosen)"
    assert case.documents.content(document) == path.read_bytes()  # the bytes never change
    assert document in {h.record_id for h in case.search.search("заявление").hits}
    [entry] = [e for e in case.history.entries(document) if e.action == "update"]
    assert entry.changes["text"][1].endswith("koi8-r (chosen)")

    case.encodings.restore(document, read.before)  # the window's undo

    assert case.records.get(source).label == garbled.label
    assert case.records.get(source).notes == garbled.notes
    assert case.documents.pages(document) == list(read.before.pages)
    assert case.search.search("заявление").hits == []
    assert case.records.get(copied.id).fields == copied.fields  # words and place, exactly


@pytest.mark.slow
def test_a_guessed_encoding_chosen_loses_its_tag_and_a_title_the_user_wrote_stays(
    case: Case, tmp_path: Path
) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes("Zoë met the source — twice.\n".encode("cp1252"))
    document, source = imported(case, path)
    assert case.records.get(source).tags == (ENCODING_GUESSED,)
    case.records.update(source, {"title": "Meeting note"})

    case.encodings.read_as(document, "cp1252")

    now = case.records.get(source)
    assert now.tags == ()
    assert now.label == "Meeting note"


def test_only_text_files_and_pages_are_read_in_a_chosen_encoding(
    case: Case, tmp_path: Path
) -> None:
    document, _source = imported(case, make_pdf(tmp_path / "report.pdf", ["Words"]))
    with pytest.raises(InvalidInput, match="only a text file or a web page"):
        case.encodings.read_as(document, "cp1256")
    with pytest.raises(InvalidInput, match="'nonsense' is not an encoding Casefile knows"):
        case.encodings.read_as(document, "nonsense")
    with pytest.raises(InvalidInput, match="'base64' is not a character encoding"):
        case.encodings.read_as(document, "base64")
    assert [e.action for e in case.history.entries(document)] == ["create"]  # untouched
