"""``run_indicator``: an indicator compiled once gives what its expression gives, on the
real GED events, from an Arrow table or a stored Parquet file of any layout."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from backchannel.errors import InvalidInputError
from backchannel.events import indicators
from backchannel.events.backends import connect, event_table, prepare_indicator, run_indicator
from backchannel.events.parquet import load_events, scannable_as_stored, store_events
from backchannel.events.readers import read_ged
from backchannel.events.schema import ADDED_COLUMNS, EVENT_SCHEMA
from tests.conftest import mirror_path

INDICATORS: dict[str, tuple[Callable[..., ir.Table], dict[str, Any]]] = {
    "actor_month": (indicators.actor_month, {}),
    "actor_month_both_sides": (indicators.actor_month, {"include_actor2": True}),
    "area_month_country": (indicators.area_month, {"level": "country", "evidence": False}),
    "actor_escalation": (indicators.actor_escalation, {"value": "civilian_events"}),
    "area_escalation": (indicators.area_escalation, {"value": "deaths_best"}),
    "threshold_crossings": (indicators.threshold_crossings, {}),
}


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    mirror = mirror_path()
    if mirror is None:
        pytest.skip("no data mirror")
    result = read_ged(mirror / "ucdp" / "ged231_central_african_republic.csv")
    return store_events(result, tmp_path_factory.mktemp("events"))


@pytest.mark.parametrize("name", sorted(INDICATORS))
def test_compiled_once_gives_what_the_expression_gives(stored: Path, name: str) -> None:
    indicator, options = INDICATORS[name]
    connection = connect()
    events = load_events(stored)
    expected = connection.to_pyarrow(indicator(event_table(events), **options))
    assert expected.num_rows > 0
    from_file = run_indicator(connection, indicator, stored, **options)
    from_table = run_indicator(connection, indicator, events, **options)
    again = run_indicator(connection, indicator, stored, **options)  # from the compiled SQL
    for result in (from_file, from_table, again):
        assert result.schema == expected.schema
        assert result.equals(expected)


def test_the_compiled_sql_is_remembered_per_options() -> None:
    first = prepare_indicator(indicators.actor_month, (("evidence", False),), EVENT_SCHEMA)
    same = prepare_indicator(indicators.actor_month, (("evidence", False),), EVENT_SCHEMA)
    other = prepare_indicator(indicators.actor_month, (), EVENT_SCHEMA)
    assert first is same and other is not first
    assert "event_ids" in other.schema.names and "event_ids" not in first.schema.names


def test_a_file_of_the_older_layout_is_completed_first(stored: Path, tmp_path: Path) -> None:
    older = tmp_path / "older.parquet"
    table = pq.read_table(stored)
    pq.write_table(table.drop_columns(sorted(ADDED_COLUMNS)), older)
    assert not scannable_as_stored(older)
    connection = connect()
    result = run_indicator(connection, indicators.area_month, older, level="country")
    expected = run_indicator(connection, indicators.area_month, stored, level="country")
    assert result.equals(expected)


def test_a_file_of_another_layout_is_refused_by_name(stored: Path, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.parquet"
    table = pq.read_table(stored)
    pq.write_table(table.drop_columns(["deaths_best"]), wrong)
    with pytest.raises(InvalidInputError) as refused:
        run_indicator(connect(), indicators.actor_month, wrong)
    assert refused.value.source == str(wrong)
    assert any(p.location == "deaths_best" for p in refused.value.problems)
    not_parquet = tmp_path / "not.parquet"
    not_parquet.write_text("event_id\n1\n")
    with pytest.raises(InvalidInputError):
        run_indicator(connect(), indicators.actor_month, not_parquet)


def test_the_events_are_not_left_registered(stored: Path) -> None:
    connection = connect()
    run_indicator(connection, indicators.actor_month, load_events(stored), evidence=False)
    run_indicator(connection, indicators.actor_month, stored, evidence=False)
    views = connection.con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal"
    ).fetchall()
    tables = connection.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    assert views == [] and tables == []


def test_an_empty_table_gives_an_empty_result() -> None:
    empty = pa.Table.from_pylist([], schema=EVENT_SCHEMA)
    result = run_indicator(connect(), indicators.actor_month, empty)
    assert result.num_rows == 0 and "actor" in result.schema.names
