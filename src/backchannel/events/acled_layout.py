"""ACLED's CSV export layout and its column-wise mapping onto the event table."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from backchannel.events import column_rules as rules
from backchannel.events import columns as col
from backchannel.events.column_rules import Verdicts
from backchannel.events.schema import ViolenceType
from backchannel.events.text_values import show

__all__ = ["ACLED_COLUMNS", "ACLED_REQUIRED", "ACLED_USED", "acled_columns"]

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2",
    "inter2", "interaction", "civilian_targeting", "iso", "region", "country", "admin1",
    "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "source",
    "source_scale", "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip
"""ACLED's standard CSV export layout, in order."""

ACLED_REQUIRED: frozenset[str] = frozenset(
    {"event_id_cnty", "event_date", "event_type", "actor1", "inter1", "inter2", "country",
     "fatalities"}
)  # fmt: skip
"""ACLED columns without which a file is refused (inter1/inter2 decide state-based battles)."""

ACLED_USED: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "event_type", "sub_event_type", "actor1",
    "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "civilian_targeting",
    "country", "admin1", "admin2", "latitude", "longitude", "fatalities",
)  # fmt: skip
"""The ACLED columns the mapping reads."""

_BATTLES = "battles"
_VAC = "violence against civilians"
_EVENT_TYPES = frozenset(
    {_BATTLES, _VAC, "explosions/remote violence", "riots", "protests", "strategic developments"}
)
_TARGETED = "civilian targeting"


def _event_type(text: str) -> object:
    event_type = text.lower()
    return event_type if event_type in _EVENT_TYPES else col.REFUSED


def _targeting_flag(text: str) -> object:
    flag = text.lower()
    return flag == _TARGETED if flag in ("", _TARGETED) else col.REFUSED


def _is_state_forces(inter: str) -> bool:
    return inter == "1" or inter.lower() == "state forces"


def acled_columns(
    raw: dict[str, pa.Array], verdicts: Verdicts, strict_bounds: bool
) -> col.EventColumns:
    """Map ACLED records, rule by rule in this order: an event id; one of ACLED's event
    types; an event date (``YYYY-MM-DD`` or ``DD Month YYYY``; a warning when the year
    column says another year); whole fatalities ≥ 0; a warning when civilian_targeting
    is neither empty nor "Civilian targeting"; a country; latitude and longitude in
    range; a perpetrator (actor1). ``strict_bounds`` has nothing to check here.

    Battles are state-based when either side is state forces (inter code 1, or the label
    "State forces" of newer exports), else non-state; violence against civilians is
    one-sided; every other event type is ``other``. Civilian targeting comes from the
    ``civilian_targeting`` column or the event type; all fatalities count as deaths_best,
    low and high, and as civilian deaths when civilians were targeted.
    """
    rules.require_text(verdicts, raw["event_id_cnty"], "event_id_cnty", "event id")
    event_type, known = col.lookup(raw["event_type"], _event_type, pa.string())
    verdicts.reject(
        ~known,
        lambda text: (
            f"unknown event_type {show(text)} (expected one of ACLED's: Battles, "
            "Violence against civilians, Explosions/Remote violence, Riots, Protests, "
            "Strategic developments)"
        ),
        raw["event_type"],
    )
    [start] = rules.dates(verdicts, raw, ["event_date"], long_form=True)
    year = rules.check_year(verdicts, raw["year"], start)
    fatalities, counted = rules.counts(raw, ["fatalities"])["fatalities"]
    rules.reject_bad_count(verdicts, raw["fatalities"], "fatalities", counted)
    flag, understood = col.lookup(raw["civilian_targeting"], _targeting_flag, pa.bool_())
    verdicts.warn(
        ~understood,
        lambda text: f"civilian_targeting {show(text)} not understood",
        raw["civilian_targeting"],
    )
    rules.require_text(verdicts, raw["country"], "country", "country")
    latitude = rules.coordinate(verdicts, raw["latitude"], "latitude", 90.0)
    longitude = rules.coordinate(verdicts, raw["longitude"], "longitude", 180.0)
    rules.require_text(verdicts, raw["actor1"], "actor1", "perpetrator")
    (state1, _), (state2, _) = col.lookup_together(
        [raw["inter1"], raw["inter2"]], _is_state_forces, pa.bool_()
    )
    vac = pc.equal(event_type, _VAC)
    battles = pc.equal(event_type, _BATTLES)
    violence = pc.case_when(
        pc.make_struct(vac, pc.invert(battles), pc.or_(state1, state2)),
        ViolenceType.ONE_SIDED.value,
        ViolenceType.OTHER.value,
        ViolenceType.STATE_BASED.value,
        ViolenceType.NON_STATE.value,
    )
    targeting = pc.or_(pc.fill_null(flag, False), vac)
    rows = len(raw["event_id_cnty"])
    return {
        "event_id": pc.binary_join_element_wise("acled:", raw["event_id_cnty"], ""),
        "source": col.constant("acled", pa.string(), rows),
        "date_start": start,
        "date_end": start,
        "year": year,
        "country": raw["country"],
        "admin1": col.null_if_empty(raw["admin1"]),
        "admin2": col.null_if_empty(raw["admin2"]),
        "latitude": latitude,
        "longitude": longitude,
        "actor1": raw["actor1"],
        "actor2": col.null_if_empty(raw["actor2"]),
        "actor1_ucdp_id": pa.nulls(rows, pa.int64()),
        "actor2_ucdp_id": pa.nulls(rows, pa.int64()),
        "assoc_actor1": col.null_if_empty(raw["assoc_actor_1"]),
        "assoc_actor2": col.null_if_empty(raw["assoc_actor_2"]),
        "violence_type": violence,
        "event_type": raw["event_type"],
        "sub_event_type": col.null_if_empty(raw["sub_event_type"]),
        "civilian_targeting": targeting,
        "deaths_best": fatalities,
        "deaths_low": fatalities,
        "deaths_high": fatalities,
        "deaths_civilians": pc.if_else(targeting, fatalities, 0),
    }
