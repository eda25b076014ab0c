"""The workspace's record pages: open a case, keep its actors, judgements, engagements and
commitments, draw its actor map and run its assessment.

Every page under ``/cases/{case_id}`` goes through ``case_access`` with the action it
needs: reading for the pages, the write action of the record's kind for their forms. A
viewer sees the pages without the forms, with intermediaries masked and sensitive fields
left out. Forms post to the page's own address and work without script (the answer is a
redirect back to the page); with htmx, the page's content is swapped in place, the
refusal of an invalid form (422) included. Every form carries the CSRF token.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from backchannel.actors.analysis import analyse_case
from backchannel.auth import Action
from backchannel.errors import InvalidInputError
from backchannel.model.case import Case
from backchannel.model.vocabulary import (
    ActorKind,
    Channel,
    CommitmentKind,
    CommitmentStatus,
    Confidence,
    EngagementOutcome,
    Finding,
    Modality,
    RelationKind,
    Stance,
)
from backchannel.reports.actor_map_page import graph_json, map_document
from backchannel.reports.actor_section import map_roles
from backchannel.web.case_views import sees_sensitive_names
from backchannel.web.dependencies import (
    Analyses,
    CaseAccess,
    Locks,
    SignedIn,
    StoreDep,
    case_access,
)
from backchannel.web.errors import Conflict, Forbidden
from backchannel.web.forms import (
    FieldError,
    form_data,
    form_values,
    integrity_errors,
    parse_form,
    redisplayed,
)
from backchannel.web.inputs import (
    ActorIn,
    CaseIn,
    CommitmentIn,
    EngagementIn,
    JudgementIn,
    RelationIn,
)
from backchannel.web.record_views import (
    actor_names,
    awaiting_review,
    newest_first,
    shown_records,
    subject_groups,
    subject_labels,
    today_utc,
)
from backchannel.web.views import render
from backchannel.web.writes import (
    actor_from,
    add_record,
    commitment_from,
    create_case,
    engagement_from,
    judgement_from,
    may_create_cases,
    relation_from,
    set_commitment_status,
)

router = APIRouter(include_in_schema=False)

ReadAccess = Annotated[CaseAccess, Depends(case_access(Action.CASE_READ))]
WriteAccess = Annotated[CaseAccess, Depends(case_access(Action.CASE_WRITE))]
JudgementAccess = Annotated[CaseAccess, Depends(case_access(Action.JUDGEMENT_WRITE))]
EngagementAccess = Annotated[CaseAccess, Depends(case_access(Action.ENGAGEMENT_WRITE))]
CommitmentAccess = Annotated[CaseAccess, Depends(case_access(Action.COMMITMENT_WRITE))]
AssessAccess = Annotated[CaseAccess, Depends(case_access(Action.ASSESSMENT_RUN))]
Posted = Annotated[FormData, Depends(form_data)]
Added = Annotated[str | None, Query(max_length=100, description="The record just saved.")]

#: The choices of the forms' select lists, by field.
CHOICES: dict[str, list[str]] = {
    "kind": [k.value for k in ActorKind],
    "stance": [s.value for s in Stance],
    "relation_kind": [k.value for k in RelationKind],
    "channel": [c.value for c in Channel],
    "modality": [m.value for m in Modality],
    "outcome": [o.value for o in EngagementOutcome],
    "commitment_kind": [k.value for k in CommitmentKind],
    "commitment_status": [s.value for s in CommitmentStatus],
    "status": [f.value for f in Finding],
    "confidence": [c.value for c in Confidence],
}
INVALID = 422


def _see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _record_page(
    request: Request,
    access: CaseAccess,
    template: str,
    *,
    case: Case | None = None,
    status: int = 200,
    form: str | None = None,
    errors: list[FieldError] | None = None,
    values: dict[str, Any] | None = None,
    added: str | None = None,
    **extra: Any,
) -> Response:
    """One of a case's record pages; ``errors`` and ``values`` belong to the form ``form``."""
    stored = case if case is not None else access.store.get_case(access.case_id)
    redacted = not sees_sensitive_names(access)
    return render(
        request,
        template,
        session=access.session,
        status=status,
        case=stored,
        redacted=redacted,
        names=actor_names(stored, redacted),
        choices=CHOICES,
        form=form,
        errors=errors or [],
        values=redisplayed(values or {}),
        added=added,
        today=today_utc().isoformat(),
        may_write=access.allows(Action.CASE_WRITE),
        may_judge=access.allows(Action.JUDGEMENT_WRITE),
        may_log=access.allows(Action.ENGAGEMENT_WRITE),
        may_track=access.allows(Action.COMMITMENT_WRITE),
        may_assess=access.allows(Action.ASSESSMENT_RUN),
        **extra,
    )


