"""A case as it could be known on a given day: the cut every replay starts from.

A mediation team replaying a past decision must see only what was known that day.
``known_on`` returns the case cut at the day and a record of everything it held back:

- records that begin later are left out: actors that came into being later
  (``active_from``), relations that start later (``valid_from``), engagements dated later,
  commitments made later, judgements recorded later, and sources published later (with
  every reference to them);
- ends that lie after the day are unknown on the day: a relation's ``valid_to``, a
  commitment's ``end``, and an engagement still running (its end is dropped and its outcome
  reads ``continuing``);
- a commitment reads the status known that day from its dated evidence (its
  ``status_history`` and its monitoring entries, ``model.compliance``); monitoring entries
  dated later are left out; a status without dated evidence is taken as known at the end
  of the case period (today for an open case), so before then it reads ``unknown``;
- the mandate is unknown before the day it was given, and its lapse date after the day is
  dropped; approvals, red and bottom lines, Island of Agreement entries, positions and
  common positions dated later are left out, and a position withdrawn later still stands;
- free text written with the whole period in view (the context summary, notes on actors
  and relations, how a commitment was verified, the summary of an engagement still
  running) is held back in a replay, since it may tell what happened next.

On or after the day the case file was complete (the end of its period, or today for an
open case), nothing but later-dated records is cut.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from backchannel.model.case import (
    Actor,
    Case,
    Commitment,
    Engagement,
    Relation,
)
from backchannel.model.compliance import compliance_on
from backchannel.model.negotiation import Mandate, Position
from backchannel.model.vocabulary import CommitmentStatus, EngagementOutcome


@dataclass(frozen=True)
class Withheld:
    """What ``known_on`` held back, by record id, so a brief can say so (without dates)."""

    as_of: dt.date
    replay: bool
    actors: tuple[str, ...] = ()
    relations: tuple[str, ...] = ()
    engagements: tuple[str, ...] = ()
    commitments: tuple[str, ...] = ()
    judgements: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    red_lines: tuple[str, ...] = ()
    bottom_lines: tuple[str, ...] = ()
    island_of_agreement: tuple[str, ...] = ()
    positions: tuple[str, ...] = ()
    common_positions: tuple[str, ...] = ()
    #: Monitoring entries dated after the day, per commitment id.
    monitoring: dict[str, int] = field(default_factory=dict)
    #: Whether the mandate was given after the day (so unknown on it).
    mandate_later: bool = False
    undated_sources: tuple[str, ...] = ()
    #: Commitments whose status on the day differs from the one recorded now.
    statuses_then: dict[str, str] = field(default_factory=dict)
    #: Commitments whose status carries no date, read as unknown in the replay.
    undated_statuses: tuple[str, ...] = ()
    #: Records whose end (or outcome) lay after the day and was dropped.
    open_ends: tuple[str, ...] = ()
    #: Whether free text written with the whole period in view was held back.
    text_withheld: bool = False

    def counts(self) -> dict[str, int]:
        """How many records of each kind were left out."""
        return {
            "actors": len(self.actors),
            "relations": len(self.relations),
            "engagements": len(self.engagements),
            "commitments": len(self.commitments),
            "judgements": len(self.judgements),
            "sources": len(self.sources),
            "red lines": len(self.red_lines),
            "bottom lines": len(self.bottom_lines),
            "Island of Agreement entries": len(self.island_of_agreement),
            "positions": len(self.positions),
            "common positions": len(self.common_positions),
            "monitoring entries": sum(self.monitoring.values()),
        }

    def notes(self) -> list[str]:
        """Plain sentences on what a replay leaves out (no later dates in them)."""
        notes = []
        left_out = [f"{n} {kind}" for kind, n in self.counts().items() if n]
        if left_out:
            notes.append(
                f"Recorded or begun after {self.as_of.isoformat()}, so left out: "
                + ", ".join(left_out)
                + "."
            )
        if self.mandate_later:
            notes.append(
                f"The mandate on record was given after {self.as_of.isoformat()}: on the day "
                "there was none known."
            )
        if self.statuses_then:
            notes.append(
                f"{len(self.statuses_then)} commitment status(es) read as known on "
                f"{self.as_of.isoformat()}, not as recorded since."
            )
        if self.undated_statuses:
            notes.append(
                f"{len(self.undated_statuses)} commitment status(es) carry no date: a replay "
                "cannot tell when they became known, so they read as unknown (add "
                "status_history to the case)."
            )
        if self.undated_sources:
            notes.append(
                f"{len(self.undated_sources)} source(s) give no publication date: check that "
                "they were available on the day."
            )
        if self.text_withheld:
            notes.append(
                "Summaries and notes written with the whole period in view are held back in "
                "this replay."
            )
        return notes

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: ids only, never the later dates."""
        return {
            "as_of": self.as_of.isoformat(),
            "replay": self.replay,
            "left_out": {
                "actors": list(self.actors),
                "relations": list(self.relations),
                "engagements": list(self.engagements),
                "commitments": list(self.commitments),
                "judgements": list(self.judgements),
                "sources": list(self.sources),
                "red_lines": list(self.red_lines),
                "bottom_lines": list(self.bottom_lines),
                "island_of_agreement": list(self.island_of_agreement),
                "positions": list(self.positions),
                "common_positions": list(self.common_positions),
            },
            "monitoring_left_out": dict(self.monitoring),
            "mandate_later": self.mandate_later,
            "statuses_then": dict(self.statuses_then),
            "undated_statuses": list(self.undated_statuses),
            "undated_sources": list(self.undated_sources),
            "open_ends": list(self.open_ends),
            "text_withheld": self.text_withheld,
            "notes": self.notes(),
        }


