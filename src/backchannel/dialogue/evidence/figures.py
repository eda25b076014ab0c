"""One figure of the evidence panel: a share with its numerator, denominator, scope, period
and source, and the helpers every figure module uses to build one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pandas as pd

from backchannel.dialogue.evidence.sources import SourceRef
from backchannel.model.vocabulary import Modality

__all__ = ["Figure", "Scope", "add_years", "as_known_then", "period_label", "share"]


class Scope(StrEnum):
    """How close to the case a figure's data are: its counterpart's dyads, its country,
    its region, or the whole world."""

    COUNTERPART = "counterpart"
    COUNTRY = "country"
    REGION = "region"
    WORLD = "world"


@dataclass(frozen=True)
class Figure:
    """A base rate: ``numerator`` of ``denominator`` cases, asked as ``question``.

    ``value`` is the share, ``None`` when the denominator is 0 (the note then says why).
    ``bears_on`` names the modalities of dialogue the figure informs.
    """

    id: str
    question: str
    numerator: int
    denominator: int
    scope: Scope
    scope_label: str
    period: str
    bears_on: tuple[Modality, ...]
    source: SourceRef
    note: str
    value: float | None = field(init=False)

    def __post_init__(self) -> None:
        if not 0 <= self.numerator <= self.denominator:
            raise ValueError(
                f"figure {self.id}: numerator {self.numerator} must lie between 0 and the "
                f"denominator {self.denominator}"
            )
        share_value = self.numerator / self.denominator if self.denominator else None
        object.__setattr__(self, "value", share_value)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the share rounded to four places."""
        return {
            "id": self.id,
            "question": self.question,
            "value": None if self.value is None else round(self.value, 4),
            "numerator": self.numerator,
            "denominator": self.denominator,
            "scope": self.scope.value,
            "scope_label": self.scope_label,
            "period": self.period,
            "bears_on": [m.value for m in self.bears_on],
            "source": self.source.as_dict(),
            "note": self.note,
        }


def share(
    metric: str,
    question: str,
    hits: pd.Series,
    *,
    scope: Scope,
    scope_label: str,
    period: str,
    bears_on: tuple[Modality, ...],
    source: SourceRef,
    note: str,
    counted: str,
) -> Figure:
    """The figure ``metric.scope``: how many of the units (one boolean per unit in ``hits``)
    are true. ``counted`` names the units in plain words for the note when there are none."""
    denominator = len(hits)
    numerator = int(hits.sum())
    if denominator == 0:
        note = f"{note} No {counted} in this scope and period, so no share can be given."
    return Figure(
        id=f"{metric}.{scope.value}",
        question=question,
        numerator=numerator,
        denominator=denominator,
        scope=scope,
        scope_label=scope_label,
        period=period,
        bears_on=bears_on,
        source=source,
        note=note,
    )


def period_label(first: dt.date, end: dt.date) -> str:
    """The days from ``first`` up to, not including, ``end``: ``"1946-2011"`` for whole
    years, else ``"2002-02-01 to 2012-01-31"``."""
    last = end - dt.timedelta(days=1)
    if last < first:
        return f"none (the data start on {first.isoformat()})"
    if (first.month, first.day) == (1, 1) and (last.month, last.day) == (12, 31):
        return str(first.year) if first.year == last.year else f"{first.year}-{last.year}"
    return f"{first.isoformat()} to {last.isoformat()}"


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (or earlier); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def as_known_then(cut: dt.date, what: str) -> str:
    """The sentence every figure's note carries about the case-start cut."""
    return (
        f"Only {what} before {cut.isoformat()}, when the case period starts, count: the view "
        "as it could be known then."
    )
