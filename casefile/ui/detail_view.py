"""The right-hand pane: one record, what it refers to, its links, notes and history.

Linked records are links (``record:<uuid>``); following one emits ``navigate``. A source
lists the people and groups its documents mention; "link" on one (``mention:<uuid>``)
emits ``link_mention``.
"""

from __future__ import annotations

import dataclasses
from html import escape
from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QTextBrowser, QWidget

from casefile.domain.display import (
    COUNT_FIELDS,
    UNSOURCED,
    display,
    field_label,
    link_caveats,
    shortened,
)
from casefile.domain.facts import FACTS
from casefile.domain.formats import READ_AGAIN
from casefile.domain.moments import moment
from casefile.domain.records import LinkFields, Record, ReportFields
from casefile.domain.terms import DuplicateVerdict, Kind
from casefile.ui.columns import DISPUTED_FLAG

if TYPE_CHECKING:
    from casefile.domain.changes import Changes
    from casefile.services.details import RecordDetail
    from casefile.services.facts import Fact
    from casefile.services.near_duplicates import NearDuplicate
    from casefile.services.threads import ThreadMessage

NAMED_IN_DOCUMENTS = frozenset({Kind.PERSON, Kind.GROUP})  # a source's mentions
STYLE = """
<style>
 body { font-size: 10pt; }
 h2 { margin: 0 0 2px 0; font-size: 13pt; }
 .kind { color: #666; font-size: 9pt; text-transform: uppercase; letter-spacing: 1px; }
 table.fields td { padding: 2px 8px 2px 0; vertical-align: top; }
 td.name { color: #555; white-space: nowrap; }
 h3 { font-size: 10pt; margin: 14px 0 4px 0; color: #333; }
 .muted { color: #777; }
 .change { color: #555; font-size: 9pt; }
 .flag { color: #b3261e; }
</style>
"""


class DetailView(QTextBrowser):
    navigate = Signal(object)  # UUID
    link_mention = Signal(object)  # UUID of the person or group to link the source to
    open_document = Signal(object)  # UUID of a document, or of a quote to show in its document
    report_value = Signal(object, str)  # UUID of an attack or person, a fact ("" for any)
    assess = Signal(object)  # UUID of a reported value to take as its fact's value
    judge_duplicate = Signal(object, object, object)  # two sources, a DuplicateVerdict
    read_as = Signal(object)  # UUID of a document to read again in another encoding

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)  # offline: nothing in a case opens the network
        self.setAccessibleName("Record details")
        self.anchorClicked.connect(self._follow)
        self.shown: RecordDetail | None = None
        self.show_nothing()

    def show_nothing(self, text: str = "Select a record to see it here.") -> None:
        self.shown = None
        self.setHtml(f"{STYLE}<p class='muted'>{escape(text)}</p>")

    def show_detail(self, detail: RecordDetail) -> None:
        self.shown = detail
        self.setHtml(STYLE + render(detail))

    def concerns(self, changes: Changes) -> bool:
        """Whether what the pane shows is out of date after ``changes``: the record, a
        record it names or lists, or one of its lists (a new link to it, a new quote of
        a source; a new person or group named in a source's documents)."""
        detail = self.shown
        if detail is None:
            return False
        if (
            detail.record.kind is Kind.SOURCE
            and detail.documents
            and not changes.kinds.isdisjoint(NAMED_IN_DOCUMENTS)
        ):
            return True
        return changes.touches(shown_ids(detail))

    def _follow(self, url: QUrl) -> None:
        if url.scheme() == "record":
            self.navigate.emit(UUID(url.path()))
        elif url.scheme() == "mention":
            self.link_mention.emit(UUID(url.path()))
        elif url.scheme() == "open":
            self.open_document.emit(UUID(url.path()))
        elif url.scheme() == "report":
            record_id, _, fact = url.path().partition("/")
            self.report_value.emit(UUID(record_id), fact)
        elif url.scheme() == "assess":
            self.assess.emit(UUID(url.path()))
        elif url.scheme() == "read-as":
            self.read_as.emit(UUID(url.path()))
        elif url.scheme() == "duplicate":
            source, other, verdict = url.path().split("/")
            self.judge_duplicate.emit(UUID(source), UUID(other), DuplicateVerdict.parse(verdict))


