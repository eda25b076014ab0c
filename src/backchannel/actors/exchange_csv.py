"""Actor maps as a CSV edge list: one relation per row, for spreadsheets and Gephi.

Columns: the relation's fields (``id``, ``source``, ``target``, ``kind``, weights, validity
days, ``references`` joined by ``;``, ``notes`` when exported), then the name and kind of
each end (``source_name``, ``source_kind``, ``target_name``, ``target_kind``) so that the
list reads on its own and the actors can be rebuilt from it. An edge list has no room for
actors without relations or for an actor's other fields (aliases, stance, UCDP id): reading
one back gives those actors with their id, name and kind only.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from backchannel.actors.exchange_records import (
    LIST_FIELDS,
    ActorMap,
    Element,
    MapDraft,
    build_map,
    relation_attributes,
)
from backchannel.csv_records import csv_records
from backchannel.errors import InvalidInputError, Problem
from backchannel.model.case import Relation

RELATION_COLUMNS = (
    "id",
    "source",
    "target",
    "kind",
    "strength",
    "trust",
    "access",
    "valid_from",
    "valid_to",
    "references",
)
END_COLUMNS = ("source_name", "source_kind", "target_name", "target_kind")
REQUIRED = ("id", "source", "target", "kind")


def write_csv(actor_map: ActorMap) -> str:
    """The map's relations as CSV text, with the names and kinds of their ends."""
    with_notes = any(r.notes is not None for r in actor_map.relations)
    columns = [*RELATION_COLUMNS, *(("notes",) if with_notes else ()), *END_COLUMNS]
    actors = {a.id: a for a in actor_map.actors}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for relation in actor_map.relations:
        row = {"id": relation.id, "source": relation.source, "target": relation.target}
        for name, value in relation_attributes(relation).items():
            row[name] = "; ".join(value) if name in LIST_FIELDS else value
        for end in ("source", "target"):
            actor = actors[getattr(relation, end)]
            row[f"{end}_name"] = actor.name
            row[f"{end}_kind"] = actor.kind.value
        writer.writerow(row)
    return buffer.getvalue()


def read_csv(data: str | bytes, source: str = "<input>") -> ActorMap:
    """Relations, and the actors at their ends, from a CSV edge list.

    ``InvalidInputError`` names the row (by line) and column of every problem, including an
    actor given two different names or kinds on different rows.
    """
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        problem = Problem("", f"not UTF-8 text (byte {error.start})")
        raise InvalidInputError(source, [problem]) from None
    records = csv_records(io.StringIO(text, newline=""), source, skip_blank_cells=False)
    columns = next(records, (1, []))[1]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        problems = [Problem(c, "required column is missing", 1) for c in missing]
        raise InvalidInputError(source, problems)
    draft = MapDraft()
    ends: dict[str, tuple[dict[str, Any], int, str]] = {}
    for line, fields in records:
        if len(fields) > len(columns):
            draft.problems.append(Problem(f"row {line}", "more fields than columns", line))
            continue
        # as csv.DictReader reads it: a short row's last cells are None, the last of two
        # columns of one name wins
        row = {name: fields[at] if at < len(fields) else None for at, name in enumerate(columns)}
        values = {k: v for k, v in row.items() if k in Relation.model_fields}
        draft.edges.append(Element(f"row {line}", values, line))
        for end in ("source", "target"):
            _add_end(draft, ends, row, end, line)
    draft.nodes = [Element(where, values, line) for values, line, where in ends.values()]
    return build_map(draft, source)


def _add_end(
    draft: MapDraft,
    ends: dict[str, tuple[dict[str, Any], int, str]],
    row: dict[str, Any],
    end: str,
    line: int,
) -> None:
    """Record the actor at one end of a row; flag a name or kind that contradicts another row."""
    actor_id = row.get(end) or ""
    values = {"id": actor_id}
    for field in ("name", "kind"):
        value = row.get(f"{end}_{field}") or ""
        # a list written without names still gives valid actors, named by their ids
        values[field] = value or (actor_id if field == "name" else "")
    if not values["kind"]:
        values.pop("kind")
    known = ends.get(actor_id)
    if known is None:
        ends[actor_id] = (values, line, f"row {line}.{end}")
        return
    for field in ("name", "kind"):
        if field in values and values[field] != known[0].get(field, values[field]):
            draft.problems.append(
                Problem(
                    f"row {line}.{end}_{field}",
                    f"{actor_id!r} is {known[0][field]!r} on line {known[1]}, "
                    f"{values[field]!r} here",
                    line,
                )
            )
