"""Undo and redo of every edit, as commands over the core services.

An action runs first (on the worker); only when it has succeeded is its command pushed,
so a failed action never sits on the undo stack. ``QUndoStack.push`` calls ``redo`` at
once: the first call is skipped, because the action already ran.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields as dc_fields
from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtGui import QUndoCommand, QUndoStack

from casefile.domain.changes import Changes, changes_of
from casefile.domain.records import AnyFields, Record, ReportFields
from casefile.domain.terms import DuplicateVerdict

if TYPE_CHECKING:
    from casefile.services.case import Case
    from casefile.services.deletion import Deletion
    from casefile.services.encodings import ReadAgain
    from casefile.services.facts import Assessed, Reported
    from casefile.services.near_duplicates import Judged
    from casefile.services.saved_searches import Saved
    from casefile.ui.controller import CaseController

SEARCHES = Changes(searches=True)


def _same(changes: Changes) -> Changes:
    return changes


class _Command(QUndoCommand):
    def __init__(self, controller: CaseController, text: str) -> None:
        super().__init__(text)
        self.controller = controller
        self.stack: QUndoStack | None = None  # set by Editor when pushed
        self._ran = True

    def redo(self) -> None:
        if self._ran:
            self._ran = False
            return
        self.controller.write(self.forward, changes=_same, on_error=self._failed)

    def undo(self) -> None:
        self.controller.write(self.backward, changes=_same, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        """The stack moved but the case did not: what is left on it no longer matches
        the case, so it is cleared rather than trusted."""
        if self.stack is not None:
            self.stack.clear()
        self.controller.report(exc)

    def forward(self, case: Case) -> Changes:
        """Do it again (on the worker); what it changed."""
        raise NotImplementedError

    def backward(self, case: Case) -> Changes:
        """Undo it (on the worker); what it changed."""
        raise NotImplementedError


class AddRecord(_Command):
    def __init__(self, controller: CaseController, record: Record[Any]) -> None:
        super().__init__(controller, f"Add {record.kind.value} “{record.label}”")
        self.record = record

    def forward(self, case: Case) -> Changes:
        r = self.record
        case.records.add(r.fields, tags=r.tags, notes=r.notes, record_id=r.id)
        return changes_of([r])

    def backward(self, case: Case) -> Changes:
        return case.records.delete(self.record.id).changes


class EditRecord(_Command):
    def __init__(self, controller: CaseController, before: Record[Any], after: Record[Any]) -> None:
        super().__init__(controller, f"Edit {before.kind.value} “{after.label}”")
        self.before, self.after = before, after

    def forward(self, case: Case) -> Changes:
        _put(case, self.after)
        return changes_of([self.before, self.after])

    def backward(self, case: Case) -> Changes:
        _put(case, self.before)
        return changes_of([self.after, self.before])


class DeleteRecord(_Command):
    def __init__(self, controller: CaseController, label: str, deletion: Deletion) -> None:
        super().__init__(controller, f"Delete “{label}”")
        self.deletion = deletion
        self.record_id = deletion.records[-1].id

    def forward(self, case: Case) -> Changes:
        self.deletion = case.records.delete(self.record_id)
        return self.deletion.changes

    def backward(self, case: Case) -> Changes:
        return case.records.restore(self.deletion)


class ReportValue(_Command):
    """A reported value, with the report that kept the value its fact held before."""

    def __init__(self, controller: CaseController, reported: Reported) -> None:
        super().__init__(controller, f"Report {reported.report.label}")
        self.reported = reported

    def forward(self, case: Case) -> Changes:
        r = self.reported
        self.reported = case.facts.report(
            r.report.fields,
            tags=r.report.tags,
            notes=r.report.notes,
            report_id=r.report.id,
            kept_id=r.kept.id if r.kept else None,
        )
        return self.reported.changes

    def backward(self, case: Case) -> Changes:
        return case.facts.withdraw(self.reported)


class AssessReport(_Command):
    def __init__(
        self, controller: CaseController, report_id: UUID, reason: str, done: Assessed
    ) -> None:
        label = next(r.label for r in done.before if r.id == report_id)
        super().__init__(controller, f"Assess {label}")
        self.report_id, self.reason, self.done = report_id, reason, done

    def forward(self, case: Case) -> Changes:
        self.done = case.facts.assess(self.report_id, self.reason)
        return self.done.changes

    def backward(self, case: Case) -> Changes:
        for before in self.done.before:  # the one assessed first: one assessed at a time
            _put(case, before)
        return self.done.changes


class JudgeDuplicate(_Command):
    """Confirm or reject a near-duplicate match; undo gives it the verdict it had."""

    def __init__(
        self,
        controller: CaseController,
        pair: tuple[UUID, UUID],
        verdict: DuplicateVerdict,
        done: Judged,
    ) -> None:
        word = "Confirm" if verdict is DuplicateVerdict.CONFIRMED else "Reject"
        super().__init__(controller, f"{word} a near-duplicate")
        self.pair, self.verdict, self.done = pair, verdict, done

    def forward(self, case: Case) -> Changes:
        self.done = case.duplicates.judge(*self.pair, self.verdict)
        return self.done.changes

    def backward(self, case: Case) -> Changes:
        return case.duplicates.judge(*self.pair, self.done.before).changes


class ReadAs(_Command):
    """A document's text read again in another encoding; undo puts back what it read."""

    def __init__(self, controller: CaseController, read: ReadAgain) -> None:
        super().__init__(controller, f"Read {read.file_name} as {read.encoding}")
        self.read = read

    def forward(self, case: Case) -> Changes:
        return case.encodings.restore(self.read.document_id, self.read.after)

    def backward(self, case: Case) -> Changes:
        return case.encodings.restore(self.read.document_id, self.read.before)


