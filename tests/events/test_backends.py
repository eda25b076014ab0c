"""The same Ibis indicators on DuckDB and on PySpark (local mode) give identical results."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa
import pytest

from backchannel.events import indicators
from backchannel.events.backends import Backend, connect, event_table, execute
from backchannel.events.escalation_flags import flag_escalations

# Spark takes seconds to start and each comparison runs a Spark job.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def spark_connection() -> Iterator[Any]:
    """One Spark session for the whole test run (it takes about 10 s to start)."""
    pytest.importorskip("pyspark")
    connection = connect(Backend.PYSPARK)
    yield connection
    connection._session.stop()


def _canonical(table: pa.Table, keys: list[str]) -> list[dict[str, Any]]:
    rows = table.to_pylist()
    for row in rows:
        for name, value in row.items():
            if isinstance(value, float):
                row[name] = round(value, 9)
            elif isinstance(value, list):
                row[name] = sorted(value)
    return sorted(rows, key=lambda r: tuple(str(r[k]) for k in keys))


#: indicator name -> (expression built from the event table, key columns of its rows)
EXPRESSIONS: dict[str, tuple[Callable[[ir.Table], ir.Table], list[str]]] = {
    "actor_month": (indicators.actor_month, ["actor", "month"]),
    "area_month_admin1": (lambda t: indicators.area_month(t, "admin1"), ["admin1", "month"]),
    # civilian deaths: the windowed variance, the events behind the deaths and the floor
    "escalation": (
        lambda t: indicators.escalation(indicators.actor_month(t)),
        ["actor", "month"],
    ),
    "escalation_civilian_events": (
        lambda t: indicators.escalation(indicators.actor_month(t), "civilian_events"),
        ["actor", "month"],
    ),
    "escalation_admin1_deaths": (
        lambda t: indicators.escalation(indicators.area_month(t, "admin1"), "deaths_best"),
        ["admin1", "month"],
    ),
    "threshold_crossings": (
        indicators.threshold_crossings,
        ["unit_kind", "unit", "threshold", "crossing"],
    ),
}


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_duckdb_and_spark_agree_on_car(
    name: str, car_events: pa.Table, spark_connection: Any
) -> None:
    build, keys = EXPRESSIONS[name]
    expression = build(event_table(car_events))
    on_duckdb = execute(connect(Backend.DUCKDB), expression)
    on_spark = execute(spark_connection, expression)
    keys = [k for k in keys if k in on_duckdb.column_names]
    assert on_duckdb.num_rows > 0
    assert on_duckdb.column_names == on_spark.column_names
    assert _canonical(on_duckdb, keys) == _canonical(on_spark, keys)
    if name.startswith("escalation"):
        # and the p-values and grades computed from them agree too
        flagged = [flag_escalations(t) for t in (on_duckdb, on_spark)]
        grades = [
            _canonical(t.select([*keys, "p_value", "strength", "reason"]), keys) for t in flagged
        ]
        assert grades[0] == grades[1]
