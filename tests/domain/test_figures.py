"""Counts as sources give them: read, shown, compared and stored without changing what
was said."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from casefile.db.types import FigureType
from casefile.domain.errors import InvalidInput
from casefile.domain.figures import FIGURE_LIMIT, Figure, read_figure
from casefile.domain.serialize import jsonable

READ = {
    "3": Figure(3, 3),
    "1,234": Figure(1234, 1234),
    "at least 30": Figure(30, None),
    "At least  30": Figure(30, None),
    "30+": Figure(30, None),
    "≥ 30": Figure(30, None),
    "30 or more": Figure(30, None),
    "30-35": Figure(30, 35),
    "30 – 35": Figure(30, 35),
    "30 to 35": Figure(30, 35),
    "dozens (at least 24)": Figure(24, None, "dozens"),
    "dozens (24+)": Figure(24, None, "dozens"),
    "several (3–9)": Figure(3, 9, "several"),
    "a dozen (12)": Figure(12, 12, "a dozen"),
    "unknown": None,
    "n/a": None,
    "": None,
}


@pytest.mark.parametrize(("text", "figure"), READ.items())
def test_a_figure_is_read_as_the_source_gave_it(text: str, figure: Figure | None) -> None:
    assert read_figure(text) == figure


@pytest.mark.parametrize("figure", [f for f in READ.values() if f is not None])
def test_what_is_shown_reads_back_as_the_same_figure(figure: Figure) -> None:
    assert read_figure(str(figure)) == figure


REFUSED = {
    "dozens": "say what 'dozens' implies too, in brackets: e.g. 'dozens (at least 24)'",
    "35-30": "the range 35–30 ends below its start",
    "-1": "a count cannot be negative (leave it empty when unknown)",
    "3.5": "'3.5' is not a count",
    "dozens (many)": "in 'dozens (many)', say in brackets the number or range it implies",
    str(FIGURE_LIMIT + 1): "the count is too large",
}


@pytest.mark.parametrize(("text", "reason"), REFUSED.items())
def test_what_is_not_a_count_is_refused_in_one_line(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        read_figure(text)
    assert str(raised.value).startswith(reason)
    assert "\n" not in str(raised.value)


def test_what_was_said_is_kept_apart_from_the_analysts_reading() -> None:
    dozens = Figure(24, None, "dozens")
    assert dozens.said() == "dozens"
    assert dozens.exact is None
    assert Figure.exactly(3).exact == 3
    assert Figure(3, 3, "three").exact is None  # the source's word is kept


def test_reports_disagree_only_when_no_number_fits_both() -> None:
    three = Figure.exactly(3)
    assert not three.disagrees(Figure(2, 4))
    assert not three.disagrees(Figure(3, None))
    assert three.disagrees(Figure(5, None))
    assert three.disagrees(Figure.exactly(4))
    assert not Figure(24, None, "dozens").disagrees(Figure.exactly(40))


def test_json_keeps_a_number_a_number_and_says_the_rest() -> None:
    assert jsonable(Figure.exactly(3)) == 3
    assert jsonable(Figure(24, None, "dozens")) == {
        "said": "dozens (at least 24)",
        "low": 24,
        "high": None,
        "words": "dozens",
    }


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])
def test_the_stored_form_sorts_by_the_lower_bound_and_reads_back(dialect: object) -> None:
    column = FigureType()
    figures = [
        Figure(24, None, "dozens"),
        Figure.exactly(3),
        Figure(30, 35),
        Figure(100, None),
        Figure.exactly(FIGURE_LIMIT),
        Figure.exactly(0),
    ]
    stored = [str(column.process_bind_param(f, dialect)) for f in figures]  # type: ignore[arg-type]
    back = [column.process_result_value(t, dialect) for t in stored]  # type: ignore[arg-type]
    assert back == figures
    by_text = [f.low for _, f in sorted(zip(stored, figures, strict=True))]
    assert by_text == sorted(f.low for f in figures)


def test_a_tally_counts_lower_bounds_and_leaves_unknowns_out() -> None:
    from casefile.domain.figures import Tally

    dozens = read_figure("dozens (at least 24)")
    tally = Tally.of([Figure.exactly(3), None, dozens, None])
    assert (tally.total, tally.exact, tally.known, tally.unknown) == (27, False, 2, 2)
    assert Tally.of([Figure.exactly(1), Figure.exactly(2)]).exact
