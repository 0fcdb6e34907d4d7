"""Document extraction on real files, made here: every format, every refusal, never a fetch.

The autouse ``no_network`` fixture makes any socket use fail the test, which is what proves
that saved pages full of scripts, remote images and tracking pixels are read offline.
"""

from __future__ import annotations

import io
import pickle
import quopri
import re
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import docx
import pypdf
import pypdfium2 as pdfium
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf.generic import NameObject, StreamObject
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from casefile.briefing.fonts import SANS
from casefile.briefing.fonts import register as register_fonts
from casefile.domain.dates import PartialDate
from casefile.domain.errors import InvalidInput
from casefile.domain.formats import Format
from casefile.importing.extract import (
    Damaged,
    Extracted,
    PasswordRequired,
    TooLarge,
    Unsupported,
    detect,
    dispatch,
)
from casefile.importing.extract.dispatch import extract
from casefile.importing.sandbox import Limits, Sandbox, TaskFailed

# --- PDF ------------------------------------------------------------------------------------


def make_pdf(
    pages: list[str],
    *,
    title: str = "",
    author: str = "",
    encrypt: StandardEncryption | None = None,
    draw: Callable[[canvas.Canvas], None] | None = None,
) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, encrypt=encrypt, lang="en-GB")
    pdf.setTitle(title)
    pdf.setAuthor(author)
    pdf.setProducer("Example Press typesetting")
    for text in pages:
        for number, line in enumerate(text.split("\n")):
            pdf.drawString(72, 720 - 16 * number, line)
        if draw:
            draw(pdf)
        pdf.showPage()
    pdf.save()
    # ReportLab stamps the current time; a fixed one makes the date assertable.
    return re.sub(rb"D:\d{14}", b"D:20170322101500", out.getvalue())


def test_pdf_text_per_page_and_document_information() -> None:
    data = make_pdf(
        ["Page one: the attack began at 14:40.", "Page two: Zoë — a witness.", "Page three."],
        title="Westminster attack: timeline",
        author="Rita Katz; Jane Doe",
    )

    result = extract(data, "timeline.pdf")

    assert result.format is Format.PDF
    assert result.media_type == "application/pdf"
    assert result.pages == (
        "Page one: the attack began at 14:40.",
        "Page two: Zoë — a witness.",
        "Page three.",
    )
    assert result.title == "Westminster attack: timeline"
    assert result.authors == ("Rita Katz", "Jane Doe")
    assert result.published is None  # made on that day: not published on it (notes say so)
    assert result.language == "en-GB"
    assert not result.needs_ocr
    assert result.metadata["Producer"] == "Example Press typesetting"
    assert result.metadata["Created"] == "2017-03-22 10:15:00 +00:00"
    assert pickle.loads(pickle.dumps(result)) == result  # it travels back from worker processes


def test_an_encrypted_pdf_opens_only_with_its_password() -> None:
    data = make_pdf(["Confidential briefing"], encrypt=StandardEncryption("s3cret", "owner"))

    with pytest.raises(PasswordRequired, match="none was given"):
        extract(data, "briefing.pdf")
    with pytest.raises(PasswordRequired, match="the one given is wrong"):
        extract(data, "briefing.pdf", password="guess")
    assert extract(data, "briefing.pdf", password="s3cret").pages == ("Confidential briefing",)


def test_a_pdf_without_a_text_layer_needs_ocr() -> None:
    def scanned_page(pdf: canvas.Canvas) -> None:
        pdf.rect(72, 72, 400, 600, fill=1)

    result = extract(make_pdf(["", ""], draw=scanned_page), "scan.pdf")

    assert result.needs_ocr
    assert result.pages == ("", "")


def test_a_pdfs_notes_and_filled_in_form_are_read_beside_the_page_and_labelled() -> None:
    def annotated(pdf: canvas.Canvas) -> None:
        pdf.textAnnotation("Check the casualty figure", Rect=(72, 600, 200, 650), addtopage=1)
        pdf.acroForm.textfield(name="suspect", value="Khalid Masood", x=72, y=500, width=200)
        pdf.acroForm.textfield(name="empty", value="", x=72, y=400, width=200)

    result = extract(make_pdf(["Witness statement"], draw=annotated), "form.pdf")

    assert result.pages[0].splitlines() == [
        "Witness statement",
        "",
        "Annotation: Check the casualty figure",
        "Form field suspect: Khalid Masood",
    ]


def fake_bold(pdf: canvas.Canvas, text: str, y: float, font: str = "Helvetica") -> None:
    """``text`` as some writers make bold: each glyph printed, then printed again a point
    to its right, as a text run of its own (PDFium keeps the narrow glyphs' repeats)."""
    words = pdf.beginText(72, y)
    words.setFont(font, 12)
    for glyph in text:
        words.setCharSpace(1 - pdf.stringWidth(glyph, font, 12))
        words.textOut(glyph)
        words.setCharSpace(0)
        words.textOut(glyph)
    pdf.drawText(words)


def fake_bold_in_one_run(pdf: canvas.Canvas, text: str, y: float) -> None:
    """The same in one TJ (PDFium keeps every repeat: "MMuunniicciippaall"), in ReportLab's
    first font, Helvetica (/F1)."""
    back = {g: (pdf.stringWidth(g, "Helvetica", 12) - 1) * 1000 / 12 for g in text}  # to +1 pt
    pairs = " ".join(f"({g}) {back[g]:.1f} ({g})" for g in text)
    pdf.addLiteral(f"BT /F1 12 Tf 72 {y} Td [{pairs}] TJ ET")


@pytest.mark.parametrize("bold", [fake_bold_in_one_run, fake_bold])
def test_a_fake_bold_printed_twice_is_read_once_and_real_double_letters_stay(
    bold: Callable[[canvas.Canvas, str, float], None],
) -> None:
    def page(pdf: canvas.Canvas) -> None:
        bold(pdf, "Municipal committee of Mississippi, 1100 members", 690)
        pdf.drawString(-400, 670, "Hidden off the page")

    data = make_pdf(["The committee met in Mississippi: 1100 aa"], draw=page)

    assert extract(data, "report.pdf").pages == (
        "The committee met in Mississippi: 1100 aa\n"
        "Municipal committee of Mississippi, 1100 members",
    )


