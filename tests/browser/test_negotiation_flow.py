"""The negotiation in a real browser: an analyst records a mandate, an agreed fact and a
breach on a case imported from a packaged example, and the dashboard's page one follows.

The app runs under uvicorn on 127.0.0.1 with a SQLite store of its own (as in
``test_workspace``). Chromium works through the forms with htmx, as a user would; no page
may log a console error or a Content-Security-Policy violation along the way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backchannel.casefile import load_case
from backchannel.store.service import CaseStore
from backchannel.web.app import create_app
from tests.browser.conftest import browser_settings, serving
from tests.browser.test_workspace import PASSWORD, Served, open_page, sign_in
from tests.conftest import EXAMPLES

CASE_ID = "colombia-2012"
#: A commitment of the example kept as honoured, whose breach the analyst reports.
COMMITMENT = "c-farc-general-agreement"
MANDATOR = "Executive board of the facilitating foundation, Bogotá office"
AGREED_FACT = "Both delegations accept that the talks open in Oslo before moving to Havana"
OBSERVED = "Delegates report that a front of the group attacked a power line in Cauca"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """The app on a store holding the Colombia example, with amina an analyst in it."""
    store = CaseStore.open(browser_settings(tmp_path))
    store.add_user("amina", "analyst", PASSWORD)
    store.acting_as("setup").save_case(load_case(EXAMPLES / f"{CASE_ID}.yaml"))
    store.acting_as("setup").add_member(CASE_ID, "amina", "analyst")
    try:
        with serving(create_app(browser_settings(tmp_path), store=store)) as url:
            yield Served(url, store)
    finally:
        store.close()


def breach_day(served: Served) -> dt.date:
    """A day after every piece of evidence the commitment holds, inside the case period
    (the dashboard reads the case as known at the period's end)."""
    case = served.store.get_case(CASE_ID)
    commitment = next(c for c in case.commitments if c.id == COMMITMENT)
    dates = [commitment.start, *(c.date for c in commitment.status_history)]
    day = max(dates + [m.date for m in commitment.monitoring]) + dt.timedelta(days=5)
    assert case.context.period.end is not None and day <= case.context.period.end
    return day


def test_an_analyst_records_the_negotiation_and_page_one_follows(
    browser: Any, served: Served, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    day = breach_day(served)
    page, console = open_page(browser)
    sign_in(page, served, "amina")
    expect(page.get_by_role("heading", name="Your cases")).to_be_visible()
    page.goto(f"{served.url}/cases/{CASE_ID}")
    nav = page.get_by_role("navigation", name="Case")

    # the mandate
    nav.get_by_role("link", name="Mandate and lines").click()
    page.fill("#mandate-mandator", MANDATOR)
    page.fill("#mandate-date", "2012-02-01")
    page.fill("#mandate-objectives", "An agenda for talks agreed by both sides")
    page.fill("#mandate-approval_by-1", "Foundation council")
    page.fill("#mandate-approval_date-1", "2012-02-03")
    page.get_by_role("button", name="Save the mandate").click()
    expect(page.get_by_text("Saved: mandate.")).to_be_visible()
    expect(page.locator("#mandate-heading + dl")).to_contain_text(MANDATOR)

    # an agreed fact of the Island of Agreement, established at an engagement
    nav.get_by_role("link", name="Island and positions").click()
    page.select_option("#island-counterpart", "farc")
    page.check("#island-kind-agreed_fact")
    page.fill("#island-text", AGREED_FACT)
    page.fill("#island-date", "2012-09-10")
    page.select_option("#island-engagement", "e-public-announcement")
    page.get_by_role("button", name="Add the entry").click()
    expect(page.get_by_text("Saved: isl-")).to_be_visible()
    expect(page.locator(".quadrant-agreed_fact", has_text=AGREED_FACT)).to_have_count(1)

    # a breach of a commitment, seen on a field mission
    nav.get_by_role("link", name="Commitments").click()
    row = page.locator("tbody tr", has_text=COMMITMENT)
    expect(row.locator(".status")).not_to_have_text("violated")
    monitoring = page.locator("section.monitoring", has_text=COMMITMENT)
    monitoring.get_by_text("Record an observation or the verification plan").click()
    prefix = f"#monitor-{COMMITMENT}"
    page.fill(f"{prefix}-date", day.isoformat())
    page.select_option(f"{prefix}-method", "field_mission")
    page.fill(f"{prefix}-by", "Monitoring delegates of the guarantors")
    page.fill(f"{prefix}-observed", OBSERVED)
    page.select_option(f"{prefix}-supports", "violated")
    monitoring.get_by_role("button", name="Record the observation").click()
    expect(page.get_by_text(f"Saved: {COMMITMENT}.")).to_be_visible()
    row = page.locator("tbody tr", has_text=COMMITMENT)
    expect(row.locator(".status")).to_have_text("violated")
    expect(row).to_contain_text(f"Decided by field mission, {day.isoformat()}: violated.")

    # the dashboard's page one: the mandate and what we already agree on
    nav.get_by_role("link", name="Dashboard").click()
    page.wait_for_url(f"{served.url}/cases/{CASE_ID}")
    expect(page.locator("main")).to_contain_text(MANDATOR)
    page_one = page.locator("section#negotiation-page-one")
    expect(page_one).to_have_count(1)
    for heading in ("What we ask", "What we can offer", "Where we already agree"):
        expect(page_one.get_by_role("heading", name=heading)).to_be_visible()
    expect(page_one).to_contain_text(AGREED_FACT)
    page.screenshot(path=str(artifacts / "negotiation-dashboard.png"), full_page=True)

    case = served.store.get_case(CASE_ID)
    assert case.mandate is not None and case.mandate.mandator == MANDATOR
    assert case.island_of_agreement[-1].text == AGREED_FACT
    commitment = next(c for c in case.commitments if c.id == COMMITMENT)
    assert commitment.monitoring[-1].observed == OBSERVED
    actions = [(e.action, e.user_name) for e in served.store.audit_entries(case_id=CASE_ID)]
    for action in ("mandate.set", "island.add", "commitment.monitor"):
        assert (action, "amina") in actions
    assert served.store.verify_audit().ok
    assert console.errors == [] and console.csp == []
    page.context.close()


def test_a_viewer_reads_the_negotiation_pages_without_forms(browser: Any, served: Served) -> None:
    served.store.add_user("vera", "viewer", PASSWORD)
    served.store.acting_as("setup").add_member(CASE_ID, "vera", "viewer")
    page, console = open_page(browser)
    sign_in(page, served, "vera")
    expect_heading = page.get_by_role("heading", name="Your cases")
    expect_heading.wait_for()
    for section in ("mandate", "negotiation", "commitments"):
        shown = page.goto(f"{served.url}/cases/{CASE_ID}/{section}")
        assert shown is not None and shown.status == 200, section
        assert page.locator("main form").count() == 0, section
        assert not re.search(
            r"Record an observation|Add the entry|Save the mandate", page.content()
        )
    before = served.store.get_case(CASE_ID)
    token = page.get_attribute('meta[name="csrf-token"]', "content")
    refused = page.request.post(
        f"{served.url}/cases/{CASE_ID}/mandate",
        form={"csrf_token": str(token), "mandator": "Nobody", "date": "2012-02-01"},
    )
    assert refused.status == 403
    assert served.store.get_case(CASE_ID) == before
    assert console.csp == [] and console.unexpected() == []
    page.context.close()
