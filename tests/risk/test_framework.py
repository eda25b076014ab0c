"""The UN Framework of Analysis (2014): the packaged YAML, its loader and its lookups."""

from __future__ import annotations

import copy
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from backchannel.errors import InvalidInputError, NotFoundError
from backchannel.risk.framework import (
    CATEGORIES,
    DATA_SOURCES,
    PACKAGED_FRAMEWORK,
    Framework,
    load_framework,
)

RAW: dict[str, Any] = yaml.safe_load(
    resources.files("backchannel").joinpath(PACKAGED_FRAMEWORK).read_text("utf-8")
)
FRAMEWORK = load_framework()


def _raw_entries() -> list[tuple[str, dict[str, Any]]]:
    """Every factor and indicator as written in the YAML, read without the loader."""
    entries = []
    for index, factor in enumerate(RAW["factors"]):
        entries.append((str(factor.get("id", f"factor #{index}")), factor))
        for position, indicator in enumerate(factor.get("indicators") or []):
            label = str(indicator.get("id", f"{factor.get('id')} indicator #{position}"))
            entries.append((label, indicator))
    return entries


RAW_ENTRIES = _raw_entries()


# ------------------------------------------------------------------ the packaged content


@pytest.mark.parametrize(("label", "entry"), RAW_ENTRIES, ids=[label for label, _ in RAW_ENTRIES])
def test_every_factor_and_indicator_has_id_description_and_source(
    label: str, entry: dict[str, Any]
) -> None:
    for key in ("id", "description", "source_ref"):
        value = entry.get(key)
        assert isinstance(value, str), f"{label}: {key} missing"
        assert value.strip(), f"{label}: {key} empty"


def test_the_raw_file_holds_fourteen_factors_and_over_a_hundred_indicators() -> None:
    assert len(RAW["factors"]) == 14
    assert len(RAW_ENTRIES) - 14 >= 100


def test_source_names_the_2014_un_publication() -> None:
    source = FRAMEWORK.source
    assert source.year == 2014
    assert "Framework of Analysis for Atrocity Crimes" in source.title
    assert "United Nations" in source.publisher
    assert source.url.startswith("https://www.un.org/")


def test_fourteen_factors_numbered_one_to_fourteen_each_with_indicators() -> None:
    assert [f.number for f in FRAMEWORK.factors] == list(range(1, 15))
    assert [f.id for f in FRAMEWORK.factors] == [f"rf{n}" for n in range(1, 15)]
    for factor in FRAMEWORK.factors:
        assert factor.indicators, factor.id
        assert factor.name and factor.description
        assert factor.source_ref == f"Risk Factor {factor.number}"


def test_categories_are_eight_common_and_two_per_specific_crime() -> None:
    counts = {category: len(FRAMEWORK.by_category(category)) for category in CATEGORIES}
    assert counts == {"common": 8, "genocide": 2, "crimes_against_humanity": 2, "war_crimes": 2}
    assert [f.number for f in FRAMEWORK.by_category("genocide")] == [9, 10]
    assert [f.number for f in FRAMEWORK.by_category("crimes_against_humanity")] == [11, 12]
    assert [f.number for f in FRAMEWORK.by_category("war_crimes")] == [13, 14]


def test_ids_are_unique_across_factors_and_indicators() -> None:
    ids = [f.id for f in FRAMEWORK.factors] + [i.id for i in FRAMEWORK.indicators]
    assert len(ids) == len(set(ids))


def test_indicators_are_numbered_under_their_factor_in_order() -> None:
    for factor in FRAMEWORK.factors:
        for position, indicator in enumerate(factor.indicators, start=1):
            assert indicator.factor_id == factor.id
            assert indicator.number == f"{factor.number}.{position}"
            assert indicator.id == f"rf{indicator.number}"


def test_source_ref_cites_the_indicator_or_says_why_not() -> None:
    # An indicator cites its own number; where we could not confirm the number it cites
    # only the factor and must say so in a note.
    for indicator in FRAMEWORK.indicators:
        factor = FRAMEWORK.factor(indicator.factor_id)
        if indicator.source_ref != f"Indicator {indicator.number}":
            assert indicator.source_ref == factor.source_ref, indicator.id
            assert indicator.note, indicator.id


