"""The first worksheet of an .xlsx workbook, as cell values: read fast, and read safely.

The workbook is parsed by calamine (Rust, through ``python-calamine``; pandas offers the same
reader as ``engine="calamine"``), not by openpyxl, for speed. Measured over the UCDP
termination (dyad and conflict) and peace agreement workbooks, 165,000 cells in 6 MB of XML:
openpyxl takes 1.8 s in read-only mode and 2.6 s otherwise, most of it building a cell
object for every cell, which the evidence panel never looks at; the ElementTree pull parser
this module used to be took 0.9 s; calamine takes 0.13 s, and this module, with its checks
and conversions, 0.2 s. (``benchmarks/evidence.py`` times the whole panel.)

What a cell holds: text; a number, whole numbers as ``int`` (calamine, as Excel, stores every
number as a float); a boolean; or, for a cell formatted as a date, a ``datetime.date`` (a
``datetime.datetime`` when it has a time of day), converted by calamine in the workbook's
date system (1900 or 1904). A cell formatted as a time of day or a duration arrives as
Excel's number of days. An empty text cell, and an error cell (``#N/A``), are blank.

A workbook may come from anywhere. Before calamine sees a byte of it, ``zipfile`` checks the
archive: its unpacked size (as its directory declares it) is capped, and calamine's zip
reader refuses a member that inflates past its declared size, so the cap bounds calamine's
work as well; then every member is inflated and scanned, and a workbook is refused if a
member declares a DTD (``<!DOCTYPE``, in any case) or an XML part is not UTF-8 (UTF-16 would
hide a DTD from the scan, and calamine would read such a part as empty). The scan costs about
20 ms over the three UCDP workbooks. It is a second line: calamine's XML parser (quick-xml)
skips a DTD, expands no entity but the five XML predefines and character references (any
other is an error, "unrecognized entity"), and fetches nothing, so neither entity expansion
nor external entities can reach it.
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

__all__ = ["Cell", "Sheet", "read_first_sheet"]

Cell = str | int | float | bool | dt.date | None
"""A cell's value: text, a number, a boolean, a date (``datetime.date`` or
``datetime.datetime``), or blank."""

_MAX_UNPACKED = 512 * 1024 * 1024  # far above any data set we read; a zip bomb is not
_CHUNK = 1 << 16
_DTD = re.compile(rb"<!doctype", re.IGNORECASE)
_DTD_OVERLAP = len(b"<!doctype") - 1  # kept between chunks, so a split DTD is still seen
_XML_PARTS = (".xml", ".rels")
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

    Raises ``InvalidInputError`` naming the file when it cannot be opened, is not an .xlsx
    workbook, is damaged, unpacks to an implausible size or declares a DTD.
    """
    source = str(path)
    try:
        size = os.stat(path).st_size
        if size > _MAX_UNPACKED:
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
    a member declaring a DTD or an XML part that is not UTF-8."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        unpacked = sum(info.file_size for info in members)
        if unpacked > _MAX_UNPACKED:
            raise _Refused(f"the workbook unpacks to an implausible {unpacked} bytes")
        if "xl/workbook.xml" not in archive.NameToInfo:
            raise _Refused("not an .xlsx workbook: the archive has no xl/workbook.xml")
        for info in members:
            _scan(archive, info)


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Inflate one member chunk by chunk (zipfile checks its CRC at the end) and refuse it
    if it declares a DTD, or if it is an XML part and not UTF-8."""
    check_encoding = info.filename.lower().endswith(_XML_PARTS)
    tail = b""
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            if check_encoding and _not_utf8(chunk):
                raise _Refused(f"{info.filename} is not UTF-8 XML, which is refused")
            check_encoding = False
            if _DTD.search(tail + chunk):
                raise _Refused(f"{info.filename} declares a DTD, which is refused")
            tail = chunk[-_DTD_OVERLAP:]


def _not_utf8(start: bytes) -> bool:
    """Whether an XML part beginning so is in UTF-16 or UTF-32 (a byte-order mark, or the
    zero bytes that ASCII characters have in those encodings)."""
    return start.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in start[:512]


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
