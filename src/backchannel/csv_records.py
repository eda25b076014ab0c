"""CSV records with the lines each spans, for readers that must name a bad row's line.

The csv module counts physical lines (a quoted cell may span several), so a record's first
line is one past where the previous record ended. Every CSV reader of the package finds
its records' lines here: the event readers (for the records their fast splitter leaves
to the csv module), UCDP's actor, conflict and dyadic lists, the actor crosswalk, OFAC's
list files, actor maps, the data-set layout checks and the evidence panel's CSV files.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import NamedTuple, TextIO

from backchannel.errors import InvalidInputError, Problem

__all__ = ["CsvRecord", "csv_records", "records_with_lines"]


class CsvRecord(NamedTuple):
    """One CSV record: the lines it spans and its fields, or the csv module's complaint
    (``error``, with no fields)."""

    first_line: int
    last_line: int
    fields: list[str]
    error: str | None


def records_with_lines(
    lines: Iterable[str], *, first_line: int = 1, strict: bool = False
) -> Iterator[CsvRecord]:
    """Each record ``csv.reader`` reads from ``lines`` (text split with ``newline=""``,
    the first being line ``first_line``), with the lines it spans; empty lines are no
    record. A record the csv module cannot read comes as one with an ``error``, and
    reading goes on after it (with ``strict``, the csv module's strict quoting)."""
    reader = csv.reader(lines, strict=strict)
    previous_end = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield CsvRecord(
                first_line + previous_end, first_line + reader.line_num - 1, [], str(error)
            )
        else:
            if fields:
                yield CsvRecord(
                    first_line + previous_end, first_line + reader.line_num - 1, fields, None
                )
        previous_end = reader.line_num


def csv_records(
    handle: TextIO, source: str, *, skip_blank_cells: bool = True, strict: bool = False
) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the line it starts on; empty lines are skipped, and so are
    records whose cells are all blank unless ``skip_blank_cells`` is false.

    A record the csv module cannot read (e.g. a cell over its size limit, or with
    ``strict`` a stray quote) raises ``InvalidInputError`` naming ``source`` and the line.
    """
    for record in records_with_lines(handle, strict=strict):
        if record.error is not None:
            problem = Problem("", f"not readable as CSV: {record.error}", record.first_line)
            raise InvalidInputError(source, [problem]) from None
        if skip_blank_cells and not any(field.strip() for field in record.fields):
            continue
        yield record.first_line, record.fields
