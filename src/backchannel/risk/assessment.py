"""A case's risk stage from whatever sources are available, as of a date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis.expr.types as ir

from backchannel.model.case import Case
from backchannel.risk.stage import StageAssessment, StageRules, assess_stage, load_stage_rules
from backchannel.risk.stage_inputs import event_measures, structural_measures


def assess_case(
    case: Case,
    as_of: dt.date | None = None,
    events: ir.Table | None = None,
    connection: Any | None = None,
    rules: StageRules | None = None,
) -> tuple[StageAssessment, dict[str, float | None], list[str]]:
    """The stage, the measures it read and notes on what was missing.

    ``as_of`` defaults to the end of the case period (or its start when open). Without
    ``events`` the event source is reported missing rather than guessed.
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
    result = assess_stage(measures, rules or load_stage_rules(), evidence)
    return result, measures, notes
