"""The negotiation as it stands on the day: mandate, our role, lines, the Island of
Agreement, each side's positions, the other engagers and how commitments are kept.

``negotiation_view`` reads the case as known on the assessment day (already cut by
``model.as_of.known_on``) and says what is missing, so that a page that shows the
negotiation shows its gaps too: no mandate on record, a mandate that has lapsed, no red
lines, no position of ours, nothing agreed yet. Nothing here is scored: the conditions and
rules (``conditions``, ``plan``, ``decision``) read the same records.

The result is the ``negotiation`` key of ``backchannel assess --format json``. Its texts
are the case's own and sensitive: a redacted output masks them (``reports``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from backchannel.dialogue.inputs import StrategyInputs
from backchannel.model.attribution import TALKING_KINDS, engagement_holder
from backchannel.model.case import Case, Commitment, Engagement
from backchannel.model.compliance import compliance_on
from backchannel.model.negotiation import CaseLine, CommonPosition, Mandate, Position
from backchannel.model.vocabulary import NORM_KINDS, AgreementKind, CommitmentKind, Side


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class ApprovalView(_View):
    """An approval of the mandate."""

    by: str
    date: str
    covers: str


class MandateView(_View):
    """The mandate as known on the day, whether it is in force, and what it lacks."""

    mandator: str
    date: str
    valid_until: str | None
    in_force: bool
    objectives: list[str]
    limits: list[str]
    approvals: list[ApprovalView]
    gaps: list[str]


class LineView(_View):
    """A red line or bottom line of the case."""

    id: str
    text: str
    set_by: str
    date: str | None
    adopted_from: str | None


class IslandItem(_View):
    """One Island of Agreement entry."""

    id: str
    text: str
    date: str
    engagement: str | None
    references: list[str]


class IslandView(_View):
    """The Island of Agreement with one counterpart, by quadrant."""

    counterpart: str
    counterpart_name: str
    agreed_facts: list[IslandItem]
    convergent_norms: list[IslandItem]
    divergent_facts: list[IslandItem]
    divergent_norms: list[IslandItem]


class PositionView(_View):
    """One side's position (the Iceberg: position, reasons, values) and its offers."""

    id: str
    counterpart: str
    counterpart_name: str
    side: str
    position: str
    reasons: list[str]
    values: list[str]
    offers: list[str]
    date: str
    withdrawn: str | None
    held: bool
    crosses_red_lines: list[str]


class EngagerView(_View):
    """Another organisation engaging a counterpart: how, when, and what it asks."""

    id: str
    name: str
    kind: str
    counterparts: list[str]
    engagements: int
    first: str | None
    last: str | None
    modalities: list[str]
    channels: list[str]
    asks: list[str]
    latest_outcome: str | None
    common_positions: list[str]


class CommonPositionView(_View):
    """A position agreed among engagers."""

    id: str
    text: str
    engagers: list[str]
    counterparts: list[str]
    date: str
    includes_us: bool


class MonitoringView(_View):
    """One monitoring entry and whether it counted towards the status."""

    date: str
    method: str
    by: str
    observed: str
    supports: str
    counted: bool


class CommitmentCompliance(_View):
    """One commitment's status and the evidence behind it."""

    id: str
    party: str
    party_name: str
    text: str
    area: list[str]
    start: str
    status: str
    evidence: str
    verification_plan: list[str]
    verified_by: str | None
    monitoring: list[MonitoringView]
    awaiting_verification: list[str]


class NormCompliance(_View):
    """The commitments of one kind, and whether the kind is a humanitarian norm."""

    kind: str
    label: str
    norm: bool
    commitments: list[CommitmentCompliance]


class PageOne(_View):
    """What page 1 of the brief says of the negotiation."""

    we_ask: list[str]
    we_offer: list[str]
    we_agree: list[str]
    they_ask: list[str]
    red_lines: list[str]


class NegotiationView(_View):
    """The ``negotiation`` key of the assessment."""

    our_role: str | None
    mandate: MandateView | None
    red_lines: list[LineView]
    bottom_lines: list[LineView]
    island_of_agreement: list[IslandView]
    positions: list[PositionView]
    other_engagers: list[EngagerView]
    common_positions: list[CommonPositionView]
    compliance: list[NormCompliance]
    page_one: PageOne
    gaps: list[str]


