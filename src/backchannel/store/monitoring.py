"""What monitoring keeps in the store: the alerts each pass found new, and the visits that
tell each user which of them are new to them.

``record_alerts`` is one transaction per case: it holds the case's row (so that two
passes at once record each alert once, and a dashboard visit sees all of a pass's alerts
or none), stores the alerts whose fingerprint the case does not hold yet, and audits the
pass (counts and opaque refs only). ``alert_news`` reads what a user has not seen yet;
``mark_visit`` moves their mark once the page showing it was made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from backchannel.errors import NotFoundError
from backchannel.store.alerts import WATCH_ACTION, AlertRepository, RecordedAlert, alert_ref
from backchannel.store.base import StoreBase
from backchannel.store.schema import AuditRow, CaseRow
from backchannel.store.visits import last_visit, mark_visit

if TYPE_CHECKING:
    from backchannel.events.alerts import Alert


@dataclass(frozen=True)
class AlertRecording:
    """What one pass over one case recorded: how many alerts it found, which were new."""

    case_id: str
    found: int
    new: list[RecordedAlert]
    audit_seq: int


@dataclass(frozen=True)
class AlertNews:
    """The alerts recorded in a case since a user's last visit of its dashboard.

    ``previous_visit`` is ``None`` on a first visit (every recorded alert is then new);
    ``last_pass`` is when monitoring last checked the case (``None``: never, so no alert
    shown is reassurance); ``newest_seq`` is the mark to move the visit to.
    """

    case_id: str
    previous_visit: dt.datetime | None
    last_pass: dt.datetime | None
    alerts: list[RecordedAlert]
    newest_seq: int


class Monitoring(StoreBase):
    """Recorded alerts and dashboard visits."""

    def record_alerts(self, case_id: str, alerts: Sequence[Alert]) -> AlertRecording:
        """Store the alerts the case does not hold yet, sealed, and audit the pass.

        An alert already recorded (same fingerprint) is not recorded again; the audit
        entry (``alerts.watch``) gives the number found, the number new and the new
        alerts' refs. ``NotFoundError`` if the case does not exist.
        """
        with self.transaction() as session:
            held = session.execute(
                select(CaseRow.id).where(CaseRow.id == case_id).with_for_update()
            ).scalar_one_or_none()
            if held is None:
                raise NotFoundError(f"no case with id {case_id!r} in the store")
            repository = AlertRepository(session, self.cipher, self.keyed)
            known = repository.refs(case_id)
            found: set[str] = set()
            now = dt.datetime.now(dt.UTC)
            new: list[RecordedAlert] = []
            for alert in alerts:
                ref = alert_ref(self.keyed, case_id, alert)
                if ref not in known and ref not in found:
                    new.append(repository.append(case_id, alert, now, self.user_name))
                found.add(ref)
            entry = self._audit(
                session,
                action=WATCH_ACTION,
                case_id=case_id,
                detail={
                    "alerts_found": len(found),
                    "new_alerts": len(new),
                    "new": [alert.ref for alert in new],
                },
            )
        return AlertRecording(case_id, len(found), new, entry.seq)

    def recorded_alerts(self, case_id: str, after_seq: int = 0) -> list[RecordedAlert]:
        """The case's recorded alerts (those after alert ``after_seq``), oldest first."""
        with self.reading() as session:
            return AlertRepository(session, self.cipher, self.keyed).after(case_id, after_seq)

    def alert_news(self, case_id: str, user_name: str | None = None) -> AlertNews:
        """What monitoring recorded in the case since the user's (default: the acting
        user's) last visit of its dashboard. Reads only: ``mark_visit`` moves the mark."""
        user = user_name or self.user_name
        with self.reading() as session:
            visit = last_visit(session, case_id, user)
            seen = visit.seen_alert_seq if visit else 0
            repository = AlertRepository(session, self.cipher, self.keyed)
            alerts = repository.after(case_id, seen)
            last_pass = session.execute(
                select(AuditRow.at)
                .where(AuditRow.case_id == case_id, AuditRow.action == WATCH_ACTION)
                .order_by(AuditRow.seq.desc())
                .limit(1)
            ).scalar_one_or_none()
        return AlertNews(
            case_id=case_id,
            previous_visit=visit.visited_at if visit else None,
            last_pass=dt.datetime.fromisoformat(last_pass) if last_pass else None,
            alerts=alerts,
            newest_seq=max([seen, *(a.seq for a in alerts)]),
        )

    def mark_visit(self, case_id: str, seen_alert_seq: int, user_name: str | None = None) -> None:
        """Record that the user (default: the acting user) opened the case's dashboard now
        and was shown the alerts up to ``seen_alert_seq``. Not audited: a visit changes no
        case content."""
        with self.transaction() as session:
            mark_visit(
                session,
                case_id,
                user_name or self.user_name,
                seen_alert_seq,
                dt.datetime.now(dt.UTC),
            )
