"""The first worksheet of an .xlsx workbook, as cell values: read fast, and read safely.

The one workbook reader of the package: installing a data set checks a workbook's layout
through it, and the evidence panel reads its workbooks through it, so a workbook that one
refuses the other refuses too, with the same message.

The workbook is parsed by calamine (Rust, through ``python-calamine``; pandas offers the same
reader as ``engine="calamine"``), not by openpyxl, for speed. Measured over the UCDP
termination (dyad and conflict) and peace agreement workbooks, 165,000 cells in 6 MB of XML:
openpyxl takes 1.8 s in read-only mode and 2.6 s otherwise, most of it building a cell
object for every cell, which nothing here looks at; an ElementTree pull parser of the
sheet's XML took 0.9 s; calamine takes 0.13 s, and this module, with its checks and
conversions, 0.2 s. (``benchmarks/evidence.py`` times the evidence panel.)

What a cell holds: text; a number, whole numbers as ``int`` (calamine, as Excel, stores every
number as a float); a boolean; or, for a cell formatted as a date, a ``datetime.date`` (a
``datetime.datetime`` when it has a time of day), converted by calamine in the workbook's
date system (1900 or 1904). A cell formatted as a time of day or a duration arrives as
Excel's number of days. An empty text cell, and an error cell (``#N/A``), are blank.

A workbook may come from anywhere. Before calamine sees a byte of it, ``zipfile`` checks the
archive: its unpacked size (as its directory declares it) is capped, and calamine's zip
reader refuses a member that inflates past its declared size, so the cap bounds calamine's
work as well; then every member is inflated (which checks its CRC, so a damaged part is
refused even when calamine would never read it) and scanned. A workbook is refused, naming
the part, when:

- a member declares a DTD (``<!DOCTYPE``, in any case);
- a member is XML in UTF-16 or UTF-32 (a byte-order mark, or the zero bytes ASCII has in
  those encodings): such a part would hide a DTD from the scan, and calamine would read
  it as empty;
- an XML part declares an encoding other than UTF-8 (``<?xml ... encoding="latin-1"?>``):
  calamine reads every part as UTF-8, so its text would arrive silently garbled.

The scan costs about 20 ms over the three UCDP workbooks. It is a second line: calamine's
XML parser (quick-xml) skips a DTD, expands no entity but the five XML predefines and
character references (any other is an error, "unrecognized entity"), and fetches nothing,
so neither entity expansion nor external entities can reach it.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
import zlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

from backchannel.errors import InvalidInputError, Problem

__all__ = ["MAX_UNPACKED", "Cell", "Sheet", "read_first_sheet"]

Cell = str | int | float | bool | dt.date | None
"""A cell's value: text, a number, a boolean, a date (``datetime.date`` or
``datetime.datetime``), or blank."""

#: Bytes a workbook (packed, or its parts unpacked together) may hold: far above any data
#: set read here; a zip bomb is not.
MAX_UNPACKED = 512 * 1024 * 1024
_CHUNK = 1 << 16
_DTD = re.compile(rb"<!doctype", re.IGNORECASE)
_DTD_OVERLAP = len(b"<!doctype") - 1  # kept between chunks, so a split DTD is still seen
_XML_PARTS = (".xml", ".rels", ".vml")
# byte-order marks of UTF-16 and UTF-32, and "<" as those encodings write it without one
_WIDE_STARTS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"<\x00", b"\x00<")
_DECLARED_ENCODING = re.compile(
    rb"""\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']"""
)
_UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})  # ASCII is UTF-8 too
_EXACT = float(2**53)  # every whole float below this in size is exactly an int
_SECONDS_A_DAY = 86_400.0

# what calamine gives for a cell (python_calamine's stub spells out this union)
_Raw = int | float | str | bool | dt.time | dt.date | dt.datetime | dt.timedelta


@dataclass(frozen=True)
class Sheet:
    """A worksheet's non-blank rows: ``(row number in the sheet, values by column)``.

    Values are placed by their column, so a row whose trailing cells are blank is shorter
    than the header; ``value`` reads past its end as blank.
    """

    name: str
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]

    @staticmethod
    def value(values: tuple[Cell, ...], index: int) -> Cell:
        """The value at column ``index`` of one row (blank past the row's end)."""
        return values[index] if index < len(values) else None


class _Refused(Exception):
    """Why a workbook cannot be read; becomes an ``InvalidInputError`` naming the file."""


