"""A name in its original script and its romanisation, told apart by their letters."""

from __future__ import annotations

from casefile.domain.scripts import in_other_script, is_latin


def test_latin_letters_with_accents_are_latin_and_others_are_not() -> None:
    assert is_latin("Anis Amri")
    assert is_latin("Abdelhamid Abaaoud, Zoë")
    assert not is_latin("أنيس العامري")
    assert not is_latin("Салман Абеди")
    assert not is_latin("123")  # no letter: no script to tell


def test_the_first_alias_in_another_script_goes_beside_the_name() -> None:
    assert in_other_script("Anis Amri", ["Anis", "أنيس العامري", "ابو البراء"]) == (
        "أنيس العامري",
        ["Anis", "ابو البراء"],
    )
    assert in_other_script("أنيس العامري", ["Anis Amri"]) == ("Anis Amri", [])
    assert in_other_script("Anis Amri", ["Anis", "A. A."]) == ("", ["Anis", "A. A."])
