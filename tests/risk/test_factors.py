"""The documented roll-up of framework judgements into factors, and its effect on the stage."""

from __future__ import annotations

import datetime as dt

import pytest

from backchannel.model import Judgement
from backchannel.risk.factors import framework_measures, roll_up
from backchannel.risk.framework import load_framework

FRAMEWORK = load_framework()


def judged(
    subject: str, finding: str, day: int = 1, analyst: str = "a", severity: int | None = None
) -> Judgement:
    return Judgement(
        id=f"j-{subject}-{analyst}-{day}-{finding[:3]}",
        analyst=analyst,
        at=dt.datetime(2014, 1, day, tzinfo=dt.UTC),
        subject=subject,
        finding=finding,
        severity=severity,
    )


def status(judgements: list[Judgement], factor: str, as_of: dt.date | None = None) -> str:
    return next(f.status for f in roll_up(FRAMEWORK, judgements, as_of) if f.id == factor)


@pytest.mark.parametrize(
    ("judgements", "expected"),
    [
        ([], "not_assessed"),
        ([judged("framework:rf1.1", "present: fighting in three prefectures")], "present"),
        ([judged("framework:rf1.1", "absent"), judged("framework:rf1.2", "absent")], "absent"),
        ([judged("framework:rf1.1", "absent"), judged("framework:rf1.2", "unknown")], "unknown"),
        ([judged("framework:rf1", "present")], "present"),
        (
            [judged("framework:rf1.1", "present", 1), judged("framework:rf1.1", "absent", 5)],
            "absent",
        ),
        (
            [
                judged("framework:rf1.1", "present", 1, "a"),
                judged("framework:rf1.1", "absent", 5, "b"),
            ],
            "present",
        ),
        ([judged("framework:armed_conflict", "present")], "not_assessed"),
        ([judged("condition:cohesion", "present")], "not_assessed"),
    ],
)
def test_roll_up_rule(judgements: list[Judgement], expected: str) -> None:
    assert status(judgements, "rf1") == expected


def test_judgements_after_the_date_do_not_count() -> None:
    later = [judged("framework:rf1.1", "present", 20)]
    assert status(later, "rf1", as_of=dt.date(2014, 1, 10)) == "not_assessed"
    assert status(later, "rf1", as_of=dt.date(2014, 1, 20)) == "present"


def test_severity_is_the_highest_present() -> None:
    rolled = roll_up(
        FRAMEWORK,
        [
            judged("framework:rf2.1", "present", severity=1),
            judged("framework:rf2.2", "present", severity=3),
        ],
    )
    assert next(f for f in rolled if f.id == "rf2").severity == 3


def test_measures_for_the_stage() -> None:
    assert framework_measures(roll_up(FRAMEWORK, [])) == {}
    many = [judged(f"framework:rf{n}", "present") for n in (1, 2, 3, 4, 8)]
    measures = framework_measures(roll_up(FRAMEWORK, many))
    assert measures == {"framework_factors_present": 5.0, "framework_trigger_with_factors": 1.0}
    without_trigger = framework_measures(roll_up(FRAMEWORK, many[:4]))
    assert without_trigger["framework_trigger_with_factors"] == 0.0
