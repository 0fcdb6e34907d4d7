"""Records end to end on real case files: round trips, validation, audit, deletes,
documents, ID resolution, listing, the bulk path, the case description and vocabulary."""

from __future__ import annotations

import dataclasses
import hashlib
import random
import string
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select

from casefile.db import models as m
from casefile.domain.dates import PartialDate
from casefile.domain.display import display
from casefile.domain.errors import InvalidInput, KnownError, NotFound
from casefile.domain.records import (
    AnyFields,
    AttackFields,
    DocumentFields,
    GroupFields,
    LinkFields,
    PersonFields,
    QuoteFields,
    Record,
    SourceFields,
)
from casefile.domain.terms import (
    AttackStatus,
    Claimed,
    Confidence,
    Credibility,
    GroupKind,
    Kind,
    PersonRole,
    PersonStatus,
    Relation,
    Reliability,
    SourceKind,
    Vocabulary,
)
from casefile.services import listing
from casefile.services.audit import HistoryEntry
from casefile.services.case import Case, open_case
from casefile.services.listing import Cursor, ListQuery
from casefile.services.record_service import changes_of


def pd(text: str) -> PartialDate:
    return PartialDate.from_edtf(text)


def total_records(case: Case) -> int:
    return sum(case.info().counts.values())


def blob_count(case: Case) -> int:
    with case.sessions.read() as s:
        return int(s.scalar(select(func.count()).select_from(m.Blob)) or 0)


def assert_one_line(exc: BaseException) -> None:
    text = str(exc)
    assert text.strip()
    assert "\n" not in text


def assert_every_field_set(fields: AnyFields) -> None:
    """Guard for the round trip: a field left at its default would prove nothing."""
    for f in dataclasses.fields(fields):
        if f.default is not dataclasses.MISSING:
            assert getattr(fields, f.name) != f.default, f"{type(fields).__name__}.{f.name}"


def assert_utc(value: datetime | None) -> datetime:
    assert value is not None
    assert value.tzinfo is not None
    assert value.utcoffset() == timedelta(0)
    return value


def new_entries(case: Case, before: int) -> list[HistoryEntry]:
    return case.history.entries()[before:]


# -- 1. round trip ------------------------------------------------------------------------


ROUND_TRIP_DATA = bytes(range(256)) * 40 + b"\x00end"
ROUND_TRIP_PAGES = ["First page text", "", "Third page — ünïcode"]


@dataclass
class Written:
    """What a test wrote: each record's fields, tags and notes, and its timestamps."""

    case: Case
    expected: dict[UUID, tuple[AnyFields, tuple[str, ...], str]] = dataclasses.field(
        default_factory=dict
    )
    stamps: dict[UUID, tuple[datetime | None, datetime | None]] = dataclasses.field(
        default_factory=dict
    )
    ids: dict[str, UUID] = dataclasses.field(default_factory=dict)

    def add(
        self, key: str, fields: AnyFields, tags: list[str], notes: str, *, complete: bool = True
    ) -> UUID:
        if complete:
            assert_every_field_set(fields)
        record = self.case.records.add(fields, tags=tags, notes=notes)
        assert record.fields == fields
        self.expected[record.id] = (fields, tuple(sorted(tags, key=str.casefold)), notes)
        self.stamps[record.id] = (record.created_at, record.updated_at)
        self.ids[key] = record.id
        return record.id


def write_every_kind(case: Case) -> Written:
    """One record of every kind with every field set (two attacks: an unclaimed attack
    cannot have claim details), plus tags and notes."""
    w = Written(case)
    group = w.add(
        "group",
        GroupFields(
            name="Example Front",
            aliases=("EF", "Front Exemple"),
            group_kind=GroupKind.MILITANT_GROUP,
            country="Belgium",
        ),
        ["groups", "Claimed"],
        "A group note.",
    )
    person = w.add(
        "person",
        PersonFields(
            name="Jane Example",
            aliases=("J. E.", "Umm Example"),
            roles=(PersonRole.PERPETRATOR, PersonRole.SPOKESPERSON),
            nationality="British",
            birth_date=pd("1985-07"),
            status=PersonStatus.DETAINED,
        ),
        ["people"],
        "A person note.",
    )
    source = w.add(
        "source",
        SourceFields(
            title="Court judgment in R v Example",
            source_kind=SourceKind.COURT_RECORD,
            authors=("Judge A", "Judge B"),
            publisher="High Court",
            published=pd("2018-02-14"),
            url="https://example.org/judgment",
            accessed=pd("2019~"),
            language="en",
            reliability=Reliability.B,
        ),
        ["court"],
        "A source note.",
    )
    doc = case.documents.attach(
        ROUND_TRIP_DATA,
        "judgment.pdf",
        source=source,
        media_type="application/pdf",
        pages=ROUND_TRIP_PAGES,
    )
    w.add(
        "attack",
        AttackFields(
            title="Bridge attack",
            date=pd("2017-03-22"),
            end_date=pd("2017-03-23"),
            location="Westminster Bridge",
            city="London",
            country="United Kingdom",
            latitude=51.500729,
            longitude=-0.124625,
            attack_types=("armed_assault", "unarmed_assault"),
            weapon_types=("vehicle", "melee"),
            target_types=("police", "private_citizens"),
            killed=4,
            wounded=0,
            perpetrators_killed=1,
            claimed=Claimed.YES,
            claimed_by=group,
            claim_date=pd("2017-03"),
            claim_method="Statement on a news agency channel",
            status=AttackStatus.DISPUTED,
            summary="A car driven into pedestrians, then a stabbing.",
        ),
        ["attacks", "london"],
        "An attack note.",
    )
    w.add(
        "unknown_toll",
        AttackFields(
            title="Attack with an unknown toll",
            date=pd("2016~"),
            end_date=pd("2016-12-31"),
            location="Unknown",
            city="Paris",
            country="France",
            latitude=-89.5,
            longitude=179.25,
            attack_types=("bombing",),
            weapon_types=("explosives",),
            target_types=("business",),
            killed=0,
            wounded=12,
            perpetrators_killed=0,
            claimed=Claimed.NO,
            status=AttackStatus.SUSPECTED,
            summary="No claim was made.",
        ),
        [],
        "",
        complete=False,  # an unclaimed attack has no claim details
    )
    quote_by_person = w.add(
        "quote_by_person",
        QuoteFields(
            text="We will come back.",
            source=source,
            document=doc.id,
            speaker=person,
            page=12,
            paragraph=3,
            char_start=0,
            char_end=18,
            said=pd("2017-03-20"),
            credibility=Credibility.PROBABLY_TRUE,
            language="ar",
            translation="Nous reviendrons.",
            context="Said to a witness two days before.",
        ),
        ["quotes"],
        "A quote note.",
    )
    w.add(
        "quote_by_group",
        QuoteFields(
            text="The operation was carried out by a soldier.",
            source=source,
            document=doc.id,
            speaker=group,
            page=1,
            paragraph=1,
            char_start=5,
            char_end=40,
            said=pd("2017-03"),
            credibility=Credibility.DOUBTFUL,
            language="en",
            translation="L'opération a été menée par un soldat.",
            context="The claim of responsibility.",
        ),
        ["quotes", "claims"],
        "Another quote note.",
    )
    w.add(
        "link",
        LinkFields(
            subject=person,
            relation=Relation.MEMBER_OF,
            object=group,
            start=pd("2014"),
            end=pd("2017-03-22"),
            confidence=Confidence.PROBABLE,
            citations=(source, quote_by_person),
        ),
        ["links"],
        "A link note.",
    )
    doc_fields = DocumentFields(
        source=source,
        file_name="judgment.pdf",
        media_type="application/pdf",
        sha256=hashlib.sha256(ROUND_TRIP_DATA).hexdigest(),
        size=len(ROUND_TRIP_DATA),
    )
    assert_every_field_set(doc_fields)
    assert doc.fields == doc_fields
    tagged = case.records.update(doc.id, tags=["originals"], notes="A document note.")
    w.expected[doc.id] = (doc_fields, ("originals",), "A document note.")
    w.stamps[doc.id] = (doc.created_at, tagged.updated_at)
    w.ids["document"] = doc.id
    return w


