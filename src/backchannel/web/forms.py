"""Reading the pages' HTML forms into the API's input models, and saying what is wrong.

A form posts text: empty fields mean "not given", some fields hold several values (one
checkbox per actor) and some a list typed as lines or commas (aliases, areas). The values
are checked by the very models the JSON API takes, so a page and the API accept and
refuse the same things; each problem is reported against the field it concerns.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from backchannel.errors import InvalidInputError

M = TypeVar("M", bound=BaseModel)

#: A list typed into one text field is split at line breaks or commas.
LIST_SEPARATOR = re.compile(r"[\n,;]")


@dataclass(frozen=True)
class FieldError:
    """One problem with a submitted form: the field (empty for the whole form) and why."""

    field: str
    message: str


async def form_data(request: Request) -> FormData:
    """The posted form (read once: the CSRF guard may already have read it)."""
    return await request.form()


def form_values(
    form: FormData,
    model: type[BaseModel],
    *,
    several: Collection[str] = (),
    typed_lists: Collection[str] = (),
) -> dict[str, Any]:
    """The form's values for ``model``'s fields; blank ones left out.

    ``several`` fields are sent once per value (checkboxes, multiple selects);
    ``typed_lists`` are typed into one field, one item per line or comma.
    """
    values: dict[str, Any] = {}
    for name in model.model_fields:
        if name in several:
            items = [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]
            if items:
                values[name] = items
            continue
        raw = form.get(name)
        if not isinstance(raw, str) or not raw.strip():
            continue
        if name in typed_lists:
            values[name] = [item.strip() for item in LIST_SEPARATOR.split(raw) if item.strip()]
        else:
            values[name] = raw.strip()
    return values


def parse_form(model: type[M], values: Mapping[str, Any]) -> tuple[M | None, list[FieldError]]:
    """``values`` checked by ``model``: the model, or ``None`` and what is wrong, per field."""
    try:
        return model.model_validate(dict(values)), []
    except ValidationError as invalid:
        return None, [
            FieldError(str(error["loc"][0]) if error["loc"] else "", _message(error["msg"]))
            for error in invalid.errors()
        ]


def integrity_errors(error: InvalidInputError) -> list[FieldError]:
    """The problems of a case's integrity check, against the fields of the form."""
    return [
        FieldError(re.split(r"[.\[]", p.location.removeprefix("body").lstrip("."))[0], p.message)
        for p in error.problems
    ]


def _message(text: str) -> str:
    # pydantic prefixes the messages of our own validators with "Value error, "
    return text.removeprefix("Value error, ")


def redisplayed(values: Mapping[str, Any]) -> dict[str, str]:
    """What to put back in a form after a refusal, each value as text."""
    return {
        name: "\n".join(value) if isinstance(value, list) else str(value)
        for name, value in values.items()
    }
