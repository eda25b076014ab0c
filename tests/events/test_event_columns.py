"""The event table's ACLED-native columns: event types and associated actors kept as
written, nothing invented for GED, and event files stored before these columns existed."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from backchannel.errors import InvalidInputError
from backchannel.events.parquet import load_events, store_events
from backchannel.events.readers import read_acled, read_ged
from backchannel.events.schema import ADDED_COLUMNS, EVENT_SCHEMA
from tests.events.conftest import CAR_GED
from tests.fixtures.acled import acled_rows, write_acled_csv


def test_acled_types_and_associated_actors_are_kept_as_written(tmp_path: Path) -> None:
    rows = acled_rows(40, seed=3)
    rows[0].fields["assoc_actor_1"] = "Anti-Balaka; Ex-Seleka: FPRC"
    rows[1].fields["assoc_actor_2"] = "Civilians (Central African Republic)"
    rows[2].fields["assoc_actor_1"] = " Anti-Balaka "  # padding is stripped
    result = read_acled(write_acled_csv(tmp_path / "acled.csv", rows))
    assert result.accepted == 40
    by_id = {row["event_id"]: row for row in result.events.to_pylist()}
    first, second, third = (by_id[f"acled:{r.fields['event_id_cnty']}"] for r in rows[:3])
    assert first["assoc_actor1"] == "Anti-Balaka; Ex-Seleka: FPRC"
    assert second["assoc_actor2"] == "Civilians (Central African Republic)"
    assert third["assoc_actor1"] == "Anti-Balaka"
    for written in rows:
        row = by_id[f"acled:{written.fields['event_id_cnty']}"]
        assert row["event_type"] == written.fields["event_type"]
        assert row["sub_event_type"] == written.fields["sub_event_type"]


def test_ged_events_have_no_acled_type_nor_associates(mirror: Path) -> None:
    events = read_ged(mirror / CAR_GED).events
    for name in ADDED_COLUMNS:
        assert events[name].null_count == events.num_rows, name


def test_an_event_file_stored_before_the_new_columns_still_loads(tmp_path: Path) -> None:
    result = read_acled(write_acled_csv(tmp_path / "old.csv", acled_rows(12, seed=5)))
    stored = store_events(result, tmp_path / "data")
    older = result.events.drop_columns(sorted(ADDED_COLUMNS))
    pq.write_table(older, stored)
    loaded = load_events(stored)
    assert loaded.schema.equals(EVENT_SCHEMA)
    assert loaded.num_rows == 12
    assert all(loaded[name].null_count == 12 for name in ADDED_COLUMNS)
    kept = [n for n in EVENT_SCHEMA.names if n not in ADDED_COLUMNS]
    assert loaded.select(kept).equals(older.select(kept))


def test_a_stored_file_with_a_wrong_new_column_is_still_refused(tmp_path: Path) -> None:
    result = read_acled(write_acled_csv(tmp_path / "bad.csv", acled_rows(3, seed=1)))
    stored = store_events(result, tmp_path / "data")
    index = EVENT_SCHEMA.get_field_index("event_type")
    broken = result.events.set_column(
        index, pa.field("event_type", pa.int64()), pa.array([1, 2, 3], pa.int64())
    )
    pq.write_table(broken, stored)
    with pytest.raises(InvalidInputError) as refused:
        load_events(stored)
    assert any(problem.location == "event_type" for problem in refused.value.problems)