def shown_ids(detail: RecordDetail) -> set[UUID]:
    """Every record the pane shows or names (a link by the names of its ends)."""
    ids = {detail.record.id, *detail.labels}
    for item in (*detail.links, *detail.quotes, *detail.documents):
        ids.add(item.id)
        if isinstance(item.fields, LinkFields):
            ids.update((item.fields.subject, item.fields.object))
    ids.update(mention.record_id for mention in detail.mentions)
    ids.update(d.other for d in detail.near_duplicates)
    ids.update(message.source for message in detail.thread)
    ids.update(r.record.id for f in detail.facts for r in f.reports)
    ids.update(
        r.record.fields.source for f in detail.facts for r in f.reports if r.record.fields.source
    )
    return ids


def render(detail: RecordDetail) -> str:
    record = detail.record
    parts = [
        f"<div class='kind'>{escape(record.kind.label)}</div>",
        f"<h2>{escape(record.label)}</h2>",
    ]
    if record.kind is Kind.DOCUMENT:
        again = (
            f" — <a href='read-as:{record.id}'>read in another encoding…</a>"
            if record.fields.media_type.partition(";")[0].strip() in READ_AGAIN
            else ""
        )
        parts.append(f"<p><a href='open:{record.id}'>Open the document</a>{again}</p>")
    elif record.kind is Kind.QUOTE:
        parts.append(f"<p><a href='open:{record.id}'>Show in its document</a></p>")
    elif isinstance(record.fields, ReportFields) and not record.fields.assessed:
        parts.append(f"<p><a href='assess:{record.id}'>Assess: the value to go by…</a></p>")
    parts.append("<table class='fields'>")
    reported = {f.name: f for f in detail.facts if f.reports}
    for f in dataclasses.fields(record.fields):
        value = detail.display_value(f.name)
        if value == record.label.strip("“”"):
            continue  # the heading already says it (a title, a name, a quote's words)
        text = _value_html(f.name, value, detail)
        if f.name in reported:
            text += _standing_html(reported[f.name])
        if text or f.name in COUNT_FIELDS:
            name = field_label(f.name)
            parts.append(f"<tr><td class='name'>{escape(name)}</td><td>{text}</td></tr>")
    if isinstance(record.fields, LinkFields):  # what its citations amount to
        said = escape(record.support.said() if record.support else "no source supports it")
        parts.append(f"<tr><td class='name'>Corroboration</td><td>{said}</td></tr>")
    if record.tags:
        parts.append(
            f"<tr><td class='name'>Tags</td><td>{escape(', '.join(record.tags))}</td></tr>"
        )
    parts.append("</table>")
    if record.notes:
        notes = escape(record.notes).replace("\n", "<br>")
        parts.append(f"<h3>Notes</h3><p>{notes}</p>")
    if record.kind in FACTS:
        parts.append(_reports_html(detail))
    for title, items in (
        ("Links", detail.links),
        ("Quotes", detail.quotes),
        ("Documents", detail.documents),
    ):
        if items:
            parts.append(f"<h3>{title}</h3><ul>")
            for r in items:
                opener = f" — <a href='open:{r.id}'>open</a>" if r.kind is Kind.DOCUMENT else ""
                parts.append(f"<li>{_link(r.id, r.label)}{opener}{_caveats(r, detail)}</li>")
            parts.append("</ul>")
    if detail.near_duplicates:
        parts.append(_near_duplicates_html(record.id, detail.near_duplicates))
    if detail.thread:
        parts.append(_thread_html(record.id, detail.thread))
    if detail.mentions:
        parts.append("<h3>Mentions in its documents</h3><ul>")
        for mention in detail.mentions:
            action = (
                "<span class='muted'>linked</span>"
                if mention.linked
                else f"<a href='mention:{mention.record_id}'>add link</a>"
            )
            parts.append(
                f"<li>{_link(mention.record_id, mention.label)} "
                f"<span class='muted'>({mention.count})</span> — {action}</li>"
            )
        parts.append("</ul>")
    if detail.history:
        parts.append("<h3>History</h3>")
        for entry in reversed(detail.history):
            fields = ", ".join(n.replace("_", " ") for n in entry.changes)
            what = {"create": "created", "update": "changed", "delete": "deleted"}.get(
                entry.action, entry.action + "d"
            )
            parts.append(
                f"<div class='change'>{moment(entry.at)} — {escape(what)}"
                + (f": {escape(fields)}" if entry.action == "update" else "")
                + "</div>"
            )
    return "".join(parts)


