"""Base rates from the UCDP Conflict Termination data: how fighting episodes ended, and how
often a conflict flared up again after a peace agreement or a ceasefire.

The termination files hold one row per active year. The row that closes an episode carries
its ``outcome`` and ``ependdate`` (the last day of fighting: UCDP closes an episode when a
calendar year passes with fewer than 25 battle deaths). ``recur`` marks the *first year of
a new episode* of a conflict that had fought before, so whether an ended episode recurred
is read forward: from the conflict's next active year after the end.

The dyad file's episode numbers are not always consistent (a few dyads close one numbered
episode twice), so a dyad's endings are counted as its rows with an outcome, one per end.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from backchannel.dialogue.evidence.figures import (
    Figure,
    add_years,
    as_known_then,
    period_label,
    share,
)
from backchannel.dialogue.evidence.scope import CaseScope, ucdp_scopes
from backchannel.dialogue.evidence.sources import source_of
from backchannel.model.vocabulary import Modality

__all__ = ["RECURRENCE_YEARS", "conflict_endings", "dyad_endings", "termination_figures"]

PEACE_AGREEMENT = 1
CEASEFIRE = 2
#: How long after an agreement or ceasefire a return to fighting counts as recurrence.
RECURRENCE_YEARS = 5


def dyad_endings(dyads: pd.DataFrame) -> pd.DataFrame:
    """The dyad-years that close an episode, with ``end`` (the last day of fighting, else
    31 December of the year when UCDP gives no date)."""
    return _endings(dyads)


def conflict_endings(conflicts: pd.DataFrame) -> pd.DataFrame:
    """The conflict-years that close an episode, with ``end`` as in ``dyad_endings`` and
    ``next_start``: when the conflict next reached 25 battle deaths (NaT if it has not)."""
    endings = _endings(conflicts)
    restarts = _episode_starts(conflicts)
    next_start = []
    for conflict_id, year in zip(endings["conflict_id"], endings["year"], strict=True):
        later = restarts.get(int(conflict_id), [])
        upcoming = [start for active_year, start in later if active_year > year]
        next_start.append(upcoming[0] if upcoming else pd.NaT)
    endings["next_start"] = pd.to_datetime(pd.Series(next_start, index=endings.index))
    return endings


def termination_figures(
    dyads: pd.DataFrame | None, conflicts: pd.DataFrame | None, scope: CaseScope
) -> list[Figure]:
    """The termination figures the installed files allow, at every scope matched."""
    figures: list[Figure] = []
    if dyads is not None:
        figures += _dyad_outcome_figures(dyads, scope)
    if conflicts is not None:
        figures += _recurrence_figures(conflicts, scope)
    return figures


def _dyad_outcome_figures(dyads: pd.DataFrame, scope: CaseScope) -> list[Figure]:
    endings = dyad_endings(dyads)
    first, horizon = _coverage(dyads, scope.cut)
    before = endings[endings["end"] < pd.Timestamp(horizon)]
    counterparts = scope.counterparts
    counterpart = (
        (before["dyad_id"].isin(counterparts.dyads), counterparts.label)
        if counterparts.dyads
        else None
    )
    scoped = ucdp_scopes(
        before, scope, world_label="all UCDP dyads worldwide", counterpart=counterpart
    )
    period = period_label(first, horizon)
    known = as_known_then(scope.cut, "episodes that ended")
    source = source_of("ucdp-termination")
    outcomes = (
        (
            PEACE_AGREEMENT,
            "termination.dyad_peace_agreement",
            "How often did a dyad's episode of fighting end in a peace agreement?",
            (Modality.POLITICAL,),
        ),
        (
            CEASEFIRE,
            "termination.dyad_ceasefire",
            "How often did a dyad's episode of fighting end in a ceasefire agreement?",
            (Modality.HUMANITARIAN, Modality.POLITICAL),
        ),
    )
    figures = []
    for outcome, metric, question, bears_on in outcomes:
        for scope_kind, label, rows in scoped:
            figures.append(
                share(
                    metric,
                    question,
                    rows["outcome"] == outcome,
                    scope=scope_kind,
                    scope_label=label,
                    period=period,
                    bears_on=bears_on,
                    source=source,
                    note=(
                        "Denominator: dyad episodes whose end UCDP coded (peace agreement, "
                        "ceasefire, victory for either side, low activity, or an actor "
                        f"ceasing to exist). {known} UCDP can code an end only once a "
                        "calendar year without 25 battle deaths has passed, so ends in the "
                        "last year before the case start are known with that hindsight."
                    ),
                    counted="dyad episodes ended",
                )
            )
    return figures


def _recurrence_figures(conflicts: pd.DataFrame, scope: CaseScope) -> list[Figure]:
    endings = conflict_endings(conflicts)
    first, horizon = _coverage(conflicts, scope.cut)
    # the whole follow-up window must lie before the cut, so that each episode counted was
    # watched for the full five years with what was known then
    latest_end = pd.Timestamp(add_years(horizon, -RECURRENCE_YEARS))
    settled = endings[
        endings["outcome"].isin([PEACE_AGREEMENT, CEASEFIRE]) & (endings["end"] < latest_end)
    ]
    window_ends = settled["end"].map(lambda end: pd.Timestamp(add_years(end, RECURRENCE_YEARS)))
    recurred = settled["next_start"].notna() & (settled["next_start"] <= window_ends)
    settled = settled.assign(recurred=recurred)
    counterparts = scope.counterparts
    counterpart = (
        (settled["conflict_id"].isin(counterparts.conflicts), counterparts.conflict_label)
        if counterparts.conflicts
        else None
    )
    scoped = ucdp_scopes(
        settled, scope, world_label="all UCDP conflicts worldwide", counterpart=counterpart
    )
    cut_text = latest_end.date().isoformat()
    note = (
        "Denominator: conflict episodes that ended in a peace agreement or a ceasefire "
        f"agreement. Recurred: the same conflict reached 25 battle deaths in a year again "
        f"within {RECURRENCE_YEARS} years of the end (read forward from the conflict's next "
        "active year; UCDP's recur field marks that new episode, not the one that ended). "
        f"Only episodes that ended before {cut_text}, {RECURRENCE_YEARS} years before the "
        f"case start {scope.cut.isoformat()}, count, so each was followed for the full "
        f"{RECURRENCE_YEARS} years with what could be known then."
    )
    period = period_label(first, latest_end.date())
    return [
        share(
            "termination.conflict_recurrence_after_settlement",
            "After a conflict episode ended in a peace agreement or a ceasefire, how often "
            f"did fighting resume within {RECURRENCE_YEARS} years?",
            rows["recurred"],
            scope=scope_kind,
            scope_label=label,
            period=period,
            bears_on=(Modality.POLITICAL, Modality.HUMANITARIAN),
            source=source_of("ucdp-termination"),
            note=note,
            counted="conflict episodes ended in an agreement or ceasefire",
        )
        for scope_kind, label, rows in scoped
    ]


def _endings(frame: pd.DataFrame) -> pd.DataFrame:
    endings = frame[frame["outcome"].notna()].copy()
    year_ends = pd.to_datetime(endings["year"].map(lambda year: f"{int(year)}-12-31"))
    endings["end"] = endings["ependdate"].fillna(year_ends)
    endings["outcome"] = endings["outcome"].astype(int)
    return endings


def _episode_starts(conflicts: pd.DataFrame) -> dict[int, list[tuple[int, pd.Timestamp]]]:
    """Per conflict, each active year with the day the episode active then started (its
    ``start_date2`` when it falls in that year, else 1 January), in year order."""
    starts: dict[int, list[tuple[int, pd.Timestamp]]] = {}
    ordered = conflicts.sort_values(["conflict_id", "year"])
    for conflict_id, year, started in zip(
        ordered["conflict_id"], ordered["year"], ordered["start_date2"], strict=True
    ):
        day = started if pd.notna(started) and started.year == year else pd.Timestamp(year, 1, 1)
        starts.setdefault(int(conflict_id), []).append((int(year), day))
    return starts


def _coverage(frame: pd.DataFrame, cut: dt.date) -> tuple[dt.date, dt.date]:
    """The data's first day and the day before which rows count: the cut, or the day after
    the data's last year when the case starts later."""
    first = dt.date(int(frame["year"].min()), 1, 1)
    after_data = dt.date(int(frame["year"].max()) + 1, 1, 1)
    return first, min(cut, after_data)
