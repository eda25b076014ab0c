"""The case's screening: its armed actors against the designation lists, the legal exposure
of the planned engagement with each, and the analysts' decisions on the hits.

``GET /cases/{case_id}/screening`` shows it to every member; each hit carries a form that
records a decision on it (``screening.decide``: not for viewers), posted to the page's own
address and answered with a redirect back, or the page again (422) naming what is wrong.
The JSON API gives the same document (``GET /api/cases/{case_id}/screening``) and takes
the same decisions (``POST /api/cases/{case_id}/screening/decisions``).

A decision is taken only on a hit this case's screening gives: the name screened, the list
and the entry must be those of one of its hits. The case is screened as of its period's
end (today while it is open), so that it meets the designations in force then. Decisions
apply whenever they were made: a decision says who a name is, which does not change with
the day screened. For a user whose role does not give the full brief, intermediaries'
names are masked and no decision's note is shown; nobody sees the note of a decision
recorded in another case, nor that case's id.

With no list installed the page says how to install them, and the API's document says so
(``lists_installed`` false); a decision is then refused (422), since no hit can be checked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from backchannel.auth import Action
from backchannel.errors import InvalidInputError, Problem
from backchannel.model.case import Case
from backchannel.reports.actor_section import mask_names
from backchannel.screening.case_screening import (
    DEFAULT_ACTIVITIES,
    SCREENED_KINDS,
    CaseScreening,
    screen_case,
)
from backchannel.screening.decisions import HitDecision, SharedDecision, Verdict, decision_key
from backchannel.screening.law import Law
from backchannel.screening.screen import ScreenedHit
from backchannel.web.case_views import sees_sensitive_names
from backchannel.web.context import web_context
from backchannel.web.dependencies import CaseAccess, case_access
from backchannel.web.forms import FieldError, form_data, parse_form, redisplayed
from backchannel.web.installed_data import InstalledData
from backchannel.web.record_views import today_utc
from backchannel.web.schemas import ErrorOut
from backchannel.web.screening_index import ListsNotInstalled, LoadedLists
from backchannel.web.screening_inputs import DecisionIn
from backchannel.web.screening_schemas import DecisionRecordedOut, ScreeningOut
from backchannel.web.views import render

router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["screening"])

ReadAccess = Annotated[CaseAccess, Depends(case_access(Action.CASE_READ))]
DecideAccess = Annotated[CaseAccess, Depends(case_access(Action.SCREENING_DECIDE))]
Posted = Annotated[FormData, Depends(form_data)]
Added = Annotated[str | None, Query(max_length=100, description="The decision just recorded.")]
ActivityParam = Annotated[
    list[str] | None,
    Query(description="A planned activity to assess (repeatable; default: meeting)."),
]
JurisdictionParam = Annotated[
    list[str] | None,
    Query(description="A jurisdiction the organisation acts from (repeatable; default: all)."),
]

INVALID = 422
#: What the page and the API say when no designation list is installed.
NOT_INSTALLED = (
    "No designation list is installed on this server, so the case's actors cannot be "
    "screened. Install the UN and OFAC lists with `backchannel data pull un-sanctions "
    "ofac-sdn` (add --mirror DIR when offline)."
)
#: The fields a decision form posts, as the input model names them.
DECISION_FIELDS = ("query", "list", "entity_id", "verdict", "note")
_NOT_ID = re.compile(r"[^A-Za-z0-9_-]+")


def screening_lists(request: Request) -> InstalledData:
    """The app's installed data, which holds the designation lists as installed now."""
    return web_context(request).installed


Lists = Annotated[InstalledData, Depends(screening_lists)]


# --- screening a case ------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseScreeningView:
    """What the page and the API show of a case's screening, for the user looking.

    ``document`` is JSON-ready and masked when ``redacted``; ``produced`` maps each hit
    the screening gave, as (the screened name's decision key, list, entry), to the name
    as the case spells it: what decisions are checked against and recorded under.
    """

    case: Case
    document: dict[str, Any]
    redacted: bool
    law: Law
    produced: dict[tuple[str, str, str], str]


def screening_day(case: Case) -> dt.date:
    """The day a case is screened as of: its period's end, or today while it is open."""
    return case.context.period.end or today_utc()


