"""One form for every record kind, built from its fields dataclass as the CLI builds its
options: a field added to a record appears in the GUI without GUI code, and the form
checks input exactly as the services will, by building the dataclass."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from casefile.domain.dates import PartialDate
from casefile.domain.display import TIME_FIELDS, field_label, sentence
from casefile.domain.errors import InvalidInput
from casefile.domain.facts import FACTS
from casefile.domain.figures import Figure
from casefile.domain.records import (
    FIELDS_OF_KIND,
    AnyFields,
    LinkFields,
    Record,
    ReportFields,
    contradiction,
    link_misfit,
)
from casefile.domain.terms import Kind, LabelledEnum, Relation
from casefile.ui.fact_inputs import FactCombo, FactValueEdit
from casefile.ui.inputs import (
    EnumChecks,
    EnumCombo,
    FigureEdit,
    LineEdit,
    MultilineEdit,
    Note,
    NumberEdit,
    PartialDateEdit,
    RecordListPicker,
    RecordPicker,
    TermsEdit,
    TextListEdit,
    TimeEdit,
    deliver_to,
)

if typing.TYPE_CHECKING:
    from casefile.ui.controller import CaseController
    from casefile.ui.undo import Editor

MULTILINE = frozenset({"summary", "text", "translation", "context", "statement", "basis"})
# What a value means beyond its label; a relation's explanation is its reverse reading.
EXPLAIN: dict[type[LabelledEnum], Callable[[Any], str]] = {
    Relation: lambda relation: f"read from the object's side: “{relation.inverse_label}”",
}
REPORTED_HINT = (
    "Set by its reported values: report a new value, or assess one, in the record's details"
)
SCREEN_SHARE = 0.85  # of the screen's height that a dialog may take before it scrolls
WIDTH_IN_CHARACTERS = 100  # labels, and fields that show a headline-long title whole


def _unwrap(hint: Any) -> tuple[Any, bool]:
    """The type inside ``X | None``, and whether None is allowed."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return next(a for a in typing.get_args(hint) if a is not type(None)), True
    return hint, False


def _is_enum(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, LabelledEnum)


@dataclasses.dataclass(frozen=True)
class FormField:
    name: str
    hint: Any  # the declared type, e.g. ``PartialDate | None``
    metadata: Mapping[str, Any]
    default: Any  # dataclasses.MISSING when the field must be given

    @property
    def label(self) -> str:
        return field_label(self.name)

    @property
    def required(self) -> bool:
        return self.default is dataclasses.MISSING


def form_fields(cls: type[AnyFields]) -> list[FormField]:
    hints = typing.get_type_hints(cls)
    return [
        FormField(
            f.name,
            hints[f.name],
            f.metadata,
            f.default if f.default_factory is dataclasses.MISSING else f.default_factory(),
        )
        for f in dataclasses.fields(cls)
    ]


def input_for(spec: FormField, controller: CaseController, dayfirst: bool | None) -> Any:
    """The input widget for one field, chosen from its type and metadata."""
    base, optional = _unwrap(spec.hint)
    kinds: Sequence[Kind] = spec.metadata.get("ref") or ()
    vocabulary = spec.metadata.get("vocab")
    name = spec.label
    if typing.get_origin(base) is tuple:
        item = typing.get_args(base)[0]
        if vocabulary is not None:
            return TermsEdit(controller, vocabulary, name=name)
        if kinds:
            return RecordListPicker(controller, kinds, name=name)
        if _is_enum(item):
            return EnumChecks(item, name=name)
        return TextListEdit(name=name)
    if kinds:
        return RecordPicker(controller, kinds, optional=optional, name=name)
    if base is PartialDate:
        return PartialDateEdit(dayfirst=dayfirst, name=name)
    if base is Figure:
        return FigureEdit(name=name)
    if spec.name in TIME_FIELDS:
        return TimeEdit(name=name)
    if base is int or base is float:
        return NumberEdit(base, name=name)
    if _is_enum(base):
        # A required value with no default starts unset: preselecting one would be a guess.
        unset = optional or spec.required
        return EnumCombo(base, optional=unset, explain=EXPLAIN.get(base), name=name)
    if base is str:
        return MultilineEdit(name=name) if spec.name in MULTILINE else LineEdit(name=name)
    raise TypeError(f"no input widget for {spec.name}: {spec.hint!r}")


