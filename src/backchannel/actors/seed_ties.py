"""What the dyadic data and GED say about pairs of actors, as dated sightings.

Each dyad-year and each GED event is a sighting: of two actors fighting, or of actors
acting together (members of one GED coalition, or a secondary warring party beside the
side it backed). Sightings are kept per pair of actors and grouped into spells of
consecutive years, each of which becomes one relation. A one-sided GED event is no tie
between actors: it is kept apart as an attack on civilians.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from backchannel.actors.seed_actors import Cast
from backchannel.actors.seed_civilians import Attack
from backchannel.actors.seed_inputs import GedEvent
from backchannel.events.schema import ViolenceType
from backchannel.events.ucdp_actors import normalise
from backchannel.events.ucdp_dyadic import DyadYear

__all__ = ["Observations", "Sighting", "Tie", "observe", "spells", "window"]


@dataclass(frozen=True)
class Sighting:
    """One dated observation behind a tie: a GED event or a dyad-year."""

    year: int
    start: dt.date
    end: dt.date
    precise: bool  # GED event dates, as opposed to a whole year of the dyadic data
    row: str
    deaths: int = 0
    coalition: str | None = None


@dataclass
class Tie:
    """What the data say about one pair of actors for one kind of relation.

    ``orientation`` counts which of the two the data put first; ``dyads`` holds the
    dyad-years behind the tie by dyad id, ``supporters`` the secondary warring parties
    by year.
    """

    sightings: list[Sighting] = field(default_factory=list)
    orientation: Counter[tuple[int, int]] = field(default_factory=Counter)
    dyads: dict[int, list[DyadYear]] = field(default_factory=lambda: defaultdict(list))
    supporters: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, pair: tuple[int, int], sighting: Sighting) -> None:
        """One more sighting, with the first and second actor as the data give them."""
        self.sightings.append(sighting)
        self.orientation[pair] += 1


@dataclass
class Observations:
    """Every tie seen, by pair of actors; each actor's activity and attacks on civilians."""

    fights: dict[frozenset[int], Tie] = field(default_factory=lambda: defaultdict(Tie))
    alliances: dict[frozenset[int], Tie] = field(default_factory=lambda: defaultdict(Tie))
    activity: dict[int, list[Sighting]] = field(default_factory=lambda: defaultdict(list))
    attacks: dict[int, list[Attack]] = field(default_factory=lambda: defaultdict(list))
    notes: list[str] = field(default_factory=list)

    def first_seen(self, actor_id: int) -> dt.date | None:
        """The first day the data show the actor active, if they show it at all."""
        sightings = self.activity.get(actor_id)
        return min(s.start for s in sightings) if sightings else None


def observe(
    cast: Cast, dyads: Sequence[DyadYear], events: Sequence[GedEvent], include_supporters: bool
) -> Observations:
    """Sightings from the dyad-years, then from the GED events, in their order.

    ``include_supporters`` also sees each secondary warring party acting together with
    the side it backed.
    """
    seen = Observations()
    for dyad in dyads:
        _observe_dyad(seen, cast, dyad, include_supporters)
    for event in events:
        _observe_event(seen, cast, event)
    return seen


def _observe_dyad(seen: Observations, cast: Cast, dyad: DyadYear, supporters: bool) -> None:
    sighting = Sighting(
        year=dyad.year,
        # the dyad's start date says when it first fought, which may be years earlier
        start=dyad.start
        if dyad.start and dyad.start.year == dyad.year
        else dt.date(dyad.year, 1, 1),
        end=dt.date(dyad.year, 12, 31),
        precise=False,
        row=f"dyad {dyad.dyad_id}, {dyad.year} (line {dyad.line})",
    )
    for a, a_name in dyad.side_a:
        for b, b_name in dyad.side_b:
            for actor_id, name in ((a, a_name), (b, b_name)):
                cast.members(actor_id, name)  # an id the list lacks becomes an actor
                seen.activity[actor_id].append(sighting)
            if a == b:  # damaged data: an actor cannot fight itself
                continue
            tie = seen.fights[frozenset((a, b))]
            tie.add((a, b), sighting)
            tie.dyads[dyad.dyad_id].append(dyad)
            for supporter in (*dyad.side_a_2nd, *dyad.side_b_2nd):
                tie.supporters[dyad.year].add(supporter)
            if supporters:
                _observe_supporters(seen, cast, dyad, sighting, side=a, supporters=dyad.side_a_2nd)
                _observe_supporters(seen, cast, dyad, sighting, side=b, supporters=dyad.side_b_2nd)


def _observe_supporters(
    seen: Observations,
    cast: Cast,
    dyad: DyadYear,
    sighting: Sighting,
    *,
    side: int,
    supporters: Sequence[str],
) -> None:
    """The secondary warring parties that backed ``side`` act together with it."""
    for name in supporters:
        supporter = cast.by_name.get(normalise(name))
        if supporter is not None and supporter.actor_id == side:
            continue  # damaged data: a side cannot back itself
        if supporter is None:
            seen.notes.append(
                f"dyad {dyad.dyad_id} ({dyad.year}): secondary party {name!r} is not in "
                "the actor list and was left out"
            )
            continue
        seen.alliances[frozenset((supporter.actor_id, side))].add(
            (supporter.actor_id, side),
            Sighting(
                sighting.year,
                sighting.start,
                sighting.end,
                False,
                f"{sighting.row}: secondary warring party",
            ),
        )


def _observe_event(seen: Observations, cast: Cast, event: GedEvent) -> None:
    side_a, coalition_a = cast.members(event.side_a_id, event.side_a)
    sighting_a = Sighting(
        event.year, event.start, event.end, True, event.event_id, event.deaths, coalition_a
    )
    for actor_id in side_a:
        seen.activity[actor_id].append(sighting_a)
    _ally(seen, side_a, sighting_a)
    if event.violence == ViolenceType.ONE_SIDED.value:
        for actor_id in side_a:
            seen.attacks[actor_id].append((event, coalition_a))
        return
    side_b, coalition_b = cast.members(event.side_b_id, event.side_b)
    sighting_b = Sighting(
        event.year, event.start, event.end, True, event.event_id, event.deaths, coalition_b
    )
    for actor_id in side_b:
        seen.activity[actor_id].append(sighting_b)
    _ally(seen, side_b, sighting_b)
    joint = " / ".join(c for c in (coalition_a, coalition_b) if c) or None
    for a in side_a:
        for b in side_b:
            if a == b:
                continue
            seen.fights[frozenset((a, b))].add(
                (a, b),
                Sighting(
                    event.year, event.start, event.end, True, event.event_id, event.deaths, joint
                ),
            )


def _ally(seen: Observations, members: Sequence[int], sighting: Sighting) -> None:
    """Actors that GED records acting as one coalition are allied while they do."""
    for i, a in enumerate(members):
        for b in members[i + 1 :]:
            seen.alliances[frozenset((a, b))].add((a, b), sighting)


def spells(sightings: Sequence[Sighting]) -> list[list[Sighting]]:
    """Sightings grouped into runs of consecutive years (a year without any splits them)."""
    years = sorted({s.year for s in sightings})
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return [[s for s in sightings if run[0] <= s.year <= run[-1]] for run in runs]


def window(spell: Sequence[Sighting]) -> tuple[dt.date, dt.date]:
    """First and last day of a spell, from event dates where GED has events in its end years.

    A dyad-year only says that fighting reached UCDP's threshold some time in that year, so
    it dates a spell to the whole year only where no event gives a closer date.
    """
    first = min(s.year for s in spell)
    last = max(s.year for s in spell)
    opening = [s for s in spell if s.year == first]
    closing = [s for s in spell if s.year == last]
    start = min(s.start for s in ([s for s in opening if s.precise] or opening))
    end = max(s.end for s in ([s for s in closing if s.precise] or closing))
    return start, end
