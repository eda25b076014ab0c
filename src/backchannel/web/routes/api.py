"""The JSON API: the signed-in user's cases, one case, and its assessment.

Authenticated by the same session cookie as the pages (no bearer tokens yet); writes
(``api_writes``) carry the session's CSRF token in ``X-CSRF-Token``. Errors have one shape
(see ``backchannel.web.errors``): 401 without a session, 404 for a case the user is not a
member of exactly as for one that does not exist, 403 for an action their role lacks.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from backchannel.auth import Action
from backchannel.redaction import check_output
from backchannel.store.users import utc
from backchannel.web.case_views import (
    assessed_case,
    record_counts,
    refused_if_leaking,
    viewer_disclosure,
)
from backchannel.web.dependencies import Analyses, CaseAccess, SignedIn, StoreDep, case_access
from backchannel.web.schemas import AssessmentOut, CaseOut, CaseSummaryOut, PeriodOut

router = APIRouter(tags=["cases"])

ReadAccess = Annotated[CaseAccess, Depends(case_access(Action.CASE_READ))]


@router.get("/cases", name="api_cases")
def cases(session: SignedIn, case_store: StoreDep) -> list[CaseSummaryOut]:
    """The cases the caller is a member of."""
    return [
        CaseSummaryOut(
            id=summary.id,
            title=summary.title,
            country=summary.country,
            revision=summary.revision,
            updated_at=utc(summary.updated_at),  # SQLite gives naive UTC times
            updated_by=summary.updated_by,
            counts=summary.counts,
        )
        for summary in case_store.cases_for(session.user.name)
    ]


@router.get("/cases/{case_id}", name="api_case")
def case(access: ReadAccess) -> CaseOut:
    """One case's context and record counts, and the caller's role in it; its title and
    summary masked for a caller whose role does not give the full brief."""
    stored = access.case()
    disclosure = viewer_disclosure(access)
    context = disclosure.redact(stored.context) if disclosure else stored.context
    shown = CaseOut(
        id=stored.id,
        title=context.title,
        country=context.country,
        regions=list(context.regions),
        period=PeriodOut(start=context.period.start, end=context.period.end),
        summary=context.summary,
        counts=record_counts(stored),
        role=access.role,
        redacted=disclosure is not None,
    )
    if disclosure is not None:
        with refused_if_leaking():
            check_output(disclosure, "case summary", shown.model_dump_json(), "json")
    return shown


@router.get("/cases/{case_id}/assessment", name="api_assessment")
def assessment(access: ReadAccess, cache: Analyses) -> AssessmentOut:
    """The case's stage and strategy, as ``backchannel assess --format json`` gives them.

    Redacted for a caller whose role does not give the full brief, as the redacted brief
    is: masked actors by their labels, record ids opaque; the document is read back first.
    """
    assessed = assessed_case(access, cache)
    return AssessmentOut.model_validate({**assessed.document, "redacted": assessed.redacted})
