"""The web workspace in a real browser: the analyst's whole flow, and the refusals.

The app runs under uvicorn on 127.0.0.1 (a free port, a background thread) on a SQLite
store of its own, with development settings (plain HTTP on the loopback). Chromium signs
in, opens a case, records actors, a relation and a UN Framework judgement through the
forms, runs the assessment and downloads the brief. No page may log a console error or a
Content-Security-Policy violation along the way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from backchannel.model.case import Case
from backchannel.store.service import CaseStore
from backchannel.web.app import create_app
from tests.browser.conftest import browser_settings, serving

PASSWORD = "a long enough browser password"
CASE_ID = "browser-case-2024"
#: Chromium's own note of an answer with an error status: expected on the refusal pages.
FAILED_LOAD = "Failed to load resource: the server responded with a status of"


@dataclass
class Served:
    """The app under uvicorn: its address and the store it runs on."""

    url: str
    store: CaseStore


@dataclass
class Console:
    """What a page said on its console: errors, and Content-Security-Policy violations."""

    errors: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)

    def listen(self, page: Any) -> None:
        page.on("console", self._message)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _message(self, message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.csp.append(text)
        elif message.type == "error":
            self.errors.append(text)

    def unexpected(self) -> list[str]:
        """Errors other than the browser's note of a refusal (4xx) the test asked for."""
        return [e for e in self.errors if not e.startswith(FAILED_LOAD + " 4")]


