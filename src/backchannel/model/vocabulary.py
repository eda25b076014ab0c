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
    OTHER = "other"


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
