"""A case's risk stage from whatever sources are available, as of a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import ibis.expr.types as ir

from backchannel.model.case import Case
from backchannel.risk.factors import FactorRollUp, framework_measures, roll_up
from backchannel.risk.framework import load_framework
from backchannel.risk.stage import StageAssessment, StageRules, assess_stage, load_stage_rules
from backchannel.risk.stage_inputs import event_measures, structural_measures


@dataclass(frozen=True)
class CaseAssessment:
    """The stage with what it read: measures, the 14 factors, and notes on gaps."""

    as_of: dt.date
    stage: StageAssessment
    measures: dict[str, float | None]
    factors: list[FactorRollUp]
    notes: list[str]

    def as_dict(self) -> dict[str, Any]:
        """The JSON document of ``backchannel assess``."""
        return {
            "as_of": self.as_of.isoformat(),
            **self.stage.as_dict(),
            "factors": [factor.as_dict() for factor in self.factors],
            "measures": self.measures,
            "notes": self.notes,
        }


def assess_case(
    case: Case,
    as_of: dt.date | None = None,
    events: ir.Table | None = None,
    connection: Any | None = None,
    rules: StageRules | None = None,
) -> CaseAssessment:
    """Assess the case with only what was known on ``as_of`` (default: the end of its period).

    Without ``events`` the event source is reported missing rather than guessed.
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
    factors = roll_up(load_framework(), list(case.judgements), day)
    measures.update(framework_measures(factors))
    evidence.update(
        {
            "framework_factors_present": [
                j for f in factors if f.status == "present" for j in f.judgements
            ],
        }
    )
    stage = assess_stage(measures, rules or load_stage_rules(), evidence)
    return CaseAssessment(day, stage, measures, factors, notes)
