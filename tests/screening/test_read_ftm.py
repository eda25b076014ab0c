"""FollowTheMoney JSON-lines reader: a hand-written OpenSanctions-style sample, damage,
Sanction folding, properties.

The sample (``tests/fixtures/screening/opensanctions_sample.ftm.json``) was written for
these tests in the shape of OpenSanctions' ``un_sc_sanctions`` export; its facts (names,
aliases, reference numbers, listing and amendment dates) are those of the UN consolidated
list of 27 February 2026, its ids made up in OpenSanctions' style.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel.errors import InvalidInputError
from backchannel.screening.entity import EntityType, NameQuality, ReadResult
from backchannel.screening.lists import list_format, load_lists
from backchannel.screening.read_ftm import LISTED_SCHEMAS, read_ftm

SAMPLE = Path(__file__).parents[1] / "fixtures" / "screening" / "opensanctions_sample.ftm.json"
PROPERTY_SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def sample() -> ReadResult:
    return read_ftm(SAMPLE)


def write_lines(path: Path, entities: list[Any]) -> Path:
    lines = [e if isinstance(e, str) else json.dumps(e, ensure_ascii=False) for e in entities]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def person(entity_id: str = "p1", **properties: list[str]) -> dict[str, Any]:
    return {"id": entity_id, "schema": "Person",
            "properties": {"name": ["Test Person"], **properties}}  # fmt: skip


# --------------------------------------------------------------------------- the sample


def test_sample_counts_reconcile_with_a_naive_count(sample: ReadResult) -> None:
    lines = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    listable = [e for e in lines if e["schema"] in LISTED_SCHEMAS and e.get("target", True)]
    assert sample.records_seen == len(listable) == 5
    assert (len(sample.entities), sample.rejected, sample.warnings) == (5, (), ())
    assert sample.reconciles()
    sanctions = sum(e["schema"] == "Sanction" for e in lines)
    skipped = sum(v for k, v in sample.details.items() if k.startswith("skipped_"))
    assert len(lines) == sample.records_seen + sanctions + skipped
    assert sample.details["sanctions"] == sample.details["sanctions_folded"] == sanctions == 5
    assert (sample.details["skipped_Address"], sample.details["skipped_Family"]) == (1, 1)
    assert sample.details["skipped_not_target"] == 1  # Usama bin Laden, not himself listed
    assert sample.list_id == "un_sc_sanctions"
    assert sample.snapshot == "2025-03-11T00:00:00"


def test_al_shabaab_gets_its_sanction_through_a_referent(sample: ReadResult) -> None:
    [shabaab] = [e for e in sample.entities if e.primary_name == "AL-SHABAAB"]
    assert (shabaab.type, shabaab.reference, shabaab.listed_on) == (
        EntityType.ORGANISATION,
        "SOe.001",
        dt.date(2010, 4, 12),
    )
    assert shabaab.programmes == ("Somalia",)
    assert shabaab.countries == ("so",)
    assert {n.text for n in shabaab.names if n.quality is NameQuality.STRONG} >= {
        "AL-SHABAB",
        "HARAKAT SHABAB AL-MUJAHIDIN",
    }
    assert shabaab.line == 1 and shabaab.source == str(SAMPLE)


def test_names_qualities_and_scripts(sample: ReadResult) -> None:
    saif = next(e for e in sample.entities if e.reference == "QDi.001")
    kinds = [(n.text, n.quality.value, n.script, n.kind) for n in saif.names]
    assert kinds[:3] == [
        ("MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE", "primary", None, "name"),
        ("محمد صلاح الدين عبدالحليم زيدان", "primary", "Arabic", "name"),
        ("Sayf-Al Adl", "strong", None, "aka"),
    ]
    assert ("Seif al Adel", "weak", None, "aka") in kinds
    assert saif.amended_on == (dt.date(2010, 12, 16), dt.date(2019, 3, 29), dt.date(2022, 11, 8))
    assert saif.remarks == "Responsible for Usama bin Laden's security."
    ktj = next(e for e in sample.entities if e.reference == "QDe.168")
    assert ("JANNAT OSHIKLARI", NameQuality.STRONG, "fka") in [
        (n.text, n.quality, n.kind) for n in ktj.names
    ]
    assert [n.script for n in ktj.names][:2] == [None, "Cyrillic"]


def test_the_same_entries_as_the_un_list(sample: ReadResult) -> None:
    """Every sample entry is on the real UN list under the same reference and date."""
    from backchannel.screening.read_un import read_un
    from tests.conftest import mirror_path

    root = mirror_path()
    if root is None or not (root / "sanctions" / "un_consolidated.xml").is_file():
        pytest.skip("no UN list in the data mirror")
    un = {e.reference: e for e in read_un(root / "sanctions" / "un_consolidated.xml").entities}
    for entity in sample.entities:
        listed = un[entity.reference]
        assert (entity.listed_on, entity.programmes) == (listed.listed_on, listed.programmes)
        assert entity.primary_name == listed.primary_name
        assert {n.text for n in entity.names} <= {n.text for n in listed.names}


def test_list_id_parameter_and_fallback(tmp_path: Path) -> None:
    assert read_ftm(SAMPLE, list_id="my-list").entities[0].list_id == "my-list"
    mixed = write_lines(
        tmp_path / "mixed.json",
        [dict(person("a"), datasets=["x"]), dict(person("b"), datasets=["y"])],
    )
    assert read_ftm(mixed).list_id == "ftm:mixed.json"


# --------------------------------------------------------------------------- hand-built lines


def test_damaged_lines_are_rejected_with_their_line(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "bad.ftm.json",
        [
            person("ok"),
            "{not json",
            "[1, 2]",
            {"schema": "Person", "properties": {"name": ["No Id"]}},
            person("nameless", name=[]),
            person("ok", name=["Twice"]),
            {"id": "x", "properties": {"name": ["No schema"]}},
            {"id": "y", "schema": "Person", "properties": ["not", "an", "object"]},
            {"id": "z", "schema": "Person", "properties": {"name": "not a list"}},
            "",
            {"id": "v", "schema": "Vessel", "properties": {"name": ["JIE SHUN"]}},
        ],
    )
    with path.open("ab") as handle:
        handle.write(b'{"id": "latin", "schema": "Person", "properties": {"name": ["Jos\xe9"]}}\n')
    result = read_ftm(path)
    assert result.reconciles() and result.records_seen == 11
    assert [(e.entity_id, e.type) for e in result.entities] == [
        ("ok", EntityType.PERSON),
        ("v", EntityType.VESSEL),
    ]
    reasons = [(r.line, r.reason.split(":")[0]) for r in result.rejected]
    assert reasons == [
        (2, "not JSON"),
        (3, "expected a JSON object, found list"),
        (4, "Person without an id"),
        (5, "nameless"),
        (6, "duplicate id ok (first on line 1)"),
        (7, "no schema"),
        (8, "properties is not an object"),
        (9, "properties.name is not a list of strings"),
        (12, "not UTF-8 (invalid continuation byte at byte 64)"),
    ]


def test_sanctions_fold_onto_their_entity_or_are_reported(tmp_path: Path) -> None:
    def sanction(sanction_id: str, *entities: str, **properties: list[str]) -> dict[str, Any]:
        return {"id": sanction_id, "schema": "Sanction",
                "properties": {"entity": list(entities), **properties}}  # fmt: skip

    path = write_lines(
        tmp_path / "s.ftm.json",
        [
            sanction(
                "s1",
                "p1",
                program=["SDGT"],
                programId=["US-FTO"],
                listingDate=["2008-02"],
                startDate=["2008-03-18"],
                authorityId=["ent-10761"],
            ),
            person("p1", createdAt=["2008-02-29"]),
            sanction("s2", "p1", listingDate=["2008-02-29"], modifiedAt=["2012-03-01"]),
            sanction("s3", "p404"),
            sanction("s4", "nameless"),
            person("nameless", name=[]),
            {"id": "s5", "schema": "Sanction", "properties": {"entity": "p1"}},
        ],
    )
    result = read_ftm(path)
    [entity] = result.entities
    assert entity.programmes == ("SDGT", "US-FTO")
    # a listing date to the day wins over the sanction's start and the record's creation
    assert (entity.listed_on, entity.amended_on) == (dt.date(2008, 2, 29), (dt.date(2012, 3, 1),))
    assert entity.reference == "ent-10761"
    assert result.details["dates_not_to_the_day"] == 1
    assert [(w.line, w.reason) for w in result.warnings] == [
        (4, "orphan: Sanction names no entry of the file (p404)"),
        (5, "Sanction of a rejected entry"),
        (7, "Sanction: properties.entity is not a list of strings"),
    ]
    assert (result.details["sanctions"], result.details["sanctions_folded"]) == (5, 2)


def test_listing_date_falls_back_to_start_then_creation(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "d.ftm.json",
        [person("a", createdAt=["2001-10-12"]), person("b", createdAt=["2001"])],
    )
    assert [e.listed_on for e in read_ftm(path).entities] == [dt.date(2001, 10, 12), None]


@pytest.mark.parametrize("schema", sorted(LISTED_SCHEMAS))
def test_listed_schemas(tmp_path: Path, schema: str) -> None:
    path = write_lines(tmp_path / "one.json", [{"id": "e", "schema": schema,
                                                "properties": {"name": ["N"]}}])  # fmt: skip
    assert read_ftm(path).entities[0].type is LISTED_SCHEMAS[schema]


def test_names_from_caption_or_name_parts(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "parts.json",
        [
            {"id": "a", "schema": "Person", "caption": "Caption Name",
             "properties": {"alias": ["Other"]}},
            {"id": "b", "schema": "Person",
             "properties": {"firstName": ["Ahmed"], "lastName": ["Godane"]}},
        ],
    )  # fmt: skip
    result = read_ftm(path)
    assert [e.primary_name for e in result.entities] == ["Caption Name", "Ahmed Godane"]
    assert result.details["names_from_caption_or_parts"] == 2


def test_files_with_no_entry_are_refused(tmp_path: Path) -> None:
    for content in ("", "\n\n", '{"id": "a", "schema": "Address"}\n', "garbage\n"):
        path = tmp_path / "empty.ftm.json"
        path.write_text(content, encoding="utf-8")
        with pytest.raises(InvalidInputError, match="no entry could be read") as caught:
            read_ftm(path)
        assert caught.value.source == str(path)
    with pytest.raises(InvalidInputError, match="cannot read the file"):
        read_ftm(tmp_path / "absent.json")


def test_load_lists_tells_ftm_from_other_json(tmp_path: Path) -> None:
    (tmp_path / "installed.json").write_text('{"id": "un-sanctions"}', encoding="utf-8")
    write_lines(tmp_path / "export.json", [person("a")])
    assert list_format(tmp_path / "installed.json") is None
    assert list_format(SAMPLE) == "ftm"
    [result] = load_lists(tmp_path)
    assert result.entities[0].entity_id == "a"


# --------------------------------------------------------------------------- properties

texts = (
    st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=20)
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)
dates = st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31))


@st.composite
def ftm_entities(draw: st.DrawFn) -> list[dict[str, Any]]:
    ids = draw(st.lists(st.text(min_size=1, max_size=12).filter(str.strip), min_size=1,
                        max_size=5, unique=True))  # fmt: skip
    out: list[dict[str, Any]] = []
    for entity_id in ids:
        properties = {
            "name": draw(st.lists(texts, min_size=1, max_size=2)),
            "alias": draw(st.lists(texts, max_size=3)),
            "weakAlias": draw(st.lists(texts, max_size=2)),
            "previousName": draw(st.lists(texts, max_size=2)),
            "country": draw(st.lists(st.sampled_from(["so", "af", "co", "sy"]), max_size=2)),
        }
        out.append({"id": entity_id, "schema": draw(st.sampled_from(sorted(LISTED_SCHEMAS))),
                    "properties": properties, "datasets": ["generated"]})  # fmt: skip
        listed = draw(st.none() | dates)
        if listed is not None:
            out.append({"id": f"sanction-{entity_id}", "schema": "Sanction",
                        "properties": {"entity": [entity_id], "program": ["P"],
                                       "listingDate": [listed.isoformat()]}})  # fmt: skip
    return out


@PROPERTY_SETTINGS
@given(generated=ftm_entities())
def test_generated_entities_read_back(tmp_path: Path, generated: list[dict[str, Any]]) -> None:
    result = read_ftm(write_lines(tmp_path / "gen.ftm.json", generated))
    assert result.reconciles() and not result.rejected and not result.warnings
    assert result.list_id == "generated"
    things = [e for e in generated if e["schema"] != "Sanction"]
    sanctions = {e["properties"]["entity"][0]: e for e in generated if e["schema"] == "Sanction"}
    assert [e.entity_id for e in result.entities] == [t["id"] for t in things]
    for thing, entity in zip(things, result.entities, strict=True):
        props = thing["properties"]
        names = {n.text: n for n in entity.names}
        assert entity.primary_name == props["name"][0]
        assert set(names) == {*props["name"], *props["alias"], *props["weakAlias"],
                              *props["previousName"]}  # fmt: skip
        for weak in set(props["weakAlias"]) - {*props["name"], *props["alias"],
                                               *props["previousName"]}:  # fmt: skip
            assert names[weak].quality is NameQuality.WEAK
        assert entity.type is LISTED_SCHEMAS[thing["schema"]]
        assert entity.countries == tuple(dict.fromkeys(props["country"]))
        sanction = sanctions.get(thing["id"])
        expected = sanction["properties"]["listingDate"][0] if sanction else None
        assert entity.listed_on == (dt.date.fromisoformat(expected) if expected else None)
        assert entity.programmes == (("P",) if sanction else ())


@PROPERTY_SETTINGS
@given(generated=ftm_entities(), data=st.data())
def test_corrupted_files_raise_invalid_input_or_read_whole(
    tmp_path: Path, generated: list[dict[str, Any]], data: st.DataObject
) -> None:
    path = write_lines(tmp_path / "c.ftm.json", generated)
    content = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 5))):
        at = data.draw(st.integers(0, max(len(content) - 1, 0)))
        how = data.draw(st.sampled_from(["truncate", "flip", "insert"]))
        if how == "truncate":
            del content[at:]
        elif how == "flip" and content:
            content[at] = data.draw(st.integers(0, 255))
        else:
            content[at:at] = data.draw(st.binary(max_size=6) | st.sampled_from(
                [b"\n", b"{", b'"', b"\xff", b'"schema": "Sanction", ']))  # fmt: skip
    path.write_bytes(bytes(content))
    try:
        result = read_ftm(path)
    except InvalidInputError as error:
        assert error.source == str(path)
        return
    # nothing partially loaded: every non-blank line is an entry, a rejection, a sanction
    # or a counted skip
    assert result.reconciles()
    lines = [line for line in bytes(content).split(b"\n") if line.strip()]
    others = sum(v for k, v in result.details.items() if k.startswith("skipped_"))
    assert len(lines) == result.records_seen + result.details.get("sanctions", 0) + others


@PROPERTY_SETTINGS
@given(lines=st.lists(st.text(max_size=80) | st.binary(max_size=80).map(repr), max_size=8))
def test_arbitrary_lines_raise_only_invalid_input(tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "any.ftm.json"
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    try:
        result = read_ftm(path)
    except InvalidInputError as error:
        assert error.source == str(path)
    else:
        assert result.reconciles()
