"""A group's violence profile: who it killed, where, when, how that is changing, and with whom.

Civilian fatalities are the best estimates of one-sided violence (UCDP GED type 3, where
the group is ``side_a``) or ACLED's violence against civilians: by UCDP's definition every
death in one-sided violence is a civilian death, which is why this uses ``deaths_best``
and not the narrower ``deaths_civilians`` column (that gives 2,435 instead of UCDP's
published 2,690 for the Central African Republic in 2013).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import ibis
import pyarrow as pa

from backchannel.events.schema import ViolenceType
from backchannel.events.ucdp_actors import ActorMatch

PEAKS_SHOWN = 3


@dataclass(frozen=True)
class PeakEpisode:
    """A month of the group's worst violence against civilians."""

    month: str
    civilian_fatalities: int
    events: int
    areas: list[str]
    event_ids: list[str]


@dataclass(frozen=True)
class ActorProfile:
    """What the data say about one group."""

    actor: dict[str, Any]
    civilian_fatalities_by_year: dict[int, int]
    events_by_year: dict[int, int]
    fatalities_by_year: dict[int, int]
    trend: str
    peak_episodes: list[PeakEpisode]
    areas: dict[str, int]
    opponents: dict[str, int]
    allies_in_ucdp: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (year keys become strings in JSON)."""
        return asdict(self)


def actor_filter(events: ibis.Table, names: list[str], ucdp_id: int | None) -> ibis.Table:
    """Events where the group is the first side (perpetrator or side A), by id or any name."""
    by_name = events.actor1.lower().isin([n.lower() for n in names])
    if ucdp_id is None:
        return events.filter(by_name)
    return events.filter(by_name | (events.actor1_ucdp_id == ucdp_id))


def build_profile(connection: Any, events: ibis.Table, match: ActorMatch) -> ActorProfile:
    """The profile of the matched UCDP actor over the given events (executed on ``connection``)."""
    own = actor_filter(events, list(match.actor.names), match.actor.actor_id)
    one_sided = own.violence_type == ViolenceType.ONE_SIDED.value
    civilian = (one_sided | own.civilian_targeting).ifelse(own.deaths_best, 0)
    yearly = _rows(
        connection,
        own.group_by("year")
        .aggregate(
            events=own.count(),
            fatalities=own.deaths_best.sum(),
            civilian_fatalities=civilian.sum(),
        )
        .order_by("year"),
    )
    monthly = own.mutate(month=own.date_start.truncate("M"), civilian=civilian)
    peaks = _rows(
        connection,
        monthly.group_by("month")
        .aggregate(
            civilian_fatalities=monthly.civilian.sum(),
            events=monthly.count(),
            areas=monthly.admin1.collect(distinct=True),
            event_ids=monthly.event_id.collect(where=monthly.civilian > 0),
        )
        .filter(lambda t: t.civilian_fatalities > 0)
        .order_by([ibis.desc("civilian_fatalities"), "month"])
        .limit(PEAKS_SHOWN),
    )
    located = own.filter(own.admin1.notnull())
    areas = _rows(
        connection,
        located.group_by("admin1").aggregate(events=located.count()).order_by(ibis.desc("events")),
    )
    fights = own.filter(
        own.violence_type.isin([ViolenceType.STATE_BASED.value, ViolenceType.NON_STATE.value])
        & own.actor2.notnull()
    )
    opponents = _rows(
        connection,
        fights.group_by("actor2").aggregate(events=fights.count()).order_by(ibis.desc("events")),
    )
    civilian_by_year = {int(r["year"]): int(r["civilian_fatalities"] or 0) for r in yearly}
    return ActorProfile(
        actor={
            "ucdp_id": match.actor.actor_id,
            "name": match.actor.name,
            "matched_name": match.matched_name,
            "exact_match": match.exact,
            "names": list(match.actor.names),
        },
        civilian_fatalities_by_year=civilian_by_year,
        events_by_year={int(r["year"]): int(r["events"]) for r in yearly},
        fatalities_by_year={int(r["year"]): int(r["fatalities"] or 0) for r in yearly},
        trend=describe_trend(civilian_by_year),
        peak_episodes=[
            PeakEpisode(
                month=str(r["month"])[:7],
                civilian_fatalities=int(r["civilian_fatalities"]),
                events=int(r["events"]),
                areas=sorted(a for a in r["areas"] if a),
                event_ids=sorted(r["event_ids"]),
            )
            for r in peaks
        ],
        areas={str(r["admin1"]): int(r["events"]) for r in areas},
        opponents={str(r["actor2"]): int(r["events"]) for r in opponents},
        allies_in_ucdp=list(match.actor.alliance_ids),
    )


def describe_trend(by_year: dict[int, int]) -> str:
    """Plain words for the last two years against the two before (civilian fatalities)."""
    if not by_year:
        return "no violence against civilians recorded"
    last = max(by_year)
    recent = by_year.get(last, 0) + by_year.get(last - 1, 0)
    before = by_year.get(last - 2, 0) + by_year.get(last - 3, 0)
    if before == 0 and recent == 0:
        return f"no civilian fatalities in {last - 3}-{last}"
    if before == 0:
        return f"new violence against civilians in {last - 1}-{last} ({recent} killed)"
    ratio = recent / before
    word = "rising" if ratio > 1.25 else "falling" if ratio < 0.8 else "stable"
    return (
        f"{word}: {recent} civilians killed in {last - 1}-{last} "
        f"against {before} in {last - 3}-{last - 2}"
    )


def _rows(connection: Any, expression: ibis.Table) -> list[dict[str, Any]]:
    table: pa.Table = connection.to_pyarrow(expression)
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows
