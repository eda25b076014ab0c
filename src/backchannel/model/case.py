"""The case: one context of possible dialogue with armed groups, and what is known of it.

A case holds its context, the public sources it cites, and five collections: actors,
relations, engagements, commitments and analyst judgements. Every record has an id that
is unique in its collection; records point at each other and at sources by id.

Fields marked sensitive (``SENSITIVE`` in their JSON Schema extra) are the ones the store
encrypts at rest and redacted outputs mask: who took part in talks, what was said, notes
on actors, commitment texts, judgement evidence, and the identity of intermediaries.

Every input is bounded, whichever way it comes (case file, API, form), by the limits of
``model.limits``: names and free texts have a longest length, lists of names a most items,
no text holds a NUL character, and a moment in time (``Judgement.at``) carries its zone.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    ConfigDict,
    Field,
    ValidationInfo,
    model_validator,
)

from backchannel.errors import Problem
from backchannel.model.limits import (
    MAX_EVENT_REFERENCES,
    MAX_LIST_ITEMS,
    MAX_URL_LENGTH,
    RECORD_ID_PATTERN,
    AwareTime,
    CheckedText,
    Label,
    Name,
    Text,
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
    RelationKind,
    Stance,
)

SCHEMA_VERSION = 1

#: JSON Schema extra key that marks a field as sensitive.
SENSITIVE = "x-sensitive"

RecordId = Annotated[
    str,
    Field(
        pattern=RECORD_ID_PATTERN,
        description="Identifier: letters, digits and _ . : - (up to 80 characters).",
    ),
]
CountryCode = Annotated[
    str, Field(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3 country code.")
]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]

#: Subjects of judgements on the UN Framework of Analysis start with this prefix.
FRAMEWORK_PREFIX = "framework:"

#: Defer cross-record checks to ``integrity_problems`` (the case-file loader does this so
#: that each problem is reported at its own path and line).
DEFER_INTEGRITY = "defer_integrity"


def _sensitive(description: str) -> Any:
    return {"description": description, "json_schema_extra": {SENSITIVE: True}}


class Record(CheckedText):
    """Base of every case record: strict about unknown fields, immutable once built."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)

    def sensitive_fields(self) -> frozenset[str]:
        """Names of this record's fields that must be encrypted at rest and masked."""
        return frozenset(
            name
            for name, info in type(self).model_fields.items()
            if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get(SENSITIVE)
        )


def _check_order(
    start: dt.date | None, end: dt.date | None, start_name: str, end_name: str
) -> None:
    if start is not None and end is not None and end < start:
        raise ValueError(f"{end_name} {end.isoformat()} is before {start_name} {start.isoformat()}")


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
    references: list[RecordId] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)

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
    status: CommitmentStatus = CommitmentStatus.UNKNOWN
    status_history: list[StatusChange] = Field(
        default_factory=list, description="Each status with the day it became known, oldest first."
    )
    references: list[RecordId] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)

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
        if self.subject.startswith(FRAMEWORK_PREFIX) and self.status is None:
            raise ValueError(
                f"a judgement on {self.subject!r} must give a status: present, absent or unknown"
            )
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
        """Every record of the five collections as ``(collection, position, record)``."""
        for collection in self.COLLECTIONS:
            for position, record in enumerate(getattr(self, collection)):
                yield collection, position, record