def checked_choices(law: Law, activities: Sequence[str], jurisdictions: Sequence[str]) -> None:
    """Refuse (422, naming the query parameter) an activity or jurisdiction the rules lack."""
    problems = [
        Problem("query.activity", f"unknown activity {a!r}; known: {sorted(law.activities)}")
        for a in activities
        if a not in law.activities
    ] + [
        Problem(
            "query.jurisdiction", f"unknown jurisdiction {j!r}; known: {sorted(law.jurisdictions)}"
        )
        for j in jurisdictions
        if j not in law.jurisdictions
    ]
    if problems:
        raise InvalidInputError("request", problems)


def screened_with_decisions(
    case: Case,
    loaded: LoadedLists,
    decisions: Sequence[HitDecision],
    *,
    as_of: dt.date,
    activities: Sequence[str],
    jurisdictions: Sequence[str],
) -> CaseScreening:
    """``screen_case`` with every decision recorded so far applied, shown as recorded.

    ``Screening.screen`` applies only the decisions made by the day it screens as of, so
    that a screening of a past day shows what was known then; a case from 2011 would never
    show a decision made today. Here each decision is handed in dated no later than that
    day (their order is kept, so the latest still holds) and the hits get the decision as
    recorded back, with its real date and user.
    """
    cutoff = dt.datetime.combine(as_of, dt.time.max, dt.UTC)
    recorded: dict[int, HitDecision] = {}
    handed = []
    for decision in decisions:
        dated = dataclasses.replace(decision, at=min(decision.at, cutoff))
        recorded[id(dated)] = decision
        handed.append(dated)
    result = screen_case(
        case,
        loaded.screening,
        activities=list(activities) or list(DEFAULT_ACTIVITIES),
        jurisdictions=list(jurisdictions) or None,
        as_of=as_of,
        decisions=handed,
        law=loaded.law,
    )

    def as_recorded(hits: list[ScreenedHit]) -> list[ScreenedHit]:
        return [
            h
            if h.decision is None
            else dataclasses.replace(h, decision=recorded.get(id(h.decision), h.decision))
            for h in hits
        ]

    actors = [
        dataclasses.replace(
            actor, hits=as_recorded(actor.hits), listed_later=as_recorded(actor.listed_later)
        )
        for actor in result.actors
    ]
    return dataclasses.replace(result, actors=actors)


def hit_query(screened: ScreenedHit, fallback: str) -> str:
    """The name whose screening gave the hit (the index writes it into the explanation)."""
    query = screened.hit.explanation.get("query")
    return query if isinstance(query, str) and query else fallback


def _decision_row(decision: HitDecision | None, case_id: str, notes: bool) -> dict[str, Any] | None:
    if decision is None:
        return None
    row = decision.as_dict()
    # another case's id, or the note written there, is not this case's members' to see
    here = decision.case_id == case_id
    row["case_id"] = decision.case_id if here else None
    row["note"] = decision.note if notes and here else None
    return row


def _hit_row(screened: ScreenedHit, actor_name: str, case_id: str, notes: bool) -> dict[str, Any]:
    return {
        **screened.as_dict(),
        "query": hit_query(screened, actor_name),
        "decision": _decision_row(screened.decision, case_id, notes),
    }


def screening_document(result: CaseScreening, notes: bool) -> dict[str, Any]:
    """The JSON-ready screening, decisions shown as ``notes`` allow (unmasked)."""
    document = result.as_dict()
    document["lists"] = [
        # the file's path on the server is no business of the API's callers
        {key: value for key, value in snapshot.items() if key != "source"}
        for snapshot in result.lists
    ]
    document["actors"] = [
        {
            **actor.as_dict(),
            "hits": [_hit_row(h, actor.name, result.case, notes) for h in actor.hits],
            "listed_later": [
                _hit_row(h, actor.name, result.case, notes) for h in actor.listed_later
            ],
        }
        for actor in result.actors
    ]
    return {**document, "lists_installed": True, "message": None}


def with_suggestions(document: dict[str, Any], shared: Sequence[SharedDecision]) -> dict[str, Any]:
    """The screening with, on each undecided hit, the verdicts other cases shared on it."""
    offered: dict[tuple[str, str, str], set[str]] = {}
    for suggestion in shared:
        offered.setdefault(suggestion.hit, set()).add(suggestion.verdict.value)
    for actor in document["actors"]:
        for hit in (*actor["hits"], *actor["listed_later"]):
            key = (decision_key(hit["query"]), hit["list"], hit["entity_id"])
            hit["suggestions"] = [] if hit["decision"] else sorted(offered.get(key, ()))
    return document