def refusals_case() -> Case:
    """An empty case of amina's, which the others try to reach."""
    return Case.model_validate(
        {
            "id": CASE_ID,
            "context": {
                "title": "Refusals case",
                "country": "SOM",
                "period": {"start": "2011-01-01", "end": "2011-12-31"},
            },
        }
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    store = CaseStore.open(browser_settings(tmp_path))
    store.add_user("amina", "analyst", PASSWORD)
    store.add_user("bruno", "analyst", PASSWORD)
    store.add_user("vera", "viewer", PASSWORD)
    try:
        with serving(create_app(browser_settings(tmp_path), store=store)) as url:
            yield Served(url, store)
    finally:
        store.close()


def open_page(browser: Any) -> tuple[Any, Console]:
    """A page in a fresh context (its own cookies), its console listened to."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    console = Console()
    console.listen(page)
    return page, console


def sign_in(page: Any, served: Served, name: str, password: str = PASSWORD) -> None:
    page.goto(f"{served.url}/login")
    page.fill("#username", name)
    page.fill("#password", password)
    page.get_by_role("button", name="Sign in").click()


def test_an_analyst_works_a_case_from_sign_in_to_brief(
    browser: Any, served: Served, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    page, console = open_page(browser)
    sign_in(page, served, "amina")
    expect(page.get_by_role("heading", name="Your cases")).to_be_visible()

    # open a case
    page.get_by_role("link", name="Open a new case").click()
    page.fill("#case-title", "Browser test case")
    page.fill("#case-country", "SOM")
    page.fill("#case-period_start", "2011-01-01")
    page.fill("#case-period_end", "2011-12-31")
    page.fill("#case-regions", "Bay\nBakool")
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url(re.compile(re.escape(served.url) + r"/cases/c-[a-z2-7]{12}$"))
    expect(page.get_by_role("heading", name="Browser test case")).to_be_visible()
    case_id = page.url.rsplit("/", 1)[1]  # made up by the server

    # two actors and a relation, through the htmx forms
    page.get_by_role("navigation", name="Case").get_by_role("link", name="Actors").click()
    for actor_id, name, kind in [
        ("shabaab", "Harakat al-Shabaab al-Mujahideen", "armed_group"),
        ("elders", "Council of elders", "community_leader"),
    ]:
        page.fill("#actor-id", actor_id)
        page.fill("#actor-name", name)
        page.select_option("#actor-kind", kind)
        page.get_by_role("button", name="Add the actor").click()
        expect(page.get_by_text(f"Saved: {actor_id}.")).to_be_visible()
    page.select_option("#relation-source", "elders")
    page.select_option("#relation-kind", "influences")
    page.select_option("#relation-target", "shabaab")
    page.fill("#relation-strength", "0.6")
    page.get_by_role("button", name="Add the relation").click()
    expect(page.get_by_text("Saved: rel-")).to_be_visible()
    expect(page.locator("#relations-heading + table tbody tr")).to_have_count(1)

    # the map draws both actors from the embedded JSON, under the CSP
    page.get_by_role("link", name="Open the interactive actor map").click()
    page.wait_for_selector("#map[data-ready='true']")
    assert page.evaluate("document.getElementById('map').backchannelMap.nodes().length") == 2

    # a UN Framework judgement
    page.get_by_role("navigation", name="Case").get_by_role("link", name="Judgements").click()
    page.select_option("#judgement-subject", "framework:rf1")
    page.check("#judgement-status-present")
    page.select_option("#judgement-severity", "2")
    page.select_option("#judgement-confidence", "high")
    page.fill("#judgement-finding", "Armed conflict continues in the south.")
    page.fill("#judgement-evidence", "Field reports.")
    page.get_by_role("button", name="Record the judgement").click()
    expect(page.get_by_text("Saved: jud-")).to_be_visible()
    row = page.locator("#judgements-heading + table tbody tr").first
    expect(row).to_contain_text("amina")
    expect(row).to_contain_text("Risk factor 1")
    judgement = served.store.get_case(case_id).judgements[-1]
    assert (judgement.analyst, judgement.subject, judgement.status) == (
        "amina",
        "framework:rf1",
        "present",
    )

    # run the assessment; the dashboard leads with the decision status, then the stage
    page.get_by_role("navigation", name="Case").get_by_role("link", name="Dashboard").click()
    page.get_by_role("button", name="Run the assessment again").click()
    page.wait_for_url(f"{served.url}/cases/{case_id}")
    expect(page.locator("#stage-heading .stage")).to_be_visible()
    decision = page.get_by_role("heading", name=re.compile(r"^(Proceed|Conditional|Hold): "))
    expect(decision).to_be_visible()
    # nothing of ours is judged in this new case: it cannot say proceed
    expect(decision).not_to_have_text(re.compile(r"^Proceed"))
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)

    # the brief
    with page.expect_download() as download:
        page.get_by_role("link", name="Decision brief, full version (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert download.value.suggested_filename == f"{case_id}.pdf"

    actions = [(e.action, e.user_name) for e in served.store.audit_entries(case_id=case_id)]
    assert ("judgement.add", "amina") in actions
    assert [a for a, _ in actions].count("actor.add") == 2
    assert served.store.verify_audit().ok
    assert console.errors == [] and console.csp == []
    page.context.close()


def test_the_refusals_in_a_browser(browser: Any, served: Served) -> None:
    from playwright.sync_api import expect

    lead = served.store.acting_as("amina")
    lead.save_case(refusals_case(), "case.create")
    lead.add_member(CASE_ID, "amina", "case_lead")
    lead.add_member(CASE_ID, "vera", "viewer")

    # a wrong password gets the generic message, as an unknown name does
    page, console = open_page(browser)
    for name, password in [("amina", "not the right password"), ("nobody", PASSWORD)]:
        sign_in(page, served, name, password)
        expect(page.get_by_role("alert")).to_have_text("The user name or password is not right.")
    assert console.csp == [] and console.unexpected() == []
    page.context.close()

    # a signed-in non-member gets the page of a case that does not exist
    page, console = open_page(browser)
    sign_in(page, served, "bruno")
    expect(page.get_by_role("heading", name="Your cases")).to_be_visible()
    hidden = page.goto(f"{served.url}/cases/{CASE_ID}")
    assert hidden is not None and hidden.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    hidden_text = page.inner_text("main")
    missing = page.goto(f"{served.url}/cases/no-such-case")
    assert missing is not None and missing.status == 404
    assert page.inner_text("main") == hidden_text
    assert console.csp == [] and console.unexpected() == []
    page.context.close()

    # a viewer reads the pages without forms, and a post is refused
    page, console = open_page(browser)
    sign_in(page, served, "vera")
    for section in ["", "/actors", "/judgements", "/engagements", "/commitments"]:
        shown = page.goto(f"{served.url}/cases/{CASE_ID}{section}")
        assert shown is not None and shown.status == 200
        assert page.locator("main form").count() == 0, section
    token = page.get_attribute('meta[name="csrf-token"]', "content")
    refused = page.request.post(
        f"{served.url}/cases/{CASE_ID}/actors",
        form={"csrf_token": str(token), "id": "x", "name": "X", "kind": "militia"},
    )
    assert refused.status == 403
    api = page.request.post(
        f"{served.url}/api/cases/{CASE_ID}/actors",
        data={"id": "x", "name": "X", "kind": "militia"},
        headers={"X-CSRF-Token": str(token)},
    )
    assert api.status == 403
    assert served.store.get_case(CASE_ID).actors == []
    assert console.csp == [] and console.errors == []
    page.context.close()
