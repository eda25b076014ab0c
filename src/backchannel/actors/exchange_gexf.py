"""Actor maps as GEXF 1.2 for Gephi, dynamic: each relation lives in a spell.

A relation's ``valid_from``/``valid_to`` become the one spell of its edge (an open end is
left out of the spell, which Gephi reads as unbounded), so Gephi's timeline shows the map
as it changes. Nodes carry the actor's name as their ``label``; other fields are typed
attributes, ``aliases`` and ``references`` as JSON list text. The graph's name is the case
id: networkx writes no other graph attribute to GEXF, so a GEXF file does not say whether
it was redacted or cut at a date. Written and read with networkx; on reading, an edge's
``start``/``end`` attributes are accepted in place of a spell, as Gephi writes either. A
document with a DTD, entities or external references is refused before networkx reads it
(``exchange_graphml.refuse_unsafe_xml``).
"""

from __future__ import annotations

import io
import warnings
from typing import Any

import networkx as nx

from backchannel.actors.exchange_graphml import refuse_unsafe_xml, xml_problem
from backchannel.actors.exchange_records import (
    DATE_FIELDS,
    ActorMap,
    Element,
    MapDraft,
    actor_attributes,
    as_text,
    build_map,
    relation_attributes,
)
from backchannel.errors import InvalidInputError, Problem

_OPEN = "None"  # what networkx's reader gives for a spell end the file leaves out


def write_gexf(actor_map: ActorMap) -> str:
    """The map as a dynamic GEXF 1.2 document."""
    # networkx writes no graph attributes to GEXF but its name: the case id goes there
    graph = nx.MultiDiGraph(mode="dynamic", name=actor_map.case or "")
    for actor in actor_map.actors:
        attributes = {k: as_text(v) for k, v in actor_attributes(actor).items()}
        attributes.pop("name")
        graph.add_node(actor.id, label=actor.name, **attributes)
    for relation in actor_map.relations:
        attributes = {
            k: as_text(v) for k, v in relation_attributes(relation).items() if k not in DATE_FIELDS
        }
        start = relation.valid_from.isoformat() if relation.valid_from else None
        end = relation.valid_to.isoformat() if relation.valid_to else None
        if start or end:
            attributes["spells"] = [(start, end)]
        graph.add_edge(
            relation.source,
            relation.target,
            key=relation.id,
            id=relation.id,
            label=relation.kind.value,
            **attributes,
        )
    buffer = io.BytesIO()
    nx.write_gexf(graph, buffer, encoding="utf-8", version="1.2draft")
    return buffer.getvalue().decode("utf-8")


def read_gexf(data: str | bytes, source: str = "<input>") -> ActorMap:
    """Actors and relations from a GEXF document; ``InvalidInputError`` names bad nodes
    and edges (``node 'x'.kind``, ``edge 'r1'.valid_to``), and refuses a document with a
    DTD, entities or external references."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    refuse_unsafe_xml(raw, source, "GEXF")
    try:
        with warnings.catch_warnings():
            # networkx warns of attributes without a type; the values are validated below
            warnings.simplefilter("ignore")
            graph = nx.read_gexf(io.BytesIO(raw), version="1.2draft")
    # networkx and the XML parser raise many kinds of errors on a malformed file (syntax,
    # undeclared attributes, values of the wrong type); every one means it is not usable
    except Exception as error:
        raise InvalidInputError(source, [xml_problem(error, "GEXF")]) from None
    draft = MapDraft(attributes={"case": graph.graph.get("name")})
    if not graph.is_directed():
        draft.problems.append(
            Problem("graph", 'edges must be directed (defaultedgetype="directed")')
        )
    for node, attributes in graph.nodes(data=True):
        values = {**attributes, "id": node, "name": attributes.get("label")}
        draft.nodes.append(Element(f"node {node!r}", values))
    edges = (
        graph.edges(keys=True, data=True)
        if graph.is_multigraph()
        else ((u, v, None, d) for u, v, d in graph.edges(data=True))
    )
    for source_id, target_id, key, attributes in edges:
        edge_id = attributes.get("id", key)
        where = f"edge {edge_id!r}"
        values = {**attributes, "id": edge_id, "source": source_id, "target": target_id}
        values.pop("label", None)
        draft.problems.extend(_take_window(values, where))
        draft.edges.append(Element(where, values))
    return build_map(draft, source)


def _take_window(values: dict[str, Any], where: str) -> list[Problem]:
    """Move the edge's spell (or start/end) into ``valid_from``/``valid_to``."""
    spells = values.pop("spells", None)
    start, end = values.pop("start", None), values.pop("end", None)
    if spells:
        if len(spells) > 1:
            return [
                Problem(
                    f"{where}.spells",
                    f"{len(spells)} spells: a relation holds for one window; write one edge "
                    "per spell",
                )
            ]
        start, end = spells[0]
    values["valid_from"] = None if start in (None, _OPEN) else start
    values["valid_to"] = None if end in (None, _OPEN) else end
    return []
