"""Data signals: what the case and its analyses say about each condition for dialogue.

A signal reads facts of the case (actors, relations, engagements, commitments) or of an
analysis (actor map, stage, screening) and turns them into a score from 0 (the condition is
not in place) to 1 (it is), with a sentence saying what it read. A signal that has nothing
to read returns ``None``: the absence of data is never taken as evidence either way.

``conditions.yaml`` names, for each condition, the signals that speak to it; the mapping
``SIGNALS`` below is the registry those names resolve in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

from backchannel.actors.graph import relation_holds
from backchannel.dialogue.inputs import StrategyInputs
from backchannel.model.case import Relation
from backchannel.model.vocabulary import (
    ActorKind,
    Channel,
    CommitmentStatus,
    EngagementOutcome,
    RelationKind,
    Stance,
)

#: How far back an engagement counts as recent evidence of a working channel or of interest.
RECENT = dt.timedelta(days=365)


@dataclass(frozen=True)
class Signal:
    """One data reading on one condition."""

    name: str
    score: float
    text: str
    read: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "signal": self.name,
            "score": round(self.score, 3),
            "text": self.text,
            "read": self.read,
        }


SignalFunction = Callable[[StrategyInputs], Signal | None]

STANCE_SCORES = {
    Stance.SUPPORTS: 1.0,
    Stance.OPEN: 0.8,
    Stance.AMBIVALENT: 0.5,
    Stance.OPPOSED: 0.2,
    Stance.HOSTILE: 0.0,
}
OUTCOME_SCORES = {
    EngagementOutcome.AGREEMENT: 1.0,
    EngagementOutcome.PARTIAL_AGREEMENT: 0.7,
    EngagementOutcome.CONTINUING: 0.6,
    EngagementOutcome.NO_AGREEMENT: 0.3,
    EngagementOutcome.BROKEN_OFF: 0.0,
}
COMMITMENT_SCORES = {
    CommitmentStatus.HONOURED: 1.0,
    CommitmentStatus.PARTIALLY_HONOURED: 0.5,
    CommitmentStatus.LAPSED: 0.3,
    CommitmentStatus.VIOLATED: 0.0,
}
#: How dangerous each risk stage makes the area for staff (1 = safe).
STAGE_SAFETY = {"remote": 0.9, "elevated": 0.6, "imminent": 0.3, "ongoing": 0.15}
#: Legal exposure of the worst planned activity, read as clearance (1 = clear).
EXPOSURE_CLEARANCE = {
    "permitted": 0.9,
    "exposed": 0.55,
    "licence_needed": 0.3,
    "prohibited": 0.1,
}
NO_DESIGNATION_CLEARANCE = 0.9
#: The activity that stands for a first contact in the screening rules.
FIRST_CONTACT = "meeting"
#: A channel used in the last year with a result short of a break counts as working.
WORKING_CHANNEL = 0.67
NO_SPOILER_ON_MAP = 0.8
THIRD_PARTY_IN_CONTACT = 0.67
PARTISAN_TIE = 0.2
CHANNEL_KINDS = {RelationKind.CHANNEL, RelationKind.NEGOTIATES_WITH}
INFLUENCE_KINDS = {
    RelationKind.INFLUENCES,
    RelationKind.FUNDS,
    RelationKind.ALLIED,
    RelationKind.KIN,
}
CONSTITUENCY_KINDS = {
    ActorKind.COMMUNITY_LEADER,
    ActorKind.RELIGIOUS_LEADER,
    ActorKind.CIVIL_SOCIETY,
}
HOSTILE_KINDS = {RelationKind.FIGHTS, RelationKind.RIVAL}
PARTISAN_KINDS = {RelationKind.ALLIED, RelationKind.FUNDS, RelationKind.FIGHTS}
DIRECT_CHANNELS = {
    Channel.DIRECT,
    Channel.FORMAL_TALKS,
    Channel.PHONE,
    Channel.THROUGH_INTERMEDIARY,
}


def _names(inputs: StrategyInputs, ids: Iterable[str]) -> str:
    names = {a.id: a.name for a in inputs.case.actors}
    return ", ".join(names.get(i, i) for i in ids)


def _tally(values: Iterable[str]) -> str:
    """``2 violated, 1 honoured``: each value with its count, in order of first sight."""
    seen = list(values)
    return ", ".join(f"{seen.count(v)} {v.replace('_', ' ')}" for v in dict.fromkeys(seen))


def _relations_in_force(inputs: StrategyInputs) -> list[Relation]:
    return [r for r in inputs.case.relations if relation_holds(r, inputs.as_of)]


def _counterpart_relations(inputs: StrategyInputs) -> list[tuple[Relation, str]]:
    """Relations in force touching a counterpart, with the actor at the other end."""
    wanted = set(inputs.counterparts)
    touching = []
    for relation in _relations_in_force(inputs):
        if relation.target in wanted and relation.source not in wanted:
            touching.append((relation, relation.source))
        elif relation.source in wanted and relation.target not in wanted:
            touching.append((relation, relation.target))
    return touching


def actor_cohesion(inputs: StrategyInputs) -> Signal | None:
    """The actor map's cohesion score of the least cohesive counterpart."""
    if not inputs.actors.cohesion:
        return None
    weakest = min(inputs.actors.cohesion, key=lambda c: c.score)
    return Signal(
        "actor_cohesion",
        weakest.score,
        f"Actor map: {weakest.why}",
        {"counterpart": weakest.counterpart, "cohesion_score": round(weakest.score, 3)},
    )


