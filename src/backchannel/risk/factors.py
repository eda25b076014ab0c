"""Roll-up of analysts' framework judgements into the 14 risk factors.

A judgement concerns a factor when its subject is ``framework:<factor id>`` or
``framework:<indicator id>`` (e.g. ``framework:rf8`` or ``framework:rf8.3``) and its finding
begins with ``present``, ``absent`` or ``unknown``. The roll-up rule, stated once:

1. only judgements dated on or before the assessment date count;
2. for each indicator (or the factor as a whole) and each analyst, the latest judgement wins;
3. a factor is ``present`` if any of its latest judgements says present, ``absent`` if all
   say absent, and ``not_assessed`` when none exists; otherwise ``unknown``;
4. its severity is the highest severity among the present judgements.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from backchannel.model.case import Judgement
from backchannel.risk.framework import Framework

FINDINGS = ("present", "absent", "unknown")
TRIGGERING_FACTOR = "rf8"
COMMON_FACTORS_FOR_TRIGGER = 4


@dataclass(frozen=True)
class FactorRollUp:
    """One factor's status from the judgements on it."""

    id: str
    number: int
    name: str
    category: str
    status: str
    severity: int | None
    judgements: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def _finding(judgement: Judgement) -> str | None:
    word = judgement.finding.strip().split()[0].lower().strip(".,:;") if judgement.finding else ""
    return word if word in FINDINGS else None


def roll_up(
    framework: Framework, judgements: list[Judgement], as_of: dt.date | None = None
) -> list[FactorRollUp]:
    """The 14 factors, each with its status, severity and the judgement ids behind it."""
    latest: dict[tuple[str, str], Judgement] = {}
    for judgement in judgements:
        if not judgement.subject.startswith("framework:") or _finding(judgement) is None:
            continue
        if as_of is not None and judgement.at.date() > as_of:
            continue
        key = (judgement.subject, judgement.analyst)
        if key not in latest or judgement.at > latest[key].at:
            latest[key] = judgement
    rolled = []
    for factor in framework:
        own = [
            j
            for (subject, _), j in latest.items()
            if subject.removeprefix("framework:").split(".")[0] == factor.id
        ]
        findings = [_finding(j) for j in own]
        if not own:
            status = "not_assessed"
        elif "present" in findings:
            status = "present"
        elif all(f == "absent" for f in findings):
            status = "absent"
        else:
            status = "unknown"
        severities = [
            j.severity for j in own if _finding(j) == "present" and j.severity is not None
        ]
        rolled.append(
            FactorRollUp(
                id=factor.id,
                number=factor.number,
                name=factor.name,
                category=factor.category,
                status=status,
                severity=max(severities) if severities else None,
                judgements=sorted(j.id for j in own),
            )
        )
    return rolled


def framework_measures(rolled: list[FactorRollUp]) -> dict[str, float | None]:
    """The measures the stage rules read from the roll-up (none when nothing was assessed)."""
    if all(f.status == "not_assessed" for f in rolled):
        return {}
    present = {f.id for f in rolled if f.status == "present"}
    common_present = {f.id for f in rolled if f.category == "common" and f.id in present}
    trigger = TRIGGERING_FACTOR in present and len(common_present - {TRIGGERING_FACTOR}) >= (
        COMMON_FACTORS_FOR_TRIGGER
    )
    return {
        "framework_factors_present": float(len(present)),
        "framework_trigger_with_factors": 1.0 if trigger else 0.0,
    }
