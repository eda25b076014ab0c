"""The UCDP GED CSV layout and its column-wise mapping onto the event table."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from backchannel.events import column_rules as rules
from backchannel.events import columns as col
from backchannel.events.column_rules import Verdicts
from backchannel.events.schema import ViolenceType
from backchannel.events.text_values import count_or_none, show

__all__ = ["GED_COLUMNS", "GED_REQUIRED", "GED_USED", "ged_columns"]

GED_COLUMNS: tuple[str, ...] = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence",
    "conflict_dset_id", "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id",
    "dyad_name", "side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id",
    "side_b_new_id", "side_b", "number_of_sources", "source_article", "source_office",
    "source_date", "source_headline", "source_original", "where_prec", "where_coordinates",
    "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
    "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec",
    "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown",
    "best", "high", "low", "gwnoa", "gwnob",
)  # fmt: skip
"""The official UCDP GED CSV layout, in order."""

GED_REQUIRED: frozenset[str] = frozenset(
    {"id", "year", "type_of_violence", "side_a", "side_b", "country", "date_start",
     "date_end", "best", "low", "high", "deaths_civilians"}
)  # fmt: skip
"""GED columns without which a file is refused; every other column may be absent."""

GED_USED: tuple[str, ...] = (
    "id", "year", "type_of_violence", "side_a_new_id", "side_a", "side_b_new_id", "side_b",
    "adm_1", "adm_2", "latitude", "longitude", "country", "date_start", "date_end",
    "deaths_civilians", "best", "high", "low",
)  # fmt: skip
"""The GED columns the mapping reads."""

_GED_TYPES = {
    "1": ViolenceType.STATE_BASED,
    "2": ViolenceType.NON_STATE,
    "3": ViolenceType.ONE_SIDED,
}


def _violence(text: str) -> object:
    violence = _GED_TYPES.get(text)
    return col.REFUSED if violence is None else violence.value


def _year(text: str) -> object:
    return col.REFUSED if count_or_none(text) is None else True


def _bounds(low: int, best: int, high: int) -> str:
    faults = []
    if low > best:
        faults.append(f"low {low} > best {best}")
    if best > high:
        faults.append(f"best {best} > high {high}")
    return "; ".join(faults)


def ged_columns(
    raw: dict[str, pa.Array], verdicts: Verdicts, strict_bounds: bool
) -> col.EventColumns:
    """Map GED records, rule by rule in this order: an event id; type of violence 1, 2
    or 3 (state_based, non_state, one_sided; one-sided violence targets civilians);
    ``YYYY-MM-DD`` start and end dates, the end not before the start; a whole-number
    year (a warning when it is not the start's year, which is kept); best, low and high
    whole counts ≥ 0, where ``low > best`` or ``best > high`` is a warning (UCDP
    publishes such events; rejected under ``strict_bounds``); a country; latitude and
    longitude in range; a perpetrator (side_a); whole UCDP actor ids; civilian deaths."""
    rules.require_text(verdicts, raw["id"], "id", "event id")
    violence, known = col.lookup(raw["type_of_violence"], _violence, pa.string())
    verdicts.reject(
        ~known,
        lambda text: f"unknown type_of_violence {show(text)} (expected 1, 2 or 3)",
        raw["type_of_violence"],
    )
    start, end = rules.dates(verdicts, raw, ["date_start", "date_end"])
    verdicts.reject(
        col.mask(pc.less(end, start)),
        lambda last, first: f"end before start: date_end {last} is before date_start {first}",
        end,
        start,
    )
    _, whole_year = col.lookup(raw["year"], _year, pa.bool_())
    verdicts.reject(
        ~whole_year, lambda text: f"year {show(text)} is not a whole number", raw["year"]
    )
    year = rules.check_year(verdicts, raw["year"], start)
    deaths = rules.counts(raw, ["best", "low", "high", "deaths_civilians"])
    for name in ("best", "low", "high"):
        rules.reject_bad_count(verdicts, raw[name], name, deaths[name][1])
    best, low, high = (deaths[name][0] for name in ("best", "low", "high"))
    out_of_order = col.mask(pc.or_(pc.greater(low, best), pc.greater(best, high)))
    if strict_bounds:
        verdicts.reject(out_of_order, _bounds, low, best, high)
    else:
        verdicts.warn(
            out_of_order,
            lambda *counts: _bounds(*counts) + " (kept as UCDP published it)",
            low,
            best,
            high,
        )
    rules.require_text(verdicts, raw["country"], "country", "country")
    latitude = rules.coordinate(verdicts, raw["latitude"], "latitude", 90.0)
    longitude = rules.coordinate(verdicts, raw["longitude"], "longitude", 180.0)
    rules.require_text(verdicts, raw["side_a"], "side_a", "perpetrator")
    actor1_id, actor2_id = rules.optional_ints(verdicts, raw, ["side_a_new_id", "side_b_new_id"])
    civilians, counted = deaths["deaths_civilians"]
    rules.reject_bad_count(verdicts, raw["deaths_civilians"], "deaths_civilians", counted)
    nothing = pa.nulls(len(raw["id"]), pa.string())
    return {
        "event_id": pc.binary_join_element_wise("ged:", raw["id"], ""),
        "source": col.constant("ged", pa.string(), len(raw["id"])),
        "date_start": start,
        "date_end": end,
        "year": year,
        "country": raw["country"],
        "admin1": col.null_if_empty(raw["adm_1"]),
        "admin2": col.null_if_empty(raw["adm_2"]),
        "latitude": latitude,
        "longitude": longitude,
        "actor1": raw["side_a"],
        "actor2": col.null_if_empty(raw["side_b"]),
        "actor1_ucdp_id": actor1_id,
        "actor2_ucdp_id": actor2_id,
        "assoc_actor1": nothing,
        "assoc_actor2": nothing,
        "violence_type": violence,
        "event_type": nothing,
        "sub_event_type": nothing,
        "civilian_targeting": pc.equal(violence, ViolenceType.ONE_SIDED.value),
        "deaths_best": best,
        "deaths_low": low,
        "deaths_high": high,
        "deaths_civilians": civilians,
    }
