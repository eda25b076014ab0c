"""A threshold on one named measure, as rule files write it: ``{measure, at_least, at_most}``.

Stage rules and pre-fill rules both read measures this way; a measure that is missing
(``None``) never meets a threshold, so a source without data cannot fire a rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backchannel.errors import Problem


@dataclass(frozen=True)
class Threshold:
    """``measure`` must be at least ``at_least`` and at most ``at_most`` (either may be open)."""

    measure: str
    at_least: float | None = None
    at_most: float | None = None

    def met(self, measures: dict[str, float | None]) -> bool:
        """Whether the measure is known and within the bounds."""
        value = measures.get(self.measure)
        if value is None:
            return False
        if self.at_least is not None and value < self.at_least:
            return False
        return not (self.at_most is not None and value > self.at_most)


def parse_threshold(entry: Any, where: str, problems: list[Problem]) -> Threshold | None:
    """The threshold written at ``where``, or ``None`` with the problems appended."""
    if not isinstance(entry, dict) or not isinstance(entry.get("measure"), str):
        problems.append(Problem(where, "expected {measure: NAME, at_least: X and/or at_most: Y}"))
        return None
    bounds: dict[str, float | None] = {}
    for key in ("at_least", "at_most"):
        value = entry.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            problems.append(Problem(f"{where}.{key}", f"expected a number, got {value!r}"))
            return None
        bounds[key] = None if value is None else float(value)
    if bounds["at_least"] is None and bounds["at_most"] is None:
        problems.append(Problem(where, "give at_least, at_most or both"))
        return None
    unknown = set(entry) - {"measure", "at_least", "at_most"}
    if unknown:
        problems.append(Problem(where, f"unknown keys {sorted(unknown)}"))
        return None
    return Threshold(entry["measure"], bounds["at_least"], bounds["at_most"])
