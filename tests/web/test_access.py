"""Who may reach what: every case route goes through the one gate, and tells nothing more.

The enumeration test walks every route the app serves. A route with ``{case_id}`` in its
path that does not go through ``case_access`` fails it: a signed-in non-member must get
404 with the very body a case that does not exist gets, a viewer must get 403 on a write,
and an anonymous caller 401 (or the login page).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backchannel.auth import Role, allowed
from backchannel.store.service import CaseStore
from backchannel.web.security import CSRF_HEADER, UNSAFE_METHODS
from tests.web.conftest import (
    CASE,
    MISSING_CASE,
    OTHER_CASE,
    Browser,
    ServedRoute,
    concrete,
    served_routes,
)

#: The case routes this round serves; the enumeration must find at least these.
KNOWN_CASE_ROUTES = {
    "/cases/{case_id}",
    "/cases/{case_id}/brief",
    "/cases/{case_id}/audit",
    "/api/cases/{case_id}",
    "/api/cases/{case_id}/assessment",
}


def request(client: TestClient, method: str, path: str, csrf: str | None = None) -> Any:
    """The client's answer (httpx2's or httpx's Response, whichever Starlette uses)."""
    headers = {CSRF_HEADER: csrf} if csrf and method in UNSAFE_METHODS else {}
    return client.request(method, path, headers=headers)


def case_routes(app: FastAPI) -> list[ServedRoute]:
    routes = [r for r in served_routes(app) if "{case_id}" in r.path]
    assert routes, "the enumeration found no case route: it would check nothing"
    assert {r.path for r in routes} >= KNOWN_CASE_ROUTES, "the enumeration misses case routes"
    return routes


def test_every_case_route_has_exactly_one_case_gate(app: FastAPI) -> None:
    for route in served_routes(app):
        if "{case_id}" in route.path:
            assert len(route.case_actions) == 1, f"{route.path} must go through case_access once"
        else:
            assert not route.case_actions, f"{route.path} has a case gate but no {{case_id}}"


def test_non_members_get_the_answer_of_a_case_that_does_not_exist(
    app: FastAPI, browser: Callable[[str], Browser]
) -> None:
    outsider = browser("outsider")  # analyst in colombia-2012, nothing in somalia-2011
    checked = 0
    for route in case_routes(app):
        for method in sorted(route.methods):
            hidden = request(outsider.client, method, concrete(route.path, CASE), outsider.csrf)
            missing = request(
                outsider.client, method, concrete(route.path, MISSING_CASE), outsider.csrf
            )
            where = f"{method} {route.path}"
            assert hidden.status_code == 404, where
            assert missing.status_code == 404, where
            assert hidden.content == missing.content, f"{where} tells members' cases apart"
            assert hidden.headers["content-type"] == missing.headers["content-type"], where
            checked += 1
    assert checked >= len(KNOWN_CASE_ROUTES)


def test_viewers_are_refused_what_their_role_lacks(
    app: FastAPI, browser: Callable[[str], Browser]
) -> None:
    viewer = browser("viewer")
    for route in case_routes(app):
        (action,) = route.case_actions
        for method in sorted(route.methods):
            response = request(viewer.client, method, concrete(route.path, CASE), viewer.csrf)
            where = f"{method} {route.path}"
            if method in UNSAFE_METHODS or not allowed(Role.viewer, action):
                assert response.status_code == 403, where
            else:
                assert response.status_code not in (401, 404), where


def test_anonymous_callers_are_sent_to_sign_in(app: FastAPI, anonymous: TestClient) -> None:
    for route in case_routes(app):
        for method in sorted(route.methods):
            response = request(anonymous, method, concrete(route.path, CASE))
            where = f"{method} {route.path}"
            if route.path.startswith("/api/"):
                assert response.status_code == 401, where
                assert response.json()["error"]["code"] == "not_signed_in", where
            else:
                assert response.status_code == 303, where
                assert response.headers["location"].startswith("/login"), where


