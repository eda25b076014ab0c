"""Layout checks: does a CSV, XML or XLSX file look as the manifest says, and what does it cover?

``measure(path, layout)`` reads a file once, streaming, and returns its ``Measure`` (data
rows, years, countries), or raises ``LayoutError`` saying what was expected. The XML reader
refuses any DTD, so no entity can be declared or expanded; workbooks are read with openpyxl
after a check of the archive itself (size, CRCs, no DTD in any part).
"""

from __future__ import annotations

import csv
import warnings
import zipfile
import zlib
from collections.abc import Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from backchannel.datasets.records import Coverage
from backchannel.datasets.specs import CsvLayout, Layout, XlsxLayout, XmlLayout
from backchannel.errors import DataUnavailableError

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
# Upper bound on a workbook's unpacked parts together, against zip bombs.
_MAX_XLSX_UNPACKED = 512 * 1024 * 1024
_DTD = b"<!DOCTYPE"
# What openpyxl raises on a workbook it cannot make sense of.
_OPENPYXL_ERRORS = (
    InvalidFileException,
    zipfile.BadZipFile,
    zlib.error,
    ParseError,
    LookupError,  # KeyError (a missing part), IndexError, an unknown XML encoding
    ValueError,
    TypeError,
    OSError,
    EOFError,
)


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
            reader = csv.reader(f, strict=True)
            width = layout.column_count
            year_at: int | None = None
            country_at: int | None = None
            if layout.header:
                header = next(reader, None)
                if header is None:
                    raise LayoutError("the file is empty")
                _require_columns(layout.required_columns, header)
                width = width or len(header)
                if layout.year_column is not None:
                    year_at = _index(header, layout.year_column)
                if isinstance(layout.country_column, str):
                    country_at = _index(header, layout.country_column)
            if isinstance(layout.country_column, int):
                country_at = layout.country_column
            for row in reader:
                if not row or row == ["\x1a"]:  # blank line, DOS end-of-file mark
                    continue
                if len(row) != width:
                    raise LayoutError(
                        f"line {reader.line_num}: {len(row)} fields where {width} were expected"
                    )
                result.rows += 1
                if year_at is not None:
                    result.add_year(row[year_at])
                if country_at is not None:
                    result.add_countries(row[country_at], layout.country_separator)
    except UnicodeDecodeError as exc:
        raise LayoutError(f"not valid {layout.encoding} text: {exc.reason}") from exc
    except csv.Error as exc:
        raise LayoutError(f"not valid CSV: {exc}") from exc
    if result.rows == 0:
        raise LayoutError("no data rows")
    return result


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
    """An Excel workbook: its first sheet's header checked, then rows, years and countries."""
    _check_archive(path)
    try:
        with closing(_sheet_rows(path)) as rows:
            result = _measure_rows(rows, layout)
    except _OPENPYXL_ERRORS as exc:
        raise LayoutError(f"not a readable .xlsx workbook: {type(exc).__name__}: {exc}") from exc
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


def _check_archive(path: Path) -> None:
    """Refuse what openpyxl would read unchecked: an archive that unpacks to more than
    ``_MAX_XLSX_UNPACKED``, a damaged part (openpyxl reads only the parts it needs), and
    XML parts with a DTD."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            unpacked = sum(info.file_size for info in members)
            if unpacked > _MAX_XLSX_UNPACKED:
                raise LayoutError(f"the workbook unpacks to an implausible {unpacked} bytes")
            for info in members:
                # Reading a part to its end checks its CRC; no part yields more than its
                # declared size.
                with zf.open(info) as part:
                    has_dtd = _holds(part, _DTD)
                if has_dtd and info.filename.endswith((".xml", ".rels")):
                    raise LayoutError(f"{info.filename} declares a DTD, which is refused")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError) as exc:
        raise LayoutError(f"not an .xlsx workbook, or a damaged one: {exc}") from exc


def _holds(stream: IO[bytes], needle: bytes) -> bool:
    """Whether ``stream`` contains ``needle``; reads the stream to its end either way."""
    found = False
    tail = b""
    while chunk := stream.read(_CHUNK):
        window = tail + chunk
        found = found or needle in window
        tail = window[-(len(needle) - 1) :]
    return found


def _sheet_rows(path: Path) -> Generator[list[str], None, None]:
    """The first worksheet's rows as cell texts, streamed; blank rows skipped."""
    with path.open("rb") as f:
        with warnings.catch_warnings():
            # e.g. "Workbook contains no default style": nothing the user can act on.
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            # A file object, not the path: openpyxl refuses names not ending in .xlsx.
            workbook = openpyxl.load_workbook(f, read_only=True, data_only=True)
        try:
            if not workbook.worksheets:
                raise LayoutError("the workbook has no worksheet")
            sheet = workbook.worksheets[0]
            # Read every row present, whatever the sheet's declared dimension says.
            sheet.reset_dimensions()
            for values in sheet.iter_rows(values_only=True):
                row = [_text(v) for v in values]
                if any(cell.strip() for cell in row):
                    yield row
        finally:
            workbook.close()


def _text(value: object) -> str:
    """A cell value as the text a CSV export would hold (dates as ISO dates)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _cell(row: list[str], at: int) -> str:
    return row[at] if at < len(row) else ""
