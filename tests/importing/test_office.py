"""Office documents and e-books: RTF, OpenDocument, Excel, PowerPoint and EPUB read whole.

Each file is made by the format's own library where it has one (openpyxl, xlwt,
python-pptx) or written as the format's specification shows (RTF, OpenDocument, EPUB),
then read through ``extract`` as an import reads it.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

import pytest

from casefile.domain.dates import PartialDate
from casefile.domain.formats import Format
from casefile.importing.extract.detect import detect
from casefile.importing.extract.dispatch import extract
from casefile.importing.extract.model import Damaged, Unsupported

# --- RTF --------------------------------------------------------------------------------

RTF = rb"""{\rtf1\ansi\ansicpg1256\deff0{\fonttbl{\f0 Arial;}}
{\info{\title Claim of responsibility}{\author Amaq Agency}{\subject Westminster}
{\creatim\yr2017\mo3\dy23\hr10\min15}}
\f0 \'c8\'ed\'c7\'e4 \par
The attacker was a soldier of the Islamic State.\par
Quoted: \u8220?blood with blood\u8221?\par
}"""


def test_an_rtf_document_reads_in_its_code_page_with_its_info_group() -> None:
    found = extract(RTF, "statement.rtf")

    assert found.format is Format.RTF
    assert found.title == "Claim of responsibility"
    assert found.authors == ("Amaq Agency",)
    assert found.pages[0].splitlines() == [
        "بيان",  # cp1256, as \ansicpg1256 says
        "The attacker was a soldier of the Islamic State.",
        "Quoted: “blood with blood”",
    ]
    assert found.metadata["Subject"] == "Westminster"
    assert found.metadata["Created"] == "2017-03-23 10:15"
    assert found.published is None  # when the file was made, not when it was published
    assert "Claim of responsibility" not in found.pages[0]  # the info group is not text


# --- OpenDocument -----------------------------------------------------------------------

ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
)
META = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta {ODF_NS}><office:meta>
<dc:title>Threat assessment</dc:title><meta:initial-creator>Ops Analyst</meta:initial-creator>
<meta:creation-date>2017-03-24T09:00:00</meta:creation-date><dc:language>en-GB</dc:language>
<meta:keyword>Westminster</meta:keyword><meta:keyword>vehicle</meta:keyword>
</office:meta></office:document-meta>"""


def make_odf(
    kind: str, body: str, *, extra: dict[str, bytes] | None = None, mimetype: str = ""
) -> bytes:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF_NS}>'
        f"<office:body><office:{kind}>{body}</office:{kind}></office:body>"
        "</office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        said = mimetype or f"application/vnd.oasis.opendocument.{kind}"
        package.writestr("mimetype", said, zipfile.ZIP_STORED)
        package.writestr("content.xml", content)
        package.writestr("meta.xml", META)
        for name, data in (extra or {}).items():
            package.writestr(name, data)
    return out.getvalue()


ODT_BODY = """
<text:h text:outline-level="1">Westminster attack</text:h>
<text:p>The attacker drove<text:s text:c="2"/>onto the bridge<text:note text:note-class="footnote">
<text:note-citation>1</text:note-citation><text:note-body><text:p>Police statement, 23 March.
</text:p></text:note-body></text:note>.</text:p>
<text:p>He was shot<office:annotation><dc:creator>Rita</dc:creator><text:p>Check the time.</text:p>
</office:annotation> at 14:41.<text:line-break/>Second line.</text:p>
<table:table table:name="Casualties"><table:table-row>
<table:table-cell table:number-columns-spanned="2"><text:p>Killed</text:p></table:table-cell>
<table:covered-table-cell/><table:table-cell><text:p>5</text:p></table:table-cell></table:table-row>
</table:table>
<text:tracked-changes><text:changed-region text:id="c1"><text:deletion>
<text:p>Four people died.</text:p></text:deletion></text:changed-region></text:tracked-changes>
"""


