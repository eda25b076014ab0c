"""CSV records with the line each starts on, for readers that must name a bad row's line.

The csv module counts physical lines (a quoted cell may span several), so a record's first
line is one past where the previous record ended. Shared by the readers of UCDP's dyadic
file, of OFAC's list files and of the evidence panel's CSV files.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import TextIO

from backchannel.errors import InvalidInputError, Problem


def csv_records(
    handle: TextIO, source: str, *, skip_blank_cells: bool = True
) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the line it starts on; empty lines are skipped, and so are
    records whose cells are all blank unless ``skip_blank_cells`` is false.

    A record the csv module cannot read (e.g. a cell over its size limit) raises
    ``InvalidInputError`` naming ``source`` and the line.
    """
    reader = csv.reader(handle)
    previous_end = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problem = Problem("", f"not readable as CSV: {error}", previous_end + 1)
            raise InvalidInputError(source, [problem]) from None
        start, previous_end = previous_end + 1, reader.line_num
        if not fields:
            continue
        if skip_blank_cells and not any(field.strip() for field in fields):
            continue
        yield start, fields
