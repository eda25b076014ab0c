"""What every actor-map format shares: the map itself, redaction, and records from elements.

An ``ActorMap`` is the part of a case that the exchange formats carry: its actors and
relations, with the case id, the day the map was cut at (``as_of``) and whether it was
redacted. Writers turn records into flat attribute dictionaries (``actor_attributes``,
``relation_attributes``); readers hand the elements they found back to ``build_map``, which
validates each against the case model and names the element of every problem.

Redaction follows the case's ``redaction.Disclosure``: notes are dropped; a masked actor
(an intermediary, a religious or community leader, anyone holding a channel to a
counterpart, unless disclosed) is named by its label and loses its aliases, UCDP id and
references; every actor and relation gets an opaque id, since an id is often a slug of a
name; and every other name is masked where it mentions a masked actor.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import ValidationError

from backchannel.actors.graph import relation_holds
from backchannel.errors import InvalidInputError, Problem
from backchannel.model.case import Actor, Case, Context, Period, Relation, integrity_problems
from backchannel.redaction import Disclosure

#: Fields holding lists; formats without lists write them as JSON text.
LIST_FIELDS = frozenset({"aliases", "references"})
#: Fields holding days; every format writes them as ISO 8601 text.
DATE_FIELDS = frozenset({"valid_from", "valid_to"})
#: Graph-level attributes every format carries.
MAP_ATTRIBUTES = ("case", "as_of", "redacted")


@dataclass(frozen=True)
class ActorMap:
    """A case's actors and relations as exchanged, with where they came from."""

    actors: tuple[Actor, ...]
    relations: tuple[Relation, ...]
    case: str | None = None
    as_of: dt.date | None = None
    redacted: bool = False

    def attributes(self) -> dict[str, Any]:
        """The graph-level attributes, without the unset ones."""
        values: dict[str, Any] = {
            "case": self.case,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "redacted": self.redacted,
        }
        return {k: v for k, v in values.items() if v is not None}


def case_map(case: Case, as_of: dt.date | None = None) -> ActorMap:
    """The case's actors, and the relations in force on ``as_of`` (all when ``None``)."""
    return ActorMap(
        actors=tuple(case.actors),
        relations=tuple(r for r in case.relations if relation_holds(r, as_of)),
        case=case.id,
        as_of=as_of,
    )


def map_disclosure(actor_map: ActorMap) -> Disclosure:
    """The redaction of a map read without its case: its actors and relations alone."""
    context = Context.model_construct(
        title=actor_map.case or "actor map",
        country="",
        regions=[],
        period=Period.model_construct(start=dt.date.min),
    )
    fields: dict[str, Any] = {
        "id": actor_map.case or "actor-map",
        "context": context,
        "sources": [],
        "actors": list(actor_map.actors),
        "relations": list(actor_map.relations),
        "engagements": [],
        "commitments": [],
        "judgements": [],
    }
    return Disclosure.of(Case.model_construct(**fields))


def redact(actor_map: ActorMap, disclosure: Disclosure | None = None) -> ActorMap:
    """The map without sensitive fields, masked actors named by their labels, and every id
    replaced by its opaque label; the map says it was redacted.

    ``disclosure`` is the redaction of the whole case the map was cut from: which actors
    are masked depends on every relation and engagement of the case, not only on the ties
    in force on the map's day. Without it, the map's own actors and relations decide.
    """
    shown = disclosure or map_disclosure(actor_map)
    actors = tuple(shown.masked_actor(actor) for actor in actor_map.actors)
    relations = tuple(
        relation.model_copy(
            update={
                **{name: None for name in relation.sensitive_fields()},
                "id": shown.record_label(relation.id),
                "source": shown.record_label(relation.source),
                "target": shown.record_label(relation.target),
                "references": [],
            }
        )
        for relation in actor_map.relations
    )
    return replace(actor_map, actors=actors, relations=relations, redacted=True)


def _flat(record: Actor | Relation, skip: set[str]) -> dict[str, Any]:
    values = record.model_dump(mode="json", exclude_none=True, exclude=skip)
    return {k: v for k, v in values.items() if not (k in LIST_FIELDS and not v)}


