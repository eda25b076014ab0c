"""The event store: one Parquet file per ingested source file, plus a JSON sidecar.

``store_events`` writes ``<data_dir>/events/<stem>.parquet`` and ``<stem>.json`` (counts,
source file, its sha256 and encoding). Both are written to temporary files first and moved
into place with ``os.replace``, so a failed write leaves the previous files intact.
``load_events`` reads a stored file back and refuses one whose schema is not
``EVENT_SCHEMA``. ``scannable_as_stored`` tells, from the file's footer alone, whether a
query engine may scan the file in place: it is in ``EVENT_SCHEMA`` exactly.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from backchannel.errors import InvalidInputError, Problem
from backchannel.events.readers import ReadResult
from backchannel.events.schema import ADDED_COLUMNS, EVENT_SCHEMA

__all__ = ["EVENTS_DIR", "load_events", "scannable_as_stored", "sidecar_path", "store_events"]

EVENTS_DIR = "events"
"""Folder under the data directory that holds the stored event files."""


def store_events(result: ReadResult, data_dir: str | Path) -> Path:
    """Store ``result.events`` as ``<data_dir>/events/<stem>.parquet`` and return its path.

    ``<stem>`` is the source file's name without its extension: ingesting the same file
    again replaces the earlier copy. The sidecar ``<stem>.json`` records the counts, the
    source file, its sha256 and encoding, and the Parquet file's own sha256.
    """
    if not result.source_file:
        raise ValueError("the result does not name its source file")
    folder = Path(data_dir) / EVENTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{Path(result.source_file).stem}.parquet"
    with _staged(target) as staging:
        pq.write_table(result.events, staging, compression="zstd")
        parquet_sha256 = _sha256(staging)
        with _staged(sidecar_path(target)) as sidecar:
            sidecar.write_text(_sidecar_text(result, parquet_sha256), encoding="utf-8")
            os.replace(staging, target)
            os.replace(sidecar, sidecar_path(target))
    return target


def load_events(path: str | Path) -> pa.Table:
    """Read a stored event file; ``InvalidInputError`` when it is unreadable or its schema
    is not ``EVENT_SCHEMA``."""
    file = str(path)
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise InvalidInputError(file, [Problem("", f"not a readable Parquet file: {exc}")]) from exc
    table = _with_added_columns(table)
    problems = _schema_problems(table.schema)
    if problems:
        raise InvalidInputError(file, problems)
    return table.replace_schema_metadata(None)


def scannable_as_stored(path: str | Path) -> bool:
    """Whether the stored file is in ``EVENT_SCHEMA`` exactly, read from its footer only,
    so that DuckDB may scan it in place and give what ``load_events`` would.

    False for every other file: one stored before the newer columns existed (which
    ``load_events`` completes), and one that is unreadable or of another layout (for
    which ``load_events`` raises the error naming what is wrong).
    """
    try:
        schema = pq.read_schema(path)
    except (OSError, pa.ArrowException):
        return False
    return not _schema_problems(schema)


def sidecar_path(parquet_path: Path) -> Path:
    """The JSON sidecar that describes a stored event file."""
    return parquet_path.with_suffix(".json")


@contextlib.contextmanager
def _staged(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``, removed afterwards unless it was moved into place."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    staging = Path(name)
    try:
        yield staging
    finally:
        staging.unlink(missing_ok=True)


def _sidecar_text(result: ReadResult, parquet_sha256: str) -> str:
    record = {
        "format": result.format,
        "source_file": result.source_file,
        "source_sha256": result.sha256,
        "encoding": result.encoding,
        "rows_read": result.rows_read,
        "accepted": result.accepted,
        "rejected": len(result.rejected),
        "warnings": len(result.warnings),
        "parquet_sha256": parquet_sha256,
    }
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _with_added_columns(table: pa.Table) -> pa.Table:
    """A file stored before the newer nullable columns existed, with them as nulls, in
    ``EVENT_SCHEMA`` order (any other difference is left for the schema check to name)."""
    missing = [name for name in ADDED_COLUMNS if table.schema.get_field_index(name) < 0]
    if not missing:
        return table
    for name in missing:
        field = EVENT_SCHEMA.field(name)
        table = table.append_column(field, pa.nulls(table.num_rows, field.type))
    known = [name for name in EVENT_SCHEMA.names if table.schema.get_field_index(name) >= 0]
    extra = [name for name in table.schema.names if EVENT_SCHEMA.get_field_index(name) < 0]
    return table.select(known + extra)


def _schema_problems(schema: pa.Schema) -> list[Problem]:
    problems: list[Problem] = []
    for expected in EVENT_SCHEMA:
        index = schema.get_field_index(expected.name)
        if index < 0:
            problems.append(Problem(expected.name, f"missing column (expected {expected.type})"))
            continue
        found = schema.field(index)
        if found.type != expected.type or found.nullable != expected.nullable:
            problems.append(
                Problem(
                    expected.name,
                    f"expected {expected.type}{'' if expected.nullable else ' not null'}, "
                    f"found {found.type}{'' if found.nullable else ' not null'}",
                )
            )
    extra = [name for name in schema.names if EVENT_SCHEMA.get_field_index(name) < 0]
    problems.extend(Problem(name, "unexpected column") for name in extra)
    if not problems and schema.names != EVENT_SCHEMA.names:
        problems.append(Problem("", "columns are not in EVENT_SCHEMA order"))
    return problems
