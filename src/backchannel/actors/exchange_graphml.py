"""Actor maps as GraphML, through networkx's reader and writer.

Nodes are actors (GraphML node id = actor id) and edges relations (edge id = relation id).
Attributes are typed GraphML keys named as the model's fields; ``aliases`` and
``references`` are JSON list text, since GraphML holds scalars only; days are ISO text.
Every node also has a ``label`` (its name), which Gephi and yEd show. The graph carries
``case``, ``as_of`` and ``redacted``.

An imported file may come from anyone, so it is first parsed with ``defusedxml``, which
refuses any DTD (and with it entity expansion, the "billion laughs", and external entities
that would read local files or URLs); only then does networkx read it with the standard
library parser. GraphML and GEXF need no DTD.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

import defusedxml.ElementTree as safe_xml
import networkx as nx
from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)

from backchannel.actors.exchange_records import (
    ActorMap,
    Element,
    MapDraft,
    actor_attributes,
    as_text,
    build_map,
    relation_attributes,
)
from backchannel.errors import InvalidInputError, Problem


def write_graphml(actor_map: ActorMap) -> str:
    """The map as a GraphML document."""
    graph = nx.MultiDiGraph(**actor_map.attributes())
    for actor in actor_map.actors:
        attributes = {k: as_text(v) for k, v in actor_attributes(actor).items()}
        graph.add_node(actor.id, label=actor.name, **attributes)
    for relation in actor_map.relations:
        attributes = {k: as_text(v) for k, v in relation_attributes(relation).items()}
        graph.add_edge(relation.source, relation.target, key=relation.id, **attributes)
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8")
    return buffer.getvalue().decode("utf-8")


def xml_problem(error: Exception, what: str) -> Problem:
    """A parser's refusal as a problem, at the line the XML parser names when it does."""
    position = getattr(error, "position", None)
    line = position[0] if isinstance(position, tuple) and position else None
    return Problem("", f"not a valid {what} document: {error}", line)


_REFUSALS: tuple[tuple[type[DefusedXmlException], str], ...] = (
    (DTDForbidden, "it declares a DTD (<!DOCTYPE ...>)"),
    (EntitiesForbidden, "it declares entities"),
    (ExternalReferenceForbidden, "it refers to an external resource"),
)


def refuse_unsafe_xml(raw: bytes, source: str, what: str) -> None:
    """Raise ``InvalidInputError`` naming ``source`` if the document holds a DTD, an entity
    declaration or an external reference, or is not well-formed XML.

    Run before networkx parses the same bytes with the standard library, which would expand
    entities a DTD declares: with no DTD there are none to expand, and nothing external to
    fetch.
    """
    try:
        safe_xml.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        reason = next((r for kind, r in _REFUSALS if isinstance(error, kind)), str(error))
        message = (
            f"refused: {reason}; a {what} document needs none, and one can expand entities "
            "without bound or read other files"
        )
        raise InvalidInputError(source, [Problem("", message)]) from None
    # the parser raises many kinds of errors on a malformed file (syntax, an unknown
    # encoding...); every one means the file is not usable, as networkx would find
    except Exception as error:
        raise InvalidInputError(source, [xml_problem(error, what)]) from None


def read_graphml(data: str | bytes, source: str = "<input>") -> ActorMap:
    """Actors and relations from a GraphML document; ``InvalidInputError`` names bad nodes
    and edges (``node 'x'.kind``, ``edge 'r1'.valid_to``), and refuses a document with a
    DTD, entities or external references (see ``refuse_unsafe_xml``)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    refuse_unsafe_xml(raw, source, "GraphML")
    try:
        with warnings.catch_warnings():
            # networkx warns of keys without a type; the values are validated below anyway
            warnings.simplefilter("ignore")
            graph = nx.read_graphml(io.BytesIO(raw), force_multigraph=True)
    # networkx and the XML parser raise many kinds of errors on a malformed file (syntax,
    # unknown keys, values of the wrong type); every one means the file is not usable
    except Exception as error:
        raise InvalidInputError(source, [xml_problem(error, "GraphML")]) from None
    draft = MapDraft(attributes=dict(graph.graph))
    if not graph.is_directed():
        draft.problems.append(Problem("graph", 'edges must be directed (edgedefault="directed")'))
    for node, attributes in graph.nodes(data=True):
        draft.nodes.append(Element(f"node {node!r}", _node_values(node, attributes)))
    for source_id, target_id, key, attributes in graph.edges(keys=True, data=True):
        values = {**attributes, "id": key, "source": source_id, "target": target_id}
        draft.edges.append(Element(f"edge {key!r}", values))
    return build_map(draft, source)


def _node_values(node: Any, attributes: dict[str, Any]) -> dict[str, Any]:
    values = {**attributes, "id": node}
    if "name" not in values and "label" in values:
        values["name"] = values["label"]
    return values
