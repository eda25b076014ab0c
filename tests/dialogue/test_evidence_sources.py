"""The evidence panel's citations and its USHMM factor → condition mapping, checked against
the data manifest, the dialogue conditions and the real USHMM file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from backchannel.datasets.manifest import dataset_spec
from backchannel.dialogue.evidence.sources import DATASETS
from backchannel.dialogue.evidence.ushmm import CONDITION_IDS, load_mediation_mapping
from backchannel.errors import InvalidInputError
from tests.conftest import REPO

CONDITIONS = REPO / "src" / "backchannel" / "data" / "rules" / "conditions.yaml"


@pytest.mark.parametrize("dataset", sorted(DATASETS))
def test_citations_are_the_manifests(dataset: str) -> None:
    ours = DATASETS[dataset]
    spec = dataset_spec(dataset)
    assert (ours.title, ours.version, ours.citation) == (spec.title, spec.version, spec.citation)


def test_the_packaged_mapping_names_conditions_with_a_note_each() -> None:
    mapping = load_mediation_mapping()
    assert len(mapping) >= 15
    assert {m.condition for m in mapping.values()} <= CONDITION_IDS
    assert all(m.note.endswith(".") and len(m.note) < 120 for m in mapping.values())
    assert mapping["Implementer has strong leverage"].condition == "leverage"
    assert mapping["Unbiased implementer or intervention"].condition == "impartiality"


def test_the_mapped_conditions_are_dialogue_conditions() -> None:
    if not CONDITIONS.is_file():
        pytest.skip("no conditions.yaml yet")
    document = yaml.safe_load(CONDITIONS.read_text(encoding="utf-8"))
    defined = {c["id"] for c in document["conditions"]}
    assert defined == CONDITION_IDS
    assert {m.condition for m in load_mediation_mapping().values()} <= defined


def test_every_mapped_factor_is_a_mediation_factor_of_the_file(mirror: Path) -> None:
    path = mirror / "ushmm" / "all_factors_3.csv"
    if not path.is_file():
        pytest.skip("no USHMM factors in the mirror")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        names = {
            r["Name.Final_research"]
            for r in csv.DictReader(handle)
            if r["tool_name"] == "Mediation"
        }
    assert set(load_mediation_mapping()) <= names


@pytest.mark.parametrize(
    ("text", "location", "message"),
    [
        ("factors: {}", "factors", "expected a list of factors"),
        ("factors: [{factor: Ripeness, note: x}]", "factors[0]", "missing or empty: condition"),
        (
            "factors: [{factor: Ripeness, condition: luck, note: x}]",
            "factors[0].condition",
            "'luck' is not a dialogue condition",
        ),
        (
            "factors:\n- {factor: Ripeness, condition: trust, note: x}\n"
            "- {factor: Ripeness, condition: cohesion, note: y}",
            "factors[1].factor",
            "'Ripeness' is mapped twice",
        ),
    ],
)
def test_a_bad_mapping_is_refused_naming_the_entry(
    tmp_path: Path, text: str, location: str, message: str
) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInputError) as caught:
        load_mediation_mapping(path)
    [problem] = caught.value.problems
    assert problem.location == location and message in problem.message
    assert caught.value.source == str(path)
