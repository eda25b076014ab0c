"""Layout checks: does a CSV, XML or XLSX file look as the manifest says, and what does it cover?

``measure(path, layout)`` reads a file once and returns its ``Measure`` (data rows, years,
countries), or raises ``LayoutError`` saying what was expected. CSV and XML files are
streamed; the XML reader refuses any DTD, so no entity can be declared or expanded.
Workbooks are read by ``backchannel.xlsx``, the reader the analyses use, after its checks
of the archive (size, CRCs, no DTD in any part, XML in UTF-8 only).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from xml.parsers import expat

from backchannel.csv_records import CsvRecord, records_with_lines
from backchannel.datasets.records import Coverage
from backchannel.datasets.specs import CsvLayout, Layout, XlsxLayout, XmlLayout
from backchannel.errors import DataUnavailableError, InvalidInputError
from backchannel.xlsx import Cell, read_first_sheet

__all__ = [
    "LayoutError",
    "Measure",
    "measure",
    "measure_csv",
    "measure_xlsx",
    "measure_xml",
    "year_of",
]

_CHUNK = 1 << 16
# Values that mean "no value" in the upstream files (R's NA, OFAC's -0-).
_MISSING = frozenset({"", "NA", "-0-", "."})


class LayoutError(DataUnavailableError):
    """A file does not have the layout the manifest expects; the message says how."""


@dataclass
class Measure:
    """Coverage accumulated while a file is read."""

    rows: int = 0
    years: set[int] = field(default_factory=set)
    countries: set[str] | None = None

    def coverage(self) -> Coverage:
        """The record of what was measured."""
        return Coverage(
            rows=self.rows,
            year_min=min(self.years) if self.years else None,
            year_max=max(self.years) if self.years else None,
            countries=None if self.countries is None else len(self.countries),
        )

    def add_year(self, value: str) -> None:
        """Count the year of ``value`` if it holds one."""
        if (year := year_of(value)) is not None:
            self.years.add(year)

    def add_countries(self, value: str, separator: str | None) -> None:
        """Count the countries named in ``value`` (several when ``separator`` splits it)."""
        assert self.countries is not None
        parts = value.split(separator) if separator else [value]
        for part in parts:
            name = part.strip()
            if name not in _MISSING:
                self.countries.add(name)

    @classmethod
    def combine(cls, measures: Iterable[Measure]) -> Coverage:
        """The coverage of several files together: rows added, years and countries merged."""
        total = cls()
        for m in measures:
            total.rows += m.rows
            total.years |= m.years
            if m.countries is not None:
                total.countries = (total.countries or set()) | m.countries
        return total.coverage()


def measure(path: Path, layout: Layout) -> Measure:
    """Check ``path`` against ``layout`` and measure its coverage; ``LayoutError`` if it fails."""
    if isinstance(layout, CsvLayout):
        return measure_csv(path, layout)
    if isinstance(layout, XmlLayout):
        return measure_xml(path, layout)
    return measure_xlsx(path, layout)


def year_of(value: str) -> int | None:
    """The year of ``2013``, ``2013.0`` or ``2013-05-01``; ``None`` for anything else."""
    text = value.strip()
    head = text[:4]
    if len(text) >= 4 and head.isdigit() and (len(text) == 4 or text[4] in "-./"):
        year = int(head)
        return year if 1000 <= year <= 2999 else None
    return None


def _require_columns(required: Iterable[str], header: Iterable[str]) -> None:
    present = set(header)
    required = tuple(required)
    missing = [c for c in required if c not in present]
    if missing:
        raise LayoutError(
            f"header lacks column(s) {', '.join(missing)} (expected {', '.join(required)})"
        )


# --------------------------------------------------------------------------- CSV


def measure_csv(path: Path, layout: CsvLayout) -> Measure:
    """A CSV file: header and row widths checked, rows, years and countries counted."""
    result = Measure(countries=set() if layout.country_column is not None else None)
    try:
        with path.open(encoding=layout.encoding, newline="") as f:
            records = _readable(records_with_lines(f, strict=True))
            width = layout.column_count
            year_at: int | None = None
            country_at: int | None = None
            if layout.header:
                first = next(records, None)
                if first is None:
                    raise LayoutError("the file is empty")
                header = first.fields
                _require_columns(layout.required_columns, header)
                width = width or len(header)
                if layout.year_column is not None:
                    year_at = _index(header, layout.year_column)
                if isinstance(layout.country_column, str):
                    country_at = _index(header, layout.country_column)
            if isinstance(layout.country_column, int):
                country_at = layout.country_column
            for record in records:
                row = record.fields
                if row == ["\x1a"]:  # a DOS end-of-file mark
                    continue
                if len(row) != width:
                    raise LayoutError(
                        f"line {record.first_line}: {len(row)} fields where {width} were expected"
                    )
                result.rows += 1
                if year_at is not None:
                    result.add_year(row[year_at])
                if country_at is not None:
                    result.add_countries(row[country_at], layout.country_separator)
    except UnicodeDecodeError as exc:
        raise LayoutError(f"not valid {layout.encoding} text: {exc.reason}") from exc
    if result.rows == 0:
        raise LayoutError("no data rows")
    return result


def _readable(records: Iterator[CsvRecord]) -> Iterator[CsvRecord]:
    """The records, until one the csv module cannot read (``LayoutError``)."""
    for record in records:
        if record.error is not None:
            raise LayoutError(f"line {record.first_line}: not valid CSV: {record.error}")
        yield record


def _index(header: list[str], column: str) -> int:
    try:
        return header.index(column)
    except ValueError:
        raise LayoutError(f"header lacks column {column}") from None


# --------------------------------------------------------------------------- XML


def _safe_parser() -> expat.XMLParserType:
    """An expat parser that refuses any DTD, so no entity can be declared or expanded."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def forbid(*_args: Any) -> Any:
        raise LayoutError("XML with a DTD or entity declarations is refused")

    parser.StartDoctypeDeclHandler = forbid
    parser.EntityDeclHandler = forbid
    parser.ExternalEntityRefHandler = forbid
    return parser