def test_an_opendocument_text_reads_whole_with_notes_comments_and_deletions() -> None:
    found = extract(make_odf("text", ODT_BODY), "assessment.odt")

    assert found.format is Format.ODT
    assert found.title == "Threat assessment"
    assert found.authors == ("Ops Analyst",)
    assert found.language == "en-GB"
    assert found.metadata["Keywords"] == "Westminster, vehicle"
    assert found.metadata["Created"] == "2017-03-24T09:00:00"
    assert found.published is None
    assert found.pages[0].splitlines() == [
        "Westminster attack",
        "The attacker drove  onto the bridge[1].",
        "He was shot at 14:41.",
        "Second line.",
        "Killed\t5",  # the merged cell once
        "",
        "Note 1: Police statement, 23 March.",
        "Comment (Rita): Check the time.",
        "Deleted: Four people died.",
    ]


def test_a_spreadsheet_is_read_a_sheet_a_section() -> None:
    body = """
<table:table table:name="2017"><table:table-row><table:table-cell><text:p>City</text:p>
</table:table-cell><table:table-cell><text:p>Killed</text:p></table:table-cell>
<table:table-cell table:number-columns-repeated="16000"/></table:table-row>
<table:table-row><table:table-cell><text:p>London</text:p></table:table-cell>
<table:table-cell office:value-type="float" office:value="5"><text:p>5</text:p>
</table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="1048570"><table:table-cell/></table:table-row>
</table:table>
<table:table table:name="2016"><table:table-row><table:table-cell><text:p>Brussels</text:p>
</table:table-cell></table:table-row></table:table>"""
    found = extract(make_odf("spreadsheet", body), "casualties.ods")

    assert found.format is Format.ODS
    assert found.pages == ("2017\nCity\tKilled\nLondon\t5", "2016\nBrussels")


def test_a_presentation_is_read_a_slide_a_section_with_its_speaker_notes() -> None:
    body = """
<draw:page draw:name="one"><draw:frame><draw:text-box><text:p>Westminster, 22 March 2017</text:p>
</draw:text-box></draw:frame><presentation:notes><draw:frame><draw:text-box>
<text:p>Say the figures are early.</text:p></draw:text-box></draw:frame></presentation:notes>
</draw:page>
<draw:page draw:name="two"><draw:frame><draw:text-box><text:p>Questions</text:p>
</draw:text-box></draw:frame></draw:page>"""
    found = extract(make_odf("presentation", body), "briefing.odp")

    assert found.format is Format.ODP
    assert found.pages == (
        "Westminster, 22 March 2017\n\nSpeaker notes:\nSay the figures are early.",
        "Questions",
    )


def test_an_opendocument_entity_bomb_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<x>&b;</x>"
    )
    data = make_odf("text", "<text:p>x</text:p>", extra={"styles.xml": bomb})
    with pytest.raises(Damaged, match=r"styles\.xml declares a document type"):
        extract(data, "memo.odt")


def test_another_kind_of_opendocument_is_named() -> None:
    data = make_odf(
        "text", "<text:p>x</text:p>", mimetype="application/vnd.oasis.opendocument.graphics"
    )
    with pytest.raises(Unsupported, match="an OpenDocument file of another kind"):
        detect(data, "drawing.odg")


# --- Excel ------------------------------------------------------------------------------


def test_an_excel_workbook_is_read_a_sheet_a_section_with_values_as_shown() -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Attacks"
    sheet.append(["Date", "City", "Killed", "Note"])
    sheet.append([date(2017, 3, 22), "London", 5, None])
    sheet.append([datetime(2016, 3, 22, 7, 58), "Brussels", 32.0, "two sites"])
    sheet.append([None, None, None, None])
    sheet["C5"] = "=SUM(C2:C3)"  # a formula: its last value is read, never run again
    other = book.create_sheet("Sources")
    other.append(["BBC", "A2"])
    book.properties.title = "Attacks 2016-2017"
    book.properties.creator = "Rita Analyst"
    out = io.BytesIO()
    book.save(out)

    found = extract(out.getvalue(), "attacks.xlsx")

    assert found.format is Format.XLSX
    assert found.title == "Attacks 2016-2017"
    assert found.authors == ("Rita Analyst",)
    assert found.pages == (
        "Attacks\nDate\tCity\tKilled\tNote\n2017-03-22\tLondon\t5\n"
        "2016-03-22 07:58\tBrussels\t32\ttwo sites",  # no value was ever computed for C5
        "Sources\nBBC\tA2",
    )
    assert "Created" in found.metadata
    assert found.published is None