def counterpart_stance(inputs: StrategyInputs) -> Signal | None:
    """The least favourable recorded stance of a counterpart towards dialogue."""
    stances = {
        a.id: a.stance
        for a in inputs.case.actors
        if a.id in inputs.counterparts and a.stance in STANCE_SCORES
    }
    if not stances:
        return None
    actor, stance = min(stances.items(), key=lambda item: STANCE_SCORES[item[1]])
    return Signal(
        "counterpart_stance",
        STANCE_SCORES[stance],
        f"{_names(inputs, [actor])} is recorded as {stance.value} towards dialogue.",
        {f"actors.{actor}.stance": stance.value},
    )


def engagement_record(inputs: StrategyInputs) -> Signal | None:
    """What came of the engagements with the counterparts in the last year."""
    recent = [
        e
        for e in inputs.engagements_with_counterparts()
        if inputs.as_of - e.date <= RECENT and e.outcome in OUTCOME_SCORES
    ]
    if not recent:
        return None
    summary = _tally(e.outcome.value for e in recent)
    return Signal(
        "engagement_record",
        fmean(OUTCOME_SCORES[e.outcome] for e in recent),
        f"Engagements with the counterpart in the year to {inputs.as_of}: {summary}.",
        {"engagements": [e.id for e in recent]},
    )


def constituency_ties(inputs: StrategyInputs) -> Signal | None:
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
    score = 0.7 if len(leaders) >= 2 else 0.5
    return Signal(
        "constituency_ties",
        score,
        f"{len(leaders)} community, religious or civil-society actor(s) are tied to the "
        f"counterpart: {_names(inputs, leaders)}.",
        {"leaders": leaders},
    )


def channels_to_counterpart(inputs: StrategyInputs) -> Signal | None:
    """The best channel to a counterpart: an entry-point route, a trusted channel relation,
    or contact in the last year that did not end in a break."""
    readings: list[tuple[float, str, dict[str, Any]]] = []
    for point in inputs.actors.entry_points:
        readings.append(
            (
                point.route.reach,
                f"Entry point {_names(inputs, [point.entry])} reaches "
                f"{_names(inputs, [point.decision_maker])} (route reach {point.route.reach:.2f}).",
                {"entry_point": point.entry, "reach": round(point.route.reach, 3)},
            )
        )
    for relation, other in _counterpart_relations(inputs):
        if relation.kind in CHANNEL_KINDS:
            strength = relation.strength if relation.strength is not None else 0.5
            trust = relation.trust if relation.trust is not None else 0.5
            readings.append(
                (
                    strength * trust + (1 - strength * trust) * 0.25,
                    f"{_names(inputs, [other])} holds a {relation.kind.value.replace('_', ' ')} "
                    f"relation with the counterpart (strength {strength:g}, trust {trust:g}).",
                    {"relation": relation.id, "strength": strength, "trust": trust},
                )
            )
    working = [
        e
        for e in inputs.engagements_with_counterparts()
        if inputs.as_of - e.date <= RECENT
        and e.channel in DIRECT_CHANNELS
        and e.outcome is not EngagementOutcome.BROKEN_OFF
    ]
    if working:
        last = working[-1]
        readings.append(
            (
                WORKING_CHANNEL,
                f"A {last.channel.value.replace('_', ' ')} contact took place on {last.date} "
                f"({len(working)} working contact(s) in the last year).",
                {"engagements": [e.id for e in working]},
            )
        )
    if not readings:
        return None
    score, text, read = max(readings, key=lambda reading: reading[0])
    return Signal("channels_to_counterpart", score, text, read)


