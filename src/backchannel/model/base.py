"""What every case record shares: strict fields, sensitivity marks, ids and the stored form.

A record refuses unknown fields and is immutable once built. Fields marked sensitive
(``SENSITIVE`` in their JSON Schema extra) are the ones redacted outputs mask.

``stored_form`` is the JSON form the store seals and digests. Fields a record gained after
cases were first stored (``LATER_FIELDS``) are left out of it while they hold their
default, so a case stored before they existed keeps the digest its audit entries recorded.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from backchannel.model.limits import RECORD_ID_PATTERN, CheckedText

#: JSON Schema extra key that marks a field as sensitive.
SENSITIVE = "x-sensitive"

RecordId = Annotated[
    str,
    Field(
        pattern=RECORD_ID_PATTERN,
        description="Identifier: letters, digits and _ . : - (up to 80 characters).",
    ),
]


def sensitive(description: str) -> Any:
    """Field keywords marking a field sensitive, with its description."""
    return {"description": description, "json_schema_extra": {SENSITIVE: True}}


class Record(CheckedText):
    """Base of every case record: strict about unknown fields, immutable once built."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)

    #: Fields added after the first stored cases, omitted from ``stored_form`` at default.
    LATER_FIELDS: ClassVar[frozenset[str]] = frozenset()

    def sensitive_fields(self) -> frozenset[str]:
        """Names of this record's fields that must be encrypted at rest and masked."""
        return frozenset(
            name
            for name, info in type(self).model_fields.items()
            if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get(SENSITIVE)
        )


def check_order(start: dt.date | None, end: dt.date | None, start_name: str, end_name: str) -> None:
    """Refuse an end before its start (``ValueError`` naming both fields)."""
    if start is not None and end is not None and end < start:
        raise ValueError(f"{end_name} {end.isoformat()} is before {start_name} {start.isoformat()}")


def stored_form(model: BaseModel) -> Any:
    """The model as JSON, without the later fields that still hold their default."""
    return _pruned(model, model.model_dump(mode="json"))


def _pruned(value: Any, dumped: Any) -> Any:
    if isinstance(value, BaseModel) and isinstance(dumped, dict):
        later: frozenset[str] = getattr(type(value), "LATER_FIELDS", frozenset())
        fields = type(value).model_fields
        for name in list(dumped):
            held = getattr(value, name, None)
            if (
                name in later
                and name in fields
                and held == fields[name].get_default(call_default_factory=True)
            ):
                del dumped[name]
            else:
                dumped[name] = _pruned(held, dumped[name])
        return dumped
    if isinstance(value, list) and isinstance(dumped, list):
        return [_pruned(v, d) for v, d in zip(value, dumped, strict=True)]
    return dumped