def test_every_kind_round_trips_through_reopen(case_path: Path) -> None:
    data = ROUND_TRIP_DATA
    with open_case(case_path, backups=False) as case:
        w = write_every_kind(case)
        expected, stamps = w.expected, w.stamps
        link_label = case.records.get(w.ids["link"]).label
    group, source, attack = w.ids["group"], w.ids["source"], w.ids["attack"]
    unknown_toll, link, doc_id = w.ids["unknown_toll"], w.ids["link"], w.ids["document"]
    quote_by_person, quote_by_group = w.ids["quote_by_person"], w.ids["quote_by_group"]

    with open_case(case_path, backups=False) as case:
        assert case.info().counts == {
            Kind.ATTACK: 2,
            Kind.PERSON: 1,
            Kind.GROUP: 1,
            Kind.SOURCE: 1,
            Kind.DOCUMENT: 1,
            Kind.QUOTE: 2,
            Kind.LINK: 1,
        }
        for record_id, (fields, tags, notes) in expected.items():
            record = case.records.get(record_id)
            assert record.id == record_id
            assert type(record.fields) is type(fields)
            assert record.fields == fields
            assert record.tags == tags
            assert record.notes == notes
            created = assert_utc(record.created_at)
            updated = assert_utc(record.updated_at)
            assert (created, updated) == stamps[record_id]
            assert created <= updated
        assert stamps[doc_id][0] != stamps[doc_id][1]  # the tag update moved updated_at

        # Unknown (None) and zero stay distinct.
        first = case.records.get(attack).fields
        other = case.records.get(unknown_toll).fields
        assert first.wounded == 0
        assert first.wounded is not None
        assert other.killed == 0
        assert other.killed is not None
        plain = case.records.add(AttackFields(title="Toll not known"))
        reread = case.records.get(plain.id).fields
        assert (reread.killed, reread.wounded, reread.perpetrators_killed) == (None, None, None)

        assert case.documents.content(doc_id) == data
        assert case.documents.pages(doc_id) == ROUND_TRIP_PAGES
        assert link_label == "Jane Example — member of — Example Front"
        assert case.records.get(link).label == link_label
        assert [r.id for r in case.records.links_of(group)] == [link]
        assert {r.id for r in case.records.quotes_of(source)} == {quote_by_person, quote_by_group}
        assert [r.id for r in case.records.documents_of(source)] == [doc_id]
        assert case.check() == []


def test_claim_details_imply_claimed(case: Case) -> None:
    group = case.records.add(GroupFields(name="G"))
    attack = case.records.add(AttackFields(title="A", claimed_by=group.id))
    assert case.records.get(attack.id).fields.claimed is Claimed.YES
    with pytest.raises(InvalidInput) as exc:
        AttackFields(title="B", claimed=Claimed.NO, claim_method="video")
    assert_one_line(exc.value)


# -- 2. validation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Refs:
    case: Case
    source: UUID
    person: UUID
    group: UUID
    attack: UUID
    quote: UUID
    link: UUID


@pytest.fixture
def refs(case: Case) -> Refs:
    source = case.records.add(SourceFields(title="A source")).id
    person = case.records.add(PersonFields(name="A person")).id
    group = case.records.add(GroupFields(name="A group")).id
    attack = case.records.add(
        AttackFields(title="An attack", date=pd("2016-03"), killed=2, latitude=1.0, longitude=2.0)
    ).id
    quote = case.records.add(QuoteFields(text="A quote", source=source, speaker=person)).id
    link = case.records.add(
        LinkFields(subject=person, relation=Relation.MEMBER_OF, object=group, start=pd("2015"))
    ).id
    return Refs(case, source, person, group, attack, quote, link)


INVALID: dict[str, Callable[[Refs], object]] = {
    "empty title": lambda r: r.case.records.add(AttackFields(title="   ")),
    "empty person name": lambda r: r.case.records.add(PersonFields(name="")),
    "quote without existing source": lambda r: r.case.records.add(
        QuoteFields(text="Words", source=uuid4())
    ),
    "quote whose source is a person": lambda r: r.case.records.add(
        QuoteFields(text="Words", source=r.person)
    ),
    "speaker that is a source": lambda r: r.case.records.add(
        QuoteFields(text="Words", source=r.source, speaker=r.source)
    ),
    "unknown speaker": lambda r: r.case.records.add(
        QuoteFields(text="Words", source=r.source, speaker=uuid4())
    ),
    "unknown attack type code": lambda r: r.case.records.add(
        AttackFields(title="A", attack_types=("drone_strike",))
    ),
    "attack type label instead of code": lambda r: r.case.records.add(
        AttackFields(title="A", attack_types=("Armed assault",))
    ),
    "weapon code in target types": lambda r: r.case.records.add(
        AttackFields(title="A", target_types=("vehicle",))
    ),
    "negative killed": lambda r: r.case.records.add(AttackFields(title="A", killed=-1)),
    "negative wounded": lambda r: r.case.records.add(AttackFields(title="A", wounded=-3)),
    "latitude out of range": lambda r: r.case.records.add(
        AttackFields(title="A", latitude=90.5, longitude=0.0)
    ),
    "longitude out of range": lambda r: r.case.records.add(
        AttackFields(title="A", latitude=0.0, longitude=-180.01)
    ),
    "latitude not a number": lambda r: r.case.records.add(
        AttackFields(title="A", latitude=float("nan"), longitude=0.0)
    ),
    "latitude without longitude": lambda r: r.case.records.add(
        AttackFields(title="A", latitude=10.0)
    ),
    "claimed by a person": lambda r: r.case.records.add(
        AttackFields(title="A", claimed_by=r.person)
    ),
    "link to itself": lambda r: r.case.records.add(
        LinkFields(subject=r.person, relation=Relation.ASSOCIATED_WITH, object=r.person)
    ),
    "link citing a person": lambda r: r.case.records.add(
        LinkFields(
            subject=r.person, relation=Relation.MEMBER_OF, object=r.group, citations=(r.person,)
        )
    ),
    "link to a missing record": lambda r: r.case.records.add(
        LinkFields(subject=r.person, relation=Relation.MEMBER_OF, object=uuid4())
    ),
    "attack end date before start": lambda r: r.case.records.add(
        AttackFields(title="A", date=pd("2017-03-22"), end_date=pd("2017-03-21"))
    ),
    "attack end month before start day": lambda r: r.case.records.add(
        AttackFields(title="A", date=pd("2017-03-22"), end_date=pd("2017-02"))
    ),
    "link end before start": lambda r: r.case.records.add(
        LinkFields(
            subject=r.person,
            relation=Relation.MEMBER_OF,
            object=r.group,
            start=pd("2016"),
            end=pd("2015-12-31"),
        )
    ),
    "quote character range reversed": lambda r: r.case.records.add(
        QuoteFields(text="Words", source=r.source, char_start=5, char_end=5)
    ),
    "quote page zero": lambda r: r.case.records.add(
        QuoteFields(text="Words", source=r.source, page=0)
    ),
    "document added as a record": lambda r: r.case.records.add(
        DocumentFields(file_name="x.pdf", sha256="0" * 64, size=1)
    ),
    "update: negative killed": lambda r: r.case.records.update(r.attack, {"killed": -1}),
    "update: latitude out of range": lambda r: r.case.records.update(r.attack, {"latitude": -91.0}),
    "update: end date before start": lambda r: r.case.records.update(
        r.attack, {"end_date": pd("2016-02")}
    ),
    "update: quote source to a person": lambda r: r.case.records.update(
        r.quote, {"source": r.person}
    ),
    "update: speaker to a source": lambda r: r.case.records.update(r.quote, {"speaker": r.source}),
    "update: unknown attack type": lambda r: r.case.records.update(
        r.attack, {"attack_types": ("armed_assault", "nonsense")}
    ),
    "update: link to itself": lambda r: r.case.records.update(r.link, {"object": r.person}),
    "update: link end before start": lambda r: r.case.records.update(r.link, {"end": pd("2014")}),
    "update: unknown field": lambda r: r.case.records.update(r.attack, {"colour": "red"}),
    "update: empty title": lambda r: r.case.records.update(r.attack, {"title": " "}),
}


