"""What seeding proposes: actor and relation records with their evidence, none confirmed.

The records are valid case records that reference each other consistently, so the
``fragment`` of a proposal can be pasted into a case file as it is. The evidence and the
``proposed`` marker stay beside the records (in the JSON form, ``as_dict``), since the case
model refuses unknown fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from backchannel.model.case import Actor, Judgement, Relation, Source

__all__ = [
    "ActorProposal",
    "CivilianHarm",
    "Evidence",
    "RelationProposal",
    "SeedProposal",
    "counted",
    "dump_record",
]


@dataclass(frozen=True)
class Evidence:
    """One piece of UCDP data behind a proposal: what it says and the rows that say it."""

    source: str
    statement: str
    rows: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    deaths: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "source": self.source,
            "statement": self.statement,
            "rows": list(self.rows),
            "years": list(self.years),
            "deaths": self.deaths,
        }


@dataclass(frozen=True)
class CivilianHarm:
    """Attacks on civilians by one actor in UCDP GED (one-sided violence, type 3).

    ``events``/``deaths`` count what GED attributes to the actor alone; ``joint_events``/
    ``joint_deaths`` what it attributes to a coalition the actor belonged to (those deaths
    are shared with the other members and must not be added to theirs).
    """

    events: int
    deaths: int
    joint_events: int
    joint_deaths: int
    first: dt.date
    last: dt.date
    years: tuple[int, ...]
    event_ids: tuple[str, ...]
    coalitions: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "events": self.events,
            "deaths_best": self.deaths,
            "joint_events": self.joint_events,
            "joint_deaths_best": self.joint_deaths,
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "years": list(self.years),
            "coalitions": list(self.coalitions),
            "event_ids": list(self.event_ids),
        }


@dataclass(frozen=True)
class ActorProposal:
    """An actor proposed from UCDP data; the analyst confirms, edits or drops it."""

    actor: Actor
    evidence: tuple[Evidence, ...]
    civilian_harm: CivilianHarm | None = None
    proposed: bool = True

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: the record, the marker and the evidence."""
        return {
            "proposed": self.proposed,
            "record": dump_record(self.actor),
            "evidence": [e.as_dict() for e in self.evidence],
            "attacks_on_civilians": None
            if self.civilian_harm is None
            else self.civilian_harm.as_dict(),
        }


@dataclass(frozen=True)
class RelationProposal:
    """A relation proposed from UCDP data; the analyst confirms, edits or drops it."""

    relation: Relation
    evidence: tuple[Evidence, ...]
    proposed: bool = True

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: the record, the marker and the evidence."""
        return {
            "proposed": self.proposed,
            "record": dump_record(self.relation),
            "evidence": [e.as_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class SeedProposal:
    """Everything proposed for one country: a partial case for the analyst to confirm.

    ``sources``, the actor and relation records and ``judgements`` are valid case records
    that reference each other consistently, so they can be pasted into a case file as they
    are; evidence stays beside them, outside the records.
    """

    country: str
    country_names: tuple[str, ...]
    sources: tuple[Source, ...]
    actors: tuple[ActorProposal, ...]
    relations: tuple[RelationProposal, ...]
    judgements: tuple[Judgement, ...]
    notes: tuple[str, ...] = ()

    def actor_by_ucdp_id(self, ucdp_id: int) -> ActorProposal:
        """The proposed actor with this UCDP id; ``KeyError`` if none."""
        for proposal in self.actors:
            if proposal.actor.ucdp_actor_id == ucdp_id:
                return proposal
        raise KeyError(ucdp_id)

    def fragment(self) -> dict[str, Any]:
        """The records alone, as a case-file fragment (``sources``, ``actors``...), without
        unset fields and empty lists."""
        return {
            "sources": [dump_record(s) for s in self.sources],
            "actors": [dump_record(p.actor) for p in self.actors],
            "relations": [dump_record(p.relation) for p in self.relations],
            "judgements": [dump_record(j) for j in self.judgements],
        }

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form with evidence and the ``proposed`` marker on every record."""
        return {
            "country": self.country,
            "country_names": list(self.country_names),
            "proposed": True,
            "sources": [dump_record(s) for s in self.sources],
            "actors": [p.as_dict() for p in self.actors],
            "relations": [p.as_dict() for p in self.relations],
            "judgements": [{"proposed": True, "record": dump_record(j)} for j in self.judgements],
            "notes": list(self.notes),
        }


def dump_record(record: Source | Actor | Relation | Judgement) -> dict[str, Any]:
    """A case record as JSON-ready data, without unset fields and empty lists."""
    values = record.model_dump(mode="json", exclude_none=True)
    return {k: v for k, v in values.items() if v != []}


def counted(number: int, noun: str) -> str:
    """``number`` and the noun, plural unless the number is one ("3 events")."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