def actor_attributes(actor: Actor) -> dict[str, Any]:
    """An actor as node attributes: JSON values, unset fields and empty lists left out."""
    return _flat(actor, {"id"})


def relation_attributes(relation: Relation) -> dict[str, Any]:
    """A relation as edge attributes (without ``source`` and ``target``, which the edge has)."""
    return _flat(relation, {"id", "source", "target"})


def as_text(value: Any) -> Any:
    """A list as JSON text, for formats whose attributes hold only scalars."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value


def as_list(value: Any) -> Any:
    """A list field read back: a list as it is, JSON list text, else ``;``-separated text."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except ValueError:
            return value  # the model then says what is wrong with it
    return [part.strip() for part in text.split(";") if part.strip()]


# --------------------------------------------------------------------------- reading


@dataclass
class Element:
    """A node or an edge as a reader found it: where, its id, and its attributes."""

    where: str
    attributes: dict[str, Any]
    line: int | None = None


@dataclass
class MapDraft:
    """What a reader found in a file, before validation."""

    nodes: list[Element] = field(default_factory=list)
    edges: list[Element] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _clean(attributes: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """The attributes the model knows, with list fields decoded and blanks dropped."""
    known = set(fields)
    values: dict[str, Any] = {}
    for name, value in attributes.items():
        if name not in known or value is None or (isinstance(value, str) and value == ""):
            continue
        values[name] = as_list(value) if name in LIST_FIELDS else value
    return values


def _problems(error: ValidationError, element: Element) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        path = ".".join(str(part) for part in item["loc"])
        location = f"{element.where}.{path}" if path else element.where
        problems.append(Problem(location, item["msg"], element.line))
    return problems


def _day(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def build_map(draft: MapDraft, source: str) -> ActorMap:
    """Validate what a reader found; raise ``InvalidInputError`` naming each bad element.

    Checks each node as an actor and each edge as a relation, then the ties between them
    as a case would (every edge joins two nodes, no id twice, no relation recorded twice for
    overlapping dates). References to sources are not checked: sources live in the case.
    """
    problems = list(draft.problems)
    actors: list[Actor] = []
    actor_places: list[Element] = []
    for element in draft.nodes:
        try:
            actors.append(Actor.model_validate(_clean(element.attributes, Actor.model_fields)))
            actor_places.append(element)
        except ValidationError as error:
            problems.extend(_problems(error, element))
    relations: list[Relation] = []
    relation_places: list[Element] = []
    for element in draft.edges:
        values = _clean(element.attributes, Relation.model_fields)
        values = {k: _day(v) for k, v in values.items()}
        try:
            relations.append(Relation.model_validate(values))
            relation_places.append(element)
        except ValidationError as error:
            problems.extend(_problems(error, element))
    if not problems:
        problems = _tie_problems(actors, actor_places, relations, relation_places)
    if problems:
        raise InvalidInputError(source, problems)
    return ActorMap(
        actors=tuple(actors),
        relations=tuple(relations),
        case=_text_or_none(draft.attributes.get("case")),
        as_of=_date_or_none(draft.attributes.get("as_of")),
        redacted=_truth(draft.attributes.get("redacted")),
    )


def _tie_problems(
    actors: Sequence[Actor],
    actor_places: Sequence[Element],
    relations: Sequence[Relation],
    relation_places: Sequence[Element],
) -> list[Problem]:
    """The case model's cross-record checks, located at the file's own elements."""
    # an unvalidated case holding only these two collections: the checks read no other field
    fields: dict[str, Any] = {"actors": list(actors), "relations": list(relations)}
    probe = Case.model_construct(**fields)
    places = {"actors": actor_places, "relations": relation_places}
    problems = []
    for problem in integrity_problems(probe):
        collection, _, rest = problem.location.partition("[")
        if collection not in places or ".references[" in rest:
            continue
        position, _, tail = rest.partition("]")
        element = places[collection][int(position)]
        problems.append(Problem(element.where + tail, problem.message, element.line))
    return problems


def _text_or_none(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _date_or_none(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


def _truth(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)
