"""A group's violence profile: who it killed, where, when, how that is changing, and with whom.

The group is found by name among the actors the event data name and the UCDP actor list
(``actor_names``); the profile says which names matched, in which source and field, with
how many events. Each source's figures are computed on that source's events alone
(``profile_figures`` says how, and what counts as a civilian fatality in GED and ACLED).

**Two sources are shown side by side, never added.** GED and ACLED record overlapping
sets of the same events with different rules (GED: organised violence with at least one
death, UCDP's best estimate; ACLED: every reported event, fatalities as reported), and
neither says which of its events the other also holds, so a sum would count the same
deaths twice and nothing in the data tells how many. ``by_source`` holds each source's
figures, ``totals`` each source's totals, and ``side_by_side`` the years next to each
other. The top-level figures (``civilian_fatalities_by_year``, ``events_by_year``, ...,
kept for the tools that read them) are those of one source, named in ``figures_source``:
UCDP GED when it names the group (its definitions are the ones the project's thresholds
and published comparisons use), else ACLED.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import ibis

from backchannel.events.actor_names import (
    UCDP_LIST,
    Resolution,
    actor_activity,
    build_candidates,
    name_census,
    resolve_actor,
)
from backchannel.events.crosswalk_csv import CrosswalkRow
from backchannel.events.profile_figures import (
    COUNTING_RULES,
    PEAKS_SHOWN,
    PeakEpisode,
    SourceFigures,
    TypeCount,
    describe_trend,
    source_figures,
)
from backchannel.events.ucdp_actors import UcdpActor

__all__ = [
    "PEAKS_SHOWN",
    "ActorProfile",
    "PeakEpisode",
    "SourceFigures",
    "TypeCount",
    "build_profile",
    "describe_trend",
    "profile_actor",
]

HEADLINE_ORDER = ("ged", "acled")


@dataclass(frozen=True)
class ActorProfile:
    """What the data say about one group (see the module docstring for the sources)."""

    actor: dict[str, Any]
    civilian_fatalities_by_year: dict[int, int]
    events_by_year: dict[int, int]
    fatalities_by_year: dict[int, int]
    trend: str
    peak_episodes: list[PeakEpisode]
    areas: dict[str, int]
    opponents: dict[str, int]
    allies_in_ucdp: list[int] = field(default_factory=list)
    matched_names: list[dict[str, Any]] = field(default_factory=list)
    events_as_actor1_by_year: dict[int, int] = field(default_factory=dict)
    events_by_type: dict[str, TypeCount] = field(default_factory=dict)
    allies_in_events: dict[str, int] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    figures_source: str | None = None
    by_source: dict[str, SourceFigures] = field(default_factory=dict)
    totals: dict[str, dict[str, Any]] = field(default_factory=dict)
    side_by_side: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (year keys become strings in JSON)."""
        return asdict(self)


def profile_actor(
    connection: Any,
    events: ibis.Table,
    query: str,
    ucdp_actors: Sequence[UcdpActor] = (),
    crosswalk: Sequence[CrosswalkRow] = (),
    *,
    exact_only: bool = False,
) -> ActorProfile:
    """The profile of the actor ``query`` names, over ``events``.

    Raises ``AmbiguousNameError`` (listing the candidates) when several actors match and
    ``NotFoundError`` when none does; see ``actor_names.resolve_actor``.
    """
    census = name_census(actor_activity(connection, events))
    candidates = build_candidates(census, ucdp_actors, crosswalk)
    resolution = resolve_actor(query, candidates, exact_only=exact_only)
    return build_profile(connection, events, resolution)


def build_profile(connection: Any, events: ibis.Table, resolution: Resolution) -> ActorProfile:
    """The profile of the resolved actor over ``events`` (executed on ``connection``)."""
    candidate = resolution.candidate
    by_source = {
        source: source_figures(connection, events, source, candidate.names_in(source))
        for source in candidate.sources
    }
    headline_source = next((s for s in HEADLINE_ORDER if s in by_source), None)
    if headline_source is None and by_source:
        headline_source = next(iter(by_source))
    headline = by_source.get(headline_source) if headline_source else None
    listed = candidate.ucdp_actor
    return ActorProfile(
        actor={
            "ucdp_id": candidate.ucdp_id,
            "name": candidate.name,
            "matched_name": resolution.matched_name,
            "exact_match": resolution.exact,
            "names": list(listed.names if listed else candidate.match_names),
            "query": resolution.query,
            "match_reason": resolution.reason,
        },
        civilian_fatalities_by_year=headline.civilian_fatalities_by_year if headline else {},
        events_by_year=headline.events_by_year if headline else {},
        fatalities_by_year=headline.fatalities_by_year if headline else {},
        trend=headline.trend if headline else describe_trend({}),
        peak_episodes=headline.peak_episodes if headline else [],
        areas=headline.areas if headline else {},
        opponents=headline.opponents if headline else {},
        allies_in_ucdp=list(listed.alliance_ids) if listed else [],
        matched_names=[
            {
                "name": s.name,
                "source": s.label,
                "events": None if s.source == UCDP_LIST else s.events,
                "linked_by": s.linked_by,
            }
            for s in candidate.source_names
        ],
        events_as_actor1_by_year=headline.events_as_actor1_by_year if headline else {},
        events_by_type=headline.events_by_type if headline else {},
        allies_in_events=headline.allies_in_events if headline else {},
        sources=list(by_source),
        figures_source=headline_source,
        by_source=by_source,
        totals={source: _totals(figures) for source, figures in by_source.items()},
        side_by_side=_side_by_side(by_source) if len(by_source) > 1 else [],
        notes=_notes(resolution, by_source, headline_source),
    )


def _totals(figures: SourceFigures) -> dict[str, Any]:
    return {
        "events": figures.events,
        "events_as_actor1": figures.events_as_actor1,
        "fatalities": figures.fatalities,
        "civilian_fatalities": figures.civilian_fatalities,
        "first_year": figures.first_year,
        "last_year": figures.last_year,
    }


def _side_by_side(by_source: dict[str, SourceFigures]) -> list[dict[str, Any]]:
    """Each year with every source's figures next to each other: zeros when the source
    covers the year but records nothing of the group, ``None`` when its events in the
    data do not reach that year (unknown, not zero)."""
    years = sorted({year for figures in by_source.values() for year in figures.events_by_year})
    return [
        {
            "year": year,
            **{
                source: {
                    "events": figures.events_by_year.get(year, 0),
                    "fatalities": figures.fatalities_by_year.get(year, 0),
                    "civilian_fatalities": figures.civilian_fatalities_by_year.get(year, 0),
                }
                if figures.covers(year)
                else None
                for source, figures in by_source.items()
            },
        }
        for year in years
    ]


def _notes(
    resolution: Resolution, by_source: dict[str, SourceFigures], headline: str | None
) -> list[str]:
    notes: list[str] = []
    candidate = resolution.candidate
    if not by_source:
        notes.append(
            f"no event in the data names {candidate.name!r}: only the UCDP actor list knows it. "
            "The events may name it otherwise (ACLED does): `backchannel events crosswalk` "
            "proposes links, and confirmed links are counted"
        )
    if len(by_source) > 1:
        rules = "; ".join(COUNTING_RULES.get(s, s) for s in by_source)
        notes.append(
            "the sources count differently, so their figures are shown side by side and never "
            f"added ({rules}); the top-level figures are {by_source[headline or ''].title}'s"
            if headline
            else "the sources count differently: figures are shown side by side, never added"
        )
    notes.extend(resolution.notes)
    return notes
