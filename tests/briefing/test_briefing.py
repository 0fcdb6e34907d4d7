"""Briefing packs, built from real cases and read back as a reader (and a checker) would."""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import shutil
import sqlite3
import subprocess
import unicodedata
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from pypdf import PdfReader
from pypdf.generic import StreamObject
from reportlab.pdfbase import pdfmetrics

from casefile.briefing import fonts, metadata
from casefile.briefing.content import gather
from casefile.briefing.options import PackOptions, Scope, Section
from casefile.briefing.service import ExportCancelled
from casefile.briefing.writing_systems import levels, visual_order
from casefile.cli.main import main
from casefile.db import engine
from casefile.domain.dates import PartialDate
from casefile.domain.errors import AlreadyExists, InvalidInput, KnownError
from casefile.domain.figures import Figure
from casefile.domain.handling import Handling
from casefile.domain.moments import moment
from casefile.domain.records import (
    AttackFields,
    GroupFields,
    JudgementFields,
    LinkFields,
    PersonFields,
    QuoteFields,
    ReportFields,
    SourceFields,
)
from casefile.domain.terms import (
    AnalyticConfidence,
    Confidence,
    Credibility,
    Kind,
    Probability,
    Relation,
    Reliability,
)
from casefile.services.case import Case, open_case
from casefile.services.demo import demo_records
from casefile.services.list_query import ListQuery

POPPLER = shutil.which("pdftotext") and shutil.which("pdffonts")
needs_poppler = pytest.mark.skipif(
    not POPPLER, reason="poppler-utils (pdftotext, pdffonts) not installed"
)
needs_qpdf = pytest.mark.skipif(not shutil.which("qpdf"), reason="qpdf not installed")

ISLAMIC_STATE = "الدولة الإسلامية"
URDU = "لشکر طیبہ"
# The demo case has content for every section; its quotes are all key ones, so it has no
# annex (which holds what the key quotes leave out).
SECTION_TITLES = [s.label for s in Section if s is not Section.ANNEX]


def pages_text(path: Path) -> list[str]:
    """Each page's text as poppler reads it (or pdfium where poppler is missing)."""
    if POPPLER:
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout
        return text.split("\f")[:-1]
    pdf = pdfium.PdfDocument(path)
    return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]


def export(case: Case, path: Path, **options: object) -> Path:
    case.briefing.export(path, PackOptions(**options), replace=True)  # type: ignore[arg-type]
    return path


@pytest.fixture
def demo_pack(demo: Case, tmp_path: Path) -> Path:
    return export(demo, tmp_path / "demo.pdf", marking="TLP:AMBER", author="A. Analyst")


@needs_poppler  # reads the page layout as poppler lays it out
@pytest.mark.slow
def test_the_demo_pack_has_every_section_and_the_marking_and_page_x_of_y_on_every_page(
    demo_pack: Path,
) -> None:
    pages = pages_text(demo_pack)
    assert len(pages) > 5
    for number, page in enumerate(pages, start=1):
        assert "TLP:AMBER" in page
        assert f"Page {number} of {len(pages)}" in page
    headings = ["Contents", *SECTION_TITLES]
    starts = [
        next(i for i, p in enumerate(pages) if re.search(rf"^\s*{h}\s*$", p, re.M))
        for h in headings
    ]
    assert starts == sorted(starts), "sections out of order"
    contents = pages[starts[0]]
    for heading, index in zip(headings[1:], starts[1:], strict=True):
        assert re.search(rf"{heading}\s+{index + 1}\b", contents), (
            f"contents gives the wrong page for {heading}"
        )


def test_a_tlp_label_is_set_in_twelve_point_type_at_the_top_and_foot(demo_pack: Path) -> None:
    """TLP 2.0: the label should be in 12-point type or greater."""
    page = pdfium.PdfDocument(demo_pack)[2]
    text = page.get_textpage()
    found = text.search("TLP:AMBER")
    sizes = []
    while (match := found.get_next()) is not None:
        sizes.append(round(pdfium_raw.FPDFText_GetFontSize(text.raw, match[0])))
    assert sizes == [12, 12]


def test_every_quote_is_in_the_pack_with_its_citation(demo_pack: Path) -> None:
    text = " ".join(" ".join(p.split()) for p in pages_text(demo_pack))
    quotes = [f.text for _k, f, _n in demo_records() if isinstance(f, QuoteFields)]
    assert len(quotes) == 6
    for said in (" ".join(q.split()) for q in quotes):
        assert re.search(re.escape(f"“{said}”") + r" — [^“]*\[1 · F\]", text), said  # its grade


@needs_poppler
def test_a_quote_is_cited_with_its_full_admiralty_grade(case: Case, tmp_path: Path) -> None:
    source = case.records.add(SourceFields(title="Court record", reliability=Reliability.B))
    case.records.add(
        QuoteFields(text="I did it", source=source.id, credibility=Credibility.PROBABLY_TRUE)
    )
    text = " ".join(pages_text(export(case, tmp_path / "graded.pdf")))
    assert "“I did it” [1 · B2]" in " ".join(text.split())


@needs_poppler
def test_a_link_prints_with_its_confidence_and_unsourced_when_nothing_cites_it(
    demo: Case, tmp_path: Path
) -> None:
    """The pack says how sure a link is and when no source backs it, as the window does;
    a doubtful claim never prints as bare fact."""
    names = {
        r.label: r.id
        for kind in (Kind.ATTACK, Kind.GROUP)
        for r in demo.listing.page(ListQuery(kind, limit=100)).records
    }
    demo.records.add(
        LinkFields(
            subject=names["al-Qaeda"],
            relation=Relation.PLANNED,
            object=names["Westminster attack"],
            confidence=Confidence.DOUBTFUL,
        )
    )
    pack = export(demo, tmp_path / "demo.pdf")
    text = " ".join(" ".join(p.split()) for p in pages_text(pack))
    assert "Claimed by ISIS [1] (confirmed)" in text
    assert "Planned by al-Qaeda (doubtful, unsourced)" in text


def test_an_attack_quotes_what_its_people_and_groups_said_about_it_not_everything(
    demo: Case,
) -> None:
    """ISIS claimed three of the demo's attacks: each profile quotes what ISIS said then,
    not every ISIS statement three times over."""
    with demo.sessions.read() as s:
        content = gather(s, PackOptions())
    quoted = {a.title: [q.text for q in a.quotes] for a in content.attacks}
    assert quoted["Westminster attack"] == ["blood with blood"]
    assert len(quoted["Brussels attacks"]) == 1
    assert quoted["Brussels attacks"][0].startswith("If it was Paris yesterday")
    assert quoted["Murder of a Sufi leader"] == []


def _links(path: Path) -> list[tuple[int, str, int, float]]:
    """Each internal link: (its page, the text under it, the page and height it goes to)."""
    pdf = pdfium.PdfDocument(path)
    found = []
    for index in range(len(pdf)):
        page = pdf[index]
        text = page.get_textpage()
        position = ctypes.c_int(0)
        link = pdfium_raw.FPDF_LINK()
        while pdfium_raw.FPDFLink_Enumerate(page.raw, ctypes.byref(position), ctypes.byref(link)):
            dest = pdfium_raw.FPDFLink_GetDest(pdf.raw, link) or pdfium_raw.FPDFAction_GetDest(
                pdf.raw, pdfium_raw.FPDFLink_GetAction(link)
            )
            assert dest, "a link that goes nowhere"
            rect = pdfium_raw.FS_RECTF()
            pdfium_raw.FPDFLink_GetAnnotRect(link, ctypes.byref(rect))
            has_x, has_y, has_zoom = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
            x, y, zoom = ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
            pdfium_raw.FPDFDest_GetLocationInPage(
                dest, *(ctypes.byref(v) for v in (has_x, has_y, has_zoom, x, y, zoom))
            )
            label = text.get_text_bounded(rect.left, rect.bottom, rect.right, rect.top).strip()
            found.append(
                (index, label, pdfium_raw.FPDFDest_GetDestPageIndex(pdf.raw, dest), y.value)
            )
    return found


@pytest.fixture
def cited(case: Case) -> Case:
    """An attack whose link cites one source, and a quote (by its attacker) from another."""
    quoted = case.records.add(SourceFields(title="Quoted source", reliability=Reliability.A))
    linked = case.records.add(SourceFields(title="Linked source", reliability=Reliability.D))
    attack = case.records.add(AttackFields(title="Bridge attack", date=PartialDate(2017, 3, 22)))
    person = case.records.add(PersonFields(name="Khalid Masood"))
    case.records.add(
        LinkFields(
            subject=person.id,
            relation=Relation.CARRIED_OUT,
            object=attack.id,
            citations=(linked.id,),
        )
    )
    case.records.add(
        QuoteFields(text="a soldier of the caliphate", source=quoted.id, speaker=person.id)
    )
    return case


def test_each_citation_links_to_its_own_source_entry(cited: Case, tmp_path: Path) -> None:
    case = cited
    pack = export(case, tmp_path / "pack.pdf")
    pdf = pdfium.PdfDocument(pack)
    citations = [link for link in _links(pack) if re.fullmatch(r"\d+", link[1])]
    assert {label for _, label, _, _ in citations} == {"1", "2"}  # each number its own link
    for _page, label, target, height in citations:
        textpage = pdf[target].get_textpage()
        width = pdf[target].get_width()
        entry = textpage.get_text_bounded(0, height - 40, width, height + 2)
        number = int(label)
        title = {1: "Linked source", 2: "Quoted source"}[number]  # numbered as first cited
        grade = {1: "D Not usually reliable", 2: "A Completely reliable"}
        assert grade[number] in " ".join(entry.split()), (label, entry)
        assert f"[{number}]" in entry, (label, entry)
        assert title in entry, (label, entry)


@needs_poppler
def test_a_run_of_citations_is_compressed_and_each_number_still_links(
    case: Case, tmp_path: Path
) -> None:
    attack = case.records.add(AttackFields(title="Bridge attack", date=PartialDate(2017)))
    person = case.records.add(PersonFields(name="Khalid Masood"))
    sources = [case.records.add(SourceFields(title=f"Report {n}")).id for n in range(1, 5)]
    case.records.add(
        LinkFields(
            subject=person.id,
            relation=Relation.CARRIED_OUT,
            object=attack.id,
            citations=tuple(sources),
        )
    )
    pack = export(case, tmp_path / "runs.pdf")
    text = " ".join(" ".join(p.split()) for p in pages_text(pack))
    assert "Carried out by Khalid Masood [1–4]" in text
    assert {label for _, label, _, _ in _links(pack)} >= {"1", "4"}


def test_the_outline_has_every_section_and_profile(demo_pack: Path) -> None:
    outline = [(item.level, item.get_title()) for item in pdfium.PdfDocument(demo_pack).get_toc()]
    sections = [title for level, title in outline if level == 0]
    assert sections == SECTION_TITLES
    assert (1, "Westminster attack") in outline
    assert (1, "ISIS") in outline
    assert (1, "Rita Katz") in outline


@needs_poppler  # reads the page layout as poppler lays it out
def test_the_timeline_is_in_date_order_with_dates_at_their_precision(demo_pack: Path) -> None:
    pages = pages_text(demo_pack)
    timeline = next(p for p in pages if re.search(r"^\s*Timeline\s*$", p, re.M))
    dates = re.findall(
        r"^\s*((?:\d{1,2} )?(?:October|February|March) \d{4})",
        timeline,
        re.M,
    )
    assert dates[0] == "October 2014"
    assert dates[-1] == "22 March 2017"
    parsed = [PartialDate.parse(d) for d in dates]
    assert parsed == sorted(parsed)


ARABIC_QUOTE = (
    "قال المتحدث باسم الدولة الإسلامية إن منفذ الهجوم على البرلمان البريطاني في لندن هو جندي "
    "من جنود الخلافة، وقد نفذ العملية استجابة لنداءات استهداف رعايا دول التحالف (عاجل)"
)


@pytest.fixture
def scripts_pack(case: Case, tmp_path: Path) -> Path:
    source = case.records.add(
        SourceFields(title="Заявление Владимира Путина", authors=("José Müller", "שרה כהן"))
    )
    group = case.records.add(GroupFields(name=ISLAMIC_STATE, aliases=("ISIS", URDU, "(داعش)")))
    case.records.add(QuoteFields(text=ARABIC_QUOTE, source=source.id, speaker=group.id))
    case.records.add(
        PersonFields(name="Zoë Quartermain", aliases=("Владимир", "東京 ✓", "bell\x07 👍"))
    )
    return export(case, tmp_path / "scripts.pdf")


@needs_poppler
@pytest.mark.slow
def test_names_in_any_script_come_back_out_in_reading_order(scripts_pack: Path) -> None:
    text = "\n".join(pages_text(scripts_pack))
    for words in (ISLAMIC_STATE, URDU, "Заявление Владимира Путина", "José Müller", "Zoë"):
        assert words in text, words
    assert "שרה" in text  # Hebrew (poppler's reading order around punctuation varies)
    assert "כהן" in text
    assert "東京" in text
    # The right-to-left quote is broken into lines in reading order: it starts "قال ...".
    assert re.search(r"^\W*قال المتحدث باسم الدولة الإسلامية", text, re.M), text


def test_every_character_is_drawn_in_a_font_that_has_it(scripts_pack: Path) -> None:
    fonts.register()
    faces = {
        str(pdfmetrics.getFont(name).face.name.decode("latin-1")): name
        for name in fonts.registered_names()
    }
    pdf = pdfium.PdfDocument(scripts_pack)
    checked = 0
    for index in range(len(pdf)):
        textpage = pdf[index].get_textpage()
        for i in range(textpage.count_chars()):
            char = chr(pdfium_raw.FPDFText_GetUnicode(textpage, i))
            if char.isspace() or unicodedata.category(char).startswith(("C", "M")):
                continue
            buffer = ctypes.create_string_buffer(256)
            flags = ctypes.c_int()
            pdfium_raw.FPDFText_GetFontInfo(textpage, i, buffer, 256, ctypes.byref(flags))
            face = buffer.value.decode().split("+", 1)[-1]
            assert fonts.covers(faces[face], char), f"{char!r} drawn in {face}, which lacks it"
            checked += 1
    assert checked > 500


