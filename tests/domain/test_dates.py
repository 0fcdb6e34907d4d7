import random
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from casefile.domain.dates import DateError, DateRange, PartialDate, Precision
from casefile.domain.errors import InvalidInput
from casefile.domain.moments import day_of, moment
from tests.conftest import pd

YEAR, MONTH, DAY = Precision.YEAR, Precision.MONTH, Precision.DAY


def _maybe(text: str | None) -> PartialDate | None:
    return None if text is None else pd(text)


def _partial(day: date, precision: Precision, circa: bool) -> PartialDate:
    return PartialDate(
        day.year,
        None if precision is YEAR else day.month,
        day.day if precision is DAY else None,
        circa,
    )


partial_dates = st.builds(_partial, st.dates(), st.sampled_from(Precision), st.booleans())
exact_partial_dates = st.builds(_partial, st.dates(), st.sampled_from(Precision), st.just(False))


@pytest.mark.parametrize(
    ("text", "edtf", "shown", "precision"),
    [
        ("22 March 2017", "2017-03-22", "22 March 2017", DAY),
        ("Wednesday, 22 March 2017", "2017-03-22", "22 March 2017", DAY),
        ("wed 22 mar 2017", "2017-03-22", "22 March 2017", DAY),
        ("March 22nd, 2017", "2017-03-22", "22 March 2017", DAY),
        ("1 March 2016", "2016-03-01", "1 March 2016", DAY),
        ("March 2016", "2016-03", "March 2016", MONTH),
        ("Mar 2016", "2016-03", "March 2016", MONTH),
        ("Sept 2016", "2016-09", "September 2016", MONTH),
        ("2014", "2014", "2014", YEAR),
        ("22/03/2017", "2017-03-22", "22 March 2017", DAY),
        ("22.03.2017", "2017-03-22", "22 March 2017", DAY),
        ("03/04/2017", "2017-04-03", "3 April 2017", DAY),
        ("13/04/2017", "2017-04-13", "13 April 2017", DAY),
        ("03/2017", "2017-03", "March 2017", MONTH),
        ("2017-03-22", "2017-03-22", "22 March 2017", DAY),
        ("2017-03-12", "2017-03-12", "12 March 2017", DAY),
        ("2017/03/12", "2017-03-12", "12 March 2017", DAY),
        ("2017-03", "2017-03", "March 2017", MONTH),
        ("29 February 2016", "2016-02-29", "29 February 2016", DAY),
        ("22 March 2017 14:30", "2017-03-22", "22 March 2017", DAY),
        ("c. 2014", "2014~", "c. 2014", YEAR),
        ("circa 2014", "2014~", "c. 2014", YEAR),
        ("ca. 2014", "2014~", "c. 2014", YEAR),
        ("~2014", "2014~", "c. 2014", YEAR),
        ("About March 2016", "2016-03~", "c. March 2016", MONTH),
        ("c. 22/03/2017", "2017-03-22~", "c. 22 March 2017", DAY),
        ("2014~", "2014~", "c. 2014", YEAR),
        ("2016-03~", "2016-03~", "c. March 2016", MONTH),
        ("  \t2014 \n", "2014", "2014", YEAR),
        ("800", "0800", "800", YEAR),
        ("0050", "0050", "0050", YEAR),
        ("c. 0005-03", "0005-03~", "c. 0005-03", MONTH),
        # A zone's offset after a time of day is no sign of the year (e-mail dates).
        ("Wed, 22 Mar 2017 10:00:00 -0500", "2017-03-22", "22 March 2017", DAY),
        ("2017-03-22 10:00 +0100", "2017-03-22", "22 March 2017", DAY),
        ("22 March 2017 10am -0500", "2017-03-22", "22 March 2017", DAY),
        ("2017-03-22T10:00:00-05:00", "2017-03-22", "22 March 2017", DAY),
        ("Mar-2017", "2017-03", "March 2017", MONTH),
    ],
)
def test_parse(text: str, edtf: str, shown: str, precision: Precision) -> None:
    parsed = PartialDate.parse(text)
    assert (parsed.to_edtf(), parsed.display(), str(parsed), parsed.precision) == (
        edtf,
        shown,
        shown,
        precision,
    )


