"""What one event source says about one group: the figures of its profile, source by source.

The group is the set of names under which the source's events name it (see
``actor_names``). An event involves the group when a name is ``actor1`` or ``actor2``, or
is listed in ``assoc_actor1`` or ``assoc_actor2`` (ACLED's associated actors; GED has
none). Side 1 is ``actor1`` with its associated actors, side 2 ``actor2`` with its.

**Civilian fatalities** are the fatalities of one-sided violence where the group is on
side 1: GED's type 3 events with the group as ``side_a`` (UCDP's best estimate: every death
in one-sided violence is a civilian death by UCDP's definition, which is why ``best`` is
used and not the narrower ``deaths_civilians``), and ACLED's "Violence against civilians"
with the group as ``actor1`` or in ``assoc_actor_1``. In that event type ACLED codes the
perpetrator as ``actor1`` with its accomplices in ``assoc_actor_1``, and the victims as
``actor2`` (civilians) with their community or affiliation in ``assoc_actor_2``: a group
named on side 2 was attacked, it did not kill. ACLED's civilian-targeting flag on other
event types (explosions, remote violence) is left out, so that the figure stays the
counterpart of UCDP's one-sided violence; those deaths are in ``fatalities_by_year``.

**Opponents** are the names on the other side of battles (GED state-based and non-state
violence; ACLED battles) and of violence against civilians; **allies in events** the other
names on the group's own side of any event, except where it is named among the victims of
violence against civilians.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis
import pyarrow as pa

from backchannel.events.schema import ViolenceType

PEAKS_SHOWN = 3
SOURCE_TITLES = {"ged": "UCDP GED", "acled": "ACLED"}
# How each source counts, said wherever both are shown side by side.
COUNTING_RULES = {
    "ged": "UCDP GED: events of organised violence with at least one death; fatalities are "
    "UCDP's best estimates",
    "acled": "ACLED: every reported event of political violence, demonstrations and strategic "
    "developments, with or without deaths; fatalities as reported, a conservative count",
}
_FIGHTS = (ViolenceType.STATE_BASED.value, ViolenceType.NON_STATE.value)
_VIOLENT_CONTACT = (*_FIGHTS, ViolenceType.ONE_SIDED.value)
_SIDE_FIELDS = {"side1": ("actor1", "assoc_actor1"), "side2": ("actor2", "assoc_actor2")}


@dataclass(frozen=True)
class PeakEpisode:
    """A month of the group's worst violence against civilians."""

    month: str
    civilian_fatalities: int
    events: int
    areas: list[str]
    event_ids: list[str]


@dataclass(frozen=True)
class TypeCount:
    """Events of one type (ACLED event_type; GED violence type) and their fatalities,
    with the events of each sub-type (ACLED sub_event_type; none for GED)."""

    events: int
    fatalities: int
    sub_event_types: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceFigures:
    """One source's figures on the group, under the names listed in ``names``;
    ``covered_years`` the first and last year of the source's events in the data."""

    source: str
    title: str
    counting: str
    names: list[str]
    events: int
    events_as_actor1: int
    fatalities: int
    civilian_fatalities: int
    first_year: int | None
    last_year: int | None
    events_by_year: dict[int, int]
    events_as_actor1_by_year: dict[int, int]
    fatalities_by_year: dict[int, int]
    civilian_fatalities_by_year: dict[int, int]
    events_by_type: dict[str, TypeCount]
    peak_episodes: list[PeakEpisode]
    areas: dict[str, int]
    opponents: dict[str, int]
    allies_in_events: dict[str, int]
    trend: str
    covered_years: list[int] = field(default_factory=list)

    def covers(self, year: int) -> bool:
        """Whether the source's events in the data reach ``year`` (for any actor)."""
        return bool(self.covered_years) and self.covered_years[0] <= year <= self.covered_years[1]


