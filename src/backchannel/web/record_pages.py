"""What the record pages of a case share: the page around a record list, and adding a
record from a form.

Forms post to the page's own address and work without script: a saved record answers
with a redirect back to the page (``?added=`` naming it); a refused one shows the page
again (422) with each problem next to its field and what was typed still in place. With
htmx the page's content is swapped in place, the refusal included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from backchannel.auth import Action
from backchannel.errors import InvalidInputError
from backchannel.model.case import Case, Record
from backchannel.model.vocabulary import (
    ActorKind,
    AgreementKind,
    Channel,
    CommitmentKind,
    CommitmentStatus,
    Confidence,
    EngagementOutcome,
    Finding,
    Modality,
    OurRole,
    RelationKind,
    Side,
    Stance,
    VerificationMethod,
)
from backchannel.web.case_views import shown_case, viewer_disclosure
from backchannel.web.dependencies import CaseAccess
from backchannel.web.forms import FieldError, integrity_errors, parse_form, redisplayed
from backchannel.web.record_views import actor_names, today_utc
from backchannel.web.views import render
from backchannel.web.writes import add_record

M = TypeVar("M", bound=BaseModel)

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
    "our_role": [r.value for r in OurRole],
    "agreement_kind": [k.value for k in AgreementKind],
    "side": [s.value for s in Side],
    "verification_method": [m.value for m in VerificationMethod],
}
#: The action that writes the negotiation records (mandate, role, lines, Island of
#: Agreement, positions): any member who may write the case's records may write these.
NEGOTIATE = Action.CASE_WRITE
#: The status of a page shown again because its form was refused.
INVALID = 422


class PageView(Protocol):
    """Shows one record page of a case, with any of ``record_page``'s keyword arguments."""

    def __call__(self, request: Request, access: CaseAccess, **values: Any) -> Response: ...


def see_other(path: str) -> RedirectResponse:
    """The answer to a form that worked: go (GET) to ``path``."""
    return RedirectResponse(path, status_code=303)


def added_path(request: Request, page: str, case_id: str, record_id: str) -> str:
    """The address of ``page`` of the case, saying that ``record_id`` was just saved."""
    path = str(request.url_for(page, case_id=case_id).path)
    return f"{path}?added={record_id}"


def record_page(
    request: Request,
    access: CaseAccess,
    template: str,
    *,
    case: Case | None = None,
    status: int = 200,
    form: str | None = None,
    errors: list[FieldError] | None = None,
    values: Mapping[str, Any] | None = None,
    added: str | None = None,
    **extra: Any,
) -> Response:
    """One of a case's record pages; ``errors`` and ``values`` belong to the form ``form``.

    What the user may do decides which forms the template shows; a viewer sees the pages
    redacted (the records in ``extra`` come redacted already) and no form at all, and the
    page is read back before it is sent.
    """
    stored = case if case is not None else access.case()
    disclosure = viewer_disclosure(access)
    return render(
        request,
        template,
        session=access.session,
        status=status,
        disclosure=disclosure,
        case=shown_case(stored, disclosure),
        redacted=disclosure is not None,
        names=actor_names(stored, disclosure),
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
        may_negotiate=access.allows(NEGOTIATE),
        **extra,
    )


def add_from_form(
    request: Request,
    access: CaseAccess,
    *,
    model: type[M],
    values: dict[str, Any],
    record: Callable[[M], Record],
    collection: str,
    page: str,
    view: PageView,
    form: str,
) -> Response:
    """Check ``values`` against ``model``, make the record and add it to ``collection``.

    Saved: a redirect to ``page`` naming the record. Refused (by the model or by the
    case's integrity checks): ``view`` shows the page again, 422, the problems beside the
    fields of ``form``.
    """
    body, errors = parse_form(model, values)
    if body is not None:
        try:
            made = record(body)
            add_record(access.store, access.case_id, collection, made)
        except InvalidInputError as invalid:
            errors = integrity_errors(invalid)
        else:
            record_id = str(getattr(made, "id"))  # noqa: B009 - every record added here has one
            return see_other(added_path(request, page, access.case_id, record_id))
    return view(request, access, status=INVALID, form=form, errors=errors, values=values)
