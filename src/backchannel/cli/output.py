"""How commands print data: tables that read at 80 columns, JSON, and CSV.

A command describes each table once, as a ``Listing`` of ``Column`` s and rows; the same
listing is printed as a rich table (the essential columns only, unless ``--wide``), as
CSV (every column, one header line) or, for commands that have no JSON document of their
own, as JSON (a list of objects keyed by the columns' keys).

Tables are laid out for the terminal's width: no column is narrower than the longest
word of its header, so a header is never split inside a word; long cells wrap on words
and fold a word longer than the column.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class OutputFormat(StrEnum):
    """How a command prints data."""

    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="Print as a table, as JSON or as CSV (every column)."),
]
WideOption = Annotated[
    bool,
    typer.Option(
        "--wide", help="Show every column in tables (they may not fit 80 characters then)."
    ),
]


@dataclass(frozen=True)
class Column:
    """One column: its stable key (JSON and CSV), its header, and how the table shows it.

    ``wide`` columns are left out of the table unless ``--wide`` is given (JSON and CSV
    always have them); ``max_width`` caps a column whose cells would crowd out the others.
    """

    key: str
    header: str = ""
    wide: bool = False
    max_width: int | None = None
    numeric: bool = False

    @property
    def title(self) -> str:
        """The header as printed: the given one, else the key with spaces for underscores."""
        return self.header or self.key.replace("_", " ")

    @property
    def narrowest(self) -> int:
        """The narrowest the column may be: its header's longest word stays whole."""
        return max(len(word) for word in self.title.split()) if self.title.strip() else 1


def columns_of(specs: Iterable[str | Column]) -> tuple[Column, ...]:
    """Columns from specs; a plain string is a column keyed by it with spaces as underscores."""
    return tuple(
        spec if isinstance(spec, Column) else Column(spec.replace(" ", "_"), spec) for spec in specs
    )


@dataclass(frozen=True)
class Listing:
    """A table of rows under a title; ``name`` tells its rows apart in a CSV of several."""

    title: str
    columns: tuple[Column, ...]
    rows: list[list[Any]] = field(default_factory=list)
    name: str = ""

    def __post_init__(self) -> None:
        keys = [column.key for column in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"table {self.title!r}: column keys repeat: {keys}")
        for number, row in enumerate(self.rows, 1):
            if len(row) != len(keys):
                raise ValueError(
                    f"table {self.title!r}, row {number}: {len(row)} cells for {len(keys)} columns"
                )

    def records(self) -> list[dict[str, Any]]:
        """The rows as objects keyed by the columns' keys, every column included."""
        keys = [column.key for column in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]


def listing(
    title: str, columns: Sequence[str | Column], rows: list[list[Any]], name: str = ""
) -> Listing:
    """A ``Listing`` from column specs (strings or ``Column`` s)."""
    return Listing(title, columns_of(columns), rows, name)


def _cell_text(cell: Any) -> str:
    return "" if cell is None else str(cell)


#: Columns never grow past this to keep a word whole: longer words (addresses) fold.
LONGEST_WHOLE_WORD = 20


def _longest_word(text: str) -> int:
    return max((cell_len(word) for word in text.split()), default=0)


def _longest_line(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)


def _natural(cells: Sequence[Sequence[str]], index: int) -> int:
    return max((_longest_line(row[index]) for row in cells), default=0)


def column_widths(
    columns: Sequence[Column], cells: Sequence[Sequence[str]], width: int
) -> list[int] | None:
    """How wide to make each column for a terminal ``width`` wide, or ``None`` when every
        cell fits on one line anyway.

        Every column is at least its header's longest word wide (a header never splits inside
        a word), the first as wide as its longest cell when that takes at most half the room (the
    identifier is then never cut); then,
        while room is left, a column widens to keep its cells' longest word whole (the
        cheapest first, up to ``LONGEST_WHOLE_WORD``), and what remains goes to the columns
        in proportion to the text they would still fold.
    """
    if not columns:
        return None
    # a heavy-headed rich table: an edge each side, a rule between columns, padding of one
    room = width - (3 * len(columns) + 1)
    natural = [
        max([cell_len(column.title), *(_longest_line(row[i]) for row in cells)])
        for i, column in enumerate(columns)
    ]
    if sum(natural) <= room:
        return None
    least = [column.narrowest for column in columns]
    if natural[0] <= room // 2:
        least[0] = max(least[0], natural[0])
    # a column grows no wider than its longest line, nor past its cap (header words kept)
    capped = [
        max(least[i], natural[i] if c.max_width is None else min(natural[i], c.max_width))
        for i, c in enumerate(columns)
    ]
    whole = [
        min(
            capped[i],
            max([least[i], *(min(_longest_word(r[i]), LONGEST_WHOLE_WORD) for r in cells)]),
        )
        for i in range(len(columns))
    ]
    if sum(least) > room:
        # too many columns for the terminal (--wide): wider than it, but every word whole
        return whole
    widths = list(least)
    # whole words first, then whole lines, each for the columns that need least room
    for target in (whole, capped):
        for i in sorted(range(len(columns)), key=lambda i: target[i] - widths[i]):
            if sum(widths) - widths[i] + target[i] <= room:
                widths[i] = max(widths[i], target[i])
    wanting = [capped[i] - widths[i] for i in range(len(columns))]
    spare, total_wanted = room - sum(widths), sum(wanting)
    if spare > 0 and total_wanted > 0:
        for i, want in enumerate(wanting):
            widths[i] += spare * want // total_wanted
        for i in sorted(range(len(columns)), key=lambda i: widths[i] - capped[i]):
            if sum(widths) < room and widths[i] < capped[i]:
                widths[i] += 1
    return widths


