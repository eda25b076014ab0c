"""What research finds on mediation: the USHMM evidence review's mediation factors, by how
strongly the findings support them, each linked to the dialogue condition it bears on.

The review counts, per factor, the research findings that associate it with greater
success, with lesser success, and with no or mixed effect, and scores it by a vote count;
``research_qualitative_for_web`` is its own word for the strength of the evidence.
Which condition a factor bears on is our reading, kept as data in
``data/rules/ushmm_mediation.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from backchannel.errors import Problem
from backchannel.rulefiles.yaml_source import read_rule_file

__all__ = [
    "CONDITION_IDS",
    "MEDIATION_TOOL",
    "FactorMapping",
    "MediationFactor",
    "load_mediation_mapping",
    "mediation_factors",
]

MEDIATION_TOOL = "Mediation"
PACKAGED_MAPPING = "data/rules/ushmm_mediation.yaml"

#: The dialogue conditions (``data/rules/conditions.yaml``) a factor may be mapped to.
CONDITION_IDS: frozenset[str] = frozenset(
    {
        "cohesion", "interest_in_talks", "legitimacy", "access_channel", "trust", "leverage",
        "spoilers", "security", "legal_clearance", "third_party_support", "mandate",
        "expertise", "impartiality", "red_lines", "exit_strategy", "resources", "discretion",
    }
)  # fmt: skip


@dataclass(frozen=True)
class FactorMapping:
    """One factor's condition and our one-line reading of why it bears on it."""

    factor: str
    condition: str
    note: str


@dataclass(frozen=True)
class MediationFactor:
    """One mediation factor with its research findings and vote count."""

    factor: str
    finding_count: int
    greater: int
    lesser: int
    no_mixed: int
    vote_count: float
    strength: str
    condition: str | None
    description: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, keys as the panel's document names them."""
        return {
            "factor": self.factor,
            "finding_count": self.finding_count,
            "greater": self.greater,
            "lesser": self.lesser,
            "no_mixed": self.no_mixed,
            "vote_count": self.vote_count,
            "strength": self.strength,
            "condition": self.condition,
            "description": self.description,
        }


def load_mediation_mapping(path: str | Path | None = None) -> dict[str, FactorMapping]:
    """Read and check the factor → condition mapping (default: the packaged file).

    Raises ``InvalidInputError`` naming the file and each entry, with its line, that lacks
    a factor, a known condition or a note, or repeats a factor.
    """
    document = read_rule_file(path, PACKAGED_MAPPING)
    data = document.data
    entries = data.get("factors") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        document.refuse([Problem("factors", "expected a list of factors")])
    problems: list[Problem] = []
    mapping: dict[str, FactorMapping] = {}
    for index, entry in enumerate(entries):
        where = f"factors[{index}]"
        if not isinstance(entry, dict):
            problems.append(Problem(where, "expected a mapping with factor, condition, note"))
            continue
        empty = [k for k in ("factor", "condition", "note") if not str(entry.get(k) or "").strip()]
        if empty:
            problems.append(Problem(where, f"missing or empty: {', '.join(empty)}"))
            continue
        factor, condition = str(entry["factor"]), str(entry["condition"])
        if condition not in CONDITION_IDS:
            valid = ", ".join(sorted(CONDITION_IDS))
            message = f"{condition!r} is not a dialogue condition; expected one of {valid}"
            problems.append(Problem(f"{where}.condition", message))
        elif factor in mapping:
            problems.append(Problem(f"{where}.factor", f"{factor!r} is mapped twice"))
        else:
            mapping[factor] = FactorMapping(factor, condition, str(entry["note"]).strip())
    if problems:
        document.refuse(problems)
    return mapping


def mediation_factors(
    factors: pd.DataFrame, mapping: Mapping[str, FactorMapping]
) -> tuple[list[MediationFactor], list[str]]:
    """The mediation factors, strongest vote count first (then most findings, then name),
    and notes on mapped factors the file does not hold and factors without counts."""
    mediation = factors[factors["tool_name"] == MEDIATION_TOOL]
    notes: list[str] = []
    result: list[MediationFactor] = []
    for values in mediation.to_dict("records"):
        name = values["Name.Final_research"]
        counted = ("count", "greater_findings", "lesser_findings", "vote_count_factor")
        if name is None or any(values[c] is None for c in counted):
            notes.append(
                f"A USHMM mediation factor on row {values['row']} lacks its name or its "
                "counts and is left out."
            )
            continue
        result.append(
            MediationFactor(
                factor=name,
                finding_count=int(values["count"]),
                greater=int(values["greater_findings"]),
                lesser=int(values["lesser_findings"]),
                no_mixed=int(values["no_mixed_findings"] or 0),
                vote_count=float(values["vote_count_factor"]),
                strength=values["research_qualitative_for_web"] or "",
                condition=mapping[name].condition if name in mapping else None,
                description=values["Description.Final_research"] or "",
            )
        )
    result.sort(key=lambda f: (-f.vote_count, -f.finding_count, f.factor))
    unmatched = sorted(set(mapping) - {f.factor for f in result})
    if unmatched:
        notes.append(
            "The condition mapping names mediation factors the USHMM file does not hold: "
            + "; ".join(unmatched)
        )
    return result, notes