def test_invalid_input_is_refused_and_stores_nothing(refs: Refs) -> None:
    # One case for all attempts: each must leave it exactly as it was for the next.
    case = refs.case
    ids = [refs.source, refs.person, refs.group, refs.attack, refs.quote, refs.link]
    before_records = case.records.get_many(ids)
    before_counts = case.info().counts
    before_history = len(case.history.entries())

    for name, attempt in INVALID.items():
        try:
            attempt(refs)
        except InvalidInput as exc:
            text = str(exc)
            assert text.strip(), name
            assert "\n" not in text, name
        else:
            pytest.fail(f"{name}: accepted")
        assert case.info().counts == before_counts, name
        assert case.listing.count(ListQuery(Kind.ATTACK)) == before_counts[Kind.ATTACK], name
        assert case.records.get_many(ids) == before_records, name
        assert len(case.history.entries()) == before_history, name
    assert case.check() == []


def test_validation_messages_name_the_problem(refs: Refs) -> None:
    case = refs.case
    with pytest.raises(InvalidInput, match="source must be a source, not a person"):
        case.records.add(QuoteFields(text="Words", source=refs.person))
    with pytest.raises(InvalidInput, match="speaker must be a person or group, not a source"):
        case.records.add(QuoteFields(text="Words", source=refs.source, speaker=refs.source))
    with pytest.raises(InvalidInput, match="drone_strike"):
        case.records.add(AttackFields(title="A", attack_types=("drone_strike",)))
    with pytest.raises(InvalidInput, match="linked to itself"):
        LinkFields(subject=refs.group, relation=Relation.SIMILAR_TO, object=refs.group)
    with pytest.raises(NotFound):
        case.records.update(uuid4(), {"title": "x"})
    with pytest.raises(NotFound):
        case.records.delete(uuid4())


# -- 3. audit trail -------------------------------------------------------------------------


def test_audit_trail_of_one_record(case: Case) -> None:
    other = case.records.add(GroupFields(name="Unrelated"))
    source = case.records.add(
        SourceFields(title="Report", published=pd("2017-03"), language="en"),
        tags=["b", "A"],
    )

    created = case.history.entries(source.id)
    assert [e.action for e in created] == ["create"]
    assert created[0].kind == "source"
    assert created[0].label == "Report"
    assert created[0].record_id == source.id
    assert created[0].changes == {
        "title": [None, "Report"],
        "source_kind": [None, "article"],
        "published": [None, "2017-03"],
        "language": [None, "en"],
        "tags": [None, ["A", "b"]],
    }

    updated = case.records.update(source.id, {"published": pd("2017-03-22"), "language": "fr"})
    entries = case.history.entries(source.id)
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].changes == {
        "published": ["2017-03", "2017-03-22"],
        "language": ["en", "fr"],
    }
    assert assert_utc(updated.updated_at) > assert_utc(source.updated_at)
    assert updated.created_at == source.created_at

    # Setting what is already there is no change: no entry, no new timestamp.
    same = case.records.update(
        source.id,
        {"title": "Report", "published": pd("2017-03-22"), "language": "fr"},
        tags=["A", "b"],
        notes="",
    )
    assert same.updated_at == updated.updated_at
    assert case.records.get(source.id).updated_at == updated.updated_at
    assert len(case.history.entries(source.id)) == 2

    # Tags and notes are audited like fields.
    case.records.update(source.id, tags=["b", "c"], notes="Checked.")
    tag_entry = case.history.entries(source.id)[-1]
    assert tag_entry.action == "update"
    assert tag_entry.changes == {"tags": [["A", "b"], ["b", "c"]], "notes": ["", "Checked."]}

    # 0 and None (unknown) are different values: changing one into the other is audited.
    attack = case.records.add(AttackFields(title="Toll", killed=0))
    assert case.history.entries(attack.id)[0].changes["killed"] == [None, 0]
    case.records.update(attack.id, {"killed": None})
    assert case.history.entries(attack.id)[-1].changes == {"killed": [0, None]}

    case.records.delete(source.id)
    entries = case.history.entries(source.id)
    assert [e.action for e in entries] == ["create", "update", "update", "delete"]
    assert entries[-1].changes["title"] == ["Report", None]
    assert entries[-1].changes["published"] == ["2017-03-22", None]
    assert entries[-1].changes["tags"] == [["b", "c"], None]
    assert {e.record_id for e in entries} == {source.id}
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    for e in entries:
        assert_utc(e.at)

    # All entries, oldest first: the case's own creation, then each action in order.
    everything = case.history.entries()
    assert everything[0].action == "create"
    assert everything[0].kind == "case"
    assert everything[0].record_id == case.info().id
    assert [e.at for e in everything] == sorted(e.at for e in everything)
    assert [e.record_id for e in everything if e.action == "create"][1:] == [
        other.id,
        source.id,
        attack.id,
    ]
    assert case.history.entries(other.id)[0].changes == {
        "name": [None, "Unrelated"],
        "group_kind": [None, "other"],
    }
    assert case.history.entries(limit=2) == everything[-2:]


