"""The fixed vocabularies of a case: record kinds, roles, grades and relations.

They are enums rather than free text so that two investigators (and the PDF pack, and
search filters) mean the same thing by "B" or "perpetrator". Attack, weapon and target
types are different: they follow the Global Terrorism Database codebook but a case may add
its own values, so they live in the case file (table ``vocabulary_term``) and only their
built-in seed is defined here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from casefile.domain.errors import InvalidInput


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry a human label (and optionally an explanation)."""

    label: str
    explanation: str

    def __new__(cls, value: str, label: str, explanation: str = "") -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.explanation = explanation
        return member

    @classmethod
    def parse(cls, text: str) -> Self:
        """Accept the stored value or the label, case-insensitively, with one clear error."""
        wanted = text.strip().lower().replace("-", "_").replace(" ", "_")
        for member in cls:
            if wanted in (member.value.lower(), member.label.lower().replace(" ", "_")):
                return member
        choices = ", ".join(m.value for m in cls)
        raise InvalidInput(f"'{text}' is not a valid {cls.noun()} (choose from: {choices})")

    @classmethod
    def noun(cls) -> str:
        return "".join(f" {c.lower()}" if c.isupper() else c for c in cls.__name__).strip()


class Kind(LabelledEnum):
    ATTACK = "attack", "Attack"
    PERSON = "person", "Person"
    GROUP = "group", "Group"
    SOURCE = "source", "Source"
    DOCUMENT = "document", "Document"
    QUOTE = "quote", "Quote"
    LINK = "link", "Link"
    REPORT = "report", "Reported value"
    JUDGEMENT = "judgement", "Key judgement"

    @property
    def singular(self) -> str:
        """How a sentence names one: 'a reported value', 'an attack'."""
        return "reported value" if self is Kind.REPORT else self.value

    @property
    def plural(self) -> str:
        return "people" if self is Kind.PERSON else self.singular + "s"


class PersonRole(LabelledEnum):
    PERPETRATOR = "perpetrator", "Perpetrator"
    SUSPECT = "suspect", "Suspect"
    VICTIM = "victim", "Victim"
    OFFICIAL = "official", "Official"
    RESEARCHER = "researcher", "Researcher"
    SPOKESPERSON = "spokesperson", "Spokesperson"
    OTHER = "other", "Other"


class PersonStatus(LabelledEnum):
    UNKNOWN = "unknown", "Unknown"
    ALIVE = "alive", "Alive"
    DECEASED = "deceased", "Deceased"
    DETAINED = "detained", "Detained"


class GroupKind(LabelledEnum):
    MILITANT_GROUP = "militant_group", "Militant group"
    GOVERNMENT_AGENCY = "government_agency", "Government agency"
    POLICE_FORCE = "police_force", "Police force"
    MEDIA_OUTLET = "media_outlet", "Media outlet"
    RESEARCH_ORGANISATION = "research_organisation", "Research organisation"
    OTHER = "other", "Other"


class SourceKind(LabelledEnum):
    ARTICLE = "article", "Article"
    REPORT = "report", "Report"
    OFFICIAL_STATEMENT = "official_statement", "Official statement"
    SOCIAL_MEDIA_POST = "social_media_post", "Social media post"
    COURT_RECORD = "court_record", "Court record"
    VIDEO = "video", "Video"
    INTERVIEW = "interview", "Interview"
    DATASET = "dataset", "Dataset"
    OTHER = "other", "Other"


class Reliability(LabelledEnum):
    """Source reliability on the Admiralty (NATO STANAG 2511) scale."""

    A = "A", "Completely reliable", "No doubt of authenticity, trustworthiness or competency"
    B = "B", "Usually reliable", "Minor doubt; a history of valid information most of the time"
    C = "C", "Fairly reliable", "Doubt; has provided valid information in the past"
    D = "D", "Not usually reliable", "Significant doubt; provided valid information in the past"
    E = "E", "Unreliable", "Lacking authenticity, trustworthiness and competency"
    F = "F", "Reliability cannot be judged", "No basis exists for evaluating reliability"


class Credibility(LabelledEnum):
    """Information credibility on the Admiralty scale."""

    CONFIRMED = "1", "Confirmed by other sources", "Confirmed by independent sources"
    PROBABLY_TRUE = (
        "2",
        "Probably true",
        "Not confirmed; logical and consistent with other information",
    )
    POSSIBLY_TRUE = (
        "3",
        "Possibly true",
        "Not confirmed; reasonably logical, agrees with some information",
    )
    DOUBTFUL = "4", "Doubtful", "Not confirmed; possible but not logical, no other information"
    IMPROBABLE = (
        "5",
        "Improbable",
        "Not confirmed; not logical and contradicted by other information",
    )
    CANNOT_JUDGE = "6", "Truth cannot be judged", "No basis exists for evaluating validity"