def test_a_ligature_is_one_glyph_not_a_fake_bold() -> None:
    """PDFium gives a ligature's letters at one point: "ff" is not an "f" printed over
    another, but an "ffi" printed twice is."""
    register_fonts()

    def page(pdf: canvas.Canvas) -> None:
        pdf.setFont(SANS, 12)
        pdf.drawString(72, 700, "The bu\ufb00er of the o\ufb03ce")
        fake_bold(pdf, "Bill filled the o\ufb03ce", 680, font=SANS)

    [text] = extract(make_pdf([""], draw=page), "report.pdf").pages

    assert text == "The buffer of the office\nBill filled the office"


def test_a_truncated_pdf_is_damaged() -> None:
    """Neither reader reads it: PDFium's reason is given."""
    data = make_pdf(["One", "Two", "Three"])

    with pytest.raises(Damaged, match="damaged PDF document: it is truncated or corrupt"):
        extract(data[: len(data) // 2], "cut.pdf")


def lose_the_catalog(data: bytes) -> bytes:
    """``data`` with a trailer that names no catalog (its /Root key damaged)."""
    return data.replace(b"/Root", b"/R\x00ot")


def misname_the_catalog(data: bytes) -> bytes:
    """``data`` with a trailer whose catalog is an object that is not there."""
    return re.sub(rb"/Root \d+ 0 R", b"/Root 99 0 R", data)


@pytest.mark.parametrize("damage", [lose_the_catalog, misname_the_catalog])
def test_a_pdf_pdfium_refuses_is_read_by_the_fallback_reader_and_says_so(
    damage: Callable[[bytes], bytes],
) -> None:
    data = damage(make_pdf(["One", "Two"], title="Threat assessment", author="Ops Analyst"))
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(data)

    result = extract(data, "report.pdf")

    assert result.pages == ("One\n", "Two\n")
    assert result.title == "Threat assessment"
    assert result.authors == ("Ops Analyst",)
    assert result.language == "en-GB"
    assert result.metadata["Created"] == "2017-03-22 10:15:00 +00:00"
    assert result.by_fallback
    assert result.metadata["Text read by"] == (
        "pypdf, the fallback reader (PDFium: damaged PDF document: it is truncated or corrupt)"
    )


def with_last_page_text(data: bytes, stream: bytes) -> bytes:
    """``data`` with its last page's text (ReportLab's last stream) replaced by ``stream``,
    a stream object's dictionary and data."""
    *_, last = re.finditer(
        rb"<<\s*(?:/Filter \[[^\]]*\]\s*)?/Length (\d+)\s*>>\s*stream\r?\n", data
    )
    end = last.end() + int(last[1])
    return data[: last.start()] + stream + data[end:]


@pytest.mark.slow
def test_a_page_the_fallback_reader_cannot_read_is_said_and_its_bombs_are_bounded() -> None:
    """Page two inflates to 80 MB: pypdf stops at its 75 MB limit, and reads page one."""
    bomb = zlib.compress(bytes(80 * 1024 * 1024), 9)
    bombed = b"<< /Filter /FlateDecode /Length %d >>\nstream\n%s" % (len(bomb), bomb)
    data = misname_the_catalog(with_last_page_text(make_pdf(["One", "Two"]), bombed))

    result = extract(data, "report.pdf")

    assert result.pages == ("One\n", "")
    assert result.warnings == ("the fallback reader could not read page 2",)


@pytest.mark.slow
def test_the_fallback_reader_prints_nothing_of_the_faults_it_worked_round() -> None:
    """pypdf logs them; with no handler, Python would print them on the terminal (a
    reader process's is the user's)."""
    damaged = misname_the_catalog(make_pdf(["One"]))
    code = (
        "import sys; from casefile.importing.extract.dispatch import extract; "
        "print(extract(sys.stdin.buffer.read(), 'a.pdf').pages)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], input=damaged, check=True, capture_output=True
    )
    assert (result.stdout, result.stderr) == (b"('One\\n',)\n", b"")


def test_a_damaged_encrypted_pdf_is_read_by_the_fallback_reader_with_its_password() -> None:
    data = misname_the_catalog(make_pdf(["Confidential"], encrypt=StandardEncryption("s3", "o")))

    with pytest.raises(PasswordRequired):
        extract(data, "briefing.pdf")
    assert extract(data, "briefing.pdf", password="s3").pages == ("Confidential\n",)


def test_a_damaged_pdf_the_fallback_reader_finds_no_text_in_stays_damaged() -> None:
    def scanned_page(pdf: canvas.Canvas) -> None:
        pdf.rect(72, 72, 400, 600, fill=1)

    data = misname_the_catalog(make_pdf([""], draw=scanned_page))

    with pytest.raises(Damaged, match="damaged PDF document: it is truncated or corrupt"):
        extract(data, "scan.pdf")


XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmp:CreatorTool="Report Writer 9" pdf:Keywords="Westminster; vehicle attack">
   <dc:title><rdf:Alt>
    <rdf:li xml:lang="fr">L'attaque de Westminster</rdf:li>
    <rdf:li xml:lang="x-default">{title}</rdf:li>
   </rdf:Alt></dc:title>
   <dc:creator><rdf:Seq>
    <rdf:li>Raffaello Pantucci</rdf:li><rdf:li>Zoë Martin</rdf:li>
   </rdf:Seq></dc:creator>
   <dc:publisher><rdf:Bag><rdf:li>RUSI</rdf:li></rdf:Bag></dc:publisher>
   <dc:language><rdf:Bag><rdf:li>en</rdf:li></rdf:Bag></dc:language>
   <xmp:CreateDate>2017-03</xmp:CreateDate>
   <xmp:ModifyDate>2017-03-24T09:30:00+01:00</xmp:ModifyDate>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def with_xmp(data: bytes, packet: str, kind: bytes = b"/Type /Metadata /Subtype /XML") -> bytes:
    """``data`` with an incremental update that gives its catalog an XMP metadata stream
    (unfiltered, as writers leave it), or that adds the packet in another ``kind`` of
    stream."""
    catalog = re.search(rb"(\d+) 0 obj\s*<<((?:(?!endobj).)*?/Type /Catalog)\s*>>", data, re.S)
    size = int(re.findall(rb"/Size (\d+)", data)[-1])
    previous = re.findall(rb"startxref\s+(\d+)", data)[-1]
    assert catalog is not None
    stream = packet.encode()
    objects = [
        (
            size,
            b"<< %s /Length %d >>\nstream\n%s\nendstream" % (kind, len(stream), stream),
        ),
        (int(catalog[1]), b"<<%s /Metadata %d 0 R >>" % (catalog[2], size)),
    ]
    out = bytearray(data)
    offsets = {}
    for number, body in objects:
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n"
    for number in sorted(offsets):
        out += b"%d 1\n%010d 00000 n \n" % (number, offsets[number])
    root = int(catalog[1])
    out += b"trailer\n<< /Size %d /Root %d 0 R /Prev %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        size + 1,
        root,
        previous,
        xref,
    )
    return bytes(out)


def with_xmp_by_pypdf(data: bytes, packet: str, *, encrypt: str = "") -> bytes:
    """``data`` rewritten by pypdf with ``packet`` as its catalog's metadata stream,
    compressed; ``encrypt``: by that algorithm, with an empty user password (the stream
    is encrypted too). Either way, no packet is to be seen in the file's bytes."""
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(data))
    writer.xmp_metadata = zlib.compress(packet.encode())
    stream = writer.root_object["/Metadata"].get_object()
    assert isinstance(stream, StreamObject)
    stream[NameObject("/Type")] = NameObject("/Metadata")
    stream[NameObject("/Subtype")] = NameObject("/XML")
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    if encrypt:
        writer.encrypt("", "owner", algorithm=encrypt)
    out = io.BytesIO()
    writer.write(out)
    assert b"xmpmeta" not in out.getvalue()
    return out.getvalue()