def test_descriptions_are_short_single_sentences() -> None:
    for indicator in FRAMEWORK.indicators:
        assert len(indicator.description) <= 200, indicator.id
        assert indicator.description.endswith("."), indicator.id
    for factor in FRAMEWORK.factors:
        assert len(factor.description) <= 300, factor.id


def test_data_hints_name_our_sources_and_say_why() -> None:
    hinted = [f for f in FRAMEWORK.factors if f.data_hints]
    assert {f.id for f in hinted} >= {"rf1", "rf2", "rf13"}
    for factor in hinted:
        for hint in factor.data_hints:
            assert hint.source in DATA_SOURCES
            assert hint.why


# ------------------------------------------------------------------------------ lookups


def test_factor_and_indicator_lookup() -> None:
    assert FRAMEWORK.factor("rf8").name == "Triggering factors"
    indicator = FRAMEWORK.indicator("rf9.3")
    assert indicator.number == "9.3"
    assert indicator.factor_id == "rf9"


def test_unknown_factor_lists_the_known_ids() -> None:
    with pytest.raises(NotFoundError, match="rf15") as caught:
        FRAMEWORK.factor("rf15")
    assert "rf1, rf2" in caught.value.message
    assert "rf14" in caught.value.message


def test_unknown_indicator_lists_its_factors_indicators() -> None:
    with pytest.raises(NotFoundError, match=r"rf9\.99") as caught:
        FRAMEWORK.indicator("rf9.99")
    assert "rf9.1" in caught.value.message
    assert "rf9.6" in caught.value.message


def test_unknown_indicator_of_unknown_factor_gives_the_id_shape() -> None:
    with pytest.raises(NotFoundError, match=r"rf1\.3"):
        FRAMEWORK.indicator("nonsense")


def test_unknown_category() -> None:
    with pytest.raises(NotFoundError, match="common"):
        FRAMEWORK.by_category("piracy")


def test_framework_is_frozen() -> None:
    with pytest.raises(AttributeError):
        FRAMEWORK.factors[0].name = "changed"  # type: ignore[misc]


def test_loading_from_an_explicit_path_gives_the_same_framework(tmp_path: Path) -> None:
    path = tmp_path / "framework.yaml"
    path.write_text(yaml.safe_dump(RAW, sort_keys=False), encoding="utf-8")
    assert load_framework(path) == FRAMEWORK
    assert isinstance(load_framework(str(path)), Framework)


# ---------------------------------------------------------------------------- bad input


def _write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "framework.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def _load_broken(tmp_path: Path, document: Any) -> InvalidInputError:
    path = _write(tmp_path, document)
    with pytest.raises(InvalidInputError) as caught:
        load_framework(path)
    assert caught.value.source == str(path)
    return caught.value


def _locations(error: InvalidInputError) -> list[str]:
    return [problem.location for problem in error.problems]


def test_missing_factor_description_names_the_factor(tmp_path: Path) -> None:
    document = copy.deepcopy(RAW)
    del document["factors"][3]["description"]
    error = _load_broken(tmp_path, document)
    assert _locations(error) == ["factors[rf4].description"]
    assert "factors[rf4].description" in error.message


def test_missing_indicator_description_names_the_indicator(tmp_path: Path) -> None:
    document = copy.deepcopy(RAW)
    document["factors"][0]["indicators"][2]["description"] = "   "
    error = _load_broken(tmp_path, document)
    assert _locations(error) == ["factors[rf1].indicators[rf1.3].description"]


@pytest.mark.parametrize("key", ["id", "source_ref"])
def test_missing_indicator_id_or_source_ref(tmp_path: Path, key: str) -> None:
    document = copy.deepcopy(RAW)
    del document["factors"][4]["indicators"][1][key]
    error = _load_broken(tmp_path, document)
    expected = "factors[rf5].indicators[1].id" if key == "id" else "factors[rf5].indicators[rf5.2]"
    assert any(location.startswith(expected) for location in _locations(error))