# --- a new case -----------------------------------------------------------------------


@router.get("/cases/new", name="case_new", response_class=HTMLResponse)
def new_case_form(request: Request, session: SignedIn) -> Response:
    """The form that opens a case (not for viewers)."""
    if not may_create_cases(session.user):
        raise Forbidden
    return render(request, "case_new.html", session=session, form="case", errors=[], values={})


@router.post("/cases/new", name="case_create", response_class=HTMLResponse)
def new_case(
    request: Request, session: SignedIn, case_store: StoreDep, form: Posted, locks: Locks
) -> Response:
    """Open the case; its creator becomes its case lead and lands on its dashboard."""
    if not may_create_cases(session.user):
        raise Forbidden
    values = form_values(form, CaseIn, typed_lists=("regions",))
    body, errors = parse_form(CaseIn, values)
    status = INVALID
    if body is not None:
        try:
            case = create_case(case_store.acting_as(session.user.name), session.user, body, locks)
        except Conflict as conflict:
            errors, status = [FieldError("id", conflict.message)], conflict.status
        else:
            return _see_other(str(request.url_for("case", case_id=case.id).path))
    return render(
        request,
        "case_new.html",
        session=session,
        status=status,
        form="case",
        errors=errors,
        values=redisplayed(values),
    )


# --- actors and relations ----------------------------------------------------------------


def _actors_page(request: Request, access: CaseAccess, **values: Any) -> Response:
    case = access.store.get_case(access.case_id)
    redacted = not sees_sensitive_names(access)
    return _record_page(
        request,
        access,
        "actors.html",
        case=case,
        actors=shown_records(case, case.actors, redacted),
        relations=shown_records(case, case.relations, redacted),
        **values,
    )


@router.get("/cases/{case_id}/actors", name="case_actors", response_class=HTMLResponse)
def actors_page(request: Request, access: ReadAccess, added: Added = None) -> Response:
    """The case's actors and relations, the forms that add them and a link to the map."""
    return _actors_page(request, access, added=added)


@router.post("/cases/{case_id}/actors", name="case_add_actor", response_class=HTMLResponse)
def add_actor(request: Request, access: WriteAccess, form: Posted, locks: Locks) -> Response:
    """Add an actor (``actor.add``), or show the form again with what is wrong."""
    values = form_values(form, ActorIn, typed_lists=("aliases", "references"))
    body, errors = parse_form(ActorIn, values)
    if body is not None:
        try:
            actor = add_record(access.store, access.case_id, "actors", actor_from(body), locks)
        except InvalidInputError as invalid:
            errors = integrity_errors(invalid)
        else:
            return _see_other(_added(request, "case_actors", access.case_id, actor.id))
    return _actors_page(request, access, status=INVALID, form="actor", errors=errors, values=values)


@router.post("/cases/{case_id}/relations", name="case_add_relation", response_class=HTMLResponse)
def add_relation(request: Request, access: WriteAccess, form: Posted, locks: Locks) -> Response:
    """Add a relation between two actors (``relation.add``)."""
    values = form_values(form, RelationIn, typed_lists=("references",))
    body, errors = parse_form(RelationIn, values)
    if body is not None:
        try:
            relation = relation_from(body)
            add_record(access.store, access.case_id, "relations", relation, locks)
        except InvalidInputError as invalid:
            errors = integrity_errors(invalid)
        else:
            return _see_other(_added(request, "case_actors", access.case_id, relation.id))
    return _actors_page(
        request, access, status=INVALID, form="relation", errors=errors, values=values
    )