@pytest.mark.parametrize(
    ("text", "dayfirst", "edtf"),
    [
        ("03/22/2017", False, "2017-03-22"),
        ("03/04/2017", False, "2017-03-04"),
        ("03/04/2017", True, "2017-04-03"),
        ("13/04/2017", None, "2017-04-13"),
        ("04/13/2017", None, "2017-04-13"),
        ("2017/03/04", None, "2017-03-04"),
        ("2017-03-04", None, "2017-03-04"),
        ("4 March 2017", None, "2017-03-04"),
        ("03/03/2017", None, "2017-03-03"),
    ],
)
def test_parse_day_month_order(text: str, dayfirst: bool | None, edtf: str) -> None:
    assert PartialDate.parse(text, dayfirst=dayfirst).to_edtf() == edtf


@pytest.mark.parametrize(
    ("text", "dayfirst", "message"),
    [
        ("", True, "no date given"),
        ("   ", True, "no date given"),
        ("yesterday", True, "'yesterday' is not a date"),
        ("hello", True, "'hello' is not a date"),
        ("29 February 2017", True, "is not a date"),
        ("2017-02-30", True, "2017-02-30 is not a real date"),
        ("Wednesday", True, "the year is missing"),
        ("22 March", True, "'22 March' is not a full date: the year is missing"),
        ("March", True, "the year is missing"),
        ("31", True, "the year is missing"),
        ("22/03/17", True, "write the year in full: '17' could be 2017 or 1917"),
        ("March 45", True, "write the year in full: '45' could be 2045 or 1945"),
        ("Monday, 22 March 2017", True, "22 March 2017 was a Wednesday, not a Monday"),
        ("Wednesday, March 2017", True, "names a weekday but not the day of the month"),
        ("03/04/2017", None, "ambiguous (day/month order)"),
        ("03/04/2017", None, "'3 April 2017' or '4 March 2017'"),
        ("03/04/2017", None, "(2017-04-03)"),
        ("10000", True, "is not a date"),
        ("0000", True, "the year must be between 1 and 9999, not 0"),
        ("circa", True, "is not a date"),
    ],
)
def test_parse_errors(text: str, dayfirst: bool | None, message: str) -> None:
    with pytest.raises(DateError) as error:
        PartialDate.parse(text, dayfirst=dayfirst)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ((0,), "between 1 and 9999, not 0"),
        ((10000,), "between 1 and 9999, not 10000"),
        ((2016, None, 5), "needs a month"),
        ((2016, 13), "2016-13 is not a real date"),
        ((2016, 0), "2016-00 is not a real date"),
        ((2016, 4, 31), "2016-04-31 is not a real date"),
        ((2017, 2, 29), "2017-02-29 is not a real date"),
        ((2016, 2, 0), "2016-02-00 is not a real date"),
    ],
)
def test_invalid_fields(fields: tuple[int | None, ...], message: str) -> None:
    with pytest.raises(DateError, match=message):
        PartialDate(*fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["", "16", "2016-3", "2016-03-1", " 2016", "2016/03", "2016~~", "~2016", "٢٠١٦"]
)
def test_from_edtf_rejects_malformed(text: str) -> None:
    with pytest.raises(DateError, match="is not an EDTF date"):
        PartialDate.from_edtf(text)


def test_from_edtf() -> None:
    assert pd("2016-03-22~") == PartialDate(2016, 3, 22, circa=True)
    assert pd("0001") == PartialDate(1)


def test_display_never_invents_components() -> None:
    assert [str(d) for d in (PartialDate(2016, 3), PartialDate(2016, 3, 5, True))] == [
        "March 2016",
        "c. 5 March 2016",
    ]


@pytest.mark.parametrize(
    ("edtf", "first", "last"),
    [
        ("2016", date(2016, 1, 1), date(2016, 12, 31)),
        ("2016-03", date(2016, 3, 1), date(2016, 3, 31)),
        ("2016-02~", date(2016, 2, 1), date(2016, 2, 29)),
        ("2015-02", date(2015, 2, 1), date(2015, 2, 28)),
        ("2016-03-22", date(2016, 3, 22), date(2016, 3, 22)),
    ],
)
def test_interval(edtf: str, first: date, last: date) -> None:
    assert (pd(edtf).first_day(), pd(edtf).last_day()) == (first, last)


def test_sorting_mixed_precision() -> None:
    ordered = [
        pd(s)
        for s in ["2015-12-31", "2016", "2016~", "2016-03", "2016-03-01", "2016-03-02", "2016-04"]
    ]
    shuffled = ordered[:]
    random.Random(4).shuffle(shuffled)
    assert sorted(shuffled) == ordered
    assert pd("2016") < pd("2016-03") <= pd("2016-03") < pd("2016-03-01")
    assert pd("2016-04") > pd("2016-03-31") >= pd("2016-03")


