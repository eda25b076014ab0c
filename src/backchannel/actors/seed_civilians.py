"""Attacks on civilians (GED one-sided violence) as a fact about an actor and a judgement.

An attack on civilians is not a tie between two actors: GED codes it with the perpetrator
as ``side_a`` and civilians as ``side_b``. Seeding turns an actor's attacks into evidence
on the actor and a machine-suggested judgement for the analyst to review. GED credits an
attack either to one actor or to a coalition; a coalition's deaths are shared between its
members, so they are counted apart and never added to a member's own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from backchannel.actors.seed_inputs import GedEvent, SeedSources
from backchannel.actors.seed_output import ActorProposal, CivilianHarm, Evidence, counted
from backchannel.model.case import Judgement
from backchannel.model.vocabulary import Confidence, JudgementOrigin

__all__ = ["ANALYST", "Attack", "civilian_harm", "harm_evidence", "harm_judgement"]

#: The analyst named on machine-suggested judgements.
ANALYST = "backchannel seed (UCDP)"

#: A one-sided GED event and the coalition it is credited to (``None``: the actor alone).
Attack = tuple[GedEvent, str | None]


def civilian_harm(attacks: Sequence[Attack]) -> CivilianHarm | None:
    """An actor's attacks on civilians summed up, alone and in coalitions; ``None`` if none."""
    if not attacks:
        return None
    alone = [e for e, c in attacks if c is None]
    jointly = [e for e, c in attacks if c is not None]
    return CivilianHarm(
        events=len(alone),
        deaths=sum(e.deaths for e in alone),
        joint_events=len(jointly),
        joint_deaths=sum(e.deaths for e in jointly),
        first=min(e.start for e, _ in attacks),
        last=max(e.end for e, _ in attacks),
        years=tuple(sorted({e.year for e, _ in attacks})),
        event_ids=tuple(e.event_id for e, _ in attacks),
        coalitions=tuple(dict.fromkeys(c for _, c in attacks if c is not None)),
    )


def _statement(name: str, harm: CivilianHarm) -> str:
    text = (
        f"UCDP GED records {counted(harm.events, 'attack')} on civilians (one-sided violence) "
        f"by {name} with {counted(harm.deaths, 'death')} (best estimate)"
    )
    if harm.joint_events:
        text += (
            f", and {harm.joint_events} more with {counted(harm.joint_deaths, 'death')} jointly "
            f"as {'; '.join(repr(c) for c in harm.coalitions)}"
        )
    return text + f", {harm.first.isoformat()} to {harm.last.isoformat()}."


def harm_evidence(name: str, harm: CivilianHarm, sources: SeedSources) -> Evidence:
    """The attacks as evidence on the actor, citing every event."""
    return Evidence(
        sources.events_id,
        _statement(name, harm),
        harm.event_ids,
        harm.years,
        harm.deaths + harm.joint_deaths,
    )


def harm_judgement(proposal: ActorProposal, sources: SeedSources, at: dt.datetime) -> Judgement:
    """A machine-suggested judgement that the proposed actor attacks civilians.

    The proposal must carry civilian harm.
    """
    harm = proposal.civilian_harm
    assert harm is not None
    return Judgement(
        id=f"j-ucdp-civilians-{proposal.actor.id}"[:80],
        analyst=ANALYST,
        at=at,
        subject=proposal.actor.id,
        finding=_statement(proposal.actor.name, harm)
        + " Suggested from data: confirm or reject it by recording a judgement that "
        "reviews this one.",
        confidence=Confidence.MEDIUM,
        observed=harm.last,
        events=list(harm.event_ids),
        origin=JudgementOrigin.MACHINE,
        references=[sources.events_id],
    )
