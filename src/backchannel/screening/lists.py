"""Loading designation lists by path, whatever their format.

``load_lists`` takes files or folders and hands back one ``ReadResult`` per list: the UN
consolidated XML, OFAC's SDN CSV (its ``alt`` and ``add`` files found beside it), and
FollowTheMoney JSON lines. The format is told from the file's name (and, for plain
``.json``, from its first line).
"""

from __future__ import annotations

import json
from pathlib import Path

from backchannel.errors import InvalidInputError, Problem
from backchannel.screening.entity import ReadResult
from backchannel.screening.read_ftm import read_ftm
from backchannel.screening.read_ofac import read_ofac
from backchannel.screening.read_un import read_un

__all__ = ["list_format", "load_lists", "ofac_companions"]

_FTM_SUFFIXES = (".ftm.json", ".jsonl", ".ndjson", ".json")
_SNIFF = 1 << 20  # the first line of a FtM file: one entity


def load_lists(*paths: str | Path) -> list[ReadResult]:
    """Read every designation list among ``paths`` (files, or folders holding them).

    OFAC's ``alt`` / ``add`` files are read with their ``sdn`` file, not on their own. A
    folder contributes the files of a known format in it, in name order. Raises
    ``InvalidInputError`` for a path that does not exist or a file of no known format
    (naming it), and whatever the readers raise; nothing is returned half-read.
    """
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = [p for p in sorted(path.iterdir()) if p.is_file() and _known(p)]
            if not found:
                raise InvalidInputError(str(path), [Problem("", "holds no designation list")])
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise InvalidInputError(str(path), [Problem("", "no such file or folder")])
    results: list[ReadResult] = []
    consumed: set[Path] = set()
    for file in dict.fromkeys(files):
        if file in consumed:
            continue
        kind = list_format(file)
        if kind == "un":
            results.append(read_un(file))
        elif kind == "ftm":
            results.append(read_ftm(file))
        elif kind == "ofac":
            alt, add = ofac_companions(file)
            consumed.update(p for p in (alt, add) if p is not None)
            results.append(read_ofac(file, alt, add))
        elif kind == "ofac-part":
            if _sibling(file, "sdn") not in files:
                message = "an OFAC alias/address file is read with its sdn file; pass that"
                raise InvalidInputError(str(file), [Problem("", message)])
        else:
            message = "not a designation list of a known format (UN XML, OFAC sdn.csv, FtM)"
            raise InvalidInputError(str(file), [Problem("", message)])
    return results


def list_format(path: Path) -> str | None:
    """``un``, ``ofac``, ``ofac-part`` (alt/add), ``ftm``, or ``None`` for this file."""
    name = path.name.lower()
    if name.endswith(".xml"):
        return "un"
    if name.endswith(_FTM_SUFFIXES):
        # a folder of lists may hold other JSON (an install record): FtM lines are
        # objects with an id and a schema
        return "ftm" if name.endswith(".ftm.json") or _looks_like_ftm(path) else None
    if name.endswith(".csv"):
        stem = name.removesuffix(".csv")
        if stem.endswith("sdn"):
            return "ofac"
        if stem.endswith(("alt", "add")):
            return "ofac-part"
    return None


def ofac_companions(sdn: Path) -> tuple[Path | None, Path | None]:
    """The ``alt`` and ``add`` files beside an OFAC ``sdn`` file (``sdn.csv`` ->
    ``alt.csv``, ``ofac_sdn.csv`` -> ``ofac_alt.csv``), or ``None`` where absent."""
    alt, add = _sibling(sdn, "alt"), _sibling(sdn, "add")
    return (alt if alt.is_file() else None), (add if add.is_file() else None)


def _sibling(path: Path, part: str) -> Path:
    """The OFAC file of another part beside this one: the last three letters of the name
    before ``.csv`` (sdn / alt / add) replaced, in the same case."""
    stem, suffix = path.name[:-4], path.name[-4:]
    return path.with_name(stem[:-3] + (part.upper() if stem[-3:].isupper() else part) + suffix)


def _known(path: Path) -> bool:
    return list_format(path) is not None


def _looks_like_ftm(path: Path) -> bool:
    try:
        with path.open("rb") as raw:
            first = raw.readline(_SNIFF)
        entity = json.loads(first)
    except (OSError, ValueError):
        return False
    return isinstance(entity, dict) and "schema" in entity and "id" in entity
