"""What a viewer sees: every page and JSON document redacted as the redacted brief is.

A viewer of a case sees no record id (of actors, relations, engagements, commitments,
judgements, sources) and no name, alias or partial form of a masked actor, in the pages'
text, their attributes, the map's inline data or the JSON API; masked actors appear by
their labels. A view that would still hold a sensitive form is refused with a clear error
that does not repeat it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest

from backchannel.casefile import load_case
from backchannel.model import Actor, Case
from backchannel.redaction import Disclosure
from backchannel.store.service import CaseStore
from tests.conftest import EXAMPLES
from tests.web.conftest import CASE, SQLITE_ONLY, Browser

pytestmark = SQLITE_ONLY

CAR = "central-african-republic-2013"
PAGES = ["", "/actors", "/actors/map", "/judgements", "/engagements", "/commitments"]
APIS = ["/api/cases/{case}", "/api/cases/{case}/assessment"]


@pytest.fixture
def car_viewer(
    browser: Callable[[str], Browser], web_store: CaseStore, example_cases: list[Case]
) -> Browser:
    """The viewer, also a viewer of the Central African Republic case."""
    viewer = browser("viewer")
    web_store.save_cases([c for c in example_cases if c.id == CAR])
    web_store.add_member(CAR, "viewer", "viewer")
    return viewer


def _readable(text: str) -> str:
    """A page or document as its reader meets it: entities and JSON escapes decoded."""
    text = html.unescape(text)
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def _views(viewer: Browser, case_id: str) -> dict[str, str]:
    views = {}
    for page in PAGES:
        response = viewer.client.get(f"/cases/{case_id}{page}")
        assert response.status_code == 200, (page, response.text[:500])
        views[page or "dashboard"] = _readable(response.text)
    for api in APIS:
        response = viewer.client.get(api.format(case=case_id))
        assert response.status_code == 200, (api, response.text[:500])
        assert response.json()["redacted"] is True
        views[api] = _readable(response.text)
    return views


@pytest.mark.parametrize("case_id", [CASE, CAR])
def test_a_viewer_sees_no_record_id_and_no_masked_name(car_viewer: Browser, case_id: str) -> None:
    case = load_case(EXAMPLES / f"{case_id}.yaml")
    shown = Disclosure.of(case)
    hidden = [
        text
        for actor_id in shown.masked
        for text in (case.actor(actor_id).name, *case.actor(actor_id).aliases)
    ]
    ids = [
        record.id
        for collection in ("actors", "relations", "engagements", "commitments", "judgements")
        for record in getattr(case, collection)
        if record.id not in shown.exempt_ids
    ] + [source.id for source in case.sources if source.id not in shown.exempt_ids]
    labels = [m.label for m in shown.masked.values()]
    for where, text in _views(car_viewer, case_id).items():
        for name in hidden:
            assert name not in text, (where, name)
        for record_id in ids:
            assert not re.search(rf"(?<![\w-]){re.escape(record_id)}(?![\w-])", text), (
                where,
                record_id,
            )
        if where in ("/actors", "/actors/map"):
            assert all(label in text for label in labels), where


def test_the_car_viewer_meets_the_religious_leaders_only_by_their_label(
    car_viewer: Browser,
) -> None:
    views = _views(car_viewer, CAR)
    for text in views.values():
        for name in ("Nzapalainga", "Layama", "Sant'Egidio", "santegidio", "Interfaith"):
            assert name not in text
    assert "Religious leader 1" in views["/actors"] and "Intermediary 1" in views["/actors"]
    assert "religious-leader-1" in views["/actors/map"]  # the map's ids are labels too
    # the public mediator keeps its name
    assert "ECCAS mediation" in views["/actors"]
    assert "r-eccas-negotiates-antibalaka" not in views["/api/cases/{case}/assessment"]


def test_an_analyst_still_sees_everything(browser: Callable[[str], Browser]) -> None:
    analyst = browser("analyst")
    page = analyst.client.get(f"/cases/{CASE}/actors").text
    assert "clan-elders" in page and "Clan elders" in page
    assert analyst.client.get(f"/api/cases/{CASE}/assessment").json()["redacted"] is False


def test_a_view_that_would_leak_is_refused_without_repeating_the_form(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    # A go-between known by an acronym that the dashboard's own words use: masking cannot
    # reach the page's template, so the check finds it there and the page is refused.
    odd = Actor(
        id="odd-contact", name="Records office contact", aliases=["PDF"], kind="intermediary"
    )
    web_store.update_case(CASE, lambda c: c.model_copy(update={"actors": [*c.actors, odd]}), "test")
    viewer = browser("viewer")
    page = viewer.client.get(f"/cases/{CASE}")
    assert page.status_code == 500
    assert "was not produced" in page.text and "Intermediary 2" in page.text
    assert "PDF" not in page.text.replace("(PDF)", "")  # the error names no form
    # the JSON holds no such word: it is served, redacted
    assert viewer.client.get(f"/api/cases/{CASE}/assessment").status_code == 200
    # people who may see the names still get their page
    assert browser("analyst").client.get(f"/cases/{CASE}").status_code == 200


def test_a_redacted_brief_that_would_leak_is_refused_not_downloaded(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    # the brief's own text cites USHMM for the structural model's data
    odd = Actor(id="museum", name="Museum liaison", aliases=["USHMM"], kind="intermediary")
    web_store.update_case(CASE, lambda c: c.model_copy(update={"actors": [*c.actors, odd]}), "test")
    viewer = browser("viewer")
    before = len(web_store.audit_entries(case_id=CASE))
    brief = viewer.client.get(f"/cases/{CASE}/brief?redacted=1")
    assert brief.status_code == 500
    assert brief.headers["content-type"].startswith("text/html")
    assert "was not produced" in brief.text and "USHMM" not in brief.text
    assert not brief.content.startswith(b"%PDF")
    downloads = [
        e for e in web_store.audit_entries(case_id=CASE)[before:] if e.action == "brief.download"
    ]
    assert downloads == []