class SaveSearch(_Command):
    """Keep a search under a name; undo forgets it, or gives the name its old search."""

    def __init__(self, controller: CaseController, saved: Saved, before: Saved | None) -> None:
        super().__init__(controller, f"Save the search “{saved.name}”")
        self.saved, self.before = saved, before

    def forward(self, case: Case) -> Changes:
        case.saved_searches.save(self.saved.name, self.saved.query)
        return SEARCHES

    def backward(self, case: Case) -> Changes:
        if self.before is None:
            case.saved_searches.forget(self.saved.name)
        else:
            case.saved_searches.save(self.before.name, self.before.query)
        return SEARCHES


class ForgetSearch(_Command):
    def __init__(self, controller: CaseController, saved: Saved) -> None:
        super().__init__(controller, f"Forget the search “{saved.name}”")
        self.saved = saved

    def forward(self, case: Case) -> Changes:
        case.saved_searches.forget(self.saved.name)
        return SEARCHES

    def backward(self, case: Case) -> Changes:
        case.saved_searches.save(self.saved.name, self.saved.query)
        return SEARCHES


def _put(case: Case, record: Record[Any]) -> Record[Any]:
    values = {f.name: getattr(record.fields, f.name) for f in dc_fields(record.fields)}
    return case.records.update(record.id, values, tags=record.tags, notes=record.notes)


