"""Readers of the evidence panel's data files, each into a validated pandas frame.

One function per file: UCDP Conflict Termination (dyad and conflict episodes, v3-2021),
UCDP Peace Agreements (22.1), the UCDP dyadic data set (25.1, through the event package's
reader), PA-X (v6) and the USHMM Tools for Atrocity Prevention factors (April 2025).
Each reads only the columns the panel uses, parses every cell it keeps, and raises one
``InvalidInputError`` naming the file and each bad cell's row, column and expectation.

Reads are cached per file path, modification time and size, so building panels for many
cases reads each file once; every call gets its own copy of the frame.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from backchannel.dialogue.evidence.cells import (
    flag,
    id_list,
    iso3,
    number,
    one_of,
    optional,
    some_date,
    text,
    whole,
)
from backchannel.dialogue.evidence.tables import (
    Column,
    read_csv_table,
    read_xlsx_table,
    typed_frame,
)
from backchannel.errors import InvalidInputError, Problem
from backchannel.events.ucdp_dyadic import read_dyadic

__all__ = [
    "PAX_STAGES",
    "TERMINATION_OUTCOMES",
    "read_dyadic_frame",
    "read_pax",
    "read_peace_agreements",
    "read_termination_conflicts",
    "read_termination_dyads",
    "read_ushmm_factors",
]

#: UCDP Conflict Termination outcome codes (Kreutz 2010; codebook v3-2021).
TERMINATION_OUTCOMES: dict[int, str] = {
    1: "peace agreement",
    2: "ceasefire agreement",
    3: "victory for the government side",
    4: "victory for the rebel side",
    5: "low activity (below 25 battle deaths a year)",
    6: "actor ceased to exist",
}

#: PA-X agreement stages (PA-X codebook v6, ``Stage``).
PAX_STAGES: dict[str, str] = {
    "Pre": "pre-negotiation or process agreement",
    "SubPar": "substantive agreement, partial",
    "SubComp": "substantive agreement, comprehensive",
    "Cea": "ceasefire or related agreement",
    "Imp": "implementation or renegotiation agreement",
    "Ren": "renewal agreement",
    "Oth": "other",
}

_OUTCOME = optional(one_of(TERMINATION_OUTCOMES.keys(), whole))
_DATE = optional(some_date)

# UCDP's Stata exports write "." for a missing date; the R exports of PA-X and USHMM "NA".
_UCDP_MISSING = (".",)
_R_MISSING = ("NA",)

_TERMINATION_DYAD_COLUMNS = (
    Column("dyad_id", whole),
    Column("conflict_id", whole),
    Column("dyadepisode", whole),
    Column("year", whole),
    Column("outcome", _OUTCOME),
    Column("ependdate", _DATE),
    Column("location", text),
    Column("side_a", text),
    Column("side_a_id", id_list),
    Column("side_b", text),
    Column("side_b_id", id_list),
    Column("gwno_loc", id_list),
    Column("region", id_list),
    Column("start_date2", _DATE),
)
_TERMINATION_CONFLICT_COLUMNS = (
    Column("conflict_id", whole),
    Column("conflictepisode", whole),
    Column("year", whole),
    Column("outcome", _OUTCOME),
    Column("ependdate", _DATE),
    Column("location", text),
    Column("side_a", text),
    Column("side_b", text),
    Column("gwno_loc", id_list),
    Column("region", id_list),
    Column("start_date2", _DATE),
)
_PEACE_AGREEMENT_COLUMNS = (
    Column("paid", whole),
    Column("region", id_list),
    Column("gwno", id_list),
    Column("conflict_id", id_list),
    Column("dyad_id", id_list),
    Column("actor_id", id_list),
    Column("pa_name", text),
    Column("pa_date", some_date),
    Column("ended", optional(flag)),
    Column("duration", _DATE),
    Column("cease", flag),
)
_PAX_COLUMNS = (
    Column("AgtId", whole),
    Column("Agt", text),
    Column("Con", text),
    Column("Reg", text),
    Column("Dat", some_date),
    Column("Stage", one_of(PAX_STAGES.keys(), text)),
    Column("StageSub", optional(text)),
    Column("Loc1ISO", optional(iso3)),
    Column("Loc2ISO", optional(iso3)),
    Column("Loc1GWNO", optional(whole)),
    Column("Loc2GWNO", optional(whole)),
    Column("UcdpCon", optional(id_list)),
)
_USHMM_COLUMNS = (
    Column("Name.Final_research", optional(text)),
    Column("tool_name", text),
    Column("count", optional(whole)),
    Column("greater_findings", optional(whole)),
    Column("lesser_findings", optional(whole)),
    Column("no_mixed_findings", optional(whole)),
    Column("vote_count_factor", optional(number)),
    Column("research_qualitative_for_web", optional(text)),
    Column("Description.Final_research", optional(text)),
    Column("Family", optional(text), optional=True),
    Column("Contextual.or.design.factor", optional(text), optional=True),
)


def _cached(
    read: Callable[[str], pd.DataFrame],
) -> Callable[[str | Path], pd.DataFrame]:
    """``read`` with its result kept per (path, modification time, size)."""

    @functools.lru_cache(maxsize=8)
    def read_stamped(path: str, _mtime_ns: int, _size: int) -> pd.DataFrame:
        return read(path)

    @functools.wraps(read)
    def read_file(path: str | Path) -> pd.DataFrame:
        try:
            stat = os.stat(path)
        except OSError as error:
            problem = Problem("", f"cannot read the file: {error.strerror or error}")
            raise InvalidInputError(str(path), [problem]) from None
        # a copy per call: callers may add columns without touching the cached frame
        return read_stamped(str(path), stat.st_mtime_ns, stat.st_size).copy()

    return read_file


def _datetimes(frame: pd.DataFrame, *names: str) -> pd.DataFrame:
    """The named columns of ``datetime.date`` (or ``None``) as datetime64 (or NaT)."""
    for name in names:
        frame[name] = pd.to_datetime(frame[name].astype(object)).astype("datetime64[ns]")
    return frame


@_cached
def read_termination_dyads(path: str) -> pd.DataFrame:
    """UCDP Conflict Termination, dyad level (v3-2021): one row per active dyad-year.

    A row with an ``outcome`` closes an episode (``ependdate`` = its last day of fighting);
    ``start_date2`` is the date the row's episode started. Dates are datetime64.
    """
    table = read_xlsx_table(path, _TERMINATION_DYAD_COLUMNS)
    frame = typed_frame(
        table,
        _TERMINATION_DYAD_COLUMNS,
        what="UCDP Conflict Termination dyad file",
        missing=_UCDP_MISSING,
    )
    return _datetimes(frame, "ependdate", "start_date2")


@_cached
def read_termination_conflicts(path: str) -> pd.DataFrame:
    """UCDP Conflict Termination, conflict level (v3-2021): one row per active conflict-year,
    read as ``read_termination_dyads`` reads the dyad level."""
    table = read_xlsx_table(path, _TERMINATION_CONFLICT_COLUMNS)
    frame = typed_frame(
        table,
        _TERMINATION_CONFLICT_COLUMNS,
        what="UCDP Conflict Termination conflict file",
        missing=_UCDP_MISSING,
    )
    return _datetimes(frame, "ependdate", "start_date2")


@_cached
def read_peace_agreements(path: str) -> pd.DataFrame:
    """UCDP Peace Agreement data set (22.1): one row per agreement.

    ``ended`` is UCDP's mark that the *agreement* ended (was abandoned, broken or
    superseded), with ``duration`` the date it ended; it does not say that the conflict
    ended. A blank ``ended`` means the agreement was not known to have ended.
    """
    table = read_xlsx_table(path, _PEACE_AGREEMENT_COLUMNS)
    frame = typed_frame(table, _PEACE_AGREEMENT_COLUMNS, what="UCDP Peace Agreement file")
    return _datetimes(frame, "pa_date", "duration")


@_cached
def read_pax(path: str) -> pd.DataFrame:
    """PA-X Peace Agreements Database (v6): one row per agreement, ``Dat`` as datetime64."""
    table = read_csv_table(path, _PAX_COLUMNS)
    frame = typed_frame(table, _PAX_COLUMNS, what="PA-X agreements file", missing=_R_MISSING)
    return _datetimes(frame, "Dat")


@_cached
def read_ushmm_factors(path: str) -> pd.DataFrame:
    """USHMM Tools for Atrocity Prevention, all factors (April 2025): one row per factor of
    a tool, with its counts of research findings and its vote count."""
    table = read_csv_table(path, _USHMM_COLUMNS)
    return typed_frame(table, _USHMM_COLUMNS, what="USHMM factors file", missing=_R_MISSING)


@_cached
def read_dyadic_frame(path: str) -> pd.DataFrame:
    """UCDP dyadic data set (25.1) through ``events.ucdp_dyadic.read_dyadic``: one row per
    dyad-year with ``dyad_id``, ``conflict_id``, ``year``, the sides' actor ids
    (``side_a_id``, ``side_b_id``, tuples) and names (``side_a``, ``side_b``)."""
    rows = read_dyadic(path)
    return pd.DataFrame(
        {
            "dyad_id": [r.dyad_id for r in rows],
            "conflict_id": [r.conflict_id for r in rows],
            "year": [r.year for r in rows],
            "side_a_id": pd.Series([tuple(i for i, _ in r.side_a) for r in rows], dtype=object),
            "side_b_id": pd.Series([tuple(i for i, _ in r.side_b) for r in rows], dtype=object),
            "side_a": [_side_name(r.side_a) for r in rows],
            "side_b": [_side_name(r.side_b) for r in rows],
        }
    )


def _side_name(side: tuple[tuple[int, str], ...]) -> str:
    return ", ".join(dict.fromkeys(name for _, name in side))
