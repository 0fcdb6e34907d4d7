"""Render what a new user sees to PNG files in docs/screenshots/ (offscreen, no display).

Run by `make screenshots`: the start page, each record view of the demo case, the
editor forms, and a validation error. Look at them after every visible change.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["CASEFILE_HOME"] = tempfile.mkdtemp(prefix="casefile-shots-")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from casefile.domain.records import Record
from casefile.domain.terms import Kind
from casefile.services.demo import article_bytes, write_demo_case
from casefile.ui.controller import CaseController
from casefile.ui.document_view import DocumentViewer
from casefile.ui.forms import RecordDialog
from casefile.ui.main_window import KIND_TITLES, MainWindow
from casefile.ui.settings import WindowSettings
from casefile.ui.worker import Worker

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARTICLE_SOURCE = (
    "Police suspect the Westminster attacker was inspired by international and "
    "Islamist-related terrorism: context on the UK's jihadi threat"
)
JUDGEMENT = "The Westminster attacker was likely inspired by ISIS's calls on its supporters…"


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def shoot(widget: QWidget, name: str, app: QApplication) -> None:
    settle(app)
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print(path.relative_to(OUT.parent.parent))


def select_row(window: MainWindow, label: str | None, app: QApplication) -> None:
    model = window.models[window.kind]
    settle(app)
    row = 0
    if label is not None:
        for r in range(model.rowCount()):
            record = model.record_at(r)
            if record is not None and record.label == label:
                row = r
    window.table.selectRow(row)
    settle(app)


def main() -> int:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    app = QApplication(sys.argv[:1])
    window = MainWindow(CaseController(Worker(synchronous=True)), WindowSettings())
    window.resize(1400, 860)
    window.show()
    shoot(window, "01-start-page", app)

    case_path = Path(os.environ["CASEFILE_HOME"]) / "westminster-2017.casefile"
    write_demo_case(case_path).close()
    window.opener.open_path(case_path)
    picks = {
        Kind.ATTACK: "Westminster attack",
        Kind.REPORT: "Westminster attack — claimed: No",
        Kind.JUDGEMENT: JUDGEMENT,
        Kind.SOURCE: ARTICLE_SOURCE,  # its document mentions people and groups of the case
        Kind.PERSON: "Rita Katz",
    }
    # The first seven kinds as they always were numbered; the later ones after the others.
    numbers = {kind: n for n, kind in enumerate(list(KIND_TITLES)[:7], start=2)}
    numbers |= {Kind.REPORT: 15, Kind.JUDGEMENT: 16}
    for kind in KIND_TITLES:
        window.show_kind(kind)
        select_row(window, picks.get(kind), app)
        name = KIND_TITLES[kind].lower().replace(" ", "-")
        shoot(window, f"{numbers[kind]:02d}-{name}", app)

    window.show_kind(Kind.QUOTE)
    window.search_field.setText("ISIS video")
    for _ in range(10):  # the search runs once typing pauses
        settle(app)
        time.sleep(0.05)
    shoot(window, "09-search", app)
    window.search_field.clear()

    window.show_kind(Kind.ATTACK)
    select_row(window, "Westminster attack", app)
    record = window.selected()
    dialog = RecordDialog(window.editor, Kind.ATTACK, record, window)
    dialog.resize(720, 860)
    dialog.show()
    shoot(dialog, "10-edit-attack", app)
    date_edit = dialog.findChild(QWidget, "date")
    if date_edit is not None:
        line = date_edit.findChild(QWidget, "date-text") or date_edit
        line.setFocus(Qt.FocusReason.OtherFocusReason)
    dialog.close()
    for kind in (Kind.SOURCE, Kind.QUOTE, Kind.LINK):
        dialog = RecordDialog(window.editor, kind, None, window)
        dialog.resize(720, 760)
        dialog.show()
        shoot(dialog, f"11-new-{kind.value}", app)
        dialog.close()
    shoot_report_dialog(window, record, app)
    shoot_documents(window, app)
    window.close_case()  # the start page again, the demo case now among the recent ones
    settle(app)
    shoot(window, "14-start-page-recent", app)
    window.close()
    shoot_pack(case_path, app)
    return 0


def shoot_report_dialog(window: MainWindow, attack: Record[Any] | None, app: QApplication) -> None:
    """Reporting a value of the Westminster attack's wounded, as its details offer it."""
    preset = {"record": attack.id, "fact": "wounded"} if attack else None
    dialog = RecordDialog(window.editor, Kind.REPORT, None, window, preset=preset)
    dialog.resize(720, 760)
    dialog.show()
    settle(app)
    shoot(dialog, "11-new-report", app)
    dialog.close()


