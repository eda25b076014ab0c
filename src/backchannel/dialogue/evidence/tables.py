"""From a raw table (a worksheet or a CSV file) to a typed pandas frame, or to the list of
everything wrong with it.

A reader declares its columns (name and parser); ``typed_frame`` checks the header, parses
every cell, and either returns the frame, with each row's line (CSV) or sheet row
(workbook) in ``row``, or raises one ``InvalidInputError`` naming the file and, for each
bad cell, its row, column and what was expected.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from backchannel.csv_records import csv_records
from backchannel.dialogue.evidence.cells import CellError, Parser
from backchannel.errors import InvalidInputError, Problem
from backchannel.xlsx import Cell, Sheet, read_first_sheet

__all__ = ["Column", "RawTable", "read_csv_table", "read_xlsx_table", "typed_frame"]

#: Problems listed in full before the rest are only counted: enough to see a pattern.
SHOWN_PROBLEMS = 25


@dataclass(frozen=True)
class Column:
    """A column a reader takes: its name in the file and the parser of its cells.

    An ``optional`` column may be absent from the file (its values are then all ``None``).
    """

    name: str
    parse: Parser[Any]
    optional: bool = False


@dataclass(frozen=True)
class RawTable:
    """A table as read: its source, the header and the line (or sheet row) it is on, and
    each non-blank row with its line."""

    source: str
    header_line: int
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]


def read_xlsx_table(path: str | Path, columns: Sequence[Column] | None = None) -> RawTable:
    """The first worksheet of a workbook, its first non-blank row taken as the header; with
    ``columns``, only those columns' cells are read."""
    keep = None if columns is None else {c.name for c in columns}
    sheet = read_first_sheet(path, keep)
    if not sheet.rows:
        raise InvalidInputError(str(path), [Problem("", "the first worksheet is empty")])
    header_line, header = sheet.rows[0]
    names = tuple("" if cell is None else str(cell).strip() for cell in header)
    return RawTable(str(path), header_line, names, sheet.rows[1:])


def read_csv_table(path: str | Path, columns: Sequence[Column] | None = None) -> RawTable:
    """A UTF-8 CSV file (byte-order mark or not); each record with the line it starts on,
    since quoted cells may span lines. Blank cells are read as blank (``None``). With
    ``columns``, the table holds only those columns (the first of each name)."""
    source = str(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            records = csv_records(handle, source)
            first = next(records, None)
            if first is None:
                raise InvalidInputError(source, [Problem("", "the file is empty")])
            header_line, header = first
            names = [(cell or "").strip() for cell in header]
            wanted = _positions(names, columns)
            rows = tuple(
                (line, tuple(_blank(fields[at]) if at < len(fields) else None for at in wanted))
                for line, fields in records
            )
    except OSError as error:
        problem = Problem("", f"cannot read the file: {error.strerror or error}")
        raise InvalidInputError(source, [problem]) from None
    except UnicodeDecodeError as error:
        problem = Problem("", f"not UTF-8 text ({error.reason} at byte {error.start})")
        raise InvalidInputError(source, [problem]) from None
    return RawTable(source, header_line, tuple(names[at] for at in wanted), rows)


def _positions(names: Sequence[str], columns: Sequence[Column] | None) -> list[int]:
    """The positions of the header to keep: all, or the first of each column asked for."""
    if columns is None:
        return list(range(len(names)))
    asked = {c.name for c in columns}
    first = {name: at for at, name in reversed(list(enumerate(names))) if name in asked}
    return sorted(first.values())


def _blank(field: str) -> str | None:
    return field if field.strip() else None


def typed_frame(
    table: RawTable,
    columns: Sequence[Column],
    *,
    what: str,
    missing: Collection[str] = (),
) -> pd.DataFrame:
    """Parse the table's rows into a frame with one column per ``columns`` entry plus ``row``.

    ``what`` names the data set in the message about a missing column. Cells whose text is
    one of ``missing`` (after stripping) are blank: each producer has its own marker for a
    missing value (UCDP's Stata exports write ``.``, R exports write ``NA``).
    """
    # the first column of a name wins; only the columns asked for are looked at
    first = {name: at for at, name in reversed(list(enumerate(table.header)))}
    positions = {c.name: first[c.name] for c in columns if c.name in first}
    absent = [c.name for c in columns if c.name not in first and not c.optional]
    if absent:
        message = f"required column of the {what} is missing"
        raise InvalidInputError(
            table.source, [Problem(name, message, table.header_line) for name in absent]
        )
    problems: list[Problem] = []
    values: dict[str, list[Any]] = {c.name: [] for c in columns}
    lines: list[int] = []
    for line, cells in table.rows:
        raw = {
            name: _blank_if_missing(Sheet.value(cells, at), missing)
            for name, at in positions.items()
        }
        parsed, row_problems = _parse_row(raw, columns, line)
        if row_problems:
            problems.extend(row_problems)
            continue
        for name, value in parsed.items():
            values[name].append(value)
        lines.append(line)
    if problems:
        raise InvalidInputError(table.source, _capped(problems))
    if not lines:
        problem = Problem("", f"the {what} holds no data rows under its header")
        raise InvalidInputError(table.source, [problem])
    frame = pd.DataFrame({name: pd.Series(vals, dtype=object) for name, vals in values.items()})
    frame["row"] = pd.Series(lines, dtype="int64")
    return frame


def _blank_if_missing(value: Cell, missing: Collection[str]) -> Cell:
    if isinstance(value, str) and value.strip() in missing:
        return None
    return value


def _parse_row(
    raw: dict[str, Cell], columns: Sequence[Column], line: int
) -> tuple[dict[str, Any], list[Problem]]:
    parsed: dict[str, Any] = {}
    problems: list[Problem] = []
    for column in columns:
        value = raw.get(column.name)
        try:
            parsed[column.name] = column.parse(value)
        except CellError as error:
            shown = "a blank cell" if value is None else repr(value)
            problems.append(Problem(column.name, f"expected {error.expected}, got {shown}", line))
    return parsed, problems


def _capped(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= SHOWN_PROBLEMS:
        return problems
    rest = len(problems) - SHOWN_PROBLEMS
    return [*problems[:SHOWN_PROBLEMS], Problem("", f"and {rest} more problem(s) like these")]
