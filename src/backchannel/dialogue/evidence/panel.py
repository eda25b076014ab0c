"""The evidence panel of a case: base rates from real outcomes, each with its source and
denominator, and what research finds on mediation.

``build_evidence_panel`` reads whichever files are installed, matches the case to them
(its counterparts' UCDP dyads, its country, its region) and computes every figure from
what ended or was signed before the case period started: an out-of-sample view, as the
situation could have been known then. A data set not installed is named in ``missing``
with what it would add; a figure that cannot be matched to the case is explained in
``notes``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pandas as pd

from backchannel.dialogue.evidence.agreements import agreement_figures
from backchannel.dialogue.evidence.figures import Figure
from backchannel.dialogue.evidence.pax import pax_figures
from backchannel.dialogue.evidence.readers import (
    read_dyadic_frame,
    read_pax,
    read_peace_agreements,
    read_termination_conflicts,
    read_termination_dyads,
    read_ushmm_factors,
)
from backchannel.dialogue.evidence.scope import resolve_counterparts, resolve_scope
from backchannel.dialogue.evidence.sources import source_of
from backchannel.dialogue.evidence.termination import termination_figures
from backchannel.dialogue.evidence.ushmm import (
    FactorMapping,
    MediationFactor,
    load_mediation_mapping,
    mediation_factors,
)
from backchannel.model.case import Case

__all__ = ["EvidencePanel", "EvidenceSources", "build_evidence_panel"]

#: Per file: the data set it belongs to and what the panel loses without it.
_WHAT_EACH_GIVES: dict[str, tuple[str, str]] = {
    "termination_dyad": (
        "ucdp-termination",
        "how often dyad episodes ended in a peace agreement or a ceasefire (dyad file)",
    ),
    "termination_conflict": (
        "ucdp-termination",
        "how often conflicts resumed within five years of a peace agreement or ceasefire, "
        "and whether fighting stopped after agreements (conflict file)",
    ),
    "peace_agreements": (
        "ucdp-peace-agreements",
        "how often agreements held ceasefire provisions, ceased to hold, or were followed "
        "by an end of fighting",
    ),
    "dyadic": (
        "ucdp-dyadic",
        "the dyads the counterparts fought in (the termination dyad file's own sides are "
        "used without it)",
    ),
    "pax": (
        "pax",
        "the shares of pre-negotiation and ceasefire agreements in the decade before the case",
    ),
    "ushmm_factors": (
        "ushmm-tools",
        "the mediation factors research supports, by vote count, with the conditions they bear on",
    ),
}


@dataclass(frozen=True)
class EvidenceSources:
    """Paths of the installed files; any may be ``None`` (not installed)."""

    termination_dyad: Path | None = None
    termination_conflict: Path | None = None
    peace_agreements: Path | None = None
    dyadic: Path | None = None
    pax: Path | None = None
    ushmm_factors: Path | None = None

    def missing(self) -> list[str]:
        """``"dataset id: what it would give"`` for every file not given."""
        return [
            "{}: {}".format(*_WHAT_EACH_GIVES[f.name])
            for f in fields(self)
            if getattr(self, f.name) is None
        ]


@dataclass(frozen=True)
class EvidencePanel:
    """The figures, the mediation factors, what is missing, and notes on the matching."""

    figures: tuple[Figure, ...]
    mediation_factors: tuple[MediationFactor, ...]
    missing: tuple[str, ...]
    notes: tuple[str, ...]

    def figure(self, figure_id: str) -> Figure:
        """One figure by id (``"termination.dyad_peace_agreement.world"``)."""
        for figure in self.figures:
            if figure.id == figure_id:
                return figure
        raise KeyError(figure_id)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``figures``, ``mediation_factors``, ``missing`` and ``notes``."""
        return {
            "figures": [f.as_dict() for f in self.figures],
            "mediation_factors": [m.as_dict() for m in self.mediation_factors],
            "missing": list(self.missing),
            "notes": list(self.notes),
        }


def build_evidence_panel(
    case: Case,
    sources: EvidenceSources,
    *,
    counterparts: Sequence[str] = (),
    mapping: dict[str, FactorMapping] | None = None,
) -> EvidencePanel:
    """The evidence panel of ``case`` from the files in ``sources``.

    ``counterparts`` are ids of case actors; their ``ucdp_actor_id`` finds their dyads and
    conflicts. ``mapping`` overrides the packaged USHMM factor → condition mapping. Raises
    ``NotFoundError`` for a counterpart that is not an actor of the case and
    ``InvalidInputError`` (naming file, row and column) for a file that breaks its layout.
    """
    dyads = _read(read_termination_dyads, sources.termination_dyad)
    conflicts = _read(read_termination_conflicts, sources.termination_conflict)
    agreements = _read(read_peace_agreements, sources.peace_agreements)
    dyadic = _read(read_dyadic_frame, sources.dyadic)
    pax = _read(read_pax, sources.pax)
    factors = _read(read_ushmm_factors, sources.ushmm_factors)

    dyad_tables = [t for t in (dyadic, dyads) if t is not None]
    matched, notes = resolve_counterparts(case, counterparts, dyad_tables)
    located = [t for t in (dyads, conflicts) if t is not None]
    scope, scope_notes = resolve_scope(case, matched, located_tables=located, pax=pax)
    notes += scope_notes

    figures: list[Figure] = termination_figures(dyads, conflicts, scope)
    if agreements is not None:
        figures += agreement_figures(agreements, conflicts, scope)
    if pax is not None:
        figures += pax_figures(pax, scope)
    notes += _unmatched_scopes(figures)

    factor_list: list[MediationFactor] = []
    if factors is not None:
        factor_list, factor_notes = mediation_factors(factors, mapping or load_mediation_mapping())
        notes += factor_notes
        ushmm = source_of("ushmm-tools")
        notes.append(
            f"Mediation factors: {ushmm.title}, {ushmm.version}; {ushmm.citation} Each "
            "factor's finding count is its denominator: the research findings that associate "
            "it with greater success, lesser success, or no or mixed effect."
        )
    return EvidencePanel(
        figures=tuple(figures),
        mediation_factors=tuple(factor_list),
        missing=tuple(sources.missing()),
        notes=tuple(notes),
    )


def _read(reader: Callable[[str | Path], pd.DataFrame], path: Path | None) -> pd.DataFrame | None:
    return None if path is None else reader(path)


def _unmatched_scopes(figures: Sequence[Figure]) -> list[str]:
    """A note per scope narrower than the world at which some figures have no match."""
    scopes_by_metric: dict[str, set[str]] = {}
    for figure in figures:
        metric = figure.id.rsplit(".", 1)[0]
        scopes_by_metric.setdefault(metric, set()).add(figure.scope.value)
    notes = []
    for scope in ("region", "country", "counterpart"):
        unmatched = [m for m, scopes in scopes_by_metric.items() if scope not in scopes]
        if unmatched:
            notes.append(f"Not matched to the case at {scope} scope: {', '.join(unmatched)}.")
    return notes
