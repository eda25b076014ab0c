"""Every analysis of one case on one day, run once, for the brief, the JSON and the web.

``analyse_for_brief`` first cuts the case and the event data at the day
(``model.as_of.known_on``: a replay sees only what was known then), then runs the stage
assessment, the actor analyses (once), the event alerts, the screening, the evidence panel
and the strategy engine on whatever inputs are given; ``brief_report`` turns the result
into a full or redacted report model. Callers (the CLI, the demo, the web workspace) only
decide which data are installed.

What a redacted report masks is decided on the whole case, before the cut
(``CaseAnalysis.disclosure``): an actor whose channel to a counterpart began after the
replay's day is still masked in a replay written today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from backchannel.actors.analysis import ActorAnalysis, analyse_case
from backchannel.datasets.freshness import DataAge
from backchannel.dialogue.evidence import EvidenceSources, build_evidence_panel
from backchannel.dialogue.inputs import StrategyInputs
from backchannel.dialogue.strategy import Strategy, recommend
from backchannel.events.alerts import Alert
from backchannel.events.backends import connect, event_table
from backchannel.events.coverage import FileExtent
from backchannel.events.ucdp_conflicts import ConflictYear
from backchannel.model.as_of import Withheld, known_on
from backchannel.model.case import Case
from backchannel.redaction import Disclosure
from backchannel.reports.actor_section import build_actor_section
from backchannel.reports.case_report import CaseReport, build_case_report
from backchannel.reports.event_signals import EventSignals, event_signals, no_event_signals
from backchannel.reports.legal_section import LegalSection, build_legal_section
from backchannel.reports.negotiation_section import build_negotiation_section
from backchannel.reports.strategy_section import build_strategy_section
from backchannel.reports.structural import StructuralSection, structural_section
from backchannel.risk.assessment import CaseAssessment, assess_case
from backchannel.screening.case_screening import CaseScreening, screen_case
from backchannel.screening.screen import Screening


@dataclass(frozen=True)
class CaseAnalysis:
    """The results of every analysis run on one case on one day.

    ``case`` is the case as known on ``as_of``; ``withheld`` says what the cut held back;
    ``disclosure`` is how redacted outputs of the whole case mask it; ``data_ages`` how
    old the installed data sets read were (the brief names them).
    """

    case: Case
    as_of: dt.date
    assessment: CaseAssessment
    strategy: Strategy
    structural: StructuralSection | None
    events: EventSignals
    screening: CaseScreening | None
    legal: LegalSection | None
    actors: ActorAnalysis
    withheld: Withheld
    disclosure: Disclosure
    data_ages: tuple[DataAge, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON document of ``backchannel assess``: the stage, the strategy, the cut."""
        return {
            "case": self.case.id,
            **self.assessment.as_dict(),
            **{k: v for k, v in self.strategy.as_dict().items() if k != "as_of"},
            "judgements_after_as_of": list(self.withheld.judgements),
            "withheld": self.withheld.as_dict(),
            "data_ages": [age.as_dict() for age in self.data_ages],
        }


def events_known_on(events: pa.Table, day: dt.date) -> pa.Table:
    """The events over by ``day`` (an event is fully known only once it has ended)."""
    return events.filter(pc.less_equal(events["date_end"], pa.scalar(day, pa.date32())))


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
    extents: Mapping[str, FileExtent] | None = None,
    conflicts: Iterable[ConflictYear] | None = None,
    timelines: bool = True,
    data_ages: Sequence[DataAge] = (),
) -> CaseAnalysis:
    """Run every analysis the given inputs allow on the case as known on ``as_of``.

    ``as_of`` defaults to the end of the case's period, else today. Event data are cut at
    the day and used only where they cover the country and window (their alerts are
    withheld from the strategy otherwise, and the brief says why). ``timelines=False``
    skips drawing the counterparts' violence charts, which only the brief shows.
    ``data_ages`` (``datasets.installed_data_ages``) are the installed data sets the given
    inputs came from, which the brief names with their age.
    """
    day = as_of or case.context.period.end or dt.date.today()
    known = known_on(case, day)
    cut = known.case
    then = events_known_on(events, day) if events is not None else None
    connection = connect() if then is not None else None
    table = event_table(then) if then is not None else None
    assessment = assess_case(
        cut,
        day,
        table,
        connection,
        predictors=predictors,
        extents=extents,
        conflicts=conflicts,
        coverage_events=event_table(events) if events is not None else None,
    )
    coverage = assessment.coverage
    if then is not None and coverage is not None and coverage.adequate:
        signals = event_signals(cut, then, event_source, day, timelines=timelines)
        alerts: tuple[Alert, ...] | None = tuple(signals.typed_alerts)
    else:
        signals = no_event_signals(event_source, coverage)
        alerts = None
    screened = screen_case(cut, screening, activities=activities, as_of=day) if screening else None
    actors = analyse_case(cut, day)
    counterparts = [c.id for c in actors.counterparts]
    panel = (
        build_evidence_panel(cut, evidence_sources, counterparts=counterparts)
        if evidence_sources is not None
        else None
    )
    inputs = StrategyInputs(
        cut,
        day,
        actors,
        stage=assessment,
        alerts=alerts,
        screening=screened,
        evidence=panel,
        activities=tuple(activities),
        withheld=known.withheld,
    )
    return CaseAnalysis(
        cut,
        day,
        assessment,
        recommend(inputs),
        structural_section(case.context.country, case.context.period.start.year, as_of=day),
        signals,
        screened,
        build_legal_section(screened) if screened else None,
        actors,
        known.withheld,
        Disclosure.of(case, counterparts=counterparts),
        tuple(data_ages),
    )


def brief_report(analysis: CaseAnalysis, *, redacted: bool = False) -> CaseReport:
    """The report model of the brief, full or redacted (masked by ``analysis.disclosure``;
    the negotiation's texts withheld)."""
    case = analysis.case
    shown = analysis.disclosure
    events = analysis.events
    if redacted and any(shown.mask_text(t.actor) != t.actor for t in events.timelines):
        # a chart's title names its actor in pixels the masking cannot reach
        kept = [t for t in events.timelines if shown.mask_text(t.actor) == t.actor]
        events = events.model_copy(update={"timelines": kept})
    report = build_case_report(
        case,
        redacted=redacted,
        disclosure=shown,
        structural=analysis.structural,
        events=events,
        stage=analysis.assessment.as_dict(),
        actors_map=build_actor_section(
            case, analysis.as_of, redacted=redacted, analysis=analysis.actors, disclosure=shown
        ),
        legal=analysis.legal,
        strategy=build_strategy_section(
            case, analysis.strategy, analysis.legal, redacted=redacted, disclosure=shown
        ),
        negotiation=build_negotiation_section(analysis.strategy.negotiation, redacted=redacted),
        withheld=analysis.withheld,
    )
    return report.model_copy(update={"data_ages": [a.as_dict() for a in analysis.data_ages]})
