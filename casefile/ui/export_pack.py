"""Export a briefing pack from the window: choose what it covers and how it is marked,
build it in the background with a progress dialog, then preview it.

The pack is built on the maintenance worker, like an import: the tables keep paging while
the pages are laid out, and Cancel stops it with nothing written (the core writes beside
the destination and renames only a finished pack). The finished file is read back on the
worker too, so the preview shows it without the GUI thread touching the disk.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from casefile.briefing.options import (
    TLP_COLOURS,
    PackOptions,
    Scope,
    Section,
    normal_marking,
    tlp_colour,
)
from casefile.briefing.service import ExportCancelled, ExportReport
from casefile.domain.display import file_size, how_many, sentence
from casefile.domain.errors import AlreadyExists, InvalidInput
from casefile.domain.handling import LABELS, Handling
from casefile.services import paths
from casefile.ui.dialogs import ERROR_STYLE
from casefile.ui.inputs import Note, PartialDateEdit, show_problem
from casefile.ui.pdf_pages import PdfPages
from casefile.ui.progress_run import ProgressRun
from casefile.ui.settings import LastPack, WindowSettings

if TYPE_CHECKING:
    from casefile.domain.records import Record
    from casefile.services.case import Case
    from casefile.ui.controller import CaseController
    from casefile.ui.worker import Task

MARKINGS = ("OFFICIAL", "OFFICIAL-SENSITIVE", *TLP_COLOURS)
# Each handling field's mnemonic: a letter no other label of the dialog underlines.
HANDLING_KEYS = {
    "originator": "O",
    "reference": "R",
    "distribution": "D",
    "instructions": "H",
    "review": "w",
    "contact": "C",
}
HANDLING_HINTS = {
    "originator": "e.g. Counter-Terrorism Analysis Unit",
    "reference": "e.g. CTAU/2027/014",
    "distribution": "e.g. Private Office, Special Advisers",
    "instructions": "e.g. Not to be copied or forwarded",
    "contact": "e.g. the desk's name and number",
}
STEPS = 100  # the progress bar counts percent
SUFFIX = ".pdf"


# -- what the last export used ------------------------------------------------------------


def default_file(case_title: str, case_path: Path, remembered_folder: str) -> Path:
    """The pack's suggested file: named after the case, in the folder used last time, else
    beside the case, else (for the demo copy in Casefile's own folder) in Documents."""
    safe = re.sub(r'[<>:"/\\|?*\x00-\x1f]+', " ", case_title)
    name = " ".join(safe.split()).strip(" .") or "Casefile"
    if remembered_folder:
        folder = Path(remembered_folder)
    elif case_path.parent != paths.data_dir():
        folder = case_path.parent
    else:
        location = QStandardPaths.StandardLocation.DocumentsLocation
        folder = Path(QStandardPaths.writableLocation(location) or Path.home())
    return folder / f"{name} - briefing pack{SUFFIX}"


def _line(name: str, text: str = "", *, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    return edit


def _mnemonic(name: str) -> str:
    """A handling field's label, its key underlined: "Revie&w date:"."""
    label = LABELS[name]
    at = label.index(HANDLING_KEYS[name])
    return f"{label[:at]}&{label[at:]}:"


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


# -- the dialog ---------------------------------------------------------------------------


class RangeDateEdit(PartialDateEdit):
    """One end of a date range: a shorter hint, as two sit side by side."""

    HINT = "e.g. 2016, March 2016"


class MarkingChip(QLabel):
    """The marking as the pack will print it: a TLP label in its colour on black."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setToolTip("The marking as it is printed at the top and bottom of every page")
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # the row does not jump while a TLP is typed
        self.setSizePolicy(policy)
        font = self.font()
        font.setBold(True)
        self.setFont(font)

    def show_marking(self, marking: str | None) -> None:
        self.setVisible(bool(marking))
        if not marking:
            return
        colour = tlp_colour(marking)
        self.setText(marking)
        if colour is None:
            self.setStyleSheet("padding: 2px 8px; border: 1px solid palette(mid);")
        else:
            self.setStyleSheet(f"padding: 2px 8px; color: {colour}; background: black;")


class ExportPackDialog(QDialog):
    """What goes in the pack (scope, sections), how it is marked, and where it is saved."""

    def __init__(
        self,
        case_title: str,
        file: Path,
        selected: Sequence[Record[Any]],
        last: LastPack,
        *,
        kept: Handling,
        version: str,
        parent: QWidget | None = None,
    ) -> None:
        """``selected`` are the attacks selected in the window (perhaps none); ``kept``
        the handling block the case keeps and ``version`` its next pack's number,
        offered for this pack."""
        super().__init__(parent)
        self.setWindowTitle("Export briefing pack")
        self.setMinimumWidth(900)
        self._selected = tuple(selected)
        self._confirmed: Path | None = None  # a file the user agreed to replace
        self._folder = file.parent

        self.path = _line("File", str(file))
        self.browse = QPushButton("Choose…")
        self.browse.setAccessibleName("Choose the file")
        where = QHBoxLayout()
        save_as = QLabel("&Save as:")
        save_as.setBuddy(self.path)
        where.addWidget(save_as)
        where.addWidget(self.path, 1)
        where.addWidget(self.browse)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Problem")
        policy = self.error.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # OK is greyed, the dialog keeps its size
        self.error.setSizePolicy(policy)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Export")

        # Side by side, the two forms keep the dialog short enough for a laptop's screen.
        forms = QHBoxLayout()
        forms.addWidget(self._build_document(case_title, last, version), 1)
        forms.addWidget(self._build_handling(kept), 1)
        layout = QVBoxLayout(self)
        layout.addLayout(forms)
        layout.addWidget(self._build_scope())
        layout.addWidget(self._build_sections())
        layout.addLayout(where)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._set_tab_order()
        self._connect()
        self._validate()

    def _build_document(self, case_title: str, last: LastPack, version: str) -> QGroupBox:
        # Empty: the case's title, or for part of the case what that part covers.
        self.title = _line("Title", placeholder=f"{case_title} (or the scope's)")
        self.subtitle = _line("Subtitle", PackOptions.subtitle)
        self.version = _line("Version", version, placeholder="the next number")
        self.version.setMaximumWidth(120)
        self.marking = QComboBox()
        self.marking.setEditable(True)
        self.marking.addItems(MARKINGS)
        self.marking.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.marking.setCurrentText(last.marking)
        self.marking.setAccessibleName("Handling marking")
        self.marking.setToolTip(
            "Printed at the top and bottom of every page: OFFICIAL, OFFICIAL-SENSITIVE, a "
            "TLP 2.0 label, or your own text."
        )
        self.marking.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        if (line := self.marking.lineEdit()) is not None:
            line.setAccessibleName("Handling marking")
        self.chip = MarkingChip()
        self.chip.setFixedHeight(self.marking.sizeHint().height())
        self.author = _line("Author", last.author)
        self.show_author = QCheckBox("Put the author's name in the PDF")
        self.show_author.setAccessibleName("Put the author's name in the PDF")
        self.show_author.setToolTip(
            "Untick to leave your name off the cover and out of the file's properties."
        )
        self.show_author.setChecked(last.show_author)

        marking_row = QHBoxLayout()
        marking_row.addWidget(self.marking, 1)
        marking_row.addWidget(self.chip)
        group = QGroupBox("Document")
        form = QFormLayout(group)
        form.addRow("&Title:", self.title)
        form.addRow("S&ubtitle:", self.subtitle)
        form.addRow("&Marking:", marking_row)
        form.addRow("&Author:", self.author)
        form.addRow("", self.show_author)
        form.addRow("&Version:", self.version)
        # A label made from text takes its field as buddy; the marking's field is a row.
        marking_label = form.labelForField(marking_row)
        if isinstance(marking_label, QLabel):
            marking_label.setBuddy(self.marking)
        return group

    def _build_handling(self, kept: Handling) -> QGroupBox:
        """The pack's handling block, each field as the case keeps it."""
        self.handling_edits = {
            name: _line(LABELS[name], getattr(kept, name), placeholder=hint)
            for name, hint in HANDLING_HINTS.items()
        }
        self.handling_edits["instructions"].setAccessibleName("Handling instructions")
        self.review = PartialDateEdit(name=LABELS["review"])
        self.review.set_value(kept.review)
        group = QGroupBox("Handling")
        group.setToolTip(
            "Printed on the cover and kept in the file's properties; the case keeps them "
            "for its next pack."
        )
        # Each field's input in the cover's order (the review date's has a note beneath).
        self.handling_rows: dict[str, QWidget] = {
            name: self.review if name == "review" else self.handling_edits[name] for name in LABELS
        }
        form = QFormLayout(group)
        for name, row in self.handling_rows.items():
            form.addRow(_mnemonic(name), row)
        review_label = form.labelForField(self.review)
        if isinstance(review_label, QLabel):
            review_label.setBuddy(self.review.line)
        return group

    def _build_scope(self) -> QGroupBox:
        self.whole = QRadioButton("The whole case")
        self.chosen = QRadioButton(self._selected_text())
        self.chosen.setEnabled(bool(self._selected))
        self.tagged = QRadioButton("Attacks tagged")
        self.dated = QRadioButton("Attacks dated from")
        self.scope_buttons = QButtonGroup(self)
        for button, name in (
            (self.whole, "Scope: the whole case"),
            (self.chosen, "Scope: the attacks selected in the window"),
            (self.tagged, "Scope: attacks with a tag"),
            (self.dated, "Scope: attacks in a date range"),
        ):
            button.setAccessibleName(name)
            self.scope_buttons.addButton(button)
        self.whole.setChecked(True)
        self.tag = _line("Tag", placeholder="e.g. uk")
        self.start = RangeDateEdit(name="From date")
        self.end = RangeDateEdit(name="To date")
        self.scope_note = Note()
        self.scope_note.setToolTip("Everything else in the pack follows from the attacks.")

        group = QGroupBox("Scope")
        grid = QGridLayout(group)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        top = Qt.AlignmentFlag.AlignTop
        grid.addWidget(self.whole, 0, 0, 1, 4)
        grid.addWidget(self.chosen, 1, 0, 1, 4)
        grid.addWidget(self.tagged, 2, 0)
        grid.addWidget(self.tag, 2, 1, 1, 3)
        grid.addWidget(self.dated, 3, 0, top)
        grid.addWidget(self.start, 3, 1, top)
        to = QLabel("to")
        grid.addWidget(to, 3, 2, top)
        grid.addWidget(self.end, 3, 3, top)
        # The radio and the "to" line up with the date fields' text, not their notes.
        to.setMinimumHeight(self.start.line.sizeHint().height())
        self.dated.setMinimumHeight(self.start.line.sizeHint().height())
        grid.addWidget(self.scope_note, 4, 0, 1, 4)
        return group

    def _build_sections(self) -> QGroupBox:
        self.sections: dict[Section, QCheckBox] = {}
        group = QGroupBox("Sections")
        grid = QGridLayout(group)
        for number, section in enumerate(Section):
            box = QCheckBox(section.label)
            box.setAccessibleName(f"Include section: {section.label}")
            box.setChecked(True)
            self.sections[section] = box
            grid.addWidget(box, number // 4, number % 4)
        return group

    def _selected_text(self) -> str:
        if not self._selected:
            return "The attacks selected in the window (none is selected)"
        if len(self._selected) == 1:
            return f"The selected attack: {self._selected[0].label}"
        return f"The {len(self._selected)} attacks selected in the window"

    def _set_tab_order(self) -> None:
        order: list[QWidget] = [
            self.title,
            self.subtitle,
            self.marking,
            self.author,
            self.show_author,
            self.version,
            *(row.focusProxy() or row for row in self.handling_rows.values()),
            self.whole,
            self.chosen,
            self.tagged,
            self.tag,
            self.dated,
            self.start.line,
            self.end.line,
            *self.sections.values(),
            self.path,
            self.browse,
            self.ok,
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel),
        ]
        for before, after in itertools.pairwise(order):
            QWidget.setTabOrder(before, after)

    def _connect(self) -> None:
        self.marking.editTextChanged.connect(self._validate)
        self.review.line.textChanged.connect(self._validate)
        for edit in (self.path, self.tag):
            edit.textChanged.connect(self._validate)
        # Typing a tag or a date means that scope: no extra click on its radio button.
        self.tag.textEdited.connect(lambda _text: self.tagged.setChecked(True))
        for end in (self.start, self.end):
            end.edited.connect(lambda: self.dated.setChecked(True))
            end.line.textChanged.connect(self._validate)
        self.scope_buttons.buttonToggled.connect(lambda _button, _on: self._validate())
        for box in self.sections.values():
            box.toggled.connect(self._validate)
        self.browse.clicked.connect(self._browse)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    # -- reading what was chosen -------------------------------------------------------

    def scope(self) -> Scope:
        """The attacks the pack covers, or InvalidInput saying what is missing."""
        if self.chosen.isChecked():
            return Scope(attacks=tuple(record.id for record in self._selected))
        if self.tagged.isChecked():
            tag = self.tag.text().strip()
            if not tag:
                raise InvalidInput("type the tag of the attacks the pack covers")
            return Scope(tag=tag)
        if self.dated.isChecked():
            start, end = self.start.value(), self.end.value()
            if start is None and end is None:
                raise InvalidInput("give the first date of the range, the last, or both")
            return Scope(start=start, end=end)
        return Scope()

    def handling(self) -> Handling:
        """The handling block as typed, or InvalidInput while the review date cannot be
        read."""
        try:
            review = self.review.value()
        except InvalidInput as exc:
            raise InvalidInput(f"review date: {exc}") from None
        texts = {name: edit.text() for name, edit in self.handling_edits.items()}
        return Handling(**texts, review=review)

    def file(self) -> Path:
        text = self.path.text().strip()
        if not text:
            raise InvalidInput("choose where to save the pack")
        path = Path(text).expanduser()
        path = path if path.is_absolute() else self._folder / path
        if not path.name:
            raise InvalidInput("give the pack a file name")
        return path if path.suffix.lower() == SUFFIX else path.with_name(path.name + SUFFIX)

    def values(self) -> tuple[Path, PackOptions, bool]:
        """The file, the options, and whether the user already agreed to replace the file
        (the Save dialog asks); raises InvalidInput while something cannot be used."""
        options = PackOptions(
            title=self.title.text().strip(),
            subtitle=self.subtitle.text().strip(),
            marking=self.marking.currentText(),
            author=self.author.text().strip(),
            show_author=self.show_author.isChecked(),
            version=self.version.text().strip(),
            sections=frozenset(s for s, box in self.sections.items() if box.isChecked()),
            scope=self.scope(),
            handling=self.handling(),
        )
        path = self.file()
        return path, options, path == self._confirmed

    # -- checking as the user types -----------------------------------------------------

    def _validate(self) -> None:
        try:
            marking = normal_marking(self.marking.currentText())
        except InvalidInput as exc:
            marking = None
            show_problem(self.marking, sentence(str(exc)))
        else:
            show_problem(self.marking, "")
        self.chip.show_marking(marking)
        self._describe_scope()
        try:
            self.values()
        except InvalidInput as exc:
            problem = sentence(str(exc))
        else:
            problem = ""
        self.error.setText(problem)
        self.error.setVisible(bool(problem))
        self.ok.setEnabled(not problem)

    def _describe_scope(self) -> None:
        try:
            scope = self.scope()
        except InvalidInput:
            self.scope_note.show_text("")
            return
        if scope.whole_case:
            text = "Every attack in the case, with the people, groups and quotes linked to it."
        elif scope.attacks:
            text = "Only the chosen attacks, with the people, groups and quotes linked to them."
        elif scope.tag is not None:
            text = f"Attacks tagged “{scope.tag}”, with what is linked to them."
        else:
            first = _day(scope.start.first_day()) if scope.start else "the earliest"
            last = _day(scope.end.last_day()) if scope.end else "the latest"
            text = f"Attacks dated from {first} to {last}; attacks with no date are left out."
        self.scope_note.show_text(text)

    def _browse(self) -> None:
        try:
            current = str(self.file())
        except InvalidInput:
            current = str(self._folder)
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Save the briefing pack", current, f"PDF files (*{SUFFIX})"
        )
        if chosen:
            path = Path(chosen)
            if path.suffix.lower() != SUFFIX:
                # The file dialog asked about replacing the name as typed, not this one.
                path = path.with_name(path.name + SUFFIX)
            else:
                self._confirmed = path
            self.path.setText(str(path))


# -- building the pack ----------------------------------------------------------------------


@dataclass(frozen=True)
class Exported:
    """A finished pack: the core's report and the file's bytes, for the preview."""

    report: ExportReport
    data: bytes


class ExportRun(ProgressRun):
    """One export the user started: its progress dialog, its worker job, its preview."""

    def __init__(
        self, controller: CaseController, parent: QWidget, tell: Callable[[str], None]
    ) -> None:
        super().__init__(
            controller, parent, "Export briefing pack", "Writing the briefing pack…", STEPS
        )
        self.tell = tell
        self.preview: PackPreview | None = None
        self.dialog.setValue(0)
        # Set from the GUI thread, read by the job: works with a synchronous worker too,
        # where the job runs before ``submit`` returns a task to cancel.
        self._stop = threading.Event()
        self.dialog.canceled.connect(self._stop.set)

    def start(self, path: Path, options: PackOptions, *, replace: bool) -> None:
        """Write the pack to ``path``; an existing file is replaced only if ``replace``
        (else the user is asked first)."""
        stop = self._stop

        def job(case: Case, task: Task) -> Exported:
            shown = -1

            def progress(fraction: float) -> None:
                nonlocal shown
                if round(fraction * STEPS) != shown:  # one signal per percent, not per page
                    shown = round(fraction * STEPS)
                    task.progress(shown, STEPS)

            report = case.briefing.export(
                path, options, progress, lambda: task.cancelled or stop.is_set(), replace=replace
            )
            return Exported(report, report.path.read_bytes())

        def failed(exc: BaseException) -> None:
            self.close_dialog()
            if isinstance(exc, AlreadyExists):
                self._ask_to_replace(path, options)
            elif isinstance(exc, ExportCancelled):
                self.tell("Export cancelled; no file was written.")
            else:
                self.controller.report(exc)

        task = self.controller.run(job, self._done, failed)
        if self._open:  # (a synchronous worker, in tests, has finished already)
            self.task = task

    def _ask_to_replace(self, path: Path, options: PackOptions) -> None:
        answer = QMessageBox.question(
            self.parent,
            "Export briefing pack",
            f"{path.name} already exists in {path.parent}.\n\nReplace it?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            ExportRun(self.controller, self.parent, self.tell).start(path, options, replace=True)

    def show_progress(self, done: int, total: int, now: str) -> None:
        if not self._stop.is_set():
            super().show_progress(done, total, now)

    def _done(self, exported: Exported) -> None:
        self.close_dialog()
        report = exported.report
        pages = how_many(report.pages, "page")
        said = f"version {report.version.version}, {pages}"
        self.tell(f"Briefing pack written: {report.path} ({said}).")
        self.preview = PackPreview(report, exported.data, self.parent)
        self.preview.show()


# -- the preview ----------------------------------------------------------------------------


class PackPreview(QDialog):
    """The finished pack, page by page, with a way to find the file."""

    def __init__(self, report: ExportReport, data: bytes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"{report.path.name} — {how_many(report.pages, 'page')}")
        self.pages = PdfPages(self, data, "Briefing pack page")
        self.view, self.pdf = self.pages.view, self.pages.pdf
        pages = max(report.pages, 1)
        self.page = QSpinBox()
        self.page.setAccessibleName("Page")
        self.page.setRange(1, pages)
        self.page.setPrefix("Page ")
        self.page.setSuffix(f" of {pages}")
        self.page.valueChanged.connect(self._show_page)
        navigator = self.view.pageNavigator()
        if navigator is not None:
            navigator.currentPageChanged.connect(lambda n: self.page.setValue(n + 1))
        for key, step in (
            (QKeySequence.StandardKey.MoveToNextPage, 1),
            (QKeySequence.StandardKey.MoveToPreviousPage, -1),
        ):
            QShortcut(QKeySequence(key), self, lambda s=step: self.page.stepBy(s))
        self.summary = QLabel(
            f"{how_many(report.pages, 'page')} · {file_size(len(data))} · "
            f"{how_many(report.attacks, 'attack')}, {how_many(report.quotes, 'quote')}, "
            f"{how_many(report.sources, 'source')}"
        )
        self.summary.setAccessibleName("About the pack")
        self.where = Note()
        self.where.show_text(str(report.path))
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.where.setAccessibleName("Saved as")
        self.where.setToolTip(str(report.path))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.show_folder = self.buttons.addButton(
            "Show in folder", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.show_folder.setAccessibleName("Show the pack in its folder")
        self.show_folder.clicked.connect(self.open_folder)
        self.buttons.rejected.connect(self.close)

        top = QHBoxLayout()
        about = QVBoxLayout()
        about.setSpacing(0)
        about.addWidget(self.summary)
        about.addWidget(self.where)
        top.addLayout(about, 1)
        top.addWidget(self.page)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.buttons)
        self.resize(760, 940)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setFocus()

    def _show_page(self, number: int) -> None:
        navigator = self.view.pageNavigator()
        if navigator is not None and navigator.currentPage() != number - 1:
            navigator.jump(number - 1, navigator.currentLocation())

    def open_folder(self) -> None:
        """The folder in the system's file manager (selecting the file is not portable)."""
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.report.path.parent)))


# -- from the menu ---------------------------------------------------------------------------


def export_briefing_pack(
    controller: CaseController,
    settings: WindowSettings,
    selected: Sequence[Record[Any]],
    parent: QWidget,
    tell: Callable[[str], None],
) -> None:
    """Ask what the pack holds, offering the handling block the case keeps and its next
    version (read on the worker first), then build it in the background and preview it."""
    info = controller.info
    if info is None:
        return

    def ask(offered: tuple[Handling, str]) -> None:
        kept, version = offered
        last = settings.last_pack()
        file = default_file(info.title, info.path, last.folder)
        dialog = ExportPackDialog(
            info.title, file, selected, last, kept=kept, version=version, parent=parent
        )
        try:
            if not dialog.exec():
                return
            path, options, confirmed = dialog.values()
        finally:
            dialog.deleteLater()
        settings.remember_pack(
            LastPack(options.marking, options.author, options.show_author, str(path.parent))
        )
        ExportRun(controller, parent, tell).start(path, options, replace=confirmed)

    controller.read(lambda case: (case.briefing.handling(), case.briefing.next_version()), ask)
