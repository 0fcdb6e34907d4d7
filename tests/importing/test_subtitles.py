"""Subtitles read as what is said, each cue a line led by its time: real files on disk."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from casefile.domain.formats import Format
from casefile.domain.terms import Kind, SourceKind
from casefile.importing.extract.detect import detect
from casefile.services import importer
from casefile.services.case import Case
from casefile.services.encodings import ENCODING_GUESSED
from casefile.services.importer import Status
from casefile.services.list_query import ListQuery
from tests.importing.reader import read_file

SRT = """1
00:00:01,000 --> 00:00:04,500
<i>Zoë</i> read the statement
{\\an8}aloud.

2
00:01:02,900 --> 00:01:05,000
The caliphate will not forget.

3
01:02:03,000 --> 01:02:05,000
<font color="#ffffff">Blood with blood.</font>
"""

VTT = """WEBVTT Statement of 22 March

NOTE Machine-made captions, checked by hand.

intro
00:00:01.000 --> 00:00:04.000 align:start
<v Abu Muhammad>The caliphate <i>will</i> not forget.</v>

00:01:02.250 --> 00:01:04.000
<v.loud Reporter>Who &amp; why?</v>
<v Abu Muhammad>You know why.

1:02:05.000 --> 1:02:07.000
<00:00:01.500><c.yellow>Blood</c> with blood.

