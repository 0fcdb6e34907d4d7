"""A cue's time read back from the line the importer wrote, both ways."""

from __future__ import annotations

from casefile.domain.cues import cue_at, cue_line, cue_time, without_time

TEXT = "\n".join(
    [
        cue_line(1, "Zoë read the statement aloud."),
        cue_line(62, "The caliphate will not forget."),
        cue_line(3723, "Blood with blood."),
    ]
)


def test_a_selection_takes_the_time_of_the_cue_line_it_starts_in() -> None:
    assert TEXT.splitlines()[1] == "[0:01:02] The caliphate will not forget."
    assert cue_time(TEXT, TEXT.index("caliphate")) == 62
    assert cue_time(TEXT, TEXT.index("[1:02:03]")) == 3723  # the line's first character
    assert cue_time(TEXT, TEXT.index("\n[1:02:03]")) == 62  # the end of the line before
    assert cue_time("No cue here.", 3) is None
    assert without_time("[0:01:02] The caliphate") == "The caliphate"
    assert without_time("The caliphate") == "The caliphate"


def test_a_time_opens_at_the_cue_playing_then() -> None:
    def words(seconds: int) -> str:
        place = cue_at(TEXT, seconds)
        assert place is not None
        return TEXT[place[0] : place[1]]

    assert words(62) == "The caliphate will not forget."
    assert words(600) == "The caliphate will not forget."  # still on screen, or the last
    assert words(0) == "Zoë read the statement aloud."  # before the first cue: the first
    assert words(4000) == "Blood with blood."
    assert cue_at("No cue here.", 62) is None
