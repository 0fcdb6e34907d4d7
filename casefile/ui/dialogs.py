"""Small dialogs: a new case, a passphrase, the import limits."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from casefile.domain.display import sentence
from casefile.domain.errors import InvalidInput
from casefile.domain.formats import CASE_EXTENSION
from casefile.domain.import_options import ImportOptions

ERROR_STYLE = "color: #b00020;"


def _error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    return label


class PassphraseDialog(QDialog):
    """Asks for an encrypted case's passphrase; shows why the last one failed."""

    def __init__(self, path: Path, error: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Encrypted case")
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.error = _error_label()
        self.error.setText(error)
        self.error.setVisible(bool(error))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{path.name}</b> is encrypted. Enter its passphrase:"))
        layout.addWidget(self.passphrase)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def value(self) -> str:
        return self.passphrase.text()


class NewCaseDialog(QDialog):
    """Where the new case goes, its title, and whether it is encrypted."""

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New case")
        self.setMinimumWidth(480)
        self.title = QLineEdit()
        self.title.setPlaceholderText("e.g. Westminster attack, March 2017")
        self.title.setAccessibleName("Case title")
        self.path = QLineEdit(str(folder / f"new-case{CASE_EXTENSION}"))
        self.path.setAccessibleName("Case file")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        self.encrypt = QCheckBox("Encrypt this case with a passphrase")
        self.passphrase = QLineEdit()
        self.repeat = QLineEdit()
        for edit, name in ((self.passphrase, "Passphrase"), (self.repeat, "Repeat passphrase")):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setAccessibleName(name)
            edit.setEnabled(False)
            edit.textChanged.connect(self._validate)
        self.encrypt.toggled.connect(self.passphrase.setEnabled)
        self.encrypt.toggled.connect(self.repeat.setEnabled)
        self.encrypt.toggled.connect(self._validate)
        self.title.textChanged.connect(self._validate)
        self.path.textChanged.connect(self._validate)
        self.error = _error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Title:", self.title)
        form.addRow("File:", where)
        form.addRow("", self.encrypt)
        form.addRow("Passphrase:", self.passphrase)
        form.addRow("Repeat:", self.repeat)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._validate()

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "New case", self.path.text(), f"Case files (*{CASE_EXTENSION})"
        )
        if chosen:
            self.path.setText(
                chosen if chosen.endswith(CASE_EXTENSION) else chosen + CASE_EXTENSION
            )

    def problem(self) -> str:
        path = Path(self.path.text().strip()).expanduser()
        if not self.title.text().strip():
            return "Give the case a title."
        if not self.path.text().strip():
            return "Choose where to save the case."
        if path.exists():
            return f"{path.name} already exists: choose another name."
        if not path.parent.is_dir():
            return f"There is no folder {path.parent}."
        if self.encrypt.isChecked():
            if not self.passphrase.text():
                return "Enter a passphrase."
            if self.passphrase.text() != self.repeat.text():
                return "The two passphrases differ."
        return ""

    def _validate(self) -> None:
        problem = self.problem()
        self.error.setText(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)

    def values(self) -> tuple[Path, str, str | None]:
        passphrase = self.passphrase.text() if self.encrypt.isChecked() else None
        return Path(self.path.text().strip()).expanduser(), self.title.text().strip(), passphrase


class ImportLimitsDialog(QDialog):
    """What one imported file may cost: a bigger, longer or hungrier one fails, alone."""

    def __init__(self, options: ImportOptions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import limits")
        self._options = options
        self.max_mb = QDoubleSpinBox(decimals=0, minimum=1, maximum=10_000, suffix=" MB")
        self.max_pages = QSpinBox(minimum=1, maximum=1_000_000, suffix=" pages")
        self.max_text_mb = QDoubleSpinBox(decimals=0, minimum=1, maximum=10_000, suffix=" MB")
        self.seconds = QDoubleSpinBox(decimals=0, minimum=1, maximum=3600, suffix=" s")
        self.memory_mb = QSpinBox(minimum=256, maximum=65_536, suffix=" MB")
        self.ocr = QLineEdit()
        self.ocr.setPlaceholderText("none: scans are not read")
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()
        self._show(options)
        form = QFormLayout()
        for label, field, tip in (
            ("Largest file", self.max_mb, "Bigger files are not imported."),
            ("Most pages", self.max_pages, "Documents with more pages are not imported."),
            ("Most text in a file", self.max_text_mb, "A file with more text is not imported."),
            ("Time to read a file", self.seconds, "A file that takes longer is given up."),
            ("Memory to read a file", self.memory_mb, "A file that needs more is given up."),
            (
                "Read scans in",
                self.ocr,
                "The languages OCR reads scans and pictures in, as Tesseract names them, "
                "joined by + (eng+ara+urd). Without Tesseract installed, only Latin script "
                "is read. Empty: scans are not read, and are tagged as needing OCR.",
            ),
        ):
            field.setAccessibleName(label)
            field.setToolTip(tip)
            form.addRow(label, field)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        defaults = buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        defaults.clicked.connect(lambda: self._show(ImportOptions()))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def accept(self) -> None:
        """Closes only on limits that can be used: a bad OCR language is said here."""
        try:
            self.options()
        except InvalidInput as exc:
            self.error.setText(sentence(str(exc)))
            self.error.show()
            self.adjustSize()  # room for the line, rather than squeezed fields
            return
        super().accept()

    def _show(self, options: ImportOptions) -> None:
        self.max_mb.setValue(options.max_mb)
        self.max_pages.setValue(options.max_pages)
        self.max_text_mb.setValue(options.max_text_mb)
        self.seconds.setValue(options.seconds)
        self.memory_mb.setValue(options.memory_mb)
        self.ocr.setText(options.ocr_languages)

    def options(self) -> ImportOptions:
        return replace(
            self._options,
            max_mb=self.max_mb.value(),
            max_pages=self.max_pages.value(),
            max_text_mb=self.max_text_mb.value(),
            seconds=self.seconds.value(),
            memory_mb=self.memory_mb.value(),
            ocr_languages=self.ocr.text().strip(),
        )
