"""The case: one context of possible dialogue with armed groups, and what is known of it.

A case holds its context (with our role in it), the public sources it cites, its mandate,
and its collections: actors, relations, engagements, commitments and analyst judgements,
and for the negotiation itself (``model.negotiation``) the case's red lines and bottom
lines, the Island of Agreement, the positions of each side and the positions agreed among
engagers. Every record has an id that is unique in its collection; records point at each
other and at sources by id.

Fields marked sensitive (``SENSITIVE`` in their JSON Schema extra) are the ones redacted
outputs mask: who took part in talks, what was said, notes on actors, commitment texts,
judgement evidence, the identity of intermediaries, the mandate, and every text of the
negotiation. The store seals every record whole.

Every input is bounded, whichever way it comes (case file, API, form), by the limits of
``model.limits``: names and free texts have a longest length, lists of names a most items,
no text holds a NUL character, and a moment in time (``Judgement.at``) carries its zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, ClassVar, Self

import pycountry
from pydantic import (
    AfterValidator,
    Field,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from backchannel.model.base import (
    SENSITIVE,
    Record,
    RecordId,
    check_order,
    sensitive,
)
from backchannel.model.limits import (
    MAX_EVENT_REFERENCES,
    MAX_LIST_ITEMS,
    MAX_URL_LENGTH,
    AwareTime,
    Label,
    Name,
    Text,
)
from backchannel.model.negotiation import (
    MAX_POINTS,
    CaseLine,
    CommonPosition,
    IslandEntry,
    Mandate,
    MonitoringEntry,
    Position,
    VerificationPlan,
)
from backchannel.model.vocabulary import (
    ActorKind,
    Channel,
    CommitmentKind,
    CommitmentStatus,
    Confidence,
    EngagementOutcome,
    Finding,
    JudgementOrigin,
    Modality,
    OurRole,
    RelationKind,
    Stance,
)

SCHEMA_VERSION = 1

__all__ = ["SENSITIVE", "Record", "RecordId", "integrity_problems"]


#: Codes in general use for places ISO 3166-1 has not assigned one: Kosovo's XKX is the
#: code the European Commission, the World Bank and the Early Warning Project use.
USER_ASSIGNED_COUNTRIES: dict[str, str] = {"XKX": "Kosovo"}


def _known_country(code: str) -> str:
    # the pattern alone lets through codes no country holds (XXX), which would match no
    # event, forecast or designation of the case and so hide every risk behind a typo
    if code not in USER_ASSIGNED_COUNTRIES and pycountry.countries.get(alpha_3=code) is None:
        raise PydanticCustomError(
            "unknown_country",
            "'{code}' is not an ISO 3166-1 alpha-3 country code (e.g. CAF, COL, SOM)",
            {"code": code},
        )
    return code


#: A country, by its ISO 3166-1 alpha-3 code; a code no country holds is refused.
CountryCode = Annotated[
    str,
    Field(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3 country code."),
    AfterValidator(_known_country),
]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]

#: Subjects of judgements on the UN Framework of Analysis start with this prefix.
FRAMEWORK_PREFIX = "framework:"

#: Defer cross-record checks to ``integrity_problems`` (the case-file loader does this so
#: that each problem is reported at its own path and line).
DEFER_INTEGRITY = "defer_integrity"

_sensitive = sensitive
_check_order = check_order


class Source(Record):
    """A public source the case cites: a report, an agreement text, a data set."""

    id: RecordId
    title: Name
    publisher: Label | None = None
    date: dt.date | None = None
    url: str | None = Field(default=None, max_length=MAX_URL_LENGTH)


class Period(Record):
    """A span of days; ``end`` is open when absent."""

    start: dt.date
    end: dt.date | None = None

    @model_validator(mode="after")
    def _end_not_before_start(self) -> Self:
        _check_order(self.start, self.end, "start", "end")
        return self

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` falls inside the period (both ends included)."""
        return self.start <= day and (self.end is None or day <= self.end)