class Editor:
    """The GUI's edits: each runs as one action, then goes on the undo stack."""

    def __init__(self, controller: CaseController, stack: QUndoStack) -> None:
        self.controller = controller
        self.stack = stack

    def _push(self, command: _Command) -> None:
        command.stack = self.stack
        self.stack.push(command)

    def add(
        self,
        fields: AnyFields,
        tags: tuple[str, ...],
        notes: str,
        *,
        on_done: Callable[[Record[Any]], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Add a record (from the window, a document, or a form's "Create new …")."""
        if isinstance(fields, ReportFields):
            self.report(fields, tags, notes, on_done=on_done, on_error=on_error)
            return

        def done(record: Record[Any]) -> None:
            self._push(AddRecord(self.controller, record))
            if on_done is not None:
                on_done(record)

        self.controller.write(
            lambda case: case.records.add(fields, tags=tags, notes=notes),
            done,
            changes=lambda record: changes_of([record]),
            on_error=on_error,
        )

    def report(
        self,
        fields: ReportFields,
        tags: tuple[str, ...],
        notes: str,
        *,
        on_done: Callable[[Record[Any]], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Report a value of a fact (what ``add`` does for a reported value)."""

        def done(reported: Reported) -> None:
            self._push(ReportValue(self.controller, reported))
            if on_done is not None:
                on_done(reported.report)

        self.controller.write(
            lambda case: case.facts.report(fields, tags=tags, notes=notes),
            done,
            changes=lambda reported: reported.changes,
            on_error=on_error,
        )

    def assess(self, report_id: UUID, reason: str) -> None:
        """Take a reported value as its fact's assessed value, for ``reason``."""
        self.controller.write(
            lambda case: case.facts.assess(report_id, reason),
            lambda done: self._push(AssessReport(self.controller, report_id, reason, done)),
            changes=lambda done: done.changes,
        )

    def judge_duplicate(self, source: UUID, other: UUID, verdict: DuplicateVerdict) -> None:
        """Confirm or reject that two sources' documents are near-duplicates."""
        self.controller.write(
            lambda case: case.duplicates.judge(source, other, verdict),
            lambda done: self._push(
                JudgeDuplicate(self.controller, (source, other), verdict, done)
            ),
            changes=lambda done: done.changes,
        )

    def read_as(
        self,
        document_id: UUID,
        encoding: str,
        on_done: Callable[[ReadAgain], None] | None = None,
    ) -> None:
        """Read a stored text file or page again in ``encoding``."""

        def done(read: ReadAgain) -> None:
            self._push(ReadAs(self.controller, read))
            if on_done is not None:
                on_done(read)

        self.controller.write(
            lambda case: case.encodings.read_as(document_id, encoding),
            done,
            changes=lambda read: read.changes,
        )

    def edit(
        self,
        record_id: UUID,
        fields: AnyFields,
        tags: tuple[str, ...],
        notes: str,
        *,
        on_done: Callable[[Record[Any]], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        def job(case: Case) -> tuple[Record[Any], Record[Any]]:
            before = case.records.get(record_id)
            values = {f.name: getattr(fields, f.name) for f in dc_fields(fields)}
            return before, case.records.update(record_id, values, tags=tags, notes=notes)

        def done(result: tuple[Record[Any], Record[Any]]) -> None:
            before, after = result
            if before != after:
                self._push(EditRecord(self.controller, before, after))
            if on_done is not None:
                on_done(after)

        def changes(result: tuple[Record[Any], Record[Any]]) -> Changes:
            before, after = result
            return changes_of(result) if before != after else Changes()

        self.controller.write(job, done, changes=changes, on_error=on_error)

    def delete(
        self, record_id: UUID, label: str, on_done: Callable[[], None] | None = None
    ) -> None:
        def done(deletion: Deletion) -> None:
            self._push(DeleteRecord(self.controller, label, deletion))
            if on_done is not None:
                on_done()

        self.controller.write(
            lambda case: case.records.delete(record_id),
            done,
            changes=lambda deletion: deletion.changes,
        )

    def save_search(self, name: str, query: str) -> None:
        """Keep a search under a name (a name already used gets the new search)."""

        def job(case: Case) -> tuple[Saved, Saved | None]:
            before = {s.name: s for s in case.saved_searches.all()}
            saved = case.saved_searches.save(name, query)
            return saved, before.get(saved.name)

        def done(result: tuple[Saved, Saved | None]) -> None:
            saved, before = result
            if saved != before:
                self._push(SaveSearch(self.controller, saved, before))

        self.controller.write(job, done, changes=lambda _result: SEARCHES)

    def forget_search(self, name: str) -> None:
        def job(case: Case) -> Saved | None:
            saved = next((s for s in case.saved_searches.all() if s.name == name.strip()), None)
            case.saved_searches.forget(name)  # says so if there is none
            return saved

        def done(saved: Saved | None) -> None:
            if saved is not None:
                self._push(ForgetSearch(self.controller, saved))

        self.controller.write(job, done, changes=lambda _saved: SEARCHES)