# -- 4. delete semantics --------------------------------------------------------------------


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
        LinkFields(subject=person.id, relation=Relation.CALLED_FOR, object=source.id)
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
        LinkFields(subject=person.id, relation=Relation.CALLED_FOR, object=source.id)
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
    assert changes.kinds == {Kind.SOURCE, Kind.QUOTE, Kind.DOCUMENT, Kind.LINK}
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
    untouched = case.records.add(AttackFields(title="Not claimed", killed=1))

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


# -- 5. documents -------------------------------------------------------------------------


def test_documents_store_bytes_once_and_give_them_back(case_path: Path) -> None:
    data = b"\x00\x01binary\xff" * 1000
    sha = hashlib.sha256(data).hexdigest()
    with open_case(case_path, backups=False) as case:
        source = case.records.add(SourceFields(title="S"))
        first = case.documents.attach(
            data, "scan.pdf", source=source.id, media_type="application/pdf", pages=["one", "two"]
        )
        second = case.documents.attach(data, "copy of scan.pdf", source=source.id)
        different = case.documents.attach(
            b"other bytes", "other.txt", source=source.id, media_type="text/plain"
        )
        assert first.fields.sha256 == second.fields.sha256 == sha
        assert first.fields.size == second.fields.size == len(data)
        assert different.fields.sha256 == hashlib.sha256(b"other bytes").hexdigest()
        assert blob_count(case) == 2
        assert case.check() == []
        create = case.history.entries(first.id)[0]
        assert create.action == "create"
        assert create.changes["sha256"] == [None, sha]
        assert create.changes["size"] == [None, len(data)]
        assert create.changes["source"] == [None, str(source.id)]

        with pytest.raises(InvalidInput):
            case.records.update(first.id, {"sha256": "0" * 64})
        with pytest.raises(InvalidInput):
            case.records.update(first.id, {"size": 1})
        renamed = case.records.update(first.id, {"file_name": "judgment.pdf"})
        assert renamed.fields.file_name == "judgment.pdf"
        assert renamed.fields.sha256 == sha
        with pytest.raises(InvalidInput):
            case.documents.attach(b"x", "x.bin", source=uuid4())
        assert case.info().counts[Kind.DOCUMENT] == 3
        assert blob_count(case) == 2

    with open_case(case_path, backups=False) as case:
        assert case.documents.content(first.id) == data
        assert case.documents.content(second.id) == data
        assert case.documents.content(different.id) == b"other bytes"
        assert case.documents.pages(first.id) == ["one", "two"]
        assert case.documents.pages(second.id) == []
        assert [d.id for d in case.records.documents_of(source.id)] == [
            first.id,
            second.id,
            different.id,
        ]
        assert case.records.get(second.id).fields.sha256 == sha
        assert case.check() == []
        with pytest.raises(NotFound):
            case.documents.content(uuid4())


def test_attach_new_bytes_without_a_source(case: Case) -> None:
    doc = case.documents.attach(b"loose bytes", "loose.bin")
    assert doc.fields.source is None
    assert case.documents.content(doc.id) == b"loose bytes"


# -- 6. resolve ---------------------------------------------------------------------------


def test_resolve_accepts_full_ids_and_unique_prefixes(case: Case) -> None:
    # 2,000 random IDs share some 4-digit prefixes (about 30 pairs are expected; the chance
    # of none is e^-30), which gives real ambiguous prefixes without choosing IDs by hand.
    ids = case.records.add_many([GroupFields(name=f"G{i}") for i in range(2000)])
    by_prefix: dict[str, list[UUID]] = {}
    for record_id in ids:
        by_prefix.setdefault(record_id.hex[:4], []).append(record_id)
    shared = sorted(p for p, found in by_prefix.items() if len(found) > 1)
    assert shared
    eights = [record_id.hex[:8] for record_id in ids]
    unique = [i for i, e in zip(ids, eights, strict=True) if eights.count(e) == 1]
    a, b = unique[0], unique[-1]

    assert case.records.resolve(str(a)) == a
    assert case.records.resolve(a.hex) == a
    assert case.records.resolve(str(a)[:8]) == a
    assert case.records.resolve(str(b)[:8].upper()) == b
    assert case.records.resolve(str(a)[:13]) == a  # prefix with a dash
    assert case.records.resolve(str(b)[:18].upper()) == b
    assert case.records.resolve(str(b).upper()) == b
    assert case.records.resolve(f"  {str(a)[:8]} ") == a

    with pytest.raises(InvalidInput, match="ambiguous") as ambiguous:
        case.records.resolve(shared[0])
    assert_one_line(ambiguous.value)
    with pytest.raises(InvalidInput, match="ambiguous"):
        case.records.resolve(shared[-1].upper())
    taken = {record_id.hex[:6] for record_id in ids}
    free = next(f"{n:06x}" for n in range(16**6) if f"{n:06x}" not in taken)
    with pytest.raises(NotFound) as unknown:
        case.records.resolve(free)
    assert_one_line(unknown.value)
    with pytest.raises(NotFound):
        case.records.resolve(str(uuid4()))
    for bad in ("zzzz", "not an id", "abc", f"{str(a)[:8]};", "abcd%", "abcd_", "", str(a) + "0"):
        with pytest.raises(InvalidInput) as exc:
            case.records.resolve(bad)
        assert_one_line(exc.value)


# -- 7. listing ---------------------------------------------------------------------------

TITLES = ("Bridge attack", "bridge attack", "Alpha", "alpha", "Zeta", "Ambush", "Émeute")


def _random_date(rng: random.Random) -> PartialDate | None:
    choice = rng.randrange(6)
    if choice < 2:
        return None
    year = rng.choice((2015, 2016))
    if choice == 1:
        return PartialDate(year)
    month = rng.choice((1, 2, 3))
    if choice == 2:
        return PartialDate(year, month)
    return PartialDate(year, month, rng.choice((1, 2, 15)))


def _random_attack(rng: random.Random, n: int) -> AttackFields:
    title = rng.choice(TITLES)
    return AttackFields(
        title=title if n % 3 else f"{title} {n}",
        date=_random_date(rng),
        killed=rng.choice((None, None, 0, 0, 1, 2, 10, 250)),
    )


def build_attacks(case: Case) -> list[Record[Any]]:
    """120 attacks: 100 from one bulk call (one shared created_at), 20 added one by one."""
    rng = random.Random(20170322)
    ids = case.records.add_many([_random_attack(rng, n) for n in range(100)])
    for n in range(100, 120):
        tags = ["Paged"] if n % 4 == 0 else []
        ids.append(case.records.add(_random_attack(rng, n), tags=tags).id)
    records = case.records.get_many(ids)
    assert len(records) == 120
    # More unknowns than one page holds: page boundaries fall inside the NULL block both
    # ascending (NULLs first) and descending (NULLs last).
    assert 25 < sum(r.fields.date is None for r in records) < 95
    assert 25 < sum(r.fields.killed is None for r in records) < 95
    return records


ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def nocase(text: str) -> str:
    """How names and titles sort: SQLite's NOCASE collation, which folds A-Z only."""
    return text.translate(ASCII_LOWER)


