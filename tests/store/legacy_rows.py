"""Rows as releases before whole-record sealing wrote them: sensitive fields sealed one by one.

Tests write them by hand (the product no longer writes this layout) to check that a store
opened with its keys reads such rows and rewrites them sealed whole.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Connection, text

from backchannel.model.case import Case, Record
from backchannel.store.audit import entry_hash
from backchannel.store.crypto import FieldCipher
from backchannel.store.schema import RECORD_TABLES


def _split(cipher: FieldCipher, record: Record, place: str) -> tuple[str, str]:
    document = record.model_dump(mode="json")
    sensitive = record.sensitive_fields()
    public = {k: v for k, v in document.items() if k not in sensitive}
    sealed = {
        name: cipher.seal(document[name], f"{place}/{name}")
        for name in sorted(sensitive)
        if document.get(name) is not None
    }
    return json.dumps(public), json.dumps(sealed)


def write_legacy_case(connection: Connection, cipher: FieldCipher, case: Case) -> None:
    """Insert ``case`` as a layout-1 case row and record rows."""
    now = dt.datetime.now(dt.UTC)
    public_context, sealed_context = _split(cipher, case.context, f"cases/{case.id}")
    public = {
        "context": json.loads(public_context),
        "sources": [s.model_dump(mode="json") for s in case.sources],
    }
    connection.execute(
        text(
            "INSERT INTO cases (id, title, country, schema_version, revision, created_at, "
            "updated_at, updated_by, public, sealed) VALUES (:id, :title, :country, 1, 1, "
            ":now, :now, 'before', :public, :sealed)"
        ),
        {
            "id": case.id,
            "title": case.context.title,
            "country": case.context.country,
            "now": now,
            "public": json.dumps(public),
            "sealed": sealed_context,
        },
    )
    for collection, position, record in case.records():
        table = RECORD_TABLES[collection].__tablename__
        record_id = str(getattr(record, "id"))  # noqa: B009
        record_public, record_sealed = _split(cipher, record, f"{table}/{case.id}/{record_id}")
        kind = getattr(record, "kind", None)
        connection.execute(
            text(
                f"INSERT INTO {table} (case_id, record_id, position, kind, public, sealed) "
                "VALUES (:case_id, :record_id, :position, :kind, :public, :sealed)"
            ),
            {
                "case_id": case.id,
                "record_id": record_id,
                "position": position,
                "kind": None if kind is None else str(kind),
                "public": record_public,
                "sealed": record_sealed,
            },
        )


def append_legacy_audit(connection: Connection, action: str, case_id: str | None) -> None:
    """Append one plain-SHA-256 entry, as the log was chained before it was keyed."""
    head = connection.execute(text("SELECT seq, hash FROM audit_head WHERE id = 1")).one()
    fields: dict[str, Any] = {
        "seq": head.seq + 1,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
        "user_name": "before",
        "action": action,
        "case_id": case_id,
        "detail": {},
        "before_digest": None,
        "after_digest": None,
        "prev_hash": head.hash,
    }
    digest = entry_hash(keyed=None, **fields)
    connection.execute(
        text(
            "INSERT INTO audit_log (seq, at, user_name, action, case_id, detail, before_digest, "
            "after_digest, prev_hash, hash) VALUES (:seq, :at, :user_name, :action, :case_id, "
            ":detail, NULL, NULL, :prev_hash, :hash)"
        ),
        {**fields, "detail": json.dumps({}), "hash": digest},
    )
    connection.execute(
        text("UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1"),
        {"seq": fields["seq"], "hash": digest},
    )


def write_legacy_decision(
    connection: Connection, cipher: FieldCipher, case_id: str | None, query: str, note: str
) -> None:
    """Insert a decision as the global decisions table held it: the name in clear."""
    from backchannel.screening.decisions import decision_key

    seq = connection.execute(text("SELECT COUNT(*) FROM screening_decisions")).scalar_one() + 1
    connection.execute(
        text(
            "INSERT INTO screening_decisions (seq, query_key, query, list_id, entity_id, verdict, "
            "user_name, at, case_id, sealed) VALUES (:seq, :key, :query, 'un-sc', '6908443', "
            "'true_match', 'before', :at, :case_id, :sealed)"
        ),
        {
            "seq": seq,
            "key": decision_key(query),
            "query": query,
            "at": dt.datetime(2026, 5, 3, tzinfo=dt.UTC),
            "case_id": case_id,
            "sealed": json.dumps({"note": cipher.seal(note, f"screening_decisions/{seq}/note")}),
        },
    )
