"""Finding a quote's words again after its document's text was read in another encoding."""

from __future__ import annotations

from casefile.domain.placing import Placed, place_again

ARABIC = "قال المتحدث باسم الجماعة إن الهجوم كان ردا"
WORD = "الجماعة"


def garbled(text: str) -> str:
    """Arabic cp1256 bytes as a guess of cp1252 reads them (one character a byte)."""
    return text.encode("cp1256").decode("cp1252", errors="replace")


def test_a_copy_of_garbled_characters_is_found_again_and_reads_as_the_text_now_does() -> None:
    old = garbled(ARABIC)
    start = ARABIC.index(WORD)  # one byte a letter: the same characters in both
    span = (start, start + len(WORD))

    placed = place_again(old[span[0] : span[1]], old, ARABIC, span, ("cp1252", "cp1256"))

    assert placed == Placed(start, start + len(WORD), WORD)


def test_the_analysts_own_words_stay_theirs_at_the_place_found_again() -> None:
    old = "x" * 10 + garbled(ARABIC)  # the new text is shorter before the words
    start = 10 + ARABIC.index(WORD)
    span = (start, start + len(WORD))

    placed = place_again("the group", old, ARABIC, span, ("cp1252", "cp1256"))

    assert placed == Placed(ARABIC.index(WORD), ARABIC.index(WORD) + len(WORD), "the group")


def test_a_copy_with_spaces_collapsed_stays_collapsed() -> None:
    text = ARABIC.replace(" ", "\n\n")
    old = garbled(text)
    placed = place_again(" ".join(old.split()), old, text, (0, len(old)), ("cp1252", "cp1256"))

    assert placed is not None
    assert placed.text == ARABIC


def test_of_several_matches_the_one_nearest_the_old_place_is_taken() -> None:
    new = "the attack. the attack. the attack."
    placed = place_again("the attack", new, new, (24, 34), (None, "utf-8"))

    assert placed == Placed(24, 34, "the attack")


def test_words_not_in_the_new_text_are_not_placed() -> None:
    assert place_again("zzz", "abc zzz", "abc def", (4, 7), (None, "utf-8")) is None
    assert place_again("zzz", "abc zzz", "abc def", (4, 7), ("ascii", "utf-8")) is None
