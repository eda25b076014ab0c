"""A designation list is installed only when whole: its own reader reads it, and its size holds.

A layout check sees rows of the right width; it cannot see that a download stopped after one
row, or that an XML file holds no readable entry. So a new copy of a designation list is
read, before it replaces the installed one, by the very reader screening uses
(``read_list``): a file the reader refuses, or one that yields no entry, is refused. Then
its entry count is held to the installed copy's and to the count the manifest declares for
a copy the producer published (``ListCheck.reference_entries``): more than ``MAX_DROP``
below either is refused unless forced, because a list that quietly lost a fifth of its
entries screens a fifth of the designated as clear.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from backchannel.datasets.records import InstalledDataset, ListRecord
from backchannel.datasets.specs import DatasetSpec, ListCheck
from backchannel.errors import DataUnavailableError, InvalidInputError
from backchannel.screening.entity import ReadResult
from backchannel.screening.read_ofac import read_ofac
from backchannel.screening.read_un import read_un

__all__ = ["MAX_DROP", "ListFile", "check_list", "count_floor", "read_list"]

#: The largest share of entries a new copy may lose against the installed copy (or the
#: producer's published count) before it is refused without ``--force``.
MAX_DROP = 0.20
#: Problems quoted in a refusal; the reader may list hundreds.
_SHOWN = 5

_EXPECTED = {
    "un": "the UN Security Council consolidated list XML (CONSOLIDATED_LIST holding "
    "INDIVIDUAL and ENTITY records) with at least one readable entry",
    "ofac": "OFAC's header-less SDN files (sdn.csv with its alt.csv and add.csv) with at "
    "least one readable entry",
}


@dataclass(frozen=True)
class ListFile:
    """One file of a list: where it is now, the name it is installed under, its source."""

    path: Path
    name: str
    source: str


def read_list(reader: str, paths: Sequence[Path]) -> ReadResult:
    """Read a list's files with the screening reader ``reader`` names.

    ``un`` reads one XML file; ``ofac`` reads the sdn file and, when given, its alt and add
    files, in that order. Raises what the reader raises (``InvalidInputError`` naming the
    file), or ``ValueError`` for an unknown reader or a wrong number of files.
    """
    if reader == "un" and len(paths) == 1:
        return read_un(paths[0])
    if reader == "ofac" and 1 <= len(paths) <= 3:
        alt = paths[1] if len(paths) > 1 else None
        add = paths[2] if len(paths) > 2 else None
        return read_ofac(paths[0], alt, add)
    raise ValueError(f"no reader {reader!r} for {len(paths)} file(s)")


def count_floor(count: int) -> int:
    """The fewest entries a copy may hold against ``count`` and still be taken unforced:
    ``count`` less ``MAX_DROP`` of it, rounded up (8,976 -> 7,181)."""
    kept_percent = round((1 - MAX_DROP) * 100)
    # whole numbers throughout, so that no float rounding moves the floor by one
    return (count * kept_percent + 99) // 100


def check_list(
    spec: DatasetSpec,
    check: ListCheck,
    files: Sequence[ListFile],
    installed: InstalledDataset | None,
    installed_files: Sequence[Path],
    *,
    force: bool = False,
) -> ListRecord:
    """Read the new copy of ``spec``'s list whole and hold its size; its record if taken.

    ``files`` are the staged files in the data set's order; ``installed`` the record of
    the copy installed now (``None`` when there is none) and ``installed_files`` its files,
    read for their count when the record predates counts. Raises ``DataUnavailableError``
    naming the file and what was expected when the reader refuses the copy, and when its
    entries fall more than ``MAX_DROP`` below the installed copy's or the reference count,
    unless ``force``. Nothing is written here: the caller installs or keeps the old copy.
    """
    try:
        result = read_list(check.reader, [f.path for f in files])
    except InvalidInputError as error:
        raise _unreadable(spec, check, files, error) from None
    entries = len(result.entities)
    record = ListRecord(
        list_id=result.list_id,
        entries=entries,
        rejected=len(result.rejected),
        published=result.published,
    )
    shortfalls = [
        (count, whence)
        for count, whence in _baselines(check, installed, installed_files)
        if entries < count_floor(count)
    ]
    if not shortfalls:
        return record
    if force:
        return record.model_copy(update={"forced": True})
    main = files[0]
    against = " and ".join(
        f"{whence} (at least {count_floor(count):,} expected)" for count, whence in shortfalls
    )
    raise DataUnavailableError(
        f"{spec.id}: refused {main.name} from {_place(main.source)}: it yields "
        f"{entries:,} {_entries(entries)}, more than {MAX_DROP:.0%} fewer than {against}. "
        "A truncated download or a partial file would look like this. "
        f"Nothing of {spec.id} was replaced; to install it anyway, pull it again with "
        "--force (`backchannel data pull --force`)."
    )


def _baselines(
    check: ListCheck, installed: InstalledDataset | None, installed_files: Sequence[Path]
) -> list[tuple[int, str]]:
    """The counts a new copy is held to, each with where it comes from."""
    found: list[tuple[int, str]] = []
    previous = _installed_count(check, installed, installed_files)
    if previous is not None:
        found.append((previous, f"the installed copy's {previous:,}"))
    if check.reference_entries is not None:
        count = check.reference_entries
        found.append((count, f"the {count:,} of {check.reference}"))
    return found


def _installed_count(
    check: ListCheck, installed: InstalledDataset | None, installed_files: Sequence[Path]
) -> int | None:
    """The installed copy's entry count: as recorded, else read from its files (a record
    written before counts were kept); ``None`` when nothing usable is installed."""
    if installed is None or not installed.installed:
        return None
    if installed.designation_list is not None:
        return installed.designation_list.entries
    if not installed_files:
        return None
    try:
        return len(read_list(check.reader, installed_files).entities)
    except (InvalidInputError, ValueError):
        # a damaged installation is no baseline: the reference count still holds
        return None


def _unreadable(
    spec: DatasetSpec, check: ListCheck, files: Sequence[ListFile], error: InvalidInputError
) -> DataUnavailableError:
    """The refusal of a copy the reader cannot read, naming the file by its source."""
    failing = next((f for f in files if str(f.path) == error.source), files[0])
    problems = "; ".join(p.describe(failing.name) for p in error.problems[:_SHOWN])
    more = len(error.problems) - _SHOWN
    if more > 0:
        problems += f"; and {more} more"
    return DataUnavailableError(
        f"{spec.id}: refused {failing.name} from {_place(failing.source)}: the list's reader "
        f"cannot take it: {problems}. Expected {_EXPECTED[check.reader]}. "
        f"Nothing of {spec.id} was replaced."
    )


def _place(source: str) -> str:
    return source.removeprefix("mirror:")


def _entries(count: int) -> str:
    return "entry" if count == 1 else "entries"
