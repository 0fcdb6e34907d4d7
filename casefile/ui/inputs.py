"""Input widgets for record fields.

Each reads one kind of value the way an investigator types it, says at once how it was
understood, and hands back exactly what a fields dataclass takes, or raises InvalidInput
with a one-line reason. All of them have ``value()``, ``set_value()`` and an ``edited``
signal (user changes only), so forms.py builds any record's form from its dataclass
without knowing which widget it is talking to. Widgets that need the case (vocabulary,
record look-ups) ask the controller, which answers later on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casefile.domain.display import time_into
from casefile.domain.errors import InvalidInput
from casefile.domain.figures import EXAMPLES, Figure, read_figure
from casefile.domain.input_text import TIME_EXAMPLES, UNKNOWN, read_date, read_number, read_time
from casefile.domain.records import Record
from casefile.domain.terms import Kind, LabelledEnum, Vocabulary
from casefile.services.list_query import ListQuery

if TYPE_CHECKING:
    from casefile.domain.dates import PartialDate
    from casefile.services.case import Case
    from casefile.services.vocabulary import Term
    from casefile.ui.controller import CaseController

T = TypeVar("T")
E = TypeVar("E", bound=LabelledEnum)

ERROR_COLOR = QColor("#b3261e")  # a muted red: a problem to fix, not an alarm
LIST_SEPARATOR = ";"
SEARCH_DELAY_MS = 150  # long enough not to query on every key, short enough to feel live
SEARCH_LIMIT = 20
NOT_SEARCHABLE = frozenset({Kind.LINK})  # a link has no text of its own to search
NOT_CREATABLE = frozenset({Kind.DOCUMENT, Kind.LINK})  # made from a file, or from two records


def deliver_to(widget: QWidget, on_done: Callable[[T], None]) -> Callable[[T], None]:
    """Drop a background result whose widget is gone (a dialog closed before a read ended)."""

    def deliver(result: T) -> None:
        if isValid(widget):
            on_done(result)

    return deliver


def show_problem(edit: QWidget, problem: str) -> None:
    """Colour an input's text red while it cannot be read; the reason goes in its tooltip
    and accessible description, so it is not told by colour alone."""
    palette = edit.palette()
    # Not the disabled group: a field that cannot be typed in keeps its greyed text.
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        normal = QApplication.palette(edit).color(group, QPalette.ColorRole.Text)
        palette.setColor(group, QPalette.ColorRole.Text, ERROR_COLOR if problem else normal)
    edit.setPalette(palette)
    edit.setToolTip(problem)
    edit.setAccessibleDescription(problem)


def toggle(chosen: list[T], item: T, on: bool) -> None:
    """Keep ticked values in the order they were ticked: the order the user gave."""
    if on and item not in chosen:
        chosen.append(item)
    elif not on and item in chosen:
        chosen.remove(item)


def enum_text(member: LabelledEnum) -> str:
    """'B — Usually reliable' where the stored value is a code, the label alone otherwise."""
    if member.value.lower() == member.label.lower().replace(" ", "_"):
        return member.label
    return f"{member.value} — {member.label}"


def describe(record: Record[Any]) -> str:
    """How a suggested or chosen record reads: "Khalid Masood (person)"."""
    return f"{record.label} ({record.kind.value})"


class Note(QLabel):
    """Small text under a control: how its input was understood, or why it was not."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.setFont(font)
        # Errors are drawn in WindowText, everything else in the muted placeholder colour.
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.WindowText, ERROR_COLOR)
        self.setPalette(palette)
        self.show_text("")

    def show_text(self, text: str, *, error: bool = False) -> None:
        self.setText(text)
        self.setVisible(bool(text))  # no blank line under a control with nothing to say
        muted = QPalette.ColorRole.PlaceholderText
        self.setForegroundRole(QPalette.ColorRole.WindowText if error else muted)


class TextInput(QLineEdit):
    """A line edit that tells the form when the user (not the program) changed it."""

    edited = Signal()

    def __init__(self, *, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.textEdited.connect(self.edited)


class LineEdit(TextInput):
    """One line of free text."""

    def value(self) -> str:
        return self.text().strip()

    def set_value(self, value: str | None) -> None:
        self.setText(value or "")


class MultilineEdit(QPlainTextEdit):
    """Free text over several lines (a summary, a quote); Tab moves on, as in a form."""

    edited = Signal()

    def __init__(self, *, name: str, lines: int = 4, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lines = lines
        self.setAccessibleName(name)
        self.setTabChangesFocus(True)
        self.textChanged.connect(self.edited)

    def sizeHint(self) -> QSize:  # noqa: N802 (a Qt virtual)
        frame = 2 * (self.frameWidth() + round(self.document().documentMargin()))
        height = self.fontMetrics().lineSpacing() * self._lines + frame
        return QSize(super().sizeHint().width(), height)

    def value(self) -> str:
        return self.toPlainText().strip()

    def set_value(self, value: str | None) -> None:
        self.blockSignals(True)  # ``edited`` means a user's change
        self.setPlainText(value or "")
        self.blockSignals(False)


class NumberEdit(TextInput):
    """An optional number as text: empty or "unknown" (``input_text``'s words) means not
    known, which is not zero. Whether it is in range is the record's rule, said by the
    form."""

    HINT = ""  # the tooltip while what is typed can be read

    def __init__(
        self,
        number: type[int] | type[float] = float,
        *,
        name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(name=name, parent=parent)
        self._number = number
        self.setPlaceholderText(UNKNOWN)
        # A number is short: a full-width field would look like room for text.
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.textChanged.connect(self._check)
        self.setToolTip(self.HINT)

    def value(self) -> Any:
        return read_number(self.text(), self._number)

    def set_value(self, value: Any) -> None:
        self.setText("" if value is None else str(value))

    def _check(self) -> None:
        try:
            self.value()
        except InvalidInput as exc:
            show_problem(self, str(exc))
        else:
            show_problem(self, "")
            self.setToolTip(self.HINT)


class FigureEdit(NumberEdit):
    """How many (killed, wounded…) as the source said it: "3", "at least 30", "30–35",
    "dozens (at least 24)"; empty or "unknown" when not known, which is not zero."""

    HINT = f"As the source gave it: {EXAMPLES}"

    def __init__(self, *, name: str, parent: QWidget | None = None) -> None:
        super().__init__(int, name=name, parent=parent)

    def value(self) -> Figure | None:
        return read_figure(self.text())


class TimeEdit(NumberEdit):
    """When in a recording a quote is said: "1:02", "0:01:02", "62s"; shown again as
    "0:01:02". Empty when it is not known."""

    HINT = f"The time into the recording, {TIME_EXAMPLES}"

    def __init__(self, *, name: str, parent: QWidget | None = None) -> None:
        super().__init__(int, name=name, parent=parent)
        self.setPlaceholderText("h:mm:ss")

    def value(self) -> int | None:
        return read_time(self.text())

    def set_value(self, value: int | None) -> None:
        self.setText("" if value is None else time_into(value))


class PartialDateEdit(QWidget):
    """A date as people write it ("March 2016", "c. 2014"), with a line saying how it was
    read, so nobody stores a day they did not mean."""

    edited = Signal()
    HINT = "e.g. 22 March 2017, March 2016, c. 2014"

    def __init__(
        self, *, dayfirst: bool | None = True, name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._dayfirst = dayfirst
        self.line = QLineEdit()
        self.line.setAccessibleName(name)
        self.line.setClearButtonEnabled(True)
        self.note = Note()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.line)
        layout.addWidget(self.note)
        self.setFocusProxy(self.line)
        self.line.textChanged.connect(self._understand)
        self.line.textEdited.connect(self.edited)
        self._understand()

    def value(self) -> PartialDate | None:
        return read_date(self.line.text(), dayfirst=self._dayfirst)

    def set_value(self, value: PartialDate | None) -> None:
        self.line.setText("" if value is None else value.display())

    def _understand(self) -> None:
        try:
            value = self.value()
        except InvalidInput as exc:
            self.note.show_text(str(exc), error=True)
            show_problem(self.line, str(exc))
            return
        show_problem(self.line, "")
        if value is None:
            self.note.show_text(f"→ {UNKNOWN}" if self.line.text().strip() else self.HINT)
        else:
            self.note.show_text(f"→ {value.display()}, {value.precision.value} precision")
        self.line.setAccessibleDescription(self.note.text())


class EnumCombo(QComboBox):
    """One value of a LabelledEnum. The chosen value's explanation shows in
    ``explanation`` (the form puts it under the combo): that is how a user learns what an
    Admiralty grade means."""

    edited = Signal()
    UNSET = "—"

    def __init__(
        self,
        enum: type[LabelledEnum],
        *,
        optional: bool = False,
        explain: Callable[[LabelledEnum], str] | None = None,
        name: str,
        parent: QWidget | None = None,
    ) -> None:
        """``explain`` says what a value means, when its explanation does not."""
        super().__init__(parent)
        self.setAccessibleName(name)
        self._members: list[LabelledEnum | None] = [*([None] if optional else []), *enum]
        self._explain = explain or (lambda member: member.explanation)
        for index, member in enumerate(self._members):
            self.addItem(self.UNSET if member is None else enum_text(member))
            if member is not None:
                self.setItemData(index, self._explain(member), Qt.ItemDataRole.ToolTipRole)
        self.explanation = Note()
        if not any(self._explain(member) for member in enum):
            self.explanation.hide()
        self.currentIndexChanged.connect(self._show_explanation)
        self.activated.connect(self.edited)
        self._show_explanation()

    def value(self) -> LabelledEnum | None:
        return self._members[self.currentIndex()]

    def set_value(self, value: LabelledEnum | None) -> None:
        self.setCurrentIndex(self._members.index(value))

    def _show_explanation(self) -> None:
        member = self.value()
        self.explanation.show_text("" if member is None else self._explain(member))
        self.setAccessibleDescription(self.explanation.text())


class EnumChecks(QWidget):
    """Several values of a LabelledEnum (a person's roles) as tick boxes."""

    edited = Signal()

    def __init__(
        self,
        enum: type[LabelledEnum],
        *,
        columns: int = 4,
        name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._chosen: list[LabelledEnum] = []
        self._boxes: dict[LabelledEnum, QCheckBox] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for index, member in enumerate(enum):
            box = QCheckBox(member.label)
            box.setAccessibleName(f"{name}: {member.label}")
            box.setToolTip(member.explanation)
            box.clicked.connect(partial(self._ticked, member))
            grid.addWidget(box, index // columns, index % columns)
            self._boxes[member] = box
        self.setFocusProxy(next(iter(self._boxes.values())))

    def value(self) -> tuple[LabelledEnum, ...]:
        return tuple(self._chosen)

    def set_value(self, values: Sequence[LabelledEnum]) -> None:
        self._chosen = list(dict.fromkeys(values))
        for member, box in self._boxes.items():
            box.setChecked(member in self._chosen)

    def _ticked(self, member: LabelledEnum) -> None:
        toggle(self._chosen, member, self._boxes[member].isChecked())
        self.edited.emit()


class CompactList(QListWidget):
    """A list a few rows tall: a form holds several, and each scrolls on its own."""

    def __init__(self, *, rows: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows = rows

    def sizeHint(self) -> QSize:  # noqa: N802 (a Qt virtual)
        frame = 2 * self.frameWidth()
        row = self.sizeHintForRow(0) if self.count() else self.fontMetrics().height() + 4
        bar = self.verticalScrollBar().sizeHint().width()
        width = max(super().sizeHint().width(), self.sizeHintForColumn(0) + bar + frame)
        return QSize(width, row * self._rows + frame)


class TermsEdit(QWidget):
    """Codes from a case vocabulary (attack, weapon, target types), ticked by their labels.

    The terms come from the case, which may add its own to the GTD built-ins. The list
    is short and scrolls, so a line under it names what is ticked, and the terms a record
    has are listed first when it is opened (not as they are ticked: rows do not move under
    the pointer)."""

    edited = Signal()

    def __init__(
        self,
        controller: CaseController,
        vocabulary: Vocabulary,
        *,
        rows: int = 5,
        name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._chosen: list[str] = []
        self._labels: dict[str, str] = {}
        self.list = CompactList(rows=rows)
        self.list.setAccessibleName(name)
        self.note = Note()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.list)
        layout.addWidget(self.note)
        self.setFocusProxy(self.list)
        self.list.itemChanged.connect(self._ticked)
        controller.read(
            lambda case: case.vocabulary.terms(vocabulary), deliver_to(self, self._fill)
        )

    def value(self) -> tuple[str, ...]:
        return tuple(self._chosen)

    def set_value(self, codes: Sequence[str]) -> None:
        self._chosen = list(dict.fromkeys(codes))
        self._show_chosen()

    def _fill(self, terms: list[Term]) -> None:
        for number, term in enumerate(terms):
            item = QListWidgetItem(term.label)
            item.setData(Qt.ItemDataRole.UserRole, term.code)
            item.setData(Qt.ItemDataRole.UserRole + 1, number)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            self.list.addItem(item)
            self._labels[term.code] = term.label
        self._show_chosen()
        self.list.updateGeometry()

    def _show_chosen(self) -> None:
        self.list.blockSignals(True)  # ``edited`` means a user's change
        items = [self.list.takeItem(0) for _ in range(self.list.count())]
        items.sort(  # the ticked first, each part in the vocabulary's order
            key=lambda item: (
                item.data(Qt.ItemDataRole.UserRole) not in self._chosen,
                item.data(Qt.ItemDataRole.UserRole + 1),
            )
        )
        for item in items:
            on = item.data(Qt.ItemDataRole.UserRole) in self._chosen
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.scrollToTop()
        self.list.blockSignals(False)
        self._summarise()

    def _summarise(self) -> None:
        labels = ", ".join(self._labels.get(code, code) for code in self._chosen)
        self.note.show_text(labels or "none ticked")
        self.list.setAccessibleDescription(self.note.text())

    def _ticked(self, item: QListWidgetItem) -> None:
        code = item.data(Qt.ItemDataRole.UserRole)
        toggle(self._chosen, code, item.checkState() == Qt.CheckState.Checked)
        self._summarise()
        self.edited.emit()


class TextListEdit(TextInput):
    """Several short texts (aliases, authors) on one line, separated by ";"."""

    def __init__(self, *, name: str, parent: QWidget | None = None) -> None:
        super().__init__(name=name, parent=parent)
        self.setPlaceholderText(f"separate several with {LIST_SEPARATOR}")

    def value(self) -> tuple[str, ...]:
        parts = (part.strip() for part in self.text().split(LIST_SEPARATOR))
        return tuple(part for part in parts if part)

    def set_value(self, values: Sequence[str]) -> None:
        self.setText(f"{LIST_SEPARATOR} ".join(values))


class RecordPicker(QWidget):
    """A reference to another record, found by typing part of its name.

    Suggestions come from the case as the user types (after a short pause), with a last
    entry per kind to create a new record from the typed text: ``create_requested``.
    Whoever creates it then calls ``choose`` with the new record."""

    edited = Signal()
    picked = Signal(object)  # Record
    create_requested = Signal(object, str)  # Kind, the typed text

    def __init__(
        self,
        controller: CaseController,
        kinds: Sequence[Kind],
        *,
        optional: bool = True,
        name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self.kinds = tuple(kinds)
        self._id: UUID | None = None
        self.kind: Kind | None = None  # of the record chosen, once known
        self._label = ""
        self._offers: list[Record[Any] | tuple[Kind, str]] = []
        self.line = QLineEdit()
        self.line.setAccessibleName(name)
        self.line.setPlaceholderText("type to search…")
        self.line.setToolTip("Finds " + ", ".join(f"{k.value}s" for k in self.kinds))
        self.line.setClearButtonEnabled(optional)
        self.suggestions = QStandardItemModel(self)
        self.completer = QCompleter(self.suggestions, self)
        self.completer.setWidget(self.line)  # not setCompleter: the case does the matching
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.activated[QModelIndex].connect(self._activated)  # type: ignore[index]
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search)
        self.line.textEdited.connect(self._typed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line)
        self.setFocusProxy(self.line)

    def value(self) -> UUID | None:
        text = self.line.text().strip()
        if self._id is not None or not text:
            return self._id
        raise InvalidInput(f"choose “{text}” from the suggestions, or clear it")

    def set_value(self, value: UUID | None, label: str | None = None) -> None:
        """Show a record; without its label, the label is looked up in the case."""
        self._id = value
        self.kind = None
        self._show_label("" if value is None else label or "…")
        if value is not None:  # its kind (and label, unless given) from the case
            self._controller.read(
                lambda case: case.records.get(value),
                deliver_to(self, partial(self._looked_up, value, label is None)),
            )

    def choose(self, record: Record[Any]) -> None:
        """Take a record as if the user had picked it from the suggestions."""
        self._id = record.id
        self.kind = record.kind
        self._show_label(record.label)
        self.picked.emit(record)
        self.edited.emit()

    def _show_label(self, label: str) -> None:
        self._label = label
        self.line.setText(label)
        self.line.setCursorPosition(0)

    def _looked_up(self, value: UUID, relabel: bool, record: Record[Any]) -> None:
        if self._id == value:
            self.kind = record.kind
            if relabel:
                self._show_label(record.label)
            self.edited.emit()  # what depends on the kind (a link's fit) is checked again

    def _typed(self, text: str) -> None:
        if self._id is not None and text != self._label:
            self._id = self.kind = None  # the text no longer names the chosen record
        self.edited.emit()
        self._timer.start()

    def _search(self) -> None:
        text = self.line.text().strip()
        if not text:
            self._offer(text, [])
            return
        kinds = [k for k in self.kinds if k not in NOT_SEARCHABLE]

        def find(case: Case) -> list[Record[Any]]:
            pages = (case.listing.page(ListQuery(k, text=text, limit=SEARCH_LIMIT)) for k in kinds)
            return [record for page in pages for record in page.records]

        self._controller.read(find, deliver_to(self, partial(self._offer, text)))

    def _offer(self, text: str, records: list[Record[Any]]) -> None:
        if text != self.line.text().strip():
            return  # the user typed on while the case was searching
        creatable = [k for k in self.kinds if k not in NOT_CREATABLE] if text else []
        self._offers = [*records, *((kind, text) for kind in creatable)]
        self.suggestions.clear()
        for row, offer in enumerate(self._offers):
            if isinstance(offer, Record):
                item = QStandardItem(describe(offer))
            else:
                item = QStandardItem(f"Create new {offer[0].value} “{offer[1]}”…")
                font = item.font()
                font.setItalic(True)
                item.setFont(font)
            item.setData(row, Qt.ItemDataRole.UserRole)
            self.suggestions.appendRow(item)
        if self._offers and self.line.hasFocus():
            self.completer.complete()
        elif (popup := self.completer.popup()) is not None:
            popup.hide()

    def _activated(self, index: QModelIndex) -> None:
        offer = self._offers[index.data(Qt.ItemDataRole.UserRole)]
        if isinstance(offer, Record):
            self.choose(offer)
        else:
            self.create_requested.emit(*offer)


class RecordListPicker(QWidget):
    """Several references (a link's citations): pick one to add it, select one to remove it."""

    edited = Signal()

    def __init__(
        self,
        controller: CaseController,
        kinds: Sequence[Kind],
        *,
        rows: int = 3,
        name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._ids: list[UUID] = []
        self.picker = RecordPicker(controller, kinds, name=f"Add to {name.lower()}")
        self.chosen = CompactList(rows=rows)
        self.chosen.setAccessibleName(name)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName(f"Remove from {name.lower()}")
        self.remove_button.setEnabled(False)
        buttons = QVBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addStretch()
        row = QHBoxLayout()
        row.addWidget(self.chosen, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.picker)
        layout.addLayout(row)
        self.setFocusProxy(self.picker)
        self.picker.picked.connect(self._add)
        self.picker.edited.connect(self.edited)
        self.remove_button.clicked.connect(self._remove)
        self.chosen.currentRowChanged.connect(lambda row: self.remove_button.setEnabled(row >= 0))

    def value(self) -> tuple[UUID, ...]:
        self.picker.value()  # a typed name that was never chosen must not be dropped silently
        return tuple(self._ids)

    def set_value(self, values: Sequence[UUID]) -> None:
        self._ids = list(dict.fromkeys(values))
        self.chosen.clear()
        self.chosen.addItems(["…"] * len(self._ids))
        if self._ids:
            wanted = list(self._ids)
            self._controller.read(
                lambda case: case.records.get_many(wanted), deliver_to(self, self._labelled)
            )

    def _labelled(self, records: list[Record[Any]]) -> None:
        found = {record.id: record for record in records}
        for row, record_id in enumerate(self._ids):
            if record_id in found:
                self.chosen.item(row).setText(describe(found[record_id]))

    def _add(self, record: Record[Any]) -> None:
        if record.id not in self._ids:
            self._ids.append(record.id)
            self.chosen.addItem(describe(record))
        self.picker.set_value(None)
        self.edited.emit()

    def _remove(self) -> None:
        row = self.chosen.currentRow()
        del self._ids[row]
        self.chosen.takeItem(row)
        self.edited.emit()
