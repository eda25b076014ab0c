"""A case's risk stage from whatever sources are available, as of a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from backchannel.model.case import Case, Judgement
from backchannel.risk.factors import HIGHEST_SEVERITY, FactorRollUp, framework_measures, roll_up
from backchannel.risk.framework import load_framework
from backchannel.risk.prefill import suggest_judgements
from backchannel.risk.stage import StageAssessment, StageRules, assess_stage, packaged_stage_rules
from backchannel.risk.stage_inputs import (
    event_measures,
    predictor_measures,
    structural_measures,
)


@dataclass(frozen=True)
class CaseAssessment:
    """The stage with what it read: measures, the 14 factors, and notes on gaps."""

    as_of: dt.date
    stage: StageAssessment
    measures: dict[str, float | None]
    factors: list[FactorRollUp]
    notes: list[str]
    set_aside: list[str] = field(default_factory=list)
    suggestions: list[Judgement] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON document of ``backchannel assess``."""
        return {
            "as_of": self.as_of.isoformat(),
            **self.stage.as_dict(),
            "factors": [factor.as_dict() for factor in self.factors],
            "measures": self.measures,
            "judgements_after_as_of": self.set_aside,
            "notes": self.notes,
        }


def assess_case(
    case: Case,
    as_of: dt.date | None = None,
    events: ir.Table | None = None,
    connection: Any | None = None,
    *,
    rules: StageRules | None = None,
    predictors: pd.DataFrame | None = None,
) -> CaseAssessment:
    """Assess the case with only what was known on ``as_of`` (default: the end of its period).

    Without ``events`` the event source is reported missing rather than guessed. Event
    data and the EWP ``predictors`` (when given) also yield machine-suggested judgements on
    the framework indicators they speak to; those count nowhere until an analyst reviews
    them. Judgements dated after ``as_of`` are set aside and listed.
    """
    day = as_of or case.context.period.end or case.context.period.start
    measures: dict[str, float | None] = dict(structural_measures(case.context.country, day))
    evidence: dict[str, list[str]] = {}
    notes = []
    if events is not None and connection is not None:
        found, evidence = event_measures(connection, events, case.context.country, day)
        measures.update(found)
        if not found:
            notes.append(f"the event data hold no events in {case.context.country} up to {day}")
    else:
        notes.append("no event data: install UCDP GED (`backchannel data pull ucdp-ged`)")
    if predictors is not None:
        measures.update(predictor_measures(predictors, case.context.country, day))
    suggestions = suggest_judgements(measures, evidence, day)
    rolled = roll_up(load_framework(), case.judgements, day, suggestions)
    if rolled.set_aside:
        notes.append(
            f"{len(rolled.set_aside)} framework judgement(s) dated after {day} set aside: "
            + ", ".join(rolled.set_aside)
        )
    stage_measures = {k: v for k, v in measures.items() if not k.startswith("ewp_")}
    stage_measures.update(framework_measures(rolled))
    evidence["framework_factors_present"] = [
        j for f in rolled.factors if f.status == "present" for j in f.judgements
    ]
    evidence["framework_specific_severe_in_conflict"] = [
        j
        for f in rolled.factors
        if f.category != "common" and f.status == "present" and f.severity == HIGHEST_SEVERITY
        for j in f.judgements
    ]
    stage = assess_stage(stage_measures, rules or packaged_stage_rules(), evidence)
    return CaseAssessment(
        day, stage, measures | stage_measures, rolled.factors, notes, rolled.set_aside, suggestions
    )
