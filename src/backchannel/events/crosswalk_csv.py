"""The UCDP-ACLED actor crosswalk as a CSV file that analysts review by hand.

One row links one ACLED actor name to one UCDP actor. ``events crosswalk`` writes rows
with status ``proposed`` (and ``unmatched`` for ACLED actors it found nothing for); an
analyst changes the status to ``confirmed`` or ``rejected``, or adds rows. Profiles then
merge only confirmed links, and a rejected link also vetoes the automatic link of two
identically named actors.

The reader refuses the whole file when any row is bad, naming each bad row by its line:
half a crosswalk would silently drop an analyst's confirmations. Cells that a spreadsheet
would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) are written behind an apostrophe, which the reader takes off again.
"""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from backchannel.csv_records import records_with_lines
from backchannel.errors import InvalidInputError, Problem
from backchannel.screening.normalise import fold

__all__ = [
    "CROSSWALK_COLUMNS",
    "REQUIRED_COLUMNS",
    "CrosswalkRow",
    "LinkStatus",
    "defused_cell",
    "merge_reviewed",
    "parse_crosswalk",
    "read_crosswalk",
    "render_crosswalk",
    "write_crosswalk",
]


class LinkStatus(StrEnum):
    """Where a link stands: proposed by the tool, or decided by an analyst."""

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    UNMATCHED = "unmatched"  # an ACLED actor the tool found no UCDP actor for


DECIDED = frozenset({LinkStatus.CONFIRMED, LinkStatus.REJECTED})

CROSSWALK_COLUMNS: tuple[str, ...] = (
    "acled_actor",
    "ucdp_actor",
    "ucdp_id",
    "score",
    "basis",
    "countries",
    "acled_years",
    "ucdp_years",
    "status",
    "note",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("acled_actor", "ucdp_actor", "ucdp_id", "status")

# What spreadsheets read as the start of a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CrosswalkRow:
    """One proposed or decided link from an ACLED actor name to a UCDP actor.

    ``ucdp_id`` may be empty in a row an analyst adds by hand, when ``ucdp_actor`` names
    the UCDP actor instead; ``line`` is where the row was read from (``None`` when built).
    """

    acled_actor: str
    ucdp_actor: str
    ucdp_id: int | None
    status: LinkStatus
    score: float | None = None
    basis: str = ""
    countries: str = ""
    acled_years: str = ""
    ucdp_years: str = ""
    note: str = ""
    line: int | None = None

    @property
    def pair(self) -> tuple[str, str]:
        """The link's identity: the folded ACLED name and the UCDP id (else folded name)."""
        ucdp = str(self.ucdp_id) if self.ucdp_id is not None else fold(self.ucdp_actor)
        return fold(self.acled_actor), ucdp

    def cells(self) -> list[str]:
        """The row's cells in ``CROSSWALK_COLUMNS`` order, as written to the file."""
        values = {
            "acled_actor": self.acled_actor,
            "ucdp_actor": self.ucdp_actor,
            "ucdp_id": "" if self.ucdp_id is None else str(self.ucdp_id),
            "score": "" if self.score is None else f"{self.score:.2f}",
            "basis": self.basis,
            "countries": self.countries,
            "acled_years": self.acled_years,
            "ucdp_years": self.ucdp_years,
            "status": self.status.value,
            "note": self.note,
        }
        return [defused_cell(values[c]) for c in CROSSWALK_COLUMNS]


def defused_cell(cell: str) -> str:
    """The cell behind an apostrophe when a spreadsheet would run it as a formula (or it
    starts with an apostrophe already, which reading takes off); else the cell as it is."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) or cell.startswith("'") else cell


def _restored(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


def render_crosswalk(rows: Iterable[CrosswalkRow]) -> str:
    """The CSV text of ``rows`` under the ``CROSSWALK_COLUMNS`` header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CROSSWALK_COLUMNS)
    for row in rows:
        writer.writerow(row.cells())
    return buffer.getvalue()


