"""Actor-map exports and imports: GraphML, GEXF, Cytoscape JSON, CSV, on the example cases
and on generated maps; redaction; bad files."""

from __future__ import annotations

import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
import typer
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import backchannel.cli.actors_io  # noqa: F401  (registers the commands on actors_app)
from backchannel.actors.exchange import (
    ActorMap,
    MapFormat,
    export_case,
    read_map,
    read_map_file,
    redact,
    write_map,
)
from backchannel.actors.graph import relation_holds
from backchannel.casefile import load_case
from backchannel.cli.actors import actors_app
from backchannel.errors import InvalidInputError
from backchannel.model import Actor, ActorKind, Case, Relation, RelationKind, Stance
from backchannel.redaction import Disclosure
from tests.conftest import EXAMPLES

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
GEXF_NS = "{http://www.gexf.net/1.2draft}"


def _by_id(records: tuple[Actor, ...] | tuple[Relation, ...]) -> dict[str, object]:
    return {r.id: r for r in records}


def _full_map(case: Case) -> ActorMap:
    return ActorMap(tuple(case.actors), tuple(case.relations), case.id)


def _redacted_map(case: Case) -> ActorMap:
    """The whole map redacted as an export of the case redacts it."""
    return redact(_full_map(case), Disclosure.of(case))


def _csv_actors(actor_map: ActorMap) -> dict[str, tuple[str, str, ActorKind]]:
    """What an edge list keeps of the actors: those at an end of a relation, id/name/kind."""
    ends = {r.source for r in actor_map.relations} | {r.target for r in actor_map.relations}
    return {a.id: (a.id, a.name, a.kind) for a in actor_map.actors if a.id in ends}


def assert_same_map(expected: ActorMap, found: ActorMap, fmt: MapFormat) -> None:
    """Same relations; same actors (an edge list keeps only what it can)."""
    assert _by_id(found.relations) == _by_id(expected.relations)
    if fmt is MapFormat.CSV:
        assert _csv_actors(found) == _csv_actors(expected)
    else:
        assert _by_id(found.actors) == _by_id(expected.actors)


@pytest.fixture(params=EXAMPLE_FILES, ids=[f.stem for f in EXAMPLE_FILES])
def example(request: pytest.FixtureRequest) -> Case:
    return load_case(request.param)


# ---------------------------------------------------- each example, exported and read back


def test_graphml_export_of_each_example_parses_back_with_the_same_nodes_and_edges(
    example: Case,
) -> None:
    text = export_case(example, MapFormat.GRAPHML, include_sensitive=True)
    # an independent parser first: networkx reads the file as any GraphML tool would
    graph = nx.read_graphml(io.BytesIO(text.encode("utf-8")), force_multigraph=True)
    assert set(graph.nodes) == {a.id for a in example.actors}
    assert set(graph.edges(keys=True)) == {(r.source, r.target, r.id) for r in example.relations}
    assert read_map(text, MapFormat.GRAPHML).case == example.id
    assert_same_map(_full_map(example), read_map(text, MapFormat.GRAPHML), MapFormat.GRAPHML)


def test_redacted_graphml_keeps_the_shape_of_the_map(example: Case) -> None:
    graph = nx.read_graphml(
        io.BytesIO(export_case(example, MapFormat.GRAPHML).encode()), force_multigraph=True
    )
    assert graph.number_of_nodes() == len(example.actors)
    assert graph.number_of_edges() == len(example.relations)
    assert graph.graph["redacted"] is True


@pytest.mark.parametrize("fmt", list(MapFormat))
@pytest.mark.parametrize("sensitive", [True, False], ids=["full", "redacted"])
def test_every_format_round_trips_each_example(
    example: Case, fmt: MapFormat, sensitive: bool
) -> None:
    expected = _full_map(example) if sensitive else _redacted_map(example)
    found = read_map(export_case(example, fmt, include_sensitive=sensitive), fmt, "export")
    assert_same_map(expected, found, fmt)


def test_as_of_keeps_only_the_relations_in_force() -> None:
    case = load_case(EXAMPLES / "central-african-republic-2013.yaml")
    day = dt.date(2013, 6, 1)
    found = read_map(export_case(case, MapFormat.JSON, as_of=day), MapFormat.JSON)
    expected = {r.id for r in _redacted_map(case).relations if relation_holds(r, day)}
    assert {r.id for r in found.relations} == expected
    assert 0 < len(expected) < len(case.relations)
    assert found.as_of == day
    assert len(found.actors) == len(case.actors)