def expected_key(sort: str, record: Record[Any]) -> tuple[Any, ...]:
    if sort == "date":
        date: PartialDate | None = record.fields.date
        return (date is not None, date.sort_key() if date is not None else (), record.id)
    if sort == "killed":
        killed: int | None = record.fields.killed
        return (killed is not None, killed if killed is not None else 0, record.id)
    if sort == "title":
        return (nocase(record.fields.title), record.id)
    assert sort == "created"
    return (record.created_at, record.id)


def page_through(case: Case, query: ListQuery) -> tuple[list[UUID], int]:
    ids: list[UUID] = []
    after: Cursor | None = None
    pages = 0
    while True:
        page = case.listing.page(dataclasses.replace(query, after=after))
        pages += 1
        assert len(page.records) <= query.limit
        ids.extend(r.id for r in page.records)
        if page.next is None:
            return ids, pages
        assert len(page.records) == query.limit
        after = page.next
        assert pages < 50, "paging does not end"


@pytest.mark.parametrize("sort", ["date", "title", "killed", "created"])
@pytest.mark.slow
def test_keyset_paging_visits_every_record_once_in_order(case: Case, sort: str) -> None:
    records = build_attacks(case)
    ascending = [r.id for r in sorted(records, key=lambda r: expected_key(sort, r))]
    for descending, expected in ((False, ascending), (True, ascending[::-1])):
        query = ListQuery(Kind.ATTACK, sort=sort, descending=descending, limit=25)
        ids, pages = page_through(case, query)
        assert len(ids) == len(set(ids)) == 120
        assert ids == expected, f"sort={sort} descending={descending}"
        assert pages == 5
        assert case.listing.count(query) == len(ids)
        # A page size that divides the total exactly: no empty trailing page.
        exact, exact_pages = page_through(case, dataclasses.replace(query, limit=24))
        assert exact == expected
        assert exact_pages == 5


def test_default_sort_is_date_and_pages_carry_records(case: Case) -> None:
    records = build_attacks(case)
    page = case.listing.page(ListQuery(Kind.ATTACK, limit=200))
    assert page.next is None
    assert [r.id for r in page.records] == [
        r.id for r in sorted(records, key=lambda r: expected_key("date", r))
    ]
    by_id = {r.id: r for r in records}
    assert all(r == by_id[r.id] for r in page.records)
    with pytest.raises(InvalidInput):
        case.listing.page(ListQuery(Kind.ATTACK, sort="colour"))


def test_text_filter(case: Case) -> None:
    titles = [
        "Bridge attack",
        "Market 100% siege",
        "Market 1000 siege",
        "under_score",
        "underXscore",
        "back\\slash",
        "backXslash",
    ]
    for title in titles:
        case.records.add(AttackFields(title=title))
    case.records.add(AttackFields(title="Harbour", city="BRIDGETOWN"))
    john = case.records.add(PersonFields(name="John Smith", aliases=("Abu Example", "J.S.")))
    case.records.add(PersonFields(name="Jane Doe"))

    def matches(kind: Kind, text: str) -> list[str]:
        query = ListQuery(kind, text=text, limit=100, sort="title" if kind is Kind.ATTACK else None)
        labels = [r.label for r in case.listing.page(query).records]
        assert case.listing.count(query) == len(labels)
        return labels

    assert matches(Kind.ATTACK, "bridge") == ["Bridge attack", "Harbour"]
    assert matches(Kind.ATTACK, "  BRIDGE ATTACK ") == ["Bridge attack"]
    # Words match the start of words (from the search index), not any substring.
    assert matches(Kind.ATTACK, "100%") == ["Market 100% siege", "Market 1000 siege"]
    assert matches(Kind.ATTACK, "siege 1000") == ["Market 1000 siege"]
    assert matches(Kind.ATTACK, "%") == []  # no word typed: nothing is a match
    assert matches(Kind.ATTACK, "under_score") == ["under_score"]
    assert matches(Kind.ATTACK, "_") == []
    assert matches(Kind.ATTACK, "ridge") == []
    assert matches(Kind.ATTACK, "back\\slash") == ["back\\slash"]
    assert matches(Kind.ATTACK, "no such thing") == []
    assert matches(Kind.ATTACK, "") == sorted([*titles, "Harbour"], key=nocase)
    assert matches(Kind.PERSON, "abu EXAMPLE") == ["John Smith"]
    assert matches(Kind.PERSON, "j.s.") == ["John Smith"]
    assert matches(Kind.PERSON, "doe") == ["Jane Doe"]
    assert [r.id for r in case.listing.page(ListQuery(Kind.PERSON, text="abu")).records] == [
        john.id
    ]


def test_tag_filter(case: Case) -> None:
    records = build_attacks(case)
    tagged = {r.id for r in records if "Paged" in r.tags}
    assert len(tagged) == 5
    for text in ("Paged", "paged", "  PAGED "):
        query = ListQuery(Kind.ATTACK, tag=text, limit=2)
        ids, _pages = page_through(case, query)
        assert set(ids) == tagged
        assert len(ids) == 5
        assert case.listing.count(query) == 5
    assert case.listing.count(ListQuery(Kind.ATTACK, tag="pag")) == 0
    both = ListQuery(Kind.ATTACK, tag="paged", text="alpha", limit=100)
    expected = {r.id for r in records if r.id in tagged and "alpha" in r.fields.title.lower()}
    assert {r.id for r in case.listing.page(both).records} == expected
    assert case.listing.count(both) == len(expected)


DATED = (
    "2015",
    "2015-12",
    "2015-12-31",
    "2016",
    "2016-01",
    "2016-01-01",
    "2016-02-29",
    "2016-03",
    "2016-03-01",
    "2016-03-22",
    "2016-03-31",
    "2016-04",
    "2016-12",
    "2016-12-31",
    "2017",
    "2017-01-01",
)
BOUNDS = (None, "2015-12", "2016", "2016-03", "2016-03-01", "2016-03-22", "2016-12-31", "2017")


@pytest.mark.slow
def test_date_range_filters_select_dates_that_meet_the_range(case: Case) -> None:
    for edtf in DATED:
        case.records.add(AttackFields(title=edtf, date=pd(edtf)))
    case.records.add(AttackFields(title="undated"))

    def within(since: str | None, until: str | None) -> set[str]:
        query = ListQuery(
            Kind.ATTACK,
            since=None if since is None else pd(since),
            until=None if until is None else pd(until),
            limit=7,
        )
        ids, _pages = page_through(case, query)
        labels = {r.label for r in case.records.get_many(ids)}
        assert case.listing.count(query) == len(ids) == len(labels)
        return labels

    # The examples a person would check by hand.
    assert "2016" in within(None, "2016")
    assert "2016" in within("2016-03", None)  # it may have been in March or after
    assert "2016-03" in within("2016", "2016")
    assert within("2016", "2016") == {d for d in DATED if d.startswith("2016")}
    assert within("2016-03", "2016-03") == {
        "2016",
        "2016-03",
        "2016-03-01",
        "2016-03-22",
        "2016-03-31",
    }
    assert within("2016-03-22", "2016-03-22") == {"2016", "2016-03", "2016-03-22"}
    assert within("2016-03-01", None) >= {"2016", "2016-03", "2016-03-01"}
    assert "2016" in within(None, "2016-03")
    assert "undated" not in within(None, "2017")

    # Every combination against the rule: the days a date may be meet since..until.
    for since in BOUNDS:
        for until in BOUNDS:
            if since is None and until is None:
                continue
            low = None if since is None else pd(since).first_day()
            high = None if until is None else pd(until).last_day()
            if low and high and high < low:
                with pytest.raises(InvalidInput, match=r"the range ends .* before it starts"):
                    within(since, until)
                continue
            expected = {
                d
                for d in DATED
                if (low is None or pd(d).last_day() >= low)
                and (high is None or pd(d).first_day() <= high)
            }
            assert within(since, until) == expected, (since, until)

    with pytest.raises(InvalidInput):
        case.listing.page(ListQuery(Kind.GROUP, since=pd("2016")))


