"""Everything shown beside one record: what it refers to, its links, its quotes and
documents (for a source), its history. Gathered once, for `casefile show` and the GUI's
detail pane alike."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from casefile.domain.display import display, field_label
from casefile.domain.facts import shown_value, value_refs
from casefile.domain.input_text import UNKNOWN
from casefile.domain.records import Record, ReportFields
from casefile.domain.terms import Kind
from casefile.services.audit import HistoryEntry
from casefile.services.case import Case
from casefile.services.facts import Fact
from casefile.services.mentions import Mention
from casefile.services.near_duplicates import NearDuplicate
from casefile.services.threads import ThreadMessage


@dataclass(frozen=True)
class RecordDetail:
    record: Record[Any]
    labels: dict[UUID, str]  # of the records this one refers to
    term_labels: dict[str, dict[str, str]]  # field name -> vocabulary code -> label
    links: list[Record[Any]]
    quotes: list[Record[Any]]
    documents: list[Record[Any]]
    mentions: list[Mention]  # for a source: who its documents name
    history: list[HistoryEntry]
    facts: list[Fact]  # an attack's or a person's, with every report behind them
    near_duplicates: list[NearDuplicate]  # a source's
    thread: list[ThreadMessage]  # a message's conversation (a source's)

    @classmethod
    def gather(cls, case: Case, record_id: UUID) -> RecordDetail:
        record = case.records.get(record_id)
        fields = dataclasses.fields(record.fields)
        refs = [
            v
            for f in fields
            for v in _as_tuple(getattr(record.fields, f.name))
            if isinstance(v, UUID)
        ]
        is_source = record.kind is Kind.SOURCE
        facts = case.facts.facts_of(record.id)
        links = case.records.links_of(record.id)
        if isinstance(record.fields, ReportFields):
            refs += value_refs(record.fields.fact, record.fields.value)
        refs += [
            v for f in facts for r in f.reports for v in _as_tuple(r.value) if isinstance(v, UUID)
        ]
        return cls(
            record=record,
            labels={r.id: r.label for r in case.records.get_many(refs)},
            term_labels={
                f.name: {t.code: t.label for t in case.vocabulary.terms(f.metadata["vocab"])}
                for f in fields
                if f.metadata.get("vocab") is not None
            },
            links=links,
            quotes=case.records.quotes_of(record.id) if is_source else [],
            documents=case.records.documents_of(record.id) if is_source else [],
            mentions=case.mentions.in_source(record.id) if is_source else [],
            history=case.history.entries(record.id),
            facts=facts,
            near_duplicates=case.duplicates.of(record.id) if is_source else [],
            thread=case.threads.of(record.id) if is_source else [],
        )

    def said(self, name: str, value: Any) -> str:
        """A value of one of the record's facts as people read it: vocabulary codes by
        their labels, references by their names, "unknown" for nothing."""
        if name in self.term_labels and isinstance(value, tuple):
            value = tuple(self.term_labels[name].get(code, code) for code in value)
        return display(name, value, self.labels, with_ids=False) or UNKNOWN

    def display_value(self, name: str) -> Any:
        """A field's value with vocabulary codes replaced by their labels, and a reported
        value as its fact's value reads."""
        fields = self.record.fields
        value = getattr(fields, name)
        if isinstance(fields, ReportFields) and name == "value":
            return shown_value(fields.fact, value, self.labels)
        if isinstance(fields, ReportFields) and name == "fact":
            return field_label(value)
        if name in self.term_labels:
            return tuple(self.term_labels[name].get(code, code) for code in value)
        return value


def _as_tuple(value: Any) -> tuple[Any, ...]:
    return value if isinstance(value, tuple) else (value,)
