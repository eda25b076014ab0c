"""The pages of the workspace that show what the analysis makes of a case: the case list,
a case's dashboard (and the button that runs its assessment again), the actor map, the
brief and the audit trail.

Every page under ``/cases/{case_id}`` goes through ``case_access`` with the action it
needs. Pages are rendered on the server and work without script. A user whose role does
not give the full brief sees every page redacted, read back before it is sent; a redacted
brief that fails that check is refused with a clear error instead of being downloaded.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from backchannel.actors.analysis import analyse_case
from backchannel.auth import Action
from backchannel.reports.actor_map_page import graph_json, map_document
from backchannel.reports.actor_section import map_roles
from backchannel.reports.brief_output import brief_bytes
from backchannel.web.alert_news import new_alerts_view
from backchannel.web.case_views import (
    assessed_case,
    country_name,
    negotiation_of,
    refused_if_leaking,
    run_assessment,
    sees_sensitive_names,
    shown_case,
    viewer_disclosure,
)
from backchannel.web.dependencies import Analyses, CaseAccess, SignedIn, StoreDep, case_access
from backchannel.web.record_pages import see_other
from backchannel.web.schemas import HealthOut
from backchannel.web.views import render

router = APIRouter(include_in_schema=False)

ReadAccess = Annotated[CaseAccess, Depends(case_access(Action.CASE_READ))]
BriefAccess = Annotated[CaseAccess, Depends(case_access(Action.BRIEF_REDACTED))]
AuditAccess = Annotated[CaseAccess, Depends(case_access(Action.AUDIT_READ))]
AssessAccess = Annotated[CaseAccess, Depends(case_access(Action.ASSESSMENT_RUN))]


@router.api_route("/healthz", methods=["GET", "HEAD"], name="healthz")
def healthz() -> HealthOut:
    """The server is up: no sign-in needed, no data given."""
    return HealthOut(status="ok")


@router.get("/", name="cases", response_class=HTMLResponse)
def case_list(request: Request, session: SignedIn, case_store: StoreDep) -> Response:
    """The cases the signed-in user is a member of."""
    cases = case_store.cases_for(session.user.name)
    return render(
        request,
        "cases.html",
        session=session,
        cases=cases,
        countries={c.country: country_name(c.country) for c in cases},
    )


@router.get("/cases/{case_id}", name="case", response_class=HTMLResponse)
def case_dashboard(request: Request, access: ReadAccess, cache: Analyses) -> Response:
    """A case at a glance: the recommendation, the negotiation as page 1 of the brief opens
    it (with what its record lacks), the stage with reasons and disagreements, and the
    alerts monitoring recorded since the user's last visit (which moves once the page is
    made)."""
    assessed = assessed_case(access, cache)
    disclosure = viewer_disclosure(access)
    context = assessed.case.context
    news = access.store.alert_news(access.case_id)
    page = render(
        request,
        "case.html",
        session=access.session,
        disclosure=disclosure,
        case=shown_case(assessed.case, disclosure),
        country=country_name(context.country),
        assessment=assessed.document,
        negotiation=negotiation_of(assessed),
        redacted=assessed.redacted,
        role=access.role,
        may_get_full_brief=sees_sensitive_names(access),
        may_read_audit=access.allows(Action.AUDIT_READ),
        may_assess=access.allows(Action.ASSESSMENT_RUN),
        new_alerts=new_alerts_view(news, disclosure),
    )
    access.store.mark_visit(access.case_id, news.newest_seq)
    return page


@router.get("/cases/{case_id}/brief", name="case_brief")
def case_brief(
    access: BriefAccess,
    cache: Analyses,
    redacted: Annotated[bool, Query(description="The redacted brief.")] = False,
) -> Response:
    """The decision brief as a PDF download; the full one only for those whose role gives it.

    The redacted brief is read back before it is sent; one that still holds a sensitive
    form is refused (500, ``redaction_leak``) and nothing of it is sent.
    """
    if not redacted:
        access.require(Action.BRIEF_FULL)
    case, analysis = cache.analysis(access.store, access.case_id)
    with refused_if_leaking():
        pdf = brief_bytes(analysis, "pdf", redacted=redacted)
    version = "redacted" if redacted else "full"
    access.store.record_event(
        "brief.download",
        case.id,
        {"version": version, "format": "pdf", "stage": analysis.assessment.stage.stage},
    )
    name = f"{case.id}{'-redacted' if redacted else ''}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/cases/{case_id}/audit", name="case_audit", response_class=HTMLResponse)
def case_audit(request: Request, access: AuditAccess) -> Response:
    """The case's audit trail, newest first, and whether the whole chain verifies."""
    entries = list(reversed(access.store.audit_entries(case_id=access.case_id)))
    case = access.case()
    disclosure = viewer_disclosure(access)
    rows = [
        {
            "seq": entry.seq,
            "at": entry.at,
            "user": entry.user_name,
            "action": entry.action,
            "detail": json.dumps(
                disclosure.redact(entry.detail) if disclosure else entry.detail,
                ensure_ascii=False,
                sort_keys=True,
            ),
        }
        for entry in entries
    ]
    return render(
        request,
        "audit.html",
        session=access.session,
        disclosure=disclosure,
        case=shown_case(case, disclosure),
        entries=rows,
        verification=access.store.verify_audit(),
    )


@router.get("/cases/{case_id}/actors/map", name="case_actor_map", response_class=HTMLResponse)
def actor_map(request: Request, access: ReadAccess) -> Response:
    """The interactive actor map (Cytoscape.js from /static), its data inline as JSON."""
    case = access.case()
    disclosure = viewer_disclosure(access)
    redacted = disclosure is not None
    day = case.context.period.end or dt.date.today()
    roles = map_roles(analyse_case(case, day).as_dict())
    document = map_document(case, day, redacted, roles, disclosure)
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
        disclosure=disclosure,
        case=shown_case(case, disclosure),
        as_of=day.isoformat(),
        redacted=redacted,
        nodes=nodes,
        edges=edges,
        graph_json=graph_json(document),
    )


@router.post("/cases/{case_id}/assess", name="case_assess", response_class=HTMLResponse)
def assess(request: Request, access: AssessAccess, cache: Analyses) -> Response:
    """Run the case's assessment afresh and show it on the dashboard."""
    run_assessment(access, cache)
    return see_other(str(request.url_for("case", case_id=access.case_id).path))