@router.get("/cases/{case_id}/actors/map", name="case_actor_map", response_class=HTMLResponse)
def actor_map(request: Request, access: ReadAccess) -> Response:
    """The interactive actor map (Cytoscape.js from /static), its data inline as JSON."""
    case = access.store.get_case(access.case_id)
    redacted = not sees_sensitive_names(access)
    day = case.context.period.end or dt.date.today()
    roles = map_roles(analyse_case(case, day).as_dict())
    document = map_document(case, day, redacted, roles)
    nodes = [node["data"] for node in document["elements"]["nodes"]]
    labels = {node["id"]: node["label"] for node in nodes}
    edges = [
        {
            **edge["data"],
            "source_label": labels.get(edge["data"]["source"], edge["data"]["source"]),
            "target_label": labels.get(edge["data"]["target"], edge["data"]["target"]),
        }
        for edge in document["elements"]["edges"]
    ]
    return render(
        request,
        "actor_map.html",
        session=access.session,
        case=case,
        as_of=day.isoformat(),
        redacted=redacted,
        nodes=nodes,
        edges=edges,
        graph_json=graph_json(document),
    )


# --- judgements ------------------------------------------------------------------------


def _judgements_page(request: Request, access: CaseAccess, **values: Any) -> Response:
    case = access.store.get_case(access.case_id)
    redacted = not sees_sensitive_names(access)
    return _record_page(
        request,
        access,
        "judgements.html",
        case=case,
        judgements=newest_first(shown_records(case, case.judgements, redacted), "at"),
        suggestions=shown_records(case, awaiting_review(case.judgements), redacted),
        subject_groups=subject_groups(),
        subject_labels=subject_labels(),
        **values,
    )


@router.get("/cases/{case_id}/judgements", name="case_judgements", response_class=HTMLResponse)
def judgements_page(request: Request, access: ReadAccess, added: Added = None) -> Response:
    """The case's judgements, newest first, the machine suggestions awaiting review and the
    UN Framework judgement form."""
    return _judgements_page(request, access, added=added)


@router.post("/cases/{case_id}/judgements", name="case_add_judgement", response_class=HTMLResponse)
def add_judgement(
    request: Request, access: JudgementAccess, form: Posted, locks: Locks
) -> Response:
    """Record a judgement by the signed-in user (``judgement.add``)."""
    values = form_values(form, JudgementIn, typed_lists=("events", "references"))
    body, errors = parse_form(JudgementIn, values)
    if body is not None:
        try:
            judgement = judgement_from(body, access.session.user.name)
            add_record(access.store, access.case_id, "judgements", judgement, locks)
        except InvalidInputError as invalid:
            errors = integrity_errors(invalid)
        else:
            return _see_other(_added(request, "case_judgements", access.case_id, judgement.id))
    which = f"review-{values['reviews']}" if values.get("reviews") else "judgement"
    return _judgements_page(
        request, access, status=INVALID, form=which, errors=errors, values=values
    )


# --- engagements ------------------------------------------------------------------------


def _engagements_page(request: Request, access: CaseAccess, **values: Any) -> Response:
    case = access.store.get_case(access.case_id)
    redacted = not sees_sensitive_names(access)
    return _record_page(
        request,
        access,
        "engagements.html",
        case=case,
        engagements=newest_first(shown_records(case, case.engagements, redacted), "date"),
        **values,
    )


@router.get("/cases/{case_id}/engagements", name="case_engagements", response_class=HTMLResponse)
def engagements_page(request: Request, access: ReadAccess, added: Added = None) -> Response:
    """The engagement log, newest first, and the form that adds to it."""
    return _engagements_page(request, access, added=added)


