from casefile.domain.terms import Kind
from casefile.services.case import Case


def test_demo_case_has_the_article_records(demo: Case) -> None:
    counts = demo.info().counts
    assert counts[Kind.ATTACK] == 5
    assert counts[Kind.QUOTE] == 6
    assert demo.check() == []
