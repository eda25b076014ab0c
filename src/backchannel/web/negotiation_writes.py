"""Every change the workspace makes to the negotiation records of a case.

Each write reads, changes and saves the case in one transaction holding its row lock
(``CaseStore.update_case``), audited under the signed-in user's name with an action of its
own:

========================================  =================================================
``mandate.set``                           the mandate given, or replaced whole
``role.set``                              our role in the context (or unknown)
``red_line.add``, ``bottom_line.add``     a red line or a bottom line worded for the case
``red_line.adopt``                        generic red lines of ``dialogue_plan.yaml`` taken
                                          on as the case's own
``island.add``                            an Island of Agreement entry
``position.add``                          one side's position towards a counterpart
``common_position.add``                   a position agreed among engagers
``commitment.verification_plan``          how a commitment's keeping is checked
``commitment.monitor``                    an observation of whether it is kept
========================================  =================================================

A change that would leave the case inconsistent (a counterpart, engagement, red line or
source that is not in the case; our own organisation as a counterpart; a generic red line
that does not exist or is adopted already; an observation dated before the commitment
began) is refused with ``InvalidInputError`` located at the field that can fix it, and
nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from functools import cache
from typing import TypeVar

from pydantic import ValidationError

from backchannel.dialogue.rules import PlanItem, load_dialogue_rules
from backchannel.errors import InvalidInputError, Problem
from backchannel.model.case import Case, Commitment, Record, integrity_problems
from backchannel.model.negotiation import (
    CaseLine,
    Mandate,
    MonitoringEntry,
    VerificationPlan,
)
from backchannel.model.vocabulary import ActorKind, OurRole
from backchannel.store.service import CaseStore

R = TypeVar("R", bound=Record)

#: The audit action of adding a record to each negotiation collection.
NEGOTIATION_ACTIONS = {
    "red_lines": "red_line.add",
    "bottom_lines": "bottom_line.add",
    "island_of_agreement": "island.add",
    "positions": "position.add",
    "common_positions": "common_position.add",
}
#: The prefix of the ids the server makes up, per negotiation collection.
NEGOTIATION_ID_PREFIXES = {
    "red_lines": "rl",
    "bottom_lines": "bl",
    "island_of_agreement": "isl",
    "positions": "pos",
    "common_positions": "cp",
}
#: The fields of a record that name a counterpart, per collection.
_COUNTERPART_FIELDS = {
    "island_of_agreement": "counterpart",
    "positions": "counterpart",
    "common_positions": "counterparts",
}


def new_negotiation_id(collection: str) -> str:
    """A fresh record id for a negotiation collection (``isl-1f2e3d4c5b6a``)."""
    return f"{NEGOTIATION_ID_PREFIXES[collection]}-{uuid.uuid4().hex[:12]}"


@cache
def generic_red_lines() -> tuple[PlanItem, ...]:
    """The generic red lines of the packaged ``dialogue_plan.yaml``, in file order."""
    return tuple(load_dialogue_rules().plan.red_lines)


def generic_red_line(line_id: str) -> PlanItem | None:
    """The generic red line with this id, if there is one."""
    return next((line for line in generic_red_lines() if line.id == line_id), None)


def refused(field: str, message: str) -> InvalidInputError:
    """The refusal of a write, located at the form field ``field``."""
    return InvalidInputError("request", [Problem(field, message)])


def add_negotiation_record(store: CaseStore, case_id: str, collection: str, record: R) -> R:
    """Append ``record`` to the negotiation ``collection`` of the case, audited; returns it."""

    def appended(case: Case) -> Case:
        records = [*getattr(case, collection), record]
        updated = case.model_copy(update={collection: records})
        prefix = f"{collection}[{len(records) - 1}]"
        problems = [_in_request(p, prefix) for p in integrity_problems(updated)]
        problems += _counterpart_problems(case, collection, record)
        if isinstance(record, CaseLine):
            problems += _adoption_problems(case, collection, [record], "adopted_from")
        if problems:
            raise InvalidInputError("request", problems)
        return updated

    store.update_case(case_id, appended, NEGOTIATION_ACTIONS[collection])
    return record


def adopt_red_lines(
    store: CaseStore, case_id: str, line_ids: Sequence[str], set_by: str, day: dt.date | None
) -> list[CaseLine]:
    """Take the generic red lines ``line_ids`` on as the case's own (``red_line.adopt``).

    Each becomes a red line of the case worded as the generic one, with ``adopted_from``
    naming it. An unknown id, or one the case has adopted already, refuses them all.
    """
    lines = []
    for line_id in line_ids:
        generic = generic_red_line(line_id)
        if generic is None:
            raise refused("adopt", f"{line_id!r} is not one of the generic red lines")
        lines.append(
            CaseLine(
                id=new_negotiation_id("red_lines"),
                text=generic.text,
                set_by=set_by,
                date=day,
                adopted_from=generic.id,
            )
        )
    if not lines:
        raise refused("adopt", "choose at least one red line to adopt")

    def adopted(case: Case) -> Case:
        problems = _adoption_problems(case, "red_lines", lines, "adopt")
        if problems:
            raise InvalidInputError("request", problems)
        return case.model_copy(update={"red_lines": [*case.red_lines, *lines]})

    store.update_case(case_id, adopted, "red_line.adopt")
    return lines


def set_mandate(store: CaseStore, case_id: str, mandate: Mandate) -> Mandate:
    """Give the case its mandate, or replace the one it had (``mandate.set``)."""

    def mandated(case: Case) -> Case:
        updated = case.model_copy(update={"mandate": mandate})
        problems = [_in_request(p, "mandate") for p in integrity_problems(updated)]
        if problems:
            raise InvalidInputError("request", problems)
        return updated

    store.update_case(case_id, mandated, "mandate.set")
    return mandate


def set_our_role(store: CaseStore, case_id: str, role: OurRole | None) -> None:
    """Record what our organisation is in the context; ``None``: unknown (``role.set``)."""

    def restated(case: Case) -> Case:
        context = case.context.model_copy(update={"our_role": role})
        return case.model_copy(update={"context": context})

    store.update_case(case_id, restated, "role.set")


def set_verification_plan(
    store: CaseStore, case_id: str, commitment_id: str, plan: VerificationPlan
) -> Commitment:
    """Say how a commitment's keeping is checked, replacing any earlier plan
    (``commitment.verification_plan``); returns the commitment updated."""

    def planned(commitment: Commitment, _position: int) -> Commitment:
        return _revalidated(commitment, verification_plan=plan)

    return _change_commitment(
        store, case_id, commitment_id, planned, "commitment.verification_plan"
    )


def add_monitoring_entry(
    store: CaseStore, case_id: str, commitment_id: str, entry: MonitoringEntry
) -> Commitment:
    """Add an observation of a commitment's keeping (``commitment.monitor``); returns the
    commitment updated.

    The observation may not be dated before the commitment's start: it could not observe
    a commitment not yet made. The commitment's recorded status is left as it is; where it
    stands is read from all its dated evidence (``model.compliance``).
    """

    def observed(commitment: Commitment, _position: int) -> Commitment:
        if entry.date < commitment.start:
            raise refused(
                "date",
                f"the observation must be dated on or after {commitment.start.isoformat()}, "
                "the day the commitment began",
            )
        return _revalidated(commitment, monitoring=[*commitment.monitoring, entry])

    return _change_commitment(store, case_id, commitment_id, observed, "commitment.monitor")


def _change_commitment(
    store: CaseStore,
    case_id: str,
    commitment_id: str,
    change: Callable[[Commitment, int], Commitment],
    action: str,
) -> Commitment:
    changed: list[Commitment] = []

    def updated(case: Case) -> Case:
        commitments = list(case.commitments)
        for position, commitment in enumerate(commitments):
            if commitment.id == commitment_id:
                commitments[position] = change(commitment, position)
                changed.append(commitments[position])
                result = case.model_copy(update={"commitments": commitments})
                prefix = f"commitments[{position}]"
                problems = [
                    _in_request(p, f"{prefix}.monitoring[{len(commitment.monitoring)}]")
                    for p in integrity_problems(result)
                    if p.location.startswith(prefix)
                ]
                if problems:
                    raise InvalidInputError("request", problems)
                return result
        raise refused("commitment", f"{commitment_id!r} is not a commitment of this case")

    store.update_case(case_id, updated, action)
    return changed[-1]


def _revalidated(commitment: Commitment, **update: object) -> Commitment:
    """``commitment`` with ``update``, checked whole again (``model_copy`` checks nothing)."""
    try:
        return Commitment.model_validate({**dict(commitment), **update})
    except ValidationError as invalid:
        first = invalid.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        raise refused(field, first["msg"].removeprefix("Value error, ")) from None


def _counterpart_problems(case: Case, collection: str, record: Record) -> list[Problem]:
    """Our own organisation negotiates; it is never its own counterpart."""
    field = _COUNTERPART_FIELDS.get(collection)
    if field is None:
        return []
    named = getattr(record, field)
    ids = named if isinstance(named, list) else [named]
    own = {a.id for a in case.actors if a.kind is ActorKind.OWN_ORGANISATION}
    return [
        Problem(field, f"{actor_id!r} is our own organisation, not a counterpart")
        for actor_id in ids
        if actor_id in own
    ]


def _adoption_problems(
    case: Case, collection: str, lines: Sequence[CaseLine], field: str
) -> list[Problem]:
    """A generic red line is adopted once, as a red line, and only if it exists; a problem
    is located at ``field``, the form field that named it."""
    problems = []
    adopted = {line.adopted_from for line in case.red_lines if line.adopted_from}
    for line in lines:
        if line.adopted_from is None:
            continue
        if collection != "red_lines":
            problems.append(Problem(field, "only a red line adopts a generic red line"))
        elif generic_red_line(line.adopted_from) is None:
            problems.append(
                Problem(field, f"{line.adopted_from!r} is not one of the generic red lines")
            )
        elif line.adopted_from in adopted:
            problems.append(
                Problem(field, f"{line.adopted_from!r} is already one of the case's red lines")
            )
    return problems


def _in_request(problem: Problem, prefix: str) -> Problem:
    """A problem of the stored case at ``prefix`` (the new record), located in the request."""
    location = problem.location
    if location == prefix or location.startswith((prefix + ".", prefix + "[")):
        location = "body" + location[len(prefix) :]
    return Problem(location, problem.message)
