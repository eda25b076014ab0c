"""The two source layouts (GED, ACLED) and how a file's header is matched to one of them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyarrow as pa

from backchannel.errors import InvalidInputError, Problem
from backchannel.events import columns as col
from backchannel.events.acled_layout import ACLED_COLUMNS, ACLED_REQUIRED, ACLED_USED, acled_columns
from backchannel.events.column_rules import Verdicts
from backchannel.events.ged_layout import GED_COLUMNS, GED_REQUIRED, GED_USED, ged_columns
from backchannel.events.text_values import show

__all__ = ["LAYOUTS", "Layout", "bind_columns", "normalise_header", "sniff"]

_GED_MARKERS = frozenset({"id", "type_of_violence", "side_a", "best"})
_ACLED_MARKERS = frozenset({"event_id_cnty", "event_type", "actor1", "fatalities"})


@dataclass(frozen=True)
class Layout:
    """A source layout: its columns, the required ones, the ones its mapping reads, its id
    column (events are ``<name>:<id>``) and its mapping, which takes the used columns
    (stripped), rejects and warns through ``Verdicts`` and gives the event columns (given
    ``strict_bounds``)."""

    name: str
    columns: tuple[str, ...]
    required: frozenset[str]
    used: tuple[str, ...]
    id_column: str
    map: Callable[[dict[str, pa.Array], Verdicts, bool], col.EventColumns]


LAYOUTS: dict[str, Layout] = {
    "ged": Layout("ged", GED_COLUMNS, GED_REQUIRED, GED_USED, "id", ged_columns),
    "acled": Layout(
        "acled", ACLED_COLUMNS, ACLED_REQUIRED, ACLED_USED, "event_id_cnty", acled_columns
    ),
}
"""The layouts by name, as ``read_events`` takes them in ``format``."""


def normalise_header(fields: Sequence[str]) -> list[str]:
    """Header names stripped and lower-cased, less a byte-order mark left before the first."""
    names = [name.strip().lower() for name in fields]
    if names:
        # a BOM left over when a BOM-marked file fell back to a legacy codec
        names[0] = names[0].removeprefix("\ufeff").removeprefix("ï»¿")
    return names


def sniff(header: Sequence[str], file: str, line: int) -> str:
    """The layout a header is written in, or ``InvalidInputError`` naming both."""
    names = set(header)
    if names >= _GED_MARKERS:
        return "ged"
    if names >= _ACLED_MARKERS:
        return "acled"
    raise InvalidInputError(
        file,
        [
            Problem(
                "header",
                "neither a UCDP GED nor an ACLED CSV header; expected GED columns "
                f"{', '.join(GED_COLUMNS)} or ACLED columns {', '.join(ACLED_COLUMNS)}; "
                f"found {show(', '.join(header), 200)}",
                line,
            )
        ],
    )


def bind_columns(
    layout: Layout, header: Sequence[str], file: str, line: int
) -> dict[str, int | None]:
    """Position of every layout column in the header (``None`` when absent and optional)."""
    problems: list[Problem] = []
    positions: dict[str, int | None] = dict.fromkeys(layout.columns)
    for index, name in enumerate(header):
        if name not in positions:
            continue  # an extra column, such as a spreadsheet's index: ignored
        if positions[name] is not None:
            problems.append(Problem("header", f"column {name!r} appears twice", line))
        positions[name] = index
    missing = [c for c in layout.columns if c in layout.required and positions[c] is None]
    if missing:
        problems.append(Problem("header", _missing_columns_message(layout, missing, header), line))
    if problems:
        raise InvalidInputError(file, problems)
    return positions


def _missing_columns_message(layout: Layout, missing: list[str], header: Sequence[str]) -> str:
    label = "UCDP GED" if layout.name == "ged" else "ACLED"
    message = (
        f"missing required {label} column(s) {', '.join(missing)}; expected the {label} "
        f"header {', '.join(layout.columns)}"
    )
    other = "acled" if layout.name == "ged" else "ged"
    markers = _ACLED_MARKERS if other == "acled" else _GED_MARKERS
    if markers <= set(header):
        message += f" (this looks like a {other.upper()} file: use format {other!r})"
    return message
