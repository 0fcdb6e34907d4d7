"""When reported values disagree, and which one stands by rule."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from casefile.domain.dates import PartialDate
from casefile.domain.facts import Standing, disagree, standing
from casefile.domain.figures import Figure
from casefile.domain.terms import Claimed, Credibility, Reliability


def test_reported_dates_disagree_only_when_no_day_fits_them_all() -> None:
    march, day = PartialDate(2017, 3), PartialDate(2017, 3, 22)
    assert not disagree([march, day, PartialDate(2017)])
    assert disagree([day, PartialDate(2017, 3, 23)])
    assert disagree([march, PartialDate(2016)])
    assert not disagree([day, None])


def test_unknown_and_order_disagree_with_nothing() -> None:
    assert not disagree([Claimed.UNKNOWN, Claimed.YES])
    assert not disagree([("bombing", "armed_assault"), ("armed_assault", "bombing")])
    assert disagree([Figure.exactly(3), Figure(5, None)])


def _weighed(**given: object) -> Standing:
    values: dict[str, object] = {
        "report": uuid4(),
        "assessed": False,
        "source": uuid4(),
        "known": True,
        "reliability": None,
        "credibility": None,
        "reported": None,
        "created_at": datetime.now(UTC),
    }
    return Standing(**{**values, **given})  # type: ignore[arg-type]


def test_the_rule_prefers_a_value_then_a_source_then_grades_then_the_latest() -> None:
    unknown_a = _weighed(known=False, reliability=Reliability.A)
    unsourced = _weighed(source=None, reliability=Reliability.A)
    b2 = _weighed(reliability=Reliability.B, credibility=Credibility.PROBABLY_TRUE)
    b1_old = _weighed(
        reliability=Reliability.B, credibility=Credibility.CONFIRMED, reported=PartialDate(2016)
    )
    b1_new = _weighed(
        reliability=Reliability.B, credibility=Credibility.CONFIRMED, reported=PartialDate(2017)
    )
    assert standing([unknown_a, unsourced, b2, b1_old, b1_new]) == (b1_new.report, False)
    assessed = _weighed(assessed=True)
    assert standing([b1_new, assessed]) == (assessed.report, True)
    assert standing([]) is None
