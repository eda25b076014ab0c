"""The JSON API's output models for a case's screening and the decisions on its hits.

The screening document is ``backchannel screen case --format json``'s, field by field,
with what the workspace adds: whether any list is installed, the name whose screening
gave each hit (``query``: what a decision on it must name), the caller's view of each
decision and whether names are masked. The exposure's provisions, exemptions and gaps
take their shape from the rule files and are typed as objects.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backchannel.screening.decisions import Verdict


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class ListUsedOut(_Out):
    """One designation list the screening read, and which copy of it."""

    list_id: str = Field(alias="list", description="``un-sc``, ``ofac-sdn``...")
    snapshot: str | None = Field(description="The date or version the list gives its copy, if any.")
    published: str = Field(
        description="The publication date the list's file states (YYYY-MM-DD), or "
        "``undated`` when it states none (OFAC's delimited files)."
    )
    age_days: int | None = Field(
        description="Days from publication to the screening's date (negative for a copy "
        "published after it); null when undated."
    )
    max_age_days: int = Field(description="The largest age a copy may have and be current.")
    currency: Literal["current", "stale", "undated", "published_later"] = Field(
        description="Whether the copy was current on the screening's date: a stale or "
        "undated copy may miss designations, and legal clearance is then at most partial."
    )
    entries: int
    rejected: int = Field(description="Records of the file the reader could not take.")
    listing_dates: bool = Field(
        description="Whether the list dates its entries (else they count as in force "
        "on the screening's date)."
    )


class HitDecisionOut(_Out):
    """The decision that holds for a hit: the latest an analyst recorded on it."""

    query: str
    list_id: str = Field(alias="list")
    entity_id: str
    verdict: Verdict
    user: str
    at: dt.datetime
    case_id: str | None = Field(description="This case: a decision belongs to its case.")
    note: str | None = Field(description="Why; only for callers who get the full brief.")
    seq: int | None = Field(
        default=None, description="The decision's number (a case lead shares it by number)."
    )


class HitOut(_Out):
    """A listed entry one of the actor's names matched, explained."""

    list_id: str = Field(alias="list")
    entity_id: str
    name: str = Field(description="The entry's primary name.")
    matched_alias: str
    score: float
    query: str = Field(description="The name (of the actor's) whose screening gave this hit.")
    explanation: dict[str, Any] = Field(description="Which words matched which, and why.")
    reference: str | None
    programmes: list[str]
    listed_on: dt.date | None
    list_published: str = Field(
        description="The publication date of the copy of the list the entry was found in, "
        "or ``undated``."
    )
    decision: HitDecisionOut | None
    suggestions: list[Verdict] = Field(
        default_factory=list,
        description="Verdicts other cases shared on this hit: suggestions only (who, when "
        "and why are not shown), applied to this case when someone here confirms one.",
    )


class ExposureCellOut(_Out):
    """One planned activity in one jurisdiction: the level and what it rests on."""

    activity: str
    jurisdiction: str
    level: str = Field(description="prohibited, licence_needed, exposed, permitted or unknown.")
    provisions: list[dict[str, Any]]
    obtain_first: list[str]
    not_screened: list[dict[str, Any]]
    reasons: list[str]


class ExposureOut(_Out):
    """The engagement's legal exposure with one actor, per activity and jurisdiction."""

    as_of: dt.date
    rules_as_of: dt.date
    activities: list[str]
    jurisdictions: list[str]
    designations: list[str]
    cells: list[ExposureCellOut]
    not_screened: list[dict[str, Any]]
    notes: list[str]
    disclaimer: str


class ActorScreeningOut(_Out):
    """One screened actor: its names, hits (best per entry) and exposure."""

    actor: str
    name: str
    names_screened: list[str]
    hits: list[HitOut] = Field(description="In force on the screening's date, best first.")
    listed_later: list[HitOut] = Field(description="Entries listed after the screening's date.")
    exposure: ExposureOut | None


class ScreeningOut(_Out):
    """The case's armed actors screened against the installed lists, and the exposure."""

    case: str
    lists_installed: bool
    message: str | None = Field(description="What to do when no list is installed.")
    as_of: dt.date
    lists: list[ListUsedOut]
    activities: list[str]
    jurisdictions: list[str]
    actors: list[ActorScreeningOut]
    notes: list[str]
    disclaimer: str
    redacted: bool = Field(description="Whether sensitive names are masked for the caller.")


class DecisionRecordedOut(_Out):
    """A decision just recorded (its note, if any, is stored encrypted and not echoed)."""

    seq: int = Field(description="The decision's number in the store.")
    query: str
    list_id: str = Field(alias="list")
    entity_id: str
    verdict: Verdict
    user: str
    at: dt.datetime
    case_id: str
    has_note: bool