62:08.000 --> 62:09.000
Minutes past 59 in a time without hours.
"""


def write(path: Path, text: str, encoding: str = "utf-8", bom: bytes = b"") -> Path:
    path.write_bytes(bom + text.replace("\n", "\r\n").encode(encoding))
    return path


def test_an_srt_with_a_byte_order_mark_reads_a_line_per_cue_led_by_its_time(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "statement.srt", SRT, bom=codecs.BOM_UTF8)

    read = read_file(path).extracted

    assert read.format is Format.SRT
    assert read.media_type == "application/x-subrip"
    assert read.pages == (
        "[0:00:01] Zoë read the statement aloud.\n"
        "[0:01:02] The caliphate will not forget.\n"  # 62.9 s: the milliseconds dropped
        "[1:02:03] Blood with blood.",
    )
    assert read.title == ""  # a cue is no title: the source is named after the file
    assert read.decoded is not None
    assert read.decoded.said() == "utf-8 (byte-order mark)"
    assert read.warnings == ()


def test_an_srt_in_windows_1252_is_decoded_by_the_shared_detection(tmp_path: Path) -> None:
    path = write(tmp_path / "statement.srt", SRT, encoding="cp1252")

    read = read_file(path).extracted

    assert read.pages[0].startswith("[0:00:01] Zoë read the statement aloud.\n")
    assert read.decoded is not None
    assert read.decoded.encoding == "cp1252"
    assert read.decoded.guessed  # one accented letter fits many code pages: flagged


def test_a_webvtt_file_keeps_each_voices_speaker_and_drops_its_tags(tmp_path: Path) -> None:
    path = write(tmp_path / "statement.vtt", VTT, encoding="utf-16-le", bom=codecs.BOM_UTF16_LE)

    read = read_file(path).extracted

    assert read.format is Format.WEBVTT
    assert read.pages == (
        "[0:00:01] Abu Muhammad: The caliphate will not forget.\n"
        "[0:01:02] Reporter: Who & why? Abu Muhammad: You know why.\n"
        "[1:02:05] Blood with blood.",
    )
    assert read.title == "Statement of 22 March"  # what follows WEBVTT on its first line
    # webvtt-py passes over a time it cannot read without a word: the warning says it.
    assert read.warnings == (
        "1 part of it could not be read as cues and was left out "
        "(the first: “62:08.000 --> 62:09.000”)",
    )


@pytest.mark.parametrize(
    ("name", "text", "kind"),
    [
        ("captions.txt", SRT, Format.SRT),  # told by its content, whatever its name
        ("captions.txt", VTT, Format.WEBVTT),
        ("no-header.vtt", "00:00:01.000 --> 00:00:02.000\nWords.\n", Format.WEBVTT),
        ("notes.srt", "Not a subtitle at all.\n", Format.SRT),  # by its name: read, refused
    ],
)
def test_subtitles_are_told_by_their_content_and_their_name(
    name: str, text: str, kind: Format
) -> None:
    assert detect(text.encode(), name) is kind


def test_a_cue_that_cannot_be_read_is_left_out_and_named(tmp_path: Path) -> None:
    broken = SRT.replace("00:01:02,900 -->", "00:01:0x,900 -->")
    srt = read_file(write(tmp_path / "broken.srt", broken)).extracted
    vtt = read_file(
        write(tmp_path / "broken.vtt", VTT.replace("00:01:02.250 -->", "00:01:0x.250 -->"))
    ).extracted

    assert srt.pages[0].splitlines() == [
        "[0:00:01] Zoë read the statement aloud.",
        "[1:02:03] Blood with blood.",
    ]
    assert srt.warnings == (
        "1 part of it could not be read as cues and was left out "
        "(the first: “2 00:01:0x,900 --> 00:01:05,000 The caliphate will not forget.”)",
    )
    assert [line[:9] for line in vtt.pages[0].splitlines()] == ["[0:00:01]", "[1:02:05]"]
    assert vtt.warnings == (
        "2 parts of it could not be read as cues and were left out "
        "(the first: “00:01:0x.250 --> 00:01:04.000”)",
    )


@pytest.mark.slow
def test_subtitles_import_as_searchable_sources_and_malformed_ones_are_kept_unread(
    case: Case, tmp_path: Path
) -> None:
    good = write(tmp_path / "amaq-statement.en.srt", SRT)
    unreadable = write(tmp_path / "notes.srt", "Not a subtitle at all.\n")
    headless = write(tmp_path / "headless.vtt", "00:00:01.000 --> 00:00:02.000\nWords.\n")

    report = case.importer.import_files([good, unreadable, headless])

    why = {o.path.name: (o.status, o.message) for o in report.outcomes}
    assert why == {
        "amaq-statement.en.srt": (Status.IMPORTED, ""),
        "notes.srt": (
            Status.KEPT,
            "damaged SubRip subtitles: no cue in it can be read "
            "(the first: “Not a subtitle at all.”)",
        ),
        "headless.vtt": (Status.KEPT, "damaged WebVTT subtitles: it does not begin with WEBVTT"),
    }
    [source] = [o.source_id for o in report.outcomes if o.status is Status.IMPORTED]
    assert source is not None
    record = case.records.get(source)
    assert record.label == "amaq-statement.en"
    assert record.fields.source_kind is SourceKind.OTHER  # a video? an interview? not said
    [document] = case.records.documents_of(source)
    assert document.fields.media_type == "application/x-subrip"
    assert case.documents.pages(document.id)[0].splitlines()[1] == (
        "[0:01:02] The caliphate will not forget."
    )
    assert [h.record_id for h in case.search.search("caliphate").hits] == [document.id]
    unread = case.listing.page(ListQuery(Kind.SOURCE, tag=importer.COULD_NOT_READ)).records
    assert {r.label for r in unread} == {"notes", "headless"}


@pytest.mark.slow
def test_subtitles_in_a_guessed_encoding_can_be_read_again_in_another(
    case: Case, tmp_path: Path
) -> None:
    path = write(tmp_path / "statement.srt", SRT, encoding="cp1250")
    [outcome] = case.importer.import_files([path]).outcomes
    assert outcome.source_id is not None
    assert case.records.get(outcome.source_id).tags == (ENCODING_GUESSED,)
    [document] = case.records.documents_of(outcome.source_id)

    case.encodings.read_as(document.id, "cp1250")

    assert case.documents.pages(document.id)[0].splitlines()[0] == (
        "[0:00:01] Zoë read the statement aloud."
    )
    assert case.records.get(outcome.source_id).tags == ()
