"""The brief's actor section: the map image and what the actor analyses found.

The analyses' reasons are written with actors' names, and routes to a counterpart often run
through intermediaries, whose identity is sensitive. A redacted section therefore rewrites
every name, alias and id of a masked actor to the label the redacted map gives it
("Intermediary 1"...), in the image and in every sentence alike.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from backchannel.actors.analysis import ActorAnalysis, analyse_case
from backchannel.model.case import Case
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


def masked_names(case: Case) -> dict[str, str]:
    """Every name, alias and id of an actor whose identity is sensitive, to its mask."""
    masks: dict[str, str] = {}
    number = 0
    for actor in case.actors:
        if "name" not in actor.sensitive_fields():
            continue
        number += 1
        label = f"Intermediary {number}"
        for text in (actor.name, *actor.aliases, actor.id):
            masks[text] = label
    return masks


def mask_names(case: Case, value: Any) -> Any:
    """``value`` (text, or lists and dicts of it) with every sensitive actor name masked."""
    masks = masked_names(case)
    return _mask(value, _mask_pattern(masks), masks)


def _mask_pattern(masks: dict[str, str]) -> re.Pattern[str] | None:
    # Longest first, so that a name containing another masked name is replaced whole; and
    # only whole words, so that a short id does not eat into other words.
    alternatives = "|".join(re.escape(t) for t in sorted(masks, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])") if masks else None


def _mask(value: Any, pattern: re.Pattern[str] | None, masks: dict[str, str]) -> Any:
    if pattern is None:
        return value
    if isinstance(value, str):
        return pattern.sub(lambda m: masks[m.group(0)], value)
    if isinstance(value, list):
        return [_mask(v, pattern, masks) for v in value]
    if isinstance(value, dict):
        return {k: _mask(v, pattern, masks) for k, v in value.items()}
    return value


def build_actor_section(
    case: Case,
    as_of: dt.date | None = None,
    *,
    redacted: bool = False,
    analysis: ActorAnalysis | None = None,
) -> ActorSection | None:
    """The section for ``case``, or ``None`` when the case records no actor.

    ``analysis`` is the actor analysis already run for this case and day; without it the
    analyses are run here.
    """
    if not case.actors:
        return None
    found = (analysis or analyse_case(case, as_of)).as_dict()
    day = dt.date.fromisoformat(found["as_of"])
    png = actor_map_png(case, day, redacted, map_roles(found))
    masks = masked_names(case) if redacted else {}
    pattern = _mask_pattern(masks)
    names = {a.id: a.name for a in case.actors}
    shown = _mask(
        {
            "counterparts": [c["name"] for c in found["counterparts"]],
            "entry_points": [
                {**p, "entry_name": names.get(p["entry"], p["entry"])}
                for p in found["entry_points"][:SHOWN]
            ],
            "spoilers": [
                {**s, "name": names.get(s["actor"], s["actor"])} for s in found["spoilers"][:SHOWN]
            ],
            "brokers": [
                {**b, "name": names.get(b["actor"], b["actor"])} for b in found["brokers"][:SHOWN]
            ],
            "cohesion": found["cohesion"],
            "notes": found["notes"],
        },
        pattern,
        masks,
    )
    return ActorSection(as_of=day, map_png_base64=base64.b64encode(png).decode("ascii"), **shown)
