"""What a redacted output shows of the negotiation: its shape, never its words.

The negotiation's texts are the case's own and the most sensitive it holds: who gave the
mandate and within which limits, what we would concede, what was agreed in private, what
a monitor saw and who saw it. ``withheld_negotiation`` keeps of a ``NegotiationView``
only what says how the negotiation stands (dates, kinds, statuses, counts, whether a
mandate is in force, which commitments are broken and on what kind of evidence) and puts
the ``WITHHELD`` marker in place of every other text, one marker per withheld item so a
reader still sees how many there are.

It fails closed: a field is shown only when it is named below as safe to show, so a text
added to the view later is withheld until someone decides otherwise. The negotiation's
own record ids (red lines, Island entries, positions, common positions) are replaced by
opaque labels, since ids are often slugs of what they name. Actor names are left for
``Disclosure`` to mask, as in every other redacted output.

``withheld_strategy`` does the same for a whole strategy: the negotiation, and the case's
own texts the recommendation carries (its red lines, the mandate's objectives).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from backchannel.dialogue.negotiation import (
    ApprovalView,
    CommitmentCompliance,
    CommonPositionView,
    EngagerView,
    IslandItem,
    IslandView,
    LineView,
    MandateView,
    MonitoringView,
    NegotiationView,
    NormCompliance,
    PageOne,
    PositionView,
)
from backchannel.dialogue.strategy import Strategy
from backchannel.redaction.disclosure import WITHHELD

M = TypeVar("M", bound=BaseModel)

#: The fields of each part of the view a redacted output shows as they are. Names of
#: actors are among them: ``Disclosure`` masks those that must be. Every other text of a
#: part (and every text of a part not listed) is withheld.
SHOWN: dict[type[BaseModel], frozenset[str]] = {
    NegotiationView: frozenset({"our_role", "gaps"}),
    MandateView: frozenset({"date", "valid_until", "in_force", "gaps"}),
    ApprovalView: frozenset({"date"}),
    LineView: frozenset({"id", "date", "adopted_from"}),
    IslandView: frozenset({"counterpart", "counterpart_name"}),
    IslandItem: frozenset({"id", "date", "engagement", "references"}),
    PositionView: frozenset(
        {"id", "counterpart", "counterpart_name", "side", "date", "withdrawn", "held"}
    ),
    EngagerView: frozenset(
        {
            "id",
            "name",
            "kind",
            "counterparts",
            "engagements",
            "first",
            "last",
            "modalities",
            "channels",
            "latest_outcome",
            "common_positions",
        }
    ),
    CommonPositionView: frozenset({"id", "engagers", "counterparts", "date", "includes_us"}),
    NormCompliance: frozenset({"kind", "label", "norm"}),
    CommitmentCompliance: frozenset(
        {
            "id",
            "party",
            "party_name",
            "area",
            "start",
            "status",
            "evidence",
            "verification_plan",
            "awaiting_verification",
        }
    ),
    MonitoringView: frozenset({"date", "method", "supports", "counted"}),
    PageOne: frozenset(),
}


def withheld_strategy(strategy: Strategy) -> Strategy:
    """``strategy`` as a redacted output shows it: the negotiation withheld
    (``withheld_negotiation``) and the recommendation's texts taken from the case (its red
    lines and who set them, the mandate's objectives) replaced by ``WITHHELD``."""
    return strategy.model_copy(
        update={
            "negotiation": withheld_negotiation(strategy.negotiation),
            "recommendation": strategy.recommendation.withheld(WITHHELD),
        }
    )


def withheld_negotiation(view: NegotiationView) -> NegotiationView:
    """``view`` with every sensitive text replaced by ``WITHHELD`` and the negotiation's
    record ids by opaque labels ("red-line-1", "position-2")."""
    labels = _labels(view)
    relabelled = view.model_copy(
        update={
            "red_lines": [_relabel(line, labels) for line in view.red_lines],
            "bottom_lines": [_relabel(line, labels) for line in view.bottom_lines],
            "island_of_agreement": [
                island.model_copy(
                    update={
                        quadrant: [_relabel(item, labels) for item in getattr(island, quadrant)]
                        for quadrant in QUADRANTS
                    }
                )
                for island in view.island_of_agreement
            ],
            "positions": [_relabel(p, labels) for p in view.positions],
            "common_positions": [_relabel(c, labels) for c in view.common_positions],
            "other_engagers": [
                engager.model_copy(
                    update={
                        "common_positions": [
                            labels.get(c, WITHHELD) for c in engager.common_positions
                        ]
                    }
                )
                for engager in view.other_engagers
            ],
        }
    )
    return _withhold(relabelled)


#: The four quadrants of an Island of Agreement, as the view names them.
QUADRANTS = ("agreed_facts", "convergent_norms", "divergent_facts", "divergent_norms")


def _labels(view: NegotiationView) -> dict[str, str]:
    """Each negotiation record id of the view to its opaque label, numbered in view order."""
    groups: list[tuple[str, list[str]]] = [
        ("red-line", [line.id for line in view.red_lines]),
        ("bottom-line", [line.id for line in view.bottom_lines]),
        (
            "island-entry",
            [
                item.id
                for island in view.island_of_agreement
                for quadrant in QUADRANTS
                for item in getattr(island, quadrant)
            ],
        ),
        ("position", [p.id for p in view.positions]),
        ("common-position", [c.id for c in view.common_positions]),
    ]
    labels: dict[str, str] = {}
    for prefix, ids in groups:
        for number, record_id in enumerate(ids, 1):
            labels.setdefault(record_id, f"{prefix}-{number}")
    return labels


def _relabel(part: M, labels: dict[str, str]) -> M:
    record_id = getattr(part, "id", "")
    return part.model_copy(update={"id": labels.get(record_id, WITHHELD)})


def _withhold(part: M) -> M:
    """``part`` with every text its entry of ``SHOWN`` does not name withheld; the parts
    it holds are read the same way, whether their field is shown or not."""
    shown = SHOWN.get(type(part), frozenset())
    update = {
        name: _field(getattr(part, name), show=name in shown) for name in type(part).model_fields
    }
    return part.model_copy(update=update)


def _field(value: Any, *, show: bool) -> Any:
    if isinstance(value, BaseModel):
        return _withhold(value)
    if isinstance(value, list):
        return [_field(item, show=show) for item in value]
    if isinstance(value, str) and value and not show:
        return WITHHELD
    return value
