"""Every analysis of one case, run once, for the brief, the JSON output and the demo.

``analyse_for_brief`` runs the stage assessment, the actor analyses, the event alerts, the
screening, the evidence panel and the strategy engine on whatever inputs are given, and
``brief_report`` turns the result into a full or redacted report model. Callers (the CLI,
the demo, later the web workspace) only decide which data are installed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa

from backchannel.actors.analysis import analyse_case
from backchannel.dialogue.evidence import EvidenceSources, build_evidence_panel
from backchannel.dialogue.inputs import StrategyInputs
from backchannel.dialogue.strategy import Strategy, recommend
from backchannel.events.backends import connect, event_table
from backchannel.model.case import Case
from backchannel.reports.actor_section import build_actor_section
from backchannel.reports.case_report import CaseReport, build_case_report
from backchannel.reports.event_signals import EventSignals, event_signals
from backchannel.reports.legal_section import LegalSection, build_legal_section
from backchannel.reports.strategy_section import build_strategy_section
from backchannel.reports.structural import StructuralSection, structural_section
from backchannel.risk.assessment import CaseAssessment, assess_case
from backchannel.screening.case_screening import CaseScreening, screen_case
from backchannel.screening.screen import Screening


@dataclass(frozen=True)
class CaseAnalysis:
    """The results of every analysis run on one case on one day."""

    case: Case
    as_of: dt.date
    assessment: CaseAssessment
    strategy: Strategy
    structural: StructuralSection | None
    events: EventSignals
    screening: CaseScreening | None
    legal: LegalSection | None

    def as_dict(self) -> dict[str, Any]:
        """The JSON document of ``backchannel assess``: the stage and the strategy."""
        return {
            "case": self.case.id,
            **self.assessment.as_dict(),
            **{k: v for k, v in self.strategy.as_dict().items() if k != "as_of"},
        }


def analyse_for_brief(
    case: Case,
    as_of: dt.date | None = None,
    *,
    events: pa.Table | None = None,
    event_source: str = "",
    screening: Screening | None = None,
    activities: Sequence[str] = ("meeting",),
    predictors: pd.DataFrame | None = None,
    evidence_sources: EvidenceSources | None = None,
) -> CaseAnalysis:
    """Run every analysis the given inputs allow; missing ones are named in the strategy."""
    day = as_of or case.context.period.end or dt.date.today()
    if events is not None:
        assessment = assess_case(case, day, event_table(events), connect(), predictors=predictors)
    else:
        assessment = assess_case(case, day, predictors=predictors)
    # without events the section still says how to install them; the strategy is told
    # there were no event data (None), not that the data raised no alert (an empty list)
    signals = event_signals(case, events, event_source)
    screened = screen_case(case, screening, activities=activities, as_of=day) if screening else None
    evidence = None
    actors = analyse_case(case, day)
    if evidence_sources is not None:
        counterparts = [c.id for c in actors.counterparts]
        evidence = build_evidence_panel(case, evidence_sources, counterparts=counterparts).as_dict()
    inputs = StrategyInputs(
        case,
        day,
        actors,
        stage=assessment.as_dict(),
        alerts=signals.alerts if events is not None else None,
        screening=screened,
        evidence=evidence,
        activities=tuple(activities),
    )
    return CaseAnalysis(
        case,
        day,
        assessment,
        recommend(inputs),
        structural_section(case.context.country, case.context.period.start.year),
        signals,
        screened,
        build_legal_section(screened) if screened else None,
    )


def brief_report(analysis: CaseAnalysis, *, redacted: bool = False) -> CaseReport:
    """The report model of the brief, full or redacted."""
    case = analysis.case
    return build_case_report(
        case,
        redacted=redacted,
        structural=analysis.structural,
        events=analysis.events,
        stage=analysis.assessment.as_dict(),
        actors_map=build_actor_section(case, analysis.as_of, redacted=redacted),
        legal=analysis.legal,
        strategy=build_strategy_section(case, analysis.strategy, analysis.legal, redacted=redacted),
    )
