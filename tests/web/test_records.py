"""Writing to cases: the JSON API and the record pages, their refusals and the audit trail.

Users and memberships are those of ``tests/web/conftest.py``: ``lead`` and ``analyst`` write
to somalia-2011, ``viewer`` only reads it, ``outsider`` is not a member of it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI

from backchannel.reports import case_analysis
from backchannel.store.service import CaseStore
from backchannel.web import analysis_cache
from backchannel.web.security import CSRF_HEADER
from tests.web.conftest import CASE, MISSING_CASE, Browser
from tests.web.test_pages import INTERMEDIARY, assert_accessible_basics

NEW_CASE: dict[str, Any] = {
    "id": "test-case-2024",
    "title": "A test case",
    "country": "SOM",
    "period_start": "2024-01-01",
    "regions": ["Bay", "Bakool"],
}
ACTOR = {"id": "new-group", "name": "A new armed group", "kind": "armed_group"}
RELATION = {"source": "new-group", "target": "al-shabaab", "kind": "rival", "strength": 0.5}
JUDGEMENT = {
    "subject": "framework:rf1",
    "status": "present",
    "finding": "Armed conflict continues in the south.",
    "severity": 2,
    "confidence": "high",
    "evidence": "Field reports from the last month.",
}
ENGAGEMENT = {"date": "2011-08-01", "channel": "phone", "counterparts": ["al-shabaab"]}
COMMITMENT = {
    "party": "al-shabaab",
    "kind": "humanitarian_access",
    "text": "Agencies may work in Bay.",
    "start": "2011-08-01",
}

#: Each write of the API on somalia-2011, with a valid body, and its audit action.
WRITES: list[tuple[str, dict[str, Any], str]] = [
    ("actors", ACTOR, "actor.add"),
    ("relations", {**RELATION, "source": "tfg"}, "relation.add"),
    ("judgements", JUDGEMENT, "judgement.add"),
    ("engagements", ENGAGEMENT, "engagement.add"),
    ("commitments", COMMITMENT, "commitment.add"),
]
#: Each page form's address under the case, with a valid form.
PAGE_POSTS: list[tuple[str, dict[str, str]]] = [
    ("actors", {"id": "page-actor", "name": "Page actor", "kind": "militia"}),
    ("relations", {"source": "tfg", "target": "aswj", "kind": "funds"}),
    ("judgements", {"subject": "framework:rf2", "status": "absent", "finding": "None seen."}),
    ("engagements", {"date": "2011-09-01", "channel": "direct"}),
    (
        "commitments",
        {"party": "aswj", "kind": "ceasefire", "text": "No attacks.", "start": "2011-09-01"},
    ),
    ("assess", {}),
]


def post(user: Browser, path: str, body: Any = None, *, csrf: bool = True) -> Any:
    headers = {CSRF_HEADER: user.csrf} if csrf else {}
    return user.client.post(path, json=body, headers=headers)


def post_form(user: Browser, path: str, data: dict[str, Any], **headers: str) -> Any:
    return user.client.post(path, data={**data, "csrf_token": user.csrf}, headers=headers)


def error_of(response: Any) -> dict[str, Any]:
    return dict(response.json()["error"])


def locations(response: Any) -> list[list[Any]]:
    return [d["location"] for d in error_of(response)["details"]]


# --- the JSON API -----------------------------------------------------------------------


def test_a_new_case_makes_its_creator_case_lead(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    analyst = browser("analyst")
    created = post(analyst, "/api/cases", NEW_CASE)
    assert created.status_code == 201, created.text
    assert created.json() == {"id": NEW_CASE["id"]}
    case = analyst.client.get(f"/api/cases/{NEW_CASE['id']}").json()
    assert case["role"] == "case_lead"
    assert case["regions"] == ["Bay", "Bakool"]
    assert case["period"] == {"start": "2024-01-01", "end": None}
    assert web_store.membership(NEW_CASE["id"], "analyst") == "case_lead"
    actions = [(e.action, e.user_name) for e in web_store.audit_entries(case_id=NEW_CASE["id"])]
    assert actions == [("case.create", "analyst"), ("member.add", "analyst")]
    again = post(browser("lead"), "/api/cases", NEW_CASE)
    assert again.status_code == 409
    assert error_of(again)["code"] == "conflict"


def test_only_non_viewers_open_cases_and_with_valid_input(
    browser: Callable[[str], Browser],
) -> None:
    assert post(browser("viewer"), "/api/cases", NEW_CASE).status_code == 403
    lead = browser("lead")
    assert post(lead, "/api/cases", NEW_CASE, csrf=False).status_code == 403
    for field, value in [("country", "XXX"), ("country", "som"), ("id", "bad id"), ("title", "")]:
        refused = post(lead, "/api/cases", {**NEW_CASE, field: value})
        assert refused.status_code == 422, (field, value)
        assert ["body", field] in locations(refused), (field, value)
    backwards = post(lead, "/api/cases", {**NEW_CASE, "period_end": "2023-01-01"})
    assert backwards.status_code == 422
    assert "before period_start" in str(error_of(backwards))


@pytest.mark.parametrize(("collection", "body", "action"), WRITES)
def test_each_write_is_saved_and_audited_under_the_user(
    browser: Callable[[str], Browser],
    web_store: CaseStore,
    collection: str,
    body: dict[str, Any],
    action: str,
) -> None:
    lead = browser("lead")
    if collection == "relations":
        assert post(lead, f"/api/cases/{CASE}/actors", ACTOR).status_code == 201
    before = len(getattr(web_store.get_case(CASE), collection))
    response = post(lead, f"/api/cases/{CASE}/{collection}", body)
    assert response.status_code == 201, response.text
    record_id = response.json()["id"]
    stored = getattr(web_store.get_case(CASE), collection)
    assert len(stored) == before + 1
    assert stored[-1].id == record_id
    entry = web_store.audit_entries(case_id=CASE)[-1]
    assert (entry.action, entry.user_name) == (action, "lead")
    assert web_store.verify_audit().ok


def test_a_judgement_is_by_the_signed_in_user_and_append_only(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    analyst = browser("analyst")
    response = post(analyst, f"/api/cases/{CASE}/judgements", JUDGEMENT)
    assert response.status_code == 201, response.text
    judgement = web_store.get_case(CASE).judgements[-1]
    assert judgement.id == response.json()["id"]
    assert judgement.id.startswith("jud-")
    assert judgement.analyst == "analyst"
    assert judgement.origin == "analyst"
    assert dt.datetime.now(dt.UTC) - judgement.at < dt.timedelta(minutes=1)
    # nobody records a judgement in another's name, or passes one off as the machine's
    for extra in ({"analyst": "lead"}, {"origin": "machine"}):
        refused = post(analyst, f"/api/cases/{CASE}/judgements", {**JUDGEMENT, **extra})
        assert refused.status_code == 422
    # the same id again is a duplicate, not an edit
    again = post(analyst, f"/api/cases/{CASE}/judgements", {**JUDGEMENT, "id": judgement.id})
    assert again.status_code == 422
    assert "duplicate id" in error_of(again)["message"]
    assert web_store.get_case(CASE).judgements[-1] == judgement


@pytest.mark.parametrize(
    ("collection", "body", "field", "message"),
    [
        ("relations", {**RELATION, "target": "nobody"}, "source", "is not the id of any actor"),
        ("actors", {**ACTOR, "id": "al-shabaab"}, None, "duplicate id 'al-shabaab'"),
        ("engagements", {**ENGAGEMENT, "counterparts": ["nobody"]}, "counterparts", "nobody"),
        ("commitments", {**COMMITMENT, "party": "nobody"}, "party", "is not the id of any actor"),
        ("judgements", {**JUDGEMENT, "reviews": "nothing"}, "reviews", "not the id of any"),
    ],
)
def test_integrity_problems_are_422_naming_the_field(
    browser: Callable[[str], Browser],
    web_store: CaseStore,
    collection: str,
    body: dict[str, Any],
    field: str | None,
    message: str,
) -> None:
    before = web_store.get_case(CASE)
    response = post(browser("lead"), f"/api/cases/{CASE}/{collection}", body)
    assert response.status_code == 422, response.text
    error = error_of(response)
    assert error["code"] == "invalid_input"
    assert message in error["message"]
    if field is not None:
        assert any(loc[:2] == ["body", field] for loc in locations(response)), error
    assert web_store.get_case(CASE) == before


@pytest.mark.parametrize(
    ("collection", "body", "field"),
    [
        ("actors", {**ACTOR, "kind": "dragon"}, "kind"),
        ("actors", {"id": "x"}, "name"),
        ("relations", {**RELATION, "strength": 2}, "strength"),
        ("judgements", {**JUDGEMENT, "finding": ""}, "finding"),
        ("judgements", {**JUDGEMENT, "severity": 9}, "severity"),
        ("engagements", {**ENGAGEMENT, "date": "yesterday"}, "date"),
        ("commitments", {**COMMITMENT, "status": "maybe"}, "status"),
    ],
)
def test_invalid_bodies_are_422_naming_the_field(
    browser: Callable[[str], Browser], collection: str, body: dict[str, Any], field: str
) -> None:
    response = post(browser("lead"), f"/api/cases/{CASE}/{collection}", body)
    assert response.status_code == 422
    assert ["body", field] in locations(response)


def test_a_framework_judgement_needs_a_status(browser: Callable[[str], Browser]) -> None:
    body = {k: v for k, v in JUDGEMENT.items() if k != "status"}
    response = post(browser("lead"), f"/api/cases/{CASE}/judgements", body)
    assert response.status_code == 422
    assert "must give a status" in str(error_of(response))


@pytest.mark.parametrize(("collection", "body", "action"), WRITES)
def test_writes_are_refused_to_viewers_outsiders_and_forged_requests(
    browser: Callable[[str], Browser],
    web_store: CaseStore,
    collection: str,
    body: dict[str, Any],
    action: str,
) -> None:
    before = web_store.get_case(CASE)
    path = f"/api/cases/{CASE}/{collection}"
    assert post(browser("viewer"), path, body).status_code == 403
    outsider = browser("outsider")
    hidden = post(outsider, path, body)
    missing = post(outsider, f"/api/cases/{MISSING_CASE}/{collection}", body)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    forged = post(browser("lead"), path, body, csrf=False)
    assert forged.status_code == 403
    assert error_of(forged)["code"] == "csrf_failed"
    assert web_store.get_case(CASE) == before
    assert action not in {e.action for e in web_store.audit_entries(case_id=CASE)}


def test_running_the_assessment_gives_the_document_of_the_get(
    browser: Callable[[str], Browser],
) -> None:
    analyst = browser("analyst")
    ran = post(analyst, f"/api/cases/{CASE}/assessment")
    assert ran.status_code == 200
    assert ran.json() == analyst.client.get(f"/api/cases/{CASE}/assessment").json()
    assert post(browser("viewer"), f"/api/cases/{CASE}/assessment").status_code == 403
    viewed = browser("viewer").client.get(f"/api/cases/{CASE}/assessment").json()
    assert viewed["redacted"] is True and INTERMEDIARY not in str(viewed)


def test_assessment_runs_are_audited_with_what_they_gave(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    analyst = browser("analyst")
    ran = post(analyst, f"/api/cases/{CASE}/assessment").json()
    page = analyst.client.post(f"/cases/{CASE}/assess", data={"csrf_token": analyst.csrf})
    assert page.status_code == 303
    runs = [e for e in web_store.audit_entries(case_id=CASE) if e.action == "assessment.run"]
    assert [(e.user_name, e.detail) for e in runs] == [
        (
            "analyst",
            {
                "as_of": ran["as_of"],
                "stage": ran["stage"],
                "status": ran["recommendation"]["status"],
                "modality": ran["modality"],
            },
        )
    ] * 2
    assert post(browser("viewer"), f"/api/cases/{CASE}/assessment").status_code == 403
    assert (
        len([e for e in web_store.audit_entries(case_id=CASE) if e.action == "assessment.run"]) == 2
    )


def test_the_dashboard_follows_a_change_made_outside_the_app(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    analyst = browser("analyst")
    assert "Kept outside the app" not in analyst.client.get(f"/cases/{CASE}").text
    case = web_store.get_case(CASE)
    retitled = case.model_copy(
        update={"context": case.context.model_copy(update={"title": "Kept outside the app"})}
    )
    web_store.acting_as("cli-user").save_case(retitled)  # as `backchannel cases import` would
    assert "Kept outside the app" in analyst.client.get(f"/cases/{CASE}").text
    assert analyst.client.get(f"/api/cases/{CASE}").json()["title"] == "Kept outside the app"


def test_the_openapi_document_describes_the_writes(browser: Callable[[str], Browser]) -> None:
    document = browser("lead").client.get("/api/openapi.json").json()
    judgement = document["paths"]["/api/cases/{case_id}/judgements"]["post"]
    assert set(judgement["responses"]) >= {"201", "401", "403", "404", "422"}
    schemas = document["components"]["schemas"]
    assert "analyst" not in schemas["JudgementIn"]["properties"]
    assert "origin" not in schemas["JudgementIn"]["properties"]
    assert "409" in document["paths"]["/api/cases"]["post"]["responses"]
    assert schemas["CaseIn"]["additionalProperties"] is False


# --- the pages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page", ["actors", "actors/map", "judgements", "engagements", "commitments"]
)
def test_record_pages_are_accessible_and_forms_are_for_writers_only(
    browser: Callable[[str], Browser], page: str
) -> None:
    lead = browser("lead").client.get(f"/cases/{CASE}/{page}")
    assert lead.status_code == 200
    assert_accessible_basics(lead.text)
    viewer = browser("viewer").client.get(f"/cases/{CASE}/{page}")
    assert viewer.status_code == 200
    assert_accessible_basics(viewer.text)
    assert 'name="csrf_token"' in lead.text or page == "actors/map"
    # the viewer's only form is the sign-out button
    assert len(re.findall(r"<form ", viewer.text)) == 1
    assert INTERMEDIARY not in viewer.text
    if page in ("actors", "actors/map"):
        assert INTERMEDIARY in lead.text
        assert "Intermediary 1" in viewer.text


def test_the_dashboard_links_the_record_pages(browser: Callable[[str], Browser]) -> None:
    lead = browser("lead").client.get(f"/cases/{CASE}").text
    for page in ["actors", "actors/map", "judgements", "engagements", "commitments"]:
        assert f'href="/cases/{CASE}/{page}"' in lead
    assert f'action="/cases/{CASE}/assess"' in lead
    assert (
        f'action="/cases/{CASE}/assess"' not in browser("viewer").client.get(f"/cases/{CASE}").text
    )


def test_the_map_page_embeds_its_data_as_json_and_loads_our_scripts(
    browser: Callable[[str], Browser],
) -> None:
    page = browser("viewer").client.get(f"/cases/{CASE}/actors/map").text
    assert '<script type="application/json" id="actor-graph">' in page
    assert 'src="/static/vendor/cytoscape.min.js"' in page
    assert 'src="/static/actor-map.js"' in page
    for reference in re.findall(r'(?:src|href|action)="([^"]*)"', page):
        assert reference.startswith(("/", "#")) and not reference.startswith("//"), reference


@pytest.mark.parametrize(("path", "data"), PAGE_POSTS)
def test_page_forms_save_and_go_back_to_the_page(
    browser: Callable[[str], Browser],
    web_store: CaseStore,
    path: str,
    data: dict[str, str],
) -> None:
    lead = browser("lead")
    response = post_form(lead, f"/cases/{CASE}/{path}", data)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    if path == "assess":
        assert location == f"/cases/{CASE}"
        return
    page = "actors" if path == "relations" else path
    assert location.startswith(f"/cases/{CASE}/{page}?added=")
    added = location.split("added=")[1]
    assert f"Saved: {added}." in lead.client.get(location).text
    entry = web_store.audit_entries(case_id=CASE)[-1]
    assert entry.user_name == "lead"
    assert entry.action.endswith(".add")


@pytest.mark.parametrize(("path", "data"), PAGE_POSTS)
def test_page_forms_are_refused_to_viewers_outsiders_and_forged_posts(
    browser: Callable[[str], Browser], web_store: CaseStore, path: str, data: dict[str, str]
) -> None:
    before = web_store.get_case(CASE)
    assert post_form(browser("viewer"), f"/cases/{CASE}/{path}", data).status_code == 403
    assert post_form(browser("outsider"), f"/cases/{CASE}/{path}", data).status_code == 404
    forged = browser("lead").client.post(f"/cases/{CASE}/{path}", data=data)
    assert forged.status_code == 403
    assert web_store.get_case(CASE) == before


def test_an_invalid_form_comes_back_naming_the_field(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    lead = browser("lead")
    response = post_form(
        lead, f"/cases/{CASE}/actors", {"id": "al-shabaab", "name": "Twice", "kind": "militia"}
    )
    assert response.status_code == 422
    assert "duplicate id" in response.text
    assert 'value="Twice"' in response.text  # what was typed is kept
    assert_accessible_basics(response.text)
    missing = post_form(lead, f"/cases/{CASE}/judgements", {"subject": "framework:rf3"})
    assert missing.status_code == 422
    assert 'href="#judgement-finding"' in missing.text
    assert 'aria-invalid="true"' in missing.text
    unknown = post_form(
        lead, f"/cases/{CASE}/relations", {"source": "tfg", "target": "nobody", "kind": "funds"}
    )
    assert unknown.status_code == 422
    assert "is not the id of any actor" in unknown.text


def test_htmx_gets_the_page_back_to_swap(browser: Callable[[str], Browser]) -> None:
    lead = browser("lead")
    lead.client.follow_redirects = True
    try:
        saved = post_form(
            lead,
            f"/cases/{CASE}/engagements",
            {"date": "2011-10-01", "channel": "written", "counterparts": "al-shabaab"},
            **{"HX-Request": "true"},
        )
    finally:
        lead.client.follow_redirects = False
    assert saved.status_code == 200
    assert 'id="workspace"' in saved.text and "Saved: eng-" in saved.text


def test_a_judgement_form_records_the_user_and_reviews_suggestions(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    analyst = browser("analyst")
    response = post_form(
        analyst,
        f"/cases/{CASE}/judgements",
        {
            "subject": "framework:rf1.2",
            "status": "present",
            "severity": "3",
            "confidence": "low",
            "finding": "Seen.",
            "evidence": "A report.",
        },
    )
    assert response.status_code == 303
    judgement = web_store.get_case(CASE).judgements[-1]
    assert (judgement.analyst, judgement.subject, judgement.severity) == (
        "analyst",
        "framework:rf1.2",
        3,
    )
    page = analyst.client.get(f"/cases/{CASE}/judgements").text
    assert "Indicator 1.2" in page
    assert 'optgroup label="Risk factor 14:' in page


def test_a_commitment_status_is_tracked(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    lead = browser("lead")
    commitment = web_store.get_case(CASE).commitments[0]
    path = f"/cases/{CASE}/commitments/{commitment.id}/status"
    assert post_form(lead, path, {"status": "honoured"}).status_code == 303
    tracked = web_store.get_case(CASE).commitments[0]
    assert tracked.status == "honoured"
    # the change is dated, so a replay reads the status known on each day
    assert tracked.status_history[-1].status == "honoured"
    assert tracked.status_history[-1].date == dt.datetime.now(dt.UTC).date()
    assert tracked.status_history[:-1] == commitment.status_history
    assert web_store.audit_entries(case_id=CASE)[-1].action == "commitment.status"
    assert post_form(lead, path, {"status": "maybe"}).status_code == 422
    early = post_form(lead, path, {"status": "violated", "date": "2011-07-01"})
    assert early.status_code == 422 and "on or after" in early.text
    assert post_form(lead, path, {"status": "violated", "date": "not a day"}).status_code == 422
    assert web_store.get_case(CASE).commitments[0].status == "honoured"
    gone = post_form(lead, f"/cases/{CASE}/commitments/nothing/status", {"status": "lapsed"})
    assert gone.status_code == 422
    assert post_form(browser("viewer"), path, {"status": "lapsed"}).status_code == 403


def test_a_case_opened_from_the_form_lands_on_its_dashboard(
    browser: Callable[[str], Browser],
) -> None:
    analyst = browser("analyst")
    form = analyst.client.get("/cases/new")
    assert form.status_code == 200
    assert_accessible_basics(form.text)
    assert 'name="id"' not in form.text  # the server names the case
    data = {**NEW_CASE, "regions": "Bay\nBakool"}
    created = post_form(analyst, "/cases/new", data)
    assert created.status_code == 303
    assert re.fullmatch(r"/cases/c-[a-z2-7]{12}", created.headers["location"])
    assert analyst.client.get(created.headers["location"]).status_code == 200
    again = post_form(analyst, "/cases/new", data)  # the posted id is ignored: no conflict
    assert again.status_code == 303
    assert again.headers["location"] != created.headers["location"]
    invalid = post_form(analyst, "/cases/new", {**data, "country": "XX"})
    assert invalid.status_code == 422
    assert 'href="#case-country"' in invalid.text
    viewer = browser("viewer")
    assert viewer.client.get("/cases/new").status_code == 403
    assert post_form(viewer, "/cases/new", data).status_code == 403
    assert "Open a new case" not in viewer.client.get("/").text


def test_the_analysis_is_cached_until_the_case_changes(
    app: FastAPI, browser: Callable[[str], Browser], monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[str] = []
    real = case_analysis.analyse_for_brief

    def counted(case: Any, **inputs: Any) -> Any:
        runs.append(case.id)
        return real(case, **inputs)

    monkeypatch.setattr(analysis_cache, "analyse_for_brief", counted)
    lead = browser("lead")
    for _ in range(3):
        assert lead.client.get(f"/cases/{CASE}").status_code == 200
    assert lead.client.get(f"/api/cases/{CASE}/assessment").status_code == 200
    assert runs == [CASE]
    assert post(lead, f"/api/cases/{CASE}/actors", ACTOR).status_code == 201
    assert lead.client.get(f"/cases/{CASE}").status_code == 200
    assert runs == [CASE, CASE]
    assert post_form(lead, f"/cases/{CASE}/assess", {}).status_code == 303
    assert runs == [CASE, CASE, CASE]
