"""Event tables for the indicator tests: small hand-built ones and the real CAR GED file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from backchannel.events.readers import read_ged
from backchannel.events.schema import EVENT_SCHEMA
from tests.conftest import mirror_path

CAR_GED = Path("ucdp") / "ged231_central_african_republic.csv"

EventFactory = Callable[[Sequence[Mapping[str, Any]]], pa.Table]


def _event_row(number: int, spec: Mapping[str, Any]) -> dict[str, Any]:
    """A full EVENT_SCHEMA row from a few given fields; deaths default to ``deaths``."""
    start = spec["date"]
    if isinstance(start, str):
        start = dt.date.fromisoformat(start)
    violence_type = spec.get("violence_type", "one_sided")
    deaths = int(spec.get("deaths", 0))
    return {
        "event_id": spec.get("event_id", f"test:{number}"),
        "source": "ged",
        "date_start": start,
        "date_end": start,
        "year": start.year,
        "country": spec.get("country", "Testland"),
        "admin1": spec.get("admin1", "North"),
        "admin2": None,
        "latitude": spec.get("latitude", 5.1),
        "longitude": spec.get("longitude", 20.1),
        "actor1": spec.get("actor1", "A"),
        "actor2": spec.get("actor2", "Civilians" if violence_type == "one_sided" else "B"),
        "actor1_ucdp_id": None,
        "actor2_ucdp_id": None,
        "violence_type": violence_type,
        "civilian_targeting": violence_type == "one_sided",
        "deaths_best": deaths,
        "deaths_low": int(spec.get("deaths_low", deaths)),
        "deaths_high": int(spec.get("deaths_high", deaths)),
        "deaths_civilians": int(
            spec.get("deaths_civilians", deaths if violence_type == "one_sided" else 0)
        ),
        "source_file": "hand-built",
        "source_line": number + 2,
    }


@pytest.fixture
def make_events() -> EventFactory:
    """Build an EVENT_SCHEMA table from short row specs (``date``, ``actor1``, ``deaths``...)."""

    def build(specs: Sequence[Mapping[str, Any]]) -> pa.Table:
        rows = [_event_row(number, spec) for number, spec in enumerate(specs)]
        return pa.Table.from_pylist(rows, schema=EVENT_SCHEMA)

    return build


@pytest.fixture(scope="session")
def car_events() -> pa.Table:
    """UCDP GED 23.1 for the Central African Republic, read by the real GED reader."""
    mirror = mirror_path()
    if mirror is None or not (mirror / CAR_GED).is_file():
        pytest.skip(f"no {CAR_GED} in the data mirror")
    result = read_ged(mirror / CAR_GED)
    assert not result.rejected, result.rejected[:3]
    return result.events