def shoot_pack(case_path: Path, app: QApplication) -> None:
    """File → Export briefing pack…, its preview, and the demo pack page by page as a
    reader sees it (pdftoppm)."""
    from casefile.briefing.options import PackOptions
    from casefile.domain.dates import PartialDate
    from casefile.domain.handling import Handling
    from casefile.services.case import open_case
    from casefile.ui.export_pack import ExportPackDialog, PackPreview
    from casefile.ui.settings import LastPack

    pack = Path(os.environ["CASEFILE_HOME"]) / "briefing-pack.pdf"
    last = LastPack(marking="TLP:AMBER", author="A. Analyst")
    kept = Handling(
        originator="Counter-Terrorism Analysis Unit",
        reference="CTAU/2027/014",
        distribution="Private Office, Special Advisers",
        instructions="Not to be copied or forwarded",
        review=PartialDate(2027, 6),
        contact="CTAU duty desk",
    )
    title = "Westminster attack, March 2017"
    dialog = ExportPackDialog(title, pack, [], last, kept=kept, version="3")
    dialog.show()
    shoot(dialog, "19-export-pack", app)
    dialog.close()
    with open_case(case_path, backups=False) as case:
        options = PackOptions(marking="TLP:AMBER", author="A. Analyst", handling=kept)
        report = case.briefing.export(pack, options, replace=True)
    preview = PackPreview(report, pack.read_bytes())
    preview.resize(900, 1000)
    preview.show()
    settle(app)
    time.sleep(0.5)  # QPdfView renders pages on a thread of its own
    shoot(preview, "19-export-preview", app)
    preview.close()
    if shutil.which("pdftoppm") is None:
        print("pdftoppm (poppler-utils) is not installed: the briefing pack is not rendered")
        return
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(pack), str(OUT / "20-pack")], check=True)
    for page in sorted(OUT.glob("20-pack-*.png")):
        print(page.relative_to(OUT.parent.parent))


def shoot_documents(window: MainWindow, app: QApplication) -> None:
    """The demo article as text, then a PDF imported the way a user would (File → Import)."""
    window.show_kind(Kind.DOCUMENT)
    select_row(window, None, app)
    article = window.selected()
    assert article is not None
    window.open_document(article.id)
    shoot(viewer(app), "12-document-text", app)
    viewer(app).close()
    pdf = Path(os.environ["CASEFILE_HOME"]) / "threat-assessment.pdf"
    write_pdf(pdf)
    window.import_paths([pdf])
    window.show_kind(Kind.DOCUMENT)
    select_row(window, pdf.name, app)
    imported = window.selected()
    assert imported is not None
    window.open_document(imported.id)
    shown = viewer(app)
    shown.page.setValue(2)
    shown.find_text("Westminster", shown._here())  # as typed in the find field
    shoot(viewer(app), "13-document-pdf", app)
    shown.close()


def viewer(app: QApplication) -> DocumentViewer:
    for _ in range(20):  # QPdfView renders pages in a thread of its own
        settle(app)
        time.sleep(0.05)
    return next(w for w in app.topLevelWidgets() if isinstance(w, DocumentViewer) and w.isVisible())


def write_pdf(path: Path) -> None:
    """Two pages of the demo article, set as a short report."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    paragraphs = [" ".join(p.split()) for p in article_bytes().decode().split("\n\n")]
    story: list[object] = [Paragraph("Threat assessment: Westminster", styles["Title"])]
    for number, part in enumerate((paragraphs[:6], paragraphs[6:12])):
        if number:
            story.append(PageBreak())
        story.extend(Paragraph(p, styles["BodyText"]) for p in part if p)
    SimpleDocTemplate(str(path), title="Threat assessment: Westminster", author="Analyst").build(
        story
    )


if __name__ == "__main__":
    sys.exit(main())