def test_the_api_answers_404_alike_in_json(browser: Callable[[str], Browser]) -> None:
    outsider = browser("outsider")
    hidden = outsider.client.get(f"/api/cases/{CASE}")
    missing = outsider.client.get(f"/api/cases/{MISSING_CASE}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert hidden.json() == {"error": {"status": 404, "code": "not_found", "message": "Not found."}}
    assert outsider.client.get(f"/api/cases/{OTHER_CASE}").status_code == 200


def test_each_user_lists_only_their_cases(browser: Callable[[str], Browser]) -> None:
    assert [c["id"] for c in browser("lead").client.get("/api/cases").json()] == [CASE]
    assert [c["id"] for c in browser("outsider").client.get("/api/cases").json()] == [OTHER_CASE]
    assert browser("admin").client.get("/api/cases").json() == []
    page = browser("outsider").client.get("/")
    assert OTHER_CASE in page.text
    assert CASE not in page.text


def test_the_api_needs_a_session(anonymous: TestClient) -> None:
    response = anonymous.get("/api/cases")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_signed_in"


def test_an_administrator_reads_the_audit_trail_but_not_the_case(
    browser: Callable[[str], Browser],
) -> None:
    admin = browser("admin")
    assert admin.client.get(f"/cases/{CASE}").status_code == 404
    assert admin.client.get(f"/api/cases/{CASE}/assessment").status_code == 404
    assert admin.client.get(f"/cases/{CASE}/brief?redacted=1").status_code == 404
    audit = admin.client.get(f"/cases/{CASE}/audit")
    assert audit.status_code == 200
    assert "case.import" in audit.text
    assert admin.client.get(f"/cases/{MISSING_CASE}/audit").status_code == 404


def test_only_case_leads_among_members_read_the_audit_trail(
    browser: Callable[[str], Browser],
) -> None:
    assert browser("lead").client.get(f"/cases/{CASE}/audit").status_code == 200
    assert browser("analyst").client.get(f"/cases/{CASE}/audit").status_code == 403
    assert browser("viewer").client.get(f"/cases/{CASE}/audit").status_code == 403


def test_viewers_get_only_the_redacted_brief(browser: Callable[[str], Browser]) -> None:
    viewer = browser("viewer")
    assert viewer.client.get(f"/cases/{CASE}/brief").status_code == 403
    assert viewer.client.get(f"/cases/{CASE}/brief?redacted=0").status_code == 403
    brief = viewer.client.get(f"/cases/{CASE}/brief?redacted=1")
    assert brief.status_code == 200
    assert brief.headers["content-type"] == "application/pdf"
    assert brief.content.startswith(b"%PDF")
    assert brief.headers["content-disposition"] == f'attachment; filename="{CASE}-redacted.pdf"'


def test_a_removed_member_loses_the_case_at_once(
    web_store: CaseStore, browser: Callable[[str], Browser]
) -> None:
    analyst = browser("analyst")
    assert analyst.client.get(f"/api/cases/{CASE}").status_code == 200
    web_store.remove_member(CASE, "analyst")
    assert analyst.client.get(f"/api/cases/{CASE}").status_code == 404


def test_a_disabled_user_is_signed_out(
    web_store: CaseStore, browser: Callable[[str], Browser]
) -> None:
    analyst = browser("analyst")
    web_store.disable_user("analyst")
    assert analyst.client.get("/api/cases").status_code == 401
    assert analyst.client.get("/").status_code == 303


@pytest.mark.parametrize("name", ["lead", "analyst"])
def test_members_who_may_read_get_the_dashboard(
    browser: Callable[[str], Browser], name: str
) -> None:
    member = browser(name)
    assert member.client.get(f"/cases/{CASE}").status_code == 200
    assert member.client.get(f"/api/cases/{CASE}/assessment").status_code == 200
