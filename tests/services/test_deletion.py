"""Deleting records on real case files: what goes with a record, what stays, and what
the deletion reports it touched."""

from __future__ import annotations

from uuid import uuid4

import pytest

from casefile.domain.changes import changes_of
from casefile.domain.errors import NotFound
from casefile.domain.figures import Figure
from casefile.domain.records import (
    AttackFields,
    GroupFields,
    LinkFields,
    PersonFields,
    QuoteFields,
    SourceFields,
)
from casefile.domain.terms import Kind, Relation
from casefile.services.case import Case
from tests.conftest import pd
from tests.services.record_checks import assert_utc, blob_count, new_entries


def test_deleting_a_source_takes_quotes_documents_and_links_in_one_action(case: Case) -> None:
    source = case.records.add(SourceFields(title="Doomed source"))
    kept_source = case.records.add(SourceFields(title="Kept source"))
    person = case.records.add(PersonFields(name="Speaker"))
    group = case.records.add(GroupFields(name="Group"))
    q1 = case.records.add(QuoteFields(text="First", source=source.id, speaker=person.id))
    q2 = case.records.add(QuoteFields(text="Second", source=source.id, page=2))
    kept_quote = case.records.add(QuoteFields(text="Kept", source=kept_source.id))
    doc = case.documents.attach(b"original bytes", "orig.txt", source=source.id, pages=["p1"])
    link_to_source = case.records.add(
        LinkFields(subject=person.id, relation=Relation.INSPIRED_BY, object=source.id)
    )
    link_to_quote = case.records.add(
        LinkFields(subject=q2.id, relation=Relation.ASSOCIATED_WITH, object=group.id)
    )
    citing = case.records.add(
        LinkFields(
            subject=person.id,
            relation=Relation.MEMBER_OF,
            object=group.id,
            citations=(source.id, q1.id, kept_source.id, kept_quote.id),
        )
    )
    doomed = {q1.id, q2.id, doc.id, link_to_source.id, link_to_quote.id}

    deps = case.records.dependents(source.id)
    assert {i for i, _, _ in deps.deleted} == doomed
    assert {(i, k) for i, k, _ in deps.deleted} == {
        (q1.id, Kind.QUOTE),
        (q2.id, Kind.QUOTE),
        (doc.id, Kind.DOCUMENT),
        (link_to_source.id, Kind.LINK),
        (link_to_quote.id, Kind.LINK),
    }
    assert [(i, k) for i, k, _ in deps.detached] == [(citing.id, Kind.LINK)]
    assert "removes it from 1 link" in deps.describe()
    assert "2 quotes" in deps.describe()
    assert case.info().counts[Kind.SOURCE] == 2  # asking changed nothing

    before = len(case.history.entries())
    result = case.records.delete(source.id)
    assert result.summary == deps
    assert [r.id for r in result.records] == [*(i for i, _, _ in deps.deleted), source.id]

    entries = new_entries(case, before)
    assert len({e.action_id for e in entries}) == 1
    assert {(e.action, e.record_id) for e in entries} == {
        ("delete", i) for i in {*doomed, source.id}
    } | {("update", citing.id)}
    assert len(entries) == len(doomed) + 2
    update = next(e for e in entries if e.action == "update")
    assert update.changes == {
        "citations": [
            [str(source.id), str(q1.id), str(kept_source.id), str(kept_quote.id)],
            [str(kept_source.id), str(kept_quote.id)],
        ]
    }

    for gone in {*doomed, source.id}:
        with pytest.raises(NotFound):
            case.records.get(gone)
    assert case.records.get(citing.id).fields.citations == (kept_source.id, kept_quote.id)
    assert case.records.get(kept_quote.id).fields.source == kept_source.id
    assert case.records.get(person.id).fields.name == "Speaker"
    assert case.info().counts == {
        Kind.ATTACK: 0,
        Kind.PERSON: 1,
        Kind.GROUP: 1,
        Kind.SOURCE: 1,
        Kind.DOCUMENT: 0,
        Kind.QUOTE: 1,
        Kind.LINK: 1,
        Kind.REPORT: 0,
        Kind.JUDGEMENT: 0,
    }
    assert blob_count(case) == 0
    assert case.documents.pages(doc.id) == []
    assert case.check() == []


