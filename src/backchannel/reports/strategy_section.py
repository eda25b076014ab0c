"""The brief's strategy sections: the decision summary, readiness, risks, plan and evidence.

Built from the strategy engine's JSON document, so the brief shows exactly what
``backchannel assess --format json`` says, plus two charts (the readiness bars and the risk
matrix) and the legal constraints drawn from the screening. In a redacted brief every
masked actor is shown by its label and every record id by an opaque one, in every text, as
on the actor map (``redaction.Disclosure``), and the case's own texts the strategy carries
(the negotiation's, the case's red lines, the mandate's objectives) are withheld
(``redaction.negotiation``): the JSON brief carries the document as it is.
"""

from __future__ import annotations

import base64
from typing import Any

from pydantic import BaseModel, ConfigDict

from backchannel.dialogue.strategy import Strategy
from backchannel.model.case import Case
from backchannel.redaction import Disclosure
from backchannel.redaction.negotiation import withheld_strategy
from backchannel.reports.legal_section import LegalSection
from backchannel.reports.readiness_chart import readiness_chart
from backchannel.reports.strategy_charts import risk_matrix_chart

#: Exposure levels that constrain what the engagement may include.
CONSTRAINING = ("prohibited", "licence_needed", "exposed")


class StrategySection(BaseModel):
    """What the brief shows of the strategy."""

    model_config = ConfigDict(frozen=True)

    document: dict[str, Any]
    #: Each planned activity's verdict in words ("meeting: permitted"), or empty.
    legal_split: list[str]
    legal_constraints: list[str]
    legal_disclaimer: str | None
    readiness_png_base64: str
    risk_matrix_png_base64: str
    #: The evidence figures pivoted: one row per question, one cell per scope.
    evidence_rows: list[dict[str, Any]] = []
    evidence_scopes: list[str] = []


def build_strategy_section(
    case: Case,
    strategy: Strategy,
    legal: LegalSection | None = None,
    *,
    redacted: bool = False,
    disclosure: Disclosure | None = None,
) -> StrategySection:
    """The section from a strategy; ``legal`` adds the constraints of the planned activities.

    A redacted section masks by ``disclosure`` (made from the whole case), or by one made
    from ``case``, and withholds the case's own texts the strategy carries.
    """
    document = (withheld_strategy(strategy) if redacted else strategy).as_dict()
    constraints = legal_constraints(legal, [c.id for c in strategy.counterparts], case)
    split = [v.text for v in strategy.recommendation.legal_split or []]
    if redacted:
        shown = disclosure or Disclosure.of(case)
        document, constraints, split = shown.redact((document, constraints, split))
    conditions = document["readiness"]["conditions"]
    return StrategySection(
        document=document,
        legal_split=split,
        legal_constraints=constraints,
        legal_disclaimer=legal.disclaimer if legal else None,
        readiness_png_base64=base64.b64encode(readiness_chart(conditions)).decode("ascii"),
        risk_matrix_png_base64=base64.b64encode(risk_matrix_chart(document["risks"])).decode(
            "ascii"
        ),
        evidence_rows=evidence_rows(document["evidence"]),
        evidence_scopes=[s for s in SCOPES if _has_scope(document["evidence"], s)],
    )


#: The evidence panel's scopes, widest first.
SCOPES = ("world", "region", "country", "counterpart")


def _has_scope(evidence: dict[str, Any] | None, scope: str) -> bool:
    return evidence is not None and any(f["scope"] == scope for f in evidence["figures"])


def evidence_rows(evidence: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One row per question of the evidence panel, with each scope's figure as text."""
    if not evidence:
        return []
    rows: dict[str, dict[str, Any]] = {}
    for figure in evidence["figures"]:
        row = rows.setdefault(
            figure["question"],
            {
                "question": figure["question"],
                "period": figure["period"],
                "source": f"{figure['source']['dataset']} {figure['source']['version']}",
                "cells": {},
                "notes": [],
            },
        )
        if figure["value"] is not None:
            text = f"{figure['value']:.0%} ({figure['numerator']} of {figure['denominator']})"
        else:
            text = f"no cases ({figure['numerator']} of {figure['denominator']})"
        row["cells"][figure["scope"]] = {"text": text, "label": figure.get("scope_label")}
        if figure.get("note") and figure["note"] not in row["notes"]:
            row["notes"].append(figure["note"])
    return list(rows.values())


def legal_constraints(legal: LegalSection | None, counterparts: list[str], case: Case) -> list[str]:
    """Plain sentences: who is designated, and which activities are restricted where."""
    if legal is None:
        return [
            "The counterparts have not been screened against designation lists: the legal "
            "constraints are unknown. Install the lists and screen before any contact."
        ]
    names = {a.id: a.name for a in case.actors}
    wanted = {names[c] for c in counterparts if c in names}
    sentences = []
    for actor in legal.actors:
        programmes = sorted({p for h in actor["hits"] for p in h["programmes"]})
        lists = sorted({h["list"] for h in actor["hits"]})
        role = "counterpart" if actor["name"] in wanted else "actor in the case"
        sentences.append(
            f"{actor['name']} ({role}) matches designation lists {', '.join(lists)}"
            + (f" (programmes {', '.join(programmes)})" if programmes else "")
            + "."
        )
        for activity, row in actor["matrix"].items():
            restricted = [
                f"{level.replace('_', ' ')} under {j}"
                for j, level in row.items()
                if level in CONSTRAINING
            ]
            if restricted:
                sentences.append(
                    f"{activity.replace('_', ' ').capitalize()} with {actor['name']}: "
                    + "; ".join(restricted)
                    + "."
                )
        if actor["obtain_first"]:
            sentences.append("Obtain first: " + " ".join(actor["obtain_first"]))
    if not legal.actors:
        sentences.append(
            "No actor of the case matches the designation lists screened "
            f"({', '.join(str(entry.get('list')) for entry in legal.lists)})."
        )
    return sentences
