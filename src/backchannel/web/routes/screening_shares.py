"""A case lead offers one of the case's screening decisions to the organisation, or withdraws it.

A decision belongs to its case. Sharing lets other cases that screen the same name see
it as a suggestion: the verdict, the list and the entry, never who decided, when, or why.
A suggestion changes no other case's exposure until someone there confirms it, which
records a decision of their own in their case. Only the case lead of the decision's own
case may share (``screening.share``); the decision is named by its number, and a number
the case does not hold is 404, the same as any other case's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import FormData

from backchannel.auth import Action
from backchannel.web.dependencies import CaseAccess, case_access
from backchannel.web.forms import form_data
from backchannel.web.schemas import ErrorOut

router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["screening"])

ShareAccess = Annotated[CaseAccess, Depends(case_access(Action.SCREENING_SHARE))]
Posted = Annotated[FormData, Depends(form_data)]


class ShareIn(BaseModel):
    """Whether the decision is offered to the organisation (``false`` withdraws the offer)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    shared: bool = Field(default=True, description="Offer (true) or withdraw (false).")


class ShareOut(BaseModel):
    """The decision's number and whether it is now offered."""

    seq: int
    shared: bool


@api_router.post(
    "/cases/{case_id}/screening/decisions/{seq}/share",
    name="api_screening_share",
    responses={
        401: {"model": ErrorOut, "description": "Not signed in."},
        403: {"model": ErrorOut, "description": "Not the case lead, or no CSRF token."},
        404: {"model": ErrorOut, "description": "No such case or decision in the case."},
    },
)
def share_api(seq: int, body: ShareIn, access: ShareAccess) -> ShareOut:
    """Offer one of the case's decisions to other cases as a suggestion (or withdraw it);
    audited as ``screening.share`` / ``screening.unshare``."""
    access.store.share_decision(access.case_id, seq, body.shared)
    return ShareOut(seq=seq, shared=body.shared)


@router.post("/cases/{case_id}/screening/decisions/{seq}/share", name="case_screening_share")
def share_on_page(request: Request, seq: int, access: ShareAccess, form: Posted) -> Response:
    """The page's share (or withdraw) button; back to the screening page."""
    shared = form.get("shared") != "false"
    access.store.share_decision(access.case_id, seq, shared)
    path = str(request.url_for("case_screening", case_id=access.case_id).path)
    verb = "shared" if shared else "withdrawn"
    return RedirectResponse(f"{path}?added={verb}-{seq}", status_code=303)