def _not_installed_document(
    case: Case, law: Law, day: dt.date, activities: Sequence[str], jurisdictions: Sequence[str]
) -> dict[str, Any]:
    return {
        "case": case.id,
        "lists_installed": False,
        "message": NOT_INSTALLED,
        "as_of": day.isoformat(),
        "lists": [],
        "activities": list(activities) or list(DEFAULT_ACTIVITIES),
        "jurisdictions": list(jurisdictions)
        or [j for j, rule in law.jurisdictions.items() if not rule.always_assessed],
        "actors": [],
        "notes": [],
        "disclaimer": law.disclaimer,
    }


def case_screening(
    request: Request,
    access: CaseAccess,
    lists: InstalledData,
    activities: Sequence[str] = (),
    jurisdictions: Sequence[str] = (),
) -> CaseScreeningView:
    """The case screened for the user looking, with the decisions recorded on its hits."""
    law = lists.law()
    checked_choices(law, activities, jurisdictions)
    case = access.case()
    redacted = not sees_sensitive_names(access)
    day = screening_day(case)
    produced: dict[tuple[str, str, str], str] = {}
    try:
        loaded = lists.lists()
    except ListsNotInstalled:
        document = _not_installed_document(case, law, day, activities, jurisdictions)
    else:
        names = [n for a in case.actors if a.kind in SCREENED_KINDS for n in (a.name, *a.aliases)]
        result = screened_with_decisions(
            case,
            loaded,
            access.store.screening_decisions(access.case_id, names) if names else [],
            as_of=day,
            activities=activities,
            jurisdictions=jurisdictions,
        )
        for actor in result.actors:
            for screened in (*actor.hits, *actor.listed_later):
                query = hit_query(screened, actor.name)
                produced[decision_key(query), screened.hit.list, screened.hit.entity_id] = query
        document = screening_document(result, notes=not redacted)
        if names:
            document = with_suggestions(
                document, access.store.shared_decisions(access.case_id, names)
            )
    if redacted:
        document = mask_names(case, document)
    document = {**document, "redacted": redacted}
    return CaseScreeningView(case, document, redacted, law, produced)


def screened_name(view: CaseScreeningView, body: DecisionIn) -> str | Problem:
    """The name, as the case spells it, whose screening gave the hit ``body`` decides on;
    else what is wrong, located at the field to correct: the list when no such list was
    read, the entry when the list gave no such hit, the name when another name gave it.
    """
    if not view.document["lists_installed"]:
        return Problem("list", NOT_INSTALLED)
    lists = [entry["list"] for entry in view.document["lists"]]
    if body.list_id not in lists:
        return Problem("list", f"{body.list_id!r} is not a list this screening read ({lists})")
    hit = (body.list_id, body.entity_id)
    if not any((list_id, entity) == hit for _, list_id, entity in view.produced):
        return Problem(
            "entity_id",
            f"entry {body.entity_id!r} of {body.list_id} is not a hit of this case's screening",
        )
    name = view.produced.get((decision_key(body.query), *hit))
    if name is None:
        return Problem(
            "query",
            f"{body.query!r} is not the name whose screening gave this hit: decide on the "
            "name the screening shows beside it",
        )
    return name


def record(access: CaseAccess, body: DecisionIn, name: str) -> tuple[int, HitDecision]:
    """Record the signed-in user's decision on a hit of the case, screened as ``name``
    (audited); its number and the decision."""
    decision = HitDecision(
        query=name,
        list_id=body.list_id,
        entity_id=body.entity_id,
        verdict=body.verdict,
        user=access.session.user.name,
        at=dt.datetime.now(dt.UTC),
        note=body.note,
        case_id=access.case_id,
    )
    return access.store.record_decision(decision), decision


# --- the page --------------------------------------------------------------------------------


def form_key(actor: str, list_id: str, entity_id: str) -> str:
    """The id prefix of the decision form of one hit of one actor (safe in an HTML id)."""
    return "decide-" + "-".join(_NOT_ID.sub("_", part) for part in (actor, list_id, entity_id))


def _page(
    request: Request,
    access: CaseAccess,
    view: CaseScreeningView,
    *,
    status: int = 200,
    form: str | None = None,
    errors: list[FieldError] | None = None,
    values: dict[str, Any] | None = None,
    added: str | None = None,
) -> Response:
    document = view.document
    law = view.law
    return render(
        request,
        "screening.html",
        session=access.session,
        status=status,
        case=view.case,
        screening=document,
        redacted=view.redacted,
        activity_names={a: law.activities[a].name for a in law.activities},
        jurisdiction_names={j: law.jurisdictions[j].name for j in law.jurisdictions},
        verdicts=[v.value for v in Verdict],
        form_key=form_key,
        form=form,
        errors=errors or [],
        values=redisplayed(values or {}),
        added=added,
        may_decide=access.allows(Action.SCREENING_DECIDE),
        may_share=access.allows(Action.SCREENING_SHARE),
    )


