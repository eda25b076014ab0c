"""Data signals: what the case and its analyses say about each condition for dialogue.

A signal reads facts of the case (actors, relations, engagements, commitments) or of an
analysis (actor map, framework judgements, screening) and turns them into a score from 0
(the condition is not in place) to 1 (it is), with a sentence saying what it read. A
signal that has nothing to read returns ``None``: the absence of data is never evidence.

Every number a signal uses comes from its rule in ``signals.yaml`` (``values``, with their
``basis``). A signal marked ``direct`` reads our own organisation's ties, contacts and
records (the mandate and red lines, ``own_record_signals``): only such a signal may put a
condition in place (``conditions.py`` enforces it). A signal marked
``caps`` sets the most its condition can read, whatever the basis: not even an analyst's
judgement lifts the condition above it (a legal clearance resting on a stale list).
``SIGNALS`` is the registry the names in ``conditions.yaml`` and ``signals.yaml`` resolve in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from statistics import fmean
from typing import Any

from backchannel.actors.graph import relation_holds
from backchannel.dialogue.inputs import StrategyInputs
from backchannel.dialogue.legal_clearance import activity_verdicts, worst_verdict
from backchannel.dialogue.own_record_signals import mandate_lapse, mandate_record, red_lines_record
from backchannel.dialogue.signal_types import Signal, SignalFunction, SignalRule, SignalRules
from backchannel.model.attribution import TALKING_KINDS
from backchannel.model.case import Relation
from backchannel.model.vocabulary import (
    ActorKind,
    EngagementOutcome,
    RelationKind,
    Stance,
)

#: The shapes of signals are defined in ``signal_types``; the rule loader and the condition
#: reader take them from here, beside the registry.
__all__ = ["SIGNALS", "Signal", "SignalFunction", "SignalRule", "SignalRules"]

CONSTITUENCY_KINDS = {
    ActorKind.COMMUNITY_LEADER,
    ActorKind.RELIGIOUS_LEADER,
    ActorKind.CIVIL_SOCIETY,
}
HOSTILE_KINDS = {RelationKind.FIGHTS, RelationKind.RIVAL}
PARTISAN_KINDS = {RelationKind.ALLIED, RelationKind.FUNDS, RelationKind.FIGHTS}
INFLUENCE_KINDS = {
    RelationKind.INFLUENCES,
    RelationKind.FUNDS,
    RelationKind.ALLIED,
    RelationKind.KIN,
}
#: Ways of contact that carry a message both ways (a public statement does not).
TWO_WAY_CHANNELS = {"direct", "formal_talks", "phone", "through_intermediary", "written"}


def _names(inputs: StrategyInputs, ids: Iterable[str]) -> str:
    names = {a.id: a.name for a in inputs.case.actors}
    return ", ".join(names.get(i, i) for i in ids)


def _tally(values: Iterable[str]) -> str:
    """``2 violated, 1 honoured``: each value with its count, in order of first sight."""
    seen = list(values)
    return ", ".join(f"{seen.count(v)} {v.replace('_', ' ')}" for v in dict.fromkeys(seen))


def _in_force(inputs: StrategyInputs) -> list[Relation]:
    return [r for r in inputs.case.relations if relation_holds(r, inputs.as_of)]


def _counterpart_relations(inputs: StrategyInputs) -> list[tuple[Relation, str]]:
    """Relations in force touching a counterpart, with the actor at the other end."""
    wanted = set(inputs.counterparts)
    touching = []
    for relation in _in_force(inputs):
        if relation.target in wanted and relation.source not in wanted:
            touching.append((relation, relation.source))
        elif relation.source in wanted and relation.target not in wanted:
            touching.append((relation, relation.target))
    return touching


def _own_channel_relations(inputs: StrategyInputs) -> list[Relation]:
    """Channel and negotiation relations of ours to a counterpart, in force."""
    return [
        r
        for r in _in_force(inputs)
        if r.kind in TALKING_KINDS and r.source in inputs.own and r.target in inputs.counterparts
    ]


def actor_cohesion(inputs: StrategyInputs, rule: SignalRule) -> Signal | None:
    """The actor map's cohesion score of the least cohesive counterpart."""
    if not inputs.actors.cohesion:
        return None
    weakest = min(inputs.actors.cohesion, key=lambda c: c.score)
    return Signal(
        signal=rule.id,
        score=weakest.score,
        text=f"Actor map: {weakest.why}",
        read={"counterpart": weakest.counterpart, "cohesion_score": round(weakest.score, 2)},
    )


