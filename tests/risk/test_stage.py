"""Stage rules: table-driven cases for every rule and disagreement, and real CAR history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from backchannel.errors import InvalidInputError
from backchannel.events.backends import connect, event_table
from backchannel.risk.stage import assess_stage, load_stage_rules
from backchannel.risk.stage_inputs import event_measures, structural_measures

RULES = load_stage_rules()
QUIET_EVENTS: dict[str, float | None] = {
    "civilian_deaths_12m": 0.0,
    "civilian_deaths_3m": 0.0,
    "organised_deaths_12m": 0.0,
    "escalation_alerts_3m": 0.0,
}
LOW_STRUCTURE = {"structural_risk": 0.01, "structural_rank": 90.0}


@pytest.mark.parametrize(
    ("change", "stage", "rule"),
    [
        ({}, "remote", None),
        ({"organised_deaths_12m": 25.0}, "elevated", "events-armed-conflict"),
        ({"structural_rank": 30.0}, "elevated", "structural-top-30"),
        ({"structural_risk": 0.04}, "elevated", "structural-four-percent"),
        ({"civilian_deaths_3m": 100.0}, "imminent", "events-civilian-killing-sustained"),
        ({"escalation_alerts_3m": 1.0}, "imminent", "events-escalation-recent"),
        ({"civilian_deaths_12m": 1000.0}, "ongoing", "events-mass-killing-ongoing"),
        ({"civilian_deaths_12m": 999.0}, "remote", None),
        ({"framework_factors_present": 3.0}, "elevated", "framework-several-factors"),
        (
            {"framework_trigger_with_factors": 1.0},
            "imminent",
            "framework-triggers-with-many-factors",
        ),
    ],
)
def test_each_rule_moves_the_stage(change: dict[str, float], stage: str, rule: str | None) -> None:
    result = assess_stage({**QUIET_EVENTS, **LOW_STRUCTURE, **change}, RULES)
    assert result.stage == stage
    fired = [reason.rule for reason in result.reasons]
    assert fired == ([rule] if rule else [])


@pytest.mark.parametrize(
    ("measures", "flag"),
    [
        (
            {**LOW_STRUCTURE, **QUIET_EVENTS, "civilian_deaths_3m": 150.0},
            "structure-quiet-events-loud",
        ),
        (
            {
                "structural_rank": 5.0,
                "structural_risk": 0.09,
                **QUIET_EVENTS,
                "framework_trigger_with_factors": 0.0,
            },
            None,
        ),
        ({**QUIET_EVENTS, "framework_trigger_with_factors": 1.0}, "judgement-above-events"),
        (
            {**QUIET_EVENTS, "civilian_deaths_12m": 2000.0, "framework_factors_present": 0.0},
            "judgement-below-events",
        ),
    ],
)
def test_disagreements_are_flagged(measures: dict[str, float | None], flag: str | None) -> None:
    result = assess_stage(measures, RULES)
    assert [d.id for d in result.disagreements] == ([flag] if flag else [])


def test_latent_structural_risk_is_flagged_when_events_are_quiet() -> None:
    measures = {"structural_rank": 3.0, "structural_risk": 0.08, **QUIET_EVENTS}
    # Elevated vs remote is one step: not yet a disagreement; a quiet country at the top of
    # the structural table is only flagged against an imminent or ongoing event picture.
    assert assess_stage(measures, RULES).disagreements == []
    rules = load_stage_rules()
    flagged = [d for d in rules.disagreements if d.id == "events-quiet-structure-high"]
    assert flagged and flagged[0].low == "events"


def test_missing_sources_are_named() -> None:
    result = assess_stage(QUIET_EVENTS, RULES)
    assert result.missing_sources == ["structural", "framework", "conflict"]
    assert result.source_stages["events"] == "remote"


def test_every_rule_has_a_description_and_a_reference() -> None:
    for rule in RULES.rules:
        assert rule.description and rule.reference, rule.id
    for pattern in RULES.disagreements:
        assert pattern.description, pattern.id


def test_bad_rule_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "stage.yaml"
    path.write_text(
        "stages: [remote, ongoing]\nrules:\n  - id: r\n    source: rumours\n    stage: ongoing\n"
        "    description: x\n    when: [{fact: m, at_least: 1}]\n    reference: ''\n"
    )
    with pytest.raises(InvalidInputError, match=r"rules\[0\]\.reference"):
        load_stage_rules(path)


@pytest.mark.parametrize(
    ("as_of", "stage", "disagreement"),
    [
        (dt.date(2012, 6, 30), "elevated", None),
        (dt.date(2013, 6, 30), "imminent", "structure-quiet-events-loud"),
        (dt.date(2014, 6, 30), "ongoing", "structure-quiet-events-loud"),
    ],
)
def test_central_african_republic_history(
    car_events: pa.Table, as_of: dt.date, stage: str, disagreement: str | None
) -> None:
    connection = connect()
    measures, evidence = event_measures(connection, event_table(car_events), "CAF", as_of)
    measures.update(structural_measures("CAF", as_of))
    result = assess_stage(measures, RULES, evidence)
    assert result.stage == stage
    assert [d.id for d in result.disagreements] == ([disagreement] if disagreement else [])
    top = result.reasons[0]
    assert top.stage == stage and top.source == "events" and top.evidence
    assert all(event_id.startswith("ged:") for event_id in top.evidence)


def test_cli_assess_car_is_ongoing_in_2014_and_respects_as_of(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from backchannel.cli import app
    from tests.conftest import EXAMPLES, mirror_path

    mirror = mirror_path()
    if mirror is None:
        pytest.skip("no data mirror")
    runner = CliRunner()
    env = {"BACKCHANNEL_DATA_DIR": str(tmp_path), "BACKCHANNEL_MIRROR": None}
    runner.invoke(app, ["data", "pull", "ucdp-ged", "--mirror", str(mirror)], env=env)
    case = str(EXAMPLES / "central-african-republic-2013.yaml")
    result = runner.invoke(app, ["assess", case, "--format", "json"], env=env)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["stage"] == "ongoing" and document["as_of"] == "2014-12-31"
    assert {"stage", "reasons", "disagreements"} <= set(document)
    ongoing = document["reasons"][0]
    assert ongoing["rule"] == "events-mass-killing-ongoing" and ongoing["evidence"]
    earlier = runner.invoke(
        app, ["assess", case, "--as-of", "2012-06-30", "--format", "json"], env=env
    )
    assert json.loads(earlier.stdout)["stage"] == "elevated"
    bad = runner.invoke(app, ["assess", case, "--as-of", "June 2012"], env=env)
    assert bad.exit_code == 2


def test_assess_json_lists_the_14_factors_with_their_indicator_judgements(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from backchannel.cli import app
    from tests.conftest import EXAMPLES

    runner = CliRunner()
    env = {"BACKCHANNEL_DATA_DIR": str(tmp_path), "BACKCHANNEL_MIRROR": None}
    case = str(EXAMPLES / "somalia-2011.yaml")
    result = runner.invoke(app, ["assess", case, "--format", "json"], env=env)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert len(document["factors"]) == 14
    statuses = {f["id"]: f["status"] for f in document["factors"]}
    assert statuses["rf1"] == "present" and statuses["rf14"] == "present"
    assert {statuses[f"rf{n}"] for n in range(2, 14)} == {"not_assessed"}
    armed_conflict = document["factors"][0]
    indicator = armed_conflict["indicators"][0]
    assert indicator["id"] == "rf1.1" and indicator["judgements"][0]["id"] == "j-armed-conflict"
    # Evidence is sensitive: the assessment shows the finding, never the evidence text.
    assert "evidence" not in indicator["judgements"][0]
    assert "events" in document["missing_sources"]
    # As of a day before the humanitarian-threat judgement, it is set aside and listed.
    early = runner.invoke(
        app, ["assess", case, "--as-of", "2011-09-01", "--format", "json"], env=env
    )
    early_document = json.loads(early.stdout)
    # every judgement recorded later is set apart, not only the framework ones
    assert early_document["judgements_after_as_of"] == [
        "j-threats-to-humanitarians",
        "j-cohesion",
        "j-legal-constraints",
    ]
    assert {f["id"]: f["status"] for f in early_document["factors"]}["rf14"] == "not_assessed"


def test_assess_suggest_prints_machine_judgements_a_case_accepts(tmp_path: Path) -> None:
    import yaml
    from typer.testing import CliRunner

    from backchannel.casefile import dump_case, load_case, parse_case
    from backchannel.cli import app
    from tests.conftest import EXAMPLES, mirror_path

    mirror = mirror_path()
    if mirror is None:
        pytest.skip("no data mirror")
    runner = CliRunner()
    env = {"BACKCHANNEL_DATA_DIR": str(tmp_path), "BACKCHANNEL_MIRROR": None}
    for dataset in ("ucdp-ged", "ewp"):
        pulled = runner.invoke(app, ["data", "pull", dataset, "--mirror", str(mirror)], env=env)
        assert pulled.exit_code == 0, pulled.stderr
    path = EXAMPLES / "central-african-republic-2013.yaml"
    result = runner.invoke(
        app, ["assess", str(path), "--as-of", "2014-06-30", "--suggest"], env=env
    )
    assert result.exit_code == 0, result.stderr
    fragment = yaml.safe_load(result.stdout)["judgements"]
    subjects = {j["subject"] for j in fragment}
    assert {"framework:rf1.1", "framework:rf2.1", "framework:rf2.2"} <= subjects
    assert {j["origin"] for j in fragment} == {"machine"}
    # Pasted into the case file they load, and then count nowhere until reviewed.
    case = load_case(path)
    document = yaml.safe_load(dump_case(case))
    document["judgements"].extend(fragment)
    extended = tmp_path / "car.yaml"
    extended.write_text(yaml.safe_dump(document, allow_unicode=True))
    assert len(parse_case(extended.read_text()).judgements) == len(case.judgements) + len(fragment)
    assessed = runner.invoke(
        app, ["assess", str(extended), "--as-of", "2014-06-30", "--format", "json"], env=env
    )
    import json

    factors = {f["id"]: f for f in json.loads(assessed.stdout)["factors"]}
    assert factors["rf2"]["status"] == "not_assessed"
    assert {s["subject"] for s in factors["rf2"]["suggestions"]} >= {"rf2.1", "rf2.2"}
