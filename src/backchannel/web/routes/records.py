"""The record pages of a case: its actors and relations, judgements, engagement log and
commitments, each with the form that adds to it. The commitment tracker also records each
commitment's status changes, its verification plan and the observations of its keeping,
and shows where its dated evidence puts it today (``negotiation_views.standings``).

Every page goes through ``case_access`` with the action it needs: reading for the pages,
the write action of the record's kind for their forms. A viewer sees the pages without
the forms, redacted as the redacted brief is: masked actors by their labels, record ids
opaque, sensitive fields left out. Every form carries the CSRF token; ``record_pages``
says how forms answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from starlette.datastructures import FormData

from backchannel.auth import Action
from backchannel.errors import InvalidInputError
from backchannel.model.negotiation import MonitoringEntry, VerificationPlan
from backchannel.model.vocabulary import CommitmentStatus
from backchannel.store.service import CaseStore
from backchannel.web.case_views import viewer_disclosure
from backchannel.web.dependencies import CaseAccess, case_access
from backchannel.web.forms import FieldError, form_data, form_values, integrity_errors
from backchannel.web.inputs import ActorIn, CommitmentIn, EngagementIn, JudgementIn, RelationIn
from backchannel.web.negotiation_forms import checked, monitoring_values, plan_values
from backchannel.web.negotiation_views import standings
from backchannel.web.negotiation_writes import add_monitoring_entry, set_verification_plan
from backchannel.web.record_pages import (
    INVALID,
    add_from_form,
    added_path,
    record_page,
    see_other,
)
from backchannel.web.record_views import (
    awaiting_review,
    newest_first,
    shown_records,
    subject_groups,
    subject_labels,
    today_utc,
)
from backchannel.web.writes import (
    actor_from,
    commitment_from,
    engagement_from,
    judgement_from,
    relation_from,
    set_commitment_status,
)

M = TypeVar("M", bound=BaseModel)

router = APIRouter(include_in_schema=False)

ReadAccess = Annotated[CaseAccess, Depends(case_access(Action.CASE_READ))]
WriteAccess = Annotated[CaseAccess, Depends(case_access(Action.CASE_WRITE))]
JudgementAccess = Annotated[CaseAccess, Depends(case_access(Action.JUDGEMENT_WRITE))]
EngagementAccess = Annotated[CaseAccess, Depends(case_access(Action.ENGAGEMENT_WRITE))]
CommitmentAccess = Annotated[CaseAccess, Depends(case_access(Action.COMMITMENT_WRITE))]
Posted = Annotated[FormData, Depends(form_data)]
Added = Annotated[str | None, Query(max_length=100, description="The record just saved.")]


# --- actors and relations ----------------------------------------------------------------


def _actors_page(request: Request, access: CaseAccess, **values: Any) -> Response:
    case = access.case()
    shown = viewer_disclosure(access)
    return record_page(
        request,
        access,
        "actors.html",
        case=case,
        actors=shown_records(case.actors, shown),
        relations=shown_records(case.relations, shown),
        **values,
    )


@router.get("/cases/{case_id}/actors", name="case_actors", response_class=HTMLResponse)
def actors_page(request: Request, access: ReadAccess, added: Added = None) -> Response:
    """The case's actors and relations, the forms that add them and a link to the map."""
    return _actors_page(request, access, added=added)


@router.post("/cases/{case_id}/actors", name="case_add_actor", response_class=HTMLResponse)
def add_actor(request: Request, access: WriteAccess, form: Posted) -> Response:
    """Add an actor (``actor.add``), or show the form again with what is wrong."""
    return add_from_form(
        request,
        access,
        model=ActorIn,
        values=form_values(form, ActorIn, typed_lists=("aliases", "references")),
        record=actor_from,
        collection="actors",
        page="case_actors",
        view=_actors_page,
        form="actor",
    )


@router.post("/cases/{case_id}/relations", name="case_add_relation", response_class=HTMLResponse)
def add_relation(request: Request, access: WriteAccess, form: Posted) -> Response:
    """Add a relation between two actors (``relation.add``)."""
    return add_from_form(
        request,
        access,
        model=RelationIn,
        values=form_values(form, RelationIn, typed_lists=("references",)),
        record=relation_from,
        collection="relations",
        page="case_actors",
        view=_actors_page,
        form="relation",
    )


# --- judgements ------------------------------------------------------------------------


