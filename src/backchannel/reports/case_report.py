"""The case report model: what a brief says about a case, as plain JSON-ready data.

Building the report is separate from rendering it, so the same content feeds HTML now and
PDF, the web workspace and JSON exports later. A redacted report leaves out every
sensitive field (the model and the redaction rules mark them) and the sources' addresses,
and shows every masked actor by its label and every record id by an opaque one
(``redaction.Disclosure``), so it can circulate beyond the need-to-know circle.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from backchannel.model.as_of import Withheld
from backchannel.model.case import Case, Record
from backchannel.redaction import WITHHELD, Disclosure
from backchannel.reports.actor_section import ActorSection
from backchannel.reports.event_signals import EventSignals
from backchannel.reports.legal_section import LegalSection
from backchannel.reports.negotiation_section import NegotiationSection
from backchannel.reports.strategy_section import StrategySection
from backchannel.reports.structural import StructuralSection

#: What a redacted report shows in place of a field it leaves out.
MASK = WITHHELD


class TimelineEntry(BaseModel):
    """One dated item of the dialogue timeline: an engagement or a commitment."""

    model_config = ConfigDict(frozen=True)

    date: dt.date
    end: dt.date | None
    kind: str
    title: str
    detail: str
    status: str


class CaseReport(BaseModel):
    """Everything the case section of a brief shows."""

    model_config = ConfigDict(frozen=True)

    case_id: str
    title: str
    country: str
    regions: list[str]
    period: str
    summary: str
    redacted: bool
    generated_at: dt.datetime
    counts: dict[str, int]
    actors_by_kind: dict[str, list[dict[str, Any]]]
    relations: list[dict[str, Any]]
    timeline: list[TimelineEntry]
    judgements: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    gaps: list[str]
    structural: StructuralSection | None = None
    events: EventSignals | None = None
    stage: dict[str, Any] | None = None
    actors_map: ActorSection | None = None
    legal: LegalSection | None = None
    strategy: StrategySection | None = None
    #: The negotiation (page 1's block, the body's section and the annex), its texts
    #: withheld in a redacted report.
    negotiation: NegotiationSection | None = None
    #: What a replay held back (JSON form of ``model.as_of.Withheld``); None when not cut.
    withheld: dict[str, Any] | None = None
    #: The installed data sets the analysis read, with publication date, age and whether
    #: stale (JSON form of ``datasets.freshness.DataAge``); empty when none or not known.
    data_ages: list[dict[str, Any]] = []


def build_case_report(
    case: Case,
    *,
    redacted: bool = False,
    now: dt.datetime | None = None,
    structural: StructuralSection | None = None,
    events: EventSignals | None = None,
    stage: dict[str, Any] | None = None,
    actors_map: ActorSection | None = None,
    legal: LegalSection | None = None,
    strategy: StrategySection | None = None,
    negotiation: NegotiationSection | None = None,
    withheld: Withheld | None = None,
    disclosure: Disclosure | None = None,
) -> CaseReport:
    """Summarise what a case holds; with ``redacted`` every sensitive field is masked.

    ``case`` is the case as known on the brief's day when ``withheld`` (what the cut held
    back) is given; undated sources are then marked so a reader checks them. A redacted
    report masks by ``disclosure`` (made from the whole case, not a replay's cut of it),
    or by one made from ``case`` when none is given; the sections passed in are masked
    with the rest.
    """
    shown = (disclosure or Disclosure.of(case)) if redacted else None
    actors = {a.id: _visible(a, shown) for a in case.actors}
    names = {actor_id: str(actor["name"]) for actor_id, actor in actors.items()}

    by_kind: dict[str, list[dict[str, Any]]] = {}
    for actor in actors.values():
        by_kind.setdefault(str(actor["kind"]), []).append(actor)

    relations = []
    for relation in case.relations:
        row = _visible(relation, shown)
        row["source_name"] = names[relation.source]
        row["target_name"] = names[relation.target]
        relations.append(row)

    timeline: list[TimelineEntry] = []
    for engagement in case.engagements:
        visible = _visible(engagement, shown)
        counterparts = (
            ", ".join(names[c] for c in engagement.counterparts) or "no counterpart recorded"
        )
        modality = f"{engagement.modality.value} " if engagement.modality else ""
        timeline.append(
            TimelineEntry(
                date=engagement.date,
                end=engagement.end_date,
                kind="engagement",
                title=f"{modality}engagement with {counterparts} ({_words(engagement.channel)})",
                detail=str(visible.get("summary") or ""),
                status=_words(engagement.outcome),
            )
        )
    for commitment in case.commitments:
        visible = _visible(commitment, shown)
        area = ", ".join(commitment.area) or "whole country"
        timeline.append(
            TimelineEntry(
                date=commitment.start,
                end=commitment.end,
                kind="commitment",
                title=f"{names[commitment.party]}: {_words(commitment.kind)} ({area})",
                detail=str(visible.get("text") or ""),
                status=_words(commitment.status),
            )
        )
    timeline.sort(key=lambda entry: (entry.date, entry.kind))

    counts = Counter(
        {collection: len(getattr(case, collection)) for collection in Case.COLLECTIONS}
    )
    text: dict[str, Any] = {
        "title": case.context.title,
        "summary": case.context.summary,
        "actors_by_kind": by_kind,
        "relations": relations,
        "timeline": [entry.model_dump() for entry in timeline],
        "judgements": [_visible(j, shown) for j in sorted(case.judgements, key=lambda j: j.at)],
        "sources": [
            {
                # a redacted brief drops a source's address rather than print a mask for it
                **(shown.record_view(s, hidden=None) if shown else s.model_dump(mode="json")),
                "undated": withheld is not None and s.id in withheld.undated_sources,
            }
            for s in case.sources
        ],
        "stage": stage,
    }
    report = CaseReport(
        case_id=case.id,
        country=case.context.country,
        regions=case.context.regions,
        period=_period_text(case.context.period.start, case.context.period.end),
        redacted=redacted,
        generated_at=now or dt.datetime.now(dt.UTC),
        counts=dict(counts),
        gaps=_gaps(case),
        structural=structural,
        events=events,
        actors_map=actors_map,
        legal=legal,
        strategy=strategy,
        negotiation=negotiation,
        withheld=None if withheld is None else withheld.as_dict(),
        **text,
    )
    # A masked actor's name is replaced in its own record, and also wherever any text of
    # the report (a source title, the summary, a finding, an analysis' reason) mentions it.
    return shown.redact(report) if shown else report


def _visible(record: Record, disclosure: Disclosure | None) -> dict[str, Any]:
    if disclosure is None:
        return record.model_dump(mode="json")
    return disclosure.record_view(record, hidden=MASK)


def _words(value: StrEnum) -> str:
    return value.value.replace("_", " ")


def _period_text(start: dt.date, end: dt.date | None) -> str:
    return f"{start.isoformat()} to {end.isoformat() if end else 'open'}"


def _gaps(case: Case) -> list[str]:
    """What the case does not yet hold that later analyses will need."""
    gaps = []
    kinds = {a.kind.value for a in case.actors}
    if "own_organisation" not in kinds:
        gaps.append("Our own organisation is not among the actors: readiness cannot be assessed.")
    if not case.engagements:
        gaps.append("No engagement is recorded: there is no dialogue timeline yet.")
    if not case.judgements:
        gaps.append("No analyst judgement is recorded.")
    unsourced = [r for _, _, r in case.records() if not getattr(r, "references", [])]
    if unsourced:
        gaps.append(f"{len(unsourced)} record(s) cite no source.")
    return gaps