@dataclass(frozen=True)
class KnownCase:
    """The case cut at ``withheld.as_of`` and what the cut held back."""

    case: Case
    withheld: Withheld


def complete_on(case: Case, today: dt.date | None = None) -> dt.date:
    """The day the case file is taken to be written: its period's end, else today."""
    return case.context.period.end or today or dt.date.today()


def status_on(commitment: Commitment, day: dt.date, complete: dt.date) -> CommitmentStatus:
    """The commitment's status as known on ``day`` (``complete``: when undated ones hold)."""
    return compliance_on(commitment, day, complete).status


@dataclass
class _Cut:
    """The state of one cut while its collections are walked."""

    day: dt.date
    replay: bool
    complete: dt.date
    gone_actors: set[str]
    dropped_sources: set[str]
    open_ends: list[str] = field(default_factory=list)
    later_monitoring: dict[str, int] = field(default_factory=dict)

    def refs(self, references: list[str]) -> list[str]:
        return [r for r in references if r not in self.dropped_sources]

    def actor(self, actor: Actor) -> Actor:
        update: dict[str, Any] = {"references": self.refs(actor.references)}
        if self.replay:
            update["notes"] = None
        return actor.model_copy(update=update)

    def relation(self, relation: Relation) -> Relation | None:
        begins_later = relation.valid_from is not None and relation.valid_from > self.day
        if begins_later or {relation.source, relation.target} & self.gone_actors:
            return None
        update: dict[str, Any] = {"references": self.refs(relation.references)}
        if relation.valid_to is not None and relation.valid_to > self.day:
            update["valid_to"] = None
            self.open_ends.append(relation.id)
        if self.replay:
            update["notes"] = None
        return relation.model_copy(update=update)

    def engagement(self, engagement: Engagement) -> Engagement | None:
        if engagement.date > self.day:
            return None
        update: dict[str, Any] = {
            "references": self.refs(engagement.references),
            "counterparts": [c for c in engagement.counterparts if c not in self.gone_actors],
            "by": None if engagement.by in self.gone_actors else engagement.by,
        }
        if engagement.end_date is not None and engagement.end_date > self.day:
            update |= {"end_date": None, "outcome": EngagementOutcome.CONTINUING}
            if self.replay:
                update["summary"] = None
            self.open_ends.append(engagement.id)
        return engagement.model_copy(update=update)

    def commitment(self, commitment: Commitment, engagements: set[str]) -> Commitment | None:
        if commitment.start > self.day or commitment.party in self.gone_actors:
            return None
        history = [
            change.model_copy(update={"references": self.refs(change.references)})
            for change in commitment.status_history
            if change.date <= self.day
        ]
        monitoring = [
            entry.model_copy(update={"references": self.refs(entry.references)})
            for entry in commitment.monitoring
            if entry.date <= self.day
        ]
        if len(monitoring) < len(commitment.monitoring):
            self.later_monitoring[commitment.id] = len(commitment.monitoring) - len(monitoring)
        update: dict[str, Any] = {
            "status": status_on(commitment, self.day, self.complete),
            "status_history": history,
            "monitoring": monitoring,
            "references": self.refs(commitment.references),
            "engagement": commitment.engagement if commitment.engagement in engagements else None,
        }
        if commitment.end is not None and commitment.end > self.day:
            update["end"] = None
            self.open_ends.append(commitment.id)
        if self.replay:
            update["verification"] = None
        return commitment.model_copy(update=update)

    def mandate(self, mandate: Mandate | None) -> Mandate | None:
        if mandate is None or mandate.date > self.day:
            return None
        update: dict[str, Any] = {
            "references": self.refs(mandate.references),
            "approvals": [a for a in mandate.approvals if a.date <= self.day],
        }
        if mandate.valid_until is not None and mandate.valid_until > self.day:
            update["valid_until"] = None
        return mandate.model_copy(update=update)

    def dated(self, record: Any) -> Any | None:
        """A dated negotiation record as known on the day (``None``: recorded later)."""
        day = getattr(record, "date", None)
        if day is not None and day > self.day:
            return None
        gone = self.gone_actors
        if getattr(record, "counterpart", None) in gone:
            return None
        update: dict[str, Any] = {"references": self.refs(record.references)}
        if isinstance(record, Position) and record.withdrawn and record.withdrawn > self.day:
            update["withdrawn"] = None
        for name in ("engagers", "counterparts"):
            if hasattr(record, name):
                update[name] = [a for a in getattr(record, name) if a not in gone]
        if len(update.get("engagers", [None, None])) < 2:
            return None
        return record.model_copy(update=update)


