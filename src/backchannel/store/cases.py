"""The case repository: cases to rows and back, with sensitive fields sealed.

Functions here take a session and never commit: the unit of work in ``service.py`` owns
the transaction, so a case and its audit entry are written together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from backchannel.errors import IntegrityError, InvalidInputError, NotFoundError, Problem
from backchannel.model.case import Case, Context, Record
from backchannel.store.crypto import FieldCipher
from backchannel.store.schema import RECORD_TABLES, CaseRow, RecordRow


@dataclass(frozen=True)
class CaseSummary:
    """What a case list shows: no sensitive field."""

    id: str
    title: str
    country: str
    revision: int
    updated_at: dt.datetime
    updated_by: str
    counts: dict[str, int]


class Unread:
    """The type of ``UNREAD``: the stored version of a case has not been read yet."""


UNREAD = Unread()


@dataclass(frozen=True)
class CaseVersion:
    """Which version of a case is stored: its revision and the moment of its last save.

    The pair changes with every save that changes the case, and also when a case is
    deleted and created again under the same id (the revision restarts, the time does not),
    so it can key caches of what is computed from the case.
    """

    revision: int
    updated_at: dt.datetime


@dataclass
class ChangeSummary:
    """Which records a save added, changed and removed, per collection (ids only)."""

    added: dict[str, list[str]] = field(default_factory=dict)
    changed: dict[str, list[str]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)
    context_changed: bool = False

    @property
    def empty(self) -> bool:
        """Whether the save changed nothing."""
        return not (self.added or self.changed or self.removed or self.context_changed)

    def as_detail(self) -> dict[str, Any]:
        """A JSON-ready description for the audit log."""
        return {
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "context_changed": self.context_changed,
        }


def case_digest(case: Case | None) -> str | None:
    """SHA-256 of the case's canonical JSON; ``None`` for a case that does not exist."""
    if case is None:
        return None
    canonical = json.dumps(case.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def compare(before: Case | None, after: Case | None) -> ChangeSummary:
    """The record-level difference between two versions of a case."""
    summary = ChangeSummary()
    if (before is None) != (after is None) or (
        before is not None
        and after is not None
        and (before.context, before.sources) != (after.context, after.sources)
    ):
        summary.context_changed = True
    for collection in Case.COLLECTIONS:
        old = {r.id: r for r in getattr(before, collection, [])} if before else {}
        new = {r.id: r for r in getattr(after, collection, [])} if after else {}
        added = [i for i in new if i not in old]
        removed = [i for i in old if i not in new]
        changed = [i for i in new if i in old and new[i] != old[i]]
        if added:
            summary.added[collection] = added
        if removed:
            summary.removed[collection] = removed
        if changed:
            summary.changed[collection] = changed
    return summary


class CaseRepository:
    """Reads and writes whole cases in one session, sealing sensitive fields."""

    def __init__(self, session: Session, cipher: FieldCipher) -> None:
        self.session = session
        self.cipher = cipher

    # --- reading ---------------------------------------------------------------------

    def find(self, case_id: str) -> Case | None:
        """The stored case with this id, or ``None``."""
        row = self.session.get(CaseRow, case_id)
        if row is None:
            return None
        context = self._open(Context, row.public["context"], row.sealed, f"cases/{case_id}")
        document: dict[str, Any] = {
            "schema_version": row.schema_version,
            "id": row.id,
            "context": context,
            "sources": row.public.get("sources", []),
        }
        for collection, table in RECORD_TABLES.items():
            rows = self.session.execute(
                select(table).where(table.case_id == case_id).order_by(table.position)
            ).scalars()
            document[collection] = [
                self._open(
                    _record_type(collection),
                    r.public,
                    r.sealed,
                    f"{table.__tablename__}/{case_id}/{r.record_id}",
                )
                for r in rows
            ]
        try:
            return Case.model_validate(document)
        except ValidationError as exc:
            raise IntegrityError(f"stored case {case_id!r} no longer validates: {exc}") from None

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
        """Every stored case (or those whose ids are in ``only``), by id, with record counts."""
        counts: dict[str, dict[str, int]] = {}
        for collection, table in RECORD_TABLES.items():
            counting = select(table.case_id, func.count()).group_by(table.case_id)
            if only is not None:
                counting = counting.where(table.case_id.in_(only))
            for case_id, count in self.session.execute(counting).tuples():
                per_case = counts.setdefault(case_id, {c: 0 for c in RECORD_TABLES})
                per_case[collection] = count
        listing = select(CaseRow).order_by(CaseRow.id)
        if only is not None:
            listing = listing.where(CaseRow.id.in_(only))
        return [
            CaseSummary(
                id=row.id,
                title=row.title,
                country=row.country,
                revision=row.revision,
                updated_at=row.updated_at,
                updated_by=row.updated_by,
                counts=counts.get(row.id, {c: 0 for c in RECORD_TABLES}),
            )
            for row in self.session.execute(listing).scalars()
        ]

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
        _refuse_judgement_rewrites(case.id, change)
        now = dt.datetime.now(dt.UTC)
        row = self.session.get(CaseRow, case.id)
        public_context, sealed_context = self._seal(case.context, f"cases/{case.id}")
        public = {
            "context": public_context,
            "sources": [s.model_dump(mode="json") for s in case.sources],
        }
        if row is None:
            row = CaseRow(id=case.id, created_at=now, revision=0)
            self.session.add(row)
        row.title = case.context.title
        row.country = case.context.country
        row.schema_version = case.schema_version
        row.revision = (row.revision or 0) + (0 if change.empty else 1)
        row.updated_at = now
        row.updated_by = user_name
        row.public = public
        row.sealed = sealed_context
        self.session.flush()
        self._replace_records(case)
        return before, change

    def delete(self, case_id: str) -> Case:
        """Remove a case and its records; returns what was removed."""
        case = self.get(case_id)
        for table in RECORD_TABLES.values():
            self.session.execute(delete(table).where(table.case_id == case_id))
        self.session.execute(delete(CaseRow).where(CaseRow.id == case_id))
        return case

    def _replace_records(self, case: Case) -> None:
        for table in RECORD_TABLES.values():
            self.session.execute(delete(table).where(table.case_id == case.id))
        for collection, position, record in case.records():
            table = RECORD_TABLES[collection]
            record_id = str(getattr(record, "id"))  # noqa: B009 - every collection record has an id
            public, sealed = self._seal(record, f"{table.__tablename__}/{case.id}/{record_id}")
            kind = getattr(record, "kind", None)
            self.session.add(
                table(
                    case_id=case.id,
                    record_id=record_id,
                    position=position,
                    kind=str(kind) if kind is not None else None,
                    public=public,
                    sealed=sealed,
                )
            )
        self.session.flush()

    # --- sealing ---------------------------------------------------------------------

    def _seal(self, record: Record, place: str) -> tuple[dict[str, Any], dict[str, str]]:
        document = record.model_dump(mode="json")
        sensitive = record.sensitive_fields()
        public = {k: v for k, v in document.items() if k not in sensitive}
        sealed = {
            name: self.cipher.seal(document[name], f"{place}/{name}")
            for name in sorted(sensitive)
            if document.get(name) is not None
        }
        return public, sealed

    def _open(
        self, model: type[BaseModel], public: dict[str, Any], sealed: dict[str, str], place: str
    ) -> dict[str, Any]:
        document = dict(public)
        for name, token in sealed.items():
            document[name] = self.cipher.unseal(token, f"{place}/{name}")
        unknown = set(document) - set(model.model_fields)
        if unknown:
            raise IntegrityError(f"{place}: stored fields {sorted(unknown)} are not in the model")
        return document


def _refuse_judgement_rewrites(case_id: str, change: ChangeSummary) -> None:
    """Judgements are append-only: a new version of a case may add them, never alter or drop.

    An analyst who changes their mind records a later judgement on the same subject; the
    earlier one stays, so the record shows what was believed when.
    """
    problems = [
        Problem(
            f"judgements[{record_id}]",
            f"judgement {record_id!r} is already stored and judgements are append-only; "
            f"it may not be {verb}: record a later judgement on the same subject instead",
        )
        for verb, ids in (
            ("changed", change.changed.get("judgements", [])),
            ("removed", change.removed.get("judgements", [])),
        )
        for record_id in ids
    ]
    if problems:
        raise InvalidInputError(f"case {case_id}", problems)


def _record_type(collection: str) -> type[Record]:
    annotation = Case.model_fields[collection].annotation
    item: type[Record] = annotation.__args__[0]  # type: ignore[union-attr]
    return item


def rows_with_sealed_fields(session: Session) -> Iterator[tuple[CaseRow | RecordRow, str]]:
    """Every case and record row with the place prefix its sealed fields are bound to."""
    for row in session.execute(select(CaseRow)).scalars():
        yield row, f"cases/{row.id}"
    for table in RECORD_TABLES.values():
        for record_row in session.execute(select(table)).scalars():
            yield record_row, f"{table.__tablename__}/{record_row.case_id}/{record_row.record_id}"