def test_date_range_filters_treat_circa_dates_like_their_plain_form(case: Case) -> None:
    for edtf in ("2015", "2015~", "2015-06", "2015-06~"):
        case.records.add(AttackFields(title=edtf, date=pd(edtf)))

    def within(since: str | None, until: str | None) -> set[str]:
        query = ListQuery(
            Kind.ATTACK,
            since=None if since is None else pd(since),
            until=None if until is None else pd(until),
            limit=10,
        )
        return {r.label for r in case.listing.page(query).records}

    # "c. 2015" is the year 2015, "c. June 2015" is June: they meet what 2015 and June do.
    assert within("2015-06", None) == {"2015", "2015~", "2015-06", "2015-06~"}
    assert within("2015-07", None) == {"2015", "2015~"}
    assert within(None, "2015-06") == {"2015", "2015~", "2015-06", "2015-06~"}
    assert within(None, "2015-06-10") == {"2015", "2015~", "2015-06", "2015-06~"}


def test_text_filter_finds_non_ascii_aliases(case: Case) -> None:
    case.records.add(PersonFields(name="Person one", aliases=("Abū Muḥammad",)))
    case.records.add(SourceFields(title="Report", authors=("Müller",)))
    assert case.listing.count(ListQuery(Kind.PERSON, text="Muḥammad")) == 1
    assert case.listing.count(ListQuery(Kind.SOURCE, text="Müller")) == 1


def test_text_filter_does_not_match_json_punctuation(case: Case) -> None:
    case.records.add(PersonFields(name="Plain name"))
    case.records.add(PersonFields(name="Other name", aliases=("Alias",)))
    assert case.listing.count(ListQuery(Kind.PERSON, text="[")) == 0
    assert case.listing.count(ListQuery(Kind.PERSON, text='"')) == 0


def test_text_filter_is_case_insensitive_beyond_ascii(case: Case) -> None:
    case.records.add(AttackFields(title="ÖZTÜRK bombing", city="İzmir"))
    assert case.listing.count(ListQuery(Kind.ATTACK, text="öztürk")) == 1
    assert case.listing.count(ListQuery(Kind.ATTACK, text="ÉMEUTE")) == 0
    case.records.add(AttackFields(title="Émeute"))
    assert case.listing.count(ListQuery(Kind.ATTACK, text="ÉMEUTE")) == 1


# -- tags ---------------------------------------------------------------------------------


def test_tags_are_shared_case_insensitively(case: Case) -> None:
    first = case.records.add(GroupFields(name="G1"), tags=["Claimed", " suspects ", ""])
    second = case.records.add(GroupFields(name="G2"), tags=["claimed"])
    both = case.records.add(GroupFields(name="G3"), tags=["CLAIMED", "claimed"])
    assert first.tags == ("Claimed", "suspects")
    assert case.records.get(first.id).tags == ("Claimed", "suspects")
    assert case.records.get(second.id).tags == ("Claimed",)  # the existing spelling is kept
    assert case.records.get(both.id).tags == ("Claimed",)
    assert case.listing.count(ListQuery(Kind.GROUP, tag="CLAIMED")) == 3
    cleared = case.records.update(first.id, tags=[])
    assert cleared.tags == ()
    assert case.records.get(first.id).tags == ()
    assert case.listing.count(ListQuery(Kind.GROUP, tag="claimed")) == 2
    renamed = case.records.update(second.id, tags=["claimed", "Suspects"])
    assert renamed.tags == ("Claimed", "suspects") == case.records.get(second.id).tags
    assert case.check() == []


def test_add_returns_the_tags_it_stored(case: Case) -> None:
    case.records.add(GroupFields(name="G1"), tags=["Claimed"])
    second = case.records.add(GroupFields(name="G2"), tags=["claimed", "CLAIMED"])
    assert case.records.get(second.id).tags == ("Claimed",)
    assert case.history.entries(second.id)[0].changes["tags"] == [None, ["Claimed"]]
    assert second.tags == ("Claimed",)


def test_add_returns_what_get_reads_back(case: Case) -> None:
    source = case.records.add(SourceFields(title="S", authors=(" A ", "A", "B")))
    person = case.records.add(PersonFields(name=" P ", roles=(PersonRole.VICTIM,) * 2))
    group = case.records.add(GroupFields(name="G"), tags=["x"], notes="  padded  ")
    quote = case.records.add(QuoteFields(text="  Some words  ", source=source.id))
    link = case.records.add(
        LinkFields(
            subject=person.id,
            relation=Relation.SUPPORTER_OF,
            object=group.id,
            citations=(quote.id, quote.id, source.id),
        )
    )
    attack = case.records.add(AttackFields(title="A", weapon_types=("vehicle", " vehicle")))
    for added in (source, person, group, quote, link, attack):
        assert case.records.get(added.id) == added
    assert source.fields.authors == ("A", "B")
    assert person.fields.roles == (PersonRole.VICTIM,)
    assert group.notes == "padded"
    assert quote.label == "“Some words”"
    assert link.label == "P — supporter of — G"
    assert link.fields.citations == (quote.id, source.id)
    assert attack.fields.weapon_types == ("vehicle",)


def test_a_non_ascii_tag_can_be_used_twice(case: Case) -> None:
    first = case.records.add(GroupFields(name="G1"), tags=["Ünal"])
    second = case.records.add(GroupFields(name="G2"), tags=["Ünal"])
    assert case.records.get(second.id).tags == case.records.get(first.id).tags == ("Ünal",)


def test_tag_filter_finds_a_non_ascii_tag(case: Case) -> None:
    case.records.add(GroupFields(name="G1"), tags=["Ünal"])
    assert case.listing.count(ListQuery(Kind.GROUP, tag="Ünal")) == 1


def test_tags_compare_with_unicode_case_folding(case: Case) -> None:
    first = case.records.add(GroupFields(name="G1"), tags=["Straße"])
    second = case.records.add(GroupFields(name="G2"), tags=["STRASSE", "ünal"])
    third = case.records.add(GroupFields(name="G3"), tags=["ÜNAL"])
    assert first.tags == ("Straße",)
    assert second.tags == ("Straße", "ünal") == case.records.get(second.id).tags
    assert third.tags == ("ünal",) == case.records.get(third.id).tags
    assert case.listing.count(ListQuery(Kind.GROUP, tag="strasse")) == 2
    assert case.listing.count(ListQuery(Kind.GROUP, tag="ÜNAL")) == 2
    with case.sessions.read() as s:
        assert int(s.scalar(select(func.count()).select_from(m.Tag)) or 0) == 2