def known_on(case: Case, day: dt.date, today: dt.date | None = None) -> KnownCase:
    """The case as it could be known on ``day``; see the module docstring for the rules."""
    complete = complete_on(case, today)
    cut = _Cut(
        day=day,
        replay=day < complete,
        complete=complete,
        gone_actors={a.id for a in case.actors if a.active_from and a.active_from > day},
        dropped_sources={s.id for s in case.sources if s.date is not None and s.date > day},
    )
    actors = [cut.actor(a) for a in case.actors if a.id not in cut.gone_actors]
    relations = _kept(case.relations, cut.relation)
    engagements = _kept(case.engagements, cut.engagement)
    kept_engagements = {e.id for e in engagements}
    commitments = _kept(case.commitments, lambda c: cut.commitment(c, kept_engagements))
    judgements = [
        j.model_copy(update={"references": cut.refs(j.references)})
        for j in case.judgements
        if j.at.date() <= day
    ]
    kept_judgements = {j.id for j in judgements}
    # a review of a later suggestion cannot stand without the suggestion it reviews
    judgements = [j for j in judgements if j.reviews is None or j.reviews in kept_judgements]
    sources = [s for s in case.sources if s.id not in cut.dropped_sources]
    negotiation = {
        name: _kept(getattr(case, name), cut.dated)
        for name in (
            "red_lines",
            "bottom_lines",
            "island_of_agreement",
            "positions",
            "common_positions",
        )
    }
    kept_lines = {line.id for line in negotiation["red_lines"]}
    engagement_ids = {e.id for e in engagements}
    negotiation["positions"] = [
        p.model_copy(
            update={
                "crosses_red_lines": [r for r in p.crosses_red_lines if r in kept_lines],
                "engagement": _kept_id(p.engagement, engagement_ids),
            }
        )
        for p in negotiation["positions"]
    ]
    # an entry sourced only by an engagement that began later is not known on the day
    negotiation["island_of_agreement"] = [
        e.model_copy(
            update={"engagement": e.engagement if e.engagement in engagement_ids else None}
        )
        for e in negotiation["island_of_agreement"]
        if e.references or e.engagement in engagement_ids
    ]
    mandate = cut.mandate(case.mandate)
    context = case.context
    if cut.replay and context.summary:
        context = context.model_copy(update={"summary": ""})
    statuses_then = {
        c.id: kept.status.value
        for c in case.commitments
        for kept in commitments
        if kept.id == c.id and kept.status is not c.status
    }
    known = case.model_copy(
        update={
            "context": context,
            "sources": sources,
            "actors": actors,
            "relations": relations,
            "engagements": engagements,
            "commitments": commitments,
            "judgements": judgements,
            "mandate": mandate,
            **negotiation,
        }
    )
    withheld = Withheld(
        as_of=day,
        replay=cut.replay,
        actors=tuple(sorted(cut.gone_actors)),
        relations=_left_out(case.relations, relations),
        engagements=_left_out(case.engagements, engagements),
        commitments=_left_out(case.commitments, commitments),
        judgements=_left_out(case.judgements, judgements),
        sources=tuple(s.id for s in case.sources if s.id in cut.dropped_sources),
        **{name: _left_out(getattr(case, name), kept) for name, kept in negotiation.items()},
        monitoring=dict(cut.later_monitoring),
        mandate_later=case.mandate is not None and mandate is None,
        undated_sources=tuple(s.id for s in sources if s.date is None),
        statuses_then=statuses_then,
        undated_statuses=tuple(
            c.id for c in case.commitments if c.id in statuses_then and not c.status_history
        ),
        open_ends=tuple(cut.open_ends),
        text_withheld=cut.replay,
    )
    return KnownCase(known, withheld)


def _kept_id(record_id: str | None, kept: set[str]) -> str | None:
    """The id if the cut kept its record, else ``None``."""
    return record_id if record_id in kept else None


def _kept(records: list[Any], keep: Any) -> list[Any]:
    """The records the cut keeps, as it changed them."""
    return [kept for record in records if (kept := keep(record)) is not None]


def _left_out(before: list[Any], after: list[Any]) -> tuple[str, ...]:
    """The ids of the records the cut left out, in the case's order."""
    kept = {record.id for record in after}
    return tuple(record.id for record in before if record.id not in kept)