def _thread_html(source_id: UUID, thread: list[ThreadMessage]) -> str:
    """The conversation, each reply indented under the message it answers; this one in
    bold, the others a click away."""
    parts = [f"<h3>Thread ({len(thread)} messages)</h3>"]
    for message in thread:
        name = (
            f"<b>{escape(message.label)}</b>"
            if message.source == source_id
            else _link(message.source, message.label)
        )
        indent = 1.2 * message.depth
        parts.append(
            f"<p style='margin: 0 0 0 {indent:g}em'>{'↳ ' if message.depth else ''}{name}</p>"
        )
    return "".join(parts)


def _near_duplicates_html(source_id: UUID, found: list[NearDuplicate]) -> str:
    """Each match with its similarity and verdict, and the verdicts it can be given."""
    parts = [
        "<h3>Near-duplicates</h3>",
        "<p class='muted'>Texts nearly the same count as one source until a match is "
        "rejected.</p><ul>",
    ]
    for d in found:
        actions = " · ".join(
            f"<a href='duplicate:{source_id}/{d.other}/{verdict.value}'>{word}</a>"
            for verdict, word in (
                (DuplicateVerdict.CONFIRMED, "confirm"),
                (DuplicateVerdict.REJECTED, "reject"),
            )
            if verdict is not d.verdict
        )
        parts.append(
            f"<li>{_link(d.other, d.title)} <span class='muted'>({d.similarity:.0%} similar, "
            f"{escape(d.verdict.label[0].lower() + d.verdict.label[1:])})</span> — {actions}</li>"
        )
    parts.append("</ul>")
    return "".join(parts)


def _value_html(name: str, value: Any, detail: RecordDetail) -> str:
    if isinstance(value, UUID):
        return _link(value, detail.labels.get(value, "?"))
    if isinstance(value, tuple) and value and isinstance(value[0], UUID):
        return ", ".join(_link(v, detail.labels.get(v, "?")) for v in value)
    return escape(display(name, value, detail.labels, with_ids=False)).replace("\n", "<br>")


def _standing_html(fact: Fact) -> str:
    """Under a reported field's value: how it was chosen and what stands behind it."""
    chosen = "assessed" if fact.assessed else "picked by rule"
    flag = f"<span class='flag'>{DISPUTED_FLAG} reports disagree</span> · " if fact.disputed else ""
    return f"<br><span class='muted'>{flag}{chosen} · {escape(fact.standing())}</span>"


def _reports_html(detail: RecordDetail) -> str:
    """Each reported fact's reports, the one that stands first-marked, with how to add one
    and how to take another as the value to go by."""
    record_id = detail.record.id
    parts = [
        "<h3>Reported values</h3>",
        f"<p><a href='report:{record_id}/'>Report a value…</a></p>",
    ]
    for fact in (f for f in detail.facts if f.reports):
        another = f"<a href='report:{record_id}/{fact.name}'>report</a>"
        parts.append(
            f"<p><b>{escape(field_label(fact.name))}</b> "
            f"<span class='muted'>— {another}</span></p><ul>"
        )
        for view in fact.reports:
            fields = view.record.fields
            said = detail.said(fact.name, view.value)
            source = (
                _link(fields.source, shortened(view.source))
                + f" [{escape(view.grade or 'ungraded')}]"
                if fields.source
                else f"<span class='muted'>{UNSOURCED}</span>"
            )
            extra = [
                *([f"reported {fields.reported.display()}"] if fields.reported else []),
                *([f"p. {fields.page}"] if fields.page else []),
                *([f"claim: {fields.claim_mode.label.lower()}"] if fields.claim_mode else []),
            ]
            aside = f" <span class='muted'>({escape(', '.join(extra))})</span>" if extra else ""
            if fields.assessed:
                state = f" — <b>assessed</b>: {escape(fields.reason)}"
            else:
                state = f" — <a href='assess:{view.record.id}'>assess</a>"
            parts.append(f"<li>{_link(view.record.id, said)} — {source}{aside}{state}</li>")
        parts.append("</ul>")
    return "".join(parts)


def _caveats(record: Record[Any], detail: RecordDetail) -> str:
    """A link's confidence, "unsourced" or its corroboration, muted after its label."""
    if not isinstance(record.fields, LinkFields):
        return ""
    said = link_caveats(record.fields.confidence, len(record.fields.citations))
    if record.support is not None and record.support.independent:
        said = ", ".join(p for p in (said, record.support.said()) if p)
    return f" <span class='muted'>({escape(said)})</span>" if said else ""


def _link(record_id: UUID, label: str) -> str:
    return f"<a href='record:{record_id}'>{escape(label)}</a>"