def test_a_deletion_names_every_kind_and_record_it_touched(case: Case) -> None:
    """What views refresh after a delete (and its undo): the source, what went with it,
    what lost a reference to it, and the records whose lists they were in."""
    source = case.records.add(SourceFields(title="Doomed source"))
    kept_source = case.records.add(SourceFields(title="Kept source"))
    person = case.records.add(PersonFields(name="Speaker"))
    group = case.records.add(GroupFields(name="Group"))
    quote = case.records.add(QuoteFields(text="Said", source=source.id, speaker=person.id))
    doc = case.documents.attach(b"bytes", "doc.txt", source=source.id, pages=["p1"])
    link = case.records.add(
        LinkFields(subject=person.id, relation=Relation.INSPIRED_BY, object=source.id)
    )
    citing = case.records.add(
        LinkFields(
            subject=person.id,
            relation=Relation.MEMBER_OF,
            object=group.id,
            citations=(source.id, kept_source.id),
        )
    )

    deletion = case.records.delete(source.id)

    changes = deletion.changes
    taken = {Kind.SOURCE, Kind.QUOTE, Kind.DOCUMENT, Kind.LINK}
    assert changes.kinds == taken | {Kind.ATTACK, Kind.PERSON}  # their support may change
    assert changes.records == frozenset({source.id, quote.id, doc.id, link.id, citing.id})
    assert changes.related == {person.id, group.id, kept_source.id}
    assert changes.touches([person.id])  # its links and quotes are not what they were
    assert not changes.touches([uuid4()])
    assert case.records.restore(deletion) == changes  # the undo touches the same


def test_an_add_or_an_edit_names_the_records_whose_lists_changed(case: Case) -> None:
    source = case.records.add(SourceFields(title="Source"))
    first = case.records.add(PersonFields(name="First speaker"))
    second = case.records.add(PersonFields(name="Second speaker"))
    quote = case.records.add(QuoteFields(text="Said", source=source.id, speaker=first.id))
    added = changes_of([quote])
    assert (added.kinds, added.records) == (frozenset({Kind.QUOTE}), frozenset({quote.id}))
    assert added.related == {source.id, first.id}

    after = case.records.update(quote.id, {"speaker": second.id})
    edited = changes_of([quote, after])
    assert (edited.kinds, edited.records) == (frozenset({Kind.QUOTE}), frozenset({quote.id}))
    assert edited.related == {source.id, first.id, second.id}  # the old speaker's too


def test_deleting_a_speaker_keeps_the_quote_without_speaker(case: Case) -> None:
    source = case.records.add(SourceFields(title="S"))
    person = case.records.add(PersonFields(name="Speaker"))
    group = case.records.add(GroupFields(name="G"))
    quote = case.records.add(QuoteFields(text="Words", source=source.id, speaker=person.id))
    link = case.records.add(
        LinkFields(subject=person.id, relation=Relation.MEMBER_OF, object=group.id)
    )

    deps = case.records.dependents(person.id)
    assert [i for i, _, _ in deps.deleted] == [link.id]
    assert [i for i, _, _ in deps.detached] == [quote.id]

    before = len(case.history.entries())
    case.records.delete(person.id)

    kept = case.records.get(quote.id)
    assert kept.fields.speaker is None
    assert kept.fields.text == "Words"
    assert kept.fields.source == source.id
    assert assert_utc(kept.updated_at) > assert_utc(quote.updated_at)
    entries = new_entries(case, before)
    assert len({e.action_id for e in entries}) == 1
    assert {(e.action, e.record_id) for e in entries} == {
        ("update", quote.id),
        ("delete", person.id),
        ("delete", link.id),
    }
    quote_entry = case.history.entries(quote.id)[-1]
    assert quote_entry.action == "update"
    assert quote_entry.changes == {"speaker": [str(person.id), None]}
    assert case.check() == []


