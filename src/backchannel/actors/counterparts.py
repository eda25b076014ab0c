"""Whom the analyses are about: the counterpart groups and their decision-makers.

When the user names no counterpart, the counterparts are the armed actors the case has
engaged recently: those named in engagements on or before ``as_of``, within a year of
the latest such engagement (a group last engaged long before is no longer the live
counterpart; the year keeps parallel tracks of one process together). A case that has
engaged no armed actor yet is about all its armed groups.

A counterpart's decision-makers are the actors recorded as commanding it; a group with
no recorded command link is its own decision-maker (reaching the group is then the best
that can be said of reaching its leaders).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from backchannel.actors.wording import actor_name, listing
from backchannel.errors import InvalidInputError, NotFoundError, Problem
from backchannel.model.case import Case
from backchannel.model.vocabulary import ActorKind, RelationKind

#: Kinds that can be a counterpart by default: the non-state armed actors dialogue is
#: about. Governments and state forces take part in talks but are not the group engaged.
ARMED_KINDS = frozenset({ActorKind.ARMED_GROUP, ActorKind.MILITIA, ActorKind.FACTION})
#: How far back from the latest engagement other engaged groups still count as counterparts.
RECENT_ENGAGEMENT = dt.timedelta(days=365)
#: Strength assumed for a command link that does not rate it.
DEFAULT_COMMAND_STRENGTH = 0.5


@dataclass(frozen=True)
class Counterpart:
    """A group the analyses are about, who decides for it, and why it was chosen."""

    id: str
    name: str
    decision_makers: tuple[str, ...]
    chosen_because: str
    decided_by: str

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "name": self.name,
            "decision_makers": list(self.decision_makers),
            "chosen_because": self.chosen_because,
            "decided_by": self.decided_by,
        }


def commanders(graph: nx.MultiDiGraph, group: str) -> list[tuple[str, float, str]]:
    """Actors commanding ``group`` as ``(actor, strength, relation id)``, strongest first."""
    found = [
        (source, _strength(data), str(key))
        for source, _, key, data in graph.in_edges(group, keys=True, data=True)
        if data["kind"] == RelationKind.COMMANDS.value
    ]
    return sorted(found, key=lambda item: (-item[1], item[0]))


def _strength(data: Mapping[str, Any]) -> float:
    value = data.get("strength")
    return DEFAULT_COMMAND_STRENGTH if value is None else float(value)


def decision_makers(graph: nx.MultiDiGraph, group: str) -> tuple[tuple[str, ...], str]:
    """Who decides for ``group``, and that choice in plain words."""
    leaders = commanders(graph, group)
    if not leaders:
        return (group,), (
            f"no command link to {actor_name(graph, group)} is in force, so the group itself "
            "stands for its decision-makers"
        )
    names = [
        f"{actor_name(graph, actor)} (strength {strength:g})" for actor, strength, _ in leaders
    ]
    return tuple(actor for actor, _, _ in leaders), f"commanded by {listing(names)}"


def describe_counterpart(graph: nx.MultiDiGraph, actor: str, because: str) -> Counterpart:
    """``actor`` as a counterpart: its name and decision-makers in ``graph``."""
    deciders, decided_by = decision_makers(graph, actor)
    return Counterpart(actor, actor_name(graph, actor), deciders, because, decided_by)


def choose_counterparts(
    case: Case, graph: nx.MultiDiGraph, as_of: dt.date, requested: str | None = None
) -> list[Counterpart]:
    """The counterparts to analyse: ``requested`` if given, else as the module says."""
    kinds = {actor.id: actor.kind for actor in case.actors}
    if requested is not None:
        if requested not in kinds:
            raise NotFoundError(f"no actor {requested!r} in case {case.id!r}")
        if kinds[requested] is ActorKind.OWN_ORGANISATION:
            raise InvalidInputError(
                case.id,
                [Problem("counterpart", f"{requested!r} is our own organisation")],
            )
        return [describe_counterpart(graph, requested, "named by the user")]

    engaged: dict[str, dt.date] = {}
    for engagement in case.engagements:
        if engagement.date > as_of:
            continue
        for actor in engagement.counterparts:
            if kinds[actor] in ARMED_KINDS and engaged.get(actor, dt.date.min) < engagement.date:
                engaged[actor] = engagement.date
    if engaged:
        latest = max(engaged.values())
        recent = [a for a, day in engaged.items() if latest - day <= RECENT_ENGAGEMENT]
        recent.sort(key=lambda a: (-engaged[a].toordinal(), a))
        return [
            describe_counterpart(graph, a, f"armed actor last engaged on {engaged[a].isoformat()}")
            for a in recent
        ]
    for fallback in (ActorKind.ARMED_GROUP, ActorKind.MILITIA, ActorKind.FACTION):
        groups = sorted(actor.id for actor in case.actors if actor.kind is fallback)
        if groups:
            what = fallback.value.replace("_", " ")
            because = f"no armed actor engaged by {as_of.isoformat()}: every {what} is analysed"
            return [describe_counterpart(graph, group, because) for group in groups]
    return []
