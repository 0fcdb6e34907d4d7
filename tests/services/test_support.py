"""Support kept as data on real case files: every change that alters what stands behind
a fact or a link counts it again in the same action, and a full recount agrees."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import text

from casefile.db import models as m
from casefile.domain.corroboration import Corroboration
from casefile.domain.figures import Figure
from casefile.domain.records import (
    AttackFields,
    GroupFields,
    LinkFields,
    QuoteFields,
    ReportFields,
    SourceFields,
)
from casefile.domain.terms import Credibility, DuplicateVerdict, Kind, Relation, Reliability
from casefile.services.case import Case
from casefile.services.list_query import ListQuery
from casefile.services.support import recount_all


def _source(case: Case, title: str, publisher: str, grade: Reliability | None) -> UUID:
    return case.records.add(SourceFields(title=title, publisher=publisher, reliability=grade)).id


def _report(case: Case, attack: UUID, fact: str, value: str, source: UUID) -> UUID:
    fields = ReportFields(record=attack, fact=fact, value=value, source=source)
    return case.facts.report(fields).report.id


def _support(case: Case, record: UUID) -> Corroboration | None:
    return case.records.get(record).support


def test_an_attacks_support_is_its_least_supported_fact_and_follows_each_report(
    case: Case,
) -> None:
    attack = case.records.add(AttackFields(title="Westminster attack")).id
    assert _support(case, attack) is None  # nothing reported: nothing to count
    wire = _source(case, "Wire", "Reuters", Reliability.B)
    police = _source(case, "Police", "Met", Reliability.A)
    _report(case, attack, "killed", "4", wire)
    assert _support(case, attack) == Corroboration(1, "B")
    _report(case, attack, "killed", "4", police)
    assert _support(case, attack) == Corroboration(2, "A")
    wounded = _report(case, attack, "wounded", "dozens (at least 24)", wire)
    assert _support(case, attack) == Corroboration(1, "B")  # wounded: one source
    case.records.delete(wounded)
    assert _support(case, attack) == Corroboration(2, "A")
    [row] = case.listing.page(ListQuery(Kind.ATTACK)).records  # what a table's page reads
    assert row.support == Corroboration(2, "A")


def test_a_sources_grade_origin_or_deletion_is_counted_again_in_the_same_action(
    case: Case,
) -> None:
    attack = case.records.add(AttackFields(title="Westminster attack")).id
    wire = _source(case, "Wire", "Reuters", Reliability.C)
    paper = _source(case, "Paper", "The Times", Reliability.D)
    _report(case, attack, "killed", "4", wire)
    _report(case, attack, "killed", "5", paper)
    assert case.records.get(attack).fields.killed == Figure.exactly(4)  # C beats D
    assert _support(case, attack) == Corroboration(1, "C")

    case.records.update(paper, {"reliability": Reliability.A})
    assert case.records.get(attack).fields.killed == Figure.exactly(5)  # the rule again
    assert _support(case, attack) == Corroboration(1, "A")

    case.records.update(paper, {"reliability": Reliability.D})
    _report(case, attack, "killed", "4", paper)
    assert _support(case, attack) == Corroboration(2, "C")
    case.records.update(paper, {"derived_from": wire})  # a re-print of the wire story
    assert _support(case, attack) == Corroboration(1, "C")

    case.records.delete(wire)  # its reports go with it; the paper is its own origin again
    assert _support(case, attack) == Corroboration(1, "D")


def test_a_links_support_follows_its_citations_and_their_grades(case: Case) -> None:
    attack = case.records.add(AttackFields(title="Westminster attack")).id
    group = case.records.add(GroupFields(name="Islamic State")).id
    agency = _source(case, "Amaq statement", "Amaq", Reliability.E)
    quote = case.records.add(
        QuoteFields(
            text="A soldier of the caliphate", source=agency, credibility=Credibility.DOUBTFUL
        )
    ).id
    link = case.records.add(
        LinkFields(subject=group, relation=Relation.CLAIMED, object=attack, citations=(quote,))
    )
    assert link.support == Corroboration(1, "E4")  # as added, as read back
    assert _support(case, link.id) == Corroboration(1, "E4")
    case.records.update(quote, {"credibility": Credibility.POSSIBLY_TRUE})
    assert _support(case, link.id) == Corroboration(1, "E3")
    police = _source(case, "Police", "Met", Reliability.A)
    case.records.update(link.id, {"citations": (quote, police)})
    assert _support(case, link.id) == Corroboration(2, "A")
    case.records.update(link.id, {"citations": ()})
    assert _support(case, link.id) is None


def test_a_recount_from_scratch_agrees_with_what_was_kept(case: Case) -> None:
    attacks = [case.records.add(AttackFields(title=f"Attack {i}")).id for i in range(6)]
    sources = [
        _source(case, f"Source {i}", f"Outlet {i % 3}", list(Reliability)[i % 6]) for i in range(6)
    ]
    for i, attack in enumerate(attacks):
        for j in range(i % 4):
            _report(case, attack, "killed", str(j % 2), sources[(i + j) % 6])
    case.records.update(sources[1], {"derived_from": sources[0]})
    kept = {a: _support(case, a) for a in attacks}
    with case.sessions.write() as s:
        s.execute(text("UPDATE record SET support_count = NULL"))
    assert all(_support(case, a) is None for a in attacks)
    with case.sessions.write() as s:
        recount_all(s)
    assert {a: _support(case, a) for a in attacks} == kept
    assert any(v is not None and v.independent > 1 for v in kept.values())


def _match(case: Case, one: UUID, other: UUID) -> None:
    """Two sources found to be near-duplicates, as an import stores them."""
    with case.sessions.write() as s:
        s.add(
            m.NearDuplicate(
                source_id=one, other_id=other, similarity=0.9, verdict=DuplicateVerdict.SUGGESTED
            )
        )


def test_a_near_duplicate_joins_origins_the_same_whatever_else_is_counted(case: Case) -> None:
    """Z is a near-duplicate of X, a Reuters story: an attack reported by Reuters and by Z
    has one origin, whether or not anything cites X, counted alone or with the rest."""
    reuters = _source(case, "Reuters wire", "Reuters", None)
    z = _source(case, "Unbranded copy", "", None)
    x = _source(case, "Reuters on its site", "Reuters", None)
    _match(case, z, x)
    attack = case.records.add(AttackFields(title="Attack")).id
    other = case.records.add(AttackFields(title="Another attack")).id
    _report(case, attack, "killed", "4", reuters)
    _report(case, attack, "killed", "4", z)
    _report(case, other, "killed", "1", x)
    assert _support(case, attack) == Corroboration(1, "")
    with case.sessions.write() as s:
        recount_all(s)  # counted with the attack that cites X
    assert _support(case, attack) == Corroboration(1, "")
    [fact] = [f for f in case.facts.facts_of(attack) if f.name == "killed"]
    assert fact.corroboration == Corroboration(1, "")

    case.records.update(x, {"publisher": "AFP"})  # X is AFP's: Z's origin follows it
    assert _support(case, attack) == Corroboration(2, "")
    case.records.delete(x)  # Z stands for itself
    assert _support(case, attack) == Corroboration(2, "")
    assert case.records.delete(z).changes.kinds >= {Kind.ATTACK, Kind.LINK}  # tables refresh
    assert _support(case, attack) == Corroboration(1, "")
