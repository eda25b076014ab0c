"""A case's risk stage from whatever sources are adequate, as of a date.

Every source is checked before it is read: event data must cover the case's country and the
24 months before the as-of date (``events.coverage``), the analysts' framework judgements
must judge enough factors (``stage.yaml`` ``adequacy``), and the UCDP record of armed
conflict speaks only when it is installed. A source that falls short is left out and named
with why, so thin or missing data never read as low risk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from backchannel.events.coverage import EventCoverage, FileExtent, event_coverage
from backchannel.events.ucdp_conflicts import ConflictActivity, ConflictYear, active_conflicts
from backchannel.model.case import Case, Judgement
from backchannel.model.vocabulary import Finding
from backchannel.risk.factors import (
    HIGHEST_SEVERITY,
    FactorRollUp,
    FrameworkRollUp,
    framework_measures,
    roll_up,
)
from backchannel.risk.framework import load_framework
from backchannel.risk.prefill import suggest_judgements
from backchannel.risk.stage import StageAssessment, StageRules, assess_stage, packaged_stage_rules
from backchannel.risk.stage_inputs import (
    event_country_names,
    event_measures,
    predictor_measures,
    structural_measures,
)


@dataclass(frozen=True)
class CaseAssessment:
    """The stage with what it read: measures, the 14 factors, coverage, and notes on gaps."""

    as_of: dt.date
    stage: StageAssessment
    measures: dict[str, float | None]
    factors: list[FactorRollUp]
    notes: list[str]
    set_aside: list[str] = field(default_factory=list)
    suggestions: list[Judgement] = field(default_factory=list)
    coverage: EventCoverage | None = None
    conflict: ConflictActivity | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON document of ``backchannel assess``."""
        return {
            "as_of": self.as_of.isoformat(),
            **self.stage.as_dict(),
            "factors": [factor.as_dict() for factor in self.factors],
            "measures": {k: _rounded(v) for k, v in self.measures.items()},
            "event_coverage": None
            if self.coverage is None
            else self.coverage.model_dump(mode="json"),
            "active_conflict": None
            if self.conflict is None
            else self.conflict.model_dump(mode="json"),
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
    extents: Mapping[str, FileExtent] | None = None,
    conflicts: Iterable[ConflictYear] | None = None,
    coverage_events: ir.Table | None = None,
) -> CaseAssessment:
    """Assess the case with only what was known on ``as_of`` (default: the end of its period).

    Without ``events`` the event source is reported missing rather than guessed; with
    events that do not cover the country and window, it is left out with the reasons.
    ``extents`` are the installed files' declared extents (by source file); ``conflicts``
    the UCDP/PRIO armed-conflict rows, when installed. ``coverage_events`` are the events
    as installed when ``events`` were cut at the day: how far a data set reaches is a
    property of the snapshot, not of what happened, so coverage reads it from them. Event
    data and the EWP
    ``predictors`` (when given) also yield machine-suggested judgements on the framework
    indicators they speak to; those count nowhere until an analyst reviews them.
    Judgements dated after ``as_of`` are set aside and listed.
    """
    rules = rules or packaged_stage_rules()
    day = as_of or case.context.period.end or case.context.period.start
    iso3 = case.context.country
    measures: dict[str, float | None] = dict(structural_measures(iso3, day))
    evidence: dict[str, list[str]] = {}
    notes: list[str] = []
    source_notes: dict[str, str] = {}
    conflict = None
    if conflicts is not None:
        conflict = active_conflicts(conflicts, iso3, day)
        measures["ucdp_active_conflict"] = 1.0 if conflict is not None else 0.0
        evidence["ucdp_active_conflict"] = (
            [f"ucdp-acd:{c.conflict_id}" for c in conflict.conflicts] if conflict else []
        )
    else:
        source_notes["conflict"] = (
            "the UCDP/PRIO Armed Conflict Dataset is not installed "
            "(`backchannel data pull ucdp-acd`)"
        )
    coverage = None
    found: dict[str, float | None] = {}
    if events is not None and connection is not None:
        coverage = event_coverage(
            connection,
            coverage_events if coverage_events is not None else events,
            extents or {},
            iso3,
            day,
            active_conflict=conflict,
            country_names=event_country_names(iso3),
        )
        found, evidence_found = event_measures(connection, events, iso3, day)
        if coverage.adequate:
            measures.update(found)
            evidence.update(evidence_found)
        else:
            source_notes["events"] = "; ".join(coverage.problems)
            notes.append("event data left out of the stage: " + source_notes["events"])
    else:
        source_notes["events"] = (
            "no event data: install UCDP GED (`backchannel data pull ucdp-ged`)"
        )
        notes.append(source_notes["events"])
    if predictors is not None:
        measures.update(predictor_measures(predictors, iso3, day))
    # suggestions only ever say "present", so even thin data can propose them for review
    suggestions = suggest_judgements({**measures, **found}, evidence, day)
    rolled = roll_up(load_framework(), case.judgements, day, suggestions)
    if rolled.set_aside:
        notes.append(
            f"{len(rolled.set_aside)} framework judgement(s) recorded after {day} set aside"
        )
    stage_measures = {k: v for k, v in measures.items() if not k.startswith("ewp_")}
    framework, why = _framework_reading(rolled, rules)
    if framework:
        stage_measures.update(framework)
    else:
        source_notes["framework"] = why
    evidence["framework_factors_present"] = [
        j for f in rolled.factors if f.status == "present" for j in f.judgements
    ]
    evidence["framework_armed_conflict"] = [
        j for f in rolled.factors if f.id == "rf1" and f.status == "present" for j in f.judgements
    ]
    evidence["framework_specific_severe_in_conflict"] = [
        j
        for f in rolled.factors
        if f.category != "common" and f.status == "present" and f.severity == HIGHEST_SEVERITY
        for j in f.judgements
    ]
    stage = assess_stage(stage_measures, rules, evidence, source_notes)
    return CaseAssessment(
        day,
        stage,
        measures | stage_measures,
        rolled.factors,
        notes,
        rolled.set_aside,
        suggestions,
        coverage,
        conflict,
    )


def _framework_reading(
    rolled: FrameworkRollUp, rules: StageRules
) -> tuple[dict[str, float | None], str]:
    """The framework measures when enough factors are judged, else why not."""
    judged = [
        f for f in rolled.factors if f.status in (Finding.PRESENT.value, Finding.ABSENT.value)
    ]
    present = [f for f in judged if f.status == Finding.PRESENT.value]
    if present or len(judged) >= rules.framework_min_judged:
        return framework_measures(rolled), ""
    return {}, (
        f"{len(judged)} of {len(rolled.factors)} UN Framework risk factors judged, none present "
        f"(at least {rules.framework_min_judged} are needed to read a stage from them)"
    )


def _rounded(value: float | None) -> float | None:
    """Measures at the precision their data allow: whole counts, two significant digits."""
    if value is None or value == int(value):
        return value
    return float(f"{value:.2g}")
