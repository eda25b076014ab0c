"""What seeding reads: the UCDP files, the country's names in them, the sources they become,
and the GED events located in the country."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pycountry

from backchannel.errors import NotFoundError
from backchannel.events.readers import read_ged
from backchannel.model.case import Source

__all__ = [
    "UCDP_SPELLINGS",
    "GedEvent",
    "SeedSources",
    "UcdpFiles",
    "read_country_events",
    "seed_sources",
    "ucdp_country_names",
]

#: UCDP's names for countries whose name pycountry does not give (checked against every
#: location in the mirrored UCDP files by the tests).
UCDP_SPELLINGS: dict[str, str] = {
    "BIH": "Bosnia-Herzegovina",
    "BRN": "Brunei",
    "CIV": "Ivory Coast",
    "COD": "DR Congo (Zaire)",
    "KHM": "Cambodia (Kampuchea)",
    "MDG": "Madagascar (Malagasy)",
    "MKD": "Macedonia, FYR",
    "MMR": "Myanmar (Burma)",
    "RUS": "Russia (Soviet Union)",
    "SRB": "Serbia (Yugoslavia)",
    "SWZ": "Kingdom of eSwatini (Swaziland)",
    "TUR": "Turkey",
    "VNM": "Vietnam (North Vietnam)",
    "YEM": "Yemen (North Yemen)",
    "ZWE": "Zimbabwe (Rhodesia)",
}
_PUBLISHER = "Uppsala Conflict Data Program (UCDP)"
_DOWNLOADS = "https://ucdp.uu.se/downloads/"


@dataclass(frozen=True)
class UcdpFiles:
    """The UCDP files to seed from, with their versions (for the sources cited).

    Only the actor list is required; without the dyadic data or GED the proposal has fewer
    relations and says so in its notes.
    """

    actor_list: Path
    dyadic: Path | None = None
    ged: tuple[Path, ...] = ()
    actor_list_version: str = "22.1"
    dyadic_version: str = "25.1"
    ged_version: str = "23.1"


def ucdp_country_names(iso3: str) -> list[str]:
    """The names UCDP may use for the country with this ISO alpha-3 code, its own first.

    Raises ``NotFoundError`` for a code that is not an ISO 3166 country.
    """
    code = iso3.strip().upper()
    country = pycountry.countries.get(alpha_3=code) if re.fullmatch(r"[A-Z]{3}", code) else None
    if country is None:
        raise NotFoundError(f"{iso3!r} is not an ISO 3166-1 alpha-3 country code")
    names = [UCDP_SPELLINGS[code]] if code in UCDP_SPELLINGS else []
    names += [
        str(n) for a in ("common_name", "name", "official_name") if (n := getattr(country, a, None))
    ]
    return list(dict.fromkeys(names))


@dataclass(frozen=True)
class SeedSources:
    """The case ``Source`` records for the files given (``None`` for a file not given)."""

    actors: Source
    dyadic: Source | None
    ged: Source | None

    @property
    def events_id(self) -> str:
        """The source to cite for what events say: GED, else the actor list that seeded."""
        return self.ged.id if self.ged else self.actors.id

    def given(self) -> tuple[Source, ...]:
        """The sources of the files given: actor list, dyadic data, GED."""
        return tuple(s for s in (self.actors, self.dyadic, self.ged) if s is not None)


def seed_sources(files: UcdpFiles) -> SeedSources:
    """One source per UCDP data set given, its id naming the version (``ucdp-ged-231``)."""
    return SeedSources(
        actors=_source("ucdp-actors", files.actor_list_version, "UCDP Actor Dataset, version {}"),
        dyadic=None
        if files.dyadic is None
        else _source("ucdp-dyadic", files.dyadic_version, "UCDP Dyadic Dataset, version {}"),
        ged=None
        if not files.ged
        else _source(
            "ucdp-ged",
            files.ged_version,
            "UCDP Georeferenced Event Dataset (GED), version {}",
        ),
    )


def _source(prefix: str, version: str, title: str) -> Source:
    return Source(
        id=f"{prefix}-{re.sub(r'[^0-9A-Za-z]+', '', version)}",
        title=title.format(version),
        publisher=_PUBLISHER,
        url=_DOWNLOADS,
    )


@dataclass(frozen=True)
class GedEvent:
    """The parts of a GED event that seeding reads."""

    event_id: str
    year: int
    start: dt.date
    end: dt.date
    side_a: str
    side_b: str
    side_a_id: int | None
    side_b_id: int | None
    violence: str
    deaths: int


def read_country_events(paths: Sequence[Path], names: Sequence[str]) -> tuple[list[GedEvent], int]:
    """GED events in the country from every file, each once, in date order; and how many
    rows the GED reader refused (in any country)."""
    wanted = pa.array([n.casefold() for n in names])
    seen: set[str] = set()
    events: list[GedEvent] = []
    rejected = 0
    for path in paths:
        result = read_ged(path)
        rejected += len(result.rejected)
        table = result.events
        local = table.filter(pc.is_in(pc.utf8_lower(table["country"]), value_set=wanted))
        for row in local.to_pylist():
            # a file of one country and a global file can both hold an event
            if row["event_id"] in seen:
                continue
            seen.add(row["event_id"])
            events.append(
                GedEvent(
                    event_id=row["event_id"],
                    year=row["year"],
                    start=row["date_start"],
                    end=row["date_end"],
                    side_a=row["actor1"],
                    side_b=row["actor2"] or "",
                    side_a_id=row["actor1_ucdp_id"],
                    side_b_id=row["actor2_ucdp_id"],
                    violence=row["violence_type"],
                    deaths=row["deaths_best"],
                )
            )
    events.sort(key=lambda e: (e.start, e.event_id))
    return events, rejected