def counterpart_stance(inputs: StrategyInputs, rule: SignalRule) -> Signal | None:
    """The least favourable recorded stance of a counterpart towards dialogue."""
    stances = {
        a.id: a.stance
        for a in inputs.case.actors
        if a.id in inputs.counterparts and a.stance is not Stance.UNKNOWN
    }
    if not stances:
        return None
    actor, stance = min(stances.items(), key=lambda item: rule.value(item[1].value))
    return Signal(
        signal=rule.id,
        score=rule.value(stance.value),
        text=f"{_names(inputs, [actor])} is recorded as {stance.value} towards dialogue.",
        read={f"actors.{actor}.stance": stance.value},
    )


def engagement_record(inputs: StrategyInputs, rule: SignalRule) -> Signal | None:
    """What came of the engagements with the counterparts in the last year, whoever held them."""
    recent_days = dt.timedelta(days=rule.value("recent_days"))
    recent = [
        e
        for e in inputs.engagements_with_counterparts()
        if inputs.as_of - e.date <= recent_days and e.outcome is not EngagementOutcome.UNKNOWN
    ]
    if not recent:
        return None
    return Signal(
        signal=rule.id,
        score=fmean(rule.value(e.outcome.value) for e in recent),
        text=f"Engagements with the counterpart in the year to {inputs.as_of}, by anyone: "
        f"{_tally(e.outcome.value for e in recent)}.",
        read={"engagements": [e.id for e in recent]},
    )


def constituency_ties(inputs: StrategyInputs, rule: SignalRule) -> Signal | None:
    """Community, religious and civil-society leaders tied to a counterpart, not fighting it."""
    kinds = {a.id: a.kind for a in inputs.case.actors}
    leaders = sorted(
        {
            other
            for relation, other in _counterpart_relations(inputs)
            if kinds.get(other) in CONSTITUENCY_KINDS and relation.kind not in HOSTILE_KINDS
        }
    )
    if not leaders:
        return None
    return Signal(
        signal=rule.id,
        score=rule.value("several_ties" if len(leaders) >= 2 else "one_tie"),
        text=f"{len(leaders)} community, religious or civil-society actor(s) are tied to the "
        f"counterpart: {_names(inputs, leaders)}.",
        read={"leaders": leaders},
    )


def own_channel(inputs: StrategyInputs, rule: SignalRule) -> Signal | None:
    """Our own channel: a recent working contact of ours, else a tie of ours still untested."""
    recent_days = dt.timedelta(days=rule.value("recent_days"))
    working = [
        e
        for e in inputs.our_engagements()
        if inputs.as_of - e.date <= recent_days
        and e.channel.value in TWO_WAY_CHANNELS
        and e.outcome is not EngagementOutcome.BROKEN_OFF
    ]
    if working:
        last = working[-1]
        return Signal(
            signal=rule.id,
            score=rule.value("working_contact"),
            text=f"Our organisation held a {last.channel.value.replace('_', ' ')} contact with "
            f"the counterpart on {last.date} ({len(working)} working contact(s) of ours in the "
            "last year).",
            read={"engagements": [e.id for e in working]},
            direct=True,
        )
    cap = rule.value("untested_tie_cap")
    readings: list[tuple[float, str, dict[str, Any]]] = []
    for relation in _own_channel_relations(inputs):
        strength = (
            relation.strength if relation.strength is not None else rule.value("assumed_strength")
        )
        trust = relation.trust if relation.trust is not None else rule.value("assumed_trust")
        readings.append(
            (
                min(cap, strength * trust),
                f"Our organisation holds a {relation.kind.value.replace('_', ' ')} relation with "
                f"{_names(inputs, [relation.target])}, not yet used in the last year.",
                {"relation": relation.id},
            )
        )
    for point in inputs.actors.entry_points:
        if point.direct:
            readings.append(
                (
                    min(cap, point.route.reach),
                    f"A route from one of our ties, through {_names(inputs, [point.entry])}, "
                    f"may reach {_names(inputs, [point.decision_maker])}; it is untested.",
                    {"entry_point": point.entry},
                )
            )
    if not readings:
        return None
    score, text, read = max(readings, key=lambda reading: reading[0])
    return Signal(signal=rule.id, score=score, text=text, read=read)