def relation_trust(inputs: StrategyInputs) -> Signal | None:
    """The highest trust on a channel or negotiation relation with a counterpart."""
    rated = [
        (relation.trust, relation, other)
        for relation, other in _counterpart_relations(inputs)
        if relation.kind in CHANNEL_KINDS and relation.trust is not None
    ]
    if not rated:
        return None
    trust, relation, other = max(rated, key=lambda item: item[0])
    return Signal(
        "relation_trust",
        trust,
        f"The most trusted channel, {_names(inputs, [other])}, carries trust {trust:g}.",
        {"relation": relation.id, "trust": trust},
    )


def commitment_record(inputs: StrategyInputs) -> Signal | None:
    """How the counterparts kept the commitments on record."""
    judged = [c for c in inputs.counterpart_commitments() if c.status in COMMITMENT_SCORES]
    if not judged:
        return None
    summary = _tally(c.status.value for c in judged)
    return Signal(
        "commitment_record",
        fmean(COMMITMENT_SCORES[c.status] for c in judged),
        f"Commitments by the counterpart on record: {summary}.",
        {"commitments": {c.id: c.status.value for c in judged}},
    )


def third_party_influence(inputs: StrategyInputs) -> Signal | None:
    """The strongest tie of influence, funding, alliance or kinship onto a counterpart."""
    ties = [
        (relation.strength if relation.strength is not None else 0.5, relation)
        for relation in _relations_in_force(inputs)
        if relation.target in inputs.counterparts
        and relation.source not in inputs.counterparts
        and relation.kind in INFLUENCE_KINDS
    ]
    if not ties:
        return None
    strength, relation = max(ties, key=lambda item: item[0])
    return Signal(
        "third_party_influence",
        strength,
        f"{_names(inputs, [relation.source])} {relation.kind.value} the counterpart "
        f"(strength {strength:g}): a possible source of leverage.",
        {"relation": relation.id, "strength": strength, "ties": len(ties)},
    )


def spoiler_threat(inputs: StrategyInputs) -> Signal | None:
    """The actor map's strongest possible spoiler, read as how far spoilers are contained."""
    if not inputs.actors.spoilers:
        return Signal(
            "spoiler_threat",
            NO_SPOILER_ON_MAP,
            "The actor map shows no possible spoiler (the map may be incomplete).",
            {"spoilers": 0},
        )
    top = inputs.actors.spoilers[0]
    return Signal(
        "spoiler_threat",
        1.0 - top.score,
        f"Strongest possible spoiler: {_names(inputs, [top.actor])} (score {top.score:.2f}); "
        f"{top.why}",
        {"spoiler": top.actor, "spoiler_score": round(top.score, 3)},
    )


def area_danger(inputs: StrategyInputs) -> Signal | None:
    """How dangerous the risk stage makes the area for staff and intermediaries."""
    stage = inputs.stage.get("stage") if inputs.stage else None
    if stage not in STAGE_SAFETY:
        return None
    return Signal(
        "area_danger",
        STAGE_SAFETY[stage],
        f"The atrocity-risk stage is {stage}.",
        {"stage": stage},
    )


def threats_to_humanitarians(inputs: StrategyInputs) -> Signal | None:
    """The analysts' reading of UN Framework risk factor 14 (threats to humanitarians)."""
    factor = _framework_factor(inputs, "rf14")
    if factor is None or factor.get("status") not in ("present", "absent"):
        return None
    if factor["status"] == "absent":
        return Signal(
            "threats_to_humanitarians",
            0.8,
            "Analysts judge threats to humanitarian operations absent (UN Framework factor 14).",
            {"framework.rf14": "absent"},
        )
    severity = factor.get("severity")
    score = 1.0 - (severity if severity is not None else 2) / 3
    return Signal(
        "threats_to_humanitarians",
        score,
        f"Analysts judge serious threats to humanitarian operations present (UN Framework "
        f"factor 14, severity {severity if severity is not None else 'not given'}).",
        {"framework.rf14": "present", "severity": severity},
    )


