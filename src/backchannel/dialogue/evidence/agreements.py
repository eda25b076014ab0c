"""Base rates from the UCDP Peace Agreement data: what agreements held, how often they
ceased to hold, and how often fighting stopped after one was signed.

UCDP's ``ended`` column says that the *agreement* ended (was abandoned, broken or
superseded, on the date in ``duration``), not that the conflict did: the FARC talks'
agreements of 1999-2002 are marked ended while the war went on. Whether fighting stopped
after an agreement is therefore read from the Conflict Termination data: an episode of
the agreement's conflict ending in the signing year or within a year after signing.
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
from backchannel.dialogue.evidence.scope import CaseScope, contains_any, ucdp_scopes
from backchannel.dialogue.evidence.sources import source_of
from backchannel.dialogue.evidence.termination import conflict_endings
from backchannel.model.vocabulary import Modality

__all__ = ["agreement_figures"]

_WORLD = "all UCDP peace agreements worldwide"
_DATA_START = dt.date(1975, 1, 1)  # the data set covers agreements from 1975


def agreement_figures(
    agreements: pd.DataFrame, conflicts: pd.DataFrame | None, scope: CaseScope
) -> list[Figure]:
    """The peace agreement figures, at every scope matched; the figure on fighting after
    agreements only when the termination conflict file is given too."""
    horizon = min(scope.cut, _after_last_year(agreements["pa_date"]))
    signed = agreements[agreements["pa_date"] < pd.Timestamp(horizon)].copy()
    # an agreement counts as ended only if it ended before the cut (later ends were not
    # known then); the few ends UCDP left undated cannot be placed, so they do not count
    marked_ended = signed["ended"].map(lambda ended: ended is True).astype(bool)
    signed["ended_by_cut"] = marked_ended & (signed["duration"] < pd.Timestamp(scope.cut))
    period = period_label(_DATA_START, horizon)
    known = as_known_then(scope.cut, "agreements signed")
    source = source_of("ucdp-peace-agreements")
    scoped = _scoped(signed, scope)
    figures = [
        share(
            "agreements.ceasefire_provision",
            "How often did a peace agreement include a ceasefire provision?",
            rows["cease"].astype(bool),
            scope=scope_kind,
            scope_label=label,
            period=period,
            bears_on=(Modality.HUMANITARIAN, Modality.POLITICAL),
            source=source,
            note=f"Denominator: UCDP peace agreements signed. {known}",
            counted="agreements signed",
        )
        for scope_kind, label, rows in scoped
    ]
    figures += [
        share(
            "agreements.ceased_to_hold",
            "How often had a signed peace agreement ceased to hold (abandoned, broken or "
            "superseded) by the case start?",
            rows["ended_by_cut"],
            scope=scope_kind,
            scope_label=label,
            period=period,
            bears_on=(Modality.POLITICAL,),
            source=source,
            note=(
                "Denominator: UCDP peace agreements signed. Numerator: those UCDP marks as "
                "ended, with the date they ended before the case start (UCDP's 'ended' is "
                f"the agreement's end, not the conflict's). {known}"
            ),
            counted="agreements signed",
        )
        for scope_kind, label, rows in scoped
    ]
    if conflicts is not None:
        figures += _fighting_stopped_figures(agreements, conflicts, scope)
    return figures


def _fighting_stopped_figures(
    agreements: pd.DataFrame, conflicts: pd.DataFrame, scope: CaseScope
) -> list[Figure]:
    endings = conflict_endings(conflicts)
    horizon = min(
        scope.cut,
        _after_last_year(agreements["pa_date"]),
        dt.date(int(conflicts["year"].max()) + 1, 1, 1),
    )
    # the year after signing must have passed before the cut to know whether fighting went on
    latest_signing = pd.Timestamp(add_years(horizon, -1))
    signed = agreements[agreements["pa_date"] < latest_signing].copy()
    ends_by_conflict: dict[int, list[pd.Timestamp]] = {}
    for conflict_id, end in zip(endings["conflict_id"], endings["end"], strict=True):
        ends_by_conflict.setdefault(int(conflict_id), []).append(end)
    stopped = []
    for conflict_ids, signed_on in zip(signed["conflict_id"], signed["pa_date"], strict=True):
        window_start = pd.Timestamp(signed_on.year, 1, 1)
        window_end = pd.Timestamp(add_years(signed_on.date(), 1))
        stopped.append(
            any(
                window_start <= end <= window_end
                for conflict_id in conflict_ids
                for end in ends_by_conflict.get(int(conflict_id), [])
            )
        )
    signed["fighting_stopped"] = pd.Series(stopped, index=signed.index, dtype=bool)
    note = (
        "Denominator: UCDP peace agreements signed. Numerator: those after which an episode "
        "of the agreement's conflict ended (fewer than 25 battle deaths in the following "
        "calendar year, per the UCDP Conflict Termination data v3-2021), the episode's "
        "last day of fighting falling in the signing year or within a year after signing. "
        f"Only agreements signed before {latest_signing.date().isoformat()}, a year before "
        f"the case start {scope.cut.isoformat()}, count, so the year after each was known then."
    )
    return [
        share(
            "agreements.fighting_stopped_within_a_year",
            "After a peace agreement was signed, how often did the fighting in its conflict "
            "stop within a year?",
            rows["fighting_stopped"],
            scope=scope_kind,
            scope_label=label,
            period=period_label(_DATA_START, latest_signing.date()),
            bears_on=(Modality.POLITICAL,),
            source=source_of("ucdp-peace-agreements"),
            note=note,
            counted="agreements signed",
        )
        for scope_kind, label, rows in _scoped(signed, scope)
    ]


def _scoped(rows: pd.DataFrame, scope: CaseScope) -> list[tuple[Scope, str, pd.DataFrame]]:
    """The agreements at each scope; the counterpart's are those of its dyads or signed by
    (or naming) its UCDP actor."""
    counterparts = scope.counterparts
    counterpart = None
    if counterparts.dyads:
        mask = contains_any(rows["dyad_id"], counterparts.dyads) | contains_any(
            rows["actor_id"], counterparts.ucdp_ids
        )
        counterpart = (mask, f"agreements of the {counterparts.label}")
    return ucdp_scopes(rows, scope, world_label=_WORLD, gw_column="gwno", counterpart=counterpart)


def _after_last_year(dates: pd.Series) -> dt.date:
    """The first day after the last year the data cover."""
    return dt.date(int(dates.max().year) + 1, 1, 1)
