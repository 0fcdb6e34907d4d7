"""The list of record kinds beside the table, each with its count set apart on the right
(as a mail client shows a folder's messages), in a muted colour."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from casefile.domain.terms import Kind

COUNT_ROLE = Qt.ItemDataRole.UserRole + 1
PADDING = 6  # above and below a kind's name, and at either side of the list


class _KindDelegate(QStyledItemDelegate):
    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        count = index.data(COUNT_ROLE)
        if count is None:
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = (
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        painter.save()
        painter.setPen(option.palette.color(role))
        area = option.rect.adjusted(0, 0, -PADDING, 0)
        painter.drawText(
            area, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{count:,}"
        )
        painter.restore()

    def sizeHint(  # noqa: N802 (a Qt virtual)
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), size.height() + 2 * PADDING)


class KindList(QListWidget):
    """One row per kind: its title, and its count once a case is open."""

    def __init__(self, titles: dict[Kind, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Record kinds")
        self.setItemDelegate(_KindDelegate(self))
        self.setStyleSheet(f"QListWidget::item {{ padding-left: {PADDING}px; }}")
        for kind, title in titles.items():
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, kind)
            self.addItem(item)

    def kind(self, row: int) -> Kind | None:
        item = self.item(row)
        return None if item is None else Kind.parse(item.data(Qt.ItemDataRole.UserRole))

    def set_counts(self, counts: dict[Kind, int]) -> None:
        for row in range(self.count()):
            item = self.item(row)
            n = counts.get(Kind.parse(item.data(Qt.ItemDataRole.UserRole)), 0)
            item.setData(COUNT_ROLE, n)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{item.text()}, {n:,}")
