"""The negotiation pages of a case: the mandate and the lines, then the Island of Agreement
and the positions, each with the forms that write them.

The first page holds our role in the context, the mandate (given or replaced whole), the
case's red lines (worded for the case, or adopted from the generic ones of
``dialogue_plan.yaml``) and its bottom lines. The second holds the Island of Agreement with
each counterpart by quadrant, the positions of each side (the Iceberg: position, reasons,
values, offers) and the positions agreed among engagers.

Every page goes through ``case_access``: reading for the pages, ``NEGOTIATE`` for the
forms. A viewer reads the pages redacted (dates, quadrants, sides and counts; no wording,
no mandator) and sees no form. Forms answer as the other record pages do
(``record_pages``): a redirect back to the page naming what was saved, or the page again
(422) with each problem beside its field, nothing stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from backchannel.auth import Action
from backchannel.errors import InvalidInputError
from backchannel.model.case import Record
from backchannel.model.negotiation import (
    CaseLine,
    CommonPosition,
    IslandEntry,
    Mandate,
    Position,
)
from backchannel.web.case_views import viewer_disclosure
from backchannel.web.dependencies import CaseAccess, case_access
from backchannel.web.forms import FieldError, form_data, integrity_errors
from backchannel.web.negotiation_forms import (
    approval_rows,
    case_line_values,
    checked,
    common_position_values,
    island_values,
    mandate_values,
    position_values,
    role_from,
)
from backchannel.web.negotiation_views import (
    approval_form_rows,
    counterpart_ids,
    engagement_labels,
    generic_red_line_choices,
    island_groups,
    mandate_defaults,
    mandate_shown,
    red_line_labels,
)
from backchannel.web.negotiation_writes import (
    add_negotiation_record,
    adopt_red_lines,
    new_negotiation_id,
    set_mandate,
    set_our_role,
)
from backchannel.web.record_pages import (
    INVALID,
    NEGOTIATE,
    PageView,
    added_path,
    record_page,
    see_other,
)
from backchannel.web.record_views import actor_names, newest_first, shown_records, today_utc

router = APIRouter(include_in_schema=False)

ReadAccess = Annotated[CaseAccess, Depends(case_access(Action.CASE_READ))]
NegotiationAccess = Annotated[CaseAccess, Depends(case_access(NEGOTIATE))]
Posted = Annotated[FormData, Depends(form_data)]
Added = Annotated[str | None, Query(max_length=100, description="The record just saved.")]

#: What the mandate page says was saved, for the forms whose record has no id.
SAVED_MANDATE = "mandate"
SAVED_ROLE = "role"


def _answer(
    request: Request,
    access: CaseAccess,
    *,
    write: Callable[[], str] | None,
    errors: list[FieldError],
    page: str,
    view: PageView,
    form: str,
    values: Mapping[str, Any],
    **extra: Any,
) -> Response:
    """Run ``write`` (given when the form was read without problems) and go back to
    ``page`` naming what it saved; else show the page again with what is wrong."""
    if write is not None and not errors:
        try:
            saved = write()
        except InvalidInputError as invalid:
            errors = integrity_errors(invalid)
        else:
            return see_other(added_path(request, page, access.case_id, saved))
    return view(request, access, status=INVALID, form=form, errors=errors, values=values, **extra)


def _add(
    request: Request,
    access: CaseAccess,
    *,
    model: type[Record],
    collection: str,
    values: dict[str, Any],
    whole: str = "",
    page: str,
    view: PageView,
    form: str,
) -> Response:
    """Check ``values`` as a record of ``collection`` (its id made up here) and add it."""
    record, errors = checked(model, {**values, "id": new_negotiation_id(collection)}, whole=whole)
    return _answer(
        request,
        access,
        write=None if record is None else partial(_added, access, collection, record),
        errors=errors,
        page=page,
        view=view,
        form=form,
        values=values,
    )


def _added(access: CaseAccess, collection: str, record: Record) -> str:
    add_negotiation_record(access.store, access.case_id, collection, record)
    return str(getattr(record, "id"))  # noqa: B009 - every negotiation record has one


# --- mandate, role and lines ----------------------------------------------------------------


def _mandate_page(
    request: Request,
    access: CaseAccess,
    approvals: list[dict[str, str]] | None = None,
    **values: Any,
) -> Response:
    case = access.case()
    shown = viewer_disclosure(access)
    full = shown is None
    return record_page(
        request,
        access,
        "mandate.html",
        case=case,
        our_role=case.context.our_role.value if case.context.our_role else None,
        mandate=mandate_shown(case.mandate, shown, today_utc()),
        mandate_defaults=mandate_defaults(case.mandate) if full else {},
        approval_rows=approval_form_rows(case.mandate, approvals) if full else [],
        red_lines=newest_first(shown_records(case.red_lines, shown), "date"),
        bottom_lines=newest_first(shown_records(case.bottom_lines, shown), "date"),
        generic_red_lines=generic_red_line_choices(case) if full else [],
        **values,
    )


@router.get("/cases/{case_id}/mandate", name="case_mandate", response_class=HTMLResponse)
def mandate_page(request: Request, access: ReadAccess, added: Added = None) -> Response:
    """Our role, the mandate, the red lines and the bottom lines, and their forms."""
    return _mandate_page(request, access, added=added)


@router.post("/cases/{case_id}/mandate", name="case_set_mandate", response_class=HTMLResponse)
def set_mandate_form(request: Request, access: NegotiationAccess, form: Posted) -> Response:
    """Give the case its mandate or replace it (``mandate.set``)."""
    rows = approval_rows(form)
    values = mandate_values(form)
    mandate, errors = checked(Mandate, values, whole="valid_until")
    return _answer(
        request,
        access,
        write=None if mandate is None else partial(_mandate_set, access, mandate),
        errors=errors,
        page="case_mandate",
        view=_mandate_page,
        form="mandate",
        values={k: v for k, v in values.items() if k != "approvals"},
        approvals=rows,
    )


def _mandate_set(access: CaseAccess, mandate: Mandate) -> str:
    set_mandate(access.store, access.case_id, mandate)
    return SAVED_MANDATE


@router.post("/cases/{case_id}/role", name="case_set_role", response_class=HTMLResponse)
def set_role_form(request: Request, access: NegotiationAccess, form: Posted) -> Response:
    """Record what our organisation is in the context, or that it is unknown (``role.set``)."""
    role, errors = role_from(form)

    def write() -> str:
        set_our_role(access.store, access.case_id, role)
        return SAVED_ROLE

    return _answer(
        request,
        access,
        write=write,
        errors=errors,
        page="case_mandate",
        view=_mandate_page,
        form="role",
        values={"our_role": form.get("our_role") or ""},
    )


@router.post("/cases/{case_id}/red-lines", name="case_add_red_line", response_class=HTMLResponse)
def add_red_line(request: Request, access: NegotiationAccess, form: Posted) -> Response:
    """Add a red line worded for the case (``red_line.add``)."""
    return _add(
        request,
        access,
        model=CaseLine,
        collection="red_lines",
        values=case_line_values(form),
        page="case_mandate",
        view=_mandate_page,
        form="red_line",
    )


@router.post(
    "/cases/{case_id}/red-lines/adopt", name="case_adopt_red_lines", response_class=HTMLResponse
)
def adopt_red_lines_form(request: Request, access: NegotiationAccess, form: Posted) -> Response:
    """Take generic red lines on as the case's own (``red_line.adopt``)."""
    chosen = [v for v in form.getlist("adopt") if isinstance(v, str) and v]
    values = case_line_values(form)
    # who set the lines and when are checked as a line would check them; the wording is
    # the generic one, filled in by the write
    who, errors = checked(CaseLine, {**values, "id": "rl-adopted", "text": "generic"})
    errors = [e for e in errors if e.field in ("set_by", "date")]
    if not chosen:
        errors.append(FieldError("adopt", "choose at least one red line to adopt"))

    return _answer(
        request,
        access,
        write=None if who is None else partial(_adopted, access, chosen, who),
        errors=errors,
        page="case_mandate",
        view=_mandate_page,
        form="adopt",
        values={**values, "adopt": chosen},
    )