@needs_poppler
@needs_qpdf
def test_every_font_is_embedded_and_qpdf_finds_no_fault(scripts_pack: Path) -> None:
    listing = subprocess.run(
        ["pdffonts", str(scripts_pack)], check=True, capture_output=True, text=True
    ).stdout
    rows = listing.splitlines()[2:]
    assert rows, listing
    assert all(row.split()[-5] == "yes" for row in rows), listing  # the "emb" column
    assert any("NotoNaskhArabic" in row for row in rows)
    checked = subprocess.run(
        ["qpdf", "--check", str(scripts_pack)], check=False, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_words_of_a_right_to_left_run_are_set_in_visual_order() -> None:
    words = ["Group:", "الدولة", "الإسلامية", "(ISIS)"]
    assert visual_order(words, levels(words, rtl=False)) == [
        "Group:",
        "الإسلامية",
        "الدولة",
        "(ISIS)",
    ]
    arabic = ["قال", "ISIS", "today", "إن"]
    assert visual_order(arabic, levels(arabic, rtl=True)) == ["إن", "ISIS", "today", "قال"]


@needs_qpdf
def test_the_demo_pack_passes_qpdf(demo_pack: Path) -> None:
    checked = subprocess.run(
        ["qpdf", "--check", str(demo_pack)], check=False, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout


@pytest.mark.slow
def test_long_text_stays_on_the_page_and_long_tables_repeat_their_header(
    case: Case, tmp_path: Path
) -> None:
    endless = "Westminster" * 60  # one word far wider than any cell
    for day in range(1, 121):
        case.records.add(
            AttackFields(
                title=f"Attack {day:03d} {endless if day == 7 else ''}",
                date=PartialDate(2016, 1 + day % 12, 1 + day % 28),
                # A cell taller than a page splits rather than failing the pack.
                location="A very long place name " * (6 if day == 9 else 400 if day == 11 else 1),
            )
        )
    pack = export(case, tmp_path / "long.pdf", sections=frozenset({Section.TIMELINE}))
    pdf = pdfium.PdfDocument(pack)
    for index in range(len(pdf)):
        page = pdf[index]
        text = page.get_textpage()
        for char in range(text.count_chars()):
            left, bottom, right, top = text.get_charbox(char)
            assert 0 <= left <= right <= page.get_width()
            assert 0 <= bottom <= top <= page.get_height()
    pages = pages_text(pack)
    timeline_pages = [p for p in pages if "Attack 0" in p or "Attack 1" in p]
    assert len(timeline_pages) >= 3
    assert all("Killed / wounded" in " ".join(p.split()) or "Killed /" in p for p in timeline_pages)
    assert sum(" ".join(p.split()).count("Attack ") for p in timeline_pages) >= 120


@pytest.mark.slow
def test_the_scope_picks_attacks_by_id_tag_and_date(case: Case, tmp_path: Path) -> None:
    early = case.records.add(
        AttackFields(title="Early attack", date=PartialDate(2015)), tags=("uk",)
    )
    case.records.add(AttackFields(title="Late attack", date=PartialDate(2019, 5)), tags=("uk",))
    case.records.add(AttackFields(title="Undated attack"))
    case.records.add(
        AttackFields(title="French attack", date=PartialDate(2016, 7, 14)), tags=("Émigré",)
    )
    case.records.add(
        AttackFields(
            title="New Year attack",
            date=PartialDate(2015, 12, 30),
            end_date=PartialDate(2016, 1, 2),
        )
    )

    def shown(scope: Scope) -> set[str]:
        text = " ".join(
            pages_text(
                export(
                    case,
                    tmp_path / "scoped.pdf",
                    scope=scope,
                    sections=frozenset({Section.TIMELINE}),
                )
            )
        )
        return {
            t
            for t in (
                "Early attack",
                "Late attack",
                "Undated attack",
                "French attack",
                "New Year attack",
            )
            if t in text
        }

    assert len(shown(Scope())) == 5
    assert shown(Scope(tag="UK")) == {"Early attack", "Late attack"}
    assert shown(Scope(tag="ÉMIGRÉ")) == {"French attack"}  # Unicode case folding
    assert shown(Scope(attacks=(early.id, early.id))) == {"Early attack"}
    # An attack overlaps the range when any of its days do (30 Dec 2015 to 2 Jan 2016).
    assert shown(Scope(start=PartialDate(2016), end=PartialDate(2019, 5, 1))) == {
        "Late attack",
        "French attack",
        "New Year attack",
    }
    person = case.records.add(PersonFields(name="Not an attack"))
    with pytest.raises(InvalidInput, match="not an attack"):
        shown(Scope(attacks=(person.id,)))
    with pytest.raises(InvalidInput, match="before it starts"):
        Scope(start=PartialDate(2019), end=PartialDate(2016))


def test_a_case_with_nothing_to_report_gives_a_short_pack_that_says_so(
    case: Case, tmp_path: Path
) -> None:
    pages = pages_text(export(case, tmp_path / "empty.pdf"))
    assert len(pages) == 2
    assert "nothing to report" in " ".join(pages[1].split())
    assert not any(re.search(r"^\s*(Timeline|Sources|Contents)\s*$", p, re.M) for p in pages)


@pytest.mark.slow
def test_metadata_is_set_and_the_author_can_be_left_out(demo: Case, tmp_path: Path) -> None:
    named = pdfium.PdfDocument(
        export(demo, tmp_path / "named.pdf", author="A. Analyst", marking="OFFICIAL")
    )
    meta = named.get_metadata_dict()
    assert meta["Title"] == "Westminster attack, March 2017"
    assert meta["Author"] == "A. Analyst"
    assert "OFFICIAL" in meta["Subject"]
    assert meta["CreationDate"]
    anonymous = export(demo, tmp_path / "anonymous.pdf", author="A. Analyst", show_author=False)
    assert pdfium.PdfDocument(anonymous).get_metadata_dict()["Author"] == ""
    assert "A. Analyst" not in " ".join(pages_text(anonymous))


def test_a_cancel_or_a_failure_leaves_the_previous_file_as_it_was(
    demo: Case, tmp_path: Path
) -> None:
    out = tmp_path / "pack.pdf"
    out.write_bytes(b"the previous pack")
    with pytest.raises(ExportCancelled):
        demo.briefing.export(out, PackOptions(), cancelled=lambda: True, replace=True)
    with pytest.raises(InvalidInput, match=r"not a TLP 2\.0 label"):
        demo.briefing.export(out, PackOptions(marking="TLP:PURPLE"), replace=True)
    assert out.read_bytes() == b"the previous pack"
    assert [p.name for p in tmp_path.glob("*.pdf")] + [p.name for p in tmp_path.glob(".*")] == [
        "pack.pdf"
    ]


def test_the_cli_exports_a_scoped_pack(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli.pdf"
    code = main(
        [
            "export",
            "pdf",
            str(demo_path),
            str(out),
            "--from",
            "2016",
            "--to",
            "2016",
            "--marking",
            "tlp:green",
            "--sections",
            "timeline,sources",
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert "wrote" in capsys.readouterr().out
    text = " ".join(pages_text(out))
    assert "TLP:GREEN" in text
    assert "Brussels attacks" in text
    assert "Westminster attack [" not in text
    blue = tmp_path / "blue.pdf"
    assert main(["export", "pdf", str(demo_path), str(blue), "--marking", "TLP:BLUE"]) == 1
    assert "not a TLP 2.0 label" in capsys.readouterr().err


def test_an_export_never_replaces_the_case_and_replaces_a_file_only_when_told(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case_bytes = demo_path.read_bytes()
    for force in ([], ["--force"]):
        assert main(["export", "pdf", str(demo_path), str(demo_path), *force]) == 1
        assert "is a case file; a briefing pack never replaces one" in capsys.readouterr().err
    other_case = tmp_path / "other.db"
    shutil.copyfile(demo_path, other_case)  # a case under another name is still a case
    assert main(["export", "pdf", str(demo_path), str(other_case), "--force"]) == 1
    assert "is a case file" in capsys.readouterr().err
    assert demo_path.read_bytes() == case_bytes
    assert other_case.read_bytes() == case_bytes

    notes = tmp_path / "notes.pdf"
    notes.write_bytes(b"someone else's file")
    assert main(["export", "pdf", str(demo_path), str(notes)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"casefile: {notes} already exists: add --force to replace it"
    )
    assert notes.read_bytes() == b"someone else's file"
    assert main(["export", "pdf", str(demo_path), str(notes), "--force"]) == 0
    assert notes.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir() if not p.is_dir()) == [
        "notes.pdf",
        "other.db",
        "westminster-2017.casefile",
    ]


def test_a_file_that_appears_while_the_pack_is_set_is_not_replaced(
    demo: Case, tmp_path: Path
) -> None:
    out = tmp_path / "pack.pdf"

    def meanwhile(done: float) -> None:
        if done == 0.1:  # the case has been read; the pack is being set
            out.write_bytes(b"written meanwhile")

    with pytest.raises(AlreadyExists):
        demo.briefing.export(out, PackOptions(), meanwhile)
    assert out.read_bytes() == b"written meanwhile"
    assert [p.name for p in tmp_path.glob("*.pdf")] + [p.name for p in tmp_path.glob(".*")] == [
        "pack.pdf"
    ]


@pytest.mark.slow
def test_no_profile_heading_is_left_alone_at_the_foot_of_a_page(case: Case, tmp_path: Path) -> None:
    source = case.records.add(SourceFields(title="Court record"))
    summary = "The attackers struck at dawn and escaped before the police arrived. " * 3
    for number in range(60):
        attack = case.records.add(
            AttackFields(
                title=f"Profiled attack {number:02d}",
                date=PartialDate(2015, 1 + number % 12),
                summary=summary * (1 + number % 4),
            )
        )
        person = case.records.add(PersonFields(name=f"Attacker {number:02d}"))
        case.records.add(
            LinkFields(
                subject=person.id,
                relation=Relation.CARRIED_OUT,
                object=attack.id,
                citations=(source.id,),
            )
        )
    shown = frozenset({Section.ATTACKS, Section.SOURCES})
    pack = export(case, tmp_path / "profiles.pdf", sections=shown)
    pages = pages_text(pack)
    headings = 0
    for page in pages:
        lines = [" ".join(line.split()) for line in page.splitlines() if line.strip()]
        for index, line in enumerate(lines):
            if re.fullmatch(r"Profiled attack \d\d \[1\]", line):
                headings += 1
                # The fact box follows on the same page: its first label is DATE.
                assert any(later.startswith("DATE") for later in lines[index + 1 :]), page
    assert headings == 60
    assert len(pages) > 15


def test_sources_are_numbered_as_the_printed_pages_cite_them(cited: Case, tmp_path: Path) -> None:
    case = cited

    def text(*sections: Section) -> str:
        pack = export(case, tmp_path / "cited.pdf", sections=frozenset(sections))
        return " ".join(" ".join(page.split()) for page in pages_text(pack))

    timeline = text(Section.TIMELINE, Section.SOURCES)
    assert "Bridge attack [1]" in timeline
    assert "[1] Linked source" in timeline
    assert "Quoted source" not in timeline  # the quote is not printed: nor is its source
    charts_only = text(Section.CHARTS, Section.SOURCES)
    assert "Sources" not in charts_only  # charts cite nothing
    assert "cites its sources" not in charts_only
    unlisted = text(Section.TIMELINE)
    assert "Bridge attack" in unlisted
    assert "[1]" not in unlisted  # no list of sources, no marks pointing to it


def test_a_marking_and_title_in_any_script_are_on_every_page(case: Case, tmp_path: Path) -> None:
    case.describe(title="ملف قضية الدولة الإسلامية 2017", summary="A summary.")
    pages = pages_text(export(case, tmp_path / "arabic.pdf", marking="سري للغاية"))
    assert len(pages) > 2
    for page in pages:
        assert "سري للغاية" in page
        assert "الدولة" in page
    with pytest.raises(InvalidInput, match="give a handling marking"):
        PackOptions(marking="  ")
    with pytest.raises(InvalidInput, match="longer than 60"):
        PackOptions(marking="X" * 61)


def test_a_pack_has_the_usual_permissions_and_a_write_failure_is_one_line(
    demo: Case, tmp_path: Path
) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    out = export(demo, tmp_path / "pack.pdf")
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    with pytest.raises(KnownError, match="could not write"):
        demo.briefing.export(Path("/proc/pack.pdf"), PackOptions())


def test_numbers_after_arabic_words_stay_in_their_run() -> None:
    title = ["ملف", "قضية", "2017"]
    assert visual_order(title, levels(title, rtl=False)) == ["2017", "قضية", "ملف"]
    mixed = ["هجوم", "2017", "على", "123"]
    assert visual_order(mixed, levels(mixed, rtl=False)) == ["123", "على", "2017", "هجوم"]


@needs_poppler
@pytest.mark.slow
def test_a_pack_of_one_attack_is_about_that_attack_alone(demo: Case, tmp_path: Path) -> None:
    """Titled, headed, summarised and quoted for its scope; the case it comes from named
    once, on the cover."""
    [brussels] = [
        a.id
        for a in demo.listing.page(ListQuery(Kind.ATTACK)).records
        if a.label == "Brussels attacks"
    ]
    pack = export(demo, tmp_path / "brussels.pdf", scope=Scope(attacks=(brussels,)))
    assert pdfium.PdfDocument(pack).get_metadata_dict()["Title"] == "Brussels attacks"
    pages = pages_text(pack)
    cover = " ".join(pages[0].split())
    assert "SCOPE Chosen attacks (Brussels attacks): 1 attack" in cover
    assert "CASE Westminster attack, March 2017" in cover
    assert all(re.search(r"^\s*Brussels attacks\s+Page \d+ of \d+$", p, re.M) for p in pages)
    register = [p for p in pages if re.search(r"\d+ sources? cited", p)]  # titles as written
    between = " ".join(" ".join(p.split()) for p in pages[1:] if p not in register)
    assert "Westminster" not in between
    assert "drove a car into pedestrians" not in between  # the case's summary: of another attack
    assert "Brussels attacks: March 2016, An airport and a metro station" in between
    assert "Allah knows where it will be tomorrow" in between  # said around the attack
    assert "run [the enemy] over in your car" not in between  # said in 2014


@needs_poppler
@pytest.mark.slow
def test_a_pack_of_years_quotes_what_was_said_in_them(demo: Case, tmp_path: Path) -> None:
    scope = Scope(start=PartialDate(2016), end=PartialDate(2017))
    pages = pages_text(export(demo, tmp_path / "years.pdf", scope=scope))
    text = " ".join(" ".join(p.split()) for p in pages)
    assert "SCOPE Attacks from 2016 to 2017: 4 attacks from February 2016 to 22 March 2017" in text
    assert all(re.search(r"^\s*Attacks from 2016 to 2017\s+Page", p, re.M) for p in pages)
    assert "Canadian Parliament" not in text  # October 2014
    assert "run [the enemy] over in your car" not in text  # said in 2014
    assert "blood with blood" in text  # March 2017


@needs_poppler
def test_a_fact_box_cites_each_value_says_how_it_was_chosen_and_prints_the_conflict(
    case: Case, tmp_path: Path
) -> None:
    police = case.records.add(SourceFields(title="Police statement")).id
    paper = case.records.add(SourceFields(title="Early newspaper report")).id
    attack = case.records.add(
        AttackFields(
            title="Bridge attack", date=PartialDate(2017, 3, 22), wounded=Figure.exactly(40)
        )
    ).id
    case.facts.report(ReportFields(record=attack, fact="killed", value="5", source=paper))
    said = case.facts.report(ReportFields(record=attack, fact="killed", value="3", source=police))
    case.facts.assess(said.report.id, "the police count, a day later")
    case.facts.report(ReportFields(record=attack, fact="date", value="2017-03-22", source=police))
    pages = pages_text(
        export(case, tmp_path / "facts.pdf", sections=frozenset(Section) - {Section.SUMMARY})
    )
    box = " ".join(" ".join(p.split()) for p in pages)
    numbers = {
        title: int(number)
        for number, title in re.findall(r"\[(\d)\] (Police statement|Early newspaper report)", box)
    }
    police_n, paper_n = numbers["Police statement"], numbers["Early newspaper report"]
    assert f"KILLED 3 [{police_n}] (assessed)" in box
    assert f"also reported: 5 [{paper_n}]" in box
    assert f"DATE 22 March 2017 [{police_n}] (by rule)" in box
    assert "WOUNDED 40 (unsourced)" in box  # entered, reported by no source
    assert "CLAIMED unknown" in box  # unknown, one way


@needs_poppler
def test_key_judgements_come_first_in_yardstick_words_and_follow_the_scope(
    case: Case, tmp_path: Path
) -> None:
    article = case.records.add(SourceFields(title="Court record", reliability=Reliability.B))
    bridge = case.records.add(AttackFields(title="Bridge attack", date=PartialDate(2017, 3, 22)))
    market = case.records.add(AttackFields(title="Market attack", date=PartialDate(2016, 12, 19)))
    old = case.records.add(
        JudgementFields(
            statement="The attacker acted alone.",
            probability=Probability.UNLIKELY,
            concerns=(bridge.id,),
        )
    )
    new = case.records.add(
        JudgementFields(
            statement="The attacker acted alone, inspired by calls to attack.",
            probability=Probability.LIKELY,
            confidence=AnalyticConfidence.MODERATE,
            basis="the court record",
            rests_on=(article.id,),
            concerns=(bridge.id,),
        )
    )
    case.records.update(old.id, {"superseded_by": new.id})
    pages = pages_text(export(case, tmp_path / "kj.pdf"))
    front = " ".join(pages[2].split())  # after the cover and the contents
    assert front.startswith(
        "OFFICIAL-SENSITIVE Key judgements 1. The attacker acted alone, inspired"
    )
    assert "[1] Likely or probably (55–75%) · moderate confidence: the court record" in front
    assert "Remote chance 0–5%" in front  # the yardstick, beside them
    assert "The attacker acted alone. " not in front  # superseded
    scoped = pages_text(export(case, tmp_path / "market.pdf", scope=Scope(attacks=(market.id,))))
    assert "acted alone" not in " ".join(scoped)


@pytest.mark.slow
def test_a_quote_from_a_recording_cites_its_time_where_a_page_would_be(
    demo: Case, tmp_path: Path
) -> None:
    """ "p. 3" for a page, "at 0:01:02" for a time into a recording."""
    [quote] = [
        q
        for q in demo.listing.page(ListQuery(Kind.QUOTE, limit=100)).records
        if q.fields.text == "blood with blood"
    ]
    demo.records.update(quote.id, {"at": 62, "page": 3})

    text = " ".join(" ".join(p.split()) for p in pages_text(export(demo, tmp_path / "demo.pdf")))

    assert re.search(r"“blood with blood” — [^“]*p\. 3 · at 0:01:02 \[1 · F\]", text), text


@needs_poppler
def test_the_gaps_say_what_is_disputed_unsourced_and_unknown_disputes_first(
    demo_pack: Path,
) -> None:
    text = " ".join(" ".join(p.split()) for p in pages_text(demo_pack))
    gaps = text[text.index("Intelligence gaps Westminster attack") :]
    assert gaps.startswith("Intelligence gaps Westminster attack — reports disagree on: claimed;")
    assert (
        "Brussels attacks — no source reports: date, location, target types, status; "
        "not known: killed, wounded, claimed, attack types, weapon types."
    ) in gaps


def test_a_chart_leaves_unknown_counts_out_and_says_what_it_left_out() -> None:
    """An attack with 2 killed and no figure for the wounded adds nothing to the wounded
    bar (it was counted as none); a circa year is said to be approximate. The bars are
    also given in words (the chart's text equivalent), unknowns said as such."""
    from collections import Counter

    from casefile.briefing.charts import (
        _casualty_figures,
        _casualty_totals,
        _year_caption,
        _year_figures,
    )
    from casefile.briefing.content import AttackEntry

    def attack(
        killed: Figure | None, wounded: Figure | None, *, circa: bool = False
    ) -> AttackEntry:
        return AttackEntry(
            key="k",
            title="t",
            date="",
            year=2014,
            circa=circa,
            claimed_yes=False,
            claim_delay=None,
            location="",
            attack_types=("Bombing",),
            weapon_types="",
            killed=killed,
            wounded=wounded,
            claimed="",
            status="",
            summary="",
            ties=(),
            quotes=(),
            cites=(),
        )

    attacks = [
        attack(Figure.exactly(2), None),
        attack(Figure.exactly(1), Figure.exactly(10), circa=True),
        attack(None, Figure.exactly(5)),
    ]
    totals, note = _casualty_totals(attacks)
    assert {kind: [t.total for t in pair] for kind, pair in totals.items()} == {"Bombing": [3, 15]}
    assert _casualty_figures(totals) == (
        "In figures: Bombing, 3 killed (not known for 1 attack), "
        "15 wounded (not known for 1 attack)."
    )
    unknown, _ = _casualty_totals([attack(Figure.exactly(2), None)])
    assert _casualty_figures(unknown) == "In figures: Bombing, 2 killed, wounded not known."
    assert (
        _year_figures(Counter({2017: 2, 2014: 1}))
        == "In figures (year, attacks): 2014, 1; 2017, 2."
    )
    assert "1 attack with no figure for the killed left out of its bars." in note
    assert "1 attack with no figure for the wounded left out of its bars." in note
    assert "approximately (c.), shown in the year given: 2014 (1 attack)" in _year_caption(attacks)


@needs_poppler
def test_the_sources_are_a_register_with_a_count_by_grade_and_only_web_links(
    case: Case, tmp_path: Path
) -> None:
    import pypdf

    attack = case.records.add(AttackFields(title="Bridge attack", date=PartialDate(2017)))
    person = case.records.add(PersonFields(name="Khalid Masood"))
    web = case.records.add(
        SourceFields(title="Web report", reliability=Reliability.B, url="https://example.org/a")
    )
    odd = case.records.add(SourceFields(title="Odd note", url="javascript:alert(1)"))
    case.records.add(
        LinkFields(
            subject=person.id,
            relation=Relation.CARRIED_OUT,
            object=attack.id,
            citations=(web.id, odd.id),
        )
    )
    pack = export(case, tmp_path / "register.pdf")
    text = " ".join(" ".join(p.split()) for p in pages_text(pack))
    assert "2 sources cited: graded B 1; not graded 1." in text
    assert "javascript:alert(1)" in text  # printed as written, never a link
    uris = [
        annotation.get_object()["/A"].get("/URI")
        for page in pypdf.PdfReader(pack).pages
        for annotation in page.get("/Annots", [])
        if "/A" in annotation.get_object()
    ]
    assert [u for u in uris if u] == ["https://example.org/a"]


@needs_poppler
def test_key_quotes_are_a_ranked_handful_and_the_annex_holds_every_quote_whole(
    case: Case, tmp_path: Path
) -> None:
    good = case.records.add(SourceFields(title="Court record", reliability=Reliability.A)).id
    poor = case.records.add(SourceFields(title="Forum post", reliability=Reliability.E)).id
    for n in range(9):
        case.records.add(QuoteFields(text=f"Poorly sourced {n}", source=poor))
    long = "We will strike them where they feel safe. " * 80  # 3,360 characters
    case.records.add(
        QuoteFields(
            text=f"Well sourced. {long}Last words.", source=good, credibility=Credibility.CONFIRMED
        )
    )

    def sections(pack: Path) -> tuple[str, str]:
        text = " ".join(" ".join(p.split()) for p in pages_text(pack))
        start = text.index("Key quotes “")
        key = text[start : text.index("Sources ", start)]
        return key, text[text.index("Annex: every quote “") :]

    key, annex = sections(export(case, tmp_path / "quotes.pdf"))
    assert key.count("“") == 8  # a handful: the best graded first
    assert "“Well sourced. We will strike them" in key
    assert "(shortened: the whole quote is in the annex)" in key
    assert "Last words." not in key
    assert annex.count("“") == 10
    assert "Last words.”" in annex
    chosen = case.listing.page(ListQuery(Kind.QUOTE, text="Poorly sourced 3")).records[0]
    case.records.update(chosen.id, tags=("Key quote",))  # the analyst's choice wins
    key, annex = sections(export(case, tmp_path / "chosen.pdf"))
    assert key.count("“") == 1
    assert "“Poorly sourced 3”" in key
    assert annex.count("“") == 10


@needs_poppler
def test_whos_who_puts_subjects_apart_from_officials_and_militants_apart_from_agencies(
    demo_pack: Path,
) -> None:
    text = " ".join(" ".join(p.split()) for p in pages_text(demo_pack))
    people = text[text.index("People SUBJECTS") : text.index("Groups MILITANT GROUPS")]
    assert people.index("Westminster attacker") < people.index("OFFICIALS AND RESEARCHERS")
    assert people.index("OFFICIALS AND RESEARCHERS") < people.index("Andrew Parker")
    assert "Status: Unknown" not in people  # unknown, one way: "Status: unknown"
    groups = text[text.index("Groups MILITANT GROUPS") :]
    assert groups.index("ISIS") < groups.index("AGENCIES, POLICE, MEDIA AND RESEARCHERS")
    assert groups.index("AGENCIES, POLICE, MEDIA AND RESEARCHERS") < groups.index("MI5")


@needs_poppler
def test_a_profile_that_runs_onto_another_page_says_whose_it_is_there(
    case: Case, tmp_path: Path
) -> None:
    words = "The court heard how the cell planned the attack over several months. " * 12
    summary = "\n".join(f"{n}. {words}" for n in range(14))  # about three pages
    case.records.add(AttackFields(title="Long attack", date=PartialDate(2017), summary=summary))
    case.records.add(AttackFields(title="Short attack", date=PartialDate(2018)))
    pages = pages_text(export(case, tmp_path / "long.pdf", sections=frozenset({Section.ATTACKS})))
    profile = [p for p in pages if "The court heard" in p]
    assert len(profile) >= 3
    for page in profile[1:]:
        body = [line.strip() for line in page.splitlines() if line.strip()][1:]  # after the marking
        assert body[0] == "Long attack (continued)", body[:2]
    assert not any("Short attack (continued)" in p for p in pages)


def test_the_allah_ligature_copies_out_as_its_letters(case: Case, tmp_path: Path) -> None:
    """عبد الله is set with one glyph for "لله": a reader copying it, or searching the pack,
    gets the letters, by poppler and by PDFium alike (not a private-use character)."""
    case.records.add(GroupFields(name="عبد الله"))
    pack = export(case, tmp_path / "allah.pdf", sections=frozenset({Section.GROUPS}))
    pdf = pdfium.PdfDocument(pack)
    by_pdfium = " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    pdf.close()
    assert "عبد الله" in by_pdfium
    if POPPLER:
        assert "عبد الله" in " ".join(pages_text(pack))
    assert not any("\ue000" <= c <= "\uf8ff" for c in by_pdfium)


ARABIC_TITLE = (
    "الشرطة البريطانية تعلن أن منفذ الهجوم على البرلمان في لندن تصرف بمفرده ولم يكن على صلة "
    "بأي تنظيم إرهابي معروف حتى الآن"
)


def arabic_words(text: str) -> list[str]:
    """The Arabic words of ``text`` in the order poppler reads its lines (each in logical
    order): a title wrapped in a table cell reads whole only if its lines are in order."""
    return re.findall(r"[\u0600-\u06ff]+", text)


@needs_poppler
@pytest.mark.parametrize("section", [Section.TIMELINE, Section.SOURCES])
def test_a_right_to_left_title_wrapped_in_a_table_reads_in_order(
    case: Case, tmp_path: Path, section: Section
) -> None:
    source = case.records.add(SourceFields(title=ARABIC_TITLE))
    case.records.add(AttackFields(title=ARABIC_TITLE, date=PartialDate(2017, 3, 22)))
    case.records.add(QuoteFields(text="Said.", source=source.id))
    sections = frozenset({section, Section.QUOTES, Section.SOURCES})  # a quote cites it
    pages = pages_text(export(case, tmp_path / "rtl.pdf", sections=sections))
    [table] = [p for p in pages if section.label in {line.strip() for line in p.splitlines()}]
    assert len([line for line in table.splitlines() if arabic_words(line)]) > 1  # wrapped
    assert " ".join(arabic_words(table)) == ARABIC_TITLE


@needs_poppler
def test_a_name_in_another_script_is_printed_beside_the_name_not_among_the_aliases(
    case: Case, tmp_path: Path
) -> None:
    case.records.add(GroupFields(name="Islamic State", aliases=("ISIS", ISLAMIC_STATE)))
    case.records.add(GroupFields(name=URDU, aliases=("Lashkar-e-Taiba", "LeT")))
    pack = export(case, tmp_path / "names.pdf", sections=frozenset({Section.GROUPS}))
    marks = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e"))  # poppler's, per run
    text = " ".join(pages_text(pack)).translate(marks)
    lines = [" ".join(line.split()) for line in text.splitlines()]

    assert f"Islamic State {ISLAMIC_STATE}" in lines  # on the heading's line, in order
    assert "Also known as: ISIS · Kind: Other" in lines
    [heading] = [line for line in lines if "Lashkar-e-Taiba" in line]
    assert heading.startswith(URDU)  # its romanisation beside it, not an alias
    assert "Also known as: LeT · Kind: Other" in lines


def test_page_x_of_y_ends_at_the_right_margin(demo_pack: Path) -> None:
    from casefile.briefing.pages import MARGIN, PAGE_WIDTH

    pdf = pdfium.PdfDocument(demo_pack)
    for index in (1, len(pdf) - 1):
        text = pdf[index].get_textpage()
        label = f"Page {index + 1} of {len(pdf)}"
        found = text.search(label).get_next()
        assert found is not None, label
        first, count = found
        right = text.get_charbox(first + count - 1, loose=True)[2]
        assert abs(right - (PAGE_WIDTH - MARGIN)) < 1.0, (label, right)
    pdf.close()


def test_the_text_stops_clear_of_the_footer_and_leaves_no_line_alone(
    case: Case, tmp_path: Path
) -> None:
    from casefile.briefing.pages import MARGIN

    words = "The court heard how the cell planned the attack over several months. " * 9
    summary = "\n".join(f"{n}. {words}" for n in range(30))
    case.records.add(AttackFields(title="Long attack", date=PartialDate(2017), summary=summary))
    pdf = pdfium.PdfDocument(
        export(case, tmp_path / "foot.pdf", sections=frozenset({Section.ATTACKS}))
    )
    rule = MARGIN + 10  # the footer's rule
    for index in range(2, len(pdf) - 1):  # pages the summary fills
        text = pdf[index].get_textpage()
        bottoms = [text.get_charbox(i)[1] for i in range(text.count_chars())]
        body = [b for b in bottoms if b > rule]
        assert min(body) - rule > 10, index  # more than 10 pt clear
    pdf.close()


@needs_poppler
def test_the_summary_gives_the_figures_with_what_they_leave_out(demo_pack: Path) -> None:
    text = " ".join(" ".join(p.split()) for p in pages_text(demo_pack))
    assert (
        "In figures: 5 attacks; 5 killed in 3 of them (not known for 2); at least 24 wounded "
        "in 1 of them (not known for 4); 1 claimed, 1 day after the attack."
    ) in text


@needs_poppler
@pytest.mark.parametrize("sources_listed", [True, False])
def test_the_cover_gives_the_information_cut_off(
    demo: Case, tmp_path: Path, sources_listed: bool
) -> None:
    # Without its list of sources a pack prints no marks, but rests on the same sources.
    sections = frozenset(Section) - (set() if sources_listed else {Section.SOURCES})
    pack = export(demo, tmp_path / "cut-off.pdf", sections=sections)
    cover = " ".join(pages_text(pack)[0].split())
    assert "CUT-OFF 23 March 2017: the newest source this pack rests on" in cover


HANDLING_OPTIONS = [
    "--originator",
    "Home Office, RICU",
    "--reference",
    "HO/2027/114",
    "--distribution",
    "Private Office; Special Advisers",
    "--handling",
    "Not to be copied  or forwarded",
    "--review",
    "March 2027",
    "--contact",
    "desk@example.org",
]


def cover_lines(path: Path) -> list[str]:
    """The cover's lines, each with its runs of spaces made one."""
    return [" ".join(line.split()) for line in pages_text(path)[0].splitlines() if line.strip()]


@pytest.mark.slow
def test_the_handling_block_given_to_the_cli_is_on_the_cover_in_the_metadata_and_kept(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each field on the cover, labelled, and in the file's keywords after the marking;
    the next pack carries the block as the case keeps it, less what it is told to clear,
    and each change is one audited change of the case."""
    with open_case(demo_path, backups=False) as case:
        before = len(case.history.entries())
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    out = ["export", "pdf", str(demo_path)]
    assert main([*out, str(first), "--marking", "TLP:AMBER", *HANDLING_OPTIONS]) == 0
    said = [
        ("Originator", "Home Office, RICU"),
        ("Reference", "HO/2027/114"),
        ("Distribution", "Private Office; Special Advisers"),
        ("Handling", "Not to be copied or forwarded"),  # one line, as typed
        ("Review date", "March 2027"),
        ("Contact", "desk@example.org"),
    ]
    cover = cover_lines(first)
    for label, text in said:
        assert f"{label.upper()} {text}" in cover
    keywords = pdfium.PdfDocument(first).get_metadata_dict()["Keywords"]
    assert keywords == "; ".join(["TLP:AMBER", *(f"{label}: {text}" for label, text in said)])

    assert main([*out, str(second), "--contact", ""]) == 0, capsys.readouterr().err
    cover = cover_lines(second)
    assert [f"{label.upper()} {text}" in cover for label, text in said] == [True] * 5 + [False]
    assert "desk@example.org" not in pdfium.PdfDocument(second).get_metadata_dict()["Keywords"]
    with open_case(demo_path, backups=False) as case:
        assert case.briefing.handling() == Handling(
            originator="Home Office, RICU",
            reference="HO/2027/114",
            distribution="Private Office; Special Advisers",
            instructions="Not to be copied or forwarded",
            review=PartialDate(2027, 3),
        )
        changed = [e for e in case.history.entries()[before:] if e.kind == "case"]
    assert [(e.action, len(e.changes)) for e in changed] == [("update", 6), ("update", 1)]
    assert changed[0].changes["pack review date"] == [None, "2027-03"]
    assert changed[1].changes == {"pack contact": ["desk@example.org", ""]}


def test_a_review_date_that_is_not_a_date_is_refused_in_one_line_and_changes_nothing(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_case(demo_path, backups=False) as case:
        history = case.history.entries()
    out = tmp_path / "pack.pdf"
    args = ["export", "pdf", str(demo_path), str(out), "--originator", "Cabinet Office"]
    assert main([*args, "--review", "when it is ready"]) == 1
    assert capsys.readouterr().err == "casefile: --review: 'when it is ready' is not a date\n"
    assert not list(tmp_path.glob("*.pdf"))
    with open_case(demo_path, backups=False) as case:
        assert case.briefing.handling() == Handling()
        assert case.history.entries() == history


def recorded(path: Path) -> list[tuple[object, ...]]:
    """The packs a case file records, read from the file itself."""
    with closing(sqlite3.connect(path)) as raw:
        return raw.execute(
            "SELECT number, version, state_sha256, file_name FROM pack_version ORDER BY number"
        ).fetchall()


@pytest.mark.slow
def test_packs_are_versions_1_2_3_each_recorded_with_the_state_it_was_built_from(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two packs of an unchanged case share their state's hash (a handling block kept
    by the first is in the options, not a change); a change to the case makes another.
    The cover says which version it is, when it was built, and from when the case is."""
    reported = []
    for n, handling in ((1, ["--originator", "Home Office"]), (2, []), (3, [])):
        if n == 3:
            with open_case(demo_path, backups=False) as case:
                case.records.add(PersonFields(name="A new name"))
                newest = case.history.entries()[-1].at
        out = tmp_path / f"pack {n}.pdf"
        assert main(["export", "pdf", str(demo_path), str(out), *handling, "--json"]) == 0
        reported.append(json.loads(capsys.readouterr().out))
    assert [r["version"] for r in reported] == ["1", "2", "3"]
    hashes = [r["state_sha256"] for r in reported]
    assert hashes[0] == hashes[1] != hashes[2]
    assert recorded(demo_path) == [
        (n, str(n), sha, f"pack {n}.pdf") for n, sha in enumerate(hashes, start=1)
    ]
    cover = cover_lines(tmp_path / "pack 3.pdf")
    assert "VERSION 3" in cover
    with closing(sqlite3.connect(demo_path)) as raw:
        [(stored,)] = raw.execute("SELECT built_at FROM pack_version WHERE number = 3")
    built = datetime.fromisoformat(stored).replace(tzinfo=UTC)  # stored in UTC
    line = f"Version 3, built {moment(built)} from the case as of {moment(newest)}."
    assert line in " ".join(cover)
    with open_case(demo_path, backups=False) as case:
        exports = [e for e in case.history.entries() if e.action == "export"]
        assert case.briefing.next_version() == "4"
    assert [(e.kind, e.label) for e in exports] == [
        ("pack", f"version {n}: pack {n}.pdf") for n in (1, 2, 3)
    ]
    assert exports[2].changes["state sha256"] == [None, hashes[2]]


def test_a_typed_version_is_printed_and_recorded_as_typed(case: Case, tmp_path: Path) -> None:
    out = tmp_path / "draft.pdf"
    report = case.briefing.export(out, PackOptions(version="2.1 draft"))
    assert (report.version.number, report.version.version) == (1, "2.1 draft")
    assert "Version 2.1 draft, built " in " ".join(cover_lines(out))
    assert [row[:2] for row in recorded(case.path)] == [(1, "2.1 draft")]
    assert case.briefing.next_version() == "2"


def test_a_cancelled_refused_or_failed_export_records_no_version_and_keeps_nothing(
    demo: Case, tmp_path: Path
) -> None:
    """Whatever stops a pack before its file is in place leaves the case as it was: no
    version, no handling block kept, nothing in its history."""
    history = demo.history.entries()
    out = tmp_path / "pack.pdf"
    options = PackOptions(handling=Handling(originator="Home Office"))
    with pytest.raises(ExportCancelled):
        demo.briefing.export(out, options, cancelled=lambda: True)
    out.write_bytes(b"someone else's file")
    with pytest.raises(AlreadyExists):
        demo.briefing.export(out, options)

    def meanwhile(done: float) -> None:
        if done == 0.1:  # the case has been read; another pack takes number 1 meanwhile
            demo.briefing.export(tmp_path / "other.pdf", PackOptions())

    with pytest.raises(KnownError, match="another export recorded pack 1 of this case"):
        demo.briefing.export(tmp_path / "late.pdf", options, meanwhile)
    assert not (tmp_path / "late.pdf").exists()
    assert [row[::3] for row in recorded(demo.path)] == [(1, "other.pdf")]
    assert demo.briefing.handling() == Handling()
    assert [e.action for e in demo.history.entries()[len(history) :]] == ["export"]
    assert out.read_bytes() == b"someone else's file"


def test_a_pack_the_case_cannot_record_stays_written_and_says_so(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The commit that records a pack comes after its file is in place: if it fails (the
    case's disk is full), the pack is kept, whole, and the error says it was not
    recorded."""

    def full(session: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(engine, "index_pending", full)
    out = tmp_path / "pack.pdf"
    with pytest.raises(KnownError, match=r"pack\.pdf was written, but the case could not record"):
        case.briefing.export(out, PackOptions())
    monkeypatch.undo()
    assert out.read_bytes().startswith(b"%PDF")
    assert recorded(case.path) == []
    assert case.briefing.next_version() == "1"


def xmp_properties(path: Path) -> dict[str, str]:
    """The XMP packet of the PDF's catalog, each property as "prefix:Name" and its text
    (a list's items joined by " | ")."""
    prefixes = {uri: prefix for prefix, uri in metadata.NAMESPACES.items()}
    stream = PdfReader(path).root_object["/Metadata"].get_object()
    assert isinstance(stream, StreamObject)
    [description] = ElementTree.fromstring(stream.get_data()).iter(f"{{{RDF}}}Description")
    properties = {}
    for element in description:
        uri, name = element.tag[1:].split("}")
        items = [li.text or "" for li in element.iter(f"{{{RDF}}}li")]
        properties[f"{prefixes[uri]}:{name}"] = " | ".join(items) if items else element.text or ""
    return properties


RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def test_the_marking_handling_block_and_version_are_in_the_xmp_metadata(
    case: Case, tmp_path: Path
) -> None:
    """As well as the Info dictionary: each in a property of its own, and text that XML
    must escape (or cannot hold) kept readable. (The demo pack, with its packet, passes
    qpdf's check: ``test_the_demo_pack_passes_qpdf``.)"""
    out = tmp_path / "pack.pdf"
    handling = Handling(
        originator="Crown & <Home> Office",
        reference="HO/2027/114",
        instructions="Not to be copied\x01",
        review=PartialDate(2027, 3, circa=True),
    )
    options = PackOptions(
        marking="TLP:AMBER+STRICT", author="A. Analyst", version="2 (final)", handling=handling
    )
    case.briefing.export(out, options, now=datetime(2027, 1, 5, 9, 30, tzinfo=UTC))
    said = [
        "TLP:AMBER+STRICT",
        "Originator: Crown & <Home> Office",
        "Reference: HO/2027/114",
        "Handling: Not to be copied\ufffd",  # a control character: not even escaped
        "Review date: c. March 2027",
    ]
    assert xmp_properties(out) == {
        "dc:format": "application/pdf",
        "dc:title": case.info().title,
        "dc:creator": "A. Analyst",
        "dc:description": "Briefing pack — TLP:AMBER+STRICT",
        "dc:subject": " | ".join(said),
        "pdf:Keywords": "; ".join(said),
        "xmp:CreatorTool": "Casefile",
        "xmp:CreateDate": "2027-01-05T09:30:00+00:00",
        "xmpMM:VersionID": "2 (final)",
        "casefile:Marking": "TLP:AMBER+STRICT",
        "casefile:Originator": "Crown & <Home> Office",
        "casefile:Reference": "HO/2027/114",
        "casefile:Handling": "Not to be copied\ufffd",
        "casefile:ReviewDate": "2027-03~",
    }
