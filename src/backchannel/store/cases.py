"""The case repository: cases to sealed rows and back, every row checked on the way in.

A case is stored as one ``cases`` row and one row per record. Each row's content is one
AES-GCM value whose associated data names its table, case and opaque record id, so a row
moved to another case or another record fails to open. The case row's sealed value also
holds the case's manifest: every record's opaque id with a keyed digest of its content,
in order. Reading checks each record row against it, so a row deleted, inserted, or
replaced by an older copy in the database is an ``IntegrityError`` naming the case and
the record, never a silently different case. The clear ``kind`` column (kept for counts)
must agree with the sealed content too.

Functions here take a session and never commit: the unit of work in ``service.py`` owns
the transaction, so a case and its audit entry are written together or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from backchannel.errors import IntegrityError, NotFoundError
from backchannel.model.base import stored_form
from backchannel.model.case import Case
from backchannel.store.case_changes import (
    CaseSummary,
    CaseVersion,
    ChangeSummary,
    compare,
    context_part,
    refuse_judgement_rewrites,
)
from backchannel.store.crypto import FieldCipher, Keyed
from backchannel.store.legacy_layout import LAYOUT_FIELDS, LAYOUT_SEALED, read_legacy_case
from backchannel.store.schema import RECORD_TABLES, CaseRow, RecordRow

#: The key of the one sealed value of a layout-2 row.
CASE_VALUE = "case"
RECORD_VALUE = "record"
#: Keys of values sealed whole, bound to their row's place without a field name (a
#: screening decision's value is one of them too, see ``screening.DECISION``).
WHOLE_VALUES = frozenset({CASE_VALUE, RECORD_VALUE, "decision"})


class Unread:
    """The type of ``UNREAD``: the stored version of a case has not been read yet."""


UNREAD = Unread()


def case_place(case_id: str) -> str:
    """What a case row's sealed value is bound to."""
    return f"cases/{case_id}"


def record_place(table: type[RecordRow], case_id: str, ref: str) -> str:
    """What a record row's sealed value is bound to: table, case and opaque record id."""
    return f"{table.__tablename__}/{case_id}/{ref}"


