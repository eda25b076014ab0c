"""The JSON API's output models: what ``/api/openapi.json`` documents, field by field.

Output only (inputs are in ``backchannel.web.inputs``). Deep parts of the assessment whose shape
belongs to the rule files (factors, readiness, risks, plan, facts) are typed as objects.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from backchannel.auth import Role


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


class DisagreementOut(_Out):
    """Two sources that point to stages two or more apart."""

    id: str
    description: str
    stages: dict[str, str]


class CounterpartOut(_Out):
    """A counterpart of the case."""

    id: str
    name: str


class FirstStepOut(_Out):
    """What to do first, why, and which finding it comes from."""

    step: str
    why: str
    origin: str = Field(alias="from")


class RecommendationOut(_Out):
    """The recommended modality, why, and the plan items that go with it."""

    modality: str
    label: str
    summary: str
    why: str
    decided_by: dict[str, Any]
    rules_read: list[dict[str, Any]]
    objectives: list[dict[str, Any]]
    safeguards: list[dict[str, Any]]
    monitoring_triggers: list[dict[str, Any]]
    exit_criteria: list[dict[str, Any]]
    red_lines: list[dict[str, Any]]


class AlertOut(_Out):
    """One alert from the installed event data (a group using talks to buy time, a
    commitment broken by the events that followed)."""

    kind: str
    actor: str
    period: str
    summary: str
    event_count: int
    event_ids: list[str] = Field(description="The first events behind it (their ids).")


class AlertsOut(_Out):
    """The case's event alerts, the data they come from, or why there are none."""

    source: str | None = Field(description="The event data read (null when none is installed).")
    note: str
    signals: list[AlertOut]


class AssessmentOut(_Out):
    """The document of ``backchannel assess --format json``: the stage and the strategy."""

    case: str
    as_of: dt.date
    stage: str = Field(description="remote, elevated, imminent or ongoing.")
    reasons: list[StageReasonOut]
    source_stages: dict[str, str | None]
    disagreements: list[DisagreementOut]
    missing_sources: list[str]
    factors: list[dict[str, Any]] = Field(description="The 14 UN Framework risk factors.")
    measures: dict[str, float | None]
    judgements_after_as_of: list[Any]
    notes: list[str]
    counterparts: list[CounterpartOut]
    modality: str
    recommendation: RecommendationOut
    first_steps: list[FirstStepOut]
    readiness: dict[str, Any]
    risks: list[dict[str, Any]]
    plan: dict[str, Any]
    evidence: dict[str, Any] | None
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
    """One thing wrong with the request: where (``["body", "source"]``) and what."""

    location: list[str | int]
    message: str


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
