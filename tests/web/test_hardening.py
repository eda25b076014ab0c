"""The web workspace's input limits and hardening: each refusal a clear 4xx, never a 5xx.

- Text with a NUL character, text or lists over their limits, and moments without a time
  zone are refused with 422 naming the field, by the API and by the page forms alike.
- A case id that no case could have (a NUL in it) gets the 404 of a missing case.
- In production the session cookie is ``__Host-`` prefixed (Secure, Path=/, no Domain).
- A production web secret made of a few characters repeated is refused.
- A case opened from the web gets an id made up by the server.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from backchannel.errors import ConfigurationError
from backchannel.model.limits import MAX_LIST_ITEMS, MAX_NAME_LENGTH, MAX_TEXT_LENGTH
from backchannel.settings import Settings
from backchannel.store.service import CaseStore
from backchannel.web.app import create_app
from backchannel.web.security import CSRF_HEADER, HOST_PREFIX, SESSION_COOKIE, web_secret_key
from backchannel.web.writes import new_case_id
from tests.web.conftest import CASE, MISSING_CASE, SQLITE_ONLY, Browser, log_in

pytestmark = SQLITE_ONLY

SERVER_CASE_ID = re.compile(r"c-[a-z2-7]{12}")
NEW_CASE = {"title": "A case", "country": "SOM", "period_start": "2011-01-01"}
ACTOR = {"id": "new-group", "name": "A new armed group", "kind": "armed_group"}
JUDGEMENT = {"subject": "condition:cohesion", "finding": "Fragmented command."}


def post(user: Browser, path: str, body: Any) -> Any:
    return user.client.post(path, json=body, headers={CSRF_HEADER: user.csrf})


def post_form(user: Browser, path: str, data: dict[str, Any]) -> Any:
    return user.client.post(path, data={**data, "csrf_token": user.csrf})


def details(response: Any) -> dict[tuple[Any, ...], str]:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    return {tuple(d["location"]): d["message"] for d in error["details"]}


# --- NUL characters, lengths and time zones through the API ----------------------------------


@pytest.mark.parametrize(
    ("path", "body", "location", "words"),
    [
        (f"/api/cases/{CASE}/actors", {**ACTOR, "name": "A\x00B"}, ("body", "name"), "NUL"),
        (
            f"/api/cases/{CASE}/actors",
            {**ACTOR, "aliases": ["ok", "bad\x00"]},
            ("body", "aliases"),
            "item 1: must not contain a NUL",
        ),
        (
            f"/api/cases/{CASE}/judgements",
            {**JUDGEMENT, "evidence": "\x00"},
            ("body", "evidence"),
            "NUL",
        ),
        ("/api/cases", {**NEW_CASE, "summary": "a\x00"}, ("body", "summary"), "NUL"),
        (
            f"/api/cases/{CASE}/actors",
            {**ACTOR, "name": "n" * (MAX_NAME_LENGTH + 1)},
            ("body", "name"),
            f"at most {MAX_NAME_LENGTH} characters",
        ),
        (
            f"/api/cases/{CASE}/actors",
            {**ACTOR, "aliases": ["a"] * (MAX_LIST_ITEMS + 1)},
            ("body", "aliases"),
            f"at most {MAX_LIST_ITEMS} items",
        ),
        (
            f"/api/cases/{CASE}/judgements",
            {**JUDGEMENT, "finding": "f" * (MAX_TEXT_LENGTH + 1)},
            ("body", "finding"),
            f"at most {MAX_TEXT_LENGTH} characters",
        ),
        (
            "/api/cases",
            {**NEW_CASE, "title": "t" * (MAX_NAME_LENGTH + 1)},
            ("body", "title"),
            f"at most {MAX_NAME_LENGTH} characters",
        ),
        (
            "/api/cases",
            {**NEW_CASE, "regions": ["Bay"] * (MAX_LIST_ITEMS + 1)},
            ("body", "regions"),
            f"at most {MAX_LIST_ITEMS} items",
        ),
        (
            f"/api/cases/{CASE}/judgements",
            {**JUDGEMENT, "at": "2021-01-01T00:00:00"},
            ("body", "at"),
            "time zone is required: add Z or +00:00",
        ),
    ],
    ids=[
        "nul-name",
        "nul-alias",
        "nul-evidence",
        "nul-summary",
        "long-name",
        "many-aliases",
        "long-finding",
        "long-title",
        "many-regions",
        "naive-at",
    ],
)
def test_the_api_refuses_bad_text_with_422_naming_the_field(
    browser: Callable[[str], Browser],
    web_store: CaseStore,
    path: str,
    body: dict[str, Any],
    location: tuple[str, ...],
    words: str,
) -> None:
    lead = browser("lead")
    before = web_store.get_case(CASE)
    problems = details(post(lead, path, body))
    assert words in problems[location], problems
    assert web_store.get_case(CASE) == before


def test_a_judgement_at_a_moment_with_a_zone_is_kept_as_given(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    lead = browser("lead")
    created = post(
        lead, f"/api/cases/{CASE}/judgements", {**JUDGEMENT, "at": "2011-09-01T08:00:00+03:00"}
    )
    assert created.status_code == 201, created.text
    stored = web_store.get_case(CASE).judgements[-1]
    assert stored.at.isoformat() == "2011-09-01T08:00:00+03:00"


# --- the page forms -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "form", "words"),
    [
        (f"/cases/{CASE}/actors", {**ACTOR, "name": "A\x00B"}, "NUL character"),
        (f"/cases/{CASE}/actors", {**ACTOR, "aliases": "ok\nbad\x00"}, "item 1: must not"),
        (
            f"/cases/{CASE}/actors",
            {**ACTOR, "notes": "n" * (MAX_TEXT_LENGTH + 1)},
            f"at most {MAX_TEXT_LENGTH} characters",
        ),
        (
            f"/cases/{CASE}/judgements",
            {**JUDGEMENT, "finding": "f\x00"},
            "NUL character",
        ),
        ("/cases/new", {**NEW_CASE, "title": "t" * 301}, f"at most {MAX_NAME_LENGTH} characters"),
        ("/cases/new", {**NEW_CASE, "summary": "\x00"}, "NUL character"),
    ],
)
def test_the_forms_refuse_bad_text_with_422_beside_the_field(
    browser: Callable[[str], Browser], path: str, form: dict[str, str], words: str
) -> None:
    refused = post_form(browser("lead"), path, form)
    assert refused.status_code == 422, refused.text
    assert words in refused.text


def test_an_impossible_case_id_is_the_404_of_a_missing_case(
    browser: Callable[[str], Browser],
) -> None:
    lead = browser("lead")
    missing = lead.client.get(f"/api/cases/{MISSING_CASE}")
    for path in ["/api/cases/a%00b", "/api/cases/a%00b/assessment"]:
        refused = lead.client.get(path)
        assert refused.status_code == 404
        assert refused.content == missing.content
    assert lead.client.get("/cases/a%00b").status_code == 404


def test_a_name_with_a_nul_fails_to_sign_in_like_any_wrong_name(
    anonymous: TestClient, enrol: Callable[[str], None]
) -> None:
    enrol("lead")
    response = log_in(anonymous, "lead\x00")
    assert response.status_code == 401
    assert "The user name or password is not right." in response.text


# --- the session cookie ---------------------------------------------------------------------


def test_in_production_the_session_cookie_is_bound_to_the_host(
    anonymous: TestClient, enrol: Callable[[str], None]
) -> None:
    enrol("lead")
    response = log_in(anonymous, "lead")
    assert response.status_code == 303
    (cookie,) = [h for h in response.headers.get_list("set-cookie") if "backchannel_session" in h]
    assert cookie.startswith(f"{HOST_PREFIX}{SESSION_COOKIE}=")
    attributes = [part.strip().lower() for part in cookie.split(";")[1:]]
    assert "secure" in attributes and "path=/" in attributes
    assert not any(a.startswith("domain") for a in attributes)
    assert anonymous.get("/").status_code == 200  # the browser's cookie is read back
    # a cookie of the development name is not a session in production
    anonymous.cookies.clear()
    token = cookie.split(";")[0].split("=", 1)[1]
    anonymous.cookies.set(SESSION_COOKIE, token, domain="testserver")
    assert anonymous.get("/api/cases").status_code == 401


# --- the web secret -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("secret", "complaint"),
    [
        ("a" * 40, "only 1 different character:"),
        ("ab" * 20, "only 2 different characters"),
        ("abcdefg" * 6, "only 7 different characters"),
    ],
)
def test_production_refuses_a_secret_of_few_characters(
    web_settings: Settings, web_store: CaseStore, secret: str, complaint: str
) -> None:
    settings = web_settings.model_copy(update={"web_secret": SecretStr(secret)})
    with pytest.raises(ConfigurationError, match=complaint):
        create_app(settings, store=web_store)


def test_production_takes_a_random_secret_and_development_any(web_settings: Settings) -> None:
    strong = web_settings.model_copy(update={"web_secret": SecretStr(secrets.token_urlsafe(32))})
    assert len(web_secret_key(strong)) == 32
    development = web_settings.model_copy(
        update={"environment": "development", "web_secret": SecretStr("a" * 40)}
    )
    assert len(web_secret_key(development)) == 32


# --- ids made by the server -----------------------------------------------------------------


@settings(max_examples=50)
@given(st.integers(2, 20))
def test_server_made_case_ids_are_opaque_and_fresh(count: int) -> None:
    made = [new_case_id() for _ in range(count)]
    assert all(SERVER_CASE_ID.fullmatch(case_id) for case_id in made)
    assert len(set(made)) == count


def test_a_case_opened_through_the_api_without_an_id_gets_one(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    analyst = browser("analyst")
    first = post(analyst, "/api/cases", NEW_CASE)
    second = post(analyst, "/api/cases", NEW_CASE)
    assert first.status_code == second.status_code == 201
    ids = [first.json()["id"], second.json()["id"]]
    assert all(SERVER_CASE_ID.fullmatch(case_id) for case_id in ids) and ids[0] != ids[1]
    assert [web_store.membership(case_id, "analyst") for case_id in ids] == ["case_lead"] * 2


def test_the_form_ignores_a_posted_id_even_one_taken(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    outsider = browser("outsider")  # not a member of somalia-2011
    before = web_store.get_case(CASE)
    created = post_form(outsider, "/cases/new", {**NEW_CASE, "id": CASE})
    assert created.status_code == 303
    case_id = created.headers["location"].removeprefix("/cases/")
    assert SERVER_CASE_ID.fullmatch(case_id)
    assert web_store.get_case(CASE) == before
    assert web_store.membership(CASE, "outsider") is None
