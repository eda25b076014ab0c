"""Exporting and importing actor maps: GraphML, GEXF (dynamic), Cytoscape.js JSON, CSV.

An export is redacted unless asked otherwise: sensitive fields (notes) are left out,
masked actors named by their labels and every id made opaque (``exchange_records.redact``),
because an exported file leaves the encrypted store and the need-to-know circle with it.
The redacted text is then read back and refused (``RedactionLeakError``) if a sensitive
form is still in it. ``include_sensitive=True`` exports everything, for the analyst's own
tools.

Reading any format gives back an ``ActorMap`` of validated actors and relations; a file
that breaks the case model raises ``InvalidInputError`` naming the file and the element
or row. Each format has its own module; this one picks between them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

from backchannel.actors.exchange_csv import read_csv, write_csv
from backchannel.actors.exchange_cytoscape import read_cytoscape, write_cytoscape
from backchannel.actors.exchange_gexf import read_gexf, write_gexf
from backchannel.actors.exchange_graphml import read_graphml, write_graphml
from backchannel.actors.exchange_records import ActorMap, case_map, redact
from backchannel.errors import InvalidInputError, Problem
from backchannel.model.case import Case
from backchannel.redaction import Disclosure, check_output

__all__ = [
    "ActorMap",
    "MapFormat",
    "export_case",
    "format_of",
    "read_map",
    "read_map_file",
    "redact",
    "write_map",
]


class MapFormat(StrEnum):
    """The exchange formats of an actor map."""

    GRAPHML = "graphml"
    GEXF = "gexf"
    JSON = "json"  # Cytoscape.js elements JSON
    CSV = "csv"  # edge list


_WRITERS: dict[MapFormat, Callable[[ActorMap], str]] = {
    MapFormat.GRAPHML: write_graphml,
    MapFormat.GEXF: write_gexf,
    MapFormat.JSON: write_cytoscape,
    MapFormat.CSV: write_csv,
}
_READERS: dict[MapFormat, Callable[[str | bytes, str], ActorMap]] = {
    MapFormat.GRAPHML: read_graphml,
    MapFormat.GEXF: read_gexf,
    MapFormat.JSON: read_cytoscape,
    MapFormat.CSV: read_csv,
}
#: How a leak check reads each format back.
_READ_AS = {
    MapFormat.GRAPHML: "xml",
    MapFormat.GEXF: "xml",
    MapFormat.JSON: "json",
    MapFormat.CSV: "csv",
}
_SUFFIXES = {
    ".graphml": MapFormat.GRAPHML,
    ".xml": MapFormat.GRAPHML,
    ".gexf": MapFormat.GEXF,
    ".json": MapFormat.JSON,
    ".cyjs": MapFormat.JSON,
    ".csv": MapFormat.CSV,
}


def write_map(actor_map: ActorMap, to: MapFormat) -> str:
    """The map as text in the given format, exactly as it is (no redaction here)."""
    return _WRITERS[to](actor_map)


def export_case(
    case: Case,
    to: MapFormat,
    *,
    as_of: dt.date | None = None,
    include_sensitive: bool = False,
) -> str:
    """The case's actor map as text: relations in force on ``as_of`` (all when ``None``),
    redacted unless ``include_sensitive``.

    A redacted export is checked before it is returned: ``RedactionLeakError`` if any
    sensitive form of the case is still in the text, which is then not returned at all.
    """
    actor_map = case_map(case, as_of)
    if include_sensitive:
        return write_map(actor_map, to)
    disclosure = Disclosure.of(case)
    text = write_map(redact(actor_map, disclosure), to)
    document = f"actor map export of case {case.id} ({to.value})"
    return check_output(disclosure, document, text, _READ_AS[to])


def read_map(data: str | bytes, fmt: MapFormat, source: str = "<input>") -> ActorMap:
    """Actors and relations from a document in the given format; ``source`` names it in
    errors."""
    return _READERS[fmt](data, source)


def format_of(path: str | Path) -> MapFormat:
    """The format a file name implies (``.graphml``, ``.gexf``, ``.json``/``.cyjs``,
    ``.csv``); ``InvalidInputError`` for any other suffix."""
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        known = ", ".join(sorted(_SUFFIXES))
        problem = Problem("", f"cannot tell the format from {suffix or 'no suffix'!r}: use {known}")
        raise InvalidInputError(str(path), [problem])
    return _SUFFIXES[suffix]


def read_map_file(path: str | Path, fmt: MapFormat | None = None) -> ActorMap:
    """Actors and relations from a file, its format given or told by its suffix."""
    chosen = fmt or format_of(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InvalidInputError(
            str(path), [Problem("", f"cannot read: {error.strerror}")]
        ) from None
    return read_map(data, chosen, str(path))
