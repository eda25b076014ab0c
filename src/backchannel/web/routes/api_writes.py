"""The JSON API's writes: open a case, add records to it, run its assessment.

Every write carries the session's CSRF token in ``X-CSRF-Token`` and goes through the
store acting as the signed-in user, so the audit log names them. A request that breaks the
model's rules is answered 422 naming the field: by validation (a missing or malformed
field, a text too long or holding a NUL character, a time without its zone) or by the
case's integrity check (an unknown actor id, a duplicate id). A body larger than the
server accepts is answered 413 before it is read.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from backchannel.auth import Action
from backchannel.web.case_views import run_assessment as run_audited_assessment
from backchannel.web.dependencies import (
    Analyses,
    CaseAccess,
    SignedIn,
    StoreDep,
    case_access,
)
from backchannel.web.inputs import (
    ActorIn,
    CaseIn,
    CommitmentIn,
    EngagementIn,
    JudgementIn,
    RelationIn,
)
from backchannel.web.schemas import AssessmentOut, CreatedOut, ErrorOut
from backchannel.web.writes import (
    actor_from,
    add_record,
    commitment_from,
    create_case,
    engagement_from,
    judgement_from,
    relation_from,
)

router = APIRouter(tags=["cases"])

WriteAccess = Annotated[CaseAccess, Depends(case_access(Action.CASE_WRITE))]
EngagementAccess = Annotated[CaseAccess, Depends(case_access(Action.ENGAGEMENT_WRITE))]
CommitmentAccess = Annotated[CaseAccess, Depends(case_access(Action.COMMITMENT_WRITE))]
JudgementAccess = Annotated[CaseAccess, Depends(case_access(Action.JUDGEMENT_WRITE))]
AssessAccess = Annotated[CaseAccess, Depends(case_access(Action.ASSESSMENT_RUN))]


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        401: "Not signed in.",
        403: "Missing CSRF token, or the caller's role does not allow this.",
        404: "No such case, or the caller is not a member of it.",
        409: "A case with this id already exists.",
        413: "The request body is larger than the server accepts.",
        422: "The request is not valid: each problem names its field.",
    }
    return {s: {"model": ErrorOut, "description": descriptions[s]} for s in statuses}


CASE_ERRORS = _errors(401, 403, 404, 413, 422)


@router.post(
    "/cases", name="api_create_case", status_code=201, responses=_errors(401, 403, 409, 413, 422)
)
def create(body: CaseIn, session: SignedIn, case_store: StoreDep) -> CreatedOut:
    """Open a case; the caller becomes its case lead. Any role but viewer may.

    The case takes the ``id`` given (an import of a case named elsewhere; 409 if taken),
    else the server makes up an opaque one, which the answer gives.
    """
    store = case_store.acting_as(session.user.name)
    case = create_case(store, session.user, body)
    return CreatedOut(id=case.id)


@router.post(
    "/cases/{case_id}/actors", name="api_add_actor", status_code=201, responses=CASE_ERRORS
)
def add_actor(body: ActorIn, access: WriteAccess) -> CreatedOut:
    """Add an actor (audited as ``actor.add``)."""
    actor = add_record(access.store, access.case_id, "actors", actor_from(body))
    return CreatedOut(id=actor.id)


@router.post(
    "/cases/{case_id}/relations", name="api_add_relation", status_code=201, responses=CASE_ERRORS
)
def add_relation(body: RelationIn, access: WriteAccess) -> CreatedOut:
    """Add a relation between two actors of the case (``relation.add``)."""
    relation = add_record(access.store, access.case_id, "relations", relation_from(body))
    return CreatedOut(id=relation.id)


@router.post(
    "/cases/{case_id}/engagements",
    name="api_add_engagement",
    status_code=201,
    responses=CASE_ERRORS,
)
def add_engagement(body: EngagementIn, access: EngagementAccess) -> CreatedOut:
    """Log an engagement with counterparts of the case (``engagement.add``)."""
    engagement = add_record(access.store, access.case_id, "engagements", engagement_from(body))
    return CreatedOut(id=engagement.id)


@router.post(
    "/cases/{case_id}/commitments",
    name="api_add_commitment",
    status_code=201,
    responses=CASE_ERRORS,
)
def add_commitment(body: CommitmentIn, access: CommitmentAccess) -> CreatedOut:
    """Record a party's commitment (``commitment.add``)."""
    commitment = add_record(access.store, access.case_id, "commitments", commitment_from(body))
    return CreatedOut(id=commitment.id)


@router.post(
    "/cases/{case_id}/judgements", name="api_add_judgement", status_code=201, responses=CASE_ERRORS
)
def add_judgement(body: JudgementIn, access: JudgementAccess) -> CreatedOut:
    """Record a judgement by the caller (``judgement.add``); judgements are append-only."""
    judgement = judgement_from(body, access.session.user.name)
    add_record(access.store, access.case_id, "judgements", judgement)
    return CreatedOut(id=judgement.id)


@router.post(
    "/cases/{case_id}/assessment",
    name="api_run_assessment",
    responses=_errors(401, 403, 404),
)
def run_assessment(access: AssessAccess, cache: Analyses) -> AssessmentOut:
    """Run the case's assessment afresh; the same document as the GET."""
    assessed = run_audited_assessment(access, cache)
    return AssessmentOut.model_validate({**assessed.document, "redacted": assessed.redacted})
