"""Where the event indicators run: DuckDB embedded (default) or Spark for data beyond a machine.

The indicators are Ibis expressions; a backend only decides where they execute. DuckDB
needs nothing but the Python package. PySpark runs in local mode here (``local[2]``) and
against a cluster in production; it needs Java 17 and starts in about 15 s, so it pays off
only when the events no longer fit one machine's memory (hundreds of millions of rows).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import ibis
import pyarrow as pa

from backchannel.errors import ConfigurationError


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
