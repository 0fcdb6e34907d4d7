"""Checks a record's fields must pass against the case before they are written: each
reference names an existing record of an allowed kind, a link's relation fits the kinds it
joins, each vocabulary term is the case's."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.db import models as m
from casefile.domain.display import a_or_an, any_of
from casefile.domain.errors import InvalidInput
from casefile.domain.facts import FACTS, check_fact, decode, encode, value_refs
from casefile.domain.records import (
    AnyFields,
    F,
    LinkFields,
    ReportFields,
    link_misfit,
    metadata_fields,
    ref_values,
)
from casefile.domain.terms import Kind, Vocabulary


def check_references(s: Session, fields: AnyFields) -> None:
    check_references_many(s, [fields])


def check_references_many(
    s: Session, items: Sequence[AnyFields], pending: Mapping[UUID, Kind] | None = None
) -> None:
    """Every reference must name an existing record of an allowed kind; ``pending`` are
    records being inserted in the same action, which may refer to each other."""
    # Each reference once: a batch of quotes from one source names it once per quote
    # (keyed by the UUID's number, which hashes in C, where a UUID hashes in Python).
    refs = {(n, v.int): (n, v, allowed) for f in items for n, v, allowed in ref_values(f)}
    kinds: dict[UUID, Kind] = dict(pending or {})
    ids = {v for _, v, _ in refs.values()} - set(kinds)
    for chunk in _chunks(list(ids), 500):
        kinds.update(
            s.execute(select(m.Record.id, m.Record.kind).where(m.Record.id.in_(chunk))).all()
        )
    for name, value, allowed in refs.values():
        label = name.replace("_", " ")
        if value not in kinds:
            raise InvalidInput(f"{label}: no record with ID {value}")
        if kinds[value] not in allowed:
            wanted = any_of(k.value for k in allowed)
            raise InvalidInput(f"{label} must be {wanted}, not {a_or_an(kinds[value].value)}")


def check_fits(
    s: Session, links: Sequence[LinkFields], pending: Mapping[UUID, Kind] | None = None
) -> None:
    """Each link's relation fits the kinds it joins. Checked where a relation or its ends
    are written (a new link, an edit of either), never on a link written before the rule:
    its tags, notes and citations stay editable and its delete undoable."""
    if not links:
        return
    kinds: dict[UUID, Kind] = dict(pending or {})
    ends = {e for link in links for e in (link.subject, link.object)} - set(kinds)
    for chunk in _chunks(list(ends), 500):
        kinds.update(
            s.execute(select(m.Record.id, m.Record.kind).where(m.Record.id.in_(chunk))).all()
        )
    for link in links:
        misfit = link_misfit(link.relation, kinds[link.subject], kinds[link.object])
        if misfit is not None:
            raise InvalidInput(misfit)


def _chunks(items: list[UUID], size: int) -> Iterable[list[UUID]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def terms_used(items: Sequence[AnyFields]) -> dict[Vocabulary, set[str]]:
    used: dict[Vocabulary, set[str]] = {}
    for fields in items:
        for name, vocabulary in metadata_fields(type(fields), "vocab"):
            used.setdefault(vocabulary, set()).update(getattr(fields, name))
    return used


def check_terms(s: Session, fields: AnyFields) -> None:
    for vocabulary, codes in terms_used([fields]).items():
        check_codes(s, vocabulary, codes)


def check_codes(s: Session, vocabulary: Vocabulary, codes: set[str]) -> None:
    if not codes:
        return
    known = set(
        s.scalars(
            select(m.VocabularyTerm.code).where(
                m.VocabularyTerm.vocabulary == vocabulary.value, m.VocabularyTerm.code.in_(codes)
            )
        )
    )
    unknown = sorted(codes - known)
    if unknown:
        raise InvalidInput(
            f"unknown {vocabulary.label.lower()} '{unknown[0]}' "
            "(add it to the case's vocabulary first)"
        )


def normalised(s: Session, items: Sequence[F], pending: Mapping[UUID, Kind]) -> list[F]:
    """Reported values written as their facts' values are (``facts.encode``): the same
    value is the same text, whatever was typed ("ab12…" in capitals), so that reports
    compare and a deleted claimant is found. The records' kinds in one query per 500."""
    about = {f.record for f in items if isinstance(f, ReportFields)} - set(pending)
    kinds = dict(pending)
    for chunk in _chunks(list(about), 500):
        kinds.update(
            s.execute(select(m.Record.id, m.Record.kind).where(m.Record.id.in_(chunk))).all()
        )
    return [
        _normalised(f, kinds.get(f.record)) if isinstance(f, ReportFields) else f for f in items
    ]


def _normalised(report: F, kind: Kind | None) -> F:
    assert isinstance(report, ReportFields)
    if kind is None or report.fact not in FACTS.get(kind, ()):
        return report  # the checks say what is wrong
    try:
        value = encode(decode(kind, report.fact, report.value))
    except (InvalidInput, ValueError):
        return report
    return dataclasses.replace(report, value=value)


def check_reports(s: Session, items: Sequence[AnyFields], pending: Mapping[UUID, Kind]) -> None:
    """A reported value must be of a fact its record has, read as that fact's value; its
    quote must be from its source; a claimant must be a group."""
    reports = [f for f in items if isinstance(f, ReportFields)]
    if not reports:
        return
    wanted = {r.record for r in reports} | {r.quote for r in reports if r.quote}
    wanted |= {v for r in reports for v in value_refs(r.fact, r.value)}
    kinds = dict(pending)
    quoted: dict[UUID, UUID] = {}
    for chunk in _chunks(list(wanted - set(kinds)), 500):
        kinds.update(
            s.execute(select(m.Record.id, m.Record.kind).where(m.Record.id.in_(chunk))).all()
        )
    for chunk in _chunks(list({r.quote for r in reports if r.quote}), 500):
        quoted.update(
            s.execute(select(m.Quote.id, m.Quote.source).where(m.Quote.id.in_(chunk))).all()
        )
    for report in reports:
        kind = kinds[report.record]
        check_fact(kind, report.fact)
        try:
            decode(kind, report.fact, report.value)
        except ValueError:
            raise InvalidInput(f"'{report.value}' is not a value of {report.fact}") from None
        for claimant in value_refs(report.fact, report.value):
            if kinds.get(claimant) is not Kind.GROUP:
                raise InvalidInput("who claimed an attack is a group")
        if (
            report.quote
            and report.source
            and quoted.get(report.quote, report.source) != report.source
        ):
            raise InvalidInput("the quote is from another source than the report's")