def measure_xml(path: Path, layout: XmlLayout) -> Measure:
    """An XML file: root element checked, records two levels down and their years counted."""
    result = Measure()
    parser = _safe_parser()
    depth = 0
    in_year = False
    text: list[str] = []

    def start(name: str, _attrs: dict[str, str]) -> None:
        nonlocal depth, in_year
        depth += 1
        if depth == 1 and name != layout.root:
            raise LayoutError(f"root element is <{name}>, expected <{layout.root}>")
        if depth == 3 and name in layout.record_elements:
            result.rows += 1
        if name == layout.year_element:
            in_year = True
            text.clear()

    def end(name: str) -> None:
        nonlocal depth, in_year
        depth -= 1
        if in_year and name == layout.year_element:
            in_year = False
            result.add_year("".join(text))

    def chars(data: str) -> None:
        if in_year:
            text.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise LayoutError(f"not well-formed XML: {exc}") from exc
    if layout.record_elements and result.rows == 0:
        raise LayoutError(f"no {' or '.join(layout.record_elements)} records")
    return result


# --------------------------------------------------------------------------- XLSX


def measure_xlsx(path: Path, layout: XlsxLayout) -> Measure:
    """An Excel workbook: its first sheet's header checked, then rows, years and countries.

    The workbook is read by ``backchannel.xlsx``, the reader the analyses use, with its
    checks (size, damaged parts, DTDs, XML not in UTF-8); what it refuses, naming the part
    at fault, is a ``LayoutError``.
    """
    try:
        sheet = read_first_sheet(path)
    except InvalidInputError as refused:
        why = "; ".join(problem.message for problem in refused.problems)
        raise LayoutError(f"not a readable .xlsx workbook: {why}") from None
    result = _measure_rows((_texts(values) for _, values in sheet.rows), layout)
    if result.rows == 0:
        raise LayoutError("no data rows")
    return result


def _measure_rows(rows: Iterator[list[str]], layout: XlsxLayout) -> Measure:
    result = Measure(countries=set() if layout.country_column is not None else None)
    header = next(rows, None)
    if header is None:
        raise LayoutError("the first worksheet is empty")
    columns = {name.strip(): at for at, name in enumerate(header)}
    _require_columns(layout.required_columns, columns)
    year_at = None if layout.year_column is None else columns.get(layout.year_column)
    country_at = None if layout.country_column is None else columns.get(layout.country_column)
    for row in rows:
        result.rows += 1
        if year_at is not None:
            result.add_year(_cell(row, year_at))
        if country_at is not None:
            result.add_countries(_cell(row, country_at), layout.country_separator)
    return result


def _texts(values: tuple[Cell, ...]) -> list[str]:
    """A row's cells as the texts a CSV export would hold (dates as ISO dates)."""
    return ["" if value is None else _text(value) for value in values]


def _text(value: str | int | float | bool | date) -> str:
    if isinstance(value, date):  # a datetime is a date too
        return value.isoformat()
    return str(value)


def _cell(row: list[str], at: int) -> str:
    return row[at] if at < len(row) else ""
