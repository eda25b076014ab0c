"""The dashboard and the API analyse a case with the installed data, as ``assess`` does.

With UCDP GED installed from the data mirror, the Central African Republic example shows
its alerts (Séléka's conduct during talks, commitments broken by the events that
followed) on the dashboard and in the assessment API, the same ones the command line's
analysis gives. Without event data, the dashboard says how to install them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backchannel import datasets
from backchannel.datasets.analysis_inputs import INSTALLED_GED, installed_inputs
from backchannel.model import Case
from backchannel.reports.case_analysis import analyse_for_brief
from backchannel.reports.event_signals import INSTALL_HINT
from backchannel.settings import Settings
from backchannel.store.service import CaseStore
from backchannel.web.app import create_app
from backchannel.web.installed_data import InstalledData
from tests.web.conftest import BASE_URL, CASE, SQLITE_ONLY, Browser, log_in

pytestmark = SQLITE_ONLY

CAR = "central-african-republic-2013"


@pytest.fixture
def with_events(
    web_settings: Settings,
    web_store: CaseStore,
    example_cases: list[Case],
    enrol: Callable[[str], None],
    mirror: Path,
) -> FastAPI:
    """The app with UCDP GED installed and the CAR example, of which ``analyst`` is a member."""
    datasets.pull(web_settings, ["ucdp-ged"], mirror=mirror)
    web_store.save_case(next(c for c in example_cases if c.id == CAR))
    enrol("analyst")
    web_store.add_member(CAR, "analyst", "analyst")
    return create_app(web_settings, store=web_store)


def expected_alerts(settings: Settings, case: Case) -> list[dict[str, object]]:
    inputs = installed_inputs(settings)
    analysis = analyse_for_brief(
        case,
        events=inputs.events,
        event_source=INSTALLED_GED,
        extents=inputs.event_extents,
        conflicts=inputs.conflicts,
    )
    return [signal.model_dump() for signal in analysis.events.signals]


@pytest.mark.slow
def test_the_dashboard_shows_the_alerts_of_the_installed_events(
    with_events: FastAPI, web_settings: Settings, example_cases: list[Case]
) -> None:
    expected = expected_alerts(web_settings, next(c for c in example_cases if c.id == CAR))
    kinds = {(alert["kind"], alert["actor"]) for alert in expected}
    assert ("conduct during talks", "Séléka coalition") in kinds  # the real data give these
    assert ("commitment violation", "Séléka coalition") in kinds
    with TestClient(with_events, base_url=BASE_URL, follow_redirects=False) as client:
        assert log_in(client, "analyst").status_code == 303
        page = client.get(f"/cases/{CAR}").text
        document = client.get(f"/api/cases/{CAR}/assessment").json()
    assert f"Alerts ({len(expected)})" in page
    rows = re.findall(r'<th scope="row">([^<]+)</th>\s*<td>([^<]+)</td>', page)
    for alert in expected:
        assert (str(alert["kind"]).capitalize(), alert["actor"]) in rows
    assert document["alerts"]["source"] == INSTALLED_GED
    assert document["alerts"]["signals"] == expected
    # how old the data behind the figures are, on the page and in the API
    (ged,) = [age for age in document["data_ages"] if age["id"] == "ucdp-ged"]
    assert ged["published"] and ged["age_days"] > 365 and ged["stale"] is True
    assert "Data behind these figures" in page
    assert f"{ged['age_days']} days" in page and "<strong>stale</strong>" in page


def test_without_event_data_the_dashboard_says_how_to_install_them(
    browser: Callable[[str], Browser],
) -> None:
    analyst = browser("analyst")
    page = analyst.client.get(f"/cases/{CASE}").text
    assert "Alerts</h2>" in page and "backchannel data pull ucdp-ged" in page
    alerts = analyst.client.get(f"/api/cases/{CASE}/assessment").json()["alerts"]
    assert alerts == {"source": None, "note": INSTALL_HINT, "signals": []}
    assert "No installed data set is read" in page


def test_inputs_are_read_once_and_can_be_read_ahead(web_settings: Settings, mirror: Path) -> None:
    datasets.pull(web_settings, ["ucdp-ged"], mirror=mirror)
    installed = InstalledData(web_settings)
    installed.preload().join(timeout=120)
    first = installed.inputs().inputs
    assert first is installed.inputs().inputs  # kept, not read again
    assert first.events is not None and first.events.num_rows > 0
    assert first.event_source == INSTALLED_GED
    assert first.missing() == ["designation lists", "EWP predictors", "evidence panel files"]
