"""The JSON API's input models: what a client may send to create a case or add a record.

Each mirrors its case-model record field by field (so the OpenAPI document is exact) and
refuses unknown fields, with the model's limits: bounded names, texts and lists, no NUL
character in any text, a time zone on every moment. Ids of cases, relations, engagements,
commitments and judgements may be left out: the server makes one up. A judgement names no
analyst (the signed-in user is the analyst) and no origin (one recorded by a person is an
analyst's); ``at`` defaults to the moment it is received.
"""

from __future__ import annotations

import datetime as dt
from typing import Self

import pycountry
from pydantic import ConfigDict, Field, field_validator, model_validator

from backchannel.model.case import (
    FRAMEWORK_PREFIX,
    Actor,
    Commitment,
    CountryCode,
    Engagement,
    EventRef,
    RecordId,
    Relation,
)
from backchannel.model.limits import (
    MAX_EVENT_REFERENCES,
    MAX_LIST_ITEMS,
    AwareTime,
    CheckedText,
    Label,
    Name,
    Text,
)
from backchannel.model.vocabulary import Confidence, Finding


class _In(CheckedText):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CaseIn(_In):
    """A new case: its context, and its id if the client brings one (an import); without
    one the server makes up an opaque id. Records are added afterwards, one by one."""

    id: RecordId | None = Field(
        default=None, description="The case's id; made up by the server when absent."
    )
    title: Name
    country: CountryCode
    period_start: dt.date
    period_end: dt.date | None = None
    summary: Text = ""
    regions: list[Label] = Field(
        default_factory=list,
        max_length=MAX_LIST_ITEMS,
        description="Admin-1 or admin-2 areas the case concerns.",
    )

    @field_validator("country")
    @classmethod
    def _known_country(cls, code: str) -> str:
        if pycountry.countries.get(alpha_3=code) is None:
            raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-3 country code")
        return code

    @model_validator(mode="after")
    def _period_in_order(self) -> Self:
        if self.period_end is not None and self.period_end < self.period_start:
            raise ValueError(
                f"period_end {self.period_end.isoformat()} is before period_start "
                f"{self.period_start.isoformat()}"
            )
        return self


class ActorIn(Actor):
    """An actor to add: its id is required, since relations and engagements name it."""


class RelationIn(Relation):
    """A relation to add; the id is made up when absent."""

    id: RecordId | None = None  # type: ignore[assignment]


class EngagementIn(Engagement):
    """An engagement to add; the id is made up when absent."""

    id: RecordId | None = None  # type: ignore[assignment]


class CommitmentIn(Commitment):
    """A commitment to add; the id is made up when absent."""

    id: RecordId | None = None  # type: ignore[assignment]


class JudgementIn(_In):
    """An analyst's judgement to add; the signed-in user is its analyst.

    ``subject`` is a UN Framework factor or indicator (``framework:rf1``,
    ``framework:rf1.3``, which need a ``status``), a condition for dialogue, an actor id or
    free text. ``reviews`` names the machine suggestion this judgement confirms or rejects.
    """

    id: RecordId | None = None
    at: AwareTime | None = Field(
        default=None, description="When judged, with a time zone; default: now (UTC)."
    )
    subject: Name
    status: Finding | None = Field(
        default=None, description="For framework subjects: present, absent or unknown."
    )
    finding: Text = Field(min_length=1, description="What the analyst concludes.")
    severity: int | None = Field(default=None, ge=0, le=3)
    confidence: Confidence = Confidence.MEDIUM
    evidence: Text | None = Field(default=None, description="What the finding rests on; sensitive.")
    observed: dt.date | None = Field(default=None, description="When the evidence was observed.")
    events: list[EventRef] = Field(
        default_factory=list,
        max_length=MAX_EVENT_REFERENCES,
        description="Events the evidence rests on, e.g. ``ged:123456``.",
    )
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
        return self
