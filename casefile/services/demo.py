"""The demo case: the March 2017 Westminster attack, from one real analysis article.

Everything recorded here is what the article itself states; where a value is inferred
from the article's own wording (such as the date of "Wednesday's" attack), the record's
notes say so. The article ships with the package, so an installed Casefile can write the
demo without the source tree.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from casefile.domain.dates import PartialDate
from casefile.domain.figures import Figure
from casefile.domain.records import (
    AnyFields,
    AttackFields,
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
    GroupKind,
    PersonRole,
    PersonStatus,
    Probability,
    Relation,
    Reliability,
    SourceKind,
)
from casefile.services.audit import AuditLog
from casefile.services.case import Case, create_case
from casefile.services.record_service import NewRecord

ARTICLE_NAME = "westminster-2017-article.txt"
TITLE = "Westminster attack, March 2017"
SUMMARY = (
    "On Wednesday 22 March 2017 an attacker drove a car into pedestrians on Westminster "
    "Bridge, ran through the gates of the Palace of Westminster and stabbed a police officer "
    "before being shot dead by police. Three people were killed and dozens wounded. ISIS "
    "claimed the attack on 23 March 2017. The case places the attack among earlier calls by "
    "ISIS and AQAP for vehicle attacks in the West and earlier Islamist attacks in Britain, "
    "Brussels and at the Canadian Parliament."
)
DATE_NOTE = (
    "Date inferred: the article calls it 'Wednesday's terror attack' and was written the day "
    "after; its 'today marks the first anniversary of the Brussels attacks' dates it to "
    "March 2017."
)


def article_bytes() -> bytes:
    return files("casefile.resources").joinpath(ARTICLE_NAME).read_bytes()


def _id(key: str) -> UUID:
    """Stable IDs, so the demo case is the same file content on every machine."""
    return uuid5(NAMESPACE_URL, f"casefile-demo:{key}")


def d(text: str) -> PartialDate:
    return PartialDate.parse(text)


def demo_records() -> list[tuple[str, AnyFields, str]]:
    """(key, fields, notes) in an order where every reference points backwards."""
    source, isis, aqap = _id("source"), _id("isis"), _id("aqap")
    attack = _id("westminster")
    groups: list[tuple[str, AnyFields, str]] = [
        ("isis", GroupFields(name="ISIS", group_kind=GroupKind.MILITANT_GROUP), ""),
        (
            "aqap",
            GroupFields(
                name="AQAP",
                aliases=("al-Qaeda's Yemeni branch",),
                group_kind=GroupKind.MILITANT_GROUP,
                country="Yemen",
            ),
            "Ran an English-language magazine (2010).",
        ),
        ("alqaeda", GroupFields(name="al-Qaeda", group_kind=GroupKind.MILITANT_GROUP), ""),
        (
            "met",
            GroupFields(
                name="Metropolitan Police",
                group_kind=GroupKind.POLICE_FORCE,
                country="United Kingdom",
            ),
            "",
        ),
        (
            "mi5",
            GroupFields(
                name="MI5", group_kind=GroupKind.GOVERNMENT_AGENCY, country="United Kingdom"
            ),
            "",
        ),
    ]
    people: list[tuple[str, AnyFields, str]] = [
        (
            "katz",
            PersonFields(name="Rita Katz", roles=(PersonRole.RESEARCHER,)),
            "Terrorism researcher; reported ISIS sympathisers' reactions to the attack.",
        ),
        (
            "parker",
            PersonFields(name="Andrew Parker", roles=(PersonRole.OFFICIAL,), nationality="British"),
            "Director General of MI5. In November 2016 said there would be a successful "
            "attack in the UK at some stage.",
        ),
        (
            "rowley",
            PersonFields(name="Mark Rowley", roles=(PersonRole.OFFICIAL,), nationality="British"),
            "The UK's most senior counter-terrorism officer. In a speech in March 2017 said "
            "British security services had foiled 13 terrorist plots since 2013 and have 500 "
            "live counter-terror investigations at any one time.",
        ),
        (
            "attacker",
            PersonFields(
                name="Westminster attacker (unnamed in the source)",
                roles=(PersonRole.PERPETRATOR,),
                status=PersonStatus.DECEASED,
            ),
            "Shot dead by police. Police suspect he was inspired by international and "
            "Islamist-related terrorism.",
        ),
        (
            "ottawa_attacker",
            PersonFields(
                name="Canadian Parliament attacker (unnamed in the source)",
                roles=(PersonRole.PERPETRATOR,),
            ),
            "Made a video calling on the West to stop 'occupying and killing'.",
        ),
        (
            "bradford",
            PersonFields(
                name="Individual from Bradford (unnamed in the source)",
                roles=(PersonRole.PERPETRATOR,),
            ),
            "Travelled to Glasgow to murder an Ahmadi shopkeeper.",
        ),
    ]
    sources: list[tuple[str, AnyFields, str]] = [
        (
            "source",
            SourceFields(
                title="Police suspect the Westminster attacker was inspired by international "
                "and Islamist-related terrorism: context on the UK's jihadi threat",
                source_kind=SourceKind.ARTICLE,
                published=d("23 March 2017"),
                language="en",
                reliability=Reliability.F,
            ),
            "Publisher and author are not named in the stored text, so reliability cannot be "
            "judged yet (F). Publication date inferred from 'Wednesday's terror attack' and "
            "the update line 'On 23 March 2017, ISIS claimed this attack'.",
        )
    ]
    attacks: list[tuple[str, AnyFields, str]] = [
        (
            "westminster",
            AttackFields(
                title="Westminster attack",
                date=d("Wednesday, 22 March 2017"),
                location="Westminster Bridge and the Palace of Westminster",
                city="London",
                country="United Kingdom",
                attack_types=("armed_assault",),
                weapon_types=("vehicle", "melee"),
                target_types=("private_citizens", "police", "government"),
                killed=Figure.exactly(3),
                wounded=Figure(24, None, "dozens"),  # as the article says it
                perpetrators_killed=Figure.exactly(1),
                claimed=Claimed.YES,
                claimed_by=isis,
                claim_date=d("23 March 2017"),
                status=AttackStatus.CONFIRMED,
                summary="The perpetrator rammed into pedestrians on Westminster Bridge in a "
                "car, ran through the gates and stabbed a policeman. Three people were "
                "killed, including a police officer, and dozens wounded. The attacker was "
                "shot dead by police.",
            ),
            DATE_NOTE + " Wounded: the article says 'dozens', read as at least 24.",
        ),
        (
            "brussels",
            AttackFields(
                title="Brussels attacks",
                date=d("March 2016"),
                location="An airport and a metro station",
                city="Brussels",
                country="Belgium",
                target_types=("airports_aircraft", "transportation"),
            ),
            "The article, written in March 2017, marks their first anniversary; the day is "
            "kept at month precision.",
        ),
        (
            "ottawa",
            AttackFields(
                title="Attack on the Canadian Parliament",
                date=d("October 2014"),
                location="Canadian Parliament",
                country="Canada",
                target_types=("government",),
            ),
            "",
        ),
        (
            "glasgow",
            AttackFields(
                title="Murder of an Ahmadi shopkeeper in Glasgow",
                date=d("March 2016"),
                city="Glasgow",
                country="United Kingdom",
                target_types=("business", "religious"),
                killed=Figure.exactly(1),
                summary="An individual from Bradford travelled to Glasgow to murder an Ahmadi "
                "shopkeeper for supposed blasphemy.",
            ),
            "",
        ),
        (
            "sufi",
            AttackFields(
                title="Murder of a Sufi leader",
                date=d("February 2016"),
                country="United Kingdom",
                target_types=("religious",),
                killed=Figure.exactly(1),
                summary="A Sufi leader was murdered by two ISIS supporters for supposedly "
                "practising black magic.",
            ),
            "Country as the article implies: it lists this among Islamist attacks in Britain.",
        ),
    ]

    def quote(
        key: str, text: str, speaker: UUID, said: str | None, context: str
    ) -> tuple[str, AnyFields, str]:
        fields = QuoteFields(
            text=text,
            source=source,
            speaker=speaker,
            page=1,
            said=d(said) if said else None,
            language="en",
            context=context,
        )
        return key, fields, ""

    quotes = [
        quote(
            "q_blood",
            "blood with blood",
            isis,
            "March 2017",
            "ISIS sympathisers praising the Westminster attack, citing British involvement in "
            "the offensive to retake Mosul; reported by terrorism researcher Rita Katz.",
        ),
        quote(
            "q_mowing",
            "mowing machine... to mow down the enemies of Allah.",
            aqap,
            "2010",
            "AQAP's English-language magazine, describing the pick-up truck.",
        ),
        quote(
            "q_run_over",
            "run [the enemy] over in your car.",
            isis,
            "September 2014",
            "Statement calling on the group's supporters in the West.",
        ),
        quote(
            "q_paris",
            "If it was Paris yesterday, and today in Brussels, Allah knows where "
            "it will be tomorrow. Maybe it will be in London or Berlin or Rome.",
            isis,
            "April 2016",
            "ISIS propaganda video.",
        ),
        quote(
            "q_means",
            "whatever means they can.",
            isis,
            None,
            "ISIS calling on its supporters in the West to carry out attacks.",
        ),
        quote(
            "q_ottawa",
            "stop occupying and killing the righteous of us who are trying to "
            "bring back religious law in our countries.",
            _id("ottawa_attacker"),
            "October 2014",
            "Video made by the attacker on the Canadian Parliament.",
        ),
    ]

    def link(
        subject: str,
        relation: Relation,
        obj: str,
        *,
        confidence: Confidence | None = None,
        cites: tuple[str, ...] = ("source",),
    ) -> tuple[str, AnyFields, str]:
        fields = LinkFields(
            subject=_id(subject),
            relation=relation,
            object=_id(obj),
            confidence=confidence,
            citations=tuple(_id(c) for c in cites),
        )
        return f"link:{subject}:{relation.value}:{obj}", fields, ""

    links = [
        link("attacker", Relation.CARRIED_OUT, "westminster", confidence=Confidence.CONFIRMED),
        link("isis", Relation.CLAIMED, "westminster", confidence=Confidence.CONFIRMED),
        link("met", Relation.INVESTIGATED, "westminster"),
        link("parker", Relation.LEADER_OF, "mi5", confidence=Confidence.CONFIRMED),
        link("aqap", Relation.AFFILIATE_OF, "alqaeda", confidence=Confidence.CONFIRMED),
        link("ottawa_attacker", Relation.CARRIED_OUT, "ottawa", cites=("source", "q_ottawa")),
        link("bradford", Relation.CARRIED_OUT, "glasgow"),
        link("sufi", Relation.INSPIRED_BY, "isis", confidence=Confidence.PROBABLE),
        link(
            "isis",
            Relation.CALLED_FOR,
            "brussels",
            confidence=Confidence.POSSIBLE,
            cites=("q_paris",),
        ),
    ]
    del attack

    def reported(
        key: str, fact: str, value: str, said: str, *, assessed: str = "", **more: Any
    ) -> tuple[str, AnyFields, str]:
        fields = ReportFields(
            record=_id("westminster"),
            fact=fact,
            value=value,
            source=source,
            page=1,
            reported=d("23 March 2017"),
            assessed=bool(assessed),
            reason=assessed,
            **more,
        )
        return f"report:{key}", fields, f"The article: “{said}”"

    reports = [
        reported("killed", "killed", "3", "The assault killed three people"),
        reported("wounded", "wounded", "dozens (at least 24)", "and wounded dozens"),
        reported("dead_attacker", "perpetrators_killed", "1", "The attacker was shot dead"),
        reported("not_claimed", "claimed", "no", "No group has claimed the attack"),
        reported(
            "claimed",
            "claimed",
            "yes",
            "On 23 March 2017, ISIS claimed this attack.",
            assessed="The update line was added after the body, which was written before the "
            "claim.",
        ),
        reported(
            "claimant",
            "claimed_by",
            str(isis),
            "On 23 March 2017, ISIS claimed this attack.",
            claim_mode=ClaimMode.UNKNOWN,  # the article does not say how
        ),
        reported("claim_date", "claim_date", "2017-03-23", "On 23 March 2017, ISIS claimed"),
    ]
    judgements = [
        (
            "judgement:inspired",
            JudgementFields(
                statement="The Westminster attacker was likely inspired by ISIS's calls on its "
                "supporters in the West to attack with vehicles and knives.",
                probability=Probability.LIKELY,
                confidence=AnalyticConfidence.LOW,
                basis="One ungraded article (F); ISIS's calls of 2014 and 2016 and its claim "
                "match the method, but nothing from the attacker himself is recorded.",
                rests_on=(_id("q_run_over"), _id("q_means"), _id("report:claimant")),
                concerns=(_id("westminster"), _id("attacker"), isis),
                made=d("23 March 2017"),
            ),
            "An example judgement, phrased on the PHIA probability yardstick.",
        )
    ]
    return [*groups, *people, *sources, *attacks, *quotes, *links, *reports, *judgements]


def write_demo_case(path: Path | str) -> Case:
    """Write the demo case to ``path`` (which must not exist yet) in one action."""
    case = create_case(path, title=TITLE)
    try:
        case.describe(summary=SUMMARY)
        with case.sessions.write() as s:
            audit = AuditLog(s)
            new = [
                NewRecord(fields, tags=("demo",), notes=notes, record_id=_id(key))
                for key, fields, notes in demo_records()
            ]
            case.records.insert(s, audit, new)
            case.documents.attach_in(
                s,
                audit,
                article_bytes(),
                ARTICLE_NAME,
                source=_id("source"),
                media_type="text/plain; charset=utf-8",
                pages=[article_bytes().decode("utf-8")],
            )
    except BaseException:
        case.close()
        Path(path).unlink(missing_ok=True)
        raise
    return case
