"""The fixed split of the labelled screening names into a tuning and a held-out half."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from backchannel.screening.entity import ListedEntity, NameQuality
from backchannel.screening.normalise import words
from backchannel.screening.read_ofac import read_ofac
from backchannel.screening.read_un import read_un
from tests.conftest import mirror_path

ROOT = Path(__file__).resolve().parents[2]
HEADER = "query,expected_list,expected_entity,expected_name,label,variant_kind,note\n"


def _load_split_module() -> ModuleType:
    # benchmarks/ is a folder of scripts, not a package: load the module from its file
    spec = importlib.util.spec_from_file_location(
        "screening_split", ROOT / "benchmarks" / "screening_split.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


split_module = _load_split_module()


@pytest.fixture(scope="module")
def labelled() -> tuple[Any, ...]:
    cases: tuple[Any, ...] = split_module.read_labelled()
    return cases


@pytest.fixture(scope="module")
def split(labelled: tuple[Any, ...]) -> Any:
    return split_module.split_labelled(labelled)


def test_the_labelled_set_is_read_whole(labelled: tuple[Any, ...]) -> None:
    lines = split_module.LABELLED.read_text(encoding="utf-8").splitlines()
    assert len(labelled) == len(lines) - 1
    first = labelled[0]
    assert (first.line, first.query, first.expected, first.kind) == (
        2,
        "Harakat al-Shabaab al-Mujahideen",
        ("un-sc", "SOe.001"),
        "transliteration",
    )
    football = next(n for n in labelled if n.query == "Al-Shabab Football Club")
    assert football.expected is None


def test_the_split_is_the_same_every_time(labelled: tuple[Any, ...], split: Any) -> None:
    again = split_module.split_labelled(split_module.read_labelled())
    assert again == split
    # the order rows are given in does not matter either
    assert split_module.split_labelled(tuple(reversed(labelled))) == split


def test_the_halves_are_disjoint_and_cover_every_row(labelled: tuple[Any, ...], split: Any) -> None:
    tuning_lines = [n.line for n in split.tuning]
    held_lines = [n.line for n in split.held_out]
    assert not set(tuning_lines) & set(held_lines)
    assert sorted(tuning_lines + held_lines) == [n.line for n in labelled]
    # neither half is a token: each holds at least two fifths of the positives and negatives
    for half in (split.tuning, split.held_out):
        positives = sum(n.expected is not None for n in half)
        negatives = sum(n.expected is None for n in half)
        assert positives >= 0.4 * sum(n.expected is not None for n in labelled)
        assert negatives >= 0.4 * sum(n.expected is None for n in labelled)


def test_no_listed_entry_or_body_is_in_both_halves(split: Any) -> None:
    def entries(half: tuple[Any, ...]) -> set[tuple[str, str]]:
        return {n.expected for n in half if n.expected is not None}

    tuning, held_out = entries(split.tuning), entries(split.held_out)
    assert not tuning & held_out
    bodies = split_module.body_key
    assert not {bodies(e) for e in tuning} & {bodies(e) for e in held_out}
    # the same body on two lists goes to one half: Al-Shabaab on the UN list and OFAC's
    assert (("un-sc", "SOe.001") in tuning) == (("ofac-sdn", "10761") in tuning)


def test_each_half_has_every_variant_kind_and_negatives(
    labelled: tuple[Any, ...], split: Any
) -> None:
    kinds = {n.kind for n in labelled if n.expected is not None}
    assert "longer_name" in kinds and "abbreviation" in kinds
    for half in (split.tuning, split.held_out):
        counts = Counter(n.kind for n in half if n.expected is not None)
        assert set(counts) == kinds
        assert any(n.expected is None for n in half)


def test_negatives_go_by_a_hash_of_the_query(tmp_path: Path) -> None:
    negatives = [
        f"Unlisted body number {n},,,,no_match,unrelated_shared_words,\n" for n in range(40)
    ]
    positive = "Al Shabab,un-sc,SOe.001,AL-SHABAAB,match,listed_spelling,\n"

    def held_out_queries(rows: list[str]) -> set[str]:
        path = tmp_path / "labelled.csv"
        path.write_text(HEADER + "".join(rows), encoding="utf-8")
        split = split_module.split_labelled(split_module.read_labelled(path))
        return {n.query for n in split.held_out if n.expected is None}

    held = held_out_queries([positive, *negatives])
    assert 0 < len(held) < 40
    # a negative lands in the same half whatever rows surround it
    fewer = held_out_queries(negatives[::2])
    assert fewer == {q for q in held if int(q.rsplit(" ", 1)[1]) % 2 == 0}


def test_halves_that_overlap_are_refused(split: Any) -> None:
    tuning = split.tuning
    with pytest.raises(ValueError, match="rows in both halves"):
        split_module.LabelledSplit(tuning, tuning[:1])
    positive = next(n for n in tuning if n.expected is not None)
    other_row = split_module.LabelledName(10_000, "another spelling", positive.expected, "spelling")
    with pytest.raises(ValueError, match="listed bodies in both halves"):
        split_module.LabelledSplit((positive,), (other_row,))


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (",,,,no_match,unrelated_shared_words,", "line 2: field 'query' is empty"),
        ("Boko Haram,,,,maybe,spelling,", "line 2: field 'label': 'maybe'"),
        ("Boko Haram,ofac-sdn,,,match,spelling,", "line 2: field 'expected_entity' is empty"),
        ("Boko Haram,ofac-sdn,16363,,match,,", "line 2: field 'variant_kind' is empty"),
    ],
)
def test_bad_rows_are_refused_with_line_and_field(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "labelled.csv"
    path.write_text(HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(split_module.LabelledSetError, match=message) as raised:
        split_module.read_labelled(path)
    assert str(path) in str(raised.value)


def test_a_query_asked_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "labelled.csv"
    row = "Boko Haram,ofac-sdn,16363,,match,spelling,\n"
    path.write_text(HEADER + row + row, encoding="utf-8")
    with pytest.raises(split_module.LabelledSetError, match=r"line 3: field 'query'.*line 2"):
        split_module.read_labelled(path)


def test_a_missing_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "labelled.csv"
    path.write_text("query,label\nBoko Haram,match\n", encoding="utf-8")
    with pytest.raises(
        split_module.LabelledSetError, match="line 1: missing columns expected_list"
    ):
        split_module.read_labelled(path)


def _listed_forms(entity: ListedEntity) -> set[str]:
    forms = (" ".join(sorted(words(n.text))) for n in entity.names if n.quality != NameQuality.WEAK)
    return {form for form in forms if form}


def test_entries_sharing_a_listed_name_are_one_body(labelled: tuple[Any, ...]) -> None:
    """Two expected entries whose lists give them the same name (word order aside) would
    let a query tuned on one be graded on the other: they must share a body key."""
    root = mirror_path()
    folder = root / "sanctions" if root else None
    if folder is None or not (folder / "un_consolidated.xml").is_file():
        pytest.skip("no sanctions lists in the data mirror: set BACKCHANNEL_MIRROR")
    un = read_un(folder / "un_consolidated.xml")
    ofac = read_ofac(folder / "ofac_sdn.csv", folder / "ofac_alt.csv", folder / "ofac_add.csv")
    listed: dict[tuple[str, str], ListedEntity] = {}
    for entity in un.entities + ofac.entities:
        listed[(entity.list_id, entity.entity_id)] = entity
        if entity.reference:
            listed[(entity.list_id, entity.reference)] = entity
    expected = sorted({n.expected for n in labelled if n.expected is not None})
    forms = {entry: _listed_forms(listed[entry]) for entry in expected}
    sharing = [(a, b) for a, b in itertools.combinations(expected, 2) if forms[a] & forms[b]]
    assert (("ofac-sdn", "10761"), ("un-sc", "SOe.001")) in sharing
    apart = [(a, b) for a, b in sharing if split_module.body_key(a) != split_module.body_key(b)]
    assert apart == []