def test_equality_and_hash_follow_the_fields() -> None:
    assert pd("2016-03") == PartialDate(2016, 3)
    assert pd("2016-03") != pd("2016-03~")
    assert len({pd("2016"), PartialDate(2016), pd("2016~")}) == 2


def test_contains_and_overlaps() -> None:
    assert pd("2016").contains(pd("2016-03-22"))
    assert pd("2016-03").contains(pd("2016-03"))
    assert not pd("2016-03").contains(pd("2016"))
    assert pd("2016-03").overlaps(date(2016, 3, 31), date(2016, 5, 1))
    assert not pd("2016-03").overlaps(date(2016, 4, 1), date(2016, 5, 1))


def test_to_json() -> None:
    assert pd("2016-03~").to_json() == {
        "text": "c. March 2016",
        "iso": "2016-03~",
        "precision": "month",
        "circa": True,
    }


@pytest.mark.parametrize(
    ("since", "until", "bounds"),
    [
        (None, None, (None, None)),
        (None, pd("2016"), (None, "2017")),
        (None, pd("2016-03"), (None, "2016-04")),
        (None, pd("2016-12"), (None, "2017")),
        (None, pd("2016-12-31"), (None, "2017")),
        (None, pd("2016-03-22"), (None, "2016-03-23")),
        (None, pd("2016-03-31"), (None, "2016-04")),
        (None, pd("9999"), (None, None)),
        (pd("2016"), None, ("2016", None)),
        (pd("2016-03"), pd("2016~"), ("2016-03", "2017")),
        (pd("2016-03-01"), None, ("2016-03", None)),
        (pd("2016-01-01"), None, ("2016", None)),
        (pd("2016-03-22"), None, ("2016-03-22", None)),
    ],
)
def test_a_date_range_as_bounds_of_stored_text(
    since: PartialDate | None, until: PartialDate | None, bounds: tuple[str | None, str | None]
) -> None:
    dates = DateRange(since, until)
    assert (dates.low, dates.high) == bounds


@given(partial_dates, exact_partial_dates, exact_partial_dates)
def test_a_range_keeps_the_dates_that_meet_it(
    value: PartialDate, since: PartialDate, until: PartialDate
) -> None:
    if until.last_day() < since.first_day():
        since, until = until, since
    dates = DateRange(since, until)
    # "Meets" is what the days say, whatever the precision: the date may fall within.
    assert dates.meets(value) == (
        value.first_day() <= until.last_day() and since.first_day() <= value.last_day()
    )


@pytest.mark.parametrize(
    ("value", "since", "until", "meets"),
    [
        ("2016", "2016-03", "2016-03", True),  # it may have been in March
        ("2016-03", "2016-03-15", None, True),
        ("2016-02", "2016-03-15", None, False),
        ("2016~", None, "2016-03", True),  # a circa date counts as its date
        ("2017", None, "2016-12-31", False),
    ],
)
def test_what_a_range_keeps(value: str, since: str | None, until: str | None, meets: bool) -> None:
    dates = DateRange(_maybe(since), _maybe(until))
    assert dates.meets(pd(value)) is meets


def test_a_range_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"the range ends \(2015\) before it starts"):
        DateRange(pd("2016"), pd("2015"))


def test_an_attack_that_runs_into_a_range_meets_it() -> None:
    in_2016 = DateRange(pd("2016"), pd("2016"))
    assert in_2016.meets(pd("2015-12-20"), pd("2016-01-05"))
    assert not in_2016.meets(pd("2015-12-20"), pd("2015-12-31"))
    assert not in_2016.meets(None)


@given(partial_dates)
def test_edtf_round_trip(value: PartialDate) -> None:
    assert PartialDate.from_edtf(value.to_edtf()) == value


@given(partial_dates, st.sampled_from([True, False, None]))
def test_parse_reads_back_display_and_edtf(value: PartialDate, dayfirst: bool | None) -> None:
    assert PartialDate.parse(value.display(), dayfirst=dayfirst) == value
    assert PartialDate.parse(value.to_edtf(), dayfirst=dayfirst) == value


