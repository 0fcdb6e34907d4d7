"""How values read to a person."""

from __future__ import annotations

from casefile.domain.display import citation_count, display, how_many, link_caveats
from casefile.domain.figures import Figure
from casefile.domain.terms import AttackStatus, Confidence, Credibility, Kind, Reliability


def test_grades_show_their_code_and_what_it_means() -> None:
    """Analysts speak of "a B2 report": the detail pane and the CLI show the code with
    its meaning; other choices show their meaning alone."""
    assert display("reliability", Reliability.B, {}) == "B — Usually reliable"
    assert display("credibility", Credibility.PROBABLY_TRUE, {}) == "2 — Probably true"
    assert display("status", AttackStatus.CONFIRMED, {}) == "Confirmed"


def test_counts_read_alike_everywhere() -> None:
    """The terminal, the window and the pack print a count one way: unknown stays
    "unknown" (never 0), thousands are separated."""
    assert display("killed", None, {}) == "unknown"
    assert display("killed", Figure.exactly(0), {}) == "0"
    assert display("wounded", Figure.exactly(1234), {}) == "1,234"
    assert display("wounded", Figure(1200, 1500), {}) == "1,200–1,500"
    assert display("wounded", Figure(24, None, "dozens"), {}) == "dozens (at least 24)"
    assert display("page", 1234, {}) == "1234"  # not a count: a page number as written


def test_a_link_says_how_sure_it_is_and_whether_anything_cites_it() -> None:
    assert link_caveats(Confidence.PROBABLE, 0) == "probable, unsourced"
    assert link_caveats(None, 0) == "unsourced"
    assert link_caveats(Confidence.CONFIRMED, 2) == "confirmed"
    assert link_caveats(None, 1) == ""
    assert display("citations", (), {}) == "unsourced"
    assert citation_count(0) == "unsourced"
    assert citation_count(3) == "3"


def test_a_count_goes_with_its_noun() -> None:
    assert how_many(1, "page") == "1 page"
    assert how_many(1234, "page") == "1,234 pages"
    assert how_many(2, Kind.PERSON.value, Kind.PERSON.plural) == "2 people"
    assert how_many(0, Kind.ATTACK.value, Kind.ATTACK.plural) == "0 attacks"