def _judgements_page(request: Request, access: CaseAccess, **values: Any) -> Response:
    case = access.case()
    shown = viewer_disclosure(access)
    return record_page(
        request,
        access,
        "judgements.html",
        case=case,
        judgements=newest_first(shown_records(case.judgements, shown), "at"),
        suggestions=shown_records(awaiting_review(case.judgements), shown),
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
def add_judgement(request: Request, access: JudgementAccess, form: Posted) -> Response:
    """Record a judgement by the signed-in user (``judgement.add``).

    A review of a machine suggestion posts the same form from the suggestion's row: a
    refusal is shown beside that row's form.
    """
    values = form_values(form, JudgementIn, typed_lists=("events", "references"))
    analyst = access.session.user.name
    return add_from_form(
        request,
        access,
        model=JudgementIn,
        values=values,
        record=lambda body: judgement_from(body, analyst),
        collection="judgements",
        page="case_judgements",
        view=_judgements_page,
        form=f"review-{values['reviews']}" if values.get("reviews") else "judgement",
    )


# --- engagements ------------------------------------------------------------------------


def _engagements_page(request: Request, access: CaseAccess, **values: Any) -> Response:
    case = access.case()
    shown = viewer_disclosure(access)
    return record_page(
        request,
        access,
        "engagements.html",
        case=case,
        engagements=newest_first(shown_records(case.engagements, shown), "date"),
        **values,
    )


@router.get("/cases/{case_id}/engagements", name="case_engagements", response_class=HTMLResponse)
def engagements_page(request: Request, access: ReadAccess, added: Added = None) -> Response:
    """The engagement log, newest first, and the form that adds to it."""
    return _engagements_page(request, access, added=added)


@router.post(
    "/cases/{case_id}/engagements", name="case_add_engagement", response_class=HTMLResponse
)
def add_engagement(request: Request, access: EngagementAccess, form: Posted) -> Response:
    """Log an engagement (``engagement.add``)."""
    values = form_values(form, EngagementIn, several=("counterparts",), typed_lists=("references",))
    # the participants are typed one per line: a comma may be part of a name
    if isinstance(form.get("participants"), str):
        values["participants"] = [
            line.strip() for line in str(form.get("participants")).splitlines() if line.strip()
        ]
    return add_from_form(
        request,
        access,
        model=EngagementIn,
        values=values,
        record=engagement_from,
        collection="engagements",
        page="case_engagements",
        view=_engagements_page,
        form="engagement",
    )


# --- commitments ------------------------------------------------------------------------


def _commitments_page(request: Request, access: CaseAccess, **values: Any) -> Response:
    case = access.case()
    shown = viewer_disclosure(access)
    return record_page(
        request,
        access,
        "commitments.html",
        case=case,
        commitments=newest_first(shown_records(case.commitments, shown), "start"),
        standings=standings(case, shown, today_utc()),
        engagement_ids=[] if shown else [e.id for e in case.engagements],
        **values,
    )


@router.get("/cases/{case_id}/commitments", name="case_commitments", response_class=HTMLResponse)
def commitments_page(request: Request, access: ReadAccess, added: Added = None) -> Response:
    """The commitment tracker: each commitment and where its dated evidence puts it today,
    how its keeping is checked and what was observed, and the forms that record them."""
    return _commitments_page(request, access, added=added)


@router.post(
    "/cases/{case_id}/commitments", name="case_add_commitment", response_class=HTMLResponse
)
def add_commitment(request: Request, access: CommitmentAccess, form: Posted) -> Response:
    """Record a commitment (``commitment.add``)."""
    return add_from_form(
        request,
        access,
        model=CommitmentIn,
        values=form_values(form, CommitmentIn, typed_lists=("area", "references")),
        record=commitment_from,
        collection="commitments",
        page="case_commitments",
        view=_commitments_page,
        form="commitment",
    )


@router.post(
    "/cases/{case_id}/commitments/{commitment_id}/status",
    name="case_commitment_status",
    response_class=HTMLResponse,
)
def commitment_status(
    request: Request, commitment_id: str, access: CommitmentAccess, form: Posted
) -> Response:
    """Record where a commitment now stands and the day it became known (default today)."""
    raw = form.get("status")
    raw_day = form.get("date")
    problems: list[FieldError] = []
    day: dt.date | None = None
    try:
        status = CommitmentStatus(raw if isinstance(raw, str) else "")
    except ValueError:
        problems = [FieldError("status", "choose one of the listed statuses")]
    if isinstance(raw_day, str) and raw_day.strip():
        try:
            day = dt.date.fromisoformat(raw_day.strip())
        except ValueError:
            problems.append(FieldError("date", "give the day as YYYY-MM-DD"))
    if not problems:
        try:
            set_commitment_status(access.store, access.case_id, commitment_id, status, day)
        except InvalidInputError as invalid:
            problems = integrity_errors(invalid)
    if problems:
        return _commitments_page(
            request, access, status=INVALID, form=f"status-{commitment_id}", errors=problems
        )
    return see_other(added_path(request, "case_commitments", access.case_id, commitment_id))


@router.post(
    "/cases/{case_id}/commitments/{commitment_id}/verification-plan",
    name="case_commitment_plan",
    response_class=HTMLResponse,
)
def commitment_plan(
    request: Request, commitment_id: str, access: CommitmentAccess, form: Posted
) -> Response:
    """Say how a commitment's keeping is checked: the methods, by whom, how often
    (``commitment.verification_plan``); it replaces any earlier plan."""
    return _change_commitment(
        request,
        access,
        commitment_id,
        model=VerificationPlan,
        values=plan_values(form),
        write=set_verification_plan,
        form=f"plan-{commitment_id}",
    )


@router.post(
    "/cases/{case_id}/commitments/{commitment_id}/monitoring",
    name="case_commitment_monitor",
    response_class=HTMLResponse,
)
def commitment_monitor(
    request: Request, commitment_id: str, access: CommitmentAccess, form: Posted
) -> Response:
    """Record an observation of whether a commitment is kept: when it became known, how,
    by whom, what was seen and the status it supports (``commitment.monitor``)."""
    return _change_commitment(
        request,
        access,
        commitment_id,
        model=MonitoringEntry,
        values=monitoring_values(form),
        write=add_monitoring_entry,
        form=f"monitor-{commitment_id}",
    )


def _change_commitment(
    request: Request,
    access: CaseAccess,
    commitment_id: str,
    *,
    model: type[M],
    values: dict[str, Any],
    write: Callable[[CaseStore, str, str, M], Any],
    form: str,
) -> Response:
    """Check ``values`` against ``model`` and apply it to the commitment with ``write``; back
    to the commitment on success, else the page again with the problems beside the form."""
    record, problems = checked(model, values)
    if record is not None:
        try:
            write(access.store, access.case_id, commitment_id, record)
        except InvalidInputError as invalid:
            problems = integrity_errors(invalid)
        else:
            return see_other(added_path(request, "case_commitments", access.case_id, commitment_id))
    return _commitments_page(
        request, access, status=INVALID, form=form, errors=problems, values=values
    )