def test_gexf_is_dynamic_with_one_spell_per_dated_relation(example: Case) -> None:
    root = ET.fromstring(export_case(example, MapFormat.GEXF))
    graph = root.find(f"{GEXF_NS}graph")
    assert graph is not None
    assert graph.get("mode") == "dynamic"
    assert graph.get("defaultedgetype") == "directed"
    relations = {r.id: r for r in _redacted_map(example).relations}
    edges = graph.findall(f"{GEXF_NS}edges/{GEXF_NS}edge")
    assert len(edges) == len(relations)
    dated = 0
    for edge in edges:
        relation = relations[edge.get("id", "")]
        spells = edge.findall(f"{GEXF_NS}spells/{GEXF_NS}spell")
        if relation.valid_from is None and relation.valid_to is None:
            assert spells == []
            continue
        dated += 1
        assert len(spells) == 1
        start = relation.valid_from.isoformat() if relation.valid_from else None
        end = relation.valid_to.isoformat() if relation.valid_to else None
        assert (spells[0].get("start"), spells[0].get("end")) == (start, end)
    assert dated > 0
    assert graph.get("timeformat") == "date"


# ------------------------------------------------------------------ redaction


def _masked_identities(case: Case) -> list[str]:
    masked = Disclosure.of(case).masked
    return [
        text
        for actor in case.actors
        if actor.id in masked
        for text in (actor.name, *actor.aliases, actor.id)
    ]


@pytest.mark.parametrize("fmt", list(MapFormat))
def test_a_redacted_export_names_no_masked_actor_and_holds_no_notes(
    example: Case, fmt: MapFormat
) -> None:
    identities = _masked_identities(example)
    assert identities, "every example case masks an actor"
    redacted = export_case(example, fmt)
    for identity in identities:
        assert identity not in redacted, identity
    records: list[Actor | Relation] = [*example.actors, *example.relations]
    for record in records:
        if record.notes:
            assert record.notes not in redacted
    full = export_case(example, fmt, include_sensitive=True)
    masked = Disclosure.of(example).masked
    names = [a.name for a in example.actors if a.id in masked]
    assert all(name in full or json.dumps(name)[1:-1] in full for name in names)


@pytest.mark.parametrize("fmt", list(MapFormat))
def test_a_redacted_export_holds_no_record_id(example: Case, fmt: MapFormat) -> None:
    shown = Disclosure.of(example)
    redacted = export_case(example, fmt)
    records: list[Actor | Relation] = [*example.actors, *example.relations]
    for record in records:
        if record.id in shown.exempt_ids:
            continue  # an id that only repeats the actor's public name
        assert record.id not in redacted, record.id


def test_redaction_labels_masked_actors_and_makes_every_id_opaque() -> None:
    case = load_case(EXAMPLES / "central-african-republic-2013.yaml")
    shown = Disclosure.of(case)
    redacted = redact(_full_map(case), shown)
    by_label = {a.id: a for a in redacted.actors}
    platform = by_label["religious-leader-1"]
    assert platform.name == "Religious leader 1" and not platform.aliases
    assert not platform.references and platform.ucdp_actor_id is None
    assert by_label["intermediary-1"].name == "Intermediary 1"
    # a mediator whose role is public keeps its name (and its id, which only repeats it)
    assert by_label["eccas-mediation"].name.startswith("ECCAS mediation")
    assert by_label["actor-1"].name == "Government of the Central African Republic"
    assert all(a.notes is None for a in redacted.actors)
    assert {r.id for r in redacted.relations} == {
        f"relation-{i}" for i in range(1, len(case.relations) + 1)
    }
    ids = {a.id for a in redacted.actors}
    assert all(r.source in ids and r.target in ids for r in redacted.relations)
    assert ids.isdisjoint({a.id for a in case.actors} - shown.exempt_ids)
    assert redacted.redacted


def test_a_map_read_without_its_case_is_redacted_by_its_own_ties() -> None:
    case = load_case(EXAMPLES / "somalia-2011.yaml")
    redacted = redact(_full_map(case))
    names = {a.name for a in redacted.actors}
    assert "Intermediary 1" in names
    assert not names & {a.name for a in case.actors if a.kind is ActorKind.INTERMEDIARY}