def test_an_old_excel_workbook_is_read_with_its_dates_as_dates() -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Hujum")
    dated = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for column, value in enumerate(("Date", "Place", "Killed")):
        sheet.write(0, column, value)
    sheet.write(1, 0, datetime(2017, 3, 22), dated)
    sheet.write(1, 1, "لندن")
    sheet.write(1, 2, 5)
    out = io.BytesIO()
    book.save(out)

    found = extract(out.getvalue(), "attacks.xls")

    assert found.format is Format.XLS
    assert found.pages == ("Hujum\nDate\tPlace\tKilled\n2017-03-22\tلندن\t5",)


def test_other_old_office_files_are_named() -> None:
    data = _compound_file("WordDocument")  # written by hand: no library here writes one
    with pytest.raises(Unsupported, match="unsupported format: Word 97-2003 document"):
        detect(data, "memo.doc")


def _compound_file(stream: str) -> bytes:
    """A minimal OLE2 compound file holding one empty stream named ``stream``."""
    sector = 512
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x18:0x1A] = (0x3E).to_bytes(2, "little")  # minor version
    header[0x1A:0x1C] = (3).to_bytes(2, "little")  # major version 3: 512-byte sectors
    header[0x1C:0x1E] = b"\xfe\xff"  # little-endian
    header[0x1E:0x20] = (9).to_bytes(2, "little")  # sector shift
    header[0x20:0x22] = (6).to_bytes(2, "little")  # mini sector shift
    header[0x2C:0x30] = (1).to_bytes(4, "little")  # one FAT sector
    header[0x30:0x34] = (1).to_bytes(4, "little")  # directory at sector 1
    header[0x38:0x3C] = (4096).to_bytes(4, "little")  # mini stream cutoff
    header[0x3C:0x40] = (0xFFFFFFFE).to_bytes(4, "little")  # no mini FAT
    header[0x44:0x48] = (0xFFFFFFFE).to_bytes(4, "little")  # no DIFAT sectors
    header[0x4C:0x50] = (0).to_bytes(4, "little")  # the FAT is sector 0
    for i in range(1, 109):
        header[0x4C + 4 * i : 0x50 + 4 * i] = (0xFFFFFFFF).to_bytes(4, "little")
    fat = bytearray(b"\xff" * sector)
    fat[0:4] = (0xFFFFFFFD).to_bytes(4, "little")  # sector 0: the FAT itself
    fat[4:8] = (0xFFFFFFFE).to_bytes(4, "little")  # sector 1: the directory, one sector
    directory = bytearray(sector)

    def entry(at: int, name: str, kind: int, child: int) -> None:
        encoded = (name + "\0").encode("utf-16-le")
        directory[at : at + len(encoded)] = encoded
        directory[at + 0x40 : at + 0x42] = len(encoded).to_bytes(2, "little")
        directory[at + 0x42] = kind
        directory[at + 0x43] = 1  # black
        for offset in (0x44, 0x48):
            directory[at + offset : at + offset + 4] = (0xFFFFFFFF).to_bytes(4, "little")
        directory[at + 0x4C : at + 0x50] = child.to_bytes(4, "little", signed=child < 0)
        directory[at + 0x74 : at + 0x78] = (0xFFFFFFFE).to_bytes(4, "little")

    entry(0, "Root Entry", 5, 1)
    entry(128, stream, 2, -1)
    for at in (256, 384):  # unused entries
        directory[at + 0x44 : at + 0x50] = b"\xff" * 12
    return bytes(header + fat + directory)


# --- PowerPoint -------------------------------------------------------------------------


