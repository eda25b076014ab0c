"""Every change the workspace makes to a case, for the API and the pages alike.

A new case is saved (``case.create``) and its creator made its case lead (``member.add``).
Its id is the server's to make (``c-`` and twelve random letters or digits) unless the
request brings one, as an import does: an id chosen by the server cannot be used to probe
which ids other cases hold.
A record is added by reading the case, appending the record, checking the whole case's
integrity (unique ids, references that resolve) and saving it, audited under the signed-in
user's name with the action of its kind (``actor.add``, ``judgement.add``, ...). Each write
reads, changes and saves the case in one transaction holding the case's row lock
(``CaseStore.update_case``), so writes to one case, from any number of server processes,
apply one after another and none undoes another.

An integrity problem is raised as ``InvalidInputError`` located in the request (``body``,
``body.source``) rather than in the stored case, since that is where it can be fixed.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import uuid
from typing import TypeVar

from backchannel.auth import Role, User
from backchannel.errors import ConflictError, InvalidInputError, Problem
from backchannel.model.case import (
    Actor,
    Case,
    Commitment,
    Engagement,
    Judgement,
    Record,
    Relation,
    StatusChange,
    integrity_problems,
)
from backchannel.model.vocabulary import CommitmentStatus, JudgementOrigin
from backchannel.store.service import CaseStore
from backchannel.web.errors import Forbidden
from backchannel.web.inputs import (
    ActorIn,
    CaseIn,
    CommitmentIn,
    EngagementIn,
    JudgementIn,
    RelationIn,
)

R = TypeVar("R", bound=Record)

#: The audit action of adding a record to each collection.
ADD_ACTIONS = {
    "actors": "actor.add",
    "relations": "relation.add",
    "engagements": "engagement.add",
    "commitments": "commitment.add",
    "judgements": "judgement.add",
}
#: The prefix of ids the server makes up, per collection.
ID_PREFIXES = {
    "relations": "rel",
    "engagements": "eng",
    "commitments": "com",
    "judgements": "jud",
}


#: The prefix of case ids the server makes up.
CASE_ID_PREFIX = "c-"
#: Tries at a fresh case id before giving up: with 60 random bits a second is never needed
#: in practice, but a clash must not surface as an error about someone else's case.
CASE_ID_TRIES = 3


def may_create_cases(user: User) -> bool:
    """Whether ``user`` may open a new case: anyone whose global role is not viewer."""
    return user.role is not Role.viewer


def new_id(collection: str) -> str:
    """A fresh record id for ``collection`` (``jud-1f2e3d4c5b6a``)."""
    return f"{ID_PREFIXES.get(collection, 'rec')}-{uuid.uuid4().hex[:12]}"


def new_case_id() -> str:
    """A fresh, opaque case id: ``c-`` and twelve random lower-case letters or digits."""
    return CASE_ID_PREFIX + base64.b32encode(secrets.token_bytes(10)).decode("ascii")[:12].lower()


def create_case(store: CaseStore, user: User, body: CaseIn) -> Case:
    """Open a case with ``body``'s context; ``user`` becomes its case lead.

    ``store`` acts as ``user``. The case gets ``body.id`` if it gives one (``ConflictError``
    if a case with that id already exists), else an id made up here.
    """
    if not may_create_cases(user):
        raise Forbidden
    context = body.context()
    chosen = body.case_id()
    if chosen is not None:
        return _created(store, user, Case(id=chosen, context=context))
    for _ in range(CASE_ID_TRIES - 1):
        try:
            return _created(store, user, Case(id=new_case_id(), context=context))
        except ConflictError:
            continue
    return _created(store, user, Case(id=new_case_id(), context=context))


def _created(store: CaseStore, user: User, case: Case) -> Case:
    store.create_case(case, lead=user.name)
    return case


def add_record(store: CaseStore, case_id: str, collection: str, record: R) -> R:
    """Append ``record`` to ``collection`` of the case and save it, audited; returns it."""

    def appended(case: Case) -> Case:
        records = [*getattr(case, collection), record]
        updated = case.model_copy(update={collection: records})
        problems = integrity_problems(updated)
        if problems:
            added = (collection, len(records) - 1)
            raise InvalidInputError("request", [p.moved(added, ("body",)) for p in problems])
        return updated

    store.update_case(case_id, appended, ADD_ACTIONS[collection])
    return record


def actor_from(body: ActorIn) -> Actor:
    """The actor ``body`` describes."""
    return Actor.model_validate(body.model_dump())


def relation_from(body: RelationIn) -> Relation:
    """The relation ``body`` describes, with an id made up if it gave none."""
    return Relation.model_validate({**body.model_dump(), "id": body.id or new_id("relations")})


def engagement_from(body: EngagementIn) -> Engagement:
    """The engagement ``body`` describes, with an id made up if it gave none."""
    return Engagement.model_validate({**body.model_dump(), "id": body.id or new_id("engagements")})


def commitment_from(body: CommitmentIn) -> Commitment:
    """The commitment ``body`` describes, with an id made up if it gave none."""
    return Commitment.model_validate({**body.model_dump(), "id": body.id or new_id("commitments")})


def judgement_from(body: JudgementIn, analyst: str, now: dt.datetime | None = None) -> Judgement:
    """The judgement ``body`` describes, by ``analyst``, made at ``body.at`` or ``now``."""
    given = body.model_dump()
    return Judgement.model_validate(
        {
            **given,
            "id": given["id"] or new_id("judgements"),
            "analyst": analyst,
            "at": given["at"] or now or dt.datetime.now(dt.UTC),
            "origin": JudgementOrigin.ANALYST,
        }
    )


def set_commitment_status(
    store: CaseStore,
    case_id: str,
    commitment_id: str,
    status: CommitmentStatus,
    known_on: dt.date | None = None,
) -> Commitment:
    """Record where a commitment now stands, and since when it is known (default: today,
    UTC), as a new entry of its ``status_history``; returns it updated.

    The day may not lie before the commitment's start or before the last change recorded:
    a replay reads the history in order.
    """
    day = known_on or dt.datetime.now(dt.UTC).date()
    changed: list[Commitment] = []

    def restated(case: Case) -> Case:
        commitments = list(case.commitments)
        for position, commitment in enumerate(commitments):
            if commitment.id == commitment_id:
                history = commitment.status_history
                earliest = max([commitment.start, *(c.date for c in history)])
                if day < earliest:
                    raise InvalidInputError(
                        "request",
                        [
                            Problem(
                                "date",
                                f"the day the status became known must be on or after "
                                f"{earliest.isoformat()} (the start or the last change)",
                            )
                        ],
                    )
                update = {
                    "status": status,
                    "status_history": [*history, StatusChange(status=status, date=day)],
                }
                commitments[position] = commitment.model_copy(update=update)
                changed.append(commitments[position])
                return case.model_copy(update={"commitments": commitments})
        raise InvalidInputError(
            "request",
            [Problem("commitment", f"{commitment_id!r} is not a commitment of this case")],
        )

    store.update_case(case_id, restated, "commitment.status")
    return changed[-1]
