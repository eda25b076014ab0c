"""The shared rule-file machinery: the one clause dialect, and the YAML loader that names
the file, the path and the line of every problem, for every packaged rule file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, ValidationError

from backchannel.dialogue.evidence.ushmm import PACKAGED_MAPPING, load_mediation_mapping
from backchannel.dialogue.rules import FILES, load_dialogue_rules
from backchannel.errors import InvalidInputError, Problem
from backchannel.risk.framework import PACKAGED_FRAMEWORK, load_framework
from backchannel.risk.prefill import PACKAGED_RULES as PACKAGED_PREFILL
from backchannel.risk.prefill import load_prefill_rules
from backchannel.risk.stage import PACKAGED_RULES as PACKAGED_STAGE
from backchannel.risk.stage import load_stage_rules
from backchannel.rulefiles.clauses import Clause, clause_holds, evaluate, fill
from backchannel.rulefiles.yaml_source import format_location, parse_location, parse_yaml
from backchannel.screening.law import PACKAGED_ACTIVITIES, PACKAGED_JURISDICTIONS, load_law

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "backchannel"
ABSENT = object()  # a fact the facts do not hold at all

# --------------------------------------------------------------------------- clauses


@pytest.mark.parametrize(
    ("test", "value", "holds"),
    [
        ({"is": "imminent"}, "imminent", True),
        ({"is": "imminent"}, "remote", False),
        ({"is": "imminent"}, None, False),
        ({"is": "imminent"}, ABSENT, False),
        ({"is": True}, True, True),
        ({"is": False}, False, True),
        ({"is": 1}, True, False),
        ({"is": True}, 1, False),
        ({"is": 0}, False, False),
        ({"is_not": "remote"}, "imminent", True),
        ({"is_not": "remote"}, "remote", False),
        ({"is_not": "remote"}, None, False),
        ({"is_not": "remote"}, ABSENT, False),
        ({"is_not": 1}, True, True),
        ({"in": ["imminent", "ongoing"]}, "ongoing", True),
        ({"in": ["imminent", "ongoing"]}, "remote", False),
        ({"in": ["imminent", "ongoing"]}, ABSENT, False),
        ({"in": [0, 1]}, False, False),
        ({"in": [0, 1]}, 1.0, True),
        ({"at_least": 5}, 5, True),
        ({"at_least": 5}, 7.5, True),
        ({"at_least": 5}, 4.99, False),
        ({"at_least": 1}, True, False),
        ({"at_least": 1}, "5", False),
        ({"at_least": 0}, None, False),
        ({"at_least": 0}, ABSENT, False),
        ({"at_most": 30}, 30, True),
        ({"at_most": 30}, -2, True),
        ({"at_most": 30}, 30.5, False),
        ({"at_most": 1}, False, False),
        ({"at_most": 30}, ABSENT, False),
        ({"below": 0.5}, 0.49, True),
        ({"below": 0.5}, 0.5, False),
        ({"below": 1}, False, False),
        ({"below": 1}, None, False),
        ({"missing": True}, ABSENT, True),
        ({"missing": True}, None, True),
        ({"missing": True}, 0, False),
        ({"missing": True}, False, False),
        ({"missing": False}, ABSENT, False),
        ({"missing": False}, "", True),
    ],
)
def test_each_test_of_a_clause(test: dict[str, Any], value: Any, holds: bool) -> None:
    clause = Clause.model_validate({"fact": "x", **test})
    facts = {} if value is ABSENT else {"x": value}
    assert clause_holds(clause, facts) is holds


@pytest.mark.parametrize(
    ("clause", "words"),
    [
        ({"fact": "x"}, "exactly one test"),
        ({"fact": "x", "is": 1, "in": [1]}, "exactly one test"),
        ({"fact": "x", "at_least": 1, "at_most": 2}, "exactly one test"),
        ({"fact": "x", "at_least": True}, "valid number"),
        ({"fact": "x", "below": "3"}, "valid number"),
        ({"fact": "x", "missing": "yes"}, "valid boolean"),
        ({"fact": "x", "at_least": 3, "colour": "red"}, "Extra inputs"),
        ({"fact": "", "is": 1}, "at least 1 character"),
    ],
)
def test_a_malformed_clause_is_refused(clause: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        Clause.model_validate(clause)


def test_a_clause_names_its_test_and_reads_integers_as_numbers() -> None:
    clause = Clause.model_validate({"fact": "deaths", "at_most": 30})
    assert clause.test == "at_most" and clause.at_most == 30.0
    assert Clause.model_validate({"fact": "stage", "in": ["remote"]}).test == "in"


def test_evaluate_reads_every_clause_and_needs_all() -> None:
    clauses = [
        Clause.model_validate({"fact": "stage", "in": ["imminent", "ongoing"]}),
        Clause.model_validate({"fact": "deaths", "at_least": 100}),
    ]
    held = evaluate(clauses, {"stage": "ongoing", "deaths": 150, "other": 1})
    assert held.holds and held.read == {"stage": "ongoing", "deaths": 150}
    failed = evaluate(clauses, {"stage": "remote", "deaths": 150})
    assert not failed.holds and failed.read == {"stage": "remote", "deaths": 150}
    assert evaluate(clauses, {}).read == {"stage": None, "deaths": None}


def test_fill_shows_values_in_words() -> None:
    facts = {"deaths": 2.0, "kind": "one_sided", "unused": 3}
    assert fill("{deaths}  killed by\n {kind} violence", facts) == "2 killed by one sided violence"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)
NAMES = st.sampled_from(["a", "b", "c"])
BOUNDS = st.integers(-(10**6), 10**6) | st.floats(allow_nan=False, allow_infinity=False)
CLAUSES = st.one_of(
    st.builds(lambda f, v: {"fact": f, "is": v}, NAMES, JSON.filter(lambda v: v is not None)),
    st.builds(lambda f, v: {"fact": f, "is_not": v}, NAMES, JSON.filter(lambda v: v is not None)),
    st.builds(lambda f, v: {"fact": f, "in": v}, NAMES, st.lists(JSON, max_size=3)),
    st.builds(
        lambda f, t, v: {"fact": f, t: v},
        NAMES,
        st.sampled_from(["at_least", "at_most", "below"]),
        BOUNDS,
    ),
    st.builds(lambda f, v: {"fact": f, "missing": v}, NAMES, st.booleans()),
).map(Clause.model_validate)
FACTS = st.dictionaries(NAMES | st.text(max_size=3), JSON, max_size=4)


@given(clauses=st.lists(CLAUSES, max_size=4), facts=FACTS)
def test_evaluate_never_raises_and_reports_what_it_read(
    clauses: list[Clause], facts: dict[str, Any]
) -> None:
    result = evaluate(clauses, facts)
    assert result.holds is all(clause_holds(c, facts) for c in clauses)
    assert set(result.read) == {c.fact for c in clauses}


@given(value=JSON, clause=CLAUSES)
def test_missing_is_the_exact_complement_of_known(value: Any, clause: Clause) -> None:
    facts = {"a": value}
    missing = Clause.model_validate({"fact": "a", "missing": True})
    known = Clause.model_validate({"fact": "a", "missing": False})
    assert clause_holds(missing, facts) is (value is None)
    assert clause_holds(known, facts) is not clause_holds(missing, facts)
    # an unknown fact fails every other test
    if clause.missing is None:
        assert not clause_holds(clause, {})
        assert not clause_holds(clause, {clause.fact: None})


# ---------------------------------------------------------------------- the loader


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    when: list[Clause]


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[_Rule]


RULES_TEXT = """\
# two rules
rules:
  - id: first
    when:
      - {fact: a, at_least: 1}
  - id: second
    when:
      - {fact: b, is: yes}
      - {fact: c, at_least: many}
