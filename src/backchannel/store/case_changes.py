"""What a save changes in a case, and what a case's content is worth as audit evidence.

``compare`` gives the record-level difference two versions of a case make; ``content``
gives the keyed digests of a case's context and of each record, under the opaque ids the
store keeps them by. The audit entry of every change carries both, so the log names no
record and quotes no text, yet ``audit verify`` can tell which stored record no longer
matches the last change the log recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from backchannel.errors import InvalidInputError, Problem
from backchannel.model.base import stored_form
from backchannel.model.case import Case
from backchannel.store.crypto import Keyed


@dataclass(frozen=True)
class CaseSummary:
    """What a case list shows: the title, counts and who saved it last."""

    id: str
    title: str
    country: str
    revision: int
    updated_at: dt.datetime
    updated_by: str
    counts: dict[str, int]


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

    def as_detail(self, keyed: Keyed, case_id: str) -> dict[str, Any]:
        """A JSON-ready description for the audit log: opaque record ids, no names."""

        def opaque(by_collection: dict[str, list[str]]) -> dict[str, list[str]]:
            return {
                collection: [keyed.record_ref(case_id, collection, i) for i in ids]
                for collection, ids in by_collection.items()
            }

        return {
            "added": opaque(self.added),
            "changed": opaque(self.changed),
            "removed": opaque(self.removed),
            "context_changed": self.context_changed,
        }


def context_part(case: Case) -> dict[str, Any]:
    """The part of a case that is not a record: schema version, context, sources and the
    mandate (left out when there is none, as in cases stored before it existed)."""
    part: dict[str, Any] = {
        "schema_version": case.schema_version,
        "context": stored_form(case.context),
        "sources": [stored_form(s) for s in case.sources],
    }
    if case.mandate is not None:
        part["mandate"] = stored_form(case.mandate)
    return part


def content(keyed: Keyed, case: Case) -> dict[str, Any]:
    """Keyed digests of the case's context and of every record, by opaque record id."""
    return {
        "context": keyed.digest(context_part(case)),
        "records": {
            collection: {
                keyed.record_ref(case.id, collection, str(getattr(record, "id"))): keyed.digest(  # noqa: B009
                    stored_form(record)
                )
                for record in getattr(case, collection)
            }
            for collection in Case.COLLECTIONS
        },
    }


def case_digest(keyed: Keyed, case: Case | None) -> str | None:
    """A keyed digest of the whole case; ``None`` for a case that does not exist."""
    return None if case is None else keyed.digest(stored_form(case))


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


def refuse_judgement_rewrites(case_id: str, change: ChangeSummary) -> None:
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