# ------------------------------------------------------------------ bad input


def _problems(error: pytest.ExceptionInfo[InvalidInputError]) -> list[tuple[str, str]]:
    return [(p.location, p.message) for p in error.value.problems]


def test_a_graphml_node_of_unknown_kind_is_named() -> None:
    case = load_case(EXAMPLES / "somalia-2011.yaml")
    actor = case.actors[0]
    text = export_case(case, MapFormat.GRAPHML, include_sensitive=True).replace(
        f">{actor.kind.value}<", ">warlord<", 1
    )
    with pytest.raises(InvalidInputError) as error:
        read_map(text, MapFormat.GRAPHML, "somalia.graphml")
    assert error.value.source == "somalia.graphml"
    assert any(loc == f"node {actor.id!r}.kind" for loc, _ in _problems(error))


def test_xml_syntax_errors_give_the_line() -> None:
    with pytest.raises(InvalidInputError) as error:
        read_map("<?xml version='1.0'?>\n<graphml>\n<graph>\n</graphml>", MapFormat.GRAPHML)
    assert error.value.problems[0].line == 4
    with pytest.raises(InvalidInputError, match="not a valid GEXF"):
        read_map("not xml at all", MapFormat.GEXF)


def test_a_gexf_spell_that_ends_before_it_starts_is_named() -> None:
    case = load_case(EXAMPLES / "central-african-republic-2013.yaml")
    relation = next(r for r in case.relations if r.valid_from and r.valid_to)
    assert relation.valid_from and relation.valid_to
    text = export_case(case, MapFormat.GEXF, include_sensitive=True).replace(
        f'start="{relation.valid_from.isoformat()}" end="{relation.valid_to.isoformat()}"',
        f'start="{relation.valid_to.isoformat()}" end="{relation.valid_from.isoformat()}"',
    )
    with pytest.raises(InvalidInputError) as error:
        read_map(text, MapFormat.GEXF)
    assert any(loc.startswith(f"edge {relation.id!r}") for loc, _ in _problems(error))


def test_cytoscape_edges_to_missing_nodes_and_duplicates_are_named() -> None:
    document: dict[str, dict[str, list[object]]] = {
        "elements": {
            "nodes": [
                {"data": {"id": "a", "name": "A", "kind": "armed_group"}},
                {"data": {"id": "b", "label": "B", "kind": "militia"}},
            ],
            "edges": [
                {"data": {"id": "r1", "source": "a", "target": "ghost", "kind": "fights"}},
                {"data": {"id": "r2", "source": "a", "target": "b", "kind": "fights"}},
                {"data": {"id": "r3", "source": "a", "target": "b", "kind": "fights"}},
                "not an element",
            ],
        }
    }
    with pytest.raises(InvalidInputError) as error:
        read_map(json.dumps(document), MapFormat.JSON, "map.json")
    problems = _problems(error)
    assert ("elements.edges[3]", "expected an object with a 'data' object") in problems
    with pytest.raises(InvalidInputError) as error:
        read_map(
            json.dumps(
                {"elements": {**document["elements"], "edges": document["elements"]["edges"][:3]}}
            ),
            MapFormat.JSON,
        )
    locations = [loc for loc, _ in _problems(error)]
    assert "elements.edges[0].data.target" in locations
    assert "elements.edges[2].data" in locations  # r3 repeats r2 for overlapping dates


def test_cytoscape_flat_element_lists_are_read() -> None:
    elements = [
        {"group": "nodes", "data": {"id": "a", "label": "A", "kind": "armed_group"}},
        {"data": {"id": "b", "name": "B", "kind": "government"}},
        {"data": {"id": "r", "source": "b", "target": "a", "kind": "fights"}},
    ]
    found = read_map(json.dumps({"elements": elements}), MapFormat.JSON)
    assert [a.name for a in found.actors] == ["A", "B"]
    assert [(r.source, r.target) for r in found.relations] == [("b", "a")]