def test_a_powerpoint_presentation_is_read_a_slide_a_section() -> None:
    import pptx
    from pptx.util import Inches

    deck = pptx.Presentation()
    deck.core_properties.title = "Briefing: Westminster"
    deck.core_properties.author = "Ops Analyst"
    first = deck.slides.add_slide(deck.slide_layouts[1])
    assert first.shapes.title is not None
    first.shapes.title.text = "What happened"
    first.placeholders[1].text = "A car, then a knife.\nFive dead."
    table = first.shapes.add_table(2, 2, Inches(1), Inches(4), Inches(4), Inches(1)).table
    table.cell(0, 0).merge(table.cell(0, 1))
    table.cell(0, 0).text = "Casualties"
    table.cell(1, 0).text = "Killed"
    table.cell(1, 1).text = "5"
    first.notes_slide.notes_text_frame.text = "Early figures."
    second = deck.slides.add_slide(deck.slide_layouts[5])
    assert second.shapes.title is not None
    second.shapes.title.text = "Questions"
    out = io.BytesIO()
    deck.save(out)

    found = extract(out.getvalue(), "briefing.pptx")

    assert found.format is Format.PPTX
    assert found.title == "Briefing: Westminster"
    assert found.authors == ("Ops Analyst",)
    assert found.pages == (
        "What happened\nA car, then a knife.\nFive dead.\nCasualties\nKilled\t5"
        "\n\nSpeaker notes:\nEarly figures.",
        "Questions",
    )


# --- EPUB -------------------------------------------------------------------------------


EPUB_NS = (
    'xmlns="http://www.idpf.org/2007/opf" xmlns:opf="http://www.idpf.org/2007/opf" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"'
)
CHAPTERS = ("<h1>One</h1><p>Radicalisation began online.</p>", "<h1>Two</h1><p>The attack.</p>")