def negotiation_view(inputs: StrategyInputs) -> NegotiationView:
    """The negotiation of the case as known on ``inputs.as_of``."""
    case, day = inputs.case, inputs.as_of
    names = {a.id: a.name for a in case.actors}
    mandate = _mandate(case.mandate, day) if case.mandate is not None else None
    red_lines = [_line(line) for line in case.red_lines]
    positions = [_position(p, names, case.red_lines, day) for p in case.positions]
    islands = _islands(case, names)
    counterparts = set(inputs.counterparts)
    toward = [
        p for p in positions if p.held and (not counterparts or p.counterpart in counterparts)
    ]
    ours = [p for p in toward if p.side == Side.US.value]
    theirs = [p for p in toward if p.side == Side.THEM.value]
    # one text agreed with several counterparts (a joint agreement) is said once
    agreed = list(
        dict.fromkeys(
            item.text
            for island in islands
            if not counterparts or island.counterpart in counterparts
            for item in (*island.agreed_facts, *island.convergent_norms)
        )
    )
    page_one = PageOne(
        we_ask=[p.position for p in ours],
        we_offer=[offer for p in ours for offer in p.offers],
        we_agree=agreed,
        they_ask=[p.position for p in theirs],
        red_lines=[line.text for line in red_lines],
    )
    common = [_common(c, names, inputs.own) for c in case.common_positions]
    return NegotiationView(
        our_role=case.context.our_role.value if case.context.our_role else None,
        mandate=mandate,
        red_lines=red_lines,
        bottom_lines=[_line(line) for line in case.bottom_lines],
        island_of_agreement=islands,
        positions=positions,
        other_engagers=_other_engagers(inputs, names, common),
        common_positions=common,
        compliance=_compliance(case, names, day),
        page_one=page_one,
        gaps=_gaps(case, mandate, ours, agreed),
    )


def _mandate(mandate: Mandate, day: dt.date) -> MandateView:
    gaps = []
    if not mandate.in_force(day):
        gaps.append("the mandate has lapsed")
    if not mandate.objectives:
        gaps.append("it states no objectives")
    if not mandate.limits:
        gaps.append("it states no limits")
    if not mandate.approvals:
        gaps.append("no approval is recorded")
    return MandateView(
        mandator=mandate.mandator,
        date=mandate.date.isoformat(),
        valid_until=_iso(mandate.valid_until),
        in_force=mandate.in_force(day),
        objectives=list(mandate.objectives),
        limits=list(mandate.limits),
        approvals=[
            ApprovalView(by=a.by, date=a.date.isoformat(), covers=a.covers)
            for a in mandate.approvals
        ],
        gaps=gaps,
    )


def _line(line: CaseLine) -> LineView:
    return LineView(
        id=line.id,
        text=line.text,
        set_by=line.set_by,
        date=_iso(line.date),
        adopted_from=line.adopted_from,
    )


def _islands(case: Case, names: dict[str, str]) -> list[IslandView]:
    by_counterpart: dict[str, dict[AgreementKind, list[IslandItem]]] = {}
    for entry in sorted(case.island_of_agreement, key=lambda e: (e.date, e.id)):
        quadrants = by_counterpart.setdefault(entry.counterpart, {k: [] for k in AgreementKind})
        quadrants[entry.kind].append(
            IslandItem(
                id=entry.id,
                text=entry.text,
                date=entry.date.isoformat(),
                engagement=entry.engagement,
                references=list(entry.references),
            )
        )
    return [
        IslandView(
            counterpart=counterpart,
            counterpart_name=names.get(counterpart, counterpart),
            agreed_facts=quadrants[AgreementKind.AGREED_FACT],
            convergent_norms=quadrants[AgreementKind.CONVERGENT_NORM],
            divergent_facts=quadrants[AgreementKind.DIVERGENT_FACT],
            divergent_norms=quadrants[AgreementKind.DIVERGENT_NORM],
        )
        for counterpart, quadrants in by_counterpart.items()
    ]


def _position(
    position: Position, names: dict[str, str], lines: list[CaseLine], day: dt.date
) -> PositionView:
    texts = {line.id: line.text for line in lines}
    return PositionView(
        id=position.id,
        counterpart=position.counterpart,
        counterpart_name=names.get(position.counterpart, position.counterpart),
        side=position.side.value,
        position=position.position,
        reasons=list(position.reasons),
        values=list(position.values),
        offers=list(position.offers),
        date=position.date.isoformat(),
        withdrawn=_iso(position.withdrawn),
        held=position.held_on(day),
        crosses_red_lines=[texts.get(r, r) for r in position.crosses_red_lines],
    )


def _common(
    common: CommonPosition, names: dict[str, str], own: Iterable[str]
) -> CommonPositionView:
    return CommonPositionView(
        id=common.id,
        text=common.text,
        engagers=[names.get(a, a) for a in common.engagers],
        counterparts=[names.get(a, a) for a in common.counterparts],
        date=common.date.isoformat(),
        includes_us=bool(set(own) & set(common.engagers)),
    )


