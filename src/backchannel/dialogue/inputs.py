"""What the strategy engine reads: the case as known on a day and the analyses of it.

Every analysis but the case itself is optional. The engine works with what exists and says
which inputs are missing, so a case with no event data or no screening still gets a
recommendation, with the gaps named. The inputs are typed results of the other packages
(the stage assessment, the event alerts, the screening, the evidence panel), read by
attribute, never re-parsed from JSON.

The case handed in is already cut at ``as_of`` (``backchannel.model.as_of.known_on``): a
replay sees only what was known that day, and ``withheld`` says what the cut held back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from backchannel.actors.analysis import ActorAnalysis
from backchannel.dialogue.evidence.panel import EvidencePanel
from backchannel.events.alerts import Alert
from backchannel.model.as_of import Withheld
from backchannel.model.attribution import is_ours, own_ids
from backchannel.model.case import Case, Commitment, Engagement
from backchannel.risk.assessment import CaseAssessment
from backchannel.screening.case_screening import CaseScreening

#: The inputs besides the case, as the JSON names them, with what each is missing for.
OPTIONAL_INPUTS = {
    "stage": "the risk stage (backchannel assess): the modality rules read it first",
    "events": "event data (backchannel data pull ucdp-ged): the buying-time and commitment alerts",
    "screening": "designation lists (backchannel data pull un-sanctions ofac-sdn): legal "
    "clearance and legal exposure",
    "evidence": "UCDP termination, peace agreement, PA-X and USHMM data: the evidence panel",
}


@dataclass(frozen=True)
class StrategyInputs:
    """The case on ``as_of`` and the analyses of it; ``None`` means not available.

    ``alerts`` is an empty tuple when event data were read and raised none, ``None`` when
    there were no usable event data.
    """

    case: Case
    as_of: dt.date
    actors: ActorAnalysis
    stage: CaseAssessment | None = None
    alerts: tuple[Alert, ...] | None = None
    screening: CaseScreening | None = None
    evidence: EvidencePanel | None = None
    activities: tuple[str, ...] = ("meeting",)
    withheld: Withheld | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def counterparts(self) -> list[str]:
        """The ids of the groups the strategy is about (the actor analysis chose them)."""
        return [c.id for c in self.actors.counterparts]

    @property
    def own(self) -> frozenset[str]:
        """Our own organisation's actor ids."""
        return own_ids(self.case)

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
        """Engagements with any counterpart up to ``as_of``, whoever held them, oldest first."""
        wanted = set(self.counterparts)
        return sorted(
            (
                e
                for e in self.case.engagements
                if e.date <= self.as_of and wanted.intersection(e.counterparts)
            ),
            key=lambda e: e.date,
        )

    def our_engagements(self) -> list[Engagement]:
        """Engagements our organisation held with a counterpart, oldest first."""
        return [e for e in self.engagements_with_counterparts() if is_ours(self.case, e)]

    def counterpart_commitments(self) -> list[Commitment]:
        """Commitments made by a counterpart up to ``as_of`` (to anyone), oldest first."""
        wanted = set(self.counterparts)
        return sorted(
            (c for c in self.case.commitments if c.party in wanted and c.start <= self.as_of),
            key=lambda c: c.start,
        )

    def commitments_to_us(self) -> list[Commitment]:
        """Counterpart commitments made in an engagement our organisation held."""
        ours = {e.id for e in self.our_engagements()}
        return [c for c in self.counterpart_commitments() if c.engagement in ours]
