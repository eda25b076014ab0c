"""Reading the negotiation forms into case records, and saying what is wrong, per field.

The forms post text. Objectives, limits, reasons, values and offers are typed one per
line (a comma may be part of a point, so only line breaks separate them); counterparts,
engagers, red lines crossed, sources and verification methods come one value per
checkbox; a mandate's approvals come as rows of three fields (who, when, what it covers),
blank rows left out. Each form is checked by the case model's own record, so a page
accepts and refuses what a case file does. A problem of a whole record (an Island of
Agreement entry that cites nothing) is shown beside the field that settles it, and a
problem in a list names the line or row.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import zip_longest
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from backchannel.model.negotiation import (
    CaseLine,
    CommonPosition,
    IslandEntry,
    Mandate,
    MonitoringEntry,
    Position,
    VerificationPlan,
)
from backchannel.model.vocabulary import OurRole
from backchannel.web.forms import FieldError, form_values

M = TypeVar("M", bound=BaseModel)

#: The choice of the role form that records our role as unknown.
UNKNOWN_ROLE = "unknown"
#: The fields of a mandate's approval rows, in the order of the model.
APPROVAL_FIELDS = ("by", "date", "covers")
#: How a problem in one item of a list names the item, per field.
_ITEM_WORDS = {"approvals": "approval"} | {
    name: "line" for name in ("objectives", "limits", "reasons", "values", "offers")
}


def lines_of(form: FormData, name: str) -> list[str]:
    """The non-blank lines typed into the field ``name``."""
    raw = form.get(name)
    if not isinstance(raw, str):
        return []
    return [line.strip() for line in raw.splitlines() if line.strip()]


def checked(
    model: type[M], values: Mapping[str, Any], *, whole: str = ""
) -> tuple[M | None, list[FieldError]]:
    """``values`` checked by ``model``: the record, or ``None`` and the problems by field.

    A problem of the record as a whole is shown at ``whole``, the field that settles it.
    """
    try:
        return model.model_validate(dict(values)), []
    except ValidationError as invalid:
        return None, [_located(error, whole) for error in invalid.errors()]


def _located(error: Any, whole: str) -> FieldError:
    message = str(error["msg"]).removeprefix("Value error, ")
    location = list(error["loc"])
    if not location:
        return FieldError(whole, message)
    field = str(location[0])
    if len(location) > 1 and isinstance(location[1], int):
        item = f"{_ITEM_WORDS.get(field, 'choice')} {location[1] + 1}"
        part = f" ({str(location[2]).replace('_', ' ')})" if len(location) > 2 else ""
        message = f"{item}{part}: {message}"
    return FieldError(field, message)


def role_from(form: FormData) -> tuple[OurRole | None, list[FieldError]]:
    """The role chosen, ``None`` for unknown; or a problem with the choice."""
    raw = form.get("our_role")
    if raw == UNKNOWN_ROLE:
        return None, []
    try:
        return OurRole(raw if isinstance(raw, str) else ""), []
    except ValueError:
        return None, [FieldError("our_role", "choose one of the listed roles, or unknown")]


def approval_rows(form: FormData) -> list[dict[str, str]]:
    """The mandate form's approval rows as typed, blank rows left out."""
    columns = [
        [v.strip() if isinstance(v, str) else "" for v in form.getlist(f"approval_{name}")]
        for name in APPROVAL_FIELDS
    ]
    rows = [
        dict(zip(APPROVAL_FIELDS, (cell or "" for cell in cells), strict=True))
        for cells in zip_longest(*columns)
    ]
    return [row for row in rows if any(row.values())]


def mandate_values(form: FormData) -> dict[str, Any]:
    """The mandate form's values (approvals as rows of ``by``, ``date``, ``covers``)."""
    values = form_values(form, Mandate)
    for name in ("objectives", "limits"):
        values[name] = lines_of(form, name)
    values.pop("references", None)
    values["approvals"] = [
        {name: cell for name, cell in row.items() if cell} for row in approval_rows(form)
    ]
    return values


def case_line_values(form: FormData) -> dict[str, Any]:
    """A red or bottom line form's values: the text, who set it and when."""
    values = form_values(form, CaseLine)
    return {name: values[name] for name in ("text", "set_by", "date") if name in values}


def island_values(form: FormData) -> dict[str, Any]:
    """An Island of Agreement form's values; the sources come one per checkbox."""
    values = form_values(form, IslandEntry, several=("references",))
    values.pop("id", None)
    return values


def position_values(form: FormData) -> dict[str, Any]:
    """A position form's values; reasons, values and offers one per line."""
    values = form_values(form, Position, several=("crosses_red_lines", "references"))
    values.pop("id", None)
    for name in ("reasons", "values", "offers"):
        values[name] = lines_of(form, name)
    return values


def common_position_values(form: FormData) -> dict[str, Any]:
    """A common position form's values; engagers and counterparts one per checkbox."""
    values = form_values(form, CommonPosition, several=("engagers", "counterparts", "references"))
    values.pop("id", None)
    return values


def plan_values(form: FormData) -> dict[str, Any]:
    """A verification plan form's values; the methods one per checkbox."""
    return form_values(form, VerificationPlan, several=("methods",))


def monitoring_values(form: FormData) -> dict[str, Any]:
    """A monitoring entry form's values; the sources one per checkbox."""
    return form_values(form, MonitoringEntry, several=("references",))
