"""The documented roll-up of framework judgements into factors, and machine suggestions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from backchannel.errors import InvalidInputError
from backchannel.events.backends import connect, event_table
from backchannel.model import Finding, Judgement, JudgementOrigin
from backchannel.risk.factors import framework_measures, roll_up
from backchannel.risk.framework import load_framework
from backchannel.risk.prefill import MACHINE_ANALYST, load_prefill_rules, suggest_judgements
from backchannel.risk.stage_inputs import event_measures, predictor_measures

FRAMEWORK = load_framework()


def judged(
    subject: str,
    status: str,
    day: int = 1,
    analyst: str = "a",
    severity: int | None = None,
    **extra: object,
) -> Judgement:
    return Judgement.model_validate(
        {
            "id": f"j-{subject}-{analyst}-{day}-{status}",
            "analyst": analyst,
            "at": dt.datetime(2014, 1, day, tzinfo=dt.UTC),
            "subject": subject,
            "status": status,
            "finding": f"{status} on the evidence",
            "severity": severity,
            **extra,
        }
    )


def suggestion(subject: str, day: int = 1) -> Judgement:
    return judged(subject, "present", day, MACHINE_ANALYST, origin="machine").model_copy(
        update={"id": f"s-{subject}-{day}"}
    )


def status(judgements: list[Judgement], factor: str, as_of: dt.date | None = None) -> str:
    return roll_up(FRAMEWORK, judgements, as_of).factor(factor).status


@pytest.mark.parametrize(
    ("judgements", "expected"),
    [
        ([], "not_assessed"),
        ([judged("framework:rf1.1", "present")], "present"),
        ([judged("framework:rf1.1", "absent"), judged("framework:rf1.2", "absent")], "absent"),
        ([judged("framework:rf1.1", "absent"), judged("framework:rf1.2", "unknown")], "unknown"),
        ([judged("framework:rf1", "present")], "present"),
        # The latest judgement of one analyst on one subject wins (append-only revision).
        (
            [judged("framework:rf1.1", "present", 1), judged("framework:rf1.1", "absent", 5)],
            "absent",
        ),
        # Two analysts disagreeing: the present finding carries, and the factor is contested.
        (
            [
                judged("framework:rf1.1", "present", 1, "a"),
                judged("framework:rf1.1", "absent", 5, "b"),
            ],
            "present",
        ),
        ([judged("condition:cohesion", "present")], "not_assessed"),
        # A machine suggestion alone counts for nothing.
        ([suggestion("framework:rf1.1")], "not_assessed"),
    ],
)
def test_roll_up_rule(judgements: list[Judgement], expected: str) -> None:
    assert status(judgements, "rf1") == expected


def test_disagreement_between_analysts_is_contested_and_shown() -> None:
    rolled = roll_up(
        FRAMEWORK,
        [
            judged("framework:rf1.1", "present", 1, "a"),
            judged("framework:rf1.1", "absent", 5, "b"),
            judged("framework:rf1.2", "absent", 5, "b"),
        ],
    ).factor("rf1")
    assert rolled.contested
    by_id = {i.id: i for i in rolled.indicators}
    assert by_id["rf1.1"].contested and not by_id["rf1.2"].contested
    assert [j.analyst for j in by_id["rf1.1"].judgements] == ["a", "b"]
    assert [i.id for i in rolled.indicators] == ["rf1.1", "rf1.2"]


def test_judgements_after_the_date_are_set_aside_and_listed() -> None:
    later = [judged("framework:rf1.1", "present", 20)]
    rolled = roll_up(FRAMEWORK, later, as_of=dt.date(2014, 1, 10))
    assert rolled.factor("rf1").status == "not_assessed"
    assert rolled.set_aside == [later[0].id]
    assert status(later, "rf1", as_of=dt.date(2014, 1, 20)) == "present"


def test_a_review_confirms_or_rejects_a_suggestion() -> None:
    suggested = suggestion("framework:rf2.1")
    pending = roll_up(FRAMEWORK, [suggested]).factor("rf2")
    assert pending.status == "not_assessed"
    assert [s.id for s in pending.suggestions] == [suggested.id]
    confirmed = judged("framework:rf2.1", "present", 2, reviews=suggested.id)
    after = roll_up(FRAMEWORK, [suggested, confirmed]).factor("rf2")
    assert after.status == "present" and after.suggestions == []
    rejected = judged("framework:rf2.1", "absent", 2, reviews=suggested.id)
    assert roll_up(FRAMEWORK, [suggested, rejected]).factor("rf2").status == "absent"


def test_live_suggestions_show_unless_recorded_or_reviewed() -> None:
    live = suggestion("framework:rf11.2")
    assert [s.id for s in roll_up(FRAMEWORK, [], suggestions=[live]).factor("rf11").suggestions]
    review = judged("framework:rf11.2", "absent", 3, reviews=live.id)
    # The review cites a suggestion that is only live, not in the list: roll_up still hides it.
    rolled = roll_up(FRAMEWORK, [live, review], suggestions=[live]).factor("rf11")
    assert rolled.suggestions == [] and rolled.status == "absent"


@pytest.mark.parametrize(
    ("judgements", "words"),
    [
        ([judged("framework:rf15", "present")], "'rf15' is not a factor or indicator"),
        ([judged("framework:rf8.42", "present")], "rf8 has indicators rf8.1 to"),
        (
            [
                judged("framework:rf1.1", "present", 1, "a"),
                judged("framework:rf1.1", "absent", 1, "a"),
            ],
            "both present and absent",
        ),
    ],
)
def test_bad_judgements_are_refused(judgements: list[Judgement], words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        roll_up(FRAMEWORK, judgements)


def test_severity_is_the_highest_present() -> None:
    rolled = roll_up(
        FRAMEWORK,
        [
            judged("framework:rf2.1", "present", severity=1),
            judged("framework:rf2.2", "present", severity=3),
            judged("framework:rf2.3", "absent", severity=3),
        ],
    )
    assert rolled.factor("rf2").severity == 3
    assert rolled.factor("rf2").judgements == sorted(
        [
            "j-framework:rf2.1-a-1-present",
            "j-framework:rf2.2-a-1-present",
            "j-framework:rf2.3-a-1-absent",
        ]
    )


def test_measures_for_the_stage() -> None:
    assert framework_measures(roll_up(FRAMEWORK, [])) == {}
    many = [judged(f"framework:rf{n}", "present") for n in (1, 2, 3, 4, 8)]
    measures = framework_measures(roll_up(FRAMEWORK, many))
    assert measures == {
        "framework_factors_present": 5.0,
        "framework_armed_conflict": 1.0,
        "framework_trigger_with_factors": 1.0,
        "framework_specific_severe_in_conflict": 0.0,
    }
    without_trigger = framework_measures(roll_up(FRAMEWORK, many[:4]))
    assert without_trigger["framework_trigger_with_factors"] == 0.0
    # A crime-specific factor at the highest severity counts only during an armed conflict,
    # and only at severity 3.
    severe = judged("framework:rf14", "present", severity=3)
    moderate = judged("framework:rf13", "present", severity=2)
    in_conflict = framework_measures(roll_up(FRAMEWORK, [many[0], severe, moderate]))
    assert in_conflict["framework_specific_severe_in_conflict"] == 1.0
    no_conflict = framework_measures(roll_up(FRAMEWORK, [severe]))
    assert no_conflict["framework_specific_severe_in_conflict"] == 0.0
    assert no_conflict["framework_armed_conflict"] == 0.0
    # Suggestions never move the stage.
    suggested = [suggestion(f"framework:rf{n}") for n in (1, 2, 3, 4, 8)]
    assert framework_measures(roll_up(FRAMEWORK, [], suggestions=suggested)) == {}


# --- machine suggestions from data ----------------------------------------------------


def test_every_prefill_rule_names_a_known_indicator_and_a_source() -> None:
    rules = load_prefill_rules()
    indicators = {i.id for i in FRAMEWORK.indicators}
    assert len(rules) >= 5
    for rule in rules:
        assert rule.indicator in indicators and rule.reference and rule.finding, rule.id


def test_a_bad_prefill_rule_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "prefill.yaml"
    path.write_text(
        "rules:\n  - id: r\n    indicator: rf1.99\n    when: [{fact: m, at_least: 1}]\n"
        "    finding: x\n    reference: y\n  - id: s\n    indicator: rf1.1\n"
        "    when: [{fact: m}]\n    finding: x\n    reference: y\n"
    )
    with pytest.raises(InvalidInputError) as caught:
        load_prefill_rules(path)
    assert [p.location for p in caught.value.problems] == [
        "rules[0].indicator",
        "rules[1].when[0]",
    ]


def test_no_data_suggests_nothing() -> None:
    assert suggest_judgements({}, {}, dt.date(2014, 6, 30)) == []
    quiet: dict[str, float | None] = {"organised_deaths_12m": 3.0, "civilian_deaths_12m": 0.0}
    assert suggest_judgements(quiet, {}, dt.date(2014, 6, 30)) == []


def test_car_events_suggest_conflict_violations_and_a_growing_attack(car_events: pa.Table) -> None:
    day = dt.date(2014, 3, 31)
    measures, evidence = event_measures(connect(), event_table(car_events), "CAF", day)
    suggestions = suggest_judgements(measures, evidence, day)
    by_subject = {s.subject: s for s in suggestions}
    assert {"framework:rf1.1", "framework:rf2.1"} <= set(by_subject)
    for judgement in suggestions:
        assert judgement.origin is JudgementOrigin.MACHINE
        assert judgement.status is Finding.PRESENT and judgement.at.date() == day
        assert judgement.id.endswith("-20140331")
    violations = by_subject["framework:rf2.1"]
    assert violations.events and all(e.startswith("ged:") for e in violations.events)
    # The deadliest event is quoted first.
    deaths = dict(
        zip(
            car_events.column("event_id").to_pylist(),
            car_events.column("deaths_best").to_pylist(),
            strict=True,
        )
    )
    quoted = [deaths[e] for e in violations.events]
    assert quoted == sorted(quoted, reverse=True)
    assert f"{measures['civilian_deaths_12m']:,.0f} civilians" in violations.finding
    # The same data and date give the same suggestions.
    again = suggest_judgements(measures, evidence, day)
    assert [s.id for s in again] == [s.id for s in suggestions]


def test_ewp_predictors_speak_to_the_record_of_mass_killing() -> None:
    import pandas as pd

    from tests.conftest import mirror_path

    mirror = mirror_path()
    if mirror is None:
        pytest.skip("no data mirror")
    predictors = pd.read_csv(mirror / "ewp" / "prepared2024predictors-2025-09-03.csv")
    before = predictor_measures(predictors, "CAF", dt.date(2013, 6, 30))
    after = predictor_measures(predictors, "CAF", dt.date(2014, 6, 30))
    # EWP codes CAF's first mass killing from 2013: the 2012 row has none, 2013 has one.
    assert before["ewp_mk_ever"] == 0.0 and after["ewp_mk_ever"] == 1.0
    suggested = suggest_judgements(after, {}, dt.date(2014, 6, 30))
    assert "framework:rf2.2" in {s.subject for s in suggested}
    assert "up to 2013" in next(s.finding for s in suggested if s.subject == "framework:rf2.2")
    assert predictor_measures(predictors, "CAF", dt.date(1900, 1, 1)) == {}
