"""Screening decisions in the store: held per case, sealed, shared only when a lead says so.

A decision row holds the case it belongs to, who made it and when, a keyed hash of the
screened name's decision key (to find decisions by name without storing the name), and
one sealed value: the name, list, entry, verdict and note. Rows are append-only and go
only with their case. A share row offers one decision to the rest of the organisation;
the latest share row of a decision says whether the offer stands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backchannel.errors import NotFoundError
from backchannel.screening.decisions import HitDecision, SharedDecision, Verdict, decision_key
from backchannel.store.crypto import FieldCipher, Keyed
from backchannel.store.schema import (
    CaseDecisionRow,
    CaseRow,
    ScreeningDecisionRow,
    ScreeningShareRow,
)

DECISION = "decision"
#: The purpose a decision's lookup key is made for (see ``Keyed.lookup_key``).
LOOKUP = "screening decision"


def decision_place(case_id: str, seq: int) -> str:
    """What a decision's sealed value is bound to."""
    return f"case_screening_decisions/{case_id}/{seq}"


class DecisionRepository:
    """Appends, shares and reads one session's screening decisions; never edits them."""

    def __init__(self, session: Session, cipher: FieldCipher, keyed: Keyed) -> None:
        self.session = session
        self.cipher = cipher
        self.keyed = keyed

    def _key(self, query: str) -> str:
        return self.keyed.lookup_key(LOOKUP, decision_key(query))

    def append(self, decision: HitDecision) -> int:
        """Store one decision of ``decision.case_id``; returns its sequence number."""
        if decision.case_id is None:
            raise NotFoundError("a screening decision belongs to a case: none was given")
        row = CaseDecisionRow(
            case_id=decision.case_id,
            query_key=self._key(decision.query),
            user_name=decision.user,
            at=decision.at,
            sealed={},
        )
        self.session.add(row)
        self.session.flush()  # the sequence number binds the sealed value to its row
        value = {
            "query": decision.query,
            "list": decision.list_id,
            "entity_id": decision.entity_id,
            "verdict": decision.verdict.value,
            "note": decision.note,
        }
        row.sealed = {DECISION: self.cipher.seal(value, decision_place(row.case_id, row.seq))}
        self.session.flush()
        return row.seq

    def find(self, case_id: str, queries: list[str] | None = None) -> list[HitDecision]:
        """The case's decisions, or those on the given names (compared by decision key)."""
        statement = (
            select(CaseDecisionRow)
            .where(CaseDecisionRow.case_id == case_id)
            .order_by(CaseDecisionRow.seq)
        )
        if queries is not None:
            keys = sorted({self._key(q) for q in queries})
            statement = statement.where(CaseDecisionRow.query_key.in_(keys))
        return [self._decision(row) for row in self.session.execute(statement).scalars()]

    def count(self, case_id: str) -> int:
        """How many decisions the case holds."""
        return self.session.execute(
            select(func.count())
            .select_from(CaseDecisionRow)
            .where(CaseDecisionRow.case_id == case_id)
        ).scalar_one()

    def share(self, case_id: str, seq: int, shared: bool, user_name: str) -> None:
        """Offer (or withdraw) decision ``seq`` of the case; ``NotFoundError`` if not its own."""
        row = self.session.get(CaseDecisionRow, seq)
        if row is None or row.case_id != case_id:
            raise NotFoundError(f"case {case_id!r} holds no screening decision {seq}")
        self.session.add(
            ScreeningShareRow(
                decision_seq=seq,
                query_key=row.query_key,
                shared=shared,
                user_name=user_name,
                at=dt.datetime.now(dt.UTC),
            )
        )
        self.session.flush()

    def suggestions(self, case_id: str, queries: list[str]) -> list[SharedDecision]:
        """What other cases shared on these names: verdict, list and entry, nothing else."""
        keys = sorted({self._key(q) for q in queries})
        if not keys:
            return []
        standing: dict[int, bool] = {}
        shares = self.session.execute(
            select(ScreeningShareRow)
            .where(ScreeningShareRow.query_key.in_(keys))
            .order_by(ScreeningShareRow.seq)
        ).scalars()
        for share in shares:
            standing[share.decision_seq] = share.shared
        offered = [seq for seq, shared in standing.items() if shared]
        if not offered:
            return []
        rows = self.session.execute(
            select(CaseDecisionRow)
            .where(CaseDecisionRow.seq.in_(offered), CaseDecisionRow.case_id != case_id)
            .order_by(CaseDecisionRow.seq)
        ).scalars()
        found: dict[tuple[str, ...], SharedDecision] = {}
        for row in rows:
            value = self._value(row)
            suggestion = SharedDecision(
                query=str(value["query"]),
                list_id=str(value["list"]),
                entity_id=str(value["entity_id"]),
                verdict=Verdict(value["verdict"]),
            )
            found[(row.query_key, *suggestion.hit, suggestion.verdict.value)] = suggestion
        return list(found.values())

    def _value(self, row: CaseDecisionRow) -> dict[str, Any]:
        value: dict[str, Any] = self.cipher.unseal(
            row.sealed[DECISION], decision_place(row.case_id, row.seq)
        )
        return value

    def _decision(self, row: CaseDecisionRow) -> HitDecision:
        value = self._value(row)
        at = row.at if row.at.tzinfo else row.at.replace(tzinfo=dt.UTC)  # SQLite drops the zone
        note = value.get("note")
        return HitDecision(
            query=str(value["query"]),
            list_id=str(value["list"]),
            entity_id=str(value["entity_id"]),
            verdict=Verdict(value["verdict"]),
            user=row.user_name,
            at=at,
            note=None if note is None else str(note),
            case_id=row.case_id,
            seq=row.seq,
        )

    @staticmethod
    def legacy_count(session: Session) -> int:
        """How many decisions are still in the table from before decisions were per case."""
        return session.execute(select(func.count()).select_from(ScreeningDecisionRow)).scalar_one()


def move_legacy_decisions(session: Session, cipher: FieldCipher, keyed: Keyed) -> tuple[int, int]:
    """Move old decisions into their cases, sealed; drop those tied to no stored case.

    A decision recorded without a case cannot be placed in a compartment, and applying it
    anywhere is what per-case decisions prevent. Returns (moved, dropped).
    """
    repository = DecisionRepository(session, cipher, keyed)
    cases = set(session.execute(select(CaseRow.id)).scalars())
    moved = dropped = 0
    for row in session.execute(
        select(ScreeningDecisionRow).order_by(ScreeningDecisionRow.seq)
    ).scalars():
        token = row.sealed.get("note")
        place = f"screening_decisions/{row.seq}/note"
        note = None if token is None else cipher.unseal(token, place)
        if row.case_id in cases:
            at = row.at if row.at.tzinfo else row.at.replace(tzinfo=dt.UTC)
            repository.append(
                HitDecision(
                    query=row.query,
                    list_id=row.list_id,
                    entity_id=row.entity_id,
                    verdict=Verdict(row.verdict),
                    user=row.user_name,
                    at=at,
                    note=None if note is None else str(note),
                    case_id=row.case_id,
                )
            )
            moved += 1
        else:
            dropped += 1
        session.delete(row)
    session.flush()
    return moved, dropped


def decision_rows_with_sealed_fields(session: Session) -> Iterator[tuple[CaseDecisionRow, str]]:
    """Every decision row with the place its sealed value is bound to."""
    for row in session.execute(select(CaseDecisionRow)).scalars():
        yield row, decision_place(row.case_id, row.seq)
