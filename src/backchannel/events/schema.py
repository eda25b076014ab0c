"""The internal event table that GED and ACLED both map onto.

One row per event. Column names, types and meanings are data here, so readers, the Parquet
store and the Ibis indicators agree on one layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pyarrow as pa
import pyarrow.compute as pc


class ViolenceType(StrEnum):
    """UCDP's three types of organised violence, plus events outside them (ACLED)."""

    STATE_BASED = "state_based"  # GED type 1; ACLED battles involving state forces
    NON_STATE = "non_state"  # GED type 2; ACLED battles between non-state groups
    ONE_SIDED = "one_sided"  # GED type 3; ACLED violence against civilians
    OTHER = "other"  # ACLED explosions, riots, protests, strategic developments


@dataclass(frozen=True)
class Column:
    """One column of the event table."""

    name: str
    type: pa.DataType
    description: str
    nullable: bool = True


EVENT_COLUMNS: tuple[Column, ...] = (
    Column("event_id", pa.string(), "GED id or ACLED event_id_cnty, prefixed by the source", False),
    Column("source", pa.string(), "'ged' or 'acled'", False),
    Column("date_start", pa.date32(), "first day of the event", False),
    Column("date_end", pa.date32(), "last day of the event (= date_start when one day)", False),
    Column("year", pa.int32(), "year of date_start", False),
    Column("country", pa.string(), "country name as the source writes it", False),
    Column("admin1", pa.string(), "first-level administrative area"),
    Column("admin2", pa.string(), "second-level administrative area"),
    Column("latitude", pa.float64(), "WGS84 latitude"),
    Column("longitude", pa.float64(), "WGS84 longitude"),
    Column(
        "actor1",
        pa.string(),
        "GED side_a / ACLED actor1 (for one-sided violence: the perpetrator)",
        False,
    ),
    Column("actor2", pa.string(), "GED side_b / ACLED actor2"),
    Column("actor1_ucdp_id", pa.int64(), "UCDP actor id of actor1 (GED side_a_new_id)"),
    Column("actor2_ucdp_id", pa.int64(), "UCDP actor id of actor2 (GED side_b_new_id)"),
    Column(
        "assoc_actor1",
        pa.string(),
        "ACLED assoc_actor_1 as written (actors acting with actor1, separated by ';')",
    ),
    Column("assoc_actor2", pa.string(), "ACLED assoc_actor_2 as written (with actor2)"),
    Column("violence_type", pa.string(), "a ViolenceType value", False),
    Column("event_type", pa.string(), "ACLED event_type as written (GED: none)"),
    Column("sub_event_type", pa.string(), "ACLED sub_event_type as written (GED: none)"),
    Column(
        "civilian_targeting",
        pa.bool_(),
        "civilians were the target (GED type 3; ACLED flag)",
        False,
    ),
    Column("deaths_best", pa.int64(), "best fatality estimate (ACLED: fatalities)", False),
    Column("deaths_low", pa.int64(), "low estimate (ACLED: fatalities)", False),
    Column("deaths_high", pa.int64(), "high estimate (ACLED: fatalities)", False),
    Column(
        "deaths_civilians",
        pa.int64(),
        "civilian deaths (GED deaths_civilians; ACLED: fatalities of civilian-targeting events)",
        False,
    ),
    Column("source_file", pa.string(), "file the event was read from", False),
    Column("source_line", pa.int64(), "1-based line of the event in that file", False),
)

EVENT_SCHEMA = pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in EVENT_COLUMNS])

ADDED_COLUMNS: frozenset[str] = frozenset(
    {"assoc_actor1", "assoc_actor2", "event_type", "sub_event_type"}
)
"""Nullable columns added after event files were first stored: a stored file without them
reads as if every value were missing."""


def combine_event_tables(tables: list[pa.Table]) -> pa.Table:
    """The events of several tables, each event id once (its first occurrence kept).

    Data sets overlap: a country extract and a global sample of GED share events, and
    counting a shared event twice would inflate every death toll read from the sum.
    """
    combined = pa.concat_tables(tables)
    if combined.num_rows == 0:
        return combined
    numbered = combined.append_column("__row", pa.array(range(combined.num_rows), pa.int64()))
    first = numbered.group_by("event_id", use_threads=False).aggregate([("__row", "min")])
    keep = pc.sort_indices(first, sort_keys=[("__row_min", "ascending")])
    return combined.take(pc.take(first.column("__row_min"), keep))
