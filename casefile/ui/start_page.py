"""What Casefile shows with no case open: create, open, the demo, recent cases."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class StartPage(QWidget):
    new_case = Signal()
    open_case = Signal()
    open_demo = Signal()
    open_path = Signal(object)  # Path

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("Casefile")
        title.setStyleSheet("font-size: 26pt; font-weight: 600;")
        subtitle = QLabel(
            "Attacks, people, groups, sources and quotes — every statement traced to a "
            "graded source. Everything stays on this computer."
        )
        subtitle.setWordWrap(True)
        subtitle.setStyleSheet("color: #555; font-size: 11pt;")

        buttons = QHBoxLayout()
        for text, signal, name in (
            ("New case…", self.new_case, "Create a new case"),
            ("Open case…", self.open_case, "Open a case file"),
            ("Open the demo case", self.open_demo, "Open the Westminster 2017 demo case"),
        ):
            button = QPushButton(text)
            button.setAccessibleName(name)
            button.setMinimumHeight(36)
            button.clicked.connect(signal.emit)
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.recent = QListWidget()
        self.recent.setAccessibleName("Recent cases")
        self.recent.setStyleSheet("QListWidget::item { padding: 5px 6px; }")
        self.recent.itemActivated.connect(
            lambda item: self.open_path.emit(item.data(Qt.ItemDataRole.UserRole))
        )
        self.recent_title = QLabel("Recent cases")
        self.recent_title.setStyleSheet("font-weight: 600;")

        self.hint = QLabel(
            "New here? Open the demo case: the March 2017 Westminster attack, recorded from "
            "one analysis article — attacks, people, groups, quotes and the links between them."
        )
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #555;")

        column = QVBoxLayout()
        column.addWidget(title)
        column.addWidget(subtitle)
        column.addSpacing(18)
        column.addLayout(buttons)
        column.addSpacing(18)
        column.addWidget(self.hint)
        column.addWidget(self.recent_title)
        column.addWidget(self.recent)
        column.addStretch(1)

        outer = QHBoxLayout(self)
        outer.addStretch(1)
        inner = QWidget()
        inner.setLayout(column)
        inner.setMaximumWidth(760)
        outer.addWidget(inner, 4)
        outer.addStretch(1)
        outer.setContentsMargins(40, 48, 40, 40)

    def set_recent(self, paths: list[Path]) -> None:
        self.recent.clear()
        for path in paths:
            item = QListWidgetItem(f"{path.stem}\n{_folder(path)}")
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(str(path))
            self.recent.addItem(item)
        self.recent.setVisible(bool(paths))
        self.recent_title.setVisible(bool(paths))
        self.hint.setVisible(not paths)
        # As tall as its rows, up to a point: the page should not be mostly empty list.
        rows = min(len(paths), 8)
        self.recent.setFixedHeight(rows * (self.recent.sizeHintForRow(0) + 2) + 6 if rows else 0)


def _folder(path: Path) -> str:
    """Where a case is, as people write it: "~/Cases", not "/home/ana/Cases"."""
    home = Path.home()
    if not path.parent.is_relative_to(home):
        return str(path.parent)
    inside = path.parent.relative_to(home)
    return "~" if inside == Path() else f"~/{inside}"