BEFORE_THE_COMMON_ERA = "years before the common era are not supported"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-500", f"'-500': {BEFORE_THE_COMMON_ERA}"),  # was the year 500
        ("-2017", f"'-2017': {BEFORE_THE_COMMON_ERA}"),  # was 2017
        ("\u22122017", BEFORE_THE_COMMON_ERA),  # a minus sign
        ("- 2017", BEFORE_THE_COMMON_ERA),
        ("--2017", BEFORE_THE_COMMON_ERA),
        ("-0500", BEFORE_THE_COMMON_ERA),  # EDTF's own form of 501 BCE
        ("-2017-03-22", BEFORE_THE_COMMON_ERA),
        ("March -2017", BEFORE_THE_COMMON_ERA),  # was March 2017
        ("22 March -500", BEFORE_THE_COMMON_ERA),  # was 22 March 500
        ("22/03/-2017", BEFORE_THE_COMMON_ERA),
        ("c. -500", BEFORE_THE_COMMON_ERA),  # was c. 500
        ("~-500", BEFORE_THE_COMMON_ERA),
        ("500 BC", BEFORE_THE_COMMON_ERA),
        ("44 B.C.", BEFORE_THE_COMMON_ERA),
        ("c. 500 bce", BEFORE_THE_COMMON_ERA),
        ("+2017", "'+2017': write the year without a sign"),
    ],
)
def test_a_signed_year_is_refused(text: str, message: str) -> None:
    with pytest.raises(DateError) as error:
        PartialDate.parse(text)
    assert message in str(error.value)


def _signed(value: PartialDate, sign: str, edtf: bool) -> str:
    """``value`` written with ``sign`` before its year: "22 March -2017", "-2016-03~"."""
    if edtf or value.year < 100:  # years below 100 are shown in the EDTF form
        text = value.to_edtf() if edtf else value.display()
        circa, bare = ("c. ", text[3:]) if text.startswith("c. ") else ("", text)
        return circa + sign + bare
    head, _, year = value.display().rpartition(" ")
    return f"{head} {sign}{year}".lstrip()


@given(
    partial_dates,
    st.sampled_from(["-", "\u2212", "- "]),
    st.booleans(),
    st.sampled_from([True, False, None]),
)
def test_no_signed_year_is_read_as_another_date(
    value: PartialDate, sign: str, edtf: bool, dayfirst: bool | None
) -> None:
    with pytest.raises(DateError, match=BEFORE_THE_COMMON_ERA):
        PartialDate.parse(_signed(value, sign, edtf), dayfirst=dayfirst)


@given(exact_partial_dates, exact_partial_dates)
def test_edtf_text_order_is_chronological(a: PartialDate, b: PartialDate) -> None:
    assert (a.to_edtf() < b.to_edtf()) == (a < b)


_DATEISH = st.text(alphabet="0123456789/-.:~, TZamcirMrhWedOfbu\u00b2", max_size=20)


@given(st.one_of(st.text(), _DATEISH), st.sampled_from([True, False, None]))
@example("10000000000000000000000000000h 2016", True)  # decimal.InvalidOperation in dateutil
@example("99999999999999999999999999999s 2016", True)  # OverflowError in dateutil
def test_parse_only_raises_date_error(text: str, dayfirst: bool | None) -> None:
    try:
        outcome: PartialDate | DateError = PartialDate.parse(text, dayfirst=dayfirst)
    except DateError as e:
        outcome = e
    if isinstance(outcome, DateError):
        assert str(outcome).strip()
        assert "\n" not in str(outcome)
    else:
        assert PartialDate.from_edtf(outcome.to_edtf()) == outcome


@pytest.fixture
def in_paris(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3")  # a rule: no zone files needed
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_stored_times_read_in_the_readers_zone(in_paris: None) -> None:
    """Times are stored in UTC and shown on the reader's clock, with its zone named;
    the day is the reader's day."""
    assert moment(datetime(2026, 12, 3, 5, 46, tzinfo=UTC)) == "3 Dec 2026 06:46 CET"
    assert moment(datetime(2026, 7, 3, 5, 46, tzinfo=UTC)) == "3 Jul 2026 07:46 CEST"
    assert day_of(datetime(2026, 12, 3, 23, 30, tzinfo=UTC)) == "4 Dec 2026"


def test_the_names_printed_are_the_names_dateutil_reads() -> None:
    from dateutil.parser import parserinfo

    from casefile.domain import dates

    assert list(dates._MONTH_NAMES) == [names[-1] for names in parserinfo.MONTHS]
    assert list(dates._WEEKDAY_NAMES) == [names[-1] for names in parserinfo.WEEKDAYS]
    spelt = {name.lower(): n for n, names in enumerate(parserinfo.WEEKDAYS) for name in names}
    assert spelt == dates._WEEKDAY_NUMBERS
