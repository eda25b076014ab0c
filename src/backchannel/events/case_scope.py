"""The events a case's alerts may read: its own country, and its regions when they match.

A case names one country (``context.country``, ISO alpha-3) and may name the areas it
concerns (``context.regions``). Event files are wider: a global GED sample or release holds
every country, and an armed group's or a government's name recurs in several of them. An
alert for a case cites only events of the case's country, whatever the files hold.

Regions are matched to the first-level areas (``admin1``) of the country's events, else to
second-level ones (``admin2``), by ``area_key``: case, accents, punctuation and a trailing
designation ("province", "governorate"...) do not count, so the case's "Ouham" is GED's
"Ouham province". The filter applies only when every region matches: a region found in no
area of the data would otherwise silently remove the events it was meant to keep, so the
whole country is read instead and the scope names the region. Events of the country with no
recorded area stay in (they may lie in the regions; dropping them could hide the conduct an
alert exists to show), and the scope counts them.

``scope_to_case`` returns the scoped tables and a ``CaseScope``: the names matched, the
regions applied or why not, and how many events were left out.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import ibis.expr.types as ir

from backchannel.actors.seed_inputs import ucdp_country_names
from backchannel.errors import NotFoundError
from backchannel.events.rise_evidence import plain_number
from backchannel.model.case import Case
from backchannel.risk.forecast.country_names import ewp_names

__all__ = [
    "AREA_DESIGNATIONS",
    "CaseScope",
    "RegionMatch",
    "ScopedEvents",
    "area_key",
    "country_events",
    "event_country_names",
    "scope_to_case",
]

#: Words GED appends to area names to say what kind of area it is ("Ouham province",
#: "Aleppo governorate", "Bossangoa region"): the lower-case designations found at the end
#: of the adm_1 and adm_2 names of the GED 23.1 global sample and CAR extract. ACLED writes
#: the bare name, and so do most case files.
AREA_DESIGNATIONS: frozenset[str] = frozenset(
    {
        "agency",
        "province",
        "governorate",
        "state",
        "region",
        "department",
        "oblast",
        "zone",
        "republic",
        "district",
        "prefecture",
        "territory",
        "county",
        "krai",
        "city",
        "municipality",
    }
)


def event_country_names(iso3: str) -> list[str]:
    """Every name the event sources (UCDP, EWP, ISO) use for the country with this code."""
    try:
        ucdp = ucdp_country_names(iso3)
    except NotFoundError:
        ucdp = []
    return list(dict.fromkeys([*ucdp, *ewp_names(iso3)]))


def country_events(events: ir.Table, iso3: str) -> ir.Table:
    """Events in the country with this ISO code (matched on the names sources use for it)."""
    return events.filter(_in_country(events, event_country_names(iso3)))


def _in_country(events: ir.Table, names: Sequence[str]) -> ir.BooleanValue:
    return events.country.lower().isin([name.lower() for name in names])


def area_key(name: str) -> str:
    """The form an area name is compared in: case-folded, accents and punctuation dropped,
    and one trailing designation word (``AREA_DESIGNATIONS``) removed from a longer name.

    ``"Ombella-M'Poko province"`` and ``"ombella m poko"`` share a key; so do ``"Kémo"``
    and ``"KEMO"``. A name that is only a designation ("Province") keeps it.
    """
    # decomposed before and after case-folding: a compatibility form may decompose into a
    # capital ("ᴮ" into "B"), and a folded letter may decompose again
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", name).casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = re.findall(r"[^\W_]+", plain)
    if len(words) > 1 and words[-1] in AREA_DESIGNATIONS:
        words = words[:-1]
    return " ".join(words)


@dataclass(frozen=True)
class RegionMatch:
    """A case region and the area names of the data it matched, at one level."""

    region: str
    level: str  # "admin1" or "admin2"
    areas: tuple[str, ...]


@dataclass(frozen=True)
class CaseScope:
    """What a case's alerts read, and what they leave out.

    ``regions_applied`` is true when the case names regions and every one matched an area
    of the country's events; otherwise the whole country is read and, for regions that
    found no area, ``unmatched_regions`` names them. Counts are events of the input table;
    ``data_end`` is the last event day of the whole input (what the data reach, whichever
    country the last event is in), ``None`` when it holds no event.
    """

    country: str
    country_names: tuple[str, ...]
    regions: tuple[str, ...]
    matches: tuple[RegionMatch, ...]
    unmatched_regions: tuple[str, ...]
    events_total: int
    events_in_country: int
    events_in_scope: int
    events_without_area: int
    data_end: dt.date | None = None

    @property
    def regions_applied(self) -> bool:
        """Whether the alerts read only the case's regions (every region matched)."""
        return bool(self.regions) and not self.unmatched_regions

    @property
    def events_left_out(self) -> int:
        """Events of the input the alerts do not read: other countries, other areas."""
        return self.events_total - self.events_in_scope

    @property
    def events_in_other_countries(self) -> int:
        """Events of the input outside the case's country."""
        return self.events_total - self.events_in_country

    @property
    def events_outside_regions(self) -> int:
        """Events of the country outside the case's regions (0 when no region filter)."""
        return self.events_in_country - self.events_in_scope

    @property
    def place(self) -> str:
        """The country as the event data name it (UCDP's spelling first), else its code."""
        return self.country_names[0] if self.country_names else self.country

    def notes(self) -> list[str]:
        """The scope in plain words: where the events come from, what was left out, and
        any region that could not be applied."""
        notes = []
        if not self.country_names:
            notes.append(
                f"No country name is known for the code {self.country}, so no event can be "
                "placed in the case's country."
            )
        elif self.events_in_country == 0:
            notes.append(f"The event data hold no event in {self.place}.")
        where = (
            f"in the case's {plain_number(len(self.regions))} regions of {self.place}"
            if self.regions_applied
            else f"anywhere in {self.place}"
        )
        notes.append(
            f"Alerts read only events {where}: {plain_number(self.events_in_scope)} of "
            f"{plain_number(self.events_total)}; {plain_number(self.events_in_other_countries)} "
            f"in other countries"
            + (
                f" and {plain_number(self.events_outside_regions)} in other areas of the country"
                if self.regions_applied
                else ""
            )
            + " were left out."
        )
        if self.regions_applied and self.events_without_area:
            notes.append(
                f"{plain_number(self.events_without_area)} events of {self.place} with no "
                "recorded area were kept, as they may lie in the regions."
            )
        if self.unmatched_regions:
            named = ", ".join(self.unmatched_regions)
            notes.append(
                f"The region filter could not be applied: no area of {self.place} in the event "
                f"data matches {named}, so events from the whole country are read."
            )
        return notes

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, with the derived counts and the notes."""
        document = asdict(self)
        document["data_end"] = self.data_end.isoformat() if self.data_end else None
        document.update(
            regions_applied=self.regions_applied,
            events_left_out=self.events_left_out,
            events_in_other_countries=self.events_in_other_countries,
            events_outside_regions=self.events_outside_regions,
            notes=self.notes(),
        )
        return document


@dataclass(frozen=True, eq=False)
class ScopedEvents:
    """A case's events: ``events`` (country, and regions when applied) for alerts on
    conduct, ``country`` (the whole country) for commitments that cover the whole country
    or name their own areas, and the ``scope`` that says what was kept."""

    events: ir.Table
    country: ir.Table
    scope: CaseScope


def scope_to_case(connection: Any, events: ir.Table, case: Case) -> ScopedEvents:
    """The events of the case's country and, when every one matches, of its regions."""
    iso3 = case.context.country
    names = event_country_names(iso3)
    national = events.filter(_in_country(events, names))
    regions = tuple(case.context.regions)
    matches, unmatched = _match_regions(connection, national, regions)
    scoped = national
    if regions and not unmatched:
        scoped = national.filter(_in_areas(national, matches) | national.admin1.isnull())
    counts = connection.to_pyarrow(
        events.aggregate(
            total=events.count(),
            in_country=events.count(where=_in_country(events, names)),
            last=events.date_start.max(),
        )
    ).to_pylist()[0]
    in_scope = connection.to_pyarrow(
        scoped.aggregate(kept=scoped.count(), unlocated=scoped.count(where=scoped.admin1.isnull()))
    ).to_pylist()[0]
    scope = CaseScope(
        country=iso3,
        country_names=tuple(names),
        regions=regions,
        matches=matches,
        unmatched_regions=unmatched,
        events_total=int(counts["total"]),
        events_in_country=int(counts["in_country"] or 0),
        events_in_scope=int(in_scope["kept"]),
        events_without_area=int(in_scope["unlocated"] or 0) if regions and not unmatched else 0,
        data_end=counts["last"],
    )
    return ScopedEvents(events=scoped, country=national, scope=scope)


