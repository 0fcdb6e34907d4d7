"""The case's description and its own vocabulary terms."""

from __future__ import annotations

from pathlib import Path

import pytest

from casefile.domain.errors import InvalidInput, KnownError
from casefile.domain.records import AttackFields
from casefile.domain.terms import Vocabulary
from casefile.services.case import Case, open_case
from tests.services.record_checks import assert_one_line


def test_describe_is_audited_and_persists(case_path: Path) -> None:
    with open_case(case_path, backups=False) as case:
        info = case.describe(title=" Westminster review ", summary="  What happened.  ")
        assert (info.title, info.summary) == ("Westminster review", "What happened.")
        entry = case.history.entries()[-1]
        assert (entry.action, entry.kind, entry.record_id) == ("update", "case", info.id)
        assert entry.changes == {
            "title": ["Test case", "Westminster review"],
            "summary": ["", "What happened."],
        }
        count = len(case.history.entries())
        case.describe(title="Westminster review", summary="What happened.")
        assert len(case.history.entries()) == count
        case.describe(summary="")
        assert case.history.entries()[-1].changes == {"summary": ["What happened.", ""]}
        with pytest.raises(KnownError) as exc:
            case.describe(title="   ")
        assert_one_line(exc.value)
        assert len(case.history.entries()) == count + 1
    with open_case(case_path, backups=False) as case:
        assert case.info().title == "Westminster review"
        assert case.info().summary == ""


def test_describe_with_empty_title_is_invalid_input(case: Case) -> None:
    with pytest.raises(InvalidInput):
        case.describe(title="   ")


def test_vocabulary_add_then_use_and_resolve(case_path: Path) -> None:
    with open_case(case_path, backups=False) as case:
        with pytest.raises(InvalidInput):
            case.records.add(AttackFields(title="A", attack_types=("drone_strike",)))
        before = len(case.history.entries())
        term = case.vocabulary.add(Vocabulary.ATTACK_TYPE, "  Drone strike ", case.info().id)
        assert (term.code, term.label, term.builtin) == ("drone_strike", "Drone strike", False)
        entry = case.history.entries()[before]
        assert entry.action == "create"
        assert entry.kind == "vocabulary"
        assert entry.changes["code"] == [None, "drone_strike"]
        attack = case.records.add(
            AttackFields(title="Drone attack", attack_types=("drone_strike", "bombing"))
        )
        assert attack.fields.attack_types == ("drone_strike", "bombing")
        with pytest.raises(InvalidInput):
            case.vocabulary.add(Vocabulary.ATTACK_TYPE, "DRONE strike", case.info().id)
        with pytest.raises(InvalidInput):
            case.vocabulary.add(Vocabulary.ATTACK_TYPE, " -- ", case.info().id)
        # The new code belongs to attack types only.
        with pytest.raises(InvalidInput):
            case.records.add(AttackFields(title="B", weapon_types=("drone_strike",)))

    with open_case(case_path, backups=False) as case:
        assert case.records.get(attack.id).fields.attack_types == ("drone_strike", "bombing")
        codes = {t.code for t in case.vocabulary.terms(Vocabulary.ATTACK_TYPE)}
        assert {"drone_strike", "armed_assault", "bombing"} <= codes
        resolve = case.vocabulary.resolve
        assert resolve(Vocabulary.ATTACK_TYPE, "armed ASSAULT") == "armed_assault"
        assert resolve(Vocabulary.ATTACK_TYPE, "Armed assault") == "armed_assault"
        assert resolve(Vocabulary.ATTACK_TYPE, " ARMED_assault ") == "armed_assault"
        assert resolve(Vocabulary.ATTACK_TYPE, "drone STRIKE") == "drone_strike"
        assert resolve(Vocabulary.WEAPON_TYPE, "VEHICLE") == "vehicle"
        assert resolve(Vocabulary.TARGET_TYPE, "police") == "police"
        assert resolve(Vocabulary.TARGET_TYPE, "government (GENERAL)") == "government"
        with pytest.raises(InvalidInput) as exc:
            resolve(Vocabulary.WEAPON_TYPE, "drone strike")
        assert_one_line(exc.value)


def test_vocabulary_accepts_labels_in_other_scripts(case: Case) -> None:
    term = case.vocabulary.add(Vocabulary.WEAPON_TYPE, "Взрывчатка", case.info().id)
    assert case.vocabulary.resolve(Vocabulary.WEAPON_TYPE, "взрывчатка") == term.code


def test_vocabulary_refuses_a_value_whose_label_or_code_is_taken(case: Case) -> None:
    case_id = case.info().id
    term = case.vocabulary.add(Vocabulary.WEAPON_TYPE, "Straße mine", case_id)
    assert (term.code, term.label) == ("strasse_mine", "Straße mine")
    other = case.vocabulary.add(Vocabulary.WEAPON_TYPE, "Взрывчатка", case_id)
    assert other.code == "взрывчатка"  # letters of any script are kept in the code
    before = len(case.history.entries())
    for taken in ("STRASSE MINE", " straße   MINE ", "strasse_mine", "Strasse-Mine", "VEHICLE"):
        with pytest.raises(InvalidInput) as exc:
            case.vocabulary.add(Vocabulary.WEAPON_TYPE, taken, case_id)
        assert "already exists" in str(exc.value)
        assert_one_line(exc.value)
    assert len(case.history.entries()) == before
    resolve = case.vocabulary.resolve
    assert resolve(Vocabulary.WEAPON_TYPE, "STRASSE mine") == "strasse_mine"
    assert resolve(Vocabulary.WEAPON_TYPE, "ВЗРЫВЧАТКА") == "взрывчатка"
    # Taken in one vocabulary is still free in another.
    assert case.vocabulary.add(Vocabulary.ATTACK_TYPE, "Straße mine", case_id).code == (
        "strasse_mine"
    )
