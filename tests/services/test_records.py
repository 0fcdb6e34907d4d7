"""Records end to end on real case files: round trips, validation, the audit trail,
ID resolution, tags and the bulk path."""

from __future__ import annotations

import dataclasses
import gc
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select

from casefile.db import models as m
from casefile.domain.errors import InvalidInput, NotFound
from casefile.domain.figures import Figure
from casefile.domain.records import (
    AnyFields,
    AttackFields,
    DocumentFields,
    GroupFields,
    JudgementFields,
    LinkFields,
    PersonFields,
    QuoteFields,
    ReportFields,
    SourceFields,
)
from casefile.domain.terms import (
    AnalyticConfidence,
    AttackStatus,
    Claimed,
    ClaimMode,
    Confidence,
    Credibility,
    GroupKind,
    Kind,
    PersonRole,
    PersonStatus,
    Probability,
    Relation,
    Reliability,
    SourceKind,
)
from casefile.services import references
from casefile.services.audit import AuditLog
from casefile.services.case import Case, open_case
from casefile.services.list_query import ListQuery
from tests.conftest import pd
from tests.services.record_checks import assert_one_line, assert_utc, new_entries


def assert_every_field_set(fields: AnyFields) -> None:
    """Guard for the round trip: a field left at its default would prove nothing."""
    for f in dataclasses.fields(fields):
        if f.default is not dataclasses.MISSING:
            assert getattr(fields, f.name) != f.default, f"{type(fields).__name__}.{f.name}"


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
    origin = w.add(
        "origin", SourceFields(title="Transcript of the hearing"), [], "", complete=False
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
            derived_from=origin,
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
    attack = w.add(
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
            killed=Figure.exactly(4),
            wounded=Figure.exactly(0),
            perpetrators_killed=Figure.exactly(1),
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
            killed=Figure.exactly(0),
            wounded=Figure(24, None, "dozens"),
            perpetrators_killed=Figure(0, 2),
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
            at=3723,
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
    quote_by_group = w.add(
        "quote_by_group",
        QuoteFields(
            text="The operation was carried out by a soldier.",
            source=source,
            document=doc.id,
            speaker=group,
            page=1,
            paragraph=1,
            at=0,  # the first second: a time, not none
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
    link = w.add(
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
    report = w.add(
        "report",
        ReportFields(
            record=attack,
            fact="claimed_by",
            value=str(group),
            source=source,
            quote=quote_by_group,
            page=1,
            reported=pd("2017-03-23"),
            claim_mode=ClaimMode.ONLINE,
            assessed=True,
            reason="The group's own channel.",
        ),
        ["reports"],
        "A report note.",
    )
    later = w.add(
        "later",
        JudgementFields(statement="A later view.", probability=Probability.UNLIKELY),
        [],
        "",
        complete=False,
    )
    w.add(
        "judgement",
        JudgementFields(
            statement="The group directed the attack.",
            probability=Probability.REALISTIC_POSSIBILITY,
            confidence=AnalyticConfidence.MODERATE,
            basis="Its own claim, and a member's words before it.",
            rests_on=(quote_by_group, report, link),
            concerns=(attack, group),
            made=pd("2017-04"),
            superseded_by=later,
        ),
        ["judgements"],
        "A judgement note.",
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
            Kind.SOURCE: 2,
            Kind.DOCUMENT: 1,
            Kind.QUOTE: 2,
            Kind.LINK: 1,
            Kind.REPORT: 1,
            Kind.JUDGEMENT: 2,
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
        assert first.wounded == Figure.exactly(0)
        assert other.killed == Figure.exactly(0)
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
    with pytest.raises(InvalidInput) as exc:  # typed against itself (sources may disagree)
        case.records.add(AttackFields(title="B", claimed=Claimed.NO, claim_method="video"))
    assert_one_line(exc.value)
    with pytest.raises(InvalidInput):
        case.records.update(attack.id, {"claimed": Claimed.NO})
    assert case.records.get(attack.id).fields.claimed is Claimed.YES


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
        AttackFields(
            title="An attack",
            date=pd("2016-03"),
            killed=Figure.exactly(2),
            latitude=1.0,
            longitude=2.0,
        )
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
    "negative killed": lambda r: r.case.records.add(
        AttackFields(title="A", killed=Figure.exactly(-1))
    ),
    "negative wounded": lambda r: r.case.records.add(AttackFields(title="A", wounded=Figure(3, 2))),
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
    "an attack member of a group": lambda r: r.case.records.add(
        LinkFields(subject=r.attack, relation=Relation.MEMBER_OF, object=r.group)
    ),
    "a person similar to a group": lambda r: r.case.records.add(
        LinkFields(subject=r.person, relation=Relation.SIMILAR_TO, object=r.group)
    ),
    "update: relation that does not fit its ends": lambda r: r.case.records.update(
        r.link, {"relation": Relation.CARRIED_OUT}
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
    "quote at a negative time": lambda r: r.case.records.add(
        QuoteFields(text="Words", source=r.source, at=-1)
    ),
    "document added as a record": lambda r: r.case.records.add(
        DocumentFields(file_name="x.pdf", sha256="0" * 64, size=1)
    ),
    "update: range ending below its start": lambda r: r.case.records.update(
        r.attack, {"killed": Figure(5, 1)}
    ),
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


def test_a_relation_must_fit_the_kinds_it_joins(refs: Refs) -> None:
    """An attack is not "member of" a group; a person is. The reason names both."""
    with pytest.raises(InvalidInput) as refused:
        refs.case.records.add(
            LinkFields(subject=refs.attack, relation=Relation.MEMBER_OF, object=refs.group)
        )
    assert str(refused.value) == (
        "an attack cannot be linked to a group as “member of”: "
        "it links a person or group to a group"
    )
    fits = refs.case.records.add(
        LinkFields(subject=refs.person, relation=Relation.MEMBER_OF, object=refs.group)
    )
    assert fits.fields.relation is Relation.MEMBER_OF
    with pytest.raises(InvalidInput, match="two records of one kind"):
        refs.case.records.add(
            LinkFields(subject=refs.attack, relation=Relation.SIMILAR_TO, object=refs.group)
        )
    earlier = refs.case.records.add(SourceFields(title="An earlier manifesto")).id
    for subject, relation, obj in (  # what investigators record, all accepted
        (refs.source, Relation.INSPIRED_BY, earlier),  # one manifesto inspired by another
        (refs.quote, Relation.TARGETED, refs.person),  # a hit list
        (refs.group, Relation.INVESTIGATED, refs.source),  # police and a video
        (refs.person, Relation.SUPPORTER_OF, refs.attack),  # praised it
        (refs.quote, Relation.CALLED_FOR, refs.attack),
    ):
        refs.case.records.add(LinkFields(subject=subject, relation=relation, object=obj))


def test_a_link_written_before_the_relation_rule_stays_editable_and_restorable(
    refs: Refs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A case made before the rule may hold a link it refuses: its tags, notes and
    citations stay editable, deleting what it cites or what it joins works and can be
    undone; only a new relation or new ends are checked."""
    case = refs.case
    with monkeypatch.context() as before_the_rule:
        before_the_rule.setattr(references, "link_misfit", lambda *_ends: None)
        old = case.records.add(
            LinkFields(
                subject=refs.attack,
                relation=Relation.MEMBER_OF,
                object=refs.group,
                citations=(refs.source,),
            )
        )
    case.records.update(old.id, tags=["legacy"], notes="from an older Casefile")
    case.records.update(old.id, {"confidence": Confidence.POSSIBLE})
    case.records.restore(case.records.delete(refs.quote))  # the source's quote, not cited
    deleted = case.records.delete(refs.source)  # it cites the source: detached, then back
    case.records.restore(deleted)
    assert case.records.get(old.id).fields.citations == (refs.source,)
    gone = case.records.delete(refs.attack)  # takes the link with it
    case.records.restore(gone)
    assert case.records.get(old.id).fields.relation is Relation.MEMBER_OF
    with pytest.raises(InvalidInput, match="cannot be linked to"):
        case.records.update(old.id, {"object": refs.person})


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


def test_audit_trail_of_one_record(case: Case) -> None:
    other = case.records.add(GroupFields(name="Unrelated"))
    source = case.records.add(
        SourceFields(title="Report", published=pd("2017-03"), language="en"), tags=["b", "A"]
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
    assert entries[1].changes == {"published": ["2017-03", "2017-03-22"], "language": ["en", "fr"]}
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
    attack = case.records.add(AttackFields(title="Toll", killed=Figure.exactly(0)))
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


def test_a_creation_shows_what_the_record_was_made_with_after_edits_and_deletes(
    case: Case,
) -> None:
    """A creation keeps no values of its own: they are read back from the record and the
    events after it, and read the same however the record changed since, once it is
    deleted, and once an undone delete brings it back."""
    group = case.records.add(GroupFields(name="Cell"))
    attack = case.records.add(
        AttackFields(
            title="Toll",
            date=pd("2017-03-22"),
            killed=Figure.exactly(3),
            wounded=Figure(low=24, high=None, words="dozens"),
            attack_types=("armed_assault",),
            claimed=Claimed.YES,
            claimed_by=group.id,
        ),
        tags=["b", "A"],
        notes="First.",
    )
    made = {
        "title": [None, "Toll"],
        "date": [None, "2017-03-22"],
        "attack_types": [None, ["armed_assault"]],
        "killed": [None, 3],
        "wounded": [
            None,
            {"said": "dozens (at least 24)", "low": 24, "high": None, "words": "dozens"},
        ],
        "claimed": [None, "yes"],
        "claimed_by": [None, str(group.id)],
        "status": [None, "confirmed"],
        "tags": [None, ["A", "b"]],
        "notes": [None, "First."],
    }
    assert case.history.entries(attack.id)[0].changes == made
    with case.sessions.read() as s:  # nothing kept twice (the case's own title is kept)
        creations = select(m.AuditEvent.changes).where(m.AuditEvent.action == "create")
        assert set(s.scalars(creations.where(m.AuditEvent.kind != "case"))) == {None}

    case.records.update(
        attack.id, {"title": "Renamed", "killed": None, "city": "London"}, tags=["c"], notes=""
    )
    case.records.update(attack.id, {"title": "Again", "date": pd("2017")})
    case.records.delete(group.id)  # the attack is no longer claimed by it: an update
    assert case.history.entries(attack.id)[0].changes == made

    deletion = case.records.delete(attack.id)
    assert case.history.entries(attack.id)[0].changes == made
    case.records.restore(deletion)
    entries = case.history.entries(attack.id)
    assert [e.action for e in entries] == [
        "create",
        "update",
        "update",
        "update",
        "delete",
        "restore",
    ]
    assert entries[0].changes == made
    assert entries[-1].changes == {n: [None, old] for n, (old, _) in entries[-2].changes.items()}
    case.records.update(attack.id, {"summary": "Back again."})
    assert case.history.entries(attack.id)[0].changes == made
    assert case.history.entries(limit=2) == case.history.entries()[-2:]
    assert case.history.entries()[-3:] == case.history.entries(limit=3)


def test_a_creation_reads_only_the_record_s_own_values_back(case: Case) -> None:
    """An update may say more than fields (a document's text read again in another
    encoding): what is not a field, a tag or the notes is not what it was created with."""
    source = case.records.add(SourceFields(title="Report"))
    document = case.documents.attach(b"text", "report.txt", source=source.id, pages=["text"])
    made = case.history.entries(document.id)[0].changes
    with case.sessions.write() as s:
        AuditLog(s).record(
            "update", document.id, "document", "report.txt", {"text": ["1 page", "2 pages"]}
        )
    assert case.history.entries(document.id)[0].changes == made
    assert "text" not in made


def test_an_insert_leaves_the_cycle_collector_as_it_found_it(case: Case) -> None:
    """The bulk path pauses Python's cycle collector while it builds its rows: on again
    after, a failed insert too, and left off where it was off."""
    assert gc.isenabled()
    case.records.add_many([PersonFields(name="Collected")])
    assert gc.isenabled()
    with pytest.raises(InvalidInput):
        case.records.add_many([QuoteFields(text="Nowhere", source=uuid4())])
    assert gc.isenabled()
    gc.disable()
    try:
        case.records.add(PersonFields(name="Not collected"))
        assert not gc.isenabled()
    finally:
        gc.enable()


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
            killed=Figure.exactly(0),
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


def test_an_unknown_enum_value_is_invalid_input() -> None:
    with pytest.raises(InvalidInput) as exc:
        Relation.parse("bogus")
    assert_one_line(exc.value)
    assert "member_of" in str(exc.value)
    assert Relation.parse("Member of") is Relation.MEMBER_OF


def test_timestamps_are_utc_now(case: Case) -> None:
    start = datetime.now(UTC)
    record = case.records.add(GroupFields(name="G"))
    end = datetime.now(UTC)
    assert start <= assert_utc(record.created_at) <= end
    assert record.created_at == record.updated_at


def test_an_id_of_dashes_alone_is_not_a_prefix(case: Case) -> None:
    case.records.add(PersonFields(name="Only one"))
    for text in ("----", "-a-b-", "abc"):
        with pytest.raises(InvalidInput, match="not a record ID"):
            case.records.resolve(text)


def test_a_quotes_time_is_stored_audited_undone_and_restored(case: Case) -> None:
    """The time into a recording goes through the record service like every other field
    of a quote: in the audit trail, back by the update an undo makes, kept by a restore."""
    source = case.records.add(SourceFields(title="Statement video")).id
    quote = case.records.add(QuoteFields(text="Blood with blood.", source=source, at=62))
    assert case.records.get(quote.id).fields.at == 62
    assert case.history.entries(quote.id)[0].changes["at"] == [None, 62]

    before = case.records.get(quote.id)
    case.records.update(quote.id, {"at": 3723})
    assert case.history.entries(quote.id)[-1].changes == {"at": [62, 3723]}
    undone = {f.name: getattr(before.fields, f.name) for f in dataclasses.fields(QuoteFields)}
    case.records.update(quote.id, undone)  # what the window's undo does
    assert case.records.get(quote.id).fields.at == 62
    assert case.history.entries(quote.id)[-1].changes == {"at": [3723, 62]}

    case.records.restore(case.records.delete(quote.id))
    assert case.records.get(quote.id).fields.at == 62
