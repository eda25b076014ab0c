"""Base rates from PA-X: how many of the agreements signed in the decade before the case
were pre-negotiation (process) agreements, and how many ceasefires.

PA-X codes each agreement's stage (``Stage``): ``Pre`` for pre-negotiation and process
agreements (talks about talks, agendas, confidence-building), ``Cea`` for ceasefires and
related agreements, and substantive, implementation, renewal and other stages. A high share
of ``Pre`` agreements says that a place's processes spent long in talks about talks; many
``Cea`` agreements, that ceasefires were repeatedly negotiated (and often renewed).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from backchannel.dialogue.evidence.figures import (
    Figure,
    Scope,
    add_years,
    as_known_then,
    period_label,
    share,
)
from backchannel.dialogue.evidence.scope import CaseScope, contains_any
from backchannel.dialogue.evidence.sources import source_of
from backchannel.model.vocabulary import Modality

__all__ = ["WINDOW_YEARS", "pax_figures"]

#: How many years before the case start the PA-X figures look back.
WINDOW_YEARS = 10

_STAGES = (
    (
        "Pre",
        "pax.pre_negotiation",
        "Of the agreements signed in the decade before the case, what share were "
        "pre-negotiation or process agreements?",
        (Modality.PREPARATORY, Modality.POLITICAL),
        "pre-negotiation or process agreements (PA-X stage 'Pre')",
    ),
    (
        "Cea",
        "pax.ceasefire",
        "Of the agreements signed in the decade before the case, what share were ceasefires "
        "or related agreements?",
        (Modality.HUMANITARIAN, Modality.POLITICAL),
        "ceasefires and related agreements (PA-X stage 'Cea')",
    ),
)


def pax_figures(pax: pd.DataFrame, scope: CaseScope) -> list[Figure]:
    """The PA-X stage figures for the decade before the case start, at every scope matched."""
    first_signed = pax["Dat"].min().date()
    start = add_years(scope.cut, -WINDOW_YEARS)
    end = min(scope.cut, dt.date(pax["Dat"].max().year + 1, 1, 1))
    window = pax[(pax["Dat"] >= pd.Timestamp(start)) & (pax["Dat"] < pd.Timestamp(end))]
    period = period_label(max(start, first_signed), end)
    coverage = (
        f" PA-X starts in {first_signed.year}, so the window is shorter than {WINDOW_YEARS} years."
        if first_signed > start
        else ""
    )
    known = as_known_then(scope.cut, "agreements signed")
    figures = []
    for stage, metric, question, bears_on, stage_words in _STAGES:
        for scope_kind, label, rows in _scoped(window, scope):
            figures.append(
                share(
                    metric,
                    question,
                    rows["Stage"] == stage,
                    scope=scope_kind,
                    scope_label=label,
                    period=period,
                    bears_on=bears_on,
                    source=source_of("pax"),
                    note=(
                        f"Numerator (the count): {stage_words}. Denominator: all PA-X "
                        f"agreements signed in the {WINDOW_YEARS} years before the case "
                        f"start.{coverage} {known}"
                    ),
                    counted="agreements signed",
                )
            )
    return figures


def _scoped(window: pd.DataFrame, scope: CaseScope) -> list[tuple[Scope, str, pd.DataFrame]]:
    """The window's agreements at each scope: the country's are those located there (first
    or second location), the region's those PA-X files under the country's region, the
    counterpart's those PA-X links to the counterparts' UCDP conflicts."""
    scoped = [(Scope.WORLD, "all PA-X agreements worldwide", window)]
    if scope.pax_region is not None:
        in_region = window["Reg"] == scope.pax_region
        scoped.append((Scope.REGION, f"{scope.pax_region} (PA-X region)", window[in_region]))
    in_country = (window["Loc1ISO"] == scope.iso3) | (window["Loc2ISO"] == scope.iso3)
    scoped.append((Scope.COUNTRY, scope.country_name, window[in_country]))
    conflicts = scope.counterparts.conflicts
    if conflicts:
        linked = contains_any(window["UcdpCon"].map(lambda ids: ids or ()), conflicts)
        label = f"agreements in {scope.counterparts.conflict_label}"
        scoped.append((Scope.COUNTERPART, label, window[linked]))
    return scoped
