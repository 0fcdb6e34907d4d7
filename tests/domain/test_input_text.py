"""Typed values read one way: the words for "not known", numbers and dates, the same in
the CLI's options and the window's inputs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from casefile.cli.main import main
from casefile.domain.dates import PartialDate
from casefile.domain.display import display, time_into
from casefile.domain.errors import InvalidInput
from casefile.domain.figures import read_figure
from casefile.domain.input_text import UNKNOWN_WORDS, read_date, read_number, read_time
from casefile.domain.records import AttackFields
from casefile.domain.terms import Kind
from casefile.services.case import open_case
from casefile.services.list_query import ListQuery
from casefile.ui.controller import CaseController
from casefile.ui.forms import RecordForm
from casefile.ui.inputs import FigureEdit, NumberEdit, PartialDateEdit, TimeEdit
from casefile.ui.worker import Worker

TYPED = ["n/a", "N/A", "?", "unknown", "Unknown", "none", "", "  ", "3", " 12 ", "-1", "many"]
TYPED_NUMBERS = [*TYPED, "51.5", "1e3", "nan", "inf", "0x10"]


def _read(read: Any) -> tuple[str, Any]:
    try:
        return "value", read()
    except InvalidInput as exc:
        return "refused", str(exc)


@pytest.mark.parametrize("word", sorted(UNKNOWN_WORDS | {"N/A", " Unknown ", "NONE"}))
def test_every_word_for_unknown_is_unknown_for_numbers_and_dates(word: str) -> None:
    assert read_number(word, int) is None
    assert read_number(word, float) is None
    assert read_date(word, dayfirst=True) is None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1:02", 62),
        ("0:01:02", 62),
        (" 62s ", 62),
        ("1m02s", 62),
        ("1 min 2 sec", 62),
        ("1h2m3s", 3723),
        ("1:02:03", 3723),
        ("75:00", 4500),  # minutes alone are as many as they say
        ("0:00", 0),
        ("unknown", None),
        ("", None),
    ],
)
def test_a_time_into_a_recording_is_read_as_players_and_people_write_it(
    text: str, seconds: int | None
) -> None:
    assert read_time(text) == seconds


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("-1:02", "'-1:02': a time into a recording cannot be negative"),
        ("0:75:00", "'0:75:00': the minutes of h:mm:ss go up to 59"),
        ("1:75", "'1:75': the seconds go up to 59"),
        ("00:01:02,500", "'00:01:02,500': a time is in whole seconds (e.g. 1:02, 0:01:02, 62s"),
        ("62", "'62' is not a time into a recording (e.g. 1:02, 0:01:02, 62s, 1h2m3s)"),
        ("1:2", "'1:2' is not a time into a recording"),
        ("soon", "'soon' is not a time into a recording"),
        ("9" * 5000 + "s", "is not a time into a recording"),  # no int() of 5,000 digits
    ],
)
def test_a_time_that_is_not_one_is_refused_in_one_line(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_time(text)
    assert reason in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_time_reads_back_as_it_is_shown() -> None:
    assert [time_into(s) for s in (0, 62, 3723, 36000)] == [
        "0:00:00",
        "0:01:02",
        "1:02:03",
        "10:00:00",
    ]
    assert display("at", 62, {}) == "0:01:02"
    assert display("at", None, {}) == ""
    assert read_time(time_into(3723)) == 3723


@pytest.mark.parametrize("text", ["1:02", "0:01:02", "62s", "0:75:00", "-5s", "62", ""])
def test_the_window_reads_a_time_as_the_terminal_does(qtbot: QtBot, text: str) -> None:
    edit = TimeEdit(name="At")
    qtbot.addWidget(edit)
    edit.setText(text)
    assert _read(edit.value) == _read(lambda: read_time(text)), text


def test_a_number_that_is_not_one_is_refused_with_the_way_to_say_unknown() -> None:
    with pytest.raises(InvalidInput, match=r"^'dozens' is not a whole number \('unknown' when"):
        read_number("dozens", int)
    with pytest.raises(InvalidInput, match="is not a number"):
        read_number("nan", float)
    assert read_number(" 3 ", int) == 3
    assert read_date("March 2016", dayfirst=True) == PartialDate(2016, 3)


@pytest.mark.parametrize("text", TYPED_NUMBERS)
def test_the_window_reads_a_number_as_the_terminal_does(qtbot: QtBot, text: str) -> None:
    edit = NumberEdit(name="Latitude")
    qtbot.addWidget(edit)
    edit.setText(text)
    assert _read(edit.value) == _read(lambda: read_number(text, float)), text


@pytest.mark.parametrize("text", [*TYPED, "at least 30", "30-35", "dozens (24+)", "dozens"])
def test_the_window_reads_a_count_as_the_terminal_does(qtbot: QtBot, text: str) -> None:
    edit = FigureEdit(name="Killed")
    qtbot.addWidget(edit)
    edit.setText(text)
    assert _read(edit.value) == _read(lambda: read_figure(text)), text


def test_a_negative_count_is_refused_in_the_form(qtbot: QtBot, controller: CaseController) -> None:
    form = RecordForm(controller, AttackFields)
    qtbot.addWidget(form)
    qtbot.keyClicks(form.inputs["title"], "Westminster attack")
    qtbot.keyClicks(form.inputs["killed"], "-1")
    assert form.problem() == "Killed: a count cannot be negative (leave it empty when unknown)."


def test_the_window_reads_unknown_in_a_date_field(qtbot: QtBot) -> None:
    edit = PartialDateEdit(name="Date")
    qtbot.addWidget(edit)
    edit.line.setText("n/a")
    assert edit.value() is None
    assert edit.note.text() == "→ unknown"


@pytest.fixture
def controller(qtbot: QtBot, case_path: Path) -> Iterator[CaseController]:
    opened = CaseController(Worker(synchronous=True))
    opened.open(case_path)
    yield opened
    opened.shutdown()


def test_n_a_typed_in_the_window_and_given_to_the_cli_both_store_unknown(
    qtbot: QtBot,
    controller: CaseController,
    case_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    form = RecordForm(controller, AttackFields)
    qtbot.addWidget(form)
    qtbot.keyClicks(form.inputs["title"], "Typed in the window")
    qtbot.keyClicks(form.inputs["killed"], "n/a")
    qtbot.keyClicks(form.inputs["wounded"], "?")
    qtbot.keyClicks(form.inputs["date"].line, "unknown")
    assert form.problem() == ""
    fields = form.fields()
    controller.shutdown()
    with open_case(case_path, backups=False) as case:
        case.records.add(fields)

    argv = ["add", "attack", str(case_path), "--title", "Given to the CLI"]
    assert main([*argv, "--killed", "n/a", "--wounded", "?", "--date", "unknown"]) == 0
    with open_case(case_path, backups=False) as case:
        stored = case.listing.page(ListQuery(Kind.ATTACK)).records
    assert sorted(r.fields.title for r in stored) == ["Given to the CLI", "Typed in the window"]
    for record in stored:
        assert (record.fields.killed, record.fields.wounded, record.fields.date) == (
            None,
            None,
            None,
        )