def read_first_sheet(path: str | Path, keep: Collection[str] | None = None) -> Sheet:
    """Read the first worksheet of the workbook at ``path``.

    With ``keep``, only the columns whose header (the first non-blank row) is one of these
    names are converted past the header; the other cells are left blank, and a row with
    nothing in the kept columns is left out.

    Raises ``InvalidInputError`` naming the file (and the part, when one is at fault) when
    it cannot be opened, is not an .xlsx workbook, is damaged, unpacks to an implausible
    size, declares a DTD or holds XML not in UTF-8.
    """
    source = str(path)
    try:
        size = os.stat(path).st_size
        if size > MAX_UNPACKED:
            raise _Refused(f"the file is an implausible {size} bytes for a workbook")
        # read once: the bytes checked are the bytes calamine parses
        data = Path(path).read_bytes()
        _check_archive(data)
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            kinds = [sheet.typ for sheet in workbook.sheets_metadata]
            if SheetTypeEnum.WorkSheet not in kinds:
                raise _Refused("the workbook has no worksheet")
            sheet = workbook.get_sheet_by_index(kinds.index(SheetTypeEnum.WorkSheet))
            name, start, table = sheet.name, sheet.start, sheet.to_python()
    except _Refused as refused:
        raise InvalidInputError(source, [Problem("", str(refused))]) from None
    except FileNotFoundError:
        raise InvalidInputError(source, [Problem("", "no such file")]) from None
    except OSError as error:
        problem = Problem("", f"cannot read the file: {error.strerror or error}")
        raise InvalidInputError(source, [problem]) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, CalamineError) as error:
        problem = Problem("", f"not an .xlsx workbook, or a damaged one: {error}")
        raise InvalidInputError(source, [problem]) from None
    top, left = start if start is not None else (0, 0)
    return Sheet(name=name, rows=_rows(table, top, left, keep))


# --------------------------------------------------------------------------- checks


def _check_archive(data: bytes) -> None:
    """Refuse an archive that is not an .xlsx workbook, unpacks to an implausible size, has
    a damaged member, a member declaring a DTD or XML not in UTF-8."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        unpacked = sum(info.file_size for info in members)
        if unpacked > MAX_UNPACKED:
            raise _Refused(f"the workbook unpacks to an implausible {unpacked} bytes")
        if "xl/workbook.xml" not in archive.NameToInfo:
            raise _Refused("not an .xlsx workbook: the archive has no xl/workbook.xml")
        for info in members:
            _scan(archive, info)


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Inflate one member chunk by chunk (zipfile checks its CRC at the end) and refuse it
    if it declares a DTD or is XML not in UTF-8."""
    tail = b""
    first = True
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            if first:
                _check_encoding(info.filename, chunk)
                first = False
            if _DTD.search(tail + chunk):
                raise _Refused(f"{info.filename} declares a DTD, which is refused")
            tail = chunk[-_DTD_OVERLAP:]


def _check_encoding(name: str, start: bytes) -> None:
    """Refuse a member beginning with ``start`` that is XML in another encoding than UTF-8.

    Any member that starts as wide XML does is refused, whatever its name: calamine finds
    a sheet through the workbook's relationships, which may name a part anything. A part
    named as XML is also refused for a zero byte near its start, which no UTF-8 XML holds,
    or for declaring another encoding.
    """
    named_xml = name.lower().endswith(_XML_PARTS)
    if start.startswith(_WIDE_STARTS) or (named_xml and b"\x00" in start[:512]):
        raise _Refused(f"{name} is not UTF-8 XML (UTF-16 or UTF-32), which is refused")
    declared = _DECLARED_ENCODING.match(start)
    if declared is not None:
        encoding = declared.group(1).decode("ascii", "replace").strip().lower()
        if encoding not in _UTF8_NAMES:
            raise _Refused(
                f"{name} is not UTF-8 XML (it declares encoding {encoding!r}), which is refused"
            )


# --------------------------------------------------------------------------- values


def _rows(
    table: Sequence[Sequence[_Raw]], top: int, left: int, keep: Collection[str] | None
) -> tuple[tuple[int, tuple[Cell, ...]], ...]:
    """The non-blank rows of calamine's table, whose first row is sheet row ``top + 1`` and
    first column sheet column ``left``; past the header, only the columns named in ``keep``
    are converted, when it is given."""
    rows: list[tuple[int, tuple[Cell, ...]]] = []
    padding: tuple[Cell, ...] = (None,) * left
    wanted: list[int] | None = None  # the kept columns' places in calamine's rows
    for offset, raw in enumerate(table):
        if wanted is None:
            values: list[Cell] = [_cell(value) for value in raw]
        else:
            values = [None] * (wanted[-1] + 1 if wanted else 0)
            for at in wanted:
                values[at] = _cell(raw[at])
        while values and values[-1] is None:
            values.pop()
        if not values:
            continue
        if not rows and keep is not None:
            wanted = [at for at, v in enumerate(values) if v is not None and str(v).strip() in keep]
        rows.append((top + offset + 1, padding + tuple(values)))
    return tuple(rows)


def _cell(value: _Raw) -> Cell:
    """One cell as calamine gives it, as a ``Cell``."""
    if isinstance(value, str):
        return value or None  # calamine gives "" for an empty or error cell
    if isinstance(value, float):
        return int(value) if value.is_integer() and -_EXACT < value < _EXACT else value
    if isinstance(value, (bool, int, dt.date)):  # dt.datetime is a dt.date
        return value
    if isinstance(value, dt.time):  # a time of day: the fraction of a day Excel stores
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return (seconds + value.microsecond / 1e6) / _SECONDS_A_DAY
    return value.total_seconds() / _SECONDS_A_DAY  # a duration, in days
