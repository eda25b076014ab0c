"""Alerts recorded by monitoring: sealed per case, each known by a keyed fingerprint.

An alert is identified by its kind, its actor, the day its period starts and the events
behind it (``alert_identity``); the same alert found again by a later pass has the same
identity, and one whose events changed (new events in a talks period) is a new alert.
The identity is stored only as a keyed hash under the case (``alert_ref``, as record ids
are), and the alert itself as one AES-GCM value bound to the table, the case and that
ref: a row copied into another case, or given another alert's ref, fails to open.

Rows are append-only (triggers, migration 0005) and go only with their case. Every pass
that records alerts audits the refs of the new ones (``WATCH_ACTION``), so
``check_alerts`` can name a row that was deleted, inserted or altered in the database.
Functions here take a session and never commit.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backchannel.errors import IntegrityError
from backchannel.store.cases import RECORD_VALUE
from backchannel.store.content_check import ContentProblem
from backchannel.store.crypto import FieldCipher, Keyed
from backchannel.store.schema import AuditRow, CaseAlertRow, CaseRow

if TYPE_CHECKING:  # the store takes alerts but needs nothing of the event analytics
    from backchannel.events.alerts import Alert

#: The key of an alert row's one sealed value: sealed whole like a record's, so that
#: whatever walks every sealed value (key rotation) binds it to its row's place alone.
ALERT_VALUE = RECORD_VALUE
#: The collection alert refs are keyed under (``Keyed.record_ref``).
ALERT_COLLECTION = "alerts"
#: The audit action of one monitoring pass over one case.
WATCH_ACTION = "alerts.watch"
#: The audit action of a case's deletion (its alerts go with it).
DELETE_ACTION = "case.delete"


def alert_place(case_id: str, ref: str) -> str:
    """What an alert row's sealed value is bound to: table, case and fingerprint."""
    return f"{CaseAlertRow.__tablename__}/{case_id}/{ref}"


def alert_identity(kind: str, actor: str, start: dt.date | str, event_ids: Sequence[str]) -> str:
    """The canonical text of what makes an alert the same alert: kind, actor, start day
    and the set of its event ids (order and repeats do not matter)."""
    day = start if isinstance(start, str) else start.isoformat()
    return json.dumps(
        [kind, actor, day, sorted(set(event_ids))], ensure_ascii=False, separators=(",", ":")
    )


def alert_ref(keyed: Keyed, case_id: str, alert: Alert) -> str:
    """The alert's keyed fingerprint in this case (64 hex digits, reveals nothing)."""
    identity = alert_identity(alert.kind, alert.actor, alert.start, alert.event_ids)
    return keyed.record_ref(case_id, ALERT_COLLECTION, identity)


def _ref_of_content(keyed: Keyed, case_id: str, content: dict[str, Any]) -> str:
    identity = alert_identity(
        str(content["kind"]),
        str(content["actor"]),
        str(content["start"]),
        [str(i) for i in content.get("event_ids") or []],
    )
    return keyed.record_ref(case_id, ALERT_COLLECTION, identity)


def _plain(value: Any) -> Any:
    """``value`` as plain JSON (days and times as ISO text)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


@dataclass(frozen=True)
class RecordedAlert:
    """An alert as monitoring recorded it: the alert, when it was found and by whom."""

    seq: int
    ref: str
    case_id: str
    found_at: dt.datetime
    found_by: str
    kind: str
    actor: str
    start: dt.date
    end: dt.date
    summary: str
    event_ids: list[str]
    strength: str | None = None
    scope: str | None = None
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def period(self) -> str:
        """The alert's period in words."""
        return f"{self.start.isoformat()} to {self.end.isoformat()}"

    @property
    def event_count(self) -> int:
        """How many events show it."""
        return len(self.event_ids)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (days and times as ISO text)."""
        return {
            "seq": self.seq,
            "ref": self.ref,
            "case_id": self.case_id,
            "found_at": self.found_at.isoformat(),
            "found_by": self.found_by,
            "kind": self.kind,
            "actor": self.actor,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "period": self.period,
            "summary": self.summary,
            "strength": self.strength,
            "scope": self.scope,
            "event_count": self.event_count,
            "event_ids": list(self.event_ids),
            "figures": self.figures,
        }


class AlertRepository:
    """Appends and reads one session's recorded alerts; never edits them."""

    def __init__(self, session: Session, cipher: FieldCipher, keyed: Keyed) -> None:
        self.session = session
        self.cipher = cipher
        self.keyed = keyed

    def refs(self, case_id: str) -> set[str]:
        """The fingerprints of every alert recorded in the case."""
        return set(
            self.session.execute(
                select(CaseAlertRow.ref).where(CaseAlertRow.case_id == case_id)
            ).scalars()
        )

    def append(
        self, case_id: str, alert: Alert, found_at: dt.datetime, found_by: str
    ) -> RecordedAlert:
        """Store one alert of the case, sealed; the caller has checked it is new."""
        ref = alert_ref(self.keyed, case_id, alert)
        content = json.loads(json.dumps(alert.as_dict(), default=_plain, ensure_ascii=False))
        row = CaseAlertRow(
            case_id=case_id,
            ref=ref,
            found_at=found_at,
            found_by=found_by,
            sealed={ALERT_VALUE: self.cipher.seal(content, alert_place(case_id, ref))},
        )
        self.session.add(row)
        self.session.flush()
        return _recorded(row, content)

    def after(self, case_id: str, seq: int = 0) -> list[RecordedAlert]:
        """The case's alerts recorded after alert ``seq`` (all with 0), oldest first."""
        rows = self.session.execute(
            select(CaseAlertRow)
            .where(CaseAlertRow.case_id == case_id, CaseAlertRow.seq > seq)
            .order_by(CaseAlertRow.seq)
        ).scalars()
        return [self.read(row) for row in rows]

    def newest_seq(self, case_id: str) -> int:
        """The number of the case's newest recorded alert (0: none)."""
        newest = self.session.execute(
            select(func.max(CaseAlertRow.seq)).where(CaseAlertRow.case_id == case_id)
        ).scalar_one()
        return int(newest or 0)

    def read(self, row: CaseAlertRow) -> RecordedAlert:
        """One row opened; ``IntegrityError`` when its content is not the alert its ref names."""
        token = row.sealed.get(ALERT_VALUE)
        where = f"case {row.case_id!r}, alert #{row.seq} (stored as {row.ref[:12]})"
        if token is None:
            raise IntegrityError(f"{where}: its sealed content is missing")
        content: dict[str, Any] = self.cipher.unseal(token, alert_place(row.case_id, row.ref))
        if _ref_of_content(self.keyed, row.case_id, content) != row.ref:
            raise IntegrityError(f"{where}: its content is not the alert its fingerprint names")
        return _recorded(row, content)


