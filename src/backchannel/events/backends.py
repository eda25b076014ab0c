"""Where the event indicators run: DuckDB embedded (default) or Spark for data beyond a machine.

The indicators are Ibis expressions; a backend only decides where they execute. DuckDB
needs nothing but the Python package. PySpark runs in local mode here (``local[2]``) and
against a cluster in production; it needs Java 17 and starts in about 15 s, so it pays off
only when the events no longer fit one machine's memory (hundreds of millions of rows).

``run_indicator`` runs an indicator on an event table. Building an indicator's Ibis
expression and compiling it to SQL takes Python 15 to 250 ms, several times what DuckDB
then needs to run it on a country's events (benchmarks/indicators.py); so on DuckDB the
expression is built and compiled once per indicator, options and event schema, on a
stand-in table, and the SQL run on each event table given. The result is the same as
``execute`` on the expression built for that table.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from backchannel.errors import ConfigurationError
from backchannel.events.parquet import load_events, scannable_as_stored
from backchannel.events.schema import EVENT_SCHEMA


class Backend(StrEnum):
    """The execution engines the indicators are tested on."""

    DUCKDB = "duckdb"
    PYSPARK = "pyspark"


def connect(backend: Backend = Backend.DUCKDB, spark_session: Any | None = None) -> Any:
    """An Ibis connection for ``backend``; Spark reuses ``spark_session`` when given."""
    if backend is Backend.DUCKDB:
        return ibis.duckdb.connect()
    try:
        from pyspark.sql import SparkSession  # noqa: PLC0415 - optional, heavy: only when asked for
    except ImportError:
        raise ConfigurationError(
            "the pyspark backend needs the pyspark package (pip install pyspark) and Java 17"
        ) from None
    session = spark_session or local_spark_session(SparkSession)
    return ibis.pyspark.connect(session)


def local_spark_session(session_class: Any, cores: int = 2) -> Any:
    """A Spark session on this machine only: loopback driver, no UI, few shuffle partitions."""
    return (
        session_class.builder.master(f"local[{cores}]")
        .appName("backchannel-events")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )


def event_table(events: pa.Table) -> ibis.Table:
    """An Arrow event table as an Ibis table that any backend can execute.

    A memtable is registered by each backend when an expression runs on it (DuckDB
    scans the Arrow data in place; Spark makes a temporary view), which avoids
    ``create_table`` paths that differ between backends.
    """
    return ibis.memtable(events)


def execute(connection: Any, expression: ibis.Table) -> pa.Table:
    """Run an expression on a connection and return the result as Arrow."""
    return connection.to_pyarrow(expression)


#: The name the events go by in an indicator's SQL compiled once (``run_indicator``).
EVENTS_STAND_IN = "backchannel_events_stand_in"
#: The query parameter that names a stored event file in that SQL.
EVENTS_FILE_PARAMETER = "backchannel_events_file"
#: Compiled indicators kept per process: indicators, times their option sets.
PREPARED_INDICATORS = 64


@dataclass(frozen=True)
class PreparedIndicator:
    """An indicator built on a stand-in event table and compiled to DuckDB SQL once:
    ``sql`` reads the table registered under ``EVENTS_STAND_IN``, ``file_sql`` scans the
    Parquet file given as the parameter ``EVENTS_FILE_PARAMETER``."""

    sql: str
    file_sql: str
    schema: pa.Schema  # the result's, as the Ibis expression types it


def run_indicator(
    connection: Any,
    indicator: Callable[..., ir.Table],
    events: pa.Table | Path,
    **options: Hashable,
) -> pa.Table:
    """``indicator(event_table(events), **options)`` run on ``connection``, as Arrow.

    ``events`` is an event table, or a stored event file (``parquet.store_events``). On
    DuckDB the expression is built and compiled once per indicator, options and event
    schema (see the module docstring); DuckDB scans the table in place, or the file when
    it is in the current layout (else it is read with ``load_events``, which completes an
    older layout or names what is wrong). Other backends build and run the expression on
    every call. Not for concurrent use of one DuckDB connection (no DuckDB use is).
    """
    if getattr(connection, "name", None) != Backend.DUCKDB.value:
        table = load_events(events) if isinstance(events, Path) else events
        return execute(connection, indicator(event_table(table), **options))
    duckdb = connection.con
    if isinstance(events, Path) and scannable_as_stored(events):
        prepared = prepare_indicator(indicator, tuple(sorted(options.items())), EVENT_SCHEMA)
        parameters = {EVENTS_FILE_PARAMETER: str(events)}
        result = duckdb.execute(prepared.file_sql, parameters).to_arrow_table()
    else:
        table = load_events(events) if isinstance(events, Path) else events
        prepared = prepare_indicator(indicator, tuple(sorted(options.items())), table.schema)
        duckdb.register(EVENTS_STAND_IN, table)
        try:
            result = duckdb.execute(prepared.sql).to_arrow_table()
        finally:
            duckdb.unregister(EVENTS_STAND_IN)
    # DuckDB sums integers as 128-bit ones; the expression's types are what callers read
    return result if result.schema == prepared.schema else result.cast(prepared.schema)


@functools.lru_cache(maxsize=PREPARED_INDICATORS)
def prepare_indicator(
    indicator: Callable[..., ir.Table],
    options: tuple[tuple[str, Hashable], ...],
    schema: pa.Schema,
) -> PreparedIndicator:
    """The indicator with these options, built on a stand-in table of ``schema`` and
    compiled to DuckDB SQL (remembered: the same arguments give the same SQL)."""
    stand_in = ibis.table(ibis.schema(schema), name=EVENTS_STAND_IN)
    expression = indicator(stand_in, **dict(options))
    sql = str(ibis.to_sql(expression, dialect="duckdb"))
    reference = f'"{EVENTS_STAND_IN}"'
    if sql.count(reference) < 1:
        raise ValueError(f"{indicator.__name__} does not read the events it is given")
    return PreparedIndicator(
        sql=sql,
        # the stand-in's name is quoted wherever the SQL reads the table, and nowhere else
        # (no column or alias of the event schema or of an indicator bears it)
        file_sql=sql.replace(reference, f"read_parquet(${EVENTS_FILE_PARAMETER})"),
        schema=expression.schema().to_pyarrow(),
    )
