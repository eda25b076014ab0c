"""Opening a case: the form, and the post that creates the case with its creator as lead.

Any signed-in user whose global role is not viewer may open a case. The form takes no id:
the server makes an opaque one up, so that nobody learns which ids other cases hold by
trying them (an ``id`` posted all the same is ignored). Case files keep their own ids when
imported from the command line or the API.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from backchannel.web.dependencies import SignedIn, StoreDep
from backchannel.web.errors import Forbidden
from backchannel.web.forms import form_data, form_values, parse_form, redisplayed
from backchannel.web.inputs import CaseIn
from backchannel.web.record_pages import INVALID, see_other
from backchannel.web.views import render
from backchannel.web.writes import create_case, may_create_cases

router = APIRouter(include_in_schema=False)

Posted = Annotated[FormData, Depends(form_data)]


@router.get("/cases/new", name="case_new", response_class=HTMLResponse)
def new_case_form(request: Request, session: SignedIn) -> Response:
    """The form that opens a case (not for viewers)."""
    if not may_create_cases(session.user):
        raise Forbidden
    return render(request, "case_new.html", session=session, form="case", errors=[], values={})


@router.post("/cases/new", name="case_create", response_class=HTMLResponse)
def new_case(request: Request, session: SignedIn, case_store: StoreDep, form: Posted) -> Response:
    """Open the case; its creator becomes its case lead and lands on its dashboard."""
    if not may_create_cases(session.user):
        raise Forbidden
    values = form_values(form, CaseIn, typed_lists=("regions",))
    values.pop("id", None)  # the server names the case
    body, errors = parse_form(CaseIn, values)
    if body is not None:
        case = create_case(case_store.acting_as(session.user.name), session.user, body)
        return see_other(str(request.url_for("case", case_id=case.id).path))
    return render(
        request,
        "case_new.html",
        session=session,
        status=INVALID,
        form="case",
        errors=errors,
        values=redisplayed(values),
    )
