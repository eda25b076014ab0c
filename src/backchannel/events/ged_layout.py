"""The UCDP GED CSV layout and its mapping onto the event table, per record and column-wise."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from backchannel.events import columns as col
from backchannel.events.row_values import (
    Event,
    Row,
    RowRejected,
    check_year,
    coordinate,
    count,
    count_or_none,
    optional_int,
    parse_date,
    required_text,
    show,
)
from backchannel.events.schema import ViolenceType

__all__ = ["GED_COLUMNS", "GED_REQUIRED", "GED_USED", "ged_columns", "ged_event"]

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


def ged_event(row: Row, strict_bounds: bool) -> Event:
    """Map one GED row: type 1/2/3 → state_based/non_state/one_sided; type 3 targets civilians."""
    raw_id = required_text(row, "id", "event id")
    event_id = f"ged:{raw_id}"
    violence = _GED_TYPES.get(row["type_of_violence"])
    if violence is None:
        raise RowRejected(
            f"unknown type_of_violence {show(row['type_of_violence'])} (expected 1, 2 or 3)"
        )
    start, end = parse_date(row, "date_start"), parse_date(row, "date_end")
    if end < start:
        raise RowRejected(f"end before start: date_end {end} is before date_start {start}")
    if count_or_none(row["year"]) is None:
        raise RowRejected(f"year {show(row['year'])} is not a whole number")
    check_year(row, event_id, start)
    best, low, high = count(row, "best"), count(row, "low"), count(row, "high")
    _check_bounds(row, event_id, (low, best, high), strict_bounds)
    return Event(
        event_id=event_id,
        source="ged",
        date_start=start,
        date_end=end,
        year=start.year,
        country=required_text(row, "country", "country"),
        admin1=row["adm_1"] or None,
        admin2=row["adm_2"] or None,
        latitude=coordinate(row, "latitude", 90.0),
        longitude=coordinate(row, "longitude", 180.0),
        actor1=required_text(row, "side_a", "perpetrator"),
        actor2=row["side_b"] or None,
        actor1_ucdp_id=optional_int(row, "side_a_new_id"),
        actor2_ucdp_id=optional_int(row, "side_b_new_id"),
        assoc_actor1=None,
        assoc_actor2=None,
        violence_type=violence.value,
        event_type=None,
        sub_event_type=None,
        civilian_targeting=violence is ViolenceType.ONE_SIDED,
        deaths_best=best,
        deaths_low=low,
        deaths_high=high,
        deaths_civilians=count(row, "deaths_civilians"),
        source_file=row.file,
        source_line=row.line,
    )


def _check_bounds(
    row: Row, event_id: str, low_best_high: tuple[int, int, int], strict: bool
) -> None:
    low, best, high = low_best_high
    faults = []
    if low > best:
        faults.append(f"low {low} > best {best}")
    if best > high:
        faults.append(f"best {best} > high {high}")
    if not faults:
        return
    if strict:
        raise RowRejected("; ".join(faults))
    row.warn(event_id, "; ".join(faults) + " (kept as UCDP published it)")


def _fast_ged_type(text: str) -> object:
    violence = _GED_TYPES.get(text)
    return col.NOT_FAST if violence is None else violence.value


def ged_columns(raw: dict[str, pa.Array]) -> tuple[col.FastColumns, np.ndarray]:
    """``ged_event`` column-wise, for the rows that need neither a reason nor a warning."""
    columns, plain = col.fast_common(raw, "ged", "id", "side_a", "side_b")
    violence, known = col.lookup(raw["type_of_violence"], _fast_ged_type, pa.string())
    (start, start_plain), (end, end_plain) = col.lookup_together(
        [raw["date_start"], raw["date_end"]], col.fast_date, pa.date32()
    )
    plain &= known & start_plain & end_plain & col.mask(pc.greater_equal(end, start))
    year, year_agrees = col.fast_year(raw["year"], start, empty_allowed=False)
    plain &= year_agrees
    names = ("best", "low", "high", "deaths_civilians")
    deaths = {}
    counts = col.lookup_together([raw[name] for name in names], col.fast_count, pa.int64())
    for name, (values, counted) in zip(names, counts, strict=True):
        deaths[name] = values
        plain &= counted
    plain &= col.mask(pc.less_equal(deaths["low"], deaths["best"]))
    plain &= col.mask(pc.less_equal(deaths["best"], deaths["high"]))
    (actor1_id, actor1_plain), (actor2_id, actor2_plain) = col.lookup_together(
        [raw["side_a_new_id"], raw["side_b_new_id"]], col.fast_optional_int, pa.int64()
    )
    plain &= actor1_plain & actor2_plain
    nothing = pa.nulls(len(plain), pa.string())
    columns.update(
        date_start=start,
        date_end=end,
        year=year,
        actor1_ucdp_id=actor1_id,
        actor2_ucdp_id=actor2_id,
        assoc_actor1=nothing,
        assoc_actor2=nothing,
        violence_type=violence,
        event_type=nothing,
        sub_event_type=nothing,
        civilian_targeting=pc.equal(violence, ViolenceType.ONE_SIDED.value),
        deaths_best=deaths["best"],
        deaths_low=deaths["low"],
        deaths_high=deaths["high"],
        deaths_civilians=deaths["deaths_civilians"],
    )
    return columns, plain