class CaseRepository:
    """Reads and writes whole cases in one session, sealed whole."""

    def __init__(self, session: Session, cipher: FieldCipher, keyed: Keyed) -> None:
        self.session = session
        self.cipher = cipher
        self.keyed = keyed

    # --- reading ---------------------------------------------------------------------

    def find(self, case_id: str) -> Case | None:
        """The stored case with this id, or ``None``; ``IntegrityError`` if it was tampered."""
        row = self.session.get(CaseRow, case_id)
        if row is None:
            return None
        if row.layout == LAYOUT_FIELDS:
            return read_legacy_case(self.session, self.cipher, row)
        sealed = self._case_value(row)
        document: dict[str, Any] = {
            "id": case_id,
            **{k: sealed[k] for k in _CONTEXT_KEYS if k in sealed or k not in _LATER_KEYS},
        }
        manifest: dict[str, list[list[str]]] = sealed["records"]
        for collection, table in RECORD_TABLES.items():
            document[collection] = self._records(case_id, collection, table, manifest)
        try:
            return Case.model_validate(document)
        except ValidationError as exc:
            raise IntegrityError(f"stored case {case_id!r} no longer validates: {exc}") from None

    def _case_value(self, row: CaseRow) -> dict[str, Any]:
        token = row.sealed.get(CASE_VALUE)
        if token is None:
            raise IntegrityError(f"case {row.id!r}: its sealed content is missing")
        value: dict[str, Any] = self.cipher.unseal(token, case_place(row.id))
        return value

    def _records(
        self,
        case_id: str,
        collection: str,
        table: type[RecordRow],
        manifest: dict[str, list[list[str]]],
    ) -> list[dict[str, Any]]:
        rows = {
            r.record_id: r
            for r in self.session.execute(select(table).where(table.case_id == case_id)).scalars()
        }
        records = []
        for position, (ref, digest) in enumerate(manifest.get(collection, [])):
            where = f"case {case_id!r}, {collection} #{position + 1} (stored as {ref[:12]})"
            row = rows.pop(ref, None)
            if row is None:
                raise IntegrityError(f"{where}: the record's row is missing (deleted)")
            token = row.sealed.get(RECORD_VALUE)
            if token is None:
                raise IntegrityError(f"{where}: the record's sealed content is missing")
            record: dict[str, Any] = self.cipher.unseal(token, record_place(table, case_id, ref))
            record_id = str(record.get("id"))
            where = f"case {case_id!r}, {collection} record {record_id!r}"
            if self.keyed.record_ref(case_id, collection, record_id) != ref:
                raise IntegrityError(f"{where}: the row belongs to another record (moved)")
            if self.keyed.digest(record) != digest:
                raise IntegrityError(
                    f"{where}: not the version the case was saved with "
                    "(replaced by an older or another copy)"
                )
            sealed_kind = _clear_kind(collection, record.get("kind"))
            if row.kind != sealed_kind:
                raise IntegrityError(
                    f"{where}: its kind column says {row.kind!r} but its sealed content says "
                    f"{sealed_kind!r} (edited in the database)"
                )
            records.append(record)
        if rows:
            extra = ", ".join(sorted(ref[:12] for ref in rows))
            raise IntegrityError(
                f"case {case_id!r}: {collection} rows {extra} are not part of the case (inserted)"
            )
        return records

    def version(self, case_id: str) -> CaseVersion | None:
        """The stored case's version, read without decrypting anything; ``None`` if none."""
        found = self.session.execute(
            select(CaseRow.revision, CaseRow.updated_at).where(CaseRow.id == case_id)
        ).one_or_none()
        return None if found is None else CaseVersion(found.revision, found.updated_at)

    def lock(self, case_id: str) -> None:
        """Hold the case's row against other writers until the transaction ends.

        PostgreSQL locks the row (``SELECT ... FOR UPDATE``); SQLite has no row locks and
        needs none, since its write transactions lock the database from their start.
        """
        self.session.execute(select(CaseRow.id).where(CaseRow.id == case_id).with_for_update())

    def get(self, case_id: str) -> Case:
        """The stored case with this id; ``NotFoundError`` if there is none."""
        case = self.find(case_id)
        if case is None:
            raise NotFoundError(f"no case with id {case_id!r} in the store")
        return case

    def summaries(self, only: Collection[str] | None = None) -> list[CaseSummary]:
        """Every stored case (or those whose ids are in ``only``), by id, with record counts.

        Only each case row's own sealed value is opened (for the title), not its records.
        """
        counts: dict[str, dict[str, int]] = {}
        for collection, table in RECORD_TABLES.items():
            counting = select(table.case_id, func.count()).group_by(table.case_id)
            if only is not None:
                counting = counting.where(table.case_id.in_(only))
            for case_id, count in self.session.execute(counting).all():
                per_case = counts.setdefault(case_id, {c: 0 for c in RECORD_TABLES})
                per_case[collection] = count
        listing = select(CaseRow).order_by(CaseRow.id)
        if only is not None:
            listing = listing.where(CaseRow.id.in_(only))
        return [
            CaseSummary(
                id=row.id,
                title=self._title(row),
                country=row.country,
                revision=row.revision,
                updated_at=row.updated_at,
                updated_by=row.updated_by,
                counts=counts.get(row.id, {c: 0 for c in RECORD_TABLES}),
            )
            for row in self.session.execute(listing).scalars()
        ]

    def _title(self, row: CaseRow) -> str:
        if row.layout == LAYOUT_FIELDS:
            return row.title
        return str(self._case_value(row)["context"]["title"])

    # --- writing ---------------------------------------------------------------------

    def save(
        self, case: Case, user_name: str, before: Case | Unread | None = UNREAD
    ) -> tuple[Case | None, ChangeSummary]:
        """Store ``case`` in place of any earlier version; returns that version and the change.

        A caller that has just read the stored version in this transaction passes it as
        ``before`` (``None``: there is none) to spare decrypting it again.
        """
        if isinstance(before, Unread):
            before = self.find(case.id)
        change = compare(before, case)
        refuse_judgement_rewrites(case.id, change)
        now = dt.datetime.now(dt.UTC)
        row = self.session.get(CaseRow, case.id)
        if row is None:
            row = CaseRow(id=case.id, created_at=now, revision=0, sealed={}, public={})
            self.session.add(row)
        row.title = ""
        row.layout = LAYOUT_SEALED
        row.country = case.context.country
        row.schema_version = case.schema_version
        row.revision = (row.revision or 0) + (0 if change.empty else 1)
        row.updated_at = now
        row.updated_by = user_name
        row.public = {}
        manifest = self._replace_records(case)
        row.sealed = {
            CASE_VALUE: self.cipher.seal(
                {**context_part(case), "records": manifest}, case_place(case.id)
            )
        }
        self.session.flush()
        return before, change

    def delete(self, case_id: str) -> Case:
        """Remove a case and its records; returns what was removed."""
        case = self.get(case_id)
        for table in RECORD_TABLES.values():
            self.session.execute(delete(table).where(table.case_id == case_id))
        self.session.execute(delete(CaseRow).where(CaseRow.id == case_id))
        return case

    def _replace_records(self, case: Case) -> dict[str, list[list[str]]]:
        for table in RECORD_TABLES.values():
            self.session.execute(delete(table).where(table.case_id == case.id))
        manifest: dict[str, list[list[str]]] = {}
        for collection, position, record in case.records():
            table = RECORD_TABLES[collection]
            record_id = str(getattr(record, "id"))  # noqa: B009 - every collection record has an id
            ref = self.keyed.record_ref(case.id, collection, record_id)
            content = stored_form(record)
            manifest.setdefault(collection, []).append([ref, self.keyed.digest(content)])
            self.session.add(
                table(
                    case_id=case.id,
                    record_id=ref,
                    position=position,
                    kind=_clear_kind(collection, getattr(record, "kind", None)),
                    public={},
                    sealed={
                        RECORD_VALUE: self.cipher.seal(content, record_place(table, case.id, ref))
                    },
                )
            )
        self.session.flush()
        return manifest