def screening_exposure(inputs: StrategyInputs) -> Signal | None:
    """Designations of the counterparts and the exposure of the first contact.

    Clearance is read from the first contact (the ``meeting`` activity when planned, else the
    first planned activity): a restriction on, say, training limits what the engagement may
    include, and is rated as a legal-exposure risk, but does not bar talking.
    """
    if inputs.screening is None:
        return None
    screened = [a for a in inputs.screening.actors if a.actor in inputs.counterparts]
    lists = ", ".join(str(s.get("list", s)) for s in inputs.screening.lists)
    designated = [a for a in screened if a.hits and a.exposure and a.exposure.designations]
    if not designated:
        return Signal(
            "screening_exposure",
            NO_DESIGNATION_CLEARANCE,
            f"No counterpart is designated on the lists screened ({lists}).",
            {"designated": False, "lists": lists},
        )
    activities = inputs.screening.activities
    first = FIRST_CONTACT if FIRST_CONTACT in activities else activities[0]
    worst, where = worst_exposure(designated, first)
    if worst is None:
        return None
    return Signal(
        "screening_exposure",
        EXPOSURE_CLEARANCE[worst],
        f"{_names(inputs, [a.actor for a in designated])} designated; a first contact "
        f"({first}) is {worst.replace('_', ' ')} ({where}). Not legal advice.",
        {"designated": True, "activity": first, "level": worst, "where": where},
    )


def worst_exposure(
    designated: Sequence[Any], activity: str | None = None
) -> tuple[str | None, str]:
    """The worst known exposure level over the designated actors' cells (of one activity,
    if given), and where it arises."""
    order = list(EXPOSURE_CLEARANCE)
    worst: str | None = None
    where = ""
    for actor in designated:
        for cell in actor.exposure.cells:
            level = cell.level.value
            if activity is not None and cell.activity != activity:
                continue
            if level in order and (worst is None or order.index(level) > order.index(worst)):
                worst, where = level, f"{cell.activity} under {cell.jurisdiction}"
    return worst, where


def engaged_third_parties(inputs: StrategyInputs) -> Signal | None:
    """International actors or governments already in contact with a counterpart."""
    kinds = {a.id: a.kind for a in inputs.case.actors}
    touching = _counterpart_relations(inputs)
    # a party to the fighting is a party to the talks, not a third party
    enemies = {other for relation, other in touching if relation.kind in HOSTILE_KINDS}
    third = sorted(
        {
            other
            for relation, other in touching
            if relation.kind in CHANNEL_KINDS
            and other not in enemies
            and kinds.get(other) in {ActorKind.INTERNATIONAL_ACTOR, ActorKind.GOVERNMENT}
        }
    )
    if not third:
        return None
    return Signal(
        "engaged_third_parties",
        THIRD_PARTY_IN_CONTACT,
        f"Third parties in contact with the counterpart: {_names(inputs, third)}.",
        {"third_parties": third},
    )


def own_partiality(inputs: StrategyInputs) -> Signal | None:
    """A tie of our own organisation that takes sides (alliance, funding, fighting)."""
    own = {a.id for a in inputs.case.actors if a.kind is ActorKind.OWN_ORGANISATION}
    partisan = [
        r
        for r in _relations_in_force(inputs)
        if r.kind in PARTISAN_KINDS and (r.source in own or r.target in own)
    ]
    if not partisan:
        return None
    relation = partisan[0]
    return Signal(
        "own_partiality",
        PARTISAN_TIE,
        f"Our organisation holds {len(partisan)} partisan tie(s) on the map, e.g. "
        f"{relation.kind.value} with "
        f"{_names(inputs, [relation.target if relation.source in own else relation.source])}.",
        {"relations": [r.id for r in partisan]},
    )


def _framework_factor(inputs: StrategyInputs, factor_id: str) -> dict[str, Any] | None:
    if not inputs.stage:
        return None
    for factor in inputs.stage.get("factors", []):
        if factor.get("id") == factor_id:
            return dict(factor)
    return None


SIGNALS: dict[str, SignalFunction] = {
    function.__name__: function
    for function in (
        actor_cohesion,
        counterpart_stance,
        engagement_record,
        constituency_ties,
        channels_to_counterpart,
        relation_trust,
        commitment_record,
        third_party_influence,
        spoiler_threat,
        area_danger,
        threats_to_humanitarians,
        screening_exposure,
        engaged_third_parties,
        own_partiality,
    )
}
