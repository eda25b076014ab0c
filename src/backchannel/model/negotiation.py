"""The negotiation itself: the mandate, the case's red and bottom lines, the Island of
Agreement and the Iceberg of positions, and the positions agreed among engagers.

These follow the tools of humanitarian negotiation practice (CCHN Field Manual on Frontline
Humanitarian Negotiation, 2019): the mandator who sets the objectives and limits of the
negotiation (tool 15) and its red lines (tool 17); the Island of Agreement (tool 2), facts
and norms on which the sides agree or diverge; the Iceberg (tool 9), each side's position
and the reasons and values beneath it. Everything a team would keep from the counterpart
(what it would concede, who mandated it, what was agreed in private) is sensitive.

Every entry is dated, so a replay as of a past day sees only the entries known then, and
every Island of Agreement entry cites where it comes from: a source or an engagement.
"""

from __future__ import annotations

import datetime as dt
from typing import Self

from pydantic import Field, model_validator

from backchannel.model.base import Record, RecordId, check_order, sensitive
from backchannel.model.limits import MAX_LIST_ITEMS, Label, Name, Text
from backchannel.model.vocabulary import (
    AgreementKind,
    CommitmentStatus,
    Side,
    VerificationMethod,
)

#: Most entries in a list of objectives, limits, reasons or values.
MAX_POINTS = 50
Points = list[Text]


class Approval(Record):
    """Who approved the engagement, or a step of it, and when."""

    by: Name = Field(**sensitive("Who approved (a person or a body); sensitive."))
    date: dt.date
    covers: Text = Field(default="", **sensitive("What the approval covers; sensitive."))


class Mandate(Record):
    """Who mandated our organisation to negotiate, for what, and within which limits."""

    mandator: Name = Field(**sensitive("Who gave the mandate; sensitive."))
    date: dt.date = Field(description="The day the mandate was given.")
    valid_until: dt.date | None = Field(
        default=None, description="The day the mandate lapses unless renewed."
    )
    objectives: Points = Field(
        default_factory=list,
        max_length=MAX_POINTS,
        **sensitive("What the mandator asks the negotiation to achieve; sensitive."),
    )
    limits: Points = Field(
        default_factory=list,
        max_length=MAX_POINTS,
        **sensitive("What the negotiator may not do or discuss; sensitive."),
    )
    approvals: list[Approval] = Field(default_factory=list, max_length=MAX_POINTS)
    references: list[RecordId] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        check_order(self.date, self.valid_until, "date", "valid_until")
        return self

    def in_force(self, day: dt.date) -> bool:
        """Whether the mandate was given by ``day`` and had not lapsed."""
        return self.date <= day and (self.valid_until is None or day <= self.valid_until)


class CaseLine(Record):
    """A red line (what we never concede) or a bottom line (the least we accept) of this
    case, with who set it."""

    id: RecordId
    text: Text = Field(min_length=1, **sensitive("The line as worded; sensitive."))
    set_by: Name = Field(**sensitive("Who set the line (the mandator, the team); sensitive."))
    date: dt.date | None = Field(default=None, description="When the line was set.")
    adopted_from: str | None = Field(
        default=None,
        max_length=80,
        description="The generic red line of dialogue_plan.yaml this one adopts, by id.",
    )
    references: list[RecordId] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)


class IslandEntry(Record):
    """One entry of the Island of Agreement with a counterpart: a fact or norm on which the
    sides agree, or on which they diverge."""

    id: RecordId
    counterpart: RecordId = Field(description="The actor the negotiation is with.")
    kind: AgreementKind
    text: Text = Field(min_length=1, **sensitive("The fact or norm; sensitive."))
    date: dt.date = Field(description="When the agreement or divergence was established.")
    engagement: RecordId | None = Field(
        default=None, description="The engagement where it was established."
    )
    references: list[RecordId] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)

    @model_validator(mode="after")
    def _sourced(self) -> Self:
        if not self.references and self.engagement is None:
            raise ValueError(
                "an Island of Agreement entry must say where it comes from: give references "
                "(source ids) or the engagement where it was established"
            )
        return self


class Position(Record):
    """One side's position towards a counterpart, with the reasons and values beneath it
    (the Iceberg), what that side asks and what it can offer."""

    id: RecordId
    counterpart: RecordId = Field(description="The actor the negotiation is with.")
    side: Side = Field(description="them: the counterpart's position; us: ours.")
    position: Text = Field(min_length=1, **sensitive("What the side asks for; sensitive."))
    reasons: Points = Field(
        default_factory=list, max_length=MAX_POINTS, **sensitive("Why it asks it; sensitive.")
    )
    values: Points = Field(
        default_factory=list,
        max_length=MAX_POINTS,
        **sensitive("The values and identity beneath the reasons; sensitive."),
    )
    offers: Points = Field(
        default_factory=list,
        max_length=MAX_POINTS,
        **sensitive("What the side can give in return; sensitive."),
    )
    date: dt.date = Field(description="When the position was stated or read.")
    withdrawn: dt.date | None = Field(default=None, description="When the side dropped it.")
    crosses_red_lines: list[RecordId] = Field(
        default_factory=list,
        max_length=MAX_LIST_ITEMS,
        description="For the counterpart's positions: the case's red lines it would cross.",
    )
    engagement: RecordId | None = Field(
        default=None, description="The engagement where it was stated."
    )
    references: list[RecordId] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        check_order(self.date, self.withdrawn, "date", "withdrawn")
        if self.crosses_red_lines and self.side is Side.US:
            raise ValueError("only the counterpart's positions can cross our red lines")
        return self

    def held_on(self, day: dt.date) -> bool:
        """Whether the position was stated by ``day`` and not yet withdrawn."""
        return self.date <= day and (self.withdrawn is None or day < self.withdrawn)


class CommonPosition(Record):
    """A position agreed among the organisations engaging the same counterparts."""

    id: RecordId
    text: Text = Field(min_length=1, **sensitive("The agreed position; sensitive."))
    engagers: list[RecordId] = Field(
        min_length=2,
        max_length=MAX_LIST_ITEMS,
        description="The actors (organisations) that agreed it, ours included if we did.",
    )
    counterparts: list[RecordId] = Field(
        default_factory=list,
        max_length=MAX_LIST_ITEMS,
        description="The counterparts it concerns; empty = every counterpart.",
    )
    date: dt.date
    references: list[RecordId] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)


class VerificationPlan(Record):
    """How a commitment's keeping will be checked, by whom and how often."""

    methods: list[VerificationMethod] = Field(min_length=1, max_length=len(VerificationMethod))
    by: Label | None = Field(default=None, **sensitive("Who verifies; sensitive."))
    interval_days: int | None = Field(
        default=None, ge=1, le=3660, description="Days between checks."
    )


class MonitoringEntry(Record):
    """One observation of whether a commitment is kept: what was seen, by whom, how, and
    the status it supports."""

    date: dt.date = Field(description="The day the observation became known.")
    method: VerificationMethod
    by: Name = Field(**sensitive("Who observed or reported; sensitive."))
    observed: Text = Field(min_length=1, **sensitive("What was observed; sensitive."))
    supports: CommitmentStatus = Field(description="The status the observation supports.")
    references: list[RecordId] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