def render_table(shown: Listing, *, wide: bool = False, width: int | None = None) -> Table:
    """The listing as a rich table for a terminal ``width`` wide (the console's by default):
    essential columns only unless ``wide``."""
    table = Table(title=shown.title, title_justify="left")
    chosen = [i for i, column in enumerate(shown.columns) if wide or not column.wide]
    columns = [shown.columns[i] for i in chosen]
    cells = [[_cell_text(row[i]) for i in chosen] for row in shown.rows]
    widths = column_widths(columns, cells, out.width if width is None else width)
    for position, column in enumerate(columns):
        table.add_column(
            column.title,
            overflow="fold",
            width=None if widths is None else widths[position],
            justify="right" if column.numeric else "left",
            # the first column is the identifier a user types next: not cut when it fits
            no_wrap=position == 0 and (widths is None or widths[0] >= _natural(cells, 0)),
        )
    for row in cells:
        table.add_row(*row)
    return table


@dataclass(frozen=True)
class _AtLeast:
    """A renderable laid out at least ``width`` wide, wider than the terminal if need be."""

    inner: Table
    width: int

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from console.render(
            self.inner, options.update(width=max(self.width, options.max_width))
        )


def print_listing(shown: Listing, *, wide: bool = False) -> None:
    """Print one listing as a table on standard output."""
    table = render_table(shown, wide=wide)
    widths = [column.width or 0 for column in table.columns]
    # a --wide table may need more than the terminal: printed whole, the terminal wraps it
    needed = sum(widths) + 3 * len(widths) + 1
    out.print(_AtLeast(table, needed), soft_wrap=False, crop=False)


def print_table(
    title: str, columns: Sequence[str | Column], rows: list[list[Any]], *, wide: bool = False
) -> None:
    """Print rows as a rich table on standard output."""
    print_listing(listing(title, columns, rows), wide=wide)


def print_line(text: str, *, markup: bool = False) -> None:
    """Print text wrapped at the console's width; rich markup is read only if ``markup``
    (text from case files may hold brackets)."""
    out.print(text, highlight=False, markup=markup, soft_wrap=False, overflow="fold")


def print_json(document: Any) -> None:
    """Print a JSON document to standard output."""
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")


def csv_cell(cell: Any) -> str:
    """A cell as CSV text; text a spreadsheet would run as a formula is defused."""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if cell is None or isinstance(cell, int | float):
        return _cell_text(cell)
    # imported here: its module brings the name normaliser, which tables and JSON never need
    from backchannel.events.crosswalk_csv import defused_cell

    return defused_cell(str(cell))


def csv_text(listings: Sequence[Listing]) -> str:
    """Listings as CSV: a header line, then one line per row, every column.

    One listing gives its own columns; several share one header (a leading ``table``
    column naming each row's listing, then every key in first-seen order).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if len(listings) == 1:
        only = listings[0]
        writer.writerow([column.key for column in only.columns])
        writer.writerows([csv_cell(cell) for cell in row] for row in only.rows)
        return buffer.getvalue()
    keys: list[str] = []
    for each in listings:
        keys += [c.key for c in each.columns if c.key not in keys]
    writer.writerow(["table", *keys])
    for each in listings:
        for record in each.records():
            writer.writerow([each.name, *(csv_cell(record.get(key)) for key in keys)])
    return buffer.getvalue()


def print_csv(listings: Listing | Sequence[Listing]) -> None:
    """Print listings as CSV on standard output."""
    sys.stdout.write(csv_text([listings] if isinstance(listings, Listing) else listings))


def print_records(listings: Listing | Sequence[Listing]) -> None:
    """Print listings as JSON: one listing as a list of objects, several by their names."""
    if isinstance(listings, Listing):
        print_json(listings.records())
    else:
        print_json({each.name: each.records() for each in listings})


def print_data(
    listings: Listing | Sequence[Listing],
    format: OutputFormat,
    *,
    wide: bool = False,
    document: Any = None,
) -> None:
    """Print listings in the format asked for; JSON prints ``document`` when one is given
    (the command's own JSON, whose keys are a contract), else the listings' records."""
    if format is OutputFormat.json:
        if document is not None:
            print_json(document)
        else:
            print_records(listings)
    elif format is OutputFormat.csv:
        print_csv(listings)
    else:
        for each in [listings] if isinstance(listings, Listing) else listings:
            print_listing(each, wide=wide)