def test_deleting_a_cited_quote_removes_it_from_the_citations(case: Case) -> None:
    source = case.records.add(SourceFields(title="S"))
    quote = case.records.add(QuoteFields(text="Cited", source=source.id))
    other = case.records.add(QuoteFields(text="Also cited", source=source.id))
    person = case.records.add(PersonFields(name="P"))
    group = case.records.add(GroupFields(name="G"))
    link = case.records.add(
        LinkFields(
            subject=person.id,
            relation=Relation.LEADER_OF,
            object=group.id,
            citations=(quote.id, source.id, other.id),
        )
    )

    deps = case.records.dependents(quote.id)
    assert deps.deleted == ()
    assert [i for i, _, _ in deps.detached] == [link.id]

    case.records.delete(quote.id)
    assert case.records.get(link.id).fields.citations == (source.id, other.id)
    entry = case.history.entries(link.id)[-1]
    assert entry.action == "update"
    assert entry.changes == {
        "citations": [
            [str(quote.id), str(source.id), str(other.id)],
            [str(source.id), str(other.id)],
        ]
    }
    assert entry.action_id == case.history.entries(quote.id)[-1].action_id
    assert case.check() == []


def test_deleting_the_claiming_group_clears_claimed_by(case: Case) -> None:
    group = case.records.add(GroupFields(name="Claimers"))
    attack = case.records.add(
        AttackFields(title="Claimed attack", claimed_by=group.id, claim_date=pd("2017-03-23"))
    )
    untouched = case.records.add(AttackFields(title="Not claimed", killed=Figure.exactly(1)))

    deps = case.records.dependents(group.id)
    assert [i for i, _, _ in deps.detached] == [attack.id]

    case.records.delete(group.id)
    after = case.records.get(attack.id).fields
    assert after.claimed_by is None
    assert after.claim_date == pd("2017-03-23")
    assert case.records.get(untouched.id) == untouched
    assert case.history.entries(attack.id)[-1].changes == {"claimed_by": [str(group.id), None]}
    assert case.check() == []


def test_a_shared_blob_outlives_one_document_and_goes_with_the_last(case: Case) -> None:
    data = b"%PDF-1.4 the same bytes twice"
    source = case.records.add(SourceFields(title="S"))
    first = case.documents.attach(data, "a.pdf", source=source.id, pages=["A"])
    second = case.documents.attach(data, "b.pdf", pages=["B"])
    assert blob_count(case) == 1

    case.records.delete(first.id)
    assert blob_count(case) == 1
    assert case.documents.content(second.id) == data
    with pytest.raises(NotFound):
        case.documents.content(first.id)
    assert case.check() == []

    case.records.delete(second.id)
    assert blob_count(case) == 0
    assert case.info().counts[Kind.DOCUMENT] == 0
    assert case.check() == []


def test_deleting_a_source_whose_quotes_are_linked_to_each_other(case: Case) -> None:
    source = case.records.add(SourceFields(title="S"))
    first = case.records.add(QuoteFields(text="One", source=source.id))
    second = case.records.add(QuoteFields(text="Two", source=source.id))
    link = case.records.add(
        LinkFields(subject=first.id, relation=Relation.SIMILAR_TO, object=second.id)
    )
    deps = case.records.dependents(source.id)
    assert {i for i, _, _ in deps.deleted} == {first.id, second.id, link.id}
    case.records.delete(source.id)
    assert case.info().counts[Kind.QUOTE] == 0
    assert case.info().counts[Kind.LINK] == 0


def test_deleting_a_record_whose_link_is_itself_linked(case: Case) -> None:
    person = case.records.add(PersonFields(name="P"))
    group = case.records.add(GroupFields(name="G"))
    membership = case.records.add(
        LinkFields(subject=person.id, relation=Relation.MEMBER_OF, object=group.id)
    )
    case.records.add(
        LinkFields(subject=membership.id, relation=Relation.ASSOCIATED_WITH, object=person.id)
    )
    case.records.delete(person.id)
    assert case.info().counts[Kind.LINK] == 0


def test_deleting_a_document_clears_the_quotes_taken_from_it_and_restore_puts_it_back(
    case: Case,
) -> None:
    source = case.records.add(SourceFields(title="E-mail"))
    doc = case.documents.attach(b"claim", "claim.txt", source=source.id, pages=["claim"])
    quote = case.records.add(QuoteFields(text="claim", source=source.id, document=doc.id))
    assert case.records.dependents(doc.id).describe() == "removes it from 1 quote"
    deletion = case.records.delete(doc.id)
    assert case.records.get(quote.id).fields.document is None
    case.records.restore(deletion)
    assert case.records.get(quote.id).fields.document == doc.id
    assert case.check() == []
