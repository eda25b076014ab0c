"""Matching a case to the data: its cut date, its country's codes and region, and the UCDP
dyads and conflicts its counterparts fought in.

Nothing here counts anything; the figure modules filter their rows with what this module
finds, and its notes say what could not be matched and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from backchannel.actors.seed_inputs import ucdp_country_names
from backchannel.dialogue.evidence.figures import Scope
from backchannel.errors import NotFoundError
from backchannel.model.case import Case

__all__ = [
    "UCDP_REGIONS",
    "CaseScope",
    "Counterparts",
    "contains_any",
    "resolve_counterparts",
    "resolve_scope",
    "ucdp_region_of",
    "ucdp_scopes",
]

#: UCDP's regions, by code, with the Gleditsch-Ward country numbers each spans.
UCDP_REGIONS: dict[int, tuple[str, range]] = {
    1: ("Europe", range(200, 400)),
    2: ("Middle East", range(630, 700)),
    3: ("Asia", range(700, 1000)),
    4: ("Africa", range(400, 627)),
    5: ("Americas", range(2, 200)),
}
_MAX_LABELLED_DYADS = 3
_DASH = "\u2013"  # an en dash joins a dyad's two sides


def ucdp_region_of(gw_code: int) -> int | None:
    """The UCDP region of a Gleditsch-Ward country number (UCDP defines regions by it)."""
    for code, (_, numbers) in UCDP_REGIONS.items():
        if gw_code in numbers:
            return code
    return None


def contains_any(column: pd.Series, wanted: Iterable[int]) -> pd.Series:
    """Per row of a column of id tuples, whether it holds any of ``wanted``."""
    targets = frozenset(wanted)
    return column.map(lambda ids: not targets.isdisjoint(ids)).astype(bool)


@dataclass(frozen=True)
class Counterparts:
    """The counterparts' UCDP footprint: their actor ids, and the dyads (with labels) and
    conflicts those actors fought in."""

    ucdp_ids: frozenset[int] = frozenset()
    dyads: dict[int, str] = field(default_factory=dict)
    conflicts: frozenset[int] = frozenset()

    @property
    def label(self) -> str:
        """``"FARC\u2013Government of Colombia dyad"`` (an en dash), or a short list of dyads."""
        labels = [self.dyads[d] for d in sorted(self.dyads)]
        if len(labels) == 1:
            return f"{labels[0]} dyad"
        shown = ", ".join(labels[:_MAX_LABELLED_DYADS])
        rest = len(labels) - _MAX_LABELLED_DYADS
        return f"{shown} dyads" if rest <= 0 else f"{shown} and {rest} more dyads"

    @property
    def conflict_label(self) -> str:
        """The conflicts, as UCDP numbers them, with the dyads they hold."""
        numbers = ", ".join(str(c) for c in sorted(self.conflicts))
        noun = "conflict" if len(self.conflicts) == 1 else "conflicts"
        return f"UCDP {noun} {numbers} (of the {self.label})"


@dataclass(frozen=True)
class CaseScope:
    """What the figures are matched on.

    ``cut`` is the case period's start: only what ended or was signed before it counts.
    ``gw_codes`` are the country's Gleditsch-Ward numbers found in the data;
    ``ucdp_region`` and ``pax_region`` its region in each data set's own scheme.
    """

    cut: dt.date
    iso3: str
    country_name: str
    gw_codes: frozenset[int]
    ucdp_region: int | None
    pax_region: str | None
    counterparts: Counterparts

    @property
    def ucdp_region_name(self) -> str:
        """The UCDP region's name (empty when unknown)."""
        return UCDP_REGIONS[self.ucdp_region][0] if self.ucdp_region else ""