def newer_packet_appended(data: bytes) -> bytes:
    older = with_xmp(data, XMP.format(title="An old title"))
    return with_xmp(older, XMP.format(title="The Westminster attack"))


def packet_compressed(data: bytes) -> bytes:
    return with_xmp_by_pypdf(data, XMP.format(title="The Westminster attack"))


def packet_encrypted(data: bytes) -> bytes:
    return with_xmp_by_pypdf(data, XMP.format(title="The Westminster attack"), encrypt="RC4-128")


def packet_encrypted_by_aes(data: bytes) -> bytes:
    """AES-256, as Acrobat encrypts today (pypdf decrypts it with ``cryptography``)."""
    return with_xmp_by_pypdf(data, XMP.format(title="The Westminster attack"), encrypt="AES-256")


@pytest.mark.parametrize(
    "add_packet",
    [newer_packet_appended, packet_compressed, packet_encrypted, packet_encrypted_by_aes],
)
def test_xmp_metadata_fills_what_the_document_information_leaves_out(
    add_packet: Callable[[bytes], bytes],
) -> None:
    data = add_packet(make_pdf(["Page one."]))

    result = extract(data, "report.pdf")

    assert result.pages == ("Page one.",)
    assert result.title == "The Westminster attack"
    assert result.authors == ("Raffaello Pantucci", "Zoë Martin")
    assert result.publisher == "RUSI"
    assert result.metadata["Keywords"] == "Westminster; vehicle attack"
    assert result.metadata["Creator"] == "anonymous"  # the information's own (ReportLab's)
    assert result.language == "en-GB"  # the catalog's /Lang, before XMP's
    assert result.published is None  # a creation date is not a publication date


def test_xmp_metadata_alone_gives_a_creation_date_at_its_own_precision() -> None:
    plain = make_pdf(["Page one."], title="From the information")
    no_info = re.sub(rb"/Info \d+ 0 R\s*", b"", plain)  # a writer that keeps XMP only

    result = extract(with_xmp(no_info, XMP.format(title="From XMP")), "report.pdf")

    assert result.title == "From XMP"
    assert result.published is None
    assert result.metadata["Creator"] == "Report Writer 9"
    assert result.metadata["Created"] == "2017-03"
    assert result.metadata["Modified"] == "2017-03-24 09:30:00 +01:00"  # as the information's


def test_a_packet_inside_a_placed_photo_is_not_the_documents() -> None:
    document = with_xmp(make_pdf(["Page one."]), XMP.format(title="The Westminster attack"))
    photo = XMP.format(title="IMG_0042 (stock photo)").replace("Raffaello Pantucci", "A. Snap")
    jpeg = b"/Type /XObject /Subtype /Image /Filter /DCTDecode"

    result = extract(with_xmp(document, photo, kind=jpeg), "report.pdf")

    assert result.title == "The Westminster attack"
    assert result.authors == ("Raffaello Pantucci", "Zoë Martin")


@pytest.mark.parametrize(
    "packet",
    [
        XMP.format(title="<unclosed"),  # not well-formed
        XMP.replace("<x:xmpmeta", '<!DOCTYPE x [<!ENTITY a "aaaa">]><x:xmpmeta').format(
            title="&a;&a;&a;"
        ),  # an entity: no declaration is read, so the packet fails to parse
        XMP.replace("</x:xmpmeta>", ""),  # cut off
    ],
)
def test_a_bad_xmp_packet_is_ignored(packet: str) -> None:
    result = extract(with_xmp(make_pdf(["Page one."]), packet), "report.pdf")

    assert result.pages == ("Page one.",)
    assert result.title == ""
    assert result.authors == ()


# --- HTML and MHTML -------------------------------------------------------------------------