def grade_rank(reliability: Reliability | None, credibility: Credibility | None) -> tuple[int, int]:
    """How good a grade is, smaller first: A1, A2... B1...; a half not given counts as
    the worst of its scale."""
    return (
        "ABCDEF".index(reliability.value) if reliability else 6,
        int(credibility.value) if credibility else 7,
    )


class DuplicateVerdict(LabelledEnum):
    """What the analyst made of two sources found to be near-duplicates."""

    SUGGESTED = "suggested", "Found at import, not yet checked"
    CONFIRMED = "confirmed", "Confirmed: one story"
    REJECTED = "rejected", "Rejected: independent"


class Claimed(LabelledEnum):
    UNKNOWN = "unknown", "Unknown"
    YES = "yes", "Yes"
    NO = "no", "No"


class AttackStatus(LabelledEnum):
    CONFIRMED = "confirmed", "Confirmed"
    SUSPECTED = "suspected", "Suspected"
    DISPUTED = "disputed", "Disputed"


class Confidence(LabelledEnum):
    CONFIRMED = "confirmed", "Confirmed"
    PROBABLE = "probable", "Probable"
    POSSIBLE = "possible", "Possible"
    DOUBTFUL = "doubtful", "Doubtful"


class ClaimMode(LabelledEnum):
    """How a claim was made, after the GTD codebook's claim modes."""

    LETTER = "letter", "Letter"
    CALL_BEFORE = "call_before", "Call (before the attack)"
    CALL_AFTER = "call_after", "Call (after the attack)"
    EMAIL = "email", "E-mail"
    NOTE = "note", "Note left at the scene"
    VIDEO = "video", "Video"
    ONLINE = "online", "Website, blog or social media"
    PERSONAL = "personal", "Personal claim"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class Probability(LabelledEnum):
    """The UK Professional Head of Intelligence Assessment (PHIA) probability yardstick:
    the words an assessment uses, each with the range of likelihood it stands for."""

    REMOTE_CHANCE = "remote_chance", "Remote chance", "0–5%"
    HIGHLY_UNLIKELY = "highly_unlikely", "Highly unlikely", "10–20%"
    UNLIKELY = "unlikely", "Unlikely", "25–35%"
    REALISTIC_POSSIBILITY = "realistic_possibility", "Realistic possibility", "40–50%"
    LIKELY = "likely", "Likely or probably", "55–75%"
    HIGHLY_LIKELY = "highly_likely", "Highly likely", "80–90%"
    ALMOST_CERTAIN = "almost_certain", "Almost certain", "95–100%"


class AnalyticConfidence(LabelledEnum):
    """How far the analyst trusts the judgement's basis: the evidence, its sources, the
    reasoning (separate from how likely the judgement says the thing is)."""

    LOW = "low", "Low", "Scant, questionable or fragmented information; many assumptions"
    MODERATE = "moderate", "Moderate", "Credible sources but gaps or differing views remain"
    HIGH = "high", "High", "Good-quality information from several sources; few gaps"


class Relation(LabelledEnum):
    """A typed link; the explanation is the label read from the object's side."""

    CARRIED_OUT = "carried_out", "carried out", "carried out by"
    CLAIMED = "claimed", "claimed", "claimed by"
    PLANNED = "planned", "planned", "planned by"
    INSPIRED_BY = "inspired_by", "inspired by", "inspired"
    MEMBER_OF = "member_of", "member of", "has member"
    LEADER_OF = "leader_of", "leader of", "led by"
    SUPPORTER_OF = "supporter_of", "supporter of", "supported by"
    AFFILIATE_OF = "affiliate_of", "affiliate of", "has affiliate"
    CALLED_FOR = "called_for", "called for", "called for by"
    INVESTIGATED = "investigated", "investigated", "investigated by"
    TARGETED = "targeted", "targeted", "targeted by"
    SIMILAR_TO = "similar_to", "similar to", "similar to"
    ASSOCIATED_WITH = "associated_with", "associated with", "associated with"
    MENTIONS = "mentions", "mentions", "mentioned in"

    @property
    def inverse_label(self) -> str:
        return self.explanation