#: Collections whose records' kind stays sealed: an Island of Agreement entry's quadrant
#: would tell, in clear, how far talks with a counterpart have come.
_SEALED_KINDS = frozenset({"island_of_agreement"})


def _clear_kind(collection: str, kind: Any) -> str | None:
    """The kind a record row shows in clear (``None`` where it stays sealed)."""
    if kind is None or collection in _SEALED_KINDS:
        return None
    return str(kind)


#: The keys of a case row's sealed value that are the case's own fields.
_CONTEXT_KEYS = ("schema_version", "context", "sources", "mandate")
#: Those a case stored before they existed does not have.
_LATER_KEYS = frozenset({"mandate"})


def legacy_case_ids(session: Session) -> list[str]:
    """Cases still stored field by field (layout 1), to be rewritten sealed whole."""
    return list(
        session.execute(
            select(CaseRow.id).where(CaseRow.layout == LAYOUT_FIELDS).order_by(CaseRow.id)
        ).scalars()
    )


def rows_with_sealed_fields(session: Session) -> Iterator[tuple[CaseRow | RecordRow, str]]:
    """Every case and record row with the place its sealed values are bound to.

    A layout-2 row has one value (bound to the place itself); the place of a layout-1
    row's values adds the field name (the caller adds it for any key but the one value).
    """
    for row in session.execute(select(CaseRow)).scalars():
        yield row, case_place(row.id)
    for table in RECORD_TABLES.values():
        for record_row in session.execute(select(table)).scalars():
            yield record_row, record_place(table, record_row.case_id, record_row.record_id)


def sealed_value_place(place: str, name: str) -> str:
    """Where one sealed value of a row is bound: the row's place, plus a layout-1 field."""
    return place if name in WHOLE_VALUES else f"{place}/{name}"