# -- 8. bulk path -------------------------------------------------------------------------


@pytest.mark.slow
def test_add_many_stores_and_audits_every_record(case: Case) -> None:
    source = case.records.add(SourceFields(title="Big transcript"))
    person = case.records.add(PersonFields(name="Speaker"))
    items = [
        QuoteFields(
            text=f"Quote number {i}",
            source=source.id,
            speaker=person.id if i % 2 else None,
            page=i // 20 + 1,
            said=pd("2017-03") if i % 3 else None,
        )
        for i in range(1000)
    ]
    before = len(case.history.entries())

    ids = case.records.add_many(items)

    assert len(ids) == len(set(ids)) == 1000
    assert case.info().counts[Kind.QUOTE] == 1000
    assert case.listing.count(ListQuery(Kind.QUOTE)) == 1000
    assert len(case.records.quotes_of(source.id)) == 1000
    stored = case.records.get_many(ids)
    assert [r.id for r in stored] == ids
    assert [r.fields for r in stored] == items
    assert all(r.kind is Kind.QUOTE for r in stored)
    for r in stored[:3]:
        assert assert_utc(r.created_at) == r.updated_at
    entries = new_entries(case, before)
    assert len(entries) == 1000
    assert {e.action for e in entries} == {"create"}
    assert {e.kind for e in entries} == {"quote"}
    assert [e.record_id for e in entries] == ids
    assert len({e.action_id for e in entries}) == 1
    assert entries[1].changes == {
        "text": [None, "Quote number 1"],
        "source": [None, str(source.id)],
        "speaker": [None, str(person.id)],
        "page": [None, 1],
        "said": [None, "2017-03"],
    }
    assert case.check() == []


def test_add_many_checks_references_and_stores_nothing_on_error(case: Case) -> None:
    source = case.records.add(SourceFields(title="S"))
    person = case.records.add(PersonFields(name="P"))
    good = [QuoteFields(text=f"q{i}", source=source.id) for i in range(999)]
    before_counts = case.info().counts
    before_history = len(case.history.entries())
    bad_batches: list[list[AnyFields]] = [
        [*good[:500], QuoteFields(text="bad", source=uuid4()), *good[500:]],
        [*good, QuoteFields(text="bad", source=person.id)],
        [*good, QuoteFields(text="bad", source=source.id, speaker=source.id)],
        [*good, AttackFields(title="bad", attack_types=("nonsense",))],
        [*good, LinkFields(subject=person.id, relation=Relation.MEMBER_OF, object=uuid4())],
    ]
    for batch in bad_batches:
        with pytest.raises(InvalidInput) as exc:
            case.records.add_many(batch)
        assert_one_line(exc.value)
        assert case.info().counts == before_counts
        assert len(case.history.entries()) == before_history
    assert case.check() == []


def test_add_many_of_other_kinds_round_trips(case: Case) -> None:
    group = case.records.add(GroupFields(name="G"))
    items: list[AnyFields] = [
        AttackFields(
            title="Bulk attack",
            date=pd("2016-03~"),
            attack_types=("bombing",),
            killed=0,
            claimed_by=group.id,
            latitude=1.5,
            longitude=-2.5,
        ),
        PersonFields(name="Bulk person", aliases=("BP",), roles=(PersonRole.VICTIM,)),
        GroupFields(name="Bulk group", group_kind=GroupKind.MEDIA_OUTLET),
        SourceFields(title="Bulk source", authors=("A",), reliability=Reliability.E),
    ]
    ids = case.records.add_many(items)
    stored = case.records.get_many(ids)
    assert [r.fields for r in stored] == items
    assert [r.kind for r in stored] == [Kind.ATTACK, Kind.PERSON, Kind.GROUP, Kind.SOURCE]
    assert [r.label for r in stored] == ["Bulk attack", "Bulk person", "Bulk group", "Bulk source"]
    assert case.records.dependents(group.id).detached[0][0] == ids[0]


def test_add_many_of_nothing_is_a_no_op(case: Case) -> None:
    before = len(case.history.entries())
    assert case.records.add_many([]) == []
    assert len(case.history.entries()) == before


def test_add_many_audit_labels_match_add(case: Case) -> None:
    source = case.records.add(SourceFields(title="S"))
    text = "A long quotation " * 10
    single = case.records.add(QuoteFields(text=text, source=source.id))
    (bulk,) = case.records.add_many([QuoteFields(text=text, source=source.id)])
    assert case.history.entries(bulk)[0].label == case.history.entries(single.id)[0].label
    assert case.history.entries(bulk)[0].label == single.label
    assert case.records.get(bulk).label == single.label


def test_add_many_refuses_documents(case: Case) -> None:
    before = case.info().counts
    with pytest.raises(InvalidInput):
        case.records.add_many([DocumentFields(file_name="x.pdf", sha256="0" * 64, size=1)])
    assert case.info().counts == before


# -- 9. case description and vocabulary ---------------------------------------------------


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


def test_an_unknown_enum_value_is_invalid_input() -> None:
    with pytest.raises(InvalidInput) as exc:
        Relation.parse("bogus")
    assert_one_line(exc.value)
    assert "member_of" in str(exc.value)
    assert Relation.parse("Member of") is Relation.MEMBER_OF


def test_listing_refuses_a_zero_limit(case: Case) -> None:
    case.records.add(GroupFields(name="G"))
    with pytest.raises(InvalidInput):
        case.listing.page(ListQuery(Kind.GROUP, limit=0))


def test_timestamps_are_utc_now(case: Case) -> None:
    start = datetime.now(UTC)
    record = case.records.add(GroupFields(name="G"))
    end = datetime.now(UTC)
    assert start <= assert_utc(record.created_at) <= end
    assert record.created_at == record.updated_at