def own_channel_trust(inputs: StrategyInputs, rule: SignalRule) -> Signal | None:
    """The highest trust recorded on a channel or negotiation relation of ours."""
    rated = [r for r in _own_channel_relations(inputs) if r.trust is not None]
    if not rated:
        return None
    best = max(rated, key=lambda r: r.trust or 0.0)
    assert best.trust is not None
    return Signal(
        signal=rule.id,
        score=best.trust,
        text=f"Our channel to {_names(inputs, [best.target])} is recorded at trust "
        f"{best.trust:.1g} of 1.",
        read={"relation": best.id},
        direct=True,
    )


def commitment_record(inputs: StrategyInputs, rule: SignalRule) -> Signal | None:
    """How the counterparts kept the commitments on record (to anyone), as known that day."""
    judged = [c for c in inputs.counterpart_commitments() if c.status.value in rule.values]
    if not judged:
        return None
    return Signal(
        signal=rule.id,
        score=fmean(rule.value(c.status.value) for c in judged),
        text=f"Commitments by the counterpart on record: {_tally(c.status.value for c in judged)}.",
        read={"commitments": {c.id: c.status.value for c in judged}},
    )


def third_party_influence(inputs: StrategyInputs, rule: SignalRule) -> Signal | None:
    """The strongest tie of influence, funding, alliance or kinship onto a counterpart."""
    ties = [
        (r.strength if r.strength is not None else rule.value("assumed_strength"), r)
        for r in _in_force(inputs)
        if r.target in inputs.counterparts
        and r.source not in inputs.counterparts
        and r.kind in INFLUENCE_KINDS
    ]
    if not ties:
        return None
    strength, relation = max(ties, key=lambda item: item[0])
    return Signal(
        signal=rule.id,
        score=strength,
        text=f"{_names(inputs, [relation.source])} {relation.kind.value} the counterpart: a "
        "possible source of leverage.",
        read={"relation": relation.id, "ties": len(ties)},
    )


def spoiler_threat(inputs: StrategyInputs, rule: SignalRule) -> Signal | None:
    """The actor map's strongest possible spoiler, read as how far spoilers are contained."""
    if not inputs.actors.spoilers:
        return Signal(
            signal=rule.id,
            score=rule.value("no_spoiler_on_map"),
            text="The actor map shows no possible spoiler (the map may be incomplete).",
            read={"spoilers": 0},
        )
    top = inputs.actors.spoilers[0]
    return Signal(
        signal=rule.id,
        score=1.0 - top.score,
        text=f"Strongest possible spoiler: {_names(inputs, [top.actor])}. {top.why}",
        read={"spoiler": top.actor},
    )


def threats_to_humanitarians(inputs: StrategyInputs, rule: SignalRule) -> Signal | None:
    """The analysts' reading of UN Framework risk factor 14 (threats to humanitarians)."""
    if inputs.stage is None:
        return None
    factor = next((f for f in inputs.stage.factors if f.id == "rf14"), None)
    if factor is None or factor.status not in ("present", "absent"):
        return None
    if factor.status == "absent":
        return Signal(
            signal=rule.id,
            score=rule.value("absent"),
            text="Analysts judge threats to humanitarian operations absent (UN Framework "
            "risk factor 14).",
            read={"framework.rf14": "absent"},
        )
    severity = (
        factor.severity if factor.severity is not None else rule.value("severity_when_not_given")
    )
    return Signal(
        signal=rule.id,
        score=1.0 - severity / 3,
        text="Analysts judge serious threats to humanitarian operations present (UN Framework "
        f"risk factor 14, severity {severity:g} of 3).",
        read={"framework.rf14": "present", "severity": severity},
    )