class RecordForm(QWidget):
    """The fields of one record kind, laid out in their dataclass's order."""

    validity_changed = Signal(bool, str)  # valid, and the one-line reason when not
    create_requested = Signal(object, object, str)  # RecordPicker, Kind, the typed text

    def __init__(
        self,
        controller: CaseController,
        cls: type[AnyFields],
        *,
        dayfirst: bool | None = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.cls = cls
        self.controller, self.dayfirst = controller, dayfirst
        self._specs = form_fields(cls)
        self._fixed: dict[str, Any] = {}  # provenance, shown nowhere and carried over
        self._shown: AnyFields | None = None  # the record as it was when shown
        self._problem = ""
        self._layout = QFormLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)  # whoever embeds the form spaces it
        self._layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.inputs: dict[str, Any] = {}
        for spec in self._specs:
            if spec.metadata.get("fixed") or spec.metadata.get("by_command"):
                continue
            widget = self.make_input(spec)
            self.inputs[spec.name] = widget
            self.add_row(spec.label, widget, required=spec.required)
            widget.edited.connect(self.revalidate)
        for picker in self.findChildren(RecordPicker):
            picker.create_requested.connect(partial(self._create_requested, picker))
        self.connect_inputs()
        self.set_fields(None)

    def make_input(self, spec: FormField) -> Any:
        """The input for one field; a form for a kind with fields of its own kind of
        value (a reported value's fact and value) makes those itself."""
        return input_for(spec, self.controller, self.dayfirst)

    def connect_inputs(self) -> None:
        """Where one input follows another (a reported value's fact its record's kind)."""

    def hold_reported(self, facts: set[str]) -> None:
        """Fields whose value stands among reported values are not typed over: the
        reports would then say something else than the record."""
        for name in facts & set(self.inputs):
            widget = self.inputs[name]
            widget.setEnabled(False)
            widget.setToolTip(REPORTED_HINT)

    def _create_requested(self, picker: RecordPicker, kind: Kind, text: str) -> None:
        """Say which picker asked, so that the new record can be put in it."""
        self.create_requested.emit(picker, kind, text)

    def add_row(self, label: str, widget: QWidget, *, required: bool = False) -> None:
        """Append a labelled row; rows that are not fields (a dialog's tags and notes) line
        up with the fields this way. A required field's label is bold."""
        caption = QLabel(label)
        caption.setBuddy(widget)
        if required:
            caption.setStyleSheet("font-weight: 600;")
            caption.setToolTip(f"{label} is required")
            widget.setAccessibleDescription("required")
        if isinstance(widget, EnumCombo):
            cell = QVBoxLayout()
            cell.setSpacing(2)
            cell.addWidget(widget)
            cell.addWidget(widget.explanation)
            self._layout.addRow(caption, cell)
        else:
            self._layout.addRow(caption, widget)

    def set_fields(self, fields: AnyFields | None) -> None:
        """Show a record's values, or the dataclass's defaults for a new record."""
        self._shown = fields
        for spec in self._specs:
            value = spec.default if fields is None else getattr(fields, spec.name)
            if spec.name in self.inputs:
                self.inputs[spec.name].set_value(None if value is dataclasses.MISSING else value)
            else:
                self._fixed[spec.name] = value
        self.revalidate()

    def set_label_text(self, text: str) -> None:
        """Start a new record named by what the user typed (in a picker): the first
        required text field is the one its lists show."""
        first = next(s for s in self._specs if s.required and _unwrap(s.hint)[0] is str)
        self.inputs[first.name].set_value(text)
        self.revalidate()

    def fields(self) -> AnyFields:
        """The record as typed; InvalidInput with a one-line message when it is not valid."""
        values = {spec.name: self._value(spec) for spec in self._specs}
        return self.cls(**values)

    def _value(self, spec: FormField) -> Any:
        if spec.name not in self.inputs:
            value = self._fixed[spec.name]
            if value is dataclasses.MISSING:
                raise InvalidInput(f"{spec.label}: set only when the record is made")
            return value
        try:
            value = self.inputs[spec.name].value()
        except InvalidInput as exc:
            raise InvalidInput(f"{spec.label}: {exc}") from None
        if spec.required and value is None:
            raise InvalidInput(f"{spec.label} is required")
        return value

    def problem(self) -> str:
        """Why the values cannot be stored as they are; empty when they can."""
        try:
            fields = self.fields()
        except InvalidInput as exc:
            return sentence(str(exc))
        misfit = self._misfit(fields) if isinstance(fields, LinkFields) else None
        said = misfit or contradiction(fields)
        return sentence(said) if said else ""

    def _misfit(self, link: LinkFields) -> str | None:
        """Why the link's relation cannot join its ends, told here rather than after the
        dialog closes; as the case checks it, only for a new relation or new ends."""
        shown = self._shown
        if isinstance(shown, LinkFields) and (shown.relation, shown.subject, shown.object) == (
            link.relation,
            link.subject,
            link.object,
        ):
            return None
        subject, obj = self.inputs["subject"].kind, self.inputs["object"].kind
        if subject is None or obj is None:
            return None  # the case checks it when the kinds are still on their way
        return link_misfit(link.relation, subject, obj)

    def validity(self) -> tuple[bool, str]:
        """Whether the values can be stored, and the one-line reason when not."""
        return not self._problem, self._problem

    def revalidate(self) -> None:
        """Check again: after each user edit, and after code changed an input."""
        problem = self.problem()
        if problem != self._problem:
            self._problem = problem
            self.validity_changed.emit(not problem, problem)


