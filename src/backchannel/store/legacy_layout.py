"""Reading rows written before whole records were sealed (layout 1), to rewrite them.

Layout 1 kept each record's non-sensitive fields in clear (``public``) and each sensitive
field sealed on its own, bound to ``<table>/<case>/<record>/<field>``. The store reads such
a case once, when it first opens with the keys, and writes it again sealed whole.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from backchannel.errors import IntegrityError
from backchannel.model.case import Case, Context, Record
from backchannel.store.crypto import FieldCipher
from backchannel.store.schema import RECORD_TABLES, CaseRow

#: The layout of rows with only their sensitive fields sealed.
LAYOUT_FIELDS = 1
#: The layout of rows sealed whole.
LAYOUT_SEALED = 2


def read_legacy_case(session: Session, cipher: FieldCipher, row: CaseRow) -> Case:
    """The case a layout-1 row and its record rows hold."""
    case_id = row.id
    document: dict[str, Any] = {
        "schema_version": row.schema_version,
        "id": case_id,
        "context": _open(cipher, Context, row.public["context"], row.sealed, f"cases/{case_id}"),
        "sources": row.public.get("sources", []),
    }
    for collection, table in RECORD_TABLES.items():
        rows = session.execute(
            select(table).where(table.case_id == case_id).order_by(table.position)
        ).scalars()
        document[collection] = [
            _open(
                cipher,
                record_type(collection),
                r.public,
                r.sealed,
                f"{table.__tablename__}/{case_id}/{r.record_id}",
            )
            for r in rows
        ]
    for judgement in document["judgements"]:
        judgement["at"] = _with_zone(judgement.get("at"))
    try:
        return Case.model_validate(document)
    except ValidationError as exc:
        raise IntegrityError(f"stored case {case_id!r} no longer validates: {exc}") from None


def _with_zone(moment: Any) -> Any:
    """A stored moment without a time zone, read as UTC.

    Earlier releases accepted such moments; the model now refuses them, and a case that
    holds one must still open (once, to be rewritten) rather than be lost.
    """
    if not isinstance(moment, str):
        return moment
    parsed = dt.datetime.fromisoformat(moment)
    return moment if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC).isoformat()


def record_type(collection: str) -> type[Record]:
    """The record model of one collection of ``Case``."""
    annotation = Case.model_fields[collection].annotation
    item: type[Record] = annotation.__args__[0]  # type: ignore[union-attr]
    return item


def _open(
    cipher: FieldCipher,
    model: type[BaseModel],
    public: dict[str, Any],
    sealed: dict[str, str],
    place: str,
) -> dict[str, Any]:
    document = dict(public)
    for name, token in sealed.items():
        document[name] = cipher.unseal(token, f"{place}/{name}")
    unknown = set(document) - set(model.model_fields)
    if unknown:
        raise IntegrityError(f"{place}: stored fields {sorted(unknown)} are not in the model")
    return document