def test_missing_factor_source_ref(tmp_path: Path) -> None:
    document = copy.deepcopy(RAW)
    document["factors"][12]["source_ref"] = ""
    error = _load_broken(tmp_path, document)
    assert _locations(error) == ["factors[rf13].source_ref"]


def test_duplicate_indicator_id_names_both_places(tmp_path: Path) -> None:
    document = copy.deepcopy(RAW)
    document["factors"][1]["indicators"][1]["id"] = "rf2.1"
    error = _load_broken(tmp_path, document)
    duplicate = next(p for p in error.problems if "duplicate id" in p.message)
    assert duplicate.location == "factors[rf2].indicators[rf2.1]"
    assert "'rf2.1'" in duplicate.message
    assert "first used at factors[rf2].indicators[rf2.1]" in duplicate.message


def test_duplicate_factor_id(tmp_path: Path) -> None:
    document = copy.deepcopy(RAW)
    document["factors"][10]["id"] = "rf10"
    error = _load_broken(tmp_path, document)
    assert any(
        "duplicate id 'rf10'" in p.message and p.location == "factors[rf10]" for p in error.problems
    )


def test_indicator_numbered_under_another_factor(tmp_path: Path) -> None:
    document = copy.deepcopy(RAW)
    document["factors"][2]["indicators"][0]["number"] = "4.1"
    error = _load_broken(tmp_path, document)
    problem = next(p for p in error.problems if p.location.endswith(".number"))
    assert problem.location == "factors[rf3].indicators[rf3.1].number"
    assert "expected 3.<n>" in problem.message


def test_duplicate_indicator_number(tmp_path: Path) -> None:
    document = copy.deepcopy(RAW)
    document["factors"][7]["indicators"][4]["number"] = "8.4"
    error = _load_broken(tmp_path, document)
    assert any("duplicate number '8.4'" in p.message for p in error.problems)


def test_factor_out_of_order(tmp_path: Path) -> None:
    document = copy.deepcopy(RAW)
    document["factors"][5]["number"] = 7
    error = _load_broken(tmp_path, document)
    problem = next(p for p in error.problems if p.location == "factors[rf6].number")
    assert "expected 6" in problem.message


def test_wrong_number_of_factors(tmp_path: Path) -> None:
    document = copy.deepcopy(RAW)
    document["factors"] = document["factors"][:13]
    error = _load_broken(tmp_path, document)
    assert any(p.location == "factors" and "expected 14" in p.message for p in error.problems)


def test_unknown_category_and_data_source(tmp_path: Path) -> None:
    document = copy.deepcopy(RAW)
    document["factors"][0]["category"] = "piracy"
    document["factors"][0]["data_hints"][0]["source"] = "acled_guess"
    error = _load_broken(tmp_path, document)
    assert set(_locations(error)) == {
        "factors[rf1].category",
        "factors[rf1].data_hints[0].source",
    }


def test_factor_without_indicators(tmp_path: Path) -> None:
    document = copy.deepcopy(RAW)
    document["factors"][13]["indicators"] = []
    error = _load_broken(tmp_path, document)
    assert _locations(error) == ["factors[rf14].indicators"]


def test_missing_source_block(tmp_path: Path) -> None:
    document = copy.deepcopy(RAW)
    del document["source"]["url"]
    error = _load_broken(tmp_path, document)
    assert _locations(error) == ["source.url"]


@pytest.mark.parametrize("document", [None, [], "just text", {"source": {}}])
def test_documents_of_the_wrong_shape(tmp_path: Path, document: Any) -> None:
    _load_broken(tmp_path, document)


def test_invalid_yaml_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "framework.yaml"
    path.write_text("source:\n  title: ok\nfactors: [\n  - id: rf1\n", encoding="utf-8")
    with pytest.raises(InvalidInputError) as caught:
        load_framework(path)
    assert caught.value.problems[0].line is not None
    assert "invalid YAML" in caught.value.problems[0].message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    document = copy.deepcopy(RAW)
    del document["factors"][0]["description"]
    del document["factors"][9]["indicators"][0]["source_ref"]
    error = _load_broken(tmp_path, document)
    assert set(_locations(error)) == {
        "factors[rf1].description",
        "factors[rf10].indicators[rf10.1].source_ref",
    }