class ReportForm(RecordForm):
    """A reported value: its fact is chosen among the facts of the record it is about,
    and its value typed in that fact's own input."""

    def make_input(self, spec: FormField) -> Any:
        if spec.name == "fact":
            return FactCombo(name=spec.label)
        if spec.name == "value":
            return FactValueEdit(self._fact_input, name=spec.label)
        return super().make_input(spec)

    def connect_inputs(self) -> None:
        self.inputs["record"].edited.connect(self._follow_record)
        self.inputs["fact"].edited.connect(self._follow_fact)

    def _fact_input(self, kind: Kind, fact: str) -> Any:
        [spec] = [s for s in form_fields(FIELDS_OF_KIND[kind]) if s.name == fact]
        widget = input_for(spec, self.controller, self.dayfirst)
        widget.setAccessibleName(f"Value: {spec.label}")
        return widget

    def set_fields(self, fields: AnyFields | None) -> None:
        super().set_fields(fields)
        self._follow_record()

    def problem(self) -> str:
        """A new reported value cites its source (one the case held before any report,
        kept unsourced, may be edited as it is)."""
        problem = super().problem()
        shown = self._shown
        unsourced = isinstance(shown, ReportFields) and shown.source is None
        if not problem and self.inputs["source"].value() is None and not unsourced:
            return "Source is required: a reported value cites where it was reported."
        return problem

    def _follow_record(self) -> None:
        self.inputs["fact"].set_kind(self.inputs["record"].kind)
        # A stored report stays with its record and fact: a new value is a new report.
        stored = self._shown is not None
        self.inputs["record"].setEnabled(not stored)
        if stored:
            self.inputs["fact"].setEnabled(False)

    def _follow_fact(self) -> None:
        facts: FactCombo = self.inputs["fact"]
        self.inputs["value"].show_fact(facts.kind, facts.currentData() or "")
        self.inputs["claim_mode"].setEnabled(facts.currentData() == "claimed_by")
        self.revalidate()