def test_csv_rows_are_named_by_line_and_column() -> None:
    text = (
        "id,source,target,kind,valid_from,source_name,source_kind,target_name,target_kind\n"
        "r1,a,b,fights,2014-01-01,A,armed_group,B,militia\n"
        "r2,a,b,shakes_hands,,A,armed_group,B,militia\n"
        "r3,a,c,allied,2014-13-01,Another A,armed_group,C,militia\n"
    )
    with pytest.raises(InvalidInputError) as error:
        read_map(text, MapFormat.CSV, "edges.csv")
    problems = {(p.location, p.line) for p in error.value.problems}
    assert ("row 3.kind", 3) in problems
    assert ("row 4.valid_from", 4) in problems
    assert ("row 4.source_name", 4) in problems
    assert "edges.csv:3: at row 3.kind" in str(error.value)
    with pytest.raises(InvalidInputError, match="required column"):
        read_map("a,b\n1,2\n", MapFormat.CSV)


def test_read_map_file_tells_the_format_by_suffix(tmp_path: Path) -> None:
    case = load_case(EXAMPLES / "somalia-2011.yaml")
    path = tmp_path / "map.gexf"
    path.write_text(export_case(case, MapFormat.GEXF), encoding="utf-8")
    assert len(read_map_file(path).actors) == len(case.actors)
    with pytest.raises(InvalidInputError, match="cannot tell the format"):
        read_map_file(tmp_path / "map.txt")
    with pytest.raises(InvalidInputError, match="cannot read"):
        read_map_file(tmp_path / "missing.csv")


# ------------------------------------------------------------------ generated maps

_ID = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)
# characters XML 1.0 can hold and that survive its line-end normalisation
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cn"), whitelist_characters="\n"),
    min_size=1,
    max_size=20,
)
_UNIT = st.none() | st.floats(min_value=0.0, max_value=1.0)


@st.composite
def actor_maps(draw: st.DrawFn) -> ActorMap:
    ids = draw(st.lists(_ID, min_size=1, max_size=6, unique=True))
    actors = [
        Actor(
            id=actor_id,
            name=draw(_TEXT),
            aliases=draw(st.lists(_TEXT, max_size=2)),
            kind=draw(st.sampled_from(ActorKind)),
            ucdp_actor_id=draw(st.none() | st.integers(0, 10**9)),
            stance=draw(st.sampled_from(Stance)),
            notes=draw(st.none() | _TEXT),
            references=draw(st.lists(_ID, max_size=2)),
        )
        for actor_id in ids
    ]
    relations: list[Relation] = []
    if len(ids) > 1:
        ends = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda e: e[0] != e[1])
        keys = draw(
            st.lists(st.tuples(ends, st.sampled_from(RelationKind)), max_size=6, unique=True)
        )
        for number, ((source, target), kind) in enumerate(keys):
            days = sorted(draw(st.lists(st.dates(), min_size=2, max_size=2)))
            relations.append(
                Relation(
                    id=f"r{number}",
                    source=source,
                    target=target,
                    kind=kind,
                    strength=draw(_UNIT),
                    trust=draw(_UNIT),
                    access=draw(_UNIT),
                    valid_from=draw(st.sampled_from([None, days[0]])),
                    valid_to=draw(st.sampled_from([None, days[1]])),
                    notes=draw(st.none() | _TEXT),
                    references=draw(st.lists(_ID, max_size=2)),
                )
            )
    return ActorMap(tuple(actors), tuple(relations), draw(st.none() | _ID))


@pytest.mark.parametrize("fmt", list(MapFormat))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actor_map=actor_maps())
def test_generated_maps_round_trip(fmt: MapFormat, actor_map: ActorMap) -> None:
    assert_same_map(actor_map, read_map(write_map(actor_map, fmt), fmt), fmt)


@pytest.mark.parametrize("fmt", list(MapFormat))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    actor_map=actor_maps(),
    cut=st.tuples(st.integers(0, 10**6), st.integers(0, 40)),
    insert=st.text(max_size=8),
)
def test_damaged_files_give_invalid_input_not_a_crash(
    fmt: MapFormat, actor_map: ActorMap, cut: tuple[int, int], insert: str
) -> None:
    text = write_map(actor_map, fmt)
    start = cut[0] % (len(text) + 1)
    damaged = text[:start] + insert + text[start + cut[1] :]
    assume(damaged != text)
    try:
        found = read_map(damaged.encode("utf-8", "surrogatepass"), fmt, "damaged")
    except InvalidInputError as error:
        assert error.problems and error.source == "damaged"
    else:
        assert isinstance(found, ActorMap)


