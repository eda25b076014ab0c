"""No hindsight: a replay as of a day shows nothing dated after it.

Every example case is replayed at dates drawn across (and just before) its period, with the
real installed events, conflict record and designation lists. The JSON of ``assess`` and
the HTML brief are searched for every ISO date; none may lie after the as-of day, except
the case's planned period, the brief's generation stamp and the data snapshots' own dates
(when a list was generated, how far the event data reach).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel.casefile import load_case
from backchannel.model.case import Case
from backchannel.reports.case_analysis import CaseAnalysis, analyse_for_brief, brief_report
from backchannel.reports.render import render_case_html
from tests.conftest import EXAMPLES

ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d])")
EXAMPLE_IDS = ("somalia-2011", "colombia-2012", "central-african-republic-2013")


def _case(name: str) -> Case:
    return load_case(EXAMPLES / f"{name}.yaml")


def _analyse(case: Case, day: dt.date, inputs: Any) -> CaseAnalysis:
    return analyse_for_brief(
        case,
        day,
        events=inputs.events,
        event_source=inputs.event_source,
        screening=inputs.screening,
        activities=("meeting", "delivering_humanitarian_supplies"),
        extents=inputs.event_extents,
        conflicts=inputs.conflicts,
        timelines=False,
    )


def _allowed(case: Case, analysis: CaseAnalysis) -> set[dt.date]:
    """Dates that may lie after the as-of day: the planned period, today's stamp, and the
    data snapshots' own dates."""
    allowed = {case.context.period.start, dt.date.today(), dt.datetime.now(dt.UTC).date()}
    if case.context.period.end:
        allowed.add(case.context.period.end)
    coverage = analysis.assessment.coverage
    if coverage is not None:
        allowed |= {d for d in (coverage.data_start, coverage.data_end) if d is not None}
    if analysis.screening is not None:
        for listed in analysis.screening.lists:
            allowed |= set(_dates(json.dumps(listed, default=str)))
    return allowed


def _dates(text: str) -> list[dt.date]:
    found = []
    for year, month, day in ISO_DATE.findall(text):
        try:
            found.append(dt.date(int(year), int(month), int(day)))
        except ValueError:
            continue
    return found


def _later(text: str, day: dt.date, allowed: set[dt.date]) -> list[str]:
    return sorted({d.isoformat() for d in _dates(text) if d > day and d not in allowed})


def _check(case: Case, day: dt.date, inputs: Any) -> None:
    analysis = _analyse(case, day, inputs)
    allowed = _allowed(case, analysis)
    document = json.dumps(analysis.as_dict(), default=str)
    assert _later(document, day, allowed) == [], f"{case.id} as of {day}: JSON"
    html = render_case_html(brief_report(analysis))
    assert _later(html, day, allowed) == [], f"{case.id} as of {day}: brief"


@pytest.mark.slow
@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_every_example_replayed_at_any_day_shows_nothing_later(
    name: str, installed_analysis_inputs: Any
) -> None:
    case = _case(name)
    start, end = case.context.period.start, case.context.period.end
    assert end is not None

    @settings(
        max_examples=5,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
        derandomize=True,
    )
    @given(st.dates(min_value=start - dt.timedelta(days=120), max_value=end))
    def replay(day: dt.date) -> None:
        _check(case, day, installed_analysis_inputs)

    replay()


@pytest.mark.slow
def test_the_car_brief_as_of_31_august_2014_shows_nothing_later(
    installed_analysis_inputs: Any, tmp_path: Path
) -> None:
    """The CAR brief replayed at the end of the Brazzaville agreement's first month shows no
    violation windows, relations, judgements or sources from after that day."""
    case = _case("central-african-republic-2013")
    day = dt.date(2014, 8, 31)
    _check(case, day, installed_analysis_inputs)
    analysis = _analyse(case, day, installed_analysis_inputs)
    document = analysis.as_dict()
    # what the full case holds later is left out, and said to be left out
    assert {"upc", "mpc"} <= set(document["withheld"]["left_out"]["actors"])
    assert "j-intergroup-tensions" in document["judgements_after_as_of"]
    assert {"icg-2015-09", "kaiciid-2015-12-03", "coi-2014"} <= set(
        document["withheld"]["left_out"]["sources"]
    )
    # the Brazzaville commitments read as known that day: not yet known to be broken
    assert document["withheld"]["statuses_then"] == {
        "c-exseleka-brazzaville-coh": "pending",
        "c-antibalaka-brazzaville-coh": "pending",
    }
    if shutil.which("pdftotext") is not None:
        from backchannel.reports.pdf import render_case_pdf

        pdf = tmp_path / "car.pdf"
        pdf.write_bytes(render_case_pdf(brief_report(analysis)))
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True
        ).stdout
        assert _later(text, day, _allowed(case, analysis)) == []


def test_a_later_commitment_status_is_not_read_in_a_replay() -> None:
    """Somalia's ICRC access arrangement was known to be broken only on 12 January 2012."""
    from backchannel.model.as_of import known_on

    case = _case("somalia-2011")
    before = known_on(case, dt.date(2011, 12, 31)).case
    after = known_on(case, dt.date(2012, 1, 12)).case
    status = {c.id: c.status.value for c in before.commitments}
    assert status["c-shabaab-icrc-access-2011"] == "pending"
    assert {c.id: c.status.value for c in after.commitments}["c-shabaab-icrc-access-2011"] == (
        "violated"
    )


def test_the_check_finds_later_dates_in_an_uncut_brief(installed_analysis_inputs: Any) -> None:
    """The same brief built from the whole case, not the case as known, fails the check."""
    from backchannel.reports.case_report import build_case_report

    case = _case("central-african-republic-2013")
    day = dt.date(2014, 8, 31)
    analysis = _analyse(case, day, installed_analysis_inputs)
    uncut = render_case_html(build_case_report(case, stage=analysis.assessment.as_dict()))
    later = _later(uncut, day, _allowed(case, analysis))
    assert {"2014-10-29", "2015-09-21"} <= set(later)


def test_a_replay_with_a_users_own_event_file_still_reads_its_events(
    installed_analysis_inputs: Any,
) -> None:
    """Events of undeclared extent (``--events FILE``) cover the days between the country's
    first and last event in the file, a property of the file, not of the day: cutting the
    events at the day must not make the data look as if they stopped before it."""
    case = _case("central-african-republic-2013")
    analysis = analyse_for_brief(
        case, dt.date(2014, 8, 31), events=installed_analysis_inputs.events, timelines=False
    )
    coverage = analysis.assessment.coverage
    assert coverage is not None and coverage.adequate, coverage
    assert coverage.extent.startswith("unknown")
    assert analysis.assessment.stage.source_stages["events"] == "ongoing"