@pytest.mark.parametrize(
    "way",
    [
        {"KEEP_AT_MOST": 0, "KEYED_BELOW": 0},
        {"KEEP_AT_MOST": 0, "KEYED_BELOW": 10**9},
        {"WALK_AT_MOST": 0},
        {"WALK_AT_MOST": 30},
        {"SLOW_WALK_S": 0.0},
    ],
    ids=["walked", "walked by keys", "kept", "both", "kept after a slow walk"],
)
@pytest.mark.slow
def test_window_rows_are_the_rows_of_the_list_in_order(
    case: Case, way: dict[str, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table's random-access window agrees with keyset paging, from either end, for
    every kind of sort and filter (the window reads IDs without the shared-table join),
    whether a list filtered by words is walked each time (its matches listed, or each
    entry's key checked), read whole and kept, walked near its ends and kept for the
    middle, or kept once a walk proved slow; and counting on from anchors every few rows
    (NULL dates among them)."""
    for name, value in way.items():
        monkeypatch.setattr(listing, name, value)
    monkeypatch.setattr(listing, "STRIDE", 7)
    source = case.records.add(SourceFields(title="S")).id
    for i in range(90):
        case.records.add(
            QuoteFields(
                text=f"quote {i} {'alpha' if i % 3 else 'beta'}",
                source=source,
                said=None if i % 7 == 0 else PartialDate(2000 + i % 20, 1 + i % 12),
            ),
            tags=("odd",) if i % 2 else (),
        )
    queries = [
        ListQuery(Kind.QUOTE, sort=sort, descending=desc, text=text, tag=tag, since=since)
        for sort in ("said", "created", "updated")
        for desc in (False, True)
        for text, tag, since in (
            ("", "", None),
            ("alpha", "", None),
            ("", "odd", None),
            ("", "", PartialDate(2010)),
        )
    ]
    for q in queries:
        expected = [r.id for r in case.listing.page(replace(q, limit=500)).records]
        total = case.listing.count(q)
        assert total == len(expected), q
        got = [
            r.id
            for start in range(0, total, 17)
            for r in case.listing.window(q, start, 17, total).records
        ]
        assert got == expected, q


def test_a_list_whose_walk_proved_slow_is_kept(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    """Walking to a filtered list's first rows is chosen while the matches look spread
    through the index; a walk that took long says they are not, and the list is kept."""
    source = case.records.add(SourceFields(title="S")).id
    for i in range(30):
        case.records.add(QuoteFields(text=f"alpha {i}", source=source))
    q = ListQuery(Kind.QUOTE, text="alpha")
    total = case.listing.count(q)
    walks: list[bool] = []
    in_order = listing._in_order

    def noted(q: ListQuery, matching: listing.Matching = listing.Matching.LISTED) -> Any:
        walks.append(matching is not listing.Matching.LOOKED_UP)
        return in_order(q, matching)

    monkeypatch.setattr(listing, "_in_order", noted)
    case.listing.window(q, 0, 5, total)
    assert walks == [True]
    monkeypatch.setattr(listing, "SLOW_WALK_S", 0.0)  # every walk is slow from here
    case.listing.window(q, 0, 5, total)
    case.listing.window(q, 0, 5, total)
    assert walks == [True, True, False]  # read whole once, then sliced


def test_a_jump_past_the_middle_walks_from_the_end_when_anchors_stop_among_empty_dates(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anchors through rows without a date are found a row at a time: a jump past the
    middle does not walk them further when the end is nearer."""
    monkeypatch.setattr(listing, "STRIDE", 4)
    source = case.records.add(SourceFields(title="S")).id
    for i in range(40):
        said = PartialDate(2000 + i) if i >= 30 else None  # empty values sort first
        case.records.add(QuoteFields(text=f"q{i}", source=source, said=said))
    q = ListQuery(Kind.QUOTE, sort="said")
    total = case.listing.count(q)
    case.listing.window(q, 12, 4, total)  # anchors up to row 11, all without a date
    walked: list[int] = []
    anchor_before = listing.Listing._anchor_before

    def noted(self: listing.Listing, s: Any, q: ListQuery, position: int) -> Any:
        walked.append(position)
        return anchor_before(self, s, q, position)

    monkeypatch.setattr(listing.Listing, "_anchor_before", noted)
    window = case.listing.window(q, 24, 4, total)
    assert walked == []
    listed = [r.id for r in case.listing.page(replace(q, limit=100)).records]
    assert [r.id for r in window.records] == listed[24:28]


def test_a_kept_filtered_list_follows_every_change(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listing, "WALK_AT_MOST", 0)
    source = case.records.add(SourceFields(title="S")).id
    quotes = [case.records.add(QuoteFields(text=f"alpha {i}", source=source)).id for i in range(30)]
    q = ListQuery(Kind.QUOTE, text="alpha", sort="updated")

    def listed() -> list[UUID]:
        total = case.listing.count(q)
        return [r.id for r in case.listing.window(q, 0, 100, total).records]

    assert listed() == quotes
    added = case.records.add(QuoteFields(text="alpha again", source=source)).id
    assert listed() == [*quotes, added]
    case.records.update(quotes[0], {"text": "gamma"})
    assert listed() == [*quotes[1:], added]
    case.records.delete(quotes[1])
    assert listed() == [*quotes[2:], added]
    case.records.update(quotes[0], {"text": "alpha back"})
    assert listed() == [*quotes[2:], added, quotes[0]]


def test_anchors_in_a_long_list_follow_every_change(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listing, "STRIDE", 4)
    source = case.records.add(SourceFields(title="S")).id
    for i in range(40):
        case.records.add(QuoteFields(text=f"q{i}", source=source, said=PartialDate(2000 + i)))
    q = ListQuery(Kind.QUOTE, sort="said")

    def rows(start: int) -> list[str]:
        window = case.listing.window(q, start, 5, case.listing.count(q))
        return [r.fields.text for r in window.records]

    assert rows(13) == ["q13", "q14", "q15", "q16", "q17"]
    case.records.add(QuoteFields(text="first", source=source, said=PartialDate(1990)))
    assert rows(13) == ["q12", "q13", "q14", "q15", "q16"]
    [gone] = [
        r.id for r in case.listing.page(replace(q, limit=100)).records if r.fields.text == "q5"
    ]
    case.records.delete(gone)
    assert rows(13) == ["q13", "q14", "q15", "q16", "q17"]


def test_an_id_of_dashes_alone_is_not_a_prefix(case: Case) -> None:
    case.records.add(PersonFields(name="Only one"))
    for text in ("----", "-a-b-", "abc"):
        with pytest.raises(InvalidInput, match="not a record ID"):
            case.records.resolve(text)


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


def test_window_records_are_the_records_read_one_by_one(demo: Case) -> None:
    """A window reads its records as rows, not mapped objects: every field, tag, note,
    time and label (a link's from its ends, with its citations) is what ``get`` gives."""
    links = demo.listing.page(ListQuery(Kind.LINK, limit=500)).records
    link = next(r for r in links if r.fields.citations)
    demo.records.update(link.id, tags=["Zeta", "alpha", "Beta"], notes="Checked twice.")
    for kind in Kind:
        q = ListQuery(kind)
        total = demo.listing.count(q)
        window = demo.listing.window(q, 0, total or 1, total).records
        assert len(window) == total, kind
        assert window == demo.records.get_many([r.id for r in window]), kind
    [shown] = [
        r
        for r in demo.listing.window(ListQuery(Kind.LINK), 0, len(links), len(links)).records
        if r.id == link.id
    ]
    assert (shown.tags, shown.notes) == (("alpha", "Beta", "Zeta"), "Checked twice.")
    assert shown.fields.citations == link.fields.citations


def test_grades_show_their_code_and_what_it_means() -> None:
    """Analysts speak of "a B2 report": the detail pane and the CLI show the code with
    its meaning; other choices show their meaning alone."""
    assert display("reliability", Reliability.B, {}) == "B — Usually reliable"
    assert display("credibility", Credibility.PROBABLY_TRUE, {}) == "2 — Probably true"
    assert display("status", AttackStatus.CONFIRMED, {}) == "Confirmed"
