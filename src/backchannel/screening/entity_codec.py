"""Listed entries and the accounts of a list read, as JSON values and back, unchanged.

A persisted screening index (``index_store``) holds the lists as their readers read them:
every field of every ``ListedEntity`` and of each ``ReadResult`` but its entries. Entries
are written as arrays rather than objects (ten thousand of them are read on every
screening from the command line, and arrays parse faster); the field order is fixed
here. ``decode_entity(encode_entity(e)) == e`` for every entry; a value of the wrong
shape raises ``ValueError`` or ``TypeError``, never gives a different entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from backchannel.screening.entity import (
    EntityType,
    ListedEntity,
    ListedName,
    NameQuality,
    ReadResult,
    Rejection,
)

__all__ = ["decode_entity", "decode_result", "encode_entity", "encode_result"]

_TYPES = {kind.value: kind for kind in EntityType}
_QUALITIES = {quality.value: quality for quality in NameQuality}


def encode_entity(entity: ListedEntity) -> list[Any]:
    """One entry as a JSON array (see the module docstring)."""
    return [
        entity.list_id,
        entity.entity_id,
        entity.type.value,
        [[name.text, name.quality.value, name.script, name.kind] for name in entity.names],
        list(entity.programmes),
        entity.reference,
        _day_text(entity.listed_on),
        [day.isoformat() for day in entity.amended_on],
        entity.remarks,
        list(entity.countries),
        entity.source,
        entity.line,
    ]


def decode_entity(item: list[Any]) -> ListedEntity:
    """The entry ``encode_entity`` wrote."""
    (
        list_id,
        entity_id,
        kind,
        names,
        programmes,
        reference,
        listed_on,
        amended_on,
        remarks,
        countries,
        source,
        line,
    ) = item
    return ListedEntity(
        list_id=_text(list_id),
        entity_id=_text(entity_id),
        type=_TYPES[kind],
        names=tuple(_name(name) for name in names),
        programmes=tuple(_text(programme) for programme in programmes),
        reference=_optional_text(reference),
        listed_on=_day(listed_on),
        amended_on=tuple(_required_day(day) for day in amended_on),
        remarks=_optional_text(remarks),
        countries=tuple(_text(country) for country in countries),
        source=_text(source),
        line=_optional_int(line),
    )


def encode_result(result: ReadResult) -> dict[str, Any]:
    """What a reader found in one list, but its entries (stored apart, in order): the
    number of entries stands in for them."""
    return {
        "list_id": result.list_id,
        "source": result.source,
        "entries": len(result.entities),
        "rejected": [_rejection(r) for r in result.rejected],
        "records_seen": result.records_seen,
        "snapshot": result.snapshot,
        "details": dict(result.details),
        "warnings": [_rejection(w) for w in result.warnings],
        "published": _day_text(result.published),
    }


def decode_result(
    item: dict[str, Any], entities: list[ListedEntity], start: int
) -> tuple[ReadResult, int]:
    """The account ``encode_result`` wrote, its entries taken from ``entities`` from
    ``start`` on; with the number of entries it took."""
    count = item["entries"]
    if not isinstance(count, int) or count < 0 or start + count > len(entities):
        raise ValueError("a list's entry count does not fit the entries stored")
    details = item["details"]
    if not isinstance(details, dict) or not all(isinstance(v, int) for v in details.values()):
        raise ValueError("a list's details are malformed")
    result = ReadResult(
        list_id=_text(item["list_id"]),
        source=_text(item["source"]),
        entities=tuple(entities[start : start + count]),
        rejected=tuple(_read_rejection(r) for r in item["rejected"]),
        records_seen=_int(item["records_seen"]),
        snapshot=_optional_text(item["snapshot"]),
        details={_text(k): v for k, v in details.items()},
        warnings=tuple(_read_rejection(w) for w in item["warnings"]),
        published=_day(item["published"]),
    )
    return result, count


def _name(item: list[Any]) -> ListedName:
    text, quality, script, kind = item
    return ListedName(_text(text), _QUALITIES[quality], _optional_text(script), _text(kind))


def _rejection(rejection: Rejection) -> list[Any]:
    return [rejection.location, rejection.reason, rejection.line]


def _read_rejection(item: list[Any]) -> Rejection:
    location, reason, line = item
    return Rejection(_text(location), _text(reason), _optional_int(line))


def _day_text(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _day(text: object) -> dt.date | None:
    return None if text is None else _required_day(text)


def _required_day(text: object) -> dt.date:
    return dt.date.fromisoformat(_text(text))


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a text, found {type(value).__name__}")
    return value


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected a whole number, found {type(value).__name__}")
    return value


def _optional_int(value: object) -> int | None:
    return None if value is None else _int(value)