def integrity_problems(case: Case) -> list[Problem]:
    """Cross-record checks: unique ids per collection, and every reference resolves."""
    problems: list[Problem] = []
    for collection in ("sources", *Case.COLLECTIONS):
        records = getattr(case, collection)
        counts = Counter(r.id for r in records)
        first_seen: set[str] = set()
        for position, record in enumerate(records):
            if counts[record.id] > 1:
                if record.id in first_seen:
                    problems.append(
                        Problem(
                            f"{collection}[{position}].id",
                            f"duplicate id {record.id!r}: ids must be unique among {collection}",
                        )
                    )
                first_seen.add(record.id)

    actor_ids = {a.id for a in case.actors}
    source_ids = {s.id for s in case.sources}
    engagement_ids = {e.id for e in case.engagements}

    def expect(ids: set[str], value: str | None, location: str, what: str) -> None:
        if value is not None and value not in ids:
            problems.append(
                Problem(location, f"{value!r} is not the id of any {what} in this case")
            )

    for i, relation in enumerate(case.relations):
        expect(actor_ids, relation.source, f"relations[{i}].source", "actor")
        expect(actor_ids, relation.target, f"relations[{i}].target", "actor")
        if relation.source == relation.target:
            problems.append(
                Problem(f"relations[{i}].target", "a relation must join two different actors")
            )
    problems.extend(_duplicate_relations(case.relations))
    for i, engagement in enumerate(case.engagements):
        expect(actor_ids, engagement.by, f"engagements[{i}].by", "actor")
        for j, counterpart in enumerate(engagement.counterparts):
            expect(actor_ids, counterpart, f"engagements[{i}].counterparts[{j}]", "actor")
    for i, commitment in enumerate(case.commitments):
        expect(actor_ids, commitment.party, f"commitments[{i}].party", "actor")
        expect(engagement_ids, commitment.engagement, f"commitments[{i}].engagement", "engagement")
        for k, change in enumerate(commitment.status_history):
            for j, reference in enumerate(change.references):
                expect(
                    source_ids,
                    reference,
                    f"commitments[{i}].status_history[{k}].references[{j}]",
                    "source",
                )
    judgements = {j.id: j for j in case.judgements}
    for i, judgement in enumerate(case.judgements):
        if judgement.reviews is None:
            continue
        reviewed = judgements.get(judgement.reviews)
        if reviewed is None:
            expect(set(judgements), judgement.reviews, f"judgements[{i}].reviews", "judgement")
        elif reviewed.origin is not JudgementOrigin.MACHINE:
            problems.append(
                Problem(
                    f"judgements[{i}].reviews",
                    f"{judgement.reviews!r} is an analyst's judgement; only machine-suggested "
                    "judgements are reviewed (record a later judgement to revise an analyst's)",
                )
            )
        elif reviewed.subject != judgement.subject:
            problems.append(
                Problem(
                    f"judgements[{i}].subject",
                    f"a review must judge the same subject as the suggestion it reviews "
                    f"({reviewed.subject!r})",
                )
            )
    for collection, position, record in case.records():
        for j, reference in enumerate(getattr(record, "references", [])):
            expect(source_ids, reference, f"{collection}[{position}].references[{j}]", "source")
    return problems


def _windows_overlap(a: Relation, b: Relation) -> bool:
    start = max(a.valid_from or dt.date.min, b.valid_from or dt.date.min)
    end = min(a.valid_to or dt.date.max, b.valid_to or dt.date.max)
    return start <= end


def _duplicate_relations(relations: list[Relation]) -> list[Problem]:
    """Two relations of one kind between the same actors must not be in force together.

    Such a pair would count one tie twice in every analysis; the analyst either merges them
    or gives them disjoint validity windows (a tie that lapsed and was renewed).
    """
    problems = []
    seen: dict[tuple[str, str, str], list[tuple[int, Relation]]] = {}
    for i, relation in enumerate(relations):
        key = (relation.source, relation.target, relation.kind.value)
        for j, earlier in seen.get(key, []):
            if _windows_overlap(earlier, relation):
                problems.append(
                    Problem(
                        f"relations[{i}]",
                        f"duplicate relation: {relation.kind.value} from {relation.source!r} to "
                        f"{relation.target!r} is already recorded as relations[{j}] "
                        f"({earlier.id!r}) for overlapping dates; merge the two or give them "
                        "disjoint validity windows",
                    )
                )
                break
        seen.setdefault(key, []).append((i, relation))
    return problems