def zip_epub(opf: str, parts: dict[str, str], *, opf_at: str = "EPUB/content.opf") -> bytes:
    """An EPUB as OCF lays one out: ``mimetype`` first and stored, the container naming the
    package document ``opf`` (at ``opf_at``), then the book's ``parts`` by their names."""
    container = (
        '<?xml version="1.0"?><container version="1.0" '
        'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
        f'<rootfile full-path="{opf_at}" media-type="application/oebps-package+xml"/>'
        "</rootfiles></container>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("mimetype", "application/epub+zip", zipfile.ZIP_STORED)
        package.writestr("META-INF/container.xml", container)
        package.writestr(opf_at, opf)
        for name, text in parts.items():
            package.writestr(name, text)
    return out.getvalue()


def package_document(metadata: str, manifest: str, spine: str) -> str:
    """An EPUB 3 package document (OPF); each argument is its element's content."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?><package {EPUB_NS} version="3.0" '
        f'unique-identifier="id"><metadata>{metadata}</metadata>'
        f"<manifest>{manifest}</manifest><spine>{spine}</spine></package>"
    )


def xhtml(title: str, body: str) -> str:
    """An XHTML content document, as EPUB 3 has them."""
    return (
        "<?xml version='1.0' encoding='utf-8'?>\n<!DOCTYPE html>\n"
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
        f"<head><title>{title}</title></head><body>{body}</body></html>"
    )


def chapters(*hrefs: str) -> tuple[str, str]:
    """The manifest items and spine entries of chapters at ``hrefs``, in reading order."""
    items = "".join(
        f'<item id="c{n}" href="{href}" media-type="application/xhtml+xml"/>'
        for n, href in enumerate(hrefs)
    )
    return items, "".join(f'<itemref idref="c{n}"/>' for n in range(len(hrefs)))


def make_epub(date_said: str) -> bytes:
    """An EPUB 3 laid out as ebooklib writes one: a nav document and an NCX beside the
    chapters, the time the file was modified in its metadata."""
    metadata = (
        '<meta property="dcterms:modified">2026-12-08T01:58:28Z</meta>'
        '<dc:identifier id="id">urn:isbn:9780000000000</dc:identifier>'
        "<dc:title>The Road to Westminster</dc:title><dc:language>en</dc:language>"
        '<dc:creator id="creator">A. Researcher</dc:creator>'
        f"<dc:publisher>Example Press</dc:publisher><dc:date>{date_said}</dc:date>"
    )
    items, spine = chapters("ch1.xhtml", "ch2.xhtml")
    nav = '<ol><li><a href="ch1.xhtml">One</a></li><li><a href="ch2.xhtml">Two</a></li></ol>'
    return zip_epub(
        package_document(
            metadata,
            f'{items}<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
            '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" '
            'properties="nav"/>',
            spine,
        ),
        {
            **{
                f"EPUB/ch{n}.xhtml": xhtml(f"Chapter {n}", f"{text}<nav>Contents</nav>")
                for n, text in enumerate(CHAPTERS, start=1)
            },
            "EPUB/toc.ncx": '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"/>',
            "EPUB/nav.xhtml": xhtml("Contents", f'<nav epub:type="toc">{nav}</nav>'),
        },
    )


@pytest.mark.parametrize(
    ("said", "published"),
    [
        ("0101-01-01T00:00:00+00:00", None),  # Calibre's placeholder for no date
        ("2017", PartialDate(2017)),
        ("2017-03", PartialDate(2017, 3)),
        ("2019-06-01T00:00:00Z", PartialDate(2019, 6, 1)),
        ("Spring 2017", None),
    ],
)
def test_an_epub_is_read_a_chapter_a_section_with_its_date_as_stated(
    said: str, published: PartialDate | None
) -> None:
    found = extract(make_epub(said), "book.epub")

    assert found.format is Format.EPUB
    assert found.title == "The Road to Westminster"
    assert found.authors == ("A. Researcher",)
    assert found.publisher == "Example Press"
    assert found.language == "en"
    assert found.published == published
    if published is None:
        assert found.metadata["Date in the file"] == said
    assert found.pages == (
        "One\nRadicalisation began online.\nContents",  # a book's every word is kept
        "Two\nThe attack.\nContents",
    )


def test_an_epub_3_is_not_dated_by_when_its_file_was_last_modified() -> None:
    """dcterms:modified is when the file changed, not a date of the book; the nav document
    outside the spine is no chapter, and a remote resource (a font, as EPUB 3 allows) is
    never fetched nor missed."""
    items, spine = chapters("ch1.xhtml")
    opf = package_document(
        '<dc:title>Dabiq 15</dc:title><dc:language>en</dc:language><dc:identifier id="id">x'
        '</dc:identifier><meta property="dcterms:modified">2016-07-31T12:00:00Z</meta>',
        f'{items}<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" '
        'properties="nav"/><item id="font" href="https://fonts.example.org/serif.woff2" '
        'media-type="font/woff2"/>',
        spine,
    )
    parts = {
        "OEBPS/ch1.xhtml": xhtml("One", CHAPTERS[0]),
        "OEBPS/nav.xhtml": xhtml("Contents", '<nav epub:type="toc"><ol><li>One</li></ol></nav>'),
    }

    found = extract(zip_epub(opf, parts, opf_at="OEBPS/content.opf"), "dabiq.epub")

    assert found.title == "Dabiq 15"
    assert found.published is None
    assert "Date in the file" not in found.metadata
    assert found.pages == ("One\nRadicalisation began online.",)
    assert found.warnings == ()


def test_a_chapter_missing_from_an_epub_is_warned_and_the_others_read() -> None:
    items, spine = chapters("ch1.xhtml", "ch2.xhtml", "ch3.xhtml")
    opf = package_document("<dc:title>Torn</dc:title>", items, spine)
    parts = {"EPUB/ch1.xhtml": xhtml("1", CHAPTERS[0]), "EPUB/ch3.xhtml": xhtml("3", CHAPTERS[1])}

    found = extract(zip_epub(opf, parts), "torn.epub")

    assert found.pages == ("One\nRadicalisation began online.", "Two\nThe attack.")
    assert found.warnings == ("chapter EPUB/ch2.xhtml is not in the file: its text was not read",)


def test_epub_hrefs_are_read_from_the_package_folder_percent_decoded() -> None:
    """As Sigil lays a book out, with spaces in its file names: the spine, not the
    manifest, gives the order."""
    items, spine = chapters("Text/ch%201.xhtml", "Text/ch%202.xhtml")
    opf = package_document(
        "<dc:title>Spaced</dc:title>",
        '<item id="nav" href="Text/table%20of%20contents.xhtml" '
        f'media-type="application/xhtml+xml" properties="nav"/>{items}',
        spine,
    )
    parts = {
        "OEBPS/Text/ch 2.xhtml": xhtml("2", CHAPTERS[1]),
        "OEBPS/Text/ch 1.xhtml": xhtml("1", CHAPTERS[0]),
        "OEBPS/Text/table of contents.xhtml": xhtml("Contents", '<nav epub:type="toc"><ol/></nav>'),
    }

    found = extract(zip_epub(opf, parts, opf_at="OEBPS/content.opf"), "spaced.epub")

    assert found.pages == ("One\nRadicalisation began online.", "Two\nThe attack.")
    assert found.warnings == ()


def test_an_entity_bomb_in_an_epub_chapter_is_refused_whatever_its_name() -> None:
    """.xht is XHTML's other extension: what is read is checked, not only what is named
    as XML."""
    items, spine = chapters("ch1.xht")
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE html [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><html><body><p>&b;</p></body></html>'
    )
    book = zip_epub(package_document("", items, spine), {"EPUB/ch1.xht": bomb})

    with pytest.raises(Damaged) as refused:
        extract(book, "bomb.epub")

    assert str(refused.value) == (
        "damaged EPUB e-book: EPUB/ch1.xht declares a document type, which can hide an "
        "entity bomb (refused)"
    )


def test_an_epub_package_document_not_well_formed_is_read_as_repaired_and_said() -> None:
    items, spine = chapters("ch1.xhtml")
    opf = package_document(
        "<dc:title>Arms and the Man</dc:title><dc:publisher>Smith & Sons</dc:publisher>",
        items,
        spine,
    )

    found = extract(zip_epub(opf, {"EPUB/ch1.xhtml": xhtml("1", CHAPTERS[0])}), "arms.epub")

    assert found.title == "Arms and the Man"
    assert found.pages == ("One\nRadicalisation began online.",)
    assert found.warnings == (
        "EPUB/content.opf is not well-formed XML (xmlParseEntityRef: no name, line 1): it "
        "was read as the parser repaired it",
    )


def container_alone() -> bytes:
    """An EPUB whose container names no package document: nothing says where the book is."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("mimetype", "application/epub+zip", zipfile.ZIP_STORED)
        package.writestr(
            "META-INF/container.xml",
            '<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container"/>',
        )
    return out.getvalue()


@pytest.mark.parametrize(
    ("book", "reason"),
    [
        (zip_epub("", {}), "EPUB/content.opf is not XML"),
        (
            zip_epub(package_document("", "", "").replace("<spine></spine>", ""), {}),
            "its package document has no spine (reading order)",
        ),
        (container_alone(), "META-INF/container.xml names no package document in the file"),
    ],
)
def test_a_damaged_epub_says_why_in_a_line(book: bytes, reason: str) -> None:
    with pytest.raises(Damaged) as refused:
        extract(book, "damaged.epub")

    assert str(refused.value) == f"damaged EPUB e-book: {reason}"


def test_formats_are_told_by_content_not_by_name() -> None:
    assert detect(RTF, "statement.txt") is Format.RTF
    assert detect(make_odf("text", "<text:p>x</text:p>"), "memo.zip") is Format.ODT
    assert detect(make_epub("2017"), "book.zip") is Format.EPUB
    assert re.search("OpenDocument", Format.ODS.label)


def test_repeats_within_repeats_are_bounded_and_said() -> None:
    """A 500-byte spreadsheet whose repeated cells hold tables of repeated cells made
    3.3 GB of text; what is written out is bounded, and the cut is said."""
    inner = (
        '<table:table-row table:number-rows-repeated="100"><table:table-cell '
        'table:number-columns-repeated="100"><text:p>xxxxxxxxxx</text:p></table:table-cell>'
        "</table:table-row>"
    )
    nested = (
        '<table:table-row table:number-rows-repeated="100"><table:table-cell '
        f'table:number-columns-repeated="100"><table:table>{inner}</table:table>'
        "</table:table-cell></table:table-row>"
    )
    found = extract(
        make_odf("spreadsheet", f'<table:table table:name="S">{nested * 3}</table:table>'), "x.ods"
    )

    assert len(found.pages[0]) < 25_000_000
    assert found.warnings == (
        "its repeated rows and cells make more text than is read: the rest was not read",
    )


def test_a_repeat_of_zero_or_less_counts_once() -> None:
    body = (
        '<table:table table:name="S"><table:table-row table:number-rows-repeated="0">'
        '<table:table-cell table:number-columns-repeated="-1"><text:p>SECRET</text:p>'
        "</table:table-cell><table:table-cell><text:p>b</text:p></table:table-cell>"
        "</table:table-row></table:table>"
    )
    assert extract(make_odf("spreadsheet", body), "x.ods").pages == ("S\nSECRET\tb",)