def source_figures(
    connection: Any, events: ibis.Table, source: str, names: tuple[str, ...]
) -> SourceFigures:
    """The figures of ``source``'s events that name the group under one of ``names``."""
    wanted = list(names)
    own = events.filter(events.source == source)
    in_actor1 = own.actor1.isin(wanted)
    in_actor2 = own.actor2.isin(wanted).fill_null(False)
    marked = own.mutate(
        as_actor1=in_actor1,
        side1=in_actor1 | _listed(own.assoc_actor1, wanted),
        side2=in_actor2 | _listed(own.assoc_actor2, wanted),
    )
    involved = marked.filter(marked.side1 | marked.side2)
    one_sided = involved.violence_type == ViolenceType.ONE_SIDED.value
    involved = involved.mutate(
        civilian=(one_sided & involved.side1).ifelse(involved.deaths_best, 0),
        kind=involved.event_type.fill_null(involved.violence_type),
    )
    yearly = _rows(
        connection,
        involved.group_by("year")
        .aggregate(
            events=involved.count(),
            as_actor1=involved.as_actor1.cast("int64").sum(),
            fatalities=involved.deaths_best.sum(),
            civilian=involved.civilian.sum(),
        )
        .order_by("year"),
    )
    by_year = {int(r["year"]): r for r in yearly}
    [span] = _rows(connection, own.aggregate(first=own.year.min(), last=own.year.max()))
    civilian_by_year = {y: int(r["civilian"] or 0) for y, r in by_year.items()}
    return SourceFigures(
        source=source,
        title=SOURCE_TITLES.get(source, source),
        counting=COUNTING_RULES.get(source, ""),
        names=wanted,
        events=sum(int(r["events"]) for r in yearly),
        events_as_actor1=sum(int(r["as_actor1"] or 0) for r in yearly),
        fatalities=sum(int(r["fatalities"] or 0) for r in yearly),
        civilian_fatalities=sum(int(r["civilian"] or 0) for r in yearly),
        first_year=min(by_year) if by_year else None,
        last_year=max(by_year) if by_year else None,
        events_by_year={y: int(r["events"]) for y, r in by_year.items()},
        events_as_actor1_by_year={
            y: int(r["as_actor1"] or 0) for y, r in by_year.items() if r["as_actor1"]
        },
        fatalities_by_year={y: int(r["fatalities"] or 0) for y, r in by_year.items()},
        civilian_fatalities_by_year=civilian_by_year,
        events_by_type=_types(connection, involved),
        peak_episodes=_peaks(connection, involved),
        areas=_counts(connection, involved.filter(involved.admin1.notnull()), "admin1"),
        opponents=_others(connection, involved, wanted, opposing=True),
        allies_in_events=_others(connection, involved, wanted, opposing=False),
        trend=describe_trend(civilian_by_year),
        covered_years=[int(span["first"]), int(span["last"])] if span["first"] is not None else [],
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


def _listed(column: ibis.StringValue, names: list[str]) -> ibis.BooleanValue:
    """Whether a ``;``-separated list of names holds one of ``names``."""
    parts = column.split(";").map(lambda part: part.strip())
    found: ibis.BooleanValue = parts.filter(lambda part: part.isin(names)).length().fill_null(0) > 0
    return found


def _types(connection: Any, involved: ibis.Table) -> dict[str, TypeCount]:
    rows = _rows(
        connection,
        involved.group_by(["kind", "sub_event_type"]).aggregate(
            events=involved.count(), fatalities=involved.deaths_best.sum()
        ),
    )
    totals: dict[str, list[int]] = {}
    subs: dict[str, dict[str, int]] = {}
    for row in rows:
        kind = str(row["kind"])
        total = totals.setdefault(kind, [0, 0])
        total[0] += int(row["events"])
        total[1] += int(row["fatalities"] or 0)
        if row["sub_event_type"] is not None:
            subs.setdefault(kind, {})[str(row["sub_event_type"])] = int(row["events"])
    ordered = sorted(totals, key=lambda k: (-totals[k][0], k))
    return {
        kind: TypeCount(
            events=totals[kind][0],
            fatalities=totals[kind][1],
            sub_event_types=dict(sorted(subs.get(kind, {}).items(), key=lambda i: (-i[1], i[0]))),
        )
        for kind in ordered
    }


def _peaks(connection: Any, involved: ibis.Table) -> list[PeakEpisode]:
    monthly = involved.mutate(month=involved.date_start.truncate("M"))
    rows = _rows(
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
    return [
        PeakEpisode(
            month=str(r["month"])[:7],
            civilian_fatalities=int(r["civilian_fatalities"]),
            events=int(r["events"]),
            areas=sorted(a for a in r["areas"] if a),
            event_ids=sorted(r["event_ids"]),
        )
        for r in rows
    ]


def _others(
    connection: Any, involved: ibis.Table, names: list[str], *, opposing: bool
) -> dict[str, int]:
    """Names on the other side (``opposing``) of battles and violence against civilians,
    or on the group's own side of any event but where it is among the victims, with the
    number of events."""
    if opposing:
        events = involved.filter(involved.violence_type.isin(_VIOLENT_CONTACT))
    else:  # named with the victims of violence against civilians is no alliance
        victims = (involved.violence_type == ViolenceType.ONE_SIDED.value) & ~involved.side1
        events = involved.filter(~victims)
    parts = []
    for side, other in (("side1", "side2"), ("side2", "side1")):
        main, listed = _SIDE_FIELDS[other if opposing else side]
        on_side = events.filter(events[side])
        parts.append(on_side.select("event_id", name=on_side[main].cast("string")))
        with_list = on_side.filter(on_side[listed].notnull())
        split = with_list.select("event_id", name=with_list[listed].split(";").unnest())
        parts.append(split.mutate(name=split["name"].strip()))
    union = parts[0].union(*parts[1:], distinct=False)
    named = union.filter(
        union["name"].notnull() & (union["name"] != "") & ~union["name"].isin(names)
    )
    return _counts(connection, named, "name", distinct_events=True)


def _counts(
    connection: Any, table: ibis.Table, column: str, *, distinct_events: bool = False
) -> dict[str, int]:
    count = table.event_id.nunique() if distinct_events else table.count()
    rows = _rows(
        connection,
        table.group_by(column).aggregate(events=count).order_by([ibis.desc("events"), column]),
    )
    return {str(r[column]): int(r["events"]) for r in rows}


def _rows(connection: Any, expression: ibis.Table) -> list[dict[str, Any]]:
    table: pa.Table = connection.to_pyarrow(expression)
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows
