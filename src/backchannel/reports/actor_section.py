"""The brief's actor section: the map image and what the actor analyses found.

The analyses' reasons are written with actors' names, and routes to a counterpart often run
through intermediaries, whose identity is sensitive. A redacted section therefore shows
every masked actor by the label the redacted map gives it ("Intermediary 1", "Religious
leader 1"), in the image and in every sentence alike, and every record id by an opaque
label (``redaction.Disclosure``).
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

from backchannel.actors.analysis import ActorAnalysis, analyse_case
from backchannel.model.case import Case
from backchannel.redaction import Disclosure
from backchannel.reports.actor_map import actor_map_png

#: How many entry points, spoilers and brokers the brief lists; the CLI has them all.
SHOWN = 3


class ActorSection(BaseModel):
    """What the brief shows of the actor map."""

    model_config = ConfigDict(frozen=True)

    as_of: dt.date
    map_png_base64: str
    counterparts: list[str]
    entry_points: list[dict[str, Any]]
    spoilers: list[dict[str, Any]]
    brokers: list[dict[str, Any]]
    cohesion: list[dict[str, Any]]
    notes: list[str]


def map_roles(analysis: dict[str, Any]) -> dict[str, str]:
    """Actor id to the role the map outlines; a counterpart's role wins over any other."""
    roles: dict[str, str] = {}
    for broker in analysis["brokers"][:SHOWN]:
        roles[broker["actor"]] = "broker"
    for spoiler in analysis["spoilers"][:SHOWN]:
        roles[spoiler["actor"]] = "spoiler"
    for point in analysis["entry_points"][:SHOWN]:
        roles[point["entry"]] = "entry"
    for counterpart in analysis["counterparts"]:
        roles[counterpart["id"]] = "counterpart"
    return roles


def mask_names(case: Case, value: Any) -> Any:
    """``value`` (text, or lists and dicts of it) as a redacted output shows it: every form
    of a masked actor and every record id replaced by its label."""
    return Disclosure.of(case).redact(value)


def build_actor_section(
    case: Case,
    as_of: dt.date | None = None,
    *,
    redacted: bool = False,
    analysis: ActorAnalysis | None = None,
    disclosure: Disclosure | None = None,
) -> ActorSection | None:
    """The section for ``case``, or ``None`` when the case records no actor.

    ``analysis`` is the actor analysis already run for this case and day; without it the
    analyses are run here. A redacted section masks by ``disclosure`` (made from the whole
    case), or by one made from ``case``.
    """
    if not case.actors:
        return None
    shown = (disclosure or Disclosure.of(case)) if redacted else None
    found = (analysis or analyse_case(case, as_of)).as_dict()
    day = dt.date.fromisoformat(found["as_of"])
    png = actor_map_png(case, day, redacted, map_roles(found), disclosure=shown)
    names = {a.id: a.name for a in case.actors}
    section = ActorSection(
        as_of=day,
        map_png_base64=base64.b64encode(png).decode("ascii"),
        counterparts=[c["name"] for c in found["counterparts"]],
        entry_points=[
            {**p, "entry_name": names.get(p["entry"], p["entry"])}
            for p in found["entry_points"][:SHOWN]
        ],
        spoilers=[
            {**s, "name": names.get(s["actor"], s["actor"])} for s in found["spoilers"][:SHOWN]
        ],
        brokers=[
            {**b, "name": names.get(b["actor"], b["actor"])} for b in found["brokers"][:SHOWN]
        ],
        cohesion=found["cohesion"],
        notes=found["notes"],
    )
    return shown.redact(section) if shown else section