"""


def _problems(text: str) -> list[Problem]:
    with pytest.raises(InvalidInputError) as caught:
        parse_yaml(text, "rules.yaml").validate(_Rules)
    assert caught.value.source == "rules.yaml"
    return caught.value.problems


def test_a_bad_type_deep_in_a_list_is_located_by_path_and_line() -> None:
    [problem] = _problems(RULES_TEXT)
    assert (problem.location, problem.line) == ("rules[1].when[1].at_least", 9)
    assert "valid number" in problem.message and "'many'" in problem.message


def test_an_unknown_key_is_located_by_path_and_line() -> None:
    text = RULES_TEXT.replace("at_least: many", "at_least: 3").replace(
        "  - id: second\n", "  - id: second\n    colour: red\n"
    )
    [problem] = _problems(text)
    assert (problem.location, problem.line) == ("rules[1].colour", 7)
    assert "unknown key" in problem.message


def test_a_missing_key_is_located_at_its_parent() -> None:
    text = RULES_TEXT.replace("at_least: many", "at_least: 3").replace(
        "    when:\n      - {fact: a, at_least: 1}\n", ""
    )
    [problem] = _problems(text)
    assert (problem.location, problem.line, problem.message) == (
        "rules[0].when",
        3,
        "Field required",
    )


def test_a_duplicate_key_is_refused_at_its_second_line() -> None:
    text = RULES_TEXT.replace("  - id: second\n", "  - id: second\n    id: again\n")
    with pytest.raises(InvalidInputError) as caught:
        parse_yaml(text, "rules.yaml")
    [problem] = caught.value.problems
    assert (problem.location, problem.line) == ("rules[1].id", 7)
    assert "appears twice (first on line 6)" in problem.message
    assert "rules.yaml:7: at rules[1].id" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("rules: [\n  - id: x\n", 2, "invalid YAML"),
        ("rules:\n\tid: x\n", 2, "invalid YAML"),
        ("", None, "the file is empty"),
        ("# only a comment\n", None, "the file is empty"),
        ("- a list\n", 1, "expected a mapping at the top"),
    ],
)
def test_malformed_documents(text: str, line: int | None, words: str) -> None:
    [problem] = _problems(text)
    assert words in problem.message
    assert problem.line == line


def test_lines_of_paths_checked_after_validation() -> None:
    document = parse_yaml(RULES_TEXT, "rules.yaml")
    assert document.line_of("rules[1].when[1].fact") == 9
    assert document.line_of(("rules", 1, "when", 1)) == 9
    assert document.line_of("rules[second].when[0]") == 8  # a list item by its id
    assert document.line_of("rules[7].id") == 2  # the deepest node that exists
    assert document.line_of("nothing.here") == 1 + 1  # the document starts on line 2
    problem = document.problem(("rules", 0, "id"), "taken")
    assert problem == Problem("rules[0].id", "taken", 3)
    kept = Problem("rules", "a line of its own", 99)
    assert document.locate([kept, Problem("rules[1]", "x")]) == [
        kept,
        Problem("rules[1]", "x", 6),
    ]


PARTS = st.integers(0, 99) | st.from_regex(r"[a-z_][a-z0-9_-]{0,8}", fullmatch=True)


@given(location=st.lists(PARTS, max_size=6))
def test_locations_read_back_as_written(location: list[str | int]) -> None:
    assert parse_location(format_location(tuple(location))) == tuple(location)


def test_a_location_may_name_items_by_ids_with_dots() -> None:
    assert parse_location("factors[rf1].indicators[rf1.3].number") == (
        "factors",
        "rf1",
        "indicators",
        "rf1.3",
        "number",
    )


# ------------------------------------------------------------ every packaged rule file

DIALOGUE = {f"data/rules/{name}" for name in FILES.values()}


def _load(relative: str) -> Callable[[Path], object]:
    """How the loader of a packaged file reads a copy of it at a path."""
    if relative in DIALOGUE:
        return lambda path: load_dialogue_rules(path.parent)
    loaders: dict[str, Callable[[Path], object]] = {
        PACKAGED_STAGE: load_stage_rules,
        PACKAGED_PREFILL: load_prefill_rules,
        PACKAGED_FRAMEWORK: load_framework,
        PACKAGED_MAPPING: load_mediation_mapping,
        PACKAGED_JURISDICTIONS: lambda path: load_law(path, PACKAGE / PACKAGED_ACTIVITIES),
        PACKAGED_ACTIVITIES: lambda path: load_law(PACKAGE / PACKAGED_JURISDICTIONS, path),
    }
    return loaders[relative]


def _broken_copy(tmp_path: Path, relative: str, text: str) -> Path:
    """The packaged file rewritten as ``text`` in a folder that holds every dialogue file."""
    for name in FILES.values():
        (tmp_path / name).write_text((PACKAGE / "data/rules" / name).read_text("utf-8"), "utf-8")
    path = tmp_path / Path(relative).name
    path.write_text(text, encoding="utf-8")
    return path


def _refused(tmp_path: Path, relative: str, text: str) -> InvalidInputError:
    path = _broken_copy(tmp_path, relative, text)
    with pytest.raises(InvalidInputError) as caught:
        _load(relative)(path)
    assert caught.value.source == str(path), "the error names the broken file"
    return caught.value


PACKAGED = sorted(
    {
        *DIALOGUE,
        PACKAGED_STAGE,
        PACKAGED_PREFILL,
        PACKAGED_FRAMEWORK,
        PACKAGED_MAPPING,
        PACKAGED_JURISDICTIONS,
        PACKAGED_ACTIVITIES,
    }
)


@pytest.mark.parametrize("relative", PACKAGED)
def test_every_packaged_rule_file_loads_from_a_copy(tmp_path: Path, relative: str) -> None:
    path = _broken_copy(tmp_path, relative, (PACKAGE / relative).read_text("utf-8"))
    assert _load(relative)(path)


@pytest.mark.parametrize("relative", PACKAGED)
def test_a_repeated_key_in_any_rule_file_is_named_with_its_line(
    tmp_path: Path, relative: str
) -> None:
    text = (PACKAGE / relative).read_text("utf-8")
    first_key = next(line.split(":")[0] for line in text.splitlines() if line[:1].isalpha())
    text = text.rstrip("\n") + f"\n{first_key}: null\n"
    error = _refused(tmp_path, relative, text)
    [problem] = error.problems
    assert problem.line == text.count("\n") and "appears twice" in problem.message
    assert f"{Path(relative).name}:{problem.line}: at {first_key}" in str(error)


# (file, text to replace, its replacement, the path the problem names)
BREAKAGES = [
    ("stage.yaml", "source: events", "source: rumours", "rules[0].source"),
    ("prefill.yaml", "indicator: rf1.1\n", "indicator: rf99.1\n", "rules[0].indicator"),
    ("un_framework_2014.yaml", "category: common", "category: piracy", "factors[rf1].category"),
    (
        "ushmm_mediation.yaml",
        "condition: third_party_support",
        "condition: luck",
        "factors[0].condition",
    ),
    ("jurisdictions.yaml", "    verified: true\n", "    verified: maybe\n", ".verified"),
    (
        "jurisdictions.yaml",
        "  - id: us-eo13224-gtsr\n",
        "  - id: us-2339b\n",
        "provisions[1].id",
    ),
    ("activities.yaml", "level: prohibited", "level: forbidden", ".level"),
    ("conditions.yaml", "group: counterpart", "group: crowd", "conditions[0].group"),
    (
        "modality.yaml",
        "{fact: condition.security.level, is: lacking}",
        "{fact: condition.security.level, is: lacking, iz: lacking}",
        "rules[0].when[0].iz",
    ),
    (
        "modality.yaml",
        '{id: cchn-2019, point: "the support team',
        '{id: nowhere, point: "the support team',
        "rules[hold-security].sources[0].id",
    ),
    ("engagement_risks.yaml", "likelihood: 1\n", "likelihood: 5\n", "risks[0].likelihood"),
    ("dialogue_plan.yaml", "- alert: buying_time", "- alert: ''", "monitoring_triggers[0].alert"),
    ("dialogue_sources.yaml", "checked: true", "checked: perhaps", ".checked"),
]


@pytest.mark.parametrize(("name", "old", "new", "location"), BREAKAGES)
def test_a_broken_rule_in_any_file_is_named_with_file_path_and_line(
    tmp_path: Path, name: str, old: str, new: str, location: str
) -> None:
    relative = next(r for r in PACKAGED if r.endswith(f"/{name}"))
    text = (PACKAGE / relative).read_text("utf-8")
    assert old in text, "the breakage still applies to the packaged file"
    line = text[: text.index(old)].count("\n") + 1
    error = _refused(tmp_path, relative, text.replace(old, new, 1))
    found = [p for p in error.problems if location in p.location]
    assert found, error
    assert found[0].line == line, error
    assert f"{name}:{line}: at " in str(error)


def test_a_stage_rule_in_the_old_threshold_format_is_refused_with_its_line(
    tmp_path: Path,
) -> None:
    relative = PACKAGED_STAGE
    text = (PACKAGE / relative).read_text("utf-8")
    old = "when: [{fact: civilian_deaths_12m, at_least: 1000}]"
    line = text[: text.index(old)].count("\n") + 1
    rule_line = text[: text.index("  - id: events-mass-killing-ongoing")].count("\n") + 1
    error = _refused(
        tmp_path, relative, text.replace(old, "condition: {measure: civilian_deaths_12m}")
    )
    assert {(p.location, p.line) for p in error.problems} == {
        ("rules[0].condition", line),
        ("rules[0].when", rule_line),  # missing: named at the rule's first line
    }


def test_a_stage_rule_must_report_a_number_and_name_a_known_stage(tmp_path: Path) -> None:
    relative = PACKAGED_STAGE
    text = (PACKAGE / relative).read_text("utf-8")
    first = text.replace(
        "when: [{fact: civilian_deaths_12m, at_least: 1000}]",
        "when: [{fact: civilian_deaths_12m, missing: false}]",
    )
    [problem] = _refused(tmp_path, relative, first).problems
    assert problem.location == "rules[0].when" and "must test a number" in problem.message
    unknown = text.replace("stage: ongoing", "stage: catastrophic", 1)
    [problem] = _refused(tmp_path, relative, unknown).problems
    assert problem.location == "rules[0].stage" and "catastrophic" in problem.message
    assert problem.line == text[: text.index("stage: ongoing")].count("\n") + 1
