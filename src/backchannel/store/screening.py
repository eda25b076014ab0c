"""Screening decisions in the store: appended, sealed, read back for later screenings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from backchannel.screening.decisions import HitDecision, Verdict, decision_key
from backchannel.store.crypto import FieldCipher
from backchannel.store.schema import ScreeningDecisionRow

NOTE = "note"


def _place(seq: int) -> str:
    return f"screening_decisions/{seq}"


class DecisionRepository:
    """Appends and reads screening decisions in one session; never updates or deletes."""

    def __init__(self, session: Session, cipher: FieldCipher) -> None:
        self.session = session
        self.cipher = cipher

    def append(self, decision: HitDecision) -> int:
        """Store one decision; returns its sequence number."""
        row = ScreeningDecisionRow(
            query_key=decision_key(decision.query),
            query=decision.query,
            list_id=decision.list_id,
            entity_id=decision.entity_id,
            verdict=decision.verdict.value,
            user_name=decision.user,
            at=decision.at,
            case_id=decision.case_id,
            sealed={},
        )
        self.session.add(row)
        self.session.flush()  # the sequence number binds the sealed note to its row
        if decision.note is not None:
            row.sealed = {NOTE: self.cipher.seal(decision.note, f"{_place(row.seq)}/{NOTE}")}
            self.session.flush()
        return row.seq

    def find(self, queries: list[str] | None = None) -> list[HitDecision]:
        """Every decision, or those on the given queries (compared by ``decision_key``)."""
        statement = select(ScreeningDecisionRow).order_by(ScreeningDecisionRow.seq)
        if queries is not None:
            keys = sorted({decision_key(q) for q in queries})
            statement = statement.where(ScreeningDecisionRow.query_key.in_(keys))
        return [self._decision(row) for row in self.session.execute(statement).scalars()]

    def _decision(self, row: ScreeningDecisionRow) -> HitDecision:
        token = row.sealed.get(NOTE)
        note = None if token is None else self.cipher.unseal(token, f"{_place(row.seq)}/{NOTE}")
        at = row.at if row.at.tzinfo else row.at.replace(tzinfo=dt.UTC)  # SQLite drops the zone
        return HitDecision(
            query=row.query,
            list_id=row.list_id,
            entity_id=row.entity_id,
            verdict=Verdict(row.verdict),
            user=row.user_name,
            at=at,
            note=None if note is None else str(note),
            case_id=row.case_id,
        )


def decision_rows_with_sealed_fields(
    session: Session,
) -> Iterator[tuple[ScreeningDecisionRow, str]]:
    """Every decision row with a sealed note, and the place its note is bound to."""
    for row in session.execute(select(ScreeningDecisionRow)).scalars():
        if row.sealed:
            yield row, _place(row.seq)