ARTICLE = """<!DOCTYPE html>
<html lang="en-GB"><head>
<meta charset="utf-8">
<title>Attack on Westminster Bridge | The Daily Example</title>
<meta property="og:site_name" content="The Daily Example">
<meta property="og:title" content="Attack on Westminster Bridge">
<meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="2017-03-22T18:00:00Z">
<link rel="canonical" href="https://news.example.com/2017/03/22/westminster">
<link rel="stylesheet" href="https://cdn.example.com/site.css">
<script src="https://tracker.example.net/analytics.js"></script>
<script>document.write("SCRIPT OUTPUT"); fetch("https://tracker.example.net/beacon");</script>
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article>
<h1>Attack on Westminster Bridge</h1>
<p>A man drove a car into pedestrians on Westminster Bridge on Wednesday afternoon, killing
several people and injuring dozens more, before stabbing a police officer. Zoë, a witness,
said it was over in moments.</p>
<img src="https://cdn.example.com/photos/bridge.jpg" alt="The bridge">
<p>Police said the attacker was shot dead in the grounds of Parliament. The Metropolitan
Police described it as a terrorist incident.</p>
<table><tr><th>Killed</th><th>Injured</th></tr><tr><td>5</td><td>49</td></tr></table>
<p>Witnesses described scenes of chaos as people ran from the bridge towards the Houses of
Parliament.</p>
</article>
<img src="https://tracker.example.net/pixel.gif?id=42" width="1" height="1" alt="">
<script>var tracking = "SCRIPT VARIABLE";</script>
</body></html>
"""


def assert_is_the_article(result: Extracted) -> None:
    assert result.title == "Attack on Westminster Bridge"
    assert result.authors == ("Jane Reporter",)
    assert result.publisher == "The Daily Example"
    assert result.published == PartialDate(2017, 3, 22)
    assert result.url == "https://news.example.com/2017/03/22/westminster"
    assert result.language == "en-GB"
    (text,) = result.pages
    assert text.startswith("Attack on Westminster Bridge\nA man drove a car into pedestrians")
    assert "Zoë, a witness" in text
    assert "| Killed | Injured |" in text
    assert text.endswith("towards the Houses of Parliament.")
    assert "SCRIPT" not in text
    assert "Home" not in text  # navigation is not the article


def test_a_saved_article_gives_its_text_and_metadata_without_fetching_anything() -> None:
    result = extract(ARTICLE.encode(), "westminster.html")

    assert result.format is Format.HTML
    assert_is_the_article(result)


def test_a_page_without_an_article_gives_its_visible_text() -> None:
    page = b"""<html><head><title>x</title><style>p { color: red }</style></head><body>
        <aside>Claimed by <b>Amaq</b><br>on 23 March</aside>
        <!-- a comment --><script>var hidden = "SCRIPT";</script></body></html>"""

    assert extract(page, "claim.html").pages == ("Claimed by Amaq\non 23 March",)


def test_html_is_decoded_by_its_declared_charset() -> None:
    page = '<html><head><meta charset="windows-1252"></head><body><p>Zoë — “Amaq”</p></body>'

    assert extract(page.encode("cp1252"), "page.htm").pages == ("Zoë — “Amaq”",)


def make_mhtml(html: str, *, location: str) -> bytes:
    body = quopri.encodestring(html.encode("utf-8")).decode("ascii")
    return f"""From: <Saved by Blink>
Snapshot-Content-Location: {location}
Subject: Attack on Westminster Bridge
Date: Thu, 23 Mar 2017 09:12:44 -0000
MIME-Version: 1.0
Content-Type: multipart/related;
\ttype="text/html";
\tboundary="----MultipartBoundary--x----"


------MultipartBoundary--x----
Content-Type: text/html; charset=utf-8
Content-ID: <frame-1@mhtml.blink>
Content-Transfer-Encoding: quoted-printable
Content-Location: {location}

{body}
------MultipartBoundary--x----
Content-Type: image/gif
Content-Transfer-Encoding: base64
Content-Location: https://tracker.example.net/pixel.gif?id=42

R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7

------MultipartBoundary--x------
""".replace("\n", "\r\n").encode("ascii")


def test_a_web_archive_gives_its_page() -> None:
    data = make_mhtml(ARTICLE, location="https://news.example.com/westminster?utm=mail")

    result = extract(data, "westminster.mhtml")

    assert result.format is Format.MHTML
    assert_is_the_article(result)  # the canonical link wins over where it was saved from
    assert result.metadata["Saved"] == "Thu, 23 Mar 2017 09:12:44 -0000"


def test_a_web_archive_without_a_canonical_link_is_labelled_by_its_location() -> None:
    page = ARTICLE.replace('<link rel="canonical"', '<link rel="alternate"')
    data = make_mhtml(page, location="https://news.example.com/westminster")

    assert extract(data, "page.mht").url == "https://news.example.com/westminster"


def nested(depth: int) -> str:
    """A page whose middle paragraph lies ``depth`` elements deep."""
    return (
        "<html><body><p>Claimed by Amaq.</p>"
        + "<div>" * depth
        + "<p>Deep words.</p>"
        + "</div>" * depth
        + "<p>Posted on 23 March.</p></body></html>"
    )


def test_text_past_the_parsers_depth_limit_is_said_to_be_missing() -> None:
    shallow = extract(nested(200).encode(), "page.html")
    assert "Deep words." in shallow.pages[0]
    assert shallow.warnings == ()

    deep = extract(nested(100_000).encode(), "page.html")
    assert deep.pages == ("Claimed by Amaq.",)  # libxml2 stops at 256 levels, and says so
    assert deep.warnings == (
        "the page is nested too deep to read whole (more than 256 levels): "
        "the text deeper in was not read",
    )