@router.get("/cases/{case_id}/screening", name="case_screening", response_class=HTMLResponse)
def screening_page(
    request: Request,
    access: ReadAccess,
    lists: Lists,
    *,
    added: Added = None,
    activity: ActivityParam = None,
    jurisdiction: JurisdictionParam = None,
) -> Response:
    """The case's screening: hits with their decisions, exposure, lists used, disclaimer."""
    view = case_screening(request, access, lists, activity or (), jurisdiction or ())
    return _page(request, access, view, added=added)


@router.post(
    "/cases/{case_id}/screening", name="case_screening_decide", response_class=HTMLResponse
)
def decide_on_page(request: Request, access: DecideAccess, form: Posted, lists: Lists) -> Response:
    """Record a decision on one hit (``screening.decision``), or show the page naming what
    is wrong."""
    values: dict[str, Any] = {}
    for field in DECISION_FIELDS:
        raw = form.get(field)
        if isinstance(raw, str) and raw.strip():
            values[field] = raw.strip()
    actor = form.get("actor")
    key = form_key(
        actor if isinstance(actor, str) else "",
        str(values.get("list", "")),
        str(values.get("entity_id", "")),
    )
    body, errors = parse_form(DecisionIn, values)
    view = case_screening(request, access, lists)
    if body is not None:
        screened = screened_name(view, body)
        if not isinstance(screened, Problem):
            seq, _ = record(access, body, screened)
            path = str(request.url_for("case_screening", case_id=access.case_id).path)
            return RedirectResponse(f"{path}?added=decision-{seq}", status_code=303)
        errors = [FieldError(screened.location, screened.message)]
    return _page(request, access, view, status=INVALID, form=key, errors=errors, values=values)


# --- the JSON API ----------------------------------------------------------------------------


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        401: "Not signed in.",
        403: "Missing CSRF token, or the caller's role does not allow this.",
        404: "No such case, or the caller is not a member of it.",
        422: "The request is not valid (an unknown activity or jurisdiction, or a hit this "
        "case's screening does not give): each problem names its field.",
    }
    return {s: {"model": ErrorOut, "description": descriptions[s]} for s in statuses}


@api_router.get(
    "/cases/{case_id}/screening", name="api_screening", responses=_errors(401, 404, 422)
)
def screening_api(
    request: Request,
    access: ReadAccess,
    lists: Lists,
    *,
    activity: ActivityParam = None,
    jurisdiction: JurisdictionParam = None,
) -> ScreeningOut:
    """The case's actors screened against the installed lists, with the exposure of each
    planned activity per jurisdiction, as ``backchannel screen case --format json`` gives
    them. With no list installed, ``lists_installed`` is false and ``message`` says how to
    install them. Intermediaries' names (and decisions' notes) are left out for a caller
    whose role does not give the full brief."""
    view = case_screening(request, access, lists, activity or (), jurisdiction or ())
    return ScreeningOut.model_validate(view.document)


@api_router.post(
    "/cases/{case_id}/screening/decisions",
    name="api_screening_decide",
    status_code=201,
    responses=_errors(401, 403, 404, 422),
)
def decide_api(
    request: Request, body: DecisionIn, access: DecideAccess, lists: Lists
) -> DecisionRecordedOut:
    """Record the caller's decision on a hit of the case's screening (audited as
    ``screening.decision``). The hit is named as the screening document gives it: the
    ``query`` beside it, its ``list`` and ``entity_id``. Decisions are append-only: to
    change one, record another."""
    name = screened_name(case_screening(request, access, lists), body)
    if isinstance(name, Problem):
        raise InvalidInputError("request", [Problem(f"body.{name.location}", name.message)])
    seq, decision = record(access, body, name)
    return DecisionRecordedOut(
        seq=seq,
        query=decision.query,
        list_id=decision.list_id,
        entity_id=decision.entity_id,
        verdict=decision.verdict,
        user=decision.user,
        at=decision.at,
        case_id=access.case_id,
        has_note=decision.note is not None,
    )
