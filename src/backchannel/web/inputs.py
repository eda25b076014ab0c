"""The JSON API's input models: what a client may send to create a case or add a record.

Each is made from its case-model record, so that a rule of the model (a real ISO 3166-1
country code, the bounds on names, texts and lists, no NUL character in any text, a time
zone on every moment) holds for the API and the forms exactly as for a case file. A record
the client sends whole is a subclass of its record; a case or a judgement, of which the
client sends only part, takes the record's own fields (their types, limits and checks)
less those the server sets, and checks the record's cross-field rules with the model's own
functions. Every input refuses unknown fields.

Ids of cases, relations, engagements, commitments and judgements may be left out: the
server makes one up. A judgement names no analyst (the signed-in user is the analyst) and
no origin (one recorded by a person is an analyst's); ``at`` defaults to the moment it is
received. A new case gives its period as ``period_start`` and ``period_end``.
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, create_model, model_validator

from backchannel.model.base import check_order
from backchannel.model.case import (
    Actor,
    Case,
    Commitment,
    Context,
    Engagement,
    Judgement,
    Period,
    RecordId,
    Relation,
    check_framework_status,
)
from backchannel.model.limits import CheckedText


class _In(CheckedText):
    model_config = ConfigDict(extra="forbid", frozen=True)


def model_field(model: type[BaseModel], name: str, *, optional: bool = False) -> Any:
    """``model``'s field ``name`` as a ``create_model`` definition: its type and its
    ``FieldInfo`` (limits, validators, description). An ``optional`` field may be left out
    or null; whatever else it is given must still pass the field's checks."""
    info = copy.copy(model.model_fields[name])
    annotation: Any = info.annotation
    if optional:
        # the field's checks go with its type inside the union, so that null skips them
        if info.metadata:
            annotation = Annotated[(annotation, *info.metadata)]
            info.metadata = []
        annotation = annotation | None
        info.default = None
        info.default_factory = None
    return (annotation, info)


def model_fields(
    model: type[BaseModel],
    *,
    exclude: Collection[str] = (),
    optional: Collection[str] = (),
) -> dict[str, Any]:
    """Every field of ``model`` but those in ``exclude``, in the model's order, as
    ``create_model`` definitions; those in ``optional`` may be left out."""
    return {
        name: model_field(model, name, optional=name in optional)
        for name in model.model_fields
        if name not in exclude
    }


def _case_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {"id": model_field(Case, "id", optional=True)}
    for name, definition in model_fields(Context, exclude={"our_role"}).items():
        if name == "period":
            fields["period_start"] = model_field(Period, "start")
            fields["period_end"] = model_field(Period, "end")
        else:
            fields[name] = definition
    return fields


_CaseFields = create_model("CaseFields", __base__=_In, **_case_fields())


class CaseIn(_CaseFields):
    """A new case: its context, and its id if the client brings one (an import); without
    one the server makes up an opaque id. Records are added afterwards, one by one."""

    @model_validator(mode="after")
    def _period_in_order(self) -> Self:
        values = dict(self)
        check_order(values["period_start"], values["period_end"], "period_start", "period_end")
        return self

    def case_id(self) -> str | None:
        """The id the client chose for the case, if any."""
        chosen: str | None = dict(self)["id"]
        return chosen

    def context(self) -> Context:
        """The case's context, as the case model holds it."""
        values = dict(self)
        period = Period(start=values.pop("period_start"), end=values.pop("period_end"))
        del values["id"]
        return Context.model_validate({**values, "period": period})


class ActorIn(Actor):
    """An actor to add: its id is required, since relations and engagements name it."""


class RelationIn(Relation):
    """A relation to add; the id is made up when absent."""

    id: RecordId | None = None  # type: ignore[assignment]


class EngagementIn(Engagement):
    """An engagement to add; the id is made up when absent."""

    id: RecordId | None = None  # type: ignore[assignment]


class CommitmentIn(Commitment):
    """A commitment to add; the id is made up when absent."""

    id: RecordId | None = None  # type: ignore[assignment]


#: What a judgement's author may not say: who judged, and whether a person did.
SERVER_SET_JUDGEMENT_FIELDS = frozenset({"analyst", "origin"})

_JudgementFields = create_model(
    "JudgementFields",
    __base__=_In,
    **model_fields(Judgement, exclude=SERVER_SET_JUDGEMENT_FIELDS, optional={"id", "at"}),
)


class JudgementIn(_JudgementFields):
    """An analyst's judgement to add; the signed-in user is its analyst.

    ``subject`` is a UN Framework factor or indicator (``framework:rf1``,
    ``framework:rf1.3``, which need a ``status``), a condition for dialogue, an actor id or
    free text. ``reviews`` names the machine suggestion this judgement confirms or rejects.
    ``at`` is when it was judged, with a time zone; the moment it is received when absent.
    """

    @model_validator(mode="after")
    def _framework_needs_status(self) -> Self:
        values = dict(self)
        check_framework_status(values["subject"], values["status"])
        return self