@router.post(
    "/cases/{case_id}/engagements", name="case_add_engagement", response_class=HTMLResponse
)
def add_engagement(
    request: Request, access: EngagementAccess, form: Posted, locks: Locks
) -> Response:
    """Log an engagement (``engagement.add``)."""
    values = form_values(
        form,
        EngagementIn,
        several=("counterparts",),
        typed_lists=("references",),
    )
    # the participants are typed one per line: a comma may be part of a name
    if isinstance(form.get("participants"), str):
        values["participants"] = [
            line.strip() for line in str(form.get("participants")).splitlines() if line.strip()
        ]
    body, errors = parse_form(EngagementIn, values)
    if body is not None:
        try:
            engagement = engagement_from(body)
            add_record(access.store, access.case_id, "engagements", engagement, locks)
        except InvalidInputError as invalid:
            errors = integrity_errors(invalid)
        else:
            return _see_other(_added(request, "case_engagements", access.case_id, engagement.id))
    return _engagements_page(
        request, access, status=INVALID, form="engagement", errors=errors, values=values
    )


# --- commitments ------------------------------------------------------------------------


def _commitments_page(request: Request, access: CaseAccess, **values: Any) -> Response:
    case = access.store.get_case(access.case_id)
    redacted = not sees_sensitive_names(access)
    return _record_page(
        request,
        access,
        "commitments.html",
        case=case,
        commitments=newest_first(shown_records(case, case.commitments, redacted), "start"),
        engagement_ids=[e.id for e in case.engagements],
        **values,
    )


@router.get("/cases/{case_id}/commitments", name="case_commitments", response_class=HTMLResponse)
def commitments_page(request: Request, access: ReadAccess, added: Added = None) -> Response:
    """The commitment tracker: each commitment and where it stands, and the form to add one."""
    return _commitments_page(request, access, added=added)


@router.post(
    "/cases/{case_id}/commitments", name="case_add_commitment", response_class=HTMLResponse
)
def add_commitment(
    request: Request, access: CommitmentAccess, form: Posted, locks: Locks
) -> Response:
    """Record a commitment (``commitment.add``)."""
    values = form_values(form, CommitmentIn, typed_lists=("area", "references"))
    body, errors = parse_form(CommitmentIn, values)
    if body is not None:
        try:
            commitment = commitment_from(body)
            add_record(access.store, access.case_id, "commitments", commitment, locks)
        except InvalidInputError as invalid:
            errors = integrity_errors(invalid)
        else:
            return _see_other(_added(request, "case_commitments", access.case_id, commitment.id))
    return _commitments_page(
        request, access, status=INVALID, form="commitment", errors=errors, values=values
    )


@router.post(
    "/cases/{case_id}/commitments/{commitment_id}/status",
    name="case_commitment_status",
    response_class=HTMLResponse,
)
def commitment_status(
    request: Request, commitment_id: str, access: CommitmentAccess, form: Posted, locks: Locks
) -> Response:
    """Record where a commitment now stands (``commitment.status``)."""
    raw = form.get("status")
    try:
        status = CommitmentStatus(raw if isinstance(raw, str) else "")
    except ValueError:
        return _commitments_page(
            request,
            access,
            status=INVALID,
            form=f"status-{commitment_id}",
            errors=[FieldError("status", "choose one of the listed statuses")],
        )
    try:
        set_commitment_status(access.store, access.case_id, commitment_id, status, locks)
    except InvalidInputError as invalid:
        return _commitments_page(
            request,
            access,
            status=INVALID,
            form=f"status-{commitment_id}",
            errors=integrity_errors(invalid),
        )
    return _see_other(_added(request, "case_commitments", access.case_id, commitment_id))


# --- the assessment -----------------------------------------------------------------------


@router.post("/cases/{case_id}/assess", name="case_assess", response_class=HTMLResponse)
def assess(request: Request, access: AssessAccess, cache: Analyses) -> Response:
    """Run the case's assessment afresh and show it on the dashboard."""
    cache.analysis(access.store.get_case(access.case_id), refresh=True)
    return _see_other(str(request.url_for("case", case_id=access.case_id).path))


def _added(request: Request, page: str, case_id: str, record_id: str) -> str:
    path = str(request.url_for(page, case_id=case_id).path)
    return f"{path}?added={record_id}"