@pytest.mark.parametrize("fmt", list(MapFormat))
@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=200))
def test_random_bytes_give_invalid_input_not_a_crash(fmt: MapFormat, data: bytes) -> None:
    try:
        read_map(data, fmt)
    except InvalidInputError as error:
        assert error.problems


# ------------------------------------------------------------------ the command


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(actors_app, name="actors")
    return app


def test_export_command_writes_stdout_or_a_file(tmp_path: Path) -> None:
    runner = CliRunner()
    case_file = EXAMPLES / "central-african-republic-2013.yaml"
    result = runner.invoke(_app(), ["actors", "export", str(case_file), "--to", "graphml"])
    assert result.exit_code == 0, result.stderr
    assert read_map(result.stdout, MapFormat.GRAPHML).redacted
    assert "Sant'Egidio" not in result.stdout
    target = tmp_path / "map.gexf"
    result = runner.invoke(
        _app(),
        ["actors", "export", str(case_file), "--to", "gexf", "-o", str(target),
         "--as-of", "2014-08-01", "--include-sensitive"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "Sant'Egidio" in target.read_text(encoding="utf-8")
    found = read_map_file(target)
    assert all(relation_holds(r, dt.date(2014, 8, 1)) for r in found.relations)


def test_export_command_reports_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n", encoding="utf-8")
    result = runner.invoke(_app(), ["actors", "export", str(bad), "--to", "csv"])
    assert result.exit_code == 3
    assert str(bad) in result.stderr
    case_file = str(EXAMPLES / "somalia-2011.yaml")
    result = runner.invoke(_app(), ["actors", "export", case_file, "--to", "csv", "--as-of", "x"])
    assert result.exit_code == 2
    result = runner.invoke(_app(), ["actors", "export", case_file, "--to", "pdf"])
    assert result.exit_code == 2


# ------------------------------------------------------------------ hostile XML


def _billion_laughs_graphml() -> str:
    """GraphML whose one node name would expand to 10**9 "lol"s (3 GB) if entities were."""
    entities = ['  <!ENTITY lol0 "lol">'] + [
        f'  <!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            "<!DOCTYPE graphml [",
            *entities,
            "]>",
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
            '  <key id="name" for="node" attr.name="name" attr.type="string"/>',
            '  <key id="kind" for="node" attr.name="kind" attr.type="string"/>',
            '  <graph edgedefault="directed">',
            '    <node id="a"><data key="name">&lol9;</data><data key="kind">militia</data></node>',
            "  </graph>",
            "</graphml>",
        ]
    )


def test_a_billion_laughs_graphml_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "laughs.graphml"
    path.write_text(_billion_laughs_graphml(), encoding="utf-8")
    with pytest.raises(InvalidInputError) as error:
        read_map_file(path)
    assert error.value.source == str(path)
    assert "refused: it declares a DTD" in str(error.value)
    with pytest.raises(InvalidInputError, match="declares a DTD"):
        read_map(_billion_laughs_graphml(), MapFormat.GRAPHML)


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE gexf [<!ENTITY secret SYSTEM "{url}">]>',
        '<!DOCTYPE gexf [<!ENTITY % secret SYSTEM "{url}"> %secret;]>',
        '<!DOCTYPE gexf SYSTEM "{url}">',
    ],
    ids=["external-entity", "external-parameter-entity", "external-dtd"],
)
def test_an_external_entity_gexf_is_refused_and_reads_nothing(tmp_path: Path, doctype: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-PASSPHRASE", encoding="utf-8")
    entity_use = "&secret;" if "ENTITY secret" in doctype else "none"
    gexf = "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            doctype.format(url=secret.as_uri()),
            '<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">',
            f"  <meta><description>{entity_use}</description></meta>",
            '  <graph defaultedgetype="directed" mode="static">',
            '    <nodes><node id="a" label="A"/></nodes>',
            "  </graph>",
            "</gexf>",
        ]
    )
    path = tmp_path / "xxe.gexf"
    path.write_text(gexf, encoding="utf-8")
    with pytest.raises(InvalidInputError) as error:
        read_map_file(path)
    assert error.value.source == str(path)
    assert "refused: it declares a DTD" in str(error.value)
    assert "TOPSECRET" not in str(error.value)
