"""The case's screening page and API, on the real UN and OFAC lists from the data mirror.

The lists are installed once per module (pulled from the mirror once per run, with their
screening index, and copied into a throw-away data folder) and loaded through the app's
own holder; each test's app is then handed that loaded screening. The case is the packaged example
somalia-2011, whose Al-Shabaab is designated on both lists. Users and memberships are
those of ``tests/web/conftest.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backchannel.screening.decisions import HitDecision, Verdict
from backchannel.settings import Settings
from backchannel.store.service import CaseStore
from backchannel.web.installed_data import InstalledData
from backchannel.web.screening_index import ListsNotInstalled, LoadedLists
from backchannel.web.security import CSRF_HEADER
from tests.conftest import install_indexed_lists
from tests.web.conftest import CASE, MISSING_CASE, OTHER_CASE, SQLITE_ONLY, Browser
from tests.web.test_pages import INTERMEDIARY, assert_accessible_basics

pytestmark = SQLITE_ONLY

PAGE = f"/cases/{CASE}/screening"
API = f"/api/cases/{CASE}/screening"
DECISIONS = f"{API}/decisions"
SHABAAB = "AL-SHABAAB"
#: Mukhtar Robow's kunya "Abu Mansur" matches Omar Hammami ("Abu Mansur al-Amriki") on the
#: UN list: another man, a hit an analyst should rule out.
HAMMAMI = "OMAR HAMMAMI"
NOTE = "Hammami is a different man: an American, not Robow."
#: The header htmx sends with its requests: the page answers with the fragment to swap.
HTMX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def loaded_lists(tmp_path_factory: pytest.TempPathFactory, indexed_lists: Path) -> LoadedLists:
    """The UN and OFAC lists installed from the mirror and loaded the way the app loads
    them."""
    folder = tmp_path_factory.mktemp("lists")
    settings = Settings(
        data_dir=folder / "data",
        database_url=f"sqlite:///{folder / 'unused.sqlite'}",
        secret_key=None,
        key_file=folder / "keyring.json",
        user="setup",
        mirror=None,
    )
    install_indexed_lists(indexed_lists, settings.data_dir)
    holder = InstalledData(settings)
    loaded = holder.lists()
    assert holder.lists() is loaded  # kept, not loaded again
    return loaded


@pytest.fixture
def lists_app(app: FastAPI, loaded_lists: LoadedLists) -> FastAPI:
    """The test's app, screening against the module's loaded lists."""
    app.state.web.installed.provide(loaded_lists.screening, loaded_lists.law)
    return app


def post_json(user: Browser, path: str, body: Any, *, csrf: bool = True) -> Any:
    headers = {CSRF_HEADER: user.csrf} if csrf else {}
    return user.client.post(path, json=body, headers=headers)


def post_form(
    user: Browser,
    data: dict[str, str],
    *,
    csrf: bool = True,
    headers: dict[str, str] | None = None,
) -> Any:
    form = {**data, "csrf_token": user.csrf} if csrf else data
    return user.client.post(PAGE, data=form, headers=headers)


def actor_of(document: dict[str, Any], actor_id: str) -> dict[str, Any]:
    return next(a for a in document["actors"] if a["actor"] == actor_id)


def hit_of(document: dict[str, Any], actor_id: str, name: str, list_id: str) -> dict[str, Any]:
    actor = actor_of(document, actor_id)
    return next(h for h in actor["hits"] if (h["name"], h["list"]) == (name, list_id))


def decision_body(hit: dict[str, Any], verdict: str, note: str | None = None) -> dict[str, Any]:
    body = {"query": hit["query"], "list": hit["list"], "entity_id": hit["entity_id"]}
    return {**body, "verdict": verdict, **({"note": note} if note else {})}


def stored_decisions(store: CaseStore) -> list[HitDecision]:
    return store.screening_decisions(CASE)


def decision_audit(store: CaseStore) -> list[Any]:
    return [e for e in store.audit_entries() if e.action == "screening.decision"]


# --- what the page and the API show --------------------------------------------------------


def test_the_page_shows_the_real_hits_exposure_lists_and_disclaimer(
    lists_app: FastAPI, browser: Callable[[str], Browser]
) -> None:
    analyst = browser("analyst")
    page = analyst.client.get(PAGE)
    assert page.status_code == 200, page.text
    assert_accessible_basics(page.text)
    text = page.text
    assert '<h2 id="actor-1-heading">Harakat al-Shabaab al-Mujahideen</h2>' in text
    for list_id in ("un-sc", "ofac-sdn"):
        assert re.search(rf"<td>{list_id}</td>\s*<th scope=\"row\">{SHABAAB}", text), list_id
    assert "2026-02-27" in text  # the UN list's snapshot, in the lists used
    assert "Legal exposure of the engagement with Harakat al-Shabaab al-Mujahideen" in text
    assert re.search(r'<p class="notice disclaimer">.*This is not legal advice\.', text)
    assert "Screened as of</dt><dd>2012-02-29" in text  # the case's period end
    # one decision form per hit, each with its CSRF token and a labelled verdict and note
    forms = re.findall(r'<form method="post" action="/cases/[^"]+/screening"', text)
    assert len(forms) == text.count('name="verdict"') >= 4
    assert text.count('name="csrf_token"') == len(forms) + 1  # and the sign-out button
    assert f'href="{PAGE}" aria-current="page"' in text  # the case navigation links it
    assert f'href="{PAGE}"' in analyst.client.get(f"/cases/{CASE}").text


def test_the_api_gives_the_screen_case_document_with_the_lists_used(
    lists_app: FastAPI, browser: Callable[[str], Browser]
) -> None:
    response = browser("analyst").client.get(API)
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["lists_installed"] is True and document["message"] is None
    assert document["as_of"] == "2012-02-29" and document["redacted"] is False
    assert [entry["list"] for entry in document["lists"]] == ["un-sc", "ofac-sdn"]
    assert all("source" not in entry for entry in document["lists"])  # no server paths
    shabaab = actor_of(document, "al-shabaab")
    assert {(h["list"], h["name"]) for h in shabaab["hits"][:2]} == {
        ("un-sc", SHABAAB),
        ("ofac-sdn", SHABAAB),
    }
    first = shabaab["hits"][0]
    assert first["query"] in shabaab["names_screened"]
    assert first["explanation"]["reasons"] and first["decision"] is None
    levels = {(c["activity"], c["jurisdiction"]): c["level"] for c in shabaab["exposure"]["cells"]}
    assert set(levels) == {("meeting", j) for j in ("US", "UK", "EU", "CA", "AU", "UN")}
    assert "not legal advice" in document["disclaimer"].lower()
    assert {a["actor"] for a in document["actors"]} == {"al-shabaab", "godane", "robow", "aswj"}


def test_planned_activities_and_jurisdictions_are_chosen_and_checked(
    lists_app: FastAPI, browser: Callable[[str], Browser]
) -> None:
    analyst = browser("analyst")
    chosen = analyst.client.get(f"{API}?activity=training_ihl&jurisdiction=US")
    assert chosen.status_code == 200
    cells = actor_of(chosen.json(), "al-shabaab")["exposure"]["cells"]
    levels = {(c["activity"], c["jurisdiction"]): c["level"] for c in cells}
    assert levels[("training_ihl", "US")] == "prohibited"
    unknown = analyst.client.get(f"{API}?activity=dancing&jurisdiction=XX")
    assert unknown.status_code == 422
    where = [d["location"] for d in unknown.json()["error"]["details"]]
    assert where == [["query", "activity"], ["query", "jurisdiction"]]
    page = analyst.client.get(f"{PAGE}?activity=training_ihl")
    assert 'training_ihl" aria-current="page">' in page.text
    assert analyst.client.get(f"{PAGE}?activity=dancing").status_code == 422


def test_entries_listed_after_the_case_date_are_set_apart(
    lists_app: FastAPI, browser: Callable[[str], Browser]
) -> None:
    lead = browser("lead")
    early = {
        "id": "somalia-2009",
        "title": "Before the UN listed al-Shabaab",
        "country": "SOM",
        "period_start": "2009-01-01",
        "period_end": "2009-12-31",
    }
    assert post_json(lead, "/api/cases", early).status_code == 201
    group = {"id": "shabaab", "name": "Al-Shabaab", "kind": "armed_group"}
    assert post_json(lead, "/api/cases/somalia-2009/actors", group).status_code == 201
    document = lead.client.get("/api/cases/somalia-2009/screening").json()
    shabaab = actor_of(document, "shabaab")
    later = [(h["list"], h["name"], h["listed_on"]) for h in shabaab["listed_later"]]
    assert ("un-sc", SHABAAB, "2010-04-12") in later
    assert ("un-sc", SHABAAB) not in {(h["list"], h["name"]) for h in shabaab["hits"]}
    page = lead.client.get("/cases/somalia-2009/screening")
    assert page.status_code == 200
    assert "that were listed only after 2009-12-31" in page.text
    assert_accessible_basics(page.text)


# --- decisions -----------------------------------------------------------------------------


def test_an_analyst_rules_out_a_hit_on_the_page_and_sees_it_everywhere(
    lists_app: FastAPI, browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    analyst = browser("analyst")
    hammami = hit_of(analyst.client.get(API).json(), "robow", HAMMAMI, "un-sc")
    assert hammami["query"] == "Abu Mansur"
    form = {**decision_body(hammami, "false_positive", NOTE), "actor": "robow"}
    saved = post_form(analyst, form)
    assert saved.status_code == 303, saved.text
    assert re.fullmatch(rf"{PAGE}\?added=decision-\d+", saved.headers["location"])
    page = analyst.client.get(saved.headers["location"]).text
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert "Saved: decision-" in page
    assert f"false positive</span> by analyst on {today}" in page
    assert NOTE in page  # the analyst gets the full brief, so the note
    # the API shows it too, with who and when; the exposure no longer counts it
    after = analyst.client.get(API).json()
    decided = hit_of(after, "robow", HAMMAMI, "un-sc")["decision"]
    assert decided["verdict"] == "false_positive" and decided["user"] == "analyst"
    assert decided["at"].startswith(today) and decided["case_id"] == CASE
    assert decided["note"] == NOTE
    [stored] = stored_decisions(web_store)
    assert (stored.query, stored.user, stored.case_id, stored.note) == (
        "Abu Mansur",
        "analyst",
        CASE,
        NOTE,
    )
    [entry] = decision_audit(web_store)
    assert (entry.user_name, entry.case_id) == ("analyst", CASE)
    assert entry.detail["verdict"] == "false_positive" and "note" not in entry.detail
    assert web_store.verify_audit().ok


def test_a_true_match_recorded_through_the_api(
    lists_app: FastAPI, browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    lead = browser("lead")
    shabaab = hit_of(lead.client.get(API).json(), "al-shabaab", SHABAAB, "un-sc")
    created = post_json(lead, DECISIONS, decision_body(shabaab, "true_match", "Same group."))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["seq"] >= 1 and body["user"] == "lead" and body["case_id"] == CASE
    assert body["verdict"] == "true_match" and body["has_note"] is True
    assert "note" not in body and "Same group." not in created.text
    decided = hit_of(lead.client.get(API).json(), "al-shabaab", SHABAAB, "un-sc")["decision"]
    assert (decided["verdict"], decided["user"]) == ("true_match", "lead")
    assert dt.datetime.fromisoformat(decided["at"]).date() == dt.datetime.now(dt.UTC).date()
    page = lead.client.get(PAGE).text
    assert "true match</span> by lead on" in page
    [entry] = decision_audit(web_store)
    assert (entry.user_name, entry.case_id, entry.detail["seq"]) == ("lead", CASE, body["seq"])


def test_a_verdict_from_another_case_neither_shows_nor_changes_the_exposure_until_confirmed(
    lists_app: FastAPI, browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    """The throwaway-case attack: a verdict recorded in another case (here a false
    positive on al-Shabaab's UN entry) must not clear the group in this case, nor show who
    vetted it; shared by that case's lead it becomes a suggestion, applied only when an
    analyst here confirms it."""
    analyst = browser("analyst")
    before = analyst.client.get(API).json()
    shabaab = hit_of(before, "al-shabaab", SHABAAB, "un-sc")
    exposure = actor_of(before, "al-shabaab")["exposure"]
    elsewhere = HitDecision(
        query=shabaab["query"],
        list_id="un-sc",
        entity_id=shabaab["entity_id"],
        verdict=Verdict.FALSE_POSITIVE,
        user="outsider",
        at=dt.datetime.now(dt.UTC),
        note="Written in the other case.",
        case_id=OTHER_CASE,
    )
    seq = web_store.acting_as("outsider").record_decision(elsewhere)
    response = analyst.client.get(API)
    hit = hit_of(response.json(), "al-shabaab", SHABAAB, "un-sc")
    assert hit["decision"] is None and hit["suggestions"] == []
    assert actor_of(response.json(), "al-shabaab")["exposure"] == exposure
    assert "outsider" not in response.text and "Written in the other case" not in response.text

    web_store.acting_as("outsider").share_decision(OTHER_CASE, seq)
    response = analyst.client.get(API)
    hit = hit_of(response.json(), "al-shabaab", SHABAAB, "un-sc")
    assert hit["decision"] is None and hit["suggestions"] == ["false_positive"]
    assert actor_of(response.json(), "al-shabaab")["exposure"] == exposure  # not applied
    assert "outsider" not in response.text and OTHER_CASE not in response.text
    page = analyst.client.get(PAGE).text
    assert "Another case shared the verdict" in page and "outsider" not in page

    confirm = {**decision_body(hit, "false_positive"), "actor": "al-shabaab"}
    assert post_form(analyst, confirm).status_code == 303
    decided = hit_of(analyst.client.get(API).json(), "al-shabaab", SHABAAB, "un-sc")
    assert decided["decision"]["user"] == "analyst" and decided["suggestions"] == []
    # and the other way round: this case's verdict stays out of the other case
    [theirs] = web_store.screening_decisions(OTHER_CASE)
    assert (theirs.user, theirs.verdict) == ("outsider", Verdict.FALSE_POSITIVE)


def test_a_hit_the_screening_did_not_give_is_refused_naming_the_field(
    lists_app: FastAPI, browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    analyst = browser("analyst")
    shabaab = hit_of(analyst.client.get(API).json(), "al-shabaab", SHABAAB, "un-sc")
    valid = decision_body(shabaab, "true_match")
    for changed, field in [
        ({"entity_id": "6908036"}, "query"),  # Godane's entry: a hit, but of another name
        ({"entity_id": "999999999"}, "entity_id"),
        ({"list": "eu-fsf"}, "list"),
        ({"query": "Ahmed Abdi Godane"}, "query"),
    ]:
        forged = post_json(analyst, DECISIONS, {**valid, **changed})
        assert forged.status_code == 422, changed
        assert forged.json()["error"]["details"][0]["location"] == ["body", field], changed
    for invalid, field in [({"verdict": "maybe"}, "verdict"), ({"query": " "}, "query")]:
        refused = post_json(analyst, DECISIONS, {**valid, **invalid})
        assert refused.status_code == 422
        assert refused.json()["error"]["details"][0]["location"] == ["body", field]
    extra = post_json(analyst, DECISIONS, {**valid, "user": "lead"})
    assert extra.status_code == 422
    page = post_form(analyst, {**valid, "entity_id": "999999999", "actor": "al-shabaab"})
    assert page.status_code == 422
    assert "is not a hit of this case&#39;s screening" in page.text
    assert_accessible_basics(page.text)
    unchosen = post_form(analyst, {**valid, "verdict": "", "actor": "al-shabaab"})
    assert unchosen.status_code == 422
    key = f"decide-al-shabaab-un-sc-{shabaab['entity_id']}"
    assert f'id="{key}-verdict-error"' in unchosen.text
    assert stored_decisions(web_store) == [] and decision_audit(web_store) == []


def test_htmx_gets_the_page_to_swap_for_a_decision_and_a_refusal(
    lists_app: FastAPI, browser: Callable[[str], Browser]
) -> None:
    analyst = browser("analyst")
    shabaab = hit_of(analyst.client.get(API).json(), "al-shabaab", SHABAAB, "ofac-sdn")
    refused = post_form(analyst, {**decision_body(shabaab, "maybe")}, headers=HTMX)
    assert refused.status_code == 422 and 'id="workspace"' in refused.text
    analyst.client.follow_redirects = True
    try:
        saved = post_form(analyst, decision_body(shabaab, "needs_review"), headers=HTMX)
    finally:
        analyst.client.follow_redirects = False
    assert saved.status_code == 200
    assert 'id="workspace"' in saved.text and "Saved: decision-" in saved.text
    assert "needs review</span> by analyst" in saved.text


# --- who may do what -------------------------------------------------------------------------


def test_a_viewer_reads_the_redacted_page_without_forms_and_may_not_decide(
    lists_app: FastAPI, browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    lead = browser("lead")
    # a go-between known by the kunya Robow also goes by: masked wherever it appears
    go_between = {"id": "go-between", "name": "Abu Mansur", "kind": "intermediary"}
    assert post_json(lead, f"/api/cases/{CASE}/actors", go_between).status_code == 201
    hammami = hit_of(lead.client.get(API).json(), "robow", HAMMAMI, "un-sc")
    assert (
        post_json(lead, DECISIONS, decision_body(hammami, "false_positive", NOTE)).status_code
        == 201
    )
    assert "Abu Mansur" in lead.client.get(PAGE).text

    viewer = browser("viewer")
    page = viewer.client.get(PAGE)
    assert page.status_code == 200
    assert_accessible_basics(page.text)
    assert len(re.findall(r"<form ", page.text)) == 1  # the sign-out button only
    assert "Abu Mansur" not in page.text and "Intermediary 2" in page.text
    assert INTERMEDIARY not in page.text and NOTE not in page.text
    assert "false positive</span> by lead on" in page.text  # the verdict, not the note
    document = viewer.client.get(API)
    assert document.status_code == 200 and document.json()["redacted"] is True
    assert "Abu Mansur" not in document.text and NOTE not in document.text
    assert INTERMEDIARY not in document.text

    before = len(stored_decisions(web_store))
    refused_page = post_form(viewer, {**decision_body(hammami, "true_match"), "actor": "robow"})
    assert refused_page.status_code == 403
    refused_api = post_json(viewer, DECISIONS, decision_body(hammami, "true_match"))
    assert refused_api.status_code == 403
    assert len(stored_decisions(web_store)) == before


def test_non_members_anonymous_callers_and_forged_posts_are_refused(
    lists_app: FastAPI,
    browser: Callable[[str], Browser],
    anonymous: TestClient,
    web_store: CaseStore,
) -> None:
    body = {"query": "Al-Shabaab", "list": "un-sc", "entity_id": "6908033", "verdict": "true_match"}
    outsider = browser("outsider")
    for method, path, kind in [
        ("GET", PAGE, None),
        ("POST", PAGE, "form"),
        ("GET", API, None),
        ("POST", DECISIONS, "json"),
    ]:
        answers = []
        for case_id in (CASE, MISSING_CASE):
            where = path.replace(CASE, case_id)
            if kind == "form":
                answer = outsider.client.post(where, data={**body, "csrf_token": outsider.csrf})
            elif kind == "json":
                answer = post_json(outsider, where, body)
            else:
                answer = outsider.client.get(where)
            assert answer.status_code == 404, (method, where)
            answers.append(answer.content)
        assert answers[0] == answers[1], f"{method} {path} tells members' cases apart"
        signed_out = anonymous.request(method, path, json=body if kind == "json" else None)
        if path.startswith("/api/"):
            assert signed_out.status_code == 401, (method, path)
        else:
            assert signed_out.status_code == 303, (method, path)
            assert signed_out.headers["location"].startswith("/login")
    assert browser("outsider").client.get(f"/api/cases/{OTHER_CASE}/screening").status_code == 200
    analyst = browser("analyst")
    forged_api = post_json(analyst, DECISIONS, body, csrf=False)
    assert forged_api.status_code == 403 and forged_api.json()["error"]["code"] == "csrf_failed"
    assert post_form(analyst, {**body, "actor": "al-shabaab"}, csrf=False).status_code == 403
    assert stored_decisions(web_store) == [] and decision_audit(web_store) == []


# --- no list installed -----------------------------------------------------------------------


def test_without_lists_the_page_and_api_say_how_to_install_them(
    app: FastAPI, browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    analyst = browser("analyst")
    page = analyst.client.get(PAGE)
    assert page.status_code == 200
    assert_accessible_basics(page.text)
    assert "No designation list is installed" in page.text
    assert "backchannel data pull un-sanctions ofac-sdn" in page.text
    assert "not legal advice" in page.text.lower()
    assert 'name="verdict"' not in page.text
    document = analyst.client.get(API)
    assert document.status_code == 200
    assert document.json()["lists_installed"] is False
    assert document.json()["actors"] == [] and document.json()["lists"] == []
    assert "backchannel data pull un-sanctions ofac-sdn" in document.json()["message"]
    body = {"query": "Al-Shabaab", "list": "un-sc", "entity_id": "6908033", "verdict": "true_match"}
    refused = post_json(analyst, DECISIONS, body)
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["location"] == ["body", "list"]
    assert "data pull un-sanctions ofac-sdn" in refused.json()["error"]["message"]
    assert stored_decisions(web_store) == []


def test_the_holder_remembers_that_no_list_is_installed(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'unused.sqlite'}",
        secret_key=None,
        key_file=tmp_path / "keyring.json",
        user="setup",
        mirror=None,
    )
    holder = InstalledData(settings)
    for _ in range(2):
        with pytest.raises(ListsNotInstalled, match="data pull un-sanctions ofac-sdn"):
            holder.lists()
    assert holder.law().disclaimer


def test_the_openapi_document_describes_the_screening_routes(
    app: FastAPI, browser: Callable[[str], Browser]
) -> None:
    document = browser("analyst").client.get("/api/openapi.json").json()
    get = document["paths"]["/api/cases/{case_id}/screening"]["get"]
    post = document["paths"]["/api/cases/{case_id}/screening/decisions"]["post"]
    assert set(post["responses"]) >= {"201", "401", "403", "404", "422"}
    assert get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ScreeningOut"
    )
    schemas = document["components"]["schemas"]
    assert schemas["DecisionIn"]["additionalProperties"] is False
    assert set(schemas["DecisionIn"]["properties"]) == {
        "query",
        "list",
        "entity_id",
        "verdict",
        "note",
    }
    assert "note" not in schemas["DecisionRecordedOut"]["properties"]
    assert "/cases/{case_id}/screening" not in document["paths"]  # pages stay out
