"""Reported values on real case files: every value kept with its source, the assessed
value and the rule, disagreement, competing claims, corroboration, and nothing lost."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import pytest

from casefile.domain.corroboration import Corroboration
from casefile.domain.errors import InvalidInput
from casefile.domain.facts import RULE
from casefile.domain.figures import Figure
from casefile.domain.records import (
    AttackFields,
    GroupFields,
    JudgementFields,
    LinkFields,
    QuoteFields,
    ReportFields,
    SourceFields,
)
from casefile.domain.terms import (
    Claimed,
    ClaimMode,
    Credibility,
    Probability,
    Relation,
    Reliability,
)
from casefile.services.case import Case, open_case
from tests.conftest import pd


@dataclass
class Sources:
    attack: UUID
    wire: UUID  # Reuters, B
    copy: UUID  # the same wire story re-published by Reuters' own site: same publisher
    police: UUID  # an official statement, A
    rumour: UUID  # F
    quote: UUID  # from the police statement, graded 1


@pytest.fixture
def sourced(case: Case) -> Sources:
    add = case.records.add
    attack = add(AttackFields(title="Westminster attack", killed=Figure.exactly(2))).id
    wire = add(SourceFields(title="Wire", publisher="Reuters", reliability=Reliability.B)).id
    copy = add(SourceFields(title="Copy", publisher="reuters", reliability=Reliability.B)).id
    police = add(SourceFields(title="Police", publisher="Met", reliability=Reliability.A)).id
    rumour = add(SourceFields(title="Forum", reliability=Reliability.F)).id
    quote = add(
        QuoteFields(text="Four people died.", source=police, credibility=Credibility.CONFIRMED)
    ).id
    return Sources(attack, wire, copy, police, rumour, quote)


def report(case: Case, s: Sources, value: str, source: UUID, **more: object) -> UUID:
    values: dict[str, object] = {"fact": "killed", **more}
    fields = ReportFields(record=s.attack, value=value, source=source, **values)  # type: ignore[arg-type]
    return case.facts.report(fields).report.id


def killed(case: Case, s: Sources) -> Figure | None:
    value: Figure | None = case.records.get(s.attack).fields.killed
    return value


def test_the_first_report_keeps_the_value_the_case_held(case: Case, sourced: Sources) -> None:
    done = case.facts.report(
        ReportFields(record=sourced.attack, fact="killed", value="3", source=sourced.wire)
    )
    assert done.kept is not None
    assert done.kept.fields.value == "2"
    assert done.kept.fields.source is None  # unsourced: nobody said where it came from
    assert killed(case, sourced) == Figure.exactly(3)  # a sourced report beats it
    [fact] = [f for f in case.facts.facts_of(sourced.attack) if f.name == "killed"]
    assert [v.value for v in fact.reports] == [Figure.exactly(2), Figure.exactly(3)]
    assert fact.disputed
    assert case.records.get(sourced.attack).disputed == ("killed",)

    case.facts.withdraw(done)  # the window's undo
    assert killed(case, sourced) == Figure.exactly(2)
    assert [f.reports for f in case.facts.facts_of(sourced.attack) if f.name == "killed"] == [()]
    assert case.records.get(sourced.attack).disputed == ()


def test_the_rule_picks_the_best_graded_then_the_latest_and_says_so(
    case: Case, sourced: Sources
) -> None:
    report(case, sourced, "3", sourced.wire, reported=pd("2017-03-22"))
    report(case, sourced, "dozens (at least 24)", sourced.rumour)
    assert killed(case, sourced) == Figure.exactly(3)  # B beats F
    report(case, sourced, "5", sourced.copy, reported=pd("2017-03-23"))
    assert killed(case, sourced) == Figure.exactly(5)  # B again, reported later
    report(case, sourced, "4", sourced.police, quote=sourced.quote, page=1)
    assert killed(case, sourced) == Figure.exactly(4)  # A1
    [fact] = [f for f in case.facts.facts_of(sourced.attack) if f.name == "killed"]
    assert (fact.assessed, fact.how_chosen) == (False, RULE)


def test_an_assessment_stands_with_its_reason_until_another_replaces_it(
    case: Case, sourced: Sources
) -> None:
    three = report(case, sourced, "3", sourced.wire)
    four = report(case, sourced, "4", sourced.police)
    assert killed(case, sourced) == Figure.exactly(4)
    case.facts.assess(three, "The inquest's count, published later.")
    assert killed(case, sourced) == Figure.exactly(3)
    [fact] = [f for f in case.facts.facts_of(sourced.attack) if f.name == "killed"]
    assert (fact.assessed, fact.reason) == (True, "The inquest's count, published later.")
    case.facts.assess(four, "Second thoughts.")
    assert killed(case, sourced) == Figure.exactly(4)
    assert [r.fields.assessed for r in case.records.get_many([three, four])] == [False, True]
    with pytest.raises(InvalidInput, match="say why"):
        case.facts.assess(three, " ")


def test_a_reported_fact_is_not_overwritten_directly(case: Case, sourced: Sources) -> None:
    report(case, sourced, "3", sourced.wire)
    with pytest.raises(InvalidInput, match="killed has reported values"):
        case.records.update(sourced.attack, {"killed": Figure.exactly(9)})
    case.records.update(sourced.attack, {"wounded": Figure.exactly(9)})  # not reported: fine


def test_corroboration_counts_independent_sources_once(case: Case, sourced: Sources) -> None:
    report(case, sourced, "3", sourced.wire)
    report(case, sourced, "3", sourced.copy)  # the same publisher: not independent
    report(case, sourced, "2–4", sourced.rumour)  # agrees
    report(case, sourced, "7", sourced.police)  # disagrees
    case.facts.assess(report(case, sourced, "3", sourced.wire), "Most sources.")
    [fact] = [f for f in case.facts.facts_of(sourced.attack) if f.name == "killed"]
    assert fact.corroboration == Corroboration(2, "B")  # Reuters, the forum


def test_competing_claims_each_with_its_source_date_and_mode(case: Case, sourced: Sources) -> None:
    isis = case.records.add(GroupFields(name="ISIS")).id
    other = case.records.add(GroupFields(name="Another group")).id
    for group, source, mode in (
        (isis, sourced.wire, ClaimMode.ONLINE),
        (other, sourced.rumour, ClaimMode.VIDEO),
    ):
        case.facts.report(
            ReportFields(
                record=sourced.attack,
                fact="claimed_by",
                value=str(group),
                source=source,
                reported=pd("2017-03-23"),
                claim_mode=mode,
            )
        )
    attack = case.records.get(sourced.attack)
    assert attack.fields.claimed_by == isis  # the better-graded claim stands
    assert "claimed_by" in attack.disputed
    [claims] = [f for f in case.facts.facts_of(sourced.attack) if f.name == "claimed_by"]
    assert [(v.value, v.record.fields.claim_mode) for v in claims.reports] == [
        (isis, ClaimMode.ONLINE),
        (other, ClaimMode.VIDEO),
    ]
    assert "Westminster attack — claimed by: Another group" in {
        v.record.label for v in claims.reports
    }
    deletion = case.records.delete(other)  # the report naming it goes with it
    assert "1 reported value" in deletion.summary.describe()
    assert "claimed_by" not in case.records.get(sourced.attack).disputed
    case.records.restore(deletion)
    assert "claimed_by" in case.records.get(sourced.attack).disputed


BAD = {
    "no source": lambda c, s: c.facts.report(
        ReportFields(record=s.attack, fact="killed", value="3")
    ),
    "not a fact": lambda c, s: report(c, s, "3", s.wire, fact="title"),
    "not a count": lambda c, s: report(c, s, "dozens", s.wire),
    "range below its start": lambda c, s: report(c, s, "35–30", s.wire),
    "quote of another source": lambda c, s: report(c, s, "3", s.wire, quote=s.quote),
    "claimant not a group": lambda c, s: c.facts.report(
        ReportFields(record=s.attack, fact="claimed_by", value=str(s.wire), source=s.wire)
    ),
    "claim mode on a count": lambda c, s: report(c, s, "3", s.wire, claim_mode=ClaimMode.VIDEO),
}


@pytest.mark.parametrize("bad", BAD.values(), ids=BAD.keys())
def test_a_bad_report_is_one_line_and_changes_nothing(
    case: Case, case_path: Path, sourced: Sources, bad: object
) -> None:
    before = (case.records.get(sourced.attack), len(case.history.entries()))
    with pytest.raises(InvalidInput) as raised:
        bad(case, sourced)  # type: ignore[operator]
    assert "\n" not in str(raised.value)
    case.close()
    with open_case(case_path, backups=False) as again:
        assert (again.records.get(sourced.attack), len(again.history.entries())) == before


def test_every_report_and_assessment_is_in_the_audit_trail(case: Case, sourced: Sources) -> None:
    three = report(case, sourced, "3", sourced.wire)
    case.facts.assess(three, "Why not.")
    entries = case.history.entries()[-4:]
    assert [(e.action, e.kind) for e in entries] == [
        ("create", "report"),  # the value the case held, kept
        ("create", "report"),
        ("update", "attack"),
        ("update", "report"),  # assessed; the attack already said 3
    ]
    assert entries[2].changes == {"killed": [2, 3]}
    assert entries[3].changes == {"assessed": [False, True], "reason": ["", "Why not."]}


def test_a_derived_source_counts_with_its_origin(case: Case, sourced: Sources) -> None:
    syndicated = case.records.add(
        SourceFields(title="Local paper", publisher="Gazette", derived_from=sourced.rumour)
    ).id
    report(case, sourced, "3", sourced.rumour)
    report(case, sourced, "3", syndicated)
    [fact] = [f for f in case.facts.facts_of(sourced.attack) if f.name == "killed"]
    assert fact.corroboration == Corroboration(1, "F")
    case.records.update(syndicated, {"derived_from": None})  # the analyst thinks again
    [fact] = [f for f in case.facts.facts_of(sourced.attack) if f.name == "killed"]
    assert fact.corroboration == Corroboration(2, "F")


def test_a_links_citations_count_once_per_origin_with_the_best_grade(
    case: Case, sourced: Sources
) -> None:
    group = case.records.add(GroupFields(name="A group")).id
    link = case.records.add(
        LinkFields(
            subject=group,
            relation=Relation.CLAIMED,
            object=sourced.attack,
            citations=(sourced.police, sourced.quote, sourced.wire, sourced.copy),
        )
    )
    assert case.records.get(link.id).support == Corroboration(2, "A1")
    bare = case.records.add(
        LinkFields(subject=group, relation=Relation.PLANNED, object=sourced.attack)
    )
    assert case.records.get(bare.id).support is None


def test_undoing_a_report_of_an_unknown_value_makes_it_unknown_again_in_one_action(
    case: Case, sourced: Sources
) -> None:
    done = case.facts.report(
        ReportFields(record=sourced.attack, fact="wounded", value="5", source=sourced.wire)
    )
    assert done.kept is None  # nothing was known: nothing to keep
    assert case.records.get(sourced.attack).fields.wounded == Figure.exactly(5)
    before = len(case.history.entries())
    case.facts.withdraw(done)
    assert case.records.get(sourced.attack).fields.wounded is None
    undone = case.history.entries()[before:]
    assert len({e.action_id for e in undone}) == 1  # one action: the report and the value


def test_a_report_stays_with_its_record_and_fact(case: Case, sourced: Sources) -> None:
    other = case.records.add(AttackFields(title="Another attack")).id
    three = report(case, sourced, "3", sourced.wire)
    for move in ({"record": other}, {"fact": "wounded"}):
        with pytest.raises(InvalidInput, match="stays with its record and fact"):
            case.records.update(three, move)


def test_reports_of_one_list_in_another_order_agree(case: Case, sourced: Sources) -> None:
    for value, source in (
        ("bombing, armed_assault", sourced.wire),
        ("armed_assault,bombing", sourced.police),
    ):
        case.facts.report(
            ReportFields(record=sourced.attack, fact="attack_types", value=value, source=source)
        )
    assert "attack_types" not in case.records.get(sourced.attack).disputed


def test_a_source_saying_unknown_neither_wins_nor_supports(case: Case, sourced: Sources) -> None:
    report(case, sourced, "3", sourced.wire)  # B
    report(case, sourced, "unknown", sourced.police)  # A, but it says it is not known
    [fact] = [f for f in case.facts.facts_of(sourced.attack) if f.name == "killed"]
    assert fact.value == Figure.exactly(3)
    assert fact.corroboration == Corroboration(1, "B")
    assert fact.disagreeing == 1  # the 2 the case held before; "unknown" disagrees with nothing


def test_the_first_report_of_a_claim_keeps_no_unknown_and_flags_nothing(
    case: Case, sourced: Sources
) -> None:
    done = case.facts.report(
        ReportFields(record=sourced.attack, fact="claimed", value="yes", source=sourced.wire)
    )
    assert done.kept is None  # "unknown" was not a value anybody gave
    assert case.records.get(sourced.attack).disputed == ()


def test_a_claimant_typed_in_capitals_goes_with_its_group(case: Case, sourced: Sources) -> None:
    group = case.records.add(GroupFields(name="A group")).id
    said = case.facts.report(
        ReportFields(
            record=sourced.attack, fact="claimed_by", value=str(group).upper(), source=sourced.wire
        )
    ).report
    assert said.fields.value == str(group)
    case.records.delete(group)
    assert case.records.get_many([said.id]) == []
    assert case.records.get(sourced.attack).fields.claimed_by is None


def test_sources_disagreeing_on_a_claim_never_block_a_delete(case: Case, sourced: Sources) -> None:
    group = case.records.add(GroupFields(name="A group")).id
    case.facts.report(
        ReportFields(
            record=sourced.attack, fact="claimed_by", value=str(group), source=sourced.wire
        )
    )
    no = case.facts.report(
        ReportFields(record=sourced.attack, fact="claimed", value="no", source=sourced.police)
    ).report  # the A source says it was not claimed; a B source names a claimant
    assert case.records.get(sourced.attack).fields.claimed is Claimed.NO
    deletion = case.records.delete(no.id)
    case.records.restore(deletion)
    case.records.delete(sourced.police)  # takes the report with it
    typed = case.records.add(AttackFields(title="Typed", claimed_by=group)).id
    with pytest.raises(InvalidInput, match="not claimed but has claim details"):
        case.records.update(typed, {"claimed": Claimed.NO})  # typed, not reported


def test_deleting_a_source_others_are_derived_from_detaches_them(
    case: Case, sourced: Sources
) -> None:
    copy = case.records.add(SourceFields(title="Copy", derived_from=sourced.rumour)).id
    deletion = case.records.delete(sourced.rumour)
    assert case.records.get(copy).fields.derived_from is None
    case.records.restore(deletion)
    assert case.records.get(copy).fields.derived_from == sourced.rumour


def test_a_judgement_neither_supersedes_nor_rests_on_itself(case: Case) -> None:
    judged = case.records.add(
        JudgementFields(statement="It was planned abroad.", probability=Probability.UNLIKELY)
    ).id
    for itself in ({"superseded_by": judged}, {"rests_on": (judged,)}):
        with pytest.raises(InvalidInput, match="neither supersede nor rest on itself"):
            case.records.update(judged, itself)


def test_undoing_a_report_that_came_assessed_gives_the_assessment_back(
    case: Case, sourced: Sources
) -> None:
    three = report(case, sourced, "3", sourced.wire)
    case.facts.assess(three, "The wire was there on the day.")
    done = case.facts.report(
        ReportFields(
            record=sourced.attack,
            fact="killed",
            value="4",
            source=sourced.police,
            assessed=True,
            reason="The inquest's figure.",
        )
    )
    assert killed(case, sourced) == Figure.exactly(4)
    assert not case.records.get(three).fields.assessed
    case.facts.withdraw(done)
    back = case.records.get(three).fields
    assert (back.assessed, back.reason) == (True, "The wire was there on the day.")
    assert killed(case, sourced) == Figure.exactly(3)
