"""Mentions: the people and groups a source's documents name, found when asked."""

from __future__ import annotations

from casefile.domain.records import GroupFields, LinkFields, PersonFields, SourceFields
from casefile.domain.terms import Kind, Relation
from casefile.services.case import Case
from casefile.services.mentions import NameCounter


def test_names_match_whole_words_ignoring_case_but_acronyms_only_as_written() -> None:
    counter = NameCounter(["Khalid Masood", "IS", "Islamic State", "Amaq"])
    counter.feed("Khalid MASOOD drove. Islamic State (IS) claimed it via Amaq; it is done.")
    counter.feed("khalid masood's car. Masood alone is not the full name. Amaqi is not Amaq.")
    assert counter.count("Khalid Masood") == 2
    assert counter.count("IS") == 1  # "is" twice, not counted
    assert counter.count("Islamic State") == 1
    assert counter.count("Amaq") == 2


def test_a_source_lists_who_its_documents_mention_and_which_are_linked(case: Case) -> None:
    case.records.add(PersonFields(name="Khalid Masood", aliases=("Adrian Elms",)))
    isis = case.records.add(GroupFields(name="Islamic State", aliases=("ISIS",)))
    nobody = case.records.add(PersonFields(name="Rita Katz"))
    source = case.records.add(SourceFields(title="Report"))
    case.documents.attach(
        b"report bytes",
        "report.txt",
        source=source.id,
        media_type="text/plain",
        pages=["Khalid Masood, born Adrian Elms, pledged to ISIS.", "ISIS claimed; Islamic State."],
    )
    case.records.add(LinkFields(subject=source.id, relation=Relation.MENTIONS, object=isis.id))

    found = {(m.label, m.kind, m.count, m.linked) for m in case.mentions.in_source(source.id)}

    assert found == {
        ("Islamic State", Kind.GROUP, 3, True),
        ("Khalid Masood", Kind.PERSON, 2, False),
    }
    assert nobody.id not in {m.record_id for m in case.mentions.in_source(source.id)}
    assert case.mentions.in_source(source.id)[0].label == "Islamic State"  # most mentioned


def test_a_name_and_its_alias_in_one_place_count_once() -> None:
    counter = NameCounter(["Khalid Masood", "Masood", "Islamic State", "Islamic-State"])
    counter.feed("Khalid Masood acted alone; Masood had no help. Islamic State claimed it.")
    assert counter.count("Khalid Masood") == 1
    assert counter.count("Masood") == 1  # the second place only
    assert counter.count("Islamic State") == 1