def test_text_past_the_parsers_size_limit_is_said_to_be_missing() -> None:
    page = "<html><body><p>Claimed by Amaq.</p><p>" + "word " * 2_200_000 + "</p></body></html>"

    result = extract(page.encode(), "page.html")

    assert "word" not in result.pages[0]  # 11 MB in one piece: more than libxml2 takes
    assert result.warnings == (
        "the page is too large to read whole (a parser's limit): part of its text was not read",
    )


# --- Word -----------------------------------------------------------------------------------


def make_docx() -> bytes:
    document = docx.Document()
    properties = document.core_properties
    properties.title = "Memo on the Westminster attack"
    properties.author = "Rita Katz"
    properties.created = datetime(2017, 3, 23, 9, 30)
    properties.subject = "Claims"
    document.add_heading("Summary", 1)
    document.add_paragraph("Before the table.")
    table = document.add_table(rows=2, cols=2)
    for (row, column), text in {(0, 0): "Name", (0, 1): "Role", (1, 0): "Khalid Masood"}.items():
        table.cell(row, column).text = text
    table.cell(1, 1).text = "attacker\n(shot dead)"
    document.add_paragraph("After the table.")
    # A content control around a paragraph, as Word makes for cover pages.
    control = parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtContent><w:p><w:r><w:t>Inside a content control"
        "</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    document.element.body.insert(len(document.element.body) - 1, control)  # before sectPr
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def rezip(
    data: bytes,
    change: Callable[[str, bytes], bytes],
    *,
    add: dict[str, bytes],
    rename: dict[str, str] | None = None,
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for name in old.namelist():
            content = change(name, old.read(name))
            new.writestr((rename or {}).get(name, name), content, zipfile.ZIP_DEFLATED)
        for name, content in add.items():
            new.writestr(name, content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_a_word_document_keeps_tables_where_they_are() -> None:
    result = extract(make_docx(), "memo.docx")

    assert result.format is Format.DOCX
    assert result.pages == (
        "Summary\nBefore the table.\nName\tRole\nKhalid Masood\tattacker (shot dead)\n"
        "After the table.\nInside a content control",
    )
    assert result.title == "Memo on the Westminster attack"
    assert result.authors == ("Rita Katz",)
    assert result.published is None  # created then: not published then
    assert result.metadata["Created"] == "2017-03-23 09:30:00+00:00"
    assert result.metadata["Subject"] == "Claims"


BOMB = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE w:document [
<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
<!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>&h;</w:t></w:r></w:p></w:body></w:document>"""


def test_a_word_document_with_an_entity_bomb_is_refused_at_once() -> None:
    data = rezip(
        make_docx(), lambda name, xml: BOMB if name == "word/document.xml" else xml, add={}
    )
    started = time.perf_counter()

    with pytest.raises(Damaged, match=r"word/document\.xml declares a document type"):
        extract(data, "memo.docx")
    assert time.perf_counter() - started < 1  # 63 * 16**7 bytes never expanded


def test_an_svg_picture_with_a_doctype_does_not_make_a_word_document_refused() -> None:
    svg = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY ns "http://www.w3.org/2000/svg">]><svg/>'

    def declare_svg(name: str, content: bytes) -> bytes:
        if name != "[Content_Types].xml":
            return content
        return content.replace(
            b"</Types>", b'<Default Extension="svg" ContentType="image/svg+xml"/></Types>'
        )

    data = rezip(make_docx(), declare_svg, add={"word/media/logo.svg": svg})

    assert extract(data, "memo.docx").title == "Memo on the Westminster attack"


def test_a_strict_open_xml_word_document_is_read() -> None:
    """ISO 29500 Strict: the same elements under other namespace names and relationship
    types, which python-docx does not know; given their Transitional names, it reads."""
    from casefile.importing.extract import word

    strict = {transitional: name for name, transitional in word._TRANSITIONAL.items()}

    def to_strict(_name: str, content: bytes) -> bytes:
        for transitional in sorted(strict, key=len, reverse=True):
            content = content.replace(transitional, strict[transitional])
        return content

    data = rezip(make_docx(), to_strict, add={})
    assert b"purl.oclc.org" not in data  # compressed: only the parts, unpacked, say it

    found = extract(data, "memo.docx")

    assert found.title == "Memo on the Westminster attack"
    assert found.authors == ("Rita Katz",)
    assert "Khalid Masood\tattacker (shot dead)" in found.pages[0]


def test_a_word_document_whose_main_part_has_another_name_is_read() -> None:
    # Word online names it document2.xml; the package's relationships say which part it is.
    def point_at_it(name: str, content: bytes) -> bytes:
        if name in ("[Content_Types].xml", "_rels/.rels"):
            return content.replace(b"word/document.xml", b"word/document2.xml")
        return content

    data = rezip(
        make_docx(), point_at_it, add={}, rename={"word/document.xml": "word/document2.xml"}
    )

    assert extract(data, "memo.docx").pages[0].startswith("Summary\nBefore the table.")


@pytest.mark.parametrize(
    "main",
    [
        "application/vnd.ms-word.document.macroEnabled.main+xml",  # .docm
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    ],
    ids=["macro-enabled", "template"],
)
def test_a_macro_enabled_document_or_a_template_is_read_as_text(main: str) -> None:
    def relabel(name: str, content: bytes) -> bytes:
        document = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        return content.replace(document + b".main+xml", main.encode())

    macros = {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 never run"}
    result = extract(rezip(make_docx(), relabel, add=macros), "memo.docm")
    assert result.pages[0].startswith("Summary\nBefore the table.")


def test_a_word_package_with_no_document_in_it_is_unsupported() -> None:
    def no_document(name: str, content: bytes) -> bytes:
        return content.replace(b"wordprocessingml.document.main+xml", b"something.else+xml")

    with pytest.raises(Unsupported, match="no document in it"):
        extract(rezip(make_docx(), no_document, add={}), "memo.docx")


def test_a_word_document_claiming_gigabytes_is_refused() -> None:
    data = bytearray(make_docx())
    # The central directory's record of document.xml: its uncompressed size, at offset 24.
    record = data.index(b"PK\x01\x02", data.index(b"PK\x05\x06") - 4096)
    record = data.index(b"word/document.xml", record) - 46
    data[record + 24 : record + 28] = (4_000_000_000).to_bytes(4, "little")

    with pytest.raises(TooLarge, match="more than 512 MB, the limit for one package"):
        extract(bytes(data), "memo.docx")


def _read_docx_failing(data: bytes) -> str:
    """In a sandbox worker: why ``data`` could not be read ("" if it could)."""
    try:
        extract(data, "dense.docx")
    except InvalidInput as error:
        return f"refused: {error}"
    return ""


def test_a_word_document_too_dense_for_the_memory_limit_says_so() -> None:
    """Within the package limit, but millions of elements: libxml2 runs out of memory and
    says "unknown error" in a syntax error. The worker reports the limit it met."""
    paragraphs = b"<w:p><w:r><w:t>A</w:t></w:r></w:p>" * 2_000_000  # 68 MB, 8 million nodes

    def dense(name: str, content: bytes) -> bytes:
        if name != "word/document.xml":
            return content
        return content.replace(b"<w:body>", b"<w:body>" + paragraphs, 1)

    data = rezip(make_docx(), dense, add={})
    sandbox = Sandbox(_read_docx_failing, Limits(seconds=60, memory_mb=400), processes=1)
    [(_item, answer)] = list(sandbox.map([data]))
    assert answer == TaskFailed("needs more than the 400 MB memory limit")


# --- text and Markdown ----------------------------------------------------------------------

NOTE = "Zoë's notes — “22 March”\r\nThe claim came via Amaq.\r\n"


@pytest.mark.parametrize(
    "data",
    [
        NOTE.encode("utf-8"),
        NOTE.encode("utf-8-sig"),
        NOTE.encode("utf-16"),  # with its byte-order mark
        b"\xfe\xff" + NOTE.encode("utf-16-be"),
        NOTE.encode("cp1252"),
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16", "utf-16 big-endian", "windows-1252"],
)
def test_text_in_any_common_encoding(data: bytes) -> None:
    result = extract(data, "notes.txt")

    assert result.format is Format.TEXT
    assert result.media_type == "text/plain"
    assert result.pages == ("Zoë's notes — “22 March”\nThe claim came via Amaq.\n",)
    assert result.title == "Zoë's notes — “22 March”"


def test_markdown_is_titled_by_its_heading() -> None:
    text = b"---\n\n# Westminster ##\n\nSee [the report](report.pdf).\n"

    result = extract(text, "notes")

    assert result.format is Format.MARKDOWN
    assert result.title == "Westminster"
    assert extract(b"Plain words", "notes.md").format is Format.MARKDOWN


def test_more_text_than_the_limit_is_refused_by_its_size() -> None:
    """A text file is measured before it is decoded (decoding a big one is what costs);
    other formats by the text they give."""
    with pytest.raises(
        TooLarge, match=r"^has 2\.0 KB of text, more than the limit of 1,000 bytes$"
    ):
        extract(b"word " * 410, "notes.txt", max_text=1000)
    assert extract(b"word " * 200, "notes.txt", max_text=1000).pages == ("word " * 200,)
    page = f"<html><body><p>{'Claimed by Amaq. ' * 100}</p></body></html>".encode()
    with pytest.raises(
        TooLarge, match=r"^has 1\.7 KB of text, more than the limit of 1,000 bytes$"
    ):
        extract(page, "page.html", max_text=1000)


def test_running_out_of_memory_or_stack_is_not_called_damage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worker reading the file says which of its limits was met (a file called
    "damaged: MemoryError" was a 200 MB text file that was not damaged at all)."""
    for error in (MemoryError, RecursionError):

        def fail(
            data: bytes, kind: Format, chosen: str | None, *, error: type[Exception] = error
        ) -> Extracted:
            raise error

        monkeypatch.setattr(dispatch, "read_text", fail)
        with pytest.raises(error):
            extract(b"Plain words", "notes.txt")


def test_a_long_first_line_makes_a_shortened_title() -> None:
    title = extract(("word " * 100).encode(), "notes.txt").title

    assert len(title) <= 201
    assert title.endswith("word…")


# --- e-mail ---------------------------------------------------------------------------------


def make_email(*, html: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Rita Katz <rita@example.org>"
    message["To"] = "desk@example.org"
    message["Cc"] = "Jane Doe <jane@example.org>"
    message["Date"] = format_datetime(datetime.fromisoformat("2017-03-22T23:40:00+00:00"))
    message["Subject"] = "Claim of responsibility"
    message.set_content("The claim was posted at 23:14.\r\nSee the attached PDF.\n")
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def test_an_email_gives_its_headers_body_and_attachments() -> None:
    message = make_email()
    claim = make_pdf(["Amaq statement"])
    message.add_attachment(claim, maintype="application", subtype="pdf", filename="claim.pdf")
    message.add_attachment(b"x", maintype="text", subtype="plain", filename="../../etc/passwd")

    result = extract(message.as_bytes(), "claim.eml")

    assert result.format is Format.EMAIL
    assert result.title == "Claim of responsibility"
    assert result.authors == ("Rita Katz",)
    assert result.published == PartialDate(2017, 3, 22)
    assert result.pages == ("The claim was posted at 23:14.\nSee the attached PDF.\n",)
    assert result.metadata["From"] == "Rita Katz <rita@example.org>"
    assert result.metadata["To"] == "desk@example.org"
    assert result.metadata["Cc"] == "Jane Doe <jane@example.org>"
    assert result.metadata["Date"] == "Wed, 22 Mar 2017 23:40:00 +0000"
    assert [a.file_name for a in result.attachments] == ["claim.pdf", "passwd"]
    assert result.attachments[0].data == claim
    assert extract(claim, "claim.pdf").pages == ("Amaq statement",)


def test_an_html_only_email_gives_the_text_of_its_html() -> None:
    message = EmailMessage()
    message["From"] = "tips@example.org"
    message["Subject"] = "Tip"
    message.set_content("<p>See <b>this</b> channel.</p><script>x = 'SCRIPT'</script>", "html")

    result = extract(message.as_bytes(), "tip.eml")

    assert result.authors == ("tips@example.org",)
    assert result.pages == ("See this channel.",)


def test_an_html_body_past_the_parsers_depth_limit_is_said_to_be_missing() -> None:
    message = EmailMessage()
    message["From"] = "tips@example.org"
    message["Subject"] = "Tip"
    message.set_content(nested(1000), "html")

    result = extract(message.as_bytes(), "tip.eml")

    assert result.pages == ("Claimed by Amaq.",)
    assert result.warnings == (
        "its HTML body is nested too deep to read whole (more than 256 levels): "
        "the text deeper in was not read",
    )


def test_malformed_addresses_are_shown_as_written() -> None:
    # Python's own address parser raises AttributeError on the first, IndexError on the second.
    data = b"From: .ane Doe <jane@example.org\nTo: desk@\nSubject: Claim\n\nText\n"

    result = extract(data, "claim.eml")

    assert result.metadata["From"] == ".ane Doe <jane@example.org"
    assert result.metadata["To"] == "desk@"
    assert result.authors == ()
    assert (result.title, result.pages) == ("Claim", ("Text\n",))


def test_a_forwarded_message_is_one_attachment() -> None:
    message = make_email()
    message.add_attachment(make_email())

    (forwarded,) = extract(message.as_bytes(), "fwd.eml").attachments

    assert forwarded.file_name == "forwarded message.eml"
    assert extract(forwarded.data, forwarded.file_name).title == "Claim of responsibility"


# --- detection ------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "report.pdf", "unsupported format: empty file"),
        (b"\x00\x00\x00\x18ftypheic" + bytes(16), "photo.pdf", "unsupported format: HEIC image"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(54), "invoice.pdf", "Windows executable"),
        (b"\x7fELF\x02\x01\x01" + bytes(9), "run", "ELF executable"),
        (b"\x1f\x8b\x08\x00" + bytes(6), "page.html", "gzip archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "x.doc", "damaged Office 97-2003 file"),
        (bytes(range(256)) * 4, "notes.txt", "unsupported format: binary data"),
    ],
)
def test_unsupported_files_are_named_by_what_they_are(data: bytes, name: str, message: str) -> None:
    with pytest.raises(Unsupported, match=re.escape(message)):
        extract(data, name)


def zipped(name: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr(name, b"<x/>")
    return out.getvalue()


def test_a_zip_is_named_by_the_package_it_holds() -> None:
    assert detect(zipped("photo.jpg"), "evidence.docx") is Format.ZIP
    assert detect(zipped("xl/workbook.xml"), "casualties.docx") is Format.XLSX
    assert detect(zipped("ppt/presentation.xml"), "slides.zip") is Format.PPTX
    assert detect(zipped("META-INF/container.xml"), "book") is Format.EPUB


def test_the_content_decides_not_the_extension() -> None:
    assert detect(ARTICLE.encode(), "report.pdf") is Format.HTML
    assert extract(ARTICLE.encode(), "report.pdf").title == "Attack on Westminster Bridge"
    assert detect(make_pdf(["x"]), "notes.txt") is Format.PDF
    assert detect(make_docx(), "memo") is Format.DOCX
    assert detect(ARTICLE.encode("utf-16"), "page") is Format.HTML
    saved_by_explorer = b"\r\n<!-- saved from url=(0022)https://x.example/ -->\n<html>"
    assert detect(saved_by_explorer, "page") is Format.HTML


def test_an_email_with_pictures_in_its_body_is_not_a_web_archive() -> None:
    message = make_email(html="<p>The claim</p>")
    body = message.get_body(preferencelist=("html",))
    assert body is not None
    body.add_related(PNG, "image", "png", cid="<logo@example.org>")

    assert detect(message.as_bytes(), "claim") is Format.EMAIL
    assert detect(make_mhtml(ARTICLE, location="https://x.example/"), "page") is Format.MHTML


def test_headers_alone_do_not_make_an_email() -> None:
    assert detect(b"Title: Notes\nDate: 2017-03-22\n\nText", "notes") is Format.TEXT


# --- hostile and broken input ---------------------------------------------------------------

PREFIXES = [
    b"",
    b"%PDF-1.7\n",
    b"PK\x03\x04",
    b"<!DOCTYPE html><html><body>",
    b"From: a@example.org\nSubject: x\nContent-Type: multipart/mixed; boundary=b\n\n--b\n",
    b"MIME-Version: 1.0\nContent-Type: multipart/related; boundary=b\n\n--b\n"
    b"Content-Type: text/html\n\n",
    b"\xff\xfe",
]


def assert_refused_at_most(data: bytes, name: str) -> None:
    """Reading may fail, but only with a one-line message, never with a library's exception."""
    try:
        extract(data, name)
    except InvalidInput as error:
        message = str(error)
    else:
        return
    assert message
    assert "\n" not in message


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.sampled_from(PREFIXES),
    data=st.binary(max_size=2048),
    name=st.sampled_from(["a.pdf", "a.docx", "a.html", "a.eml", "a.md", "a"]),
)
@pytest.mark.slow
def test_any_bytes_fail_only_with_a_message(prefix: bytes, data: bytes, name: str) -> None:
    assert_refused_at_most(prefix + data, name)


SAMPLES = {
    "a.pdf": make_pdf(["One", "Two"]),
    "a.docx": make_docx(),
    "a.eml": make_email(html="<p>x</p>").as_bytes(),
    "a.mht": make_mhtml(ARTICLE, location="https://x.example/"),
}


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(sorted(SAMPLES)), cut=st.floats(0, 1), flip=st.integers(0, 255))
@pytest.mark.slow
def test_truncated_or_corrupted_files_fail_only_with_a_message(
    name: str, cut: float, flip: int
) -> None:
    data = bytearray(SAMPLES[name][: int(len(SAMPLES[name]) * cut)])
    if data:
        data[len(data) // 2] ^= flip
    assert_refused_at_most(bytes(data), name)


def test_extraction_never_loads_qt() -> None:
    code = (
        "import sys, casefile.importing.extract; "
        "loaded = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]; "
        "sys.exit(str(loaded) if loaded else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True)
    assert result.returncode == 0, result.stderr


def test_a_word_hyphenated_at_a_line_end_in_a_pdf_is_joined_back(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 720, "The situation on the bridge was very dan-")
    pdf.drawString(72, 705, "gerous for the police officers, a well-known fact.")
    pdf.save()
    [text] = extract(path.read_bytes(), "report.pdf").pages
    assert "very dangerous for" in text
    assert "\x02" not in text
    assert "well-known" in text  # a hyphen inside a line is the text's own


FOOTNOTES = f"""<w:footnotes {nsdecls("w")}>
<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:id="1"><w:p><w:r><w:t>Source: the inquest, 2018.</w:t></w:r></w:p></w:footnote>
</w:footnotes>""".encode()
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


def test_a_word_document_gives_every_part_a_reader_sees() -> None:
    """Headers, footers, footnotes, comments, text boxes, nested tables, merged cells and
    tracked changes: each lost before (python-docx reads the body's own runs only)."""
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "RESTRICTED: Westminster review"
    document.sections[0].footer.paragraphs[0].text = "Page footer: Metropolitan Police"
    said = document.add_paragraph("The attacker ")
    run = said.add_run("acted alone.")
    document.add_comment(run, text="Check against the inquest.", author="Rita Katz")
    said._p.append(
        parse_xml(
            f"<w:ins {nsdecls('w')} w:id='1' w:author='A'>"
            "<w:r><w:t> He was shot.</w:t></w:r></w:ins>"
        )
    )
    said._p.append(
        parse_xml(
            f"<w:del {nsdecls('w')} w:id='2' w:author='A'><w:r><w:delText>He fled.</w:delText>"
            "</w:r></w:del>"
        )
    )
    boxed = document.add_paragraph()
    boxed._p.append(
        parse_xml(
            f"<w:r {nsdecls('w')} xmlns:v='urn:schemas-microsoft-com:vml'><w:pict><v:shape>"
            "<v:textbox><w:txbxContent><w:p><w:r><w:t>Text box: four killed</w:t></w:r></w:p>"
            "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
        )
    )
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Merged heading"
    table.cell(0, 2).text = "Role"
    table.cell(1, 0).add_table(rows=1, cols=1).cell(0, 0).text = "Nested name"
    out = io.BytesIO()
    document.save(out)

    def with_footnotes(name: str, xml: bytes) -> bytes:
        if name == "[Content_Types].xml":
            override = f'<Override PartName="/word/footnotes.xml" ContentType="{FOOTNOTES_TYPE}"/>'
            return xml.replace(b"</Types>", override.encode() + b"</Types>")
        if name == "word/_rels/document.xml.rels":
            rel = f'<Relationship Id="rIdFn" Type="{FOOTNOTES_REL}" Target="footnotes.xml"/>'
            return xml.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
        return xml

    data = rezip(out.getvalue(), with_footnotes, add={"word/footnotes.xml": FOOTNOTES})
    [text] = extract(data, "review.docx").pages
    lines = text.split("\n")
    assert "The attacker acted alone. He was shot." in lines  # the tracked insertion
    assert "Text box: four killed" in lines
    assert "Merged heading\tRole" in lines  # the merged cell once
    assert any(line.startswith("Nested name") for line in lines)
    assert "Footnote 1: Source: the inquest, 2018." in lines
    assert "Comment (Rita Katz): Check against the inquest." in lines
    assert "Header: RESTRICTED: Westminster review" in lines
    assert "Footer: Page footer: Metropolitan Police" in lines
    assert "Deleted in a tracked change: He fled." in lines
    assert "He fled" not in lines[0]


def test_a_text_box_written_twice_for_older_readers_is_read_once_on_its_own_line() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("Before the box. ")
    box = "<w:txbxContent><w:p><w:r><w:t>BOX TEXT</w:t></w:r></w:p></w:txbxContent>"
    paragraph._p.append(
        parse_xml(
            f"<w:r {nsdecls('w')} xmlns:mc='http://schemas.openxmlformats.org/markup-"
            "compatibility/2006' xmlns:v='urn:schemas-microsoft-com:vml'><mc:AlternateContent>"
            f"<mc:Choice Requires='wps'><w:drawing><w:inline>{box}</w:inline></w:drawing>"
            f"</mc:Choice><mc:Fallback><w:pict><v:textbox>{box}</v:textbox></w:pict>"
            "</mc:Fallback></mc:AlternateContent></w:r>"
        )
    )
    paragraph.add_run("After the box.")
    paragraph._p.append(
        parse_xml(
            f"<w:moveFrom {nsdecls('w')} w:id='5' w:author='A'><w:r><w:t>Moved words.</w:t>"
            "</w:r></w:moveFrom>"
        )
    )
    out = io.BytesIO()
    document.save(out)
    [text] = extract(out.getvalue(), "box.docx").pages
    assert text.split("\n") == ["Before the box. ", "BOX TEXT", "After the box."]


def test_rows_and_cells_inside_content_controls_are_read() -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "First row"
    row = parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtContent><w:tr><w:tc><w:p><w:r><w:t>Row in a control"
        "</w:t></w:r></w:p></w:tc><w:sdt><w:sdtContent><w:tc><w:p><w:r><w:t>Cell in a control"
        "</w:t></w:r></w:p></w:tc></w:sdtContent></w:sdt></w:tr></w:sdtContent></w:sdt>"
    )
    table._tbl.append(row)
    out = io.BytesIO()
    document.save(out)
    [text] = extract(out.getvalue(), "form.docx").pages
    assert text.split("\n") == ["First row", "Row in a control\tCell in a control"]