# Which kinds each relation joins, subject then object (a new link, or an edit of its
# relation or ends, is checked against it). Only what cannot be true is left out: an attack
# is not a member of anything, a quote carries out no attack. People and groups act;
# attacks are acted on; texts (sources, quotes, documents: a manifesto, a hit list, a
# video) inspire and are inspired, call for, target, investigate and are investigated.
# A link about a link (one citing a membership, say) is "associated with" or "mentions".
_ACTORS = frozenset({Kind.PERSON, Kind.GROUP})
_TEXTS = frozenset({Kind.SOURCE, Kind.QUOTE, Kind.DOCUMENT, Kind.JUDGEMENT})
_ATTACKS = frozenset({Kind.ATTACK})
_GROUPS = frozenset({Kind.GROUP})
_ANY = frozenset(Kind)
RELATION_ENDS: dict[Relation, tuple[frozenset[Kind], frozenset[Kind]]] = {
    Relation.CARRIED_OUT: (_ACTORS, _ATTACKS),
    Relation.CLAIMED: (_ACTORS, _ATTACKS),
    Relation.PLANNED: (_ACTORS, _ATTACKS),
    Relation.INSPIRED_BY: (_ACTORS | _ATTACKS | _TEXTS, _ACTORS | _ATTACKS | _TEXTS),
    Relation.MEMBER_OF: (_ACTORS, _GROUPS),
    Relation.LEADER_OF: (_ACTORS, _GROUPS),
    Relation.SUPPORTER_OF: (_ACTORS, _ACTORS | _ATTACKS),
    Relation.AFFILIATE_OF: (_ACTORS, _GROUPS),
    Relation.CALLED_FOR: (_ACTORS | _TEXTS, _ATTACKS | _ACTORS),
    Relation.INVESTIGATED: (_ACTORS | _TEXTS, _ATTACKS | _ACTORS | _TEXTS),
    Relation.TARGETED: (_ACTORS | _ATTACKS | _TEXTS, _ACTORS),
    Relation.SIMILAR_TO: (_ANY, _ANY),  # and of one kind: two attacks, two groups
    Relation.ASSOCIATED_WITH: (_ANY, _ANY),
    Relation.MENTIONS: (_TEXTS, _ANY),
}


class Vocabulary(LabelledEnum):
    ATTACK_TYPE = "attack_type", "Attack type"
    WEAPON_TYPE = "weapon_type", "Weapon type"
    TARGET_TYPE = "target_type", "Target type"


# Built-in values, after the GTD codebook (START, University of Maryland). Codes are stable
# identifiers stored in the case; labels are what people read.
GTD_TERMS: dict[Vocabulary, tuple[tuple[str, str], ...]] = {
    Vocabulary.ATTACK_TYPE: (
        ("assassination", "Assassination"),
        ("armed_assault", "Armed assault"),
        ("bombing", "Bombing/explosion"),
        ("hijacking", "Hijacking"),
        ("hostage_barricade", "Hostage taking (barricade incident)"),
        ("hostage_kidnapping", "Hostage taking (kidnapping)"),
        ("facility_attack", "Facility/infrastructure attack"),
        ("unarmed_assault", "Unarmed assault"),
        ("unknown", "Unknown"),
    ),
    Vocabulary.WEAPON_TYPE: (
        ("biological", "Biological"),
        ("chemical", "Chemical"),
        ("radiological", "Radiological"),
        ("nuclear", "Nuclear"),
        ("firearms", "Firearms"),
        ("explosives", "Explosives"),
        ("fake_weapons", "Fake weapons"),
        ("incendiary", "Incendiary"),
        ("melee", "Melee"),
        ("vehicle", "Vehicle"),
        ("sabotage_equipment", "Sabotage equipment"),
        ("other", "Other"),
        ("unknown", "Unknown"),
    ),
    Vocabulary.TARGET_TYPE: (
        ("business", "Business"),
        ("government", "Government (general)"),
        ("police", "Police"),
        ("military", "Military"),
        ("airports_aircraft", "Airports and aircraft"),
        ("diplomatic", "Government (diplomatic)"),
        ("educational", "Educational institution"),
        ("food_water", "Food or water supply"),
        ("journalists_media", "Journalists and media"),
        ("maritime", "Maritime"),
        ("ngo", "NGO"),
        ("private_citizens", "Private citizens and property"),
        ("religious", "Religious figures/institutions"),
        ("telecommunication", "Telecommunication"),
        ("non_state_militia", "Terrorists/non-state militia"),
        ("tourists", "Tourists"),
        ("transportation", "Transportation"),
        ("utilities", "Utilities"),
        ("political_party", "Violent political party"),
        ("other", "Other"),
        ("unknown", "Unknown"),
    ),
}