def resolve_counterparts(
    case: Case, actor_ids: Sequence[str], dyad_tables: Sequence[pd.DataFrame]
) -> tuple[Counterparts, list[str]]:
    """The UCDP dyads and conflicts of the named case actors, and notes on what failed.

    ``dyad_tables`` are frames with ``dyad_id``, ``conflict_id``, ``year``, ``side_a_id``,
    ``side_b_id``, ``side_a`` and ``side_b`` (the dyadic data set, the termination dyad
    file); a dyad is the counterpart's if its actor id is on either side in any year.
    Raises ``NotFoundError`` for an id that is not an actor of the case.
    """
    actors = {actor.id: actor for actor in case.actors}
    unknown = [a for a in actor_ids if a not in actors]
    if unknown:
        valid = ", ".join(sorted(actors)) or "none"
        raise NotFoundError(
            f"counterpart(s) {', '.join(map(repr, unknown))} not among the actors of case "
            f"{case.id!r} (actors: {valid})"
        )
    notes: list[str] = []
    if not actor_ids:
        notes.append("No counterparts were given, so no figure is matched to a counterpart.")
        return Counterparts(), notes
    if not dyad_tables:
        notes.append(
            "Neither the UCDP dyadic data nor the termination dyad file is installed, so the "
            "counterparts cannot be matched to UCDP dyads."
        )
        return Counterparts(), notes
    ucdp_ids: set[int] = set()
    dyads: dict[int, tuple[int, str]] = {}  # dyad id → (latest year seen, label)
    conflicts: set[int] = set()
    for actor_id in actor_ids:
        actor = actors[actor_id]
        if actor.ucdp_actor_id is None:
            notes.append(
                f"{actor.name} has no UCDP actor id in the case, so no figure is matched "
                "to its dyads."
            )
            continue
        ucdp_ids.add(actor.ucdp_actor_id)
        found = False
        for table in dyad_tables:
            rows = table[
                contains_any(table["side_a_id"], [actor.ucdp_actor_id])
                | contains_any(table["side_b_id"], [actor.ucdp_actor_id])
            ]
            for row in rows.itertuples(index=False):
                found = True
                conflicts.add(int(row.conflict_id))
                seen = dyads.get(int(row.dyad_id))
                if seen is None or int(row.year) > seen[0]:
                    dyads[int(row.dyad_id)] = (int(row.year), f"{row.side_b}{_DASH}{row.side_a}")
        if not found:
            notes.append(
                f"{actor.name} (UCDP actor {actor.ucdp_actor_id}) is on no side of a UCDP "
                "dyad in the data, so no figure is matched to it."
            )
    labels = {dyad: label for dyad, (_, label) in dyads.items()}
    return Counterparts(frozenset(ucdp_ids), labels, frozenset(conflicts)), notes


def resolve_scope(
    case: Case,
    counterparts: Counterparts,
    *,
    located_tables: Sequence[pd.DataFrame] = (),
    pax: pd.DataFrame | None = None,
) -> tuple[CaseScope, list[str]]:
    """The case's cut, country codes and regions, with notes on what could not be found.

    The country's Gleditsch-Ward numbers come from UCDP rows located in the country alone
    (``located_tables``: frames with ``location`` and ``gwno_loc``) and from PA-X's paired
    ISO and GW codes; its PA-X region is the one PA-X gives most of its agreements.
    """
    iso3 = case.context.country
    notes: list[str] = []
    try:
        names = ucdp_country_names(iso3)
    except NotFoundError:
        names = []
        notes.append(f"{iso3} is not an ISO 3166 country code known here: no UCDP name for it.")
    gw_codes: set[int] = set()
    for table in located_tables:
        single = table[table["gwno_loc"].map(len) == 1]
        located = single[single["location"].isin(names)]
        gw_codes.update(int(ids[0]) for ids in located["gwno_loc"])
    pax_region = None
    if pax is not None:
        for iso_column, gw_column in (("Loc1ISO", "Loc1GWNO"), ("Loc2ISO", "Loc2GWNO")):
            paired = pax[(pax[iso_column] == iso3) & pax[gw_column].notna()]
            gw_codes.update(int(code) for code in paired[gw_column])
        regions = pax.loc[pax["Loc1ISO"] == iso3, "Reg"].value_counts()
        if len(regions):
            pax_region = str(regions.index[0])
        else:
            notes.append(f"PA-X holds no agreement located in {iso3}: no PA-X region for it.")
    if not gw_codes:
        notes.append(
            f"No Gleditsch-Ward number was found for {iso3} in the installed data, so no "
            "UCDP figure is matched to the country or its region."
        )
    regions_found = {r for code in gw_codes if (r := ucdp_region_of(code)) is not None}
    ucdp_region = min(regions_found) if len(regions_found) == 1 else None
    if len(regions_found) > 1:
        notes.append(f"{iso3} maps to several UCDP regions; no region figure is given.")
    scope = CaseScope(
        cut=case.context.period.start,
        iso3=iso3,
        country_name=names[0] if names else iso3,
        gw_codes=frozenset(gw_codes),
        ucdp_region=ucdp_region,
        pax_region=pax_region,
        counterparts=counterparts,
    )
    return scope, notes


def ucdp_scopes(
    frame: pd.DataFrame,
    scope: CaseScope,
    *,
    world_label: str,
    gw_column: str = "gwno_loc",
    region_column: str = "region",
    counterpart: tuple[pd.Series, str] | None = None,
) -> list[tuple[Scope, str, pd.DataFrame]]:
    """A UCDP frame cut to each scope the case can be matched at, widest first.

    ``counterpart`` is the mask of the counterpart's rows and its label, when the
    counterparts were matched; the country needs its GW numbers, the region its UCDP region.
    """
    scoped = [(Scope.WORLD, world_label, frame)]
    if scope.ucdp_region is not None:
        in_region = contains_any(frame[region_column], [scope.ucdp_region])
        scoped.append((Scope.REGION, f"{scope.ucdp_region_name} (UCDP region)", frame[in_region]))
    if scope.gw_codes:
        in_country = contains_any(frame[gw_column], scope.gw_codes)
        scoped.append((Scope.COUNTRY, scope.country_name, frame[in_country]))
    if counterpart is not None:
        mask, label = counterpart
        scoped.append((Scope.COUNTERPART, label, frame[mask]))
    return scoped
