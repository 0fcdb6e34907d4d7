"""The two inputs of a reported value that depend on what it is about: which fact (an
attack's or a person's), and its value, typed in the input that fact's field has in the
record's own form (a date as a date, a count as a count, a claimant picked as a group).

Both may be given their value before the record's kind is known (a picker looks it up
from the case): they keep it and show it when the kind arrives.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QVBoxLayout, QWidget

from casefile.domain.display import field_label
from casefile.domain.errors import InvalidInput
from casefile.domain.facts import FACTS, decode, encode
from casefile.domain.terms import Kind

# Makes the input of one field of a kind: ``forms.input_for`` over that field.
InputFor = Callable[[Kind, str], Any]


class FactCombo(QComboBox):
    """One fact of the record's kind, by its label."""

    edited = Signal()

    def __init__(self, *, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.kind: Kind | None = None
        self._pending = ""
        self.currentIndexChanged.connect(lambda _i: self.edited.emit())
        self.set_kind(None)

    def set_kind(self, kind: Kind | None) -> None:
        """Offer the facts of ``kind`` (none until it is known), keeping the chosen one."""
        if kind is self.kind and self.count():
            return
        wanted = self.currentData() or self._pending
        self.kind = kind
        self.blockSignals(True)
        self.clear()
        if kind is None:
            self.addItem("Choose the attack or person first", "")
        for fact in FACTS.get(kind, ()) if kind else ():
            self.addItem(field_label(fact), fact)
        found = self.findData(wanted) if wanted else -1
        self.setCurrentIndex(max(found, 0))
        self.blockSignals(False)
        self.setEnabled(kind is not None)
        self.edited.emit()

    def value(self) -> str:
        fact = self.currentData() or self._pending
        if not fact:
            raise InvalidInput("choose the attack or person the value is about")
        return str(fact)

    def set_value(self, fact: str | None) -> None:
        self._pending = fact or ""
        found = self.findData(self._pending)
        if found >= 0:
            self.setCurrentIndex(found)


class FactValueEdit(QWidget):
    """A fact's value, in that fact's own input; handed over as a report stores it."""

    edited = Signal()

    def __init__(self, input_for: InputFor, *, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self._input_for = input_for
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._inner: Any = None
        self._shows: tuple[Kind, str] | None = None
        self._pending = ""

    def show_fact(self, kind: Kind | None, fact: str) -> None:
        """Put the input for ``fact`` of ``kind`` in place, carrying over what it held."""
        wanted = (kind, fact) if kind is not None and fact else None
        if wanted == self._shows:
            return
        if self._inner is not None:
            # What was typed and does not fit the new fact is dropped: it starts empty.
            with contextlib.suppress(InvalidInput):
                self._pending = self.value()
            self._layout.removeWidget(self._inner)
            self._inner.hide()  # deleted later, when control is back in the event loop
            self._inner.deleteLater()
            self._inner = None
        self._shows = wanted
        if wanted is None:
            return
        self._inner = self._input_for(*wanted)
        self._layout.addWidget(self._inner)
        self.setFocusProxy(self._inner)
        self._inner.edited.connect(self.edited)
        try:
            self._inner.set_value(decode(wanted[0], wanted[1], self._pending))
        except (InvalidInput, ValueError):
            self._inner.set_value(None)
        self.edited.emit()

    def value(self) -> str:
        if self._inner is None:
            return self._pending
        return encode(self._inner.value())

    def set_value(self, text: str | None) -> None:
        self._pending = text or ""
        if self._shows is not None and self._inner is not None:
            self._inner.set_value(decode(*self._shows, self._pending))