def _adopted(access: CaseAccess, chosen: list[str], who: CaseLine) -> str:
    lines = adopt_red_lines(access.store, access.case_id, chosen, who.set_by, who.date)
    return ",".join(line.id for line in lines)


@router.post(
    "/cases/{case_id}/bottom-lines", name="case_add_bottom_line", response_class=HTMLResponse
)
def add_bottom_line(request: Request, access: NegotiationAccess, form: Posted) -> Response:
    """Add a bottom line, the least the case may accept (``bottom_line.add``)."""
    return _add(
        request,
        access,
        model=CaseLine,
        collection="bottom_lines",
        values=case_line_values(form),
        page="case_mandate",
        view=_mandate_page,
        form="bottom_line",
    )


# --- Island of Agreement, positions, common positions ---------------------------------------


def _negotiation_page(request: Request, access: CaseAccess, **values: Any) -> Response:
    case = access.case()
    shown = viewer_disclosure(access)
    full = shown is None
    names = actor_names(case, None) if full else {}
    return record_page(
        request,
        access,
        "negotiation.html",
        case=case,
        islands=island_groups(shown_records(case.island_of_agreement, shown)),
        positions=newest_first(shown_records(case.positions, shown), "date"),
        common_positions=newest_first(shown_records(case.common_positions, shown), "date"),
        counterparts=counterpart_ids(case) if full else [],
        actor_ids=[a.id for a in case.actors] if full else [],
        engagements=engagement_labels(case, names) if full else {},
        sources={s.id: s.title for s in case.sources} if full else {},
        red_line_texts=red_line_labels(case) if full else {},
        assessed_on=(case.context.period.end or today_utc()).isoformat(),
        **values,
    )


