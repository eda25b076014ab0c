"""Screening names against the loaded lists, as of a date, with analysts' past decisions.

``Screening`` holds the lists as read (their snapshots and counts) and one blocking index
over all their entries. ``screen`` answers one name: the hits above the threshold, best
first, each with the decision that holds for it if an analyst has made one; and, when the
screening is as of a past date, the entries that match but were listed only later (the list
says when, so the team sees that the designation came after the case's date). Entries whose
list gives no listing date cannot be placed in time; the result says so.

Every result names each list's publication date (or that the list is undated) and how old
that copy was on the day screened: a designation made after a copy was published is not
in it, so a stale or undated copy is named as such wherever the screening is shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from backchannel.screening.decisions import (
    HitDecision,
    Verdict,
    decision_for,
    latest_decisions,
)
from backchannel.screening.entity import EntityType, ListedEntity, ReadResult
from backchannel.screening.freshness import (
    DEFAULT_MAX_AGE_DAYS,
    ListCurrency,
    list_currency,
    published_text,
)
from backchannel.screening.index import ScreeningIndex
from backchannel.screening.matcher import MATCH_THRESHOLD, Hit

#: Hits asked of the index per name before dating them; enough that hits listed after the
#: screening date cannot crowd out those in force.
SEARCH_DEPTH = 25


@dataclass(frozen=True)
class ListSnapshot:
    """Which copy of a list a screening used."""

    list_id: str
    source: str
    snapshot: str | None
    entries: int
    rejected: int
    dated: bool  # whether the list gives listing dates, so "as of" can be applied
    published: dt.date | None = None  # as the file states it; None: undated

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form; ``published`` is an ISO date or ``"undated"``."""
        return {
            "list": self.list_id,
            "source": self.source,
            "snapshot": self.snapshot,
            "published": published_text(self.published),
            "entries": self.entries,
            "rejected": self.rejected,
            "listing_dates": self.dated,
        }


@dataclass(frozen=True)
class ScreenedHit:
    """A hit, the entry behind it, the analyst decision that holds for it, and the
    publication date of the copy of the list it was found in (``None``: undated)."""

    hit: Hit
    entity: ListedEntity
    decision: HitDecision | None = None
    list_published: dt.date | None = None

    def as_dict(self, *, with_notes: bool = False) -> dict[str, Any]:
        """The hit's contract keys, plus the entry's programmes and listing date and the
        publication date of its list (``"undated"`` when the list states none)."""
        decision = None
        if self.decision is not None:
            decision = self.decision.as_dict()
            if not with_notes:
                decision.pop("note")
        return {
            **self.hit.as_dict(),
            "reference": self.entity.reference,
            "programmes": list(self.entity.programmes),
            "listed_on": self.entity.listed_on.isoformat() if self.entity.listed_on else None,
            "list_published": published_text(self.list_published),
            "decision": decision,
        }


@dataclass(frozen=True)
class NameScreening:
    """The answer for one name; ``lists`` gives each list's publication date and age on
    the day screened (``as_of``, else the day it ran)."""

    query: str
    as_of: dt.date | None
    hits: list[ScreenedHit]
    listed_later: list[ScreenedHit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lists: list[ListCurrency] = field(default_factory=list)

    @property
    def designated(self) -> list[ScreenedHit]:
        """Hits not decided false positives: what the legal rules must treat as designations."""
        return [
            h
            for h in self.hits
            if h.decision is None or h.decision.verdict is not Verdict.FALSE_POSITIVE
        ]


class Screening:
    """The lists as read, and one index over every entry they hold.

    ``max_age_days`` is the largest age of a list's copy a screening accepts as current
    (``settings.list_max_age_days`` where the lists are loaded from the installation).
    """

    def __init__(
        self,
        results: Sequence[ReadResult],
        *,
        max_age_days: int = DEFAULT_MAX_AGE_DAYS,
        index: ScreeningIndex | None = None,
    ) -> None:
        if max_age_days < 0:
            raise ValueError(f"max_age_days must not be negative, got {max_age_days}")
        self.max_age_days = max_age_days
        self.results = list(results)
        self.entities = [e for r in self.results for e in r.entities]
        # ``index``: one already built over these entries in this order (a persisted one)
        if index is not None and index.entities != tuple(self.entities):
            raise ValueError("the index given was built over other entries")
        self.index = index if index is not None else ScreeningIndex.build(self.entities)
        self._by_key = {(e.list_id, e.entity_id): e for e in self.entities}
        self._published = {r.list_id: r.published for r in self.results}

    @property
    def snapshots(self) -> list[ListSnapshot]:
        """Which copy of each list is loaded."""
        return [
            ListSnapshot(
                list_id=r.list_id,
                source=r.source,
                snapshot=r.snapshot,
                entries=len(r.entities),
                rejected=len(r.rejected),
                dated=any(e.listed_on is not None for e in r.entities),
                published=r.published,
            )
            for r in self.results
        ]

    def currency(self, on: dt.date) -> list[ListCurrency]:
        """Each list's publication date and age on ``on``, in the order the lists were read."""
        return [list_currency(r.list_id, r.published, on, self.max_age_days) for r in self.results]

    def screen(
        self,
        name: str,
        *,
        as_of: dt.date | None = None,
        decisions: Iterable[HitDecision] = (),
        threshold: float = MATCH_THRESHOLD,
        limit: int = 10,
        entity_type: EntityType | None = None,
    ) -> NameScreening:
        """The hits for ``name``; with ``as_of``, entries listed after it are set apart.

        The result names each list's publication date and age on ``as_of`` (else today),
        with a note for each copy that is stale, undated or published after ``as_of``.
        """
        holding = latest_decisions(
            decisions,
            None if as_of is None else dt.datetime.combine(as_of, dt.time.max, dt.UTC),
        )
        in_force: list[ScreenedHit] = []
        later: list[ScreenedHit] = []
        for hit in self.index.search(name, max(limit, SEARCH_DEPTH), threshold, entity_type):
            entity = self._by_key[(hit.list, hit.entity_id)]
            screened = ScreenedHit(
                hit,
                entity,
                decision_for(holding, name, hit.list, hit.entity_id),
                self._published.get(hit.list),
            )
            if as_of is not None and entity.listed_on is not None and entity.listed_on > as_of:
                later.append(screened)
            else:
                in_force.append(screened)
        currency = self.currency(as_of or dt.date.today())
        notes = [warning for c in currency if (warning := c.warning) is not None]
        if as_of is not None:
            undated = sorted({s.list_id for s in self.snapshots if not s.dated})
            if undated:
                notes.append(
                    f"{', '.join(undated)} give no listing dates: their entries are shown as if "
                    f"in force on {as_of.isoformat()}, which they may not have been"
                )
            notes.append(
                "entries delisted before a list's snapshot are not in it: a designation in "
                f"force on {as_of.isoformat()} but lifted since does not show"
            )
        return NameScreening(name, as_of, in_force[:limit], later[:limit], notes, currency)