FORMS: dict[Kind, type[RecordForm]] = {Kind.REPORT: ReportForm}


class RecordDialog(QDialog):
    """Make or edit one record: its fields, tags and notes. OK stays disabled while the
    input is invalid, and the line above the buttons says why: quietly while it is only
    what a new form still needs, as an error once the user's input is what is wrong."""

    def __init__(
        self,
        editor: Editor,
        kind: Kind,
        record: Record[Any] | None = None,
        parent: QWidget | None = None,
        *,
        preset: Mapping[str, Any] | None = None,
        dayfirst: bool | None = True,
    ) -> None:
        """``record`` is the one to edit (None for a new one); ``preset`` fills fields of
        a new one (a link's subject, a quote's text, source and page from a document).
        The dialog stores nothing itself, but for a picker's "Create new …": that goes
        through ``editor``, on the undo stack like any other add."""
        super().__init__(parent)
        self._editor = editor
        self._dayfirst = dayfirst
        self.setWindowTitle(f"{'New' if record is None else 'Edit'} {kind.label.lower()}")
        form = FORMS.get(kind, RecordForm)
        self.form = form(editor.controller, FIELDS_OF_KIND[kind], dayfirst=dayfirst)
        self.tags = TextListEdit(name="Tags")
        self.notes = MultilineEdit(name="Notes", lines=3)
        self.form.add_row("Tags", self.tags)
        self.form.add_row("Notes", self.notes)
        if record is not None:
            self.form.set_fields(record.fields)
            if record.kind in FACTS:
                editor.controller.read(
                    lambda case: case.facts.reported(record.id),
                    deliver_to(self, self.form.hold_reported),
                )
            self.tags.set_value(record.tags)
            self.notes.set_value(record.notes)
        if preset:
            for name, value in preset.items():
                self.form.inputs[name].set_value(value)
            self.form.revalidate()
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the dialog opens on a field
        gap = self.style().pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing)
        self._scroll.setViewportMargins(0, 0, gap, 0)  # fields do not touch the scroll bar
        self._scroll.setWidget(self.form)
        self.error = Note()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self._scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.form.validity_changed.connect(self._show_validity)
        self.form.create_requested.connect(self._create)
        self._show_validity(*self.form.validity(), as_error=False)
        self._fit()

    def values(self) -> tuple[AnyFields, tuple[str, ...], str]:
        return self.form.fields(), self.tags.value(), self.notes.value()

    def _show_validity(self, valid: bool, problem: str, as_error: bool = True) -> None:
        self.error.show_text(problem, error=as_error)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(valid)

    def _fit(self) -> None:
        """As tall as the form needs, within the screen; it scrolls only beyond that."""
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        form = self.form.sizeHint()
        self._scroll.setMinimumWidth(form.width() + bar + self._scroll.viewportMargins().right())
        rest = self.sizeHint().height() - self._scroll.sizeHint().height()
        screen = self.screen().availableGeometry()
        height = min(form.height() + rest, round(screen.height() * SCREEN_SHARE))
        width = self.fontMetrics().averageCharWidth() * WIDTH_IN_CHARACTERS
        self.resize(min(max(self.sizeHint().width(), width), screen.width()), height)

    def _create(self, picker: RecordPicker, kind: Kind, text: str) -> None:
        """A picker's "Create new …": ask for the new record, store it, then pick it."""
        dialog = RecordDialog(self._editor, kind, parent=self, dayfirst=self._dayfirst)
        dialog.finished.connect(dialog.deleteLater)
        dialog.form.set_label_text(text)
        dialog.accepted.connect(partial(self._add, dialog, picker))
        dialog.open()

    def _add(self, dialog: RecordDialog, picker: RecordPicker) -> None:
        """Store the new record as an undoable step of its own, before the record being
        made that refers to it (undone in the opposite order; a reference to a record
        that is gone is refused when stored, like any other)."""
        self._editor.add(*dialog.values(), on_done=deliver_to(picker, picker.choose))