@router.get("/cases/{case_id}/negotiation", name="case_negotiation", response_class=HTMLResponse)
def negotiation_page(request: Request, access: ReadAccess, added: Added = None) -> Response:
    """The Island of Agreement, the positions and the common positions, and their forms."""
    return _negotiation_page(request, access, added=added)


@router.post("/cases/{case_id}/island", name="case_add_island", response_class=HTMLResponse)
def add_island_entry(request: Request, access: NegotiationAccess, form: Posted) -> Response:
    """Add an Island of Agreement entry (``island.add``)."""
    return _add(
        request,
        access,
        model=IslandEntry,
        collection="island_of_agreement",
        values=island_values(form),
        whole="engagement",
        page="case_negotiation",
        view=_negotiation_page,
        form="island",
    )


@router.post("/cases/{case_id}/positions", name="case_add_position", response_class=HTMLResponse)
def add_position(request: Request, access: NegotiationAccess, form: Posted) -> Response:
    """Add one side's position towards a counterpart (``position.add``)."""
    return _add(
        request,
        access,
        model=Position,
        collection="positions",
        values=position_values(form),
        whole="crosses_red_lines",
        page="case_negotiation",
        view=_negotiation_page,
        form="position",
    )


@router.post(
    "/cases/{case_id}/common-positions",
    name="case_add_common_position",
    response_class=HTMLResponse,
)
def add_common_position(request: Request, access: NegotiationAccess, form: Posted) -> Response:
    """Add a position agreed among engagers (``common_position.add``)."""
    return _add(
        request,
        access,
        model=CommonPosition,
        collection="common_positions",
        values=common_position_values(form),
        page="case_negotiation",
        view=_negotiation_page,
        form="common_position",
    )
