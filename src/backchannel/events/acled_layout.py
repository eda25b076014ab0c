"""ACLED's CSV export layout and its mapping onto the event table, per record and column-wise."""

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
    parse_date,
    required_text,
    show,
)
from backchannel.events.schema import ViolenceType

__all__ = ["ACLED_COLUMNS", "ACLED_REQUIRED", "ACLED_USED", "acled_columns", "acled_event"]

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


def acled_event(row: Row, strict_bounds: bool) -> Event:
    """Map one ACLED row.

    Battles are state-based when either side is state forces (inter code 1, or the label
    "State forces" of newer exports), else non-state; violence against civilians is
    one-sided; every other event type is ``other``. Civilian targeting comes from the
    ``civilian_targeting`` column or the event type; all fatalities count as deaths_best,
    low and high, and as civilian deaths when civilians were targeted.
    """
    raw_id = required_text(row, "event_id_cnty", "event id")
    event_id = f"acled:{raw_id}"
    event_type = row["event_type"].lower()
    if event_type not in _EVENT_TYPES:
        raise RowRejected(
            f"unknown event_type {show(row['event_type'])} (expected one of ACLED's: Battles, "
            "Violence against civilians, Explosions/Remote violence, Riots, Protests, "
            "Strategic developments)"
        )
    start = parse_date(row, "event_date", long_form=True)
    check_year(row, event_id, start)
    fatalities = count(row, "fatalities")
    targeting = _civilian_targeting(row, event_id, event_type)
    return Event(
        event_id=event_id,
        source="acled",
        date_start=start,
        date_end=start,
        year=start.year,
        country=required_text(row, "country", "country"),
        admin1=row["admin1"] or None,
        admin2=row["admin2"] or None,
        latitude=coordinate(row, "latitude", 90.0),
        longitude=coordinate(row, "longitude", 180.0),
        actor1=required_text(row, "actor1", "perpetrator"),
        actor2=row["actor2"] or None,
        actor1_ucdp_id=None,
        actor2_ucdp_id=None,
        assoc_actor1=row["assoc_actor_1"] or None,
        assoc_actor2=row["assoc_actor_2"] or None,
        violence_type=_violence_type(row, event_type).value,
        event_type=row["event_type"],
        sub_event_type=row["sub_event_type"] or None,
        civilian_targeting=targeting,
        deaths_best=fatalities,
        deaths_low=fatalities,
        deaths_high=fatalities,
        deaths_civilians=fatalities if targeting else 0,
        source_file=row.file,
        source_line=row.line,
    )


def _violence_type(row: Row, event_type: str) -> ViolenceType:
    if event_type == _VAC:
        return ViolenceType.ONE_SIDED
    if event_type != _BATTLES:
        return ViolenceType.OTHER
    if _is_state_forces(row["inter1"]) or _is_state_forces(row["inter2"]):
        return ViolenceType.STATE_BASED
    return ViolenceType.NON_STATE


def _is_state_forces(inter: str) -> bool:
    return inter == "1" or inter.lower() == "state forces"


def _civilian_targeting(row: Row, event_id: str, event_type: str) -> bool:
    flag = row["civilian_targeting"].lower()
    if flag not in ("", "civilian targeting"):
        row.warn(event_id, f"civilian_targeting {show(row['civilian_targeting'])} not understood")
    return flag == "civilian targeting" or event_type == _VAC


def _fast_event_type(text: str) -> object:
    event_type = text.lower()
    return event_type if event_type in _EVENT_TYPES else col.NOT_FAST


def _fast_targeting_flag(text: str) -> object:
    flag = text.lower()
    return flag == "civilian targeting" if flag in ("", "civilian targeting") else col.NOT_FAST


def acled_columns(raw: dict[str, pa.Array]) -> tuple[col.FastColumns, np.ndarray]:
    """``acled_event`` column-wise, for the rows that need neither a reason nor a warning."""
    columns, plain = col.fast_common(raw, "acled", "event_id_cnty", "actor1", "actor2")
    event_type, known = col.lookup(raw["event_type"], _fast_event_type, pa.string())
    start, start_plain = col.lookup(raw["event_date"], col.fast_long_date, pa.date32())
    year, year_agrees = col.fast_year(raw["year"], start, empty_allowed=True)
    fatalities, counted = col.lookup(raw["fatalities"], col.fast_count, pa.int64())
    flag, flag_plain = col.lookup(raw["civilian_targeting"], _fast_targeting_flag, pa.bool_())
    plain &= known & start_plain & year_agrees & counted & flag_plain
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
    targeting = pc.or_(flag, vac)
    columns.update(
        date_start=start,
        date_end=start,
        year=year,
        actor1_ucdp_id=pa.nulls(len(plain), pa.int64()),
        actor2_ucdp_id=pa.nulls(len(plain), pa.int64()),
        assoc_actor1=col.null_if_empty(raw["assoc_actor_1"]),
        assoc_actor2=col.null_if_empty(raw["assoc_actor_2"]),
        violence_type=violence,
        event_type=raw["event_type"],
        sub_event_type=col.null_if_empty(raw["sub_event_type"]),
        civilian_targeting=targeting,
        deaths_best=fatalities,
        deaths_low=fatalities,
        deaths_high=fatalities,
        deaths_civilians=pc.if_else(targeting, fatalities, 0),
    )
    return columns, plain
