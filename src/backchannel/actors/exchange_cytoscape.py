"""Actor maps as Cytoscape.js JSON: ``{"data": {...}, "elements": {"nodes", "edges"}}``.

Each element's ``data`` holds the record's fields as JSON values (lists stay lists); a node
also has ``label`` (its name) and an edge ``label`` (its kind) for styles to show. Written
by hand rather than with networkx's ``cytoscape_data``, whose reader needs networkx's own
``value``/``name`` keys and so refuses files from Cytoscape.js itself; reading accepts
``elements`` as the object above or as Cytoscape's flat list of ``group``-tagged elements.
"""

from __future__ import annotations

import json
from typing import Any

from backchannel.actors.exchange_records import (
    ActorMap,
    Element,
    MapDraft,
    actor_attributes,
    build_map,
    relation_attributes,
)
from backchannel.errors import InvalidInputError, Problem


def cytoscape_document(actor_map: ActorMap) -> dict[str, Any]:
    """The map as a Cytoscape.js JSON document (a dictionary)."""
    nodes = [
        {"data": {"id": actor.id, "label": actor.name, **actor_attributes(actor)}}
        for actor in actor_map.actors
    ]
    edges = [
        {
            "data": {
                "id": relation.id,
                "source": relation.source,
                "target": relation.target,
                "label": relation.kind.value,
                **relation_attributes(relation),
            }
        }
        for relation in actor_map.relations
    ]
    return {"data": actor_map.attributes(), "elements": {"nodes": nodes, "edges": edges}}


def write_cytoscape(actor_map: ActorMap) -> str:
    """The map as Cytoscape.js JSON text."""
    return json.dumps(cytoscape_document(actor_map), indent=2, ensure_ascii=False) + "\n"


def read_cytoscape(data: str | bytes, source: str = "<input>") -> ActorMap:
    """Actors and relations from Cytoscape.js JSON; ``InvalidInputError`` names bad elements
    by their place (``elements.nodes[2].data.kind``)."""
    try:
        document = json.loads(data)
    except ValueError as error:  # JSONDecodeError and undecodable bytes alike
        line = getattr(error, "lineno", None)
        raise InvalidInputError(source, [Problem("", f"not valid JSON: {error}", line)]) from None
    if not isinstance(document, dict):
        raise InvalidInputError(source, [Problem("", "expected a JSON object with 'elements'")])
    draft = MapDraft()
    attributes = document.get("data", {})
    if isinstance(attributes, dict):
        draft.attributes = attributes
    else:
        draft.problems.append(Problem("data", "expected an object of graph attributes"))
    for group, place, element in _elements(document, draft):
        if not isinstance(element, dict) or not isinstance(element.get("data"), dict):
            draft.problems.append(Problem(place, "expected an object with a 'data' object"))
            continue
        values = dict(element["data"])
        where = f"{place}.data"
        if group == "nodes":
            if "name" not in values and "label" in values:
                values["name"] = values["label"]
            draft.nodes.append(Element(where, values))
        else:
            draft.edges.append(Element(where, values))
    return build_map(draft, source)


def _elements(document: dict[str, Any], draft: MapDraft) -> list[tuple[str, str, Any]]:
    """Every element as ``(group, place, element)``, from either layout of ``elements``."""
    elements = document.get("elements")
    found: list[tuple[str, str, Any]] = []
    if isinstance(elements, dict):
        for group in ("nodes", "edges"):
            items = elements.get(group, [])
            if not isinstance(items, list):
                draft.problems.append(Problem(f"elements.{group}", "expected a list"))
                continue
            found += [(group, f"elements.{group}[{i}]", item) for i, item in enumerate(items)]
    elif isinstance(elements, list):
        for i, item in enumerate(elements):
            data = item.get("data") if isinstance(item, dict) else None
            tagged = item.get("group") if isinstance(item, dict) else None
            if tagged in ("nodes", "edges"):
                group = str(tagged)
            else:
                group = "edges" if isinstance(data, dict) and "source" in data else "nodes"
            found.append((group, f"elements[{i}]", item))
    else:
        draft.problems.append(
            Problem("elements", "expected {'nodes': [...], 'edges': [...]} or a list")
        )
    return found
