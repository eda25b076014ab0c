"""The screening page in a real browser: an analyst rules out a hit, a viewer only reads.

The app runs under uvicorn on 127.0.0.1 with the UN and OFAC lists installed from the data
mirror into its own data folder; it loads them itself, through its own holder, before the
browser comes. The case is the packaged example somalia-2011.
Chromium signs in as an analyst, opens the case's screening page from the case navigation,
records through the keyboard that Robow's kunya hitting Omar Hammami is a false positive
(the form is swapped in place by htmx) and sees the decision in the row. A viewer then sees
the page, and the decision, without any form. No page may log a console error or a
Content-Security-Policy violation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backchannel.casefile import load_case
from backchannel.store.service import CaseStore
from backchannel.web.app import create_app
from tests.browser.conftest import browser_settings, serving
from tests.browser.test_workspace import Served, open_page, sign_in
from tests.conftest import EXAMPLES, install_indexed_lists

CASE_ID = "somalia-2011"
PASSWORD = "a long enough browser password"
NOTE = "A different man: Hammami was American."


@pytest.fixture
def served_with_lists(tmp_path: Path, indexed_lists: Path) -> Iterator[Served]:
    """The app under uvicorn, with the lists installed and loaded, and the example case."""
    settings = browser_settings(tmp_path)
    install_indexed_lists(indexed_lists, settings.data_dir)
    store = CaseStore.open(settings)
    store.save_case(load_case(EXAMPLES / f"{CASE_ID}.yaml"))
    for name, role in [("amina", "analyst"), ("vera", "viewer")]:
        store.add_user(name, role, PASSWORD)
        store.add_member(CASE_ID, name, role)
    app = create_app(settings, store=store)
    app.state.web.installed.lists()  # the app's own first load, before the browser
    try:
        with serving(app) as url:
            yield Served(url, store)
    finally:
        store.close()


def test_an_analyst_rules_out_a_hit_and_a_viewer_reads_it(
    browser: Any, served_with_lists: Served, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    served = served_with_lists
    page, console = open_page(browser)
    sign_in(page, served, "amina", PASSWORD)
    page.goto(f"{served.url}/cases/{CASE_ID}")
    page.get_by_role("navigation", name="Case").get_by_role("link", name="Screening").click()
    page.wait_for_url(f"{served.url}/cases/{CASE_ID}/screening")
    expect(page.get_by_role("heading", name="Screening and legal exposure")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="AL-SHABAAB").first).to_be_visible()
    expect(page.locator("p.disclaimer")).to_contain_text("This is not legal advice.")

    # the decision, by keyboard: choose the verdict, type the note, press the button
    verdict = page.get_by_label("Your verdict on OMAR HAMMAMI (un-sc)")
    verdict.focus()
    verdict.select_option("false_positive")
    page.keyboard.press("Tab")  # on to the note
    page.keyboard.type(NOTE)
    page.keyboard.press("Tab")  # on to the button
    page.keyboard.press("Enter")
    expect(page.get_by_text("Saved: decision-")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="OMAR HAMMAMI").filter(has_text="un-sc")
    expect(row.locator(".decision")).to_contain_text("false positive by amina on")
    expect(row).to_contain_text(NOTE)
    page.screenshot(path=str(artifacts / "screening.png"), full_page=True)
    [decision] = served.store.screening_decisions(CASE_ID)
    assert (decision.user, decision.verdict, decision.case_id) == (
        "amina",
        "false_positive",
        CASE_ID,
    )
    assert console.errors == [] and console.csp == []
    page.context.close()

    # a viewer reads the page and the decision, without a form and without the note
    page, console = open_page(browser)
    sign_in(page, served, "vera", PASSWORD)
    shown = page.goto(f"{served.url}/cases/{CASE_ID}/screening")
    assert shown is not None and shown.status == 200
    assert page.locator("main form").count() == 0
    row = page.get_by_role("row").filter(has_text="OMAR HAMMAMI").filter(has_text="un-sc")
    expect(row).to_contain_text("false positive by amina on")
    expect(row).not_to_contain_text(NOTE)
    assert console.errors == [] and console.csp == []
    page.context.close()