class Context(Record):
    """Where and when: the setting in which dialogue is considered."""

    title: Name
    country: CountryCode
    regions: list[Label] = Field(
        default_factory=list,
        max_length=MAX_LIST_ITEMS,
        description="Admin-1 or admin-2 areas the case concerns.",
    )
    period: Period
    summary: Text = ""
    our_role: OurRole | None = Field(
        default=None,
        description="What our organisation is in this context: humanitarian_agency, "
        "official_mediator, facilitator, insider_mediator, party or analyst. Unknown when absent.",
    )

    LATER_FIELDS: ClassVar[frozenset[str]] = frozenset({"our_role"})


class Actor(Record):
    """A party to the context: a group, a person, a state force, an intermediary, ourselves."""

    id: RecordId
    name: Name
    aliases: list[Label] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    kind: ActorKind
    ucdp_actor_id: int | None = Field(default=None, description="UCDP actor id, if UCDP codes it.")
    active_from: dt.date | None = Field(
        default=None,
        description="When the actor came into being (a group founded, a faction split off); "
        "a replay before that day does not show it.",
    )
    stance: Stance = Stance.UNKNOWN
    disclosed: bool = Field(
        default=False,
        description="The actor's role in the context is public, so redacted outputs may name "
        "it although its kind or ties would otherwise mask it; needs ``disclosed_reason``.",
    )
    disclosed_reason: str | None = Field(
        default=None, description="Why the actor's role is public (a source, an announcement)."
    )
    notes: Text | None = Field(default=None, **_sensitive("Analyst notes; sensitive."))
    references: list[RecordId] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)

    @model_validator(mode="after")
    def _disclosure_has_a_reason(self) -> Self:
        if self.disclosed and not (self.disclosed_reason or "").strip():
            raise ValueError("an actor marked disclosed must say why (disclosed_reason)")
        return self

    def sensitive_fields(self) -> frozenset[str]:
        """An intermediary's very identity is sensitive, not only the notes on it."""
        fields = super().sensitive_fields()
        if self.kind is ActorKind.INTERMEDIARY:
            return fields | {"name", "aliases"}
        return fields


class Relation(Record):
    """A directed tie from ``source`` to ``target`` of a given kind, with its strength."""

    id: RecordId
    source: RecordId
    target: RecordId
    kind: RelationKind
    strength: Unit | None = Field(default=None, description="0 (weak) to 1 (strong).")
    trust: Unit | None = Field(default=None, description="0 (none) to 1 (full).")
    access: Unit | None = Field(
        default=None,
        description="How readily the source can reach the target: 0 (not at all) to 1 (at will).",
    )
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    notes: Text | None = Field(default=None, **_sensitive("Analyst notes; sensitive."))
    references: list[RecordId] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)

    @model_validator(mode="after")
    def _valid_window(self) -> Self:
        _check_order(self.valid_from, self.valid_to, "valid_from", "valid_to")
        return self


class Engagement(Record):
    """One contact with a counterpart: a meeting, a call, a round of talks."""

    id: RecordId
    date: dt.date
    end_date: dt.date | None = None
    channel: Channel
    modality: Modality | None = None
    by: RecordId | None = Field(
        default=None,
        description="The actor who held the engagement on the side facing the counterparts "
        "(our organisation is the own_organisation actor; for a counterpart's unilateral "
        "public statement, the counterpart itself). Without it, the engagement counts as "
        "ours only when no other actor of the case talks to a counterpart.",
    )
    counterparts: list[RecordId] = Field(
        default_factory=list,
        max_length=MAX_LIST_ITEMS,
        description="Actor ids of the parties engaged.",
    )
    location: Label | None = None
    participants: list[Label] = Field(
        default_factory=list,
        max_length=MAX_LIST_ITEMS,
        **_sensitive("Who took part, by name or role; sensitive."),
    )
    summary: Text | None = Field(default=None, **_sensitive("What was discussed; sensitive."))
    outcome: EngagementOutcome = EngagementOutcome.UNKNOWN
    asks: list[Text] = Field(
        default_factory=list,
        max_length=MAX_POINTS,
        **_sensitive("What the engager asked of the counterparts; sensitive."),
    )
    references: list[RecordId] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)

    LATER_FIELDS: ClassVar[frozenset[str]] = frozenset({"asks"})

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        _check_order(self.date, self.end_date, "date", "end_date")
        return self


