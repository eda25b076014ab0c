"""What the strategy engine reads: the case and whichever analyses could be run on it.

Every analysis but the case itself is optional. The engine works with what exists and
says which inputs are missing, so a case with no event data or no screening still gets a
recommendation, with the gaps named.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from backchannel.actors.analysis import ActorAnalysis
from backchannel.model.case import Case, Commitment, Engagement
from backchannel.screening.case_screening import CaseScreening

#: The inputs besides the case, as the JSON names them, with what each is missing for.
OPTIONAL_INPUTS = {
    "stage": "the risk stage (backchannel assess): the modality rules read it first",
    "events": "event data (backchannel data pull ucdp-ged): the buying-time and commitment "
    "alerts, and the danger of the area",
    "screening": "designation lists (backchannel data pull un-sanctions ofac-sdn): legal "
    "clearance and legal exposure",
    "evidence": "UCDP termination, peace agreement, PA-X and USHMM data: the evidence panel",
}


@dataclass(frozen=True)
class StrategyInputs:
    """The case on ``as_of`` and the analyses of it; ``None`` means not available.

    ``stage`` is the JSON document of the stage assessment (``CaseAssessment.as_dict``);
    ``alerts`` are event alerts as JSON documents (``Alert.as_dict``), an empty list when
    event data were read and raised none; ``evidence`` is the evidence panel's document.
    """

    case: Case
    as_of: dt.date
    actors: ActorAnalysis
    stage: Mapping[str, Any] | None = None
    alerts: Sequence[Mapping[str, Any]] | None = None
    screening: CaseScreening | None = None
    evidence: Mapping[str, Any] | None = None
    activities: tuple[str, ...] = ("meeting",)
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def counterparts(self) -> list[str]:
        """The ids of the groups the strategy is about (the actor analysis chose them)."""
        return [c.id for c in self.actors.counterparts]

    def missing(self) -> list[str]:
        """The optional inputs not available, each with what it would have given."""
        given = {
            "stage": self.stage,
            "events": self.alerts,
            "screening": self.screening,
            "evidence": self.evidence,
        }
        return [f"{name}: {why}" for name, why in OPTIONAL_INPUTS.items() if given[name] is None]

    def engagements_with_counterparts(self) -> list[Engagement]:
        """Engagements with any counterpart up to ``as_of``, oldest first."""
        wanted = set(self.counterparts)
        return sorted(
            (
                e
                for e in self.case.engagements
                if e.date <= self.as_of and wanted.intersection(e.counterparts)
            ),
            key=lambda e: e.date,
        )

    def counterpart_commitments(self) -> list[Commitment]:
        """Commitments made by a counterpart up to ``as_of``, oldest first."""
        wanted = set(self.counterparts)
        return sorted(
            (c for c in self.case.commitments if c.party in wanted and c.start <= self.as_of),
            key=lambda c: c.start,
        )