def write_crosswalk(path: Path, rows: Iterable[CrosswalkRow]) -> Path:
    """Write ``rows`` to ``path`` whole or not at all (a temporary file then a rename).

    UTF-8 with a byte-order mark, so that spreadsheets show accented names correctly.
    """
    text = render_crosswalk(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def read_crosswalk(path: Path) -> list[CrosswalkRow]:
    """The rows of a crosswalk file; ``InvalidInputError`` naming every bad row by line."""
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(source, [Problem("", f"cannot read the file: {exc}")]) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            # spreadsheets on Windows save "CSV" in their code page
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise InvalidInputError(
                source, [Problem("", "not UTF-8 text; save the file as CSV UTF-8")]
            ) from None
    return parse_crosswalk(text, source)


def parse_crosswalk(text: str, source: str = "<crosswalk>") -> list[CrosswalkRow]:
    """The rows of crosswalk CSV text; ``InvalidInputError`` naming every bad row by line.

    Blank records are skipped; columns beyond ``CROSSWALK_COLUMNS`` are ignored.
    """
    records = _records(text)
    header = next(records, None)
    if header is None:
        raise InvalidInputError(source, [Problem("", "the file is empty; expected a header")])
    header_line, names, error = header
    if error is not None:
        raise InvalidInputError(source, [Problem("", error, header_line)])
    columns = [name.strip().lstrip("\ufeff").casefold() for name in names]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise InvalidInputError(
            source,
            [
                Problem(c, "required column of the crosswalk is missing", header_line)
                for c in missing
            ],
        )
    rows: list[CrosswalkRow] = []
    problems: list[Problem] = []
    for line, fields, error in records:
        if error is not None:
            problems.append(Problem("", error, line))
            continue
        if len(fields) > len(columns) and any(f.strip() for f in fields[len(columns) :]):
            problems.append(
                Problem("", f"{len(fields)} fields under a header of {len(columns)}", line)
            )
            continue
        values = {c: _restored(v.strip()) for c, v in zip(columns, fields, strict=False)}
        row, found = _row(values, line)
        problems += found
        if row is not None:
            rows.append(row)
    problems += _contradictions(rows)
    if problems:
        raise InvalidInputError(source, problems)
    return rows


def _records(text: str) -> Iterator[tuple[int, list[str], str | None]]:
    """Non-blank records with the line each starts on, or the csv module's complaint."""
    for record in records_with_lines(io.StringIO(text, newline=""), strict=True):
        if record.error is not None:
            yield record.first_line, [], f"not readable as CSV: {record.error}"
            return  # the csv module cannot resynchronise after a broken quote
        if any(field.strip() for field in record.fields):
            yield record.first_line, record.fields, None


def _row(values: dict[str, str], line: int) -> tuple[CrosswalkRow | None, list[Problem]]:
    problems: list[Problem] = []
    status_text = values.get("status", "").casefold()
    try:
        status = LinkStatus(status_text)
    except ValueError:
        expected = ", ".join(s.value for s in LinkStatus)
        problems.append(Problem("status", f"{status_text!r} is not one of {expected}", line))
        status = LinkStatus.PROPOSED
    acled_actor = values.get("acled_actor", "")
    ucdp_actor = values.get("ucdp_actor", "")
    ucdp_id = _ucdp_id(values.get("ucdp_id", ""), line, problems)
    score = _score(values.get("score", ""), line, problems)
    if not acled_actor:
        problems.append(Problem("acled_actor", "empty: which ACLED actor is this row about?", line))
    if status is not LinkStatus.UNMATCHED and ucdp_id is None and not ucdp_actor:
        problems.append(
            Problem("ucdp_id", f"a {status.value} row needs a ucdp_id or a ucdp_actor", line)
        )
    if problems:
        return None, problems
    row = CrosswalkRow(
        acled_actor=acled_actor,
        ucdp_actor=ucdp_actor,
        ucdp_id=ucdp_id,
        status=status,
        score=score,
        basis=values.get("basis", ""),
        countries=values.get("countries", ""),
        acled_years=values.get("acled_years", ""),
        ucdp_years=values.get("ucdp_years", ""),
        note=values.get("note", ""),
        line=line,
    )
    return row, []


def _ucdp_id(text: str, line: int, problems: list[Problem]) -> int | None:
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= 9:
        return int(text)
    problems.append(Problem("ucdp_id", f"{text!r} is not a UCDP actor id (a whole number)", line))
    return None


def _score(text: str, line: int, problems: list[Problem]) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 1.0:  # also refuses nan
        problems.append(Problem("score", f"{text!r} is not a number from 0 to 1", line))
        return None
    return value


def _contradictions(rows: list[CrosswalkRow]) -> list[Problem]:
    """A link both confirmed and rejected: the analyst must settle it."""
    decided: dict[tuple[str, str], CrosswalkRow] = {}
    problems = []
    for row in rows:
        if row.status not in DECIDED:
            continue
        earlier = decided.setdefault(row.pair, row)
        if earlier.status is not row.status:
            problems.append(
                Problem(
                    "status",
                    f"{row.acled_actor!r} -> {row.ucdp_actor or row.ucdp_id!r} is "
                    f"{row.status.value} here but {earlier.status.value} on line {earlier.line}",
                    row.line,
                )
            )
    return problems


def merge_reviewed(
    existing: list[CrosswalkRow], proposals: list[CrosswalkRow]
) -> list[CrosswalkRow]:
    """New proposals merged into a reviewed crosswalk without losing any decision.

    Every confirmed or rejected row is kept as it is, first; earlier ``proposed`` and
    ``unmatched`` rows give way to the new proposals; a proposal for a link already decided
    is dropped, and so is an ``unmatched`` row for an actor that has a confirmed link.
    """
    kept = [replace(row, line=None) for row in existing if row.status in DECIDED]
    decided_pairs = {row.pair for row in kept}
    linked_actors = {row.pair[0] for row in kept if row.status is LinkStatus.CONFIRMED}
    fresh = [
        row
        for row in proposals
        if row.pair not in decided_pairs
        and not (row.status is LinkStatus.UNMATCHED and row.pair[0] in linked_actors)
    ]
    return kept + fresh
