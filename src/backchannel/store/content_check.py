"""Whether each case as stored is the case its last audited change left.

Every save audits keyed digests of the case's context and of each record under its opaque
id (``case_changes.content``). Checking a case opens it (which already refuses rows that
were deleted, inserted, moved or replaced, see ``cases``) and compares what it holds with
the digests of the newest entry that changed it. A difference names the case and the
record; a case row with no audited change, or a case the log says was deleted, is named too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backchannel.errors import IntegrityError
from backchannel.model.case import Case
from backchannel.store.case_changes import case_digest, content
from backchannel.store.cases import CaseRepository
from backchannel.store.crypto import Keyed
from backchannel.store.schema import AuditRow, CaseRow

#: The action of the entry that removes a case.
DELETE = "case.delete"


@dataclass(frozen=True)
class ContentProblem:
    """One case (and record, where known) whose stored content the log does not vouch for."""

    case_id: str
    record: str | None
    reason: str
    audit_seq: int | None = None

    def describe(self) -> str:
        """One line for the operator."""
        where = f"case {self.case_id!r}" + (f", {self.record}" if self.record else "")
        entry = f" (last audited change: entry {self.audit_seq})" if self.audit_seq else ""
        return f"{where}: {self.reason}{entry}"


def last_changes(session: Session) -> dict[str, AuditRow]:
    """The newest entry that changed (or deleted) each case, by case id."""
    rows = session.execute(
        select(AuditRow)
        .where(
            AuditRow.case_id.is_not(None),
            or_(AuditRow.after_digest.is_not(None), AuditRow.action == DELETE),
        )
        .order_by(AuditRow.seq)
    ).scalars()
    return {row.case_id: row for row in rows if row.case_id is not None}


def check_contents(
    session: Session, repository: CaseRepository, keyed: Keyed
) -> list[ContentProblem]:
    """Every discrepancy between the stored cases and their last audited changes."""
    latest = last_changes(session)
    problems: list[ContentProblem] = []
    stored = list(session.execute(select(CaseRow.id).order_by(CaseRow.id)).scalars())
    for case_id in stored:
        entry = latest.get(case_id)
        if entry is None or entry.action == DELETE:
            problems.append(ContentProblem(case_id, None, "stored, but no audited change wrote it"))
            continue
        try:
            case = repository.get(case_id)
        except IntegrityError as exc:
            problems.append(ContentProblem(case_id, None, str(exc), entry.seq))
            continue
        problems.extend(_differences(keyed, case, entry))
    for case_id, entry in sorted(latest.items()):
        if entry.action != DELETE and case_id not in stored:
            problems.append(
                ContentProblem(case_id, None, "removed without an audited deletion", entry.seq)
            )
    return problems


def _differences(keyed: Keyed, case: Case, entry: AuditRow) -> list[ContentProblem]:
    expected = entry.detail.get("content")
    if expected is None:
        # an entry from before per-record digests: the whole case's digest must match
        if entry.after_digest != case_digest(keyed, case):
            return [
                ContentProblem(
                    case.id, None, "differs from its last audited change (edited)", entry.seq
                )
            ]
        return []
    actual = content(keyed, case)
    problems = []
    if actual["context"] != expected.get("context"):
        problems.append(
            ContentProblem(
                case.id, "its context or sources", "differ from the last audited change", entry.seq
            )
        )
    for collection in Case.COLLECTIONS:
        now = actual["records"][collection]
        then: dict[str, str] = expected.get("records", {}).get(collection, {})
        ids = {keyed.record_ref(case.id, collection, r.id): r.id for r in getattr(case, collection)}
        for ref, digest in now.items():
            if ref not in then:
                reason = "is not in the last audited change (inserted)"
            elif then[ref] != digest:
                reason = "differs from the last audited change (edited)"
            else:
                continue
            problems.append(
                ContentProblem(case.id, f"{collection} record {ids[ref]!r}", reason, entry.seq)
            )
        for ref in then.keys() - now.keys():
            problems.append(
                ContentProblem(
                    case.id,
                    f"{collection} record stored as {ref[:12]}",
                    "is in the last audited change but no longer stored (deleted)",
                    entry.seq,
                )
            )
    return problems