class StatusChange(Record):
    """A commitment's status as it became known on a day (a verification, a report)."""

    status: CommitmentStatus
    date: dt.date = Field(description="The day this status became known.")
    references: list[RecordId] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)


class Commitment(Record):
    """What a party undertook to do or not to do, where and until when.

    ``status`` is where the commitment stands now. ``status_history`` dates each change of
    status as it became known, so that a replay as of a past day reads the status known
    that day; the last entry of the history must agree with ``status``.
    """

    id: RecordId
    party: RecordId
    kind: CommitmentKind
    text: Text = Field(min_length=1, **_sensitive("The commitment as worded; sensitive."))
    area: list[Label] = Field(
        default_factory=list,
        max_length=MAX_LIST_ITEMS,
        description="Areas it covers; empty = whole country.",
    )
    start: dt.date
    end: dt.date | None = None
    engagement: RecordId | None = Field(default=None, description="Engagement where it was made.")
    verification: Text | None = None
    verification_plan: VerificationPlan | None = Field(
        default=None, description="How its keeping is checked: methods, by whom, how often."
    )
    status: CommitmentStatus = CommitmentStatus.UNKNOWN
    status_history: list[StatusChange] = Field(
        default_factory=list, description="Each status with the day it became known, oldest first."
    )
    monitoring: list[MonitoringEntry] = Field(
        default_factory=list,
        max_length=MAX_LIST_ITEMS,
        description="Dated observations of its keeping, each with the status it supports.",
    )
    references: list[RecordId] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)

    LATER_FIELDS: ClassVar[frozenset[str]] = frozenset({"verification_plan", "monitoring"})

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        _check_order(self.start, self.end, "start", "end")
        days = [change.date for change in self.status_history]
        if days and days[0] < self.start:
            raise ValueError(
                f"status_history starts on {days[0].isoformat()}, before the commitment's "
                f"start {self.start.isoformat()}"
            )
        if days != sorted(days):
            raise ValueError("status_history must list its changes oldest first")
        early = [m.date for m in self.monitoring if m.date < self.start]
        if early:
            raise ValueError(
                f"a monitoring entry is dated {early[0].isoformat()}, before the commitment's "
                f"start {self.start.isoformat()}"
            )
        if self.status_history and self.status_history[-1].status is not self.status:
            raise ValueError(
                f"status {self.status.value!r} differs from the last entry of status_history "
                f"({self.status_history[-1].status.value!r}); record the change in the history"
            )
        return self


EventRef = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9-]*:[A-Za-z0-9_.-]{1,60}$",
        description="An event id qualified by its data set, e.g. ``ged:123456`` or ``acled:XYZ1``.",
    ),
]


def check_framework_status(subject: str, status: Finding | None) -> None:
    """Refuse a judgement on a UN Framework factor or indicator that gives no status
    (``ValueError`` naming the subject)."""
    if subject.startswith(FRAMEWORK_PREFIX) and status is None:
        raise ValueError(
            f"a judgement on {subject!r} must give a status: present, absent or unknown"
        )