def _match_regions(
    connection: Any, national: ir.Table, regions: Sequence[str]
) -> tuple[tuple[RegionMatch, ...], tuple[str, ...]]:
    """Each region's areas in the country's events: first-level areas first, then
    second-level ones for the regions no first-level area matched."""
    if not regions:
        return (), ()
    matches: list[RegionMatch] = []
    remaining = list(regions)
    for level in ("admin1", "admin2"):
        if not remaining:
            break
        column = national[level]
        values = connection.to_pyarrow(national.select(area=column).distinct()).column("area")
        by_key = _areas_by_key(str(v) for v in values.to_pylist() if v)
        still: list[str] = []
        for region in remaining:
            found = by_key.get(area_key(region), ()) if area_key(region) else ()
            if found:
                matches.append(RegionMatch(region, level, tuple(sorted(found))))
            else:
                still.append(region)
        remaining = still
    return tuple(matches), tuple(remaining)


def _areas_by_key(areas: Iterable[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for area in areas:
        if key := area_key(area):
            grouped.setdefault(key, []).append(area)
    return grouped


def _in_areas(table: ir.Table, matches: Sequence[RegionMatch]) -> ir.BooleanValue:
    """Events in any matched area, each match on its own level."""
    first = [a for m in matches if m.level == "admin1" for a in m.areas]
    second = [a for m in matches if m.level == "admin2" for a in m.areas]
    condition: ir.BooleanValue = table.admin1.isin(first)
    if second:
        condition = condition | table.admin2.isin(second)
    return condition
