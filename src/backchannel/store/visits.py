"""Each user's last visit of each case's dashboard, for "new since your last visit".

A visit row holds the case id and user name (both already in clear in the memberships),
when the user last opened the dashboard and the number of the newest recorded alert it
showed them. Alerts are numbered in the order they were recorded, so the alerts after that
number are new to the user whatever the clocks of the servers and the monitoring host say.
A visit is not case content and is not audited. Functions here take a session and never
commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Insert, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from backchannel.store.schema import CaseVisitRow


@dataclass(frozen=True)
class Visit:
    """A user's last visit of a case: when, and the newest alert it showed them."""

    visited_at: dt.datetime
    seen_alert_seq: int


def last_visit(session: Session, case_id: str, user_name: str) -> Visit | None:
    """The user's last visit of the case's dashboard, or ``None`` if they never opened it."""
    row = session.get(CaseVisitRow, (case_id, user_name))
    if row is None:
        return None
    at = row.visited_at if row.visited_at.tzinfo else row.visited_at.replace(tzinfo=dt.UTC)
    return Visit(at, row.seen_alert_seq)


def mark_visit(
    session: Session, case_id: str, user_name: str, seen_alert_seq: int, at: dt.datetime
) -> None:
    """Record a visit at ``at`` that showed alerts up to ``seen_alert_seq``.

    One statement that inserts or updates, so two tabs opening the dashboard at once
    cannot collide; the seen mark never moves back (a slower tab that showed fewer
    alerts does not make them new again).
    """
    dialect = session.get_bind().dialect.name
    values = {
        "case_id": case_id,
        "user_name": user_name,
        "visited_at": at,
        "seen_alert_seq": seen_alert_seq,
    }
    statement: Insert
    if dialect == "postgresql":
        insert = postgresql.insert(CaseVisitRow).values(**values)
        newest = func.greatest(CaseVisitRow.seen_alert_seq, insert.excluded.seen_alert_seq)
        statement = insert.on_conflict_do_update(
            index_elements=["case_id", "user_name"],
            set_={"visited_at": insert.excluded.visited_at, "seen_alert_seq": newest},
        )
    else:
        lite = sqlite.insert(CaseVisitRow).values(**values)
        # SQLite's max() of two arguments is the larger one
        newest = func.max(CaseVisitRow.seen_alert_seq, lite.excluded.seen_alert_seq)
        statement = lite.on_conflict_do_update(
            index_elements=["case_id", "user_name"],
            set_={"visited_at": lite.excluded.visited_at, "seen_alert_seq": newest},
        )
    session.execute(statement)