class Judgement(Record):
    """An analyst's dated judgement on one subject, with evidence and confidence.

    ``subject`` names what is judged: a UN Framework risk factor or indicator
    (``framework:rf1`` or ``framework:rf1.3``), a condition for dialogue
    (``condition:cohesion``), an actor id, or free text. Framework judgements must say
    whether the factor or indicator is present, absent or unknown (``status``).

    Judgements are append-only: an analyst changes their mind by recording a later
    judgement on the same subject, never by editing an earlier one. A judgement whose
    ``origin`` is ``machine`` was suggested from data; an analyst confirms or rejects it by
    recording a judgement that ``reviews`` it.
    """

    id: RecordId
    analyst: Name
    at: AwareTime
    subject: Name
    status: Finding | None = Field(
        default=None, description="For framework subjects: present, absent or unknown."
    )
    finding: Text = Field(min_length=1, description="What the analyst concludes.")
    severity: int | None = Field(default=None, ge=0, le=3)
    confidence: Confidence = Confidence.MEDIUM
    evidence: Text | None = Field(
        default=None, **_sensitive("What the finding rests on; sensitive.")
    )
    observed: dt.date | None = Field(
        default=None, description="When the evidence was observed (it may predate ``at``)."
    )
    events: list[EventRef] = Field(
        default_factory=list,
        max_length=MAX_EVENT_REFERENCES,
        description="Events the evidence rests on, by qualified id.",
    )
    origin: JudgementOrigin = JudgementOrigin.ANALYST
    reviews: RecordId | None = Field(
        default=None, description="The machine-suggested judgement this one confirms or rejects."
    )
    references: list[RecordId] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)

    @model_validator(mode="after")
    def _framework_needs_status(self) -> Self:
        check_framework_status(self.subject, self.status)
        if self.origin is JudgementOrigin.MACHINE and self.reviews is not None:
            raise ValueError("a machine-suggested judgement cannot review another judgement")
        return self


class Case(Record):
    """A whole case, as held in a YAML case file or in the store."""

    COLLECTIONS: ClassVar[tuple[str, ...]] = (
        "actors",
        "relations",
        "engagements",
        "commitments",
        "judgements",
        "red_lines",
        "bottom_lines",
        "island_of_agreement",
        "positions",
        "common_positions",
    )
    LATER_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"mandate", "red_lines", "bottom_lines", "island_of_agreement", "positions"}
        | {"common_positions"}
    )

    schema_version: int = Field(default=SCHEMA_VERSION, ge=1, le=SCHEMA_VERSION)
    id: RecordId
    context: Context
    sources: list[Source] = Field(default_factory=list)
    actors: list[Actor] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    engagements: list[Engagement] = Field(default_factory=list)
    commitments: list[Commitment] = Field(default_factory=list)
    judgements: list[Judgement] = Field(default_factory=list)
    mandate: Mandate | None = Field(
        default=None, description="Who mandated our organisation, for what, within which limits."
    )
    red_lines: list[CaseLine] = Field(
        default_factory=list, description="What this case's negotiators may never concede."
    )
    bottom_lines: list[CaseLine] = Field(
        default_factory=list, description="The least this case's negotiators may accept."
    )
    island_of_agreement: list[IslandEntry] = Field(
        default_factory=list,
        description="Facts and norms agreed or disputed with each counterpart.",
    )
    positions: list[Position] = Field(
        default_factory=list,
        description="Each side's position, reasons and values, per counterpart (the Iceberg).",
    )
    common_positions: list[CommonPosition] = Field(
        default_factory=list,
        description="Positions agreed among the organisations engaging the counterparts.",
    )

    @model_validator(mode="after")
    def _references_hold(self, info: ValidationInfo) -> Self:
        if info.context and info.context.get(DEFER_INTEGRITY):
            return self
        problems = integrity_problems(self)
        if problems:
            raise ValueError("; ".join(f"{p.location}: {p.message}" for p in problems))
        return self

    def actor(self, actor_id: str) -> Actor:
        """The actor with this id; ``KeyError`` if there is none."""
        for actor in self.actors:
            if actor.id == actor_id:
                return actor
        raise KeyError(actor_id)

    def records(self) -> Iterator[tuple[str, int, Record]]:
        """Every record of the collections as ``(collection, position, record)``."""
        for collection in self.COLLECTIONS:
            for position, record in enumerate(getattr(self, collection)):
                yield collection, position, record


from backchannel.model.integrity import integrity_problems  # noqa: E402 - uses Case
