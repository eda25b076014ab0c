"""Controlled vocabularies of the case model.

Each enumeration is closed on purpose: later analyses (actor graph, strategy rules,
screening) branch on these values, so a free-text kind would silently fall through them.
"""

from __future__ import annotations

from enum import StrEnum


class ActorKind(StrEnum):
    """What an actor is, as a mediator would classify it."""

    ARMED_GROUP = "armed_group"
    FACTION = "faction"
    LEADER = "leader"
    STATE_FORCE = "state_force"
    GOVERNMENT = "government"
    MILITIA = "militia"
    COMMUNITY_LEADER = "community_leader"
    RELIGIOUS_LEADER = "religious_leader"
    INTERMEDIARY = "intermediary"
    DIASPORA = "diaspora"
    INTERNATIONAL_ACTOR = "international_actor"
    CIVIL_SOCIETY = "civil_society"
    OWN_ORGANISATION = "own_organisation"


class Stance(StrEnum):
    """An actor's position on dialogue, as last assessed."""

    SUPPORTS = "supports"
    OPEN = "open"
    AMBIVALENT = "ambivalent"
    OPPOSED = "opposed"
    HOSTILE = "hostile"
    UNKNOWN = "unknown"


class RelationKind(StrEnum):
    """How one actor relates to another; directed from ``source`` to ``target``."""

    COMMANDS = "commands"
    SPLINTER_OF = "splinter_of"
    ALLIED = "allied"
    RIVAL = "rival"
    FIGHTS = "fights"
    INFLUENCES = "influences"
    KIN = "kin"
    CHANNEL = "channel"
    FUNDS = "funds"
    MEMBER_OF = "member_of"
    NEGOTIATES_WITH = "negotiates_with"


class Channel(StrEnum):
    """How an engagement took place."""

    DIRECT = "direct"
    THROUGH_INTERMEDIARY = "through_intermediary"
    PHONE = "phone"
    WRITTEN = "written"
    PUBLIC = "public"
    FORMAL_TALKS = "formal_talks"


class Modality(StrEnum):
    """The kind of dialogue an engagement belongs to (the report's distinction)."""

    HUMANITARIAN = "humanitarian"
    POLITICAL = "political"
    PREPARATORY = "preparatory"


class EngagementOutcome(StrEnum):
    """The immediate result of an engagement."""

    AGREEMENT = "agreement"
    PARTIAL_AGREEMENT = "partial_agreement"
    NO_AGREEMENT = "no_agreement"
    BROKEN_OFF = "broken_off"
    CONTINUING = "continuing"
    UNKNOWN = "unknown"


class CommitmentKind(StrEnum):
    """What a party committed to."""

    CEASEFIRE = "ceasefire"
    CESSATION_OF_HOSTILITIES = "cessation_of_hostilities"
    HUMANITARIAN_ACCESS = "humanitarian_access"
    CIVILIAN_PROTECTION = "civilian_protection"
    RELEASE_OF_DETAINEES = "release_of_detainees"
    DISARMAMENT = "disarmament"
    CANTONMENT = "cantonment"
    WITHDRAWAL = "withdrawal"
    POLITICAL_PROCESS = "political_process"
    CHILD_RECRUITMENT = "child_recruitment"
    ANTI_PERSONNEL_MINES = "anti_personnel_mines"
    SEXUAL_VIOLENCE = "sexual_violence"
    HEALTH_CARE = "health_care"
    DISPLACEMENT = "displacement"
    DETENTION = "detention"
    OTHER = "other"


#: Commitment kinds that bind a party to a humanitarian norm (the subjects of Geneva Call's
#: Deeds of Commitment and of the rules on displacement and detention), as against the
#: kinds that settle access, fighting or the political process.
NORM_KINDS = frozenset(
    {
        CommitmentKind.CHILD_RECRUITMENT,
        CommitmentKind.ANTI_PERSONNEL_MINES,
        CommitmentKind.SEXUAL_VIOLENCE,
        CommitmentKind.HEALTH_CARE,
        CommitmentKind.DISPLACEMENT,
        CommitmentKind.DETENTION,
    }
)


class CommitmentStatus(StrEnum):
    """Where a commitment stands, as verified."""

    PENDING = "pending"
    HONOURED = "honoured"
    PARTIALLY_HONOURED = "partially_honoured"
    VIOLATED = "violated"
    LAPSED = "lapsed"
    UNKNOWN = "unknown"


class Confidence(StrEnum):
    """How sure an analyst is of a judgement."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Finding(StrEnum):
    """What a judgement says of a risk indicator or factor."""

    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"


class JudgementOrigin(StrEnum):
    """Who made a judgement: an analyst, or backchannel suggesting it from data."""

    ANALYST = "analyst"
    MACHINE = "machine"


class OurRole(StrEnum):
    """What our organisation is in the context, which decides what it may pursue."""

    HUMANITARIAN_AGENCY = "humanitarian_agency"
    OFFICIAL_MEDIATOR = "official_mediator"
    FACILITATOR = "facilitator"
    INSIDER_MEDIATOR = "insider_mediator"
    PARTY = "party"
    ANALYST = "analyst"


class AgreementKind(StrEnum):
    """The four quadrants of an Island of Agreement (CCHN Field Manual, tool 2)."""

    AGREED_FACT = "agreed_fact"
    CONVERGENT_NORM = "convergent_norm"
    DIVERGENT_FACT = "divergent_fact"
    DIVERGENT_NORM = "divergent_norm"


class Side(StrEnum):
    """Whose position an Iceberg entry describes: the counterpart's or ours."""

    THEM = "them"
    US = "us"


class VerificationMethod(StrEnum):
    """How compliance with a commitment is checked."""

    SELF_REPORTING = "self_reporting"
    FIELD_MISSION = "field_mission"
    THIRD_PARTY_REPORT = "third_party_report"