def _other_engagers(
    inputs: StrategyInputs, names: dict[str, str], common: list[CommonPositionView]
) -> list[EngagerView]:
    """Every actor other than ours holding an engagement, a channel or a negotiation with a
    counterpart, with what it asked; an engagement whose holder is unknown is nobody's."""
    case, own = inputs.case, inputs.own
    wanted = set(inputs.counterparts)
    held: dict[str, list[Engagement]] = {}
    for engagement in inputs.engagements_with_counterparts():
        holder = engagement_holder(case, engagement)
        if holder is not None and holder not in own and holder not in wanted:
            held.setdefault(holder, []).append(engagement)
    ties: dict[str, set[str]] = {}
    for relation in case.relations:
        if (
            relation.kind in TALKING_KINDS
            and relation.target in wanted
            and relation.source not in own | wanted
        ):
            ties.setdefault(relation.source, set()).add(relation.target)
    kinds = {a.id: a.kind.value for a in case.actors}
    views = []
    for actor_id in held.keys() | ties.keys():
        engagements = held.get(actor_id, [])
        reached = {c for e in engagements for c in e.counterparts if c in wanted}
        reached |= ties.get(actor_id, set())
        name = names.get(actor_id, actor_id)
        views.append(
            EngagerView(
                id=actor_id,
                name=name,
                kind=kinds.get(actor_id, "unknown"),
                counterparts=sorted(names.get(c, c) for c in reached),
                engagements=len(engagements),
                first=engagements[0].date.isoformat() if engagements else None,
                last=engagements[-1].date.isoformat() if engagements else None,
                modalities=sorted({e.modality.value for e in engagements if e.modality}),
                channels=sorted({e.channel.value for e in engagements}),
                asks=[ask for e in engagements for ask in e.asks],
                latest_outcome=engagements[-1].outcome.value if engagements else None,
                common_positions=[c.id for c in common if name in c.engagers],
            )
        )
    return sorted(views, key=lambda v: (-v.engagements, v.name))


def _compliance(case: Case, names: dict[str, str], day: dt.date) -> list[NormCompliance]:
    """Commitments grouped by kind, the humanitarian norms first, each with its evidence."""
    complete = day  # the case is already cut at the day: what it holds was known then
    groups: dict[CommitmentKind, list[CommitmentCompliance]] = {}
    for commitment in sorted(case.commitments, key=lambda c: (c.start, c.id)):
        groups.setdefault(commitment.kind, []).append(
            _commitment_compliance(commitment, names, day, complete)
        )
    order = list(CommitmentKind)
    return [
        NormCompliance(
            kind=kind.value,
            label=kind.value.replace("_", " "),
            norm=kind in NORM_KINDS,
            commitments=rows,
        )
        for kind, rows in sorted(
            groups.items(), key=lambda item: (item[0] not in NORM_KINDS, order.index(item[0]))
        )
    ]


def _commitment_compliance(
    commitment: Commitment, names: dict[str, str], day: dt.date, complete: dt.date
) -> CommitmentCompliance:
    standing = compliance_on(commitment, day, complete)
    counted = {standing.decided_by.entry} if standing.decided_by else set()
    waiting = {e.entry for e in standing.awaiting_verification}
    plan = commitment.verification_plan
    return CommitmentCompliance(
        id=commitment.id,
        party=commitment.party,
        party_name=names.get(commitment.party, commitment.party),
        text=commitment.text,
        area=list(commitment.area),
        start=commitment.start.isoformat(),
        status=standing.status.value,
        evidence=standing.decided_by.describe() if standing.decided_by else "no dated evidence",
        verification_plan=[m.value for m in plan.methods] if plan else [],
        verified_by=plan.by if plan else None,
        monitoring=[
            MonitoringView(
                date=entry.date.isoformat(),
                method=entry.method.value,
                by=entry.by,
                observed=entry.observed,
                supports=entry.supports.value,
                counted=position in counted or position not in waiting,
            )
            for position, entry in enumerate(commitment.monitoring)
        ],
        awaiting_verification=[e.describe() for e in standing.awaiting_verification],
    )


def _gaps(
    case: Case, mandate: MandateView | None, ours: list[PositionView], agreed: list[str]
) -> list[str]:
    gaps = []
    if case.context.our_role is None:
        gaps.append("Our role in the context is not recorded: objectives are not fitted to it.")
    if mandate is None:
        gaps.append("No mandate is on record: who mandated the engagement is unknown.")
    elif mandate.gaps:
        gaps.append("The mandate: " + "; ".join(mandate.gaps) + ".")
    if not case.red_lines:
        gaps.append("The case records no red lines of its own.")
    if not case.bottom_lines:
        gaps.append("The case records no bottom lines.")
    if not ours:
        gaps.append("No position of ours towards the counterparts is recorded.")
    if not agreed:
        gaps.append("Nothing is recorded as agreed with the counterparts yet.")
    return gaps


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()
