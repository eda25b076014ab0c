"""How current a designation list was on the day a screening speaks for.

A list is only as good as its copy: a designation made after the copy was published is not
in it. The file itself says when it was published where it can (the UN consolidated list's
``dateGenerated``); OFAC's delimited files say nothing, so their copy is *undated*, never
taken for the day it was downloaded. ``list_currency`` sets a list's publication date
against the day of the screening and the largest age a team accepts
(``settings.list_max_age_days``): current, stale, undated, or published after that day
(a replay as of a past day reading a later copy).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from backchannel.screening.entity import calendar_day

__all__ = [
    "DEFAULT_MAX_AGE_DAYS",
    "Currency",
    "ListCurrency",
    "list_currency",
    "publication_date",
    "published_text",
]

#: The age beyond which a list is stale when no setting says otherwise: the default of
#: ``settings.list_max_age_days`` (a test keeps the two equal).
DEFAULT_MAX_AGE_DAYS = 30
#: What an undated list is called wherever a publication date would be shown.
UNDATED = "undated"

# An ISO date, alone or opening a date-time, with an optional zone: "2026-02-27",
# "2026-02-27T00:00:09.554Z", "2026-02-27T10:00:00+01:00", "2015-04-07-04:00".
_STAMP = re.compile(
    r"\s*(\d{4})-(\d{2})-(\d{2})"
    r"(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?\s*"
)


class Currency(StrEnum):
    """Where a list's copy stands against the day of the screening."""

    CURRENT = "current"
    STALE = "stale"
    UNDATED = "undated"
    PUBLISHED_LATER = "published_later"


def publication_date(stamp: str | None) -> dt.date | None:
    """The calendar date a list's stamp states (``2026-02-27T00:00:09.554Z`` ->
    2026-02-27), or ``None`` when there is no stamp or it is not an ISO date.

    The date is the one written, in the stamp's own zone: a list is not redated by a
    conversion the producer did not make.
    """
    return None if stamp is None else calendar_day(_STAMP, stamp)


def published_text(published: dt.date | None) -> str:
    """``2026-02-27``, or ``undated`` for a list that states no publication date."""
    return published.isoformat() if published is not None else UNDATED


@dataclass(frozen=True)
class ListCurrency:
    """One list's publication date set against the day a screening speaks for."""

    list_id: str
    published: dt.date | None
    on: dt.date
    max_age_days: int

    @property
    def age_days(self) -> int | None:
        """Days from publication to ``on`` (negative for a copy published later)."""
        return None if self.published is None else (self.on - self.published).days

    @property
    def status(self) -> Currency:
        """Current, stale (older than ``max_age_days``), undated, or published later."""
        age = self.age_days
        if age is None:
            return Currency.UNDATED
        if age < 0:
            return Currency.PUBLISHED_LATER
        return Currency.STALE if age > self.max_age_days else Currency.CURRENT

    @property
    def limits_clearance(self) -> bool:
        """Whether this copy cannot support a legal clearance: stale or undated."""
        return self.status in (Currency.STALE, Currency.UNDATED)

    @property
    def text(self) -> str:
        """What the copy is, in one clause, e.g. ``ofac-sdn states no publication date``
        or ``un-sc was published 2026-02-27, 420 days before 2027-04-23``."""
        age = self.age_days
        if self.published is None or age is None:
            return f"{self.list_id} states no publication date"
        published = self.published.isoformat()
        if age < 0:
            return (
                f"{self.list_id} was published {published}, {-age} "
                f"{_days(-age)} after {self.on.isoformat()}"
            )
        if age == 0:
            return f"{self.list_id} was published {published}, the day screened"
        return (
            f"{self.list_id} was published {published}, {age} {_days(age)} "
            f"before {self.on.isoformat()}"
        )

    @property
    def warning(self) -> str | None:
        """Why this copy may miss designations, or ``None`` for a current one."""
        status = self.status
        if status is Currency.UNDATED:
            return (
                f"{self.text}: its copy may be years old and miss every designation made "
                "since it was taken"
            )
        if status is Currency.STALE:
            return (
                f"{self.text} (more than {self.max_age_days} days): designations made "
                "since are not in it"
            )
        if status is Currency.PUBLISHED_LATER:
            return (
                f"{self.text}: a later copy, not the one known then; it lacks entries "
                "delisted in between"
            )
        return None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "list": self.list_id,
            "published": published_text(self.published),
            "on": self.on.isoformat(),
            "age_days": self.age_days,
            "max_age_days": self.max_age_days,
            "currency": self.status.value,
        }


def list_currency(
    list_id: str, published: dt.date | None, on: dt.date, max_age_days: int
) -> ListCurrency:
    """``list_id``'s copy, published on ``published`` (``None``: undated), as of ``on``.

    ``ValueError`` for a negative ``max_age_days``.
    """
    if max_age_days < 0:
        raise ValueError(f"max_age_days must not be negative, got {max_age_days}")
    return ListCurrency(list_id, published, on, max_age_days)


def _days(count: int) -> str:
    return "day" if count == 1 else "days"