def _recorded(row: CaseAlertRow, content: dict[str, Any]) -> RecordedAlert:
    found_at = row.found_at if row.found_at.tzinfo else row.found_at.replace(tzinfo=dt.UTC)
    strength, scope = content.get("strength"), content.get("scope")
    return RecordedAlert(
        seq=row.seq,
        ref=row.ref,
        case_id=row.case_id,
        found_at=found_at,  # SQLite gives the time back without its zone
        found_by=row.found_by,
        kind=str(content["kind"]),
        actor=str(content["actor"]),
        start=dt.date.fromisoformat(str(content["start"])),
        end=dt.date.fromisoformat(str(content["end"])),
        summary=str(content["summary"]),
        event_ids=[str(i) for i in content.get("event_ids") or []],
        strength=None if strength is None else str(strength),
        scope=None if scope is None else str(scope),
        figures=dict(content.get("figures") or {}),
    )


def alert_rows_with_sealed_fields(session: Session) -> Iterator[tuple[CaseAlertRow, str]]:
    """Every alert row with the place its sealed value is bound to (for key rotation)."""
    for row in session.execute(select(CaseAlertRow)).scalars():
        yield row, alert_place(row.case_id, row.ref)


def audited_alert_refs(session: Session) -> dict[str, set[str]]:
    """The refs of the alerts each stored case's monitoring passes recorded, by case id,
    counting only passes after the case's last deletion (a case made again afresh)."""
    rows = session.execute(
        select(AuditRow.case_id, AuditRow.action, AuditRow.detail)
        .where(AuditRow.action.in_((WATCH_ACTION, DELETE_ACTION)), AuditRow.case_id.is_not(None))
        .order_by(AuditRow.seq)
    ).all()
    audited: dict[str, set[str]] = {}
    for case_id, action, detail in rows:
        if action == DELETE_ACTION:
            audited.pop(case_id, None)
        else:
            audited.setdefault(case_id, set()).update(detail.get("new") or [])
    return audited


def check_alerts(session: Session, cipher: FieldCipher, keyed: Keyed) -> list[ContentProblem]:
    """Every recorded alert that does not open, or that the audit log does not account for.

    A row must open and hold the alert its ref names; every ref a pass audited must still
    be stored while its case is, and every stored row must have been audited.
    """
    repository = AlertRepository(session, cipher, keyed)
    audited = audited_alert_refs(session)
    stored_cases = set(session.execute(select(CaseRow.id)).scalars())
    problems: list[ContentProblem] = []
    stored: dict[str, set[str]] = {}
    for row in session.execute(select(CaseAlertRow).order_by(CaseAlertRow.seq)).scalars():
        stored.setdefault(row.case_id, set()).add(row.ref)
        where = f"alert stored as {row.ref[:12]}"
        try:
            repository.read(row)
        except IntegrityError as exc:
            problems.append(ContentProblem(row.case_id, where, str(exc)))
            continue
        if row.ref not in audited.get(row.case_id, set()):
            problems.append(
                ContentProblem(row.case_id, where, "no audited monitoring pass recorded it")
            )
    for case_id in sorted(audited.keys() & stored_cases):
        for ref in sorted(audited[case_id] - stored.get(case_id, set())):
            problems.append(
                ContentProblem(
                    case_id,
                    f"alert stored as {ref[:12]}",
                    "a monitoring pass recorded it but it is no longer stored (deleted)",
                )
            )
    return problems
