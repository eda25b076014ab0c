"""The JSON API's output models: what ``/api/openapi.json`` documents, field by field.

Output only (inputs are in ``backchannel.web.inputs``). The strategy's parts reuse the
engine's own result models; the framework factors and the facts stay objects.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from backchannel.auth import Role
from backchannel.dialogue.conditions import Readiness
from backchannel.dialogue.negotiation import NegotiationView
from backchannel.dialogue.plan import TrustPlan
from backchannel.dialogue.risks import RatedRisk
from backchannel.dialogue.strategy import Confidence, Counterpart, FirstStep, Recommendation


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class CaseSummaryOut(_Out):
    """A case in a list: no sensitive field."""

    id: str
    title: str
    country: str = Field(description="ISO 3166-1 alpha-3 code.")
    revision: int
    updated_at: dt.datetime
    updated_by: str
    counts: dict[str, int] = Field(description="Records per collection.")


class PeriodOut(_Out):
    """A span of days; ``end`` is open when null."""

    start: dt.date
    end: dt.date | None


class CaseOut(_Out):
    """One case's context and record counts, and the caller's role in it."""

    id: str
    title: str
    country: str = Field(description="ISO 3166-1 alpha-3 code.")
    regions: list[str]
    period: PeriodOut
    summary: str
    counts: dict[str, int] = Field(description="Records per collection.")
    role: Role | None = Field(
        description="The caller's role in the case (null for an administrator who is not a member)."
    )
    redacted: bool = Field(description="Whether sensitive names are masked for the caller.")


class StageReasonOut(_Out):
    """A stage rule that fired, with the value it read."""

    rule: str
    source: str
    stage: str
    description: str
    measure: str
    value: float
    reference: str
    evidence: list[str]
    inputs: dict[str, float | None] = Field(default_factory=dict)


class DisagreementOut(_Out):
    """Two sources that point to stages two or more apart."""

    id: str
    description: str
    stages: dict[str, str]


class AlertOut(_Out):
    """One alert from the installed event data (a group using talks to buy time, a
    commitment broken by the events that followed)."""

    kind: str
    actor: str
    period: str
    summary: str
    strength: str | None = Field(
        default=None, description="How strong the evidence is: strong, moderate or weak."
    )
    event_count: int
    event_ids: list[str] = Field(description="The first events behind it (their ids).")


class AlertsOut(_Out):
    """The case's event alerts, the data they come from, or why there are none."""

    source: str | None = Field(description="The event data read (null when none is installed).")
    note: str
    signals: list[AlertOut]


class AssessmentOut(_Out):
    """The document of ``backchannel assess --format json``: the stage and the strategy.

    The strategy's parts are the engine's own models, so the API documents exactly what the
    command line prints.
    """

    case: str
    as_of: dt.date
    stage: str | None = Field(
        description="remote, elevated, imminent or ongoing; null when no source had adequate data."
    )
    reasons: list[StageReasonOut]
    source_stages: dict[str, str | None]
    source_notes: dict[str, str] = Field(description="Why each missing source is missing.")
    disagreements: list[DisagreementOut]
    missing_sources: list[str]
    factors: list[dict[str, Any]] = Field(description="The 14 UN Framework risk factors.")
    measures: dict[str, float | None]
    event_coverage: dict[str, Any] | None = Field(
        description="How far the event data cover the country and the 24 months before."
    )
    active_conflict: dict[str, Any] | None
    judgements_after_as_of: list[Any]
    notes: list[str]
    counterparts: list[Counterpart]
    modality: str
    recommendation: Recommendation
    confidence: Confidence
    first_steps: list[FirstStep]
    readiness: Readiness
    risks: list[RatedRisk]
    plan: TrustPlan
    evidence: dict[str, Any] | None
    negotiation: NegotiationView = Field(
        description="Mandate, our role, the case's lines, Island of Agreement, positions, "
        "other engagers and compliance by norm; texts withheld when redacted."
    )
    withheld: dict[str, Any] = Field(description="What the cut at the as-of date held back.")
    data_ages: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Each installed data set read: its publication date, age in days and "
        "whether it is stale (undated copies count as stale).",
    )
    missing_inputs: list[str]
    facts: dict[str, Any]
    alerts: AlertsOut
    redacted: bool = Field(description="Whether sensitive names are masked for the caller.")


class HealthOut(_Out):
    """The server is up."""

    status: str


class CreatedOut(_Out):
    """What was created: its id (made up by the server when the request gave none)."""

    id: str


class ErrorDetailOut(_Out):
    """One thing wrong with the request: where (``["body", "source"]``), what, and the
    line of the file it is on (null when the input is no file)."""

    location: list[str | int]
    message: str
    line: int | None = None


class ErrorBodyOut(_Out):
    """An error's status, machine-readable code and message for a person."""

    status: int
    code: str
    message: str
    details: list[ErrorDetailOut] | None = Field(
        default=None, description="For invalid requests: each problem and where it is."
    )


class ErrorOut(_Out):
    """The one shape of every error answer."""

    error: ErrorBodyOut