def screening_exposure(inputs: StrategyInputs, rule: SignalRule) -> Signal | None:
    """Designations of the counterparts and the exposure of every planned activity.

    The worst activity decides: a supply delivery that the law prohibits is not cleared by
    a meeting that it permits. An activity whose decisive designation was not screened
    leaves clearance unknown.
    """
    if inputs.screening is None:
        return None
    lists = ", ".join(str(s.get("list", s)) for s in inputs.screening.lists)
    verdicts = activity_verdicts(inputs.screening, inputs.counterparts)
    worst = worst_verdict(verdicts)
    if worst is None or worst.level == "unknown":
        return None
    split = "; ".join(v.text for v in verdicts)
    if not worst.designated:
        return Signal(
            signal=rule.id,
            score=rule.value("no_designation"),
            text=f"No counterpart is designated on the lists screened ({lists}). Not legal advice.",
            read={"designated": False, "lists": lists},
        )
    return Signal(
        signal=rule.id,
        score=rule.value(worst.level),
        text=f"Designated counterpart; planned activities: {split}. Not legal advice.",
        read={"designated": True, "worst": worst.activity, "level": worst.level},
    )


def list_currency(inputs: StrategyInputs, rule: SignalRule) -> Signal | None:
    """Whether the designation lists screened were current on the day assessed.

    A list older than the largest age the screening accepts (``list_max_age_days``), or one
    that states no publication date, may miss designations made since: a clearance resting
    on it is at most partial, whatever else is known. A list published after the day
    assessed (a replay) is not stale; the screening names it as a later copy. Nothing to
    say (``None``) when every list is current or nothing was screened.
    """
    if inputs.screening is None:
        return None
    limiting = inputs.screening.limiting_lists()
    if not limiting:
        return None
    kinds = {"undated" if c.published is None else "stale" for c in limiting}
    reasons = [c.text for c in limiting]
    limit = limiting[0].max_age_days
    return Signal(
        signal=rule.id,
        score=min(rule.value(kind) for kind in sorted(kinds)),
        text=f"Lists not current: {'; '.join(reasons)}. They may miss designations made "
        f"since (a copy is current for {limit} days): legal clearance is at most partial.",
        reason=f"Lists not current: {'; '.join(reasons)}.",
        read={
            "lists": {c.list_id: c.as_dict() for c in limiting},
            "max_age_days": limit,
        },
        caps=rule.caps,
    )


def engaged_third_parties(inputs: StrategyInputs, rule: SignalRule) -> Signal | None:
    """International actors or governments already in contact with a counterpart."""
    kinds = {a.id: a.kind for a in inputs.case.actors}
    touching = _counterpart_relations(inputs)
    # a party to the fighting is a party to the talks, not a third party
    enemies = {other for relation, other in touching if relation.kind in HOSTILE_KINDS}
    third = sorted(
        {
            other
            for relation, other in touching
            if relation.kind in TALKING_KINDS
            and other not in enemies
            and kinds.get(other) in {ActorKind.INTERNATIONAL_ACTOR, ActorKind.GOVERNMENT}
        }
    )
    if not third:
        return None
    return Signal(
        signal=rule.id,
        score=rule.value("in_contact"),
        text=f"Third parties in contact with the counterpart: {_names(inputs, third)}.",
        read={"third_parties": third},
    )


def own_partiality(inputs: StrategyInputs, rule: SignalRule) -> Signal | None:
    """A tie of our own organisation that takes sides (alliance, funding, fighting)."""
    partisan = [
        r
        for r in _in_force(inputs)
        if r.kind in PARTISAN_KINDS and (r.source in inputs.own or r.target in inputs.own)
    ]
    if not partisan:
        return None
    relation = partisan[0]
    other = relation.target if relation.source in inputs.own else relation.source
    return Signal(
        signal=rule.id,
        score=rule.value("partisan_tie"),
        text=f"Our organisation holds {len(partisan)} partisan tie(s) on the map, e.g. "
        f"{relation.kind.value} with {_names(inputs, [other])}.",
        read={"relations": [r.id for r in partisan]},
    )


SIGNALS: dict[str, SignalFunction] = {
    function.__name__: function
    for function in (
        actor_cohesion,
        counterpart_stance,
        engagement_record,
        constituency_ties,
        own_channel,
        own_channel_trust,
        commitment_record,
        third_party_influence,
        spoiler_threat,
        threats_to_humanitarians,
        screening_exposure,
        list_currency,
        engaged_third_parties,
        own_partiality,
        mandate_record,
        mandate_lapse,
        red_lines_record,
    )
}
