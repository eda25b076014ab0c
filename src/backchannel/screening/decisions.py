"""Analysts' decisions on screening hits, and how later screenings reuse them.

A decision says of one hit (a queried name against one listed entry) that it is a true
match, a false positive, or needs review. Decisions are append-only: a change of view is a
later decision, and the latest one for a hit is the one that holds. A later screening of
the same name (compared by its ``decision_key``, so spelling differences in case, spacing
and punctuation do not lose a decision) shows the decision beside the hit, with who made it
and when, instead of asking the analyst again.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    """What an analyst concluded about a hit."""

    TRUE_MATCH = "true_match"
    FALSE_POSITIVE = "false_positive"
    NEEDS_REVIEW = "needs_review"


@dataclass(frozen=True)
class HitDecision:
    """One analyst's verdict on one hit, dated; ``note`` is sensitive."""

    query: str
    list_id: str
    entity_id: str
    verdict: Verdict
    user: str
    at: dt.datetime
    note: str | None = None
    case_id: str | None = None
    #: the decision's number in the store, once stored (a case lead shares it by number)
    seq: int | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """What identifies the hit across screenings: the query's key, list and entry."""
        return decision_key(self.query), self.list_id, self.entity_id

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (the note included: callers that circulate it must drop it)."""
        return {
            "query": self.query,
            "list": self.list_id,
            "entity_id": self.entity_id,
            "verdict": self.verdict.value,
            "user": self.user,
            "at": self.at.isoformat(),
            "note": self.note,
            "case_id": self.case_id,
            "seq": self.seq,
        }


@dataclass(frozen=True)
class SharedDecision:
    """A decision another case offered to the organisation, as a suggestion.

    It says what was concluded about which entry, and nothing of who concluded it, when,
    or why: the case it came from stays closed. It changes no screening until someone in
    the case looking at it records a decision of their own.
    """

    query: str
    list_id: str
    entity_id: str
    verdict: Verdict

    @property
    def hit(self) -> tuple[str, str, str]:
        """The hit it is about: the query's key, list and entry."""
        return decision_key(self.query), self.list_id, self.entity_id


_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def decision_key(query: str) -> str:
    """The query as decisions compare it: compatibility-folded, case-free, words only.

    Deliberately stricter than the matcher: a decision about "Al-Shabaab" carries over to
    "al shabaab" and "AL SHABAAB", not to a different spelling the analyst has not seen.
    """
    folded = unicodedata.normalize("NFKC", query).casefold()
    return " ".join(_NOT_WORD.sub(" ", folded).split())


def latest_decisions(
    decisions: Iterable[HitDecision], as_of: dt.datetime | None = None
) -> dict[tuple[str, str, str], HitDecision]:
    """The decision that holds for each hit: the latest one made by ``as_of`` (if given)."""
    holding: dict[tuple[str, str, str], HitDecision] = {}
    for decision in decisions:
        if as_of is not None and decision.at > as_of:
            continue
        current = holding.get(decision.key)
        if current is None or decision.at >= current.at:
            holding[decision.key] = decision
    return holding


def decision_for(
    holding: dict[tuple[str, str, str], HitDecision], query: str, list_id: str, entity_id: str
) -> HitDecision | None:
    """The decision that holds for a hit of ``query`` on one entry, if any."""
    return holding.get((decision_key(query), list_id, entity_id))
