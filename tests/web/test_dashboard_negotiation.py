"""The negotiation on a case's dashboard and in its assessment API: the block page 1 of the
brief opens with (our role, the mandate, what we ask, can offer and already agree on, the
case's red lines), the other engagers and the commitments in short, what the record
lacks, and for a viewer every text of the negotiation withheld."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest

from backchannel.model import Case
from backchannel.redaction import WITHHELD
from backchannel.store.service import CaseStore
from tests.negotiation_records import (
    AGREED_FACT,
    MANDATOR,
    MONITORING_SEEN,
    OFFER,
    RED_LINE,
    with_negotiation,
)
from tests.reports.test_negotiation_section import NEGOTIATED, _sensitive_texts
from tests.web.conftest import CASE, SQLITE_ONLY, Browser

pytestmark = SQLITE_ONLY

CAR = "central-african-republic-2013"


def _negotiate(store: CaseStore, case_id: str) -> Case:
    """Record the test negotiation in the stored case; the case as stored after."""
    return store.update_case(
        case_id, lambda case: with_negotiation(case, *NEGOTIATED[case_id]), "test"
    )


def _readable(text: str) -> str:
    """A page or document as its reader meets it: entities and JSON escapes decoded."""
    text = html.unescape(text)
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def _words(page: str) -> str:
    return " ".join(_readable(re.sub(r"<[^>]+>", " ", page)).split())


def _section(page: str, section_id: str) -> str:
    start = page.index(f'id="{section_id}"')
    return page[start : page.index("</section>", start)]


def test_the_dashboard_opens_the_negotiation_as_page_one_of_the_brief(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    _negotiate(web_store, CASE)
    page = browser("analyst").client.get(f"/cases/{CASE}").text
    block = _section(page, "negotiation-page-one")
    for heading in ("What we ask", "What we can offer", "Where we already agree"):
        assert f"<h3>{heading}</h3>" in block, heading
    words = _words(block)
    assert (
        f"Our role: humanitarian agency. Mandate given by {MANDATOR} on 2010-01-01, lapsed "
        "after 2011-01-01."
    ) in words
    assert f"Where we already agree {AGREED_FACT}" in words
    assert f"What we can offer {OFFER}" in words
    assert f"Red lines of this case {RED_LINE} (set by {MANDATOR})" in words
    # near the decision: after the recommendation, before the risk stage
    order = [page.index(anchor) for anchor in ("recommendation-heading", block, "stage-heading")]
    assert order == sorted(order)


def test_the_dashboard_sums_up_the_other_engagers_and_the_commitments(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    _negotiate(web_store, CASE)
    page = browser("analyst").client.get(f"/cases/{CASE}").text
    summary = _section(page, "negotiation-engagers")
    words = _words(summary)
    assert (
        "International Committee of the Red Cross (ICRC) (international actor), with Harakat "
        "al-Shabaab al-Mujahideen: 2 engagements, 2011-10-01 to 2012-01-12 (humanitarian)."
    ) in words
    assert "No agency pays the group to operate" in words and "we are part of it" in words
    # the breach a monitor reported decides the norm's status, named first
    assert (
        "Child recruitment (humanitarian norm): Harakat al-Shabaab al-Mujahideen violated "
        "(third party report, 2010-03-12: violated)"
    ) in words
    assert words.index("Child recruitment") < words.index("Humanitarian access")
    assert f'href="/cases/{CASE}/commitments"' in summary
    assert f'href="/cases/{CASE}/engagements"' in summary


def test_the_dashboard_says_plainly_what_the_negotiation_lacks(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    def bare(case: Case) -> Case:
        return case.model_copy(
            update={
                "context": case.context.model_copy(update={"our_role": None}),
                "mandate": None,
                "red_lines": [],
                "positions": [],
                "island_of_agreement": [],
            }
        )

    web_store.update_case(CASE, bare, "test")
    page = browser("analyst").client.get(f"/cases/{CASE}").text
    words = _words(_section(page, "negotiation-page-one"))
    assert "Our role in the context is not recorded" in words
    assert "No mandate is on record: who mandated the engagement is unknown." in words
    assert "Our role: not recorded. No mandate on record." in words
    for said in (
        "What we ask No position of ours is recorded.",
        "Where we already agree Nothing agreed is recorded yet.",
        "Red lines of this case The case records no red lines of its own.",
    ):
        assert said in words, said


@pytest.mark.parametrize("case_id", [CASE, CAR])
def test_a_viewer_meets_the_negotiation_withheld(
    browser: Callable[[str], Browser],
    web_store: CaseStore,
    example_cases: list[Case],
    case_id: str,
) -> None:
    if case_id == CAR:
        web_store.save_cases([c for c in example_cases if c.id == CAR])
    stored = _negotiate(web_store, case_id)
    hidden = _sensitive_texts(stored)
    analyst, viewer = browser("analyst"), browser("viewer")
    if case_id == CAR:
        web_store.add_member(CAR, "analyst", "analyst")
        web_store.add_member(CAR, "viewer", "viewer")
    full = _readable(analyst.client.get(f"/api/cases/{case_id}/assessment").text)
    for text in (MANDATOR, RED_LINE, AGREED_FACT, OFFER, MONITORING_SEEN):
        assert text in full, text
    page = viewer.client.get(f"/cases/{case_id}")
    response = viewer.client.get(f"/api/cases/{case_id}/assessment")
    assert page.status_code == 200 and response.status_code == 200
    for where, text in (("dashboard", page.text), ("assessment", response.text)):
        readable = _readable(text)
        assert [t for t in hidden if t in readable] == [], where
    negotiation = response.json()["negotiation"]
    assert negotiation["page_one"]["we_ask"] == [WITHHELD]
    assert negotiation["mandate"]["mandator"] == WITHHELD
    assert negotiation["mandate"]["in_force"] is False
    assert negotiation["red_lines"][0]["id"] == "red-line-1"
    norm = next(g for g in negotiation["compliance"] if g["kind"] == "child_recruitment")
    # the monitored breach keeps its status and the kind of evidence behind it
    assert any(
        c["status"] == "violated" and c["evidence"].startswith("third party report, ")
        for c in norm["commitments"]
    )
    words = _words(_section(page.text, "negotiation-page-one"))
    assert "What we ask 1 recorded; the text is withheld in your view." in words
    assert "Mandate given on" in words and MANDATOR not in words
