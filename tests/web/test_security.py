"""Headers, cookies, CSRF, login failures and the web secret."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from backchannel.errors import ConfigurationError
from backchannel.settings import DEVELOPMENT_WEB_SECRET, Settings
from backchannel.store.service import CaseStore
from backchannel.store.users import NAME_FAILURES
from backchannel.web.app import create_app
from backchannel.web.security import (
    CONTENT_SECURITY_POLICY,
    CSRF_HEADER,
    HOST_PREFIX,
    SESSION_COOKIE,
    UNSAFE_METHODS,
    LoginForms,
    allowed_hosts,
    safe_next,
    web_secret_key,
)
from tests.web.conftest import (
    BASE_URL,
    CASE,
    PASSWORD,
    SQLITE_ONLY,
    Browser,
    concrete,
    log_in,
    login_form_token,
    served_routes,
)

pytestmark = SQLITE_ONLY

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "src" / "backchannel" / "web"

SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}


# A response is typed Any: Starlette's test client answers with httpx2's Response when that
# package is installed and with httpx's otherwise, so naming either breaks on the other.
def assert_secure_headers(response: Any, *, cacheable: bool = False) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.url, name)
    if cacheable:
        assert response.headers.get("cache-control") != "no-store", response.url
    else:
        assert response.headers.get("cache-control") == "no-store", response.url


def test_the_policy_is_the_one_specified() -> None:
    assert CONTENT_SECURITY_POLICY == (
        "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )


def test_every_page_and_answer_carries_the_security_headers(
    app: FastAPI, anonymous: TestClient, browser: Callable[[str], Browser]
) -> None:
    lead = browser("lead")
    for path in ["/login", "/healthz", "/api/openapi.json", "/nowhere", "/api/nowhere"]:
        assert_secure_headers(anonymous.get(path))
    assert_secure_headers(anonymous.get("/"))  # the redirect to the login form
    assert_secure_headers(anonymous.get("/api/cases"))  # 401
    assert_secure_headers(anonymous.post("/login", data={}))  # 403, no pre-session cookie
    for route in served_routes(app):
        if "GET" not in route.methods or route.path.endswith("/brief"):
            continue
        assert_secure_headers(lead.client.get(concrete(route.path, CASE)))
    assert_secure_headers(browser("viewer").client.get(f"/cases/{CASE}/audit"))  # 403
    assert_secure_headers(lead.client.get(f"/cases/{CASE}/brief?redacted=1"))


@pytest.mark.parametrize(
    "path",
    ["/static/app.css", "/static/app.js", "/static/vendor/htmx.min.js"],
)
def test_static_files_carry_the_headers_and_may_be_cached(anonymous: TestClient, path: str) -> None:
    response = anonymous.get(path)
    assert response.status_code == 200
    assert_secure_headers(response, cacheable=True)


def test_nothing_is_served_from_outside_the_static_folder(anonymous: TestClient) -> None:
    for path in ["/static/../app.py", "/static/%2e%2e/app.py", "/static/", "/static/vendor/"]:
        assert anonymous.get(path).status_code == 404, path


def test_an_unexpected_error_still_carries_the_headers(app: FastAPI) -> None:
    def broken() -> None:
        raise RuntimeError("the cause stays in the log")

    app.add_api_route("/broken", broken)
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as client:
        response = client.get("/broken")
    assert response.status_code == 500
    assert "the cause stays in the log" not in response.text
    assert_secure_headers(response)


def test_templates_hold_no_inline_script_or_style() -> None:
    templates = sorted((WEB / "templates").glob("*.html"))
    assert templates
    for template in templates:
        text = template.read_text(encoding="utf-8")
        assert "<style" not in text, template.name
        assert not re.search(r"\sstyle\s*=", text), template.name
        assert not re.search(r"\son[a-z]+\s*=", text), template.name
        for script in re.findall(r"<script[^>]*>", text):
            # a JSON data block is not executed, so the CSP lets it be
            data = 'type="application/json"' in script
            assert " src=" in script or data, f"{template.name}: inline script {script}"
        assert "javascript:" not in text, template.name


def test_pages_ask_only_for_our_own_files(browser: Callable[[str], Browser]) -> None:
    lead = browser("lead")
    for path in ["/", f"/cases/{CASE}", f"/cases/{CASE}/audit"]:
        text = lead.client.get(path).text
        for reference in re.findall(r'(?:src|href|action)="([^"]*)"', text):
            local = reference.startswith("#") or (
                reference.startswith("/") and not reference.startswith("//")
            )
            assert local, reference
        assert "<style" not in text and " style=" not in text


def test_the_vendored_htmx_is_the_pinned_release() -> None:
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["htmx.org"]
    locked = json.loads((ROOT / "package-lock.json").read_text())
    assert locked["packages"]["node_modules/htmx.org"]["version"] == pinned
    assert pinned.startswith("2.")
    library = (WEB / "static" / "vendor" / "htmx.min.js").read_text(encoding="utf-8")
    assert f'version:"{pinned}"' in library
    assert "http://" not in library and "https://" not in library
    assert "Permission to use" in (WEB / "static" / "vendor" / "htmx.LICENSE").read_text()


# --- cookies and sessions ------------------------------------------------------------


#: The session cookie's name in production (the app of these tests) and in development.
PRODUCTION_SESSION_COOKIE = HOST_PREFIX + SESSION_COOKIE


def session_cookie_header(response: Any, name: str = PRODUCTION_SESSION_COOKIE) -> str:
    headers: list[str] = [
        h for h in response.headers.get_list("set-cookie") if h.startswith(name + "=")
    ]
    assert len(headers) == 1, response.headers
    return headers[0]


def captured(pattern: str, text: str) -> str:
    """The first group of the first match of ``pattern`` in ``text`` (fails when absent)."""
    found = re.search(pattern, text)
    assert found is not None, f"{pattern!r} not in {text[:300]!r}"
    return found.group(1)


def test_the_session_cookie_is_httponly_strict_secure_and_site_wide(
    anonymous: TestClient, enrol: Callable[[str], None]
) -> None:
    enrol("lead")
    response = log_in(anonymous, "lead")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = session_cookie_header(response).lower()
    attributes = {part.strip().split("=")[0] for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite", "path", "max-age"} <= attributes
    assert "samesite=strict" in cookie
    assert "path=/" in cookie
    max_age = int(captured(r"max-age=(\d+)", cookie))
    assert 0 < max_age <= 8 * 3600
    login_cookies = [h for h in response.headers.get_list("set-cookie") if "login" in h]
    assert login_cookies and all("max-age=0" in h.lower() for h in login_cookies)


def test_the_pre_session_cookie_is_host_only_and_short_lived(anonymous: TestClient) -> None:
    response = anonymous.get("/login")
    (cookie,) = response.headers.get_list("set-cookie")
    assert cookie.startswith("__Host-backchannel_login=")
    lowered = cookie.lower()
    assert "httponly" in lowered and "secure" in lowered and "samesite=strict" in lowered
    assert "path=/" in lowered and "max-age=600" in lowered


def test_a_request_for_a_host_we_do_not_serve_is_refused(
    anonymous: TestClient, browser: Callable[[str], Browser]
) -> None:
    lead = browser("lead")
    for host in ["attacker.example", "rebound.example:8400", "testserver.attacker.example"]:
        refused = lead.client.get(f"/cases/{CASE}", headers={"Host": host})
        assert refused.status_code == 400, host
        assert CASE not in refused.text
        assert_secure_headers(refused)
        assert anonymous.get("/healthz", headers={"Host": host}).status_code == 400
    assert lead.client.get(f"/cases/{CASE}").status_code == 200  # testserver is listed


def test_allowed_hosts_default_to_the_loopback_and_the_listening_address() -> None:
    base = Settings(mirror=None)
    assert allowed_hosts(base) == ["localhost", "127.0.0.1"]
    named = base.model_copy(update={"web_host": "10.1.2.3"})
    assert allowed_hosts(named) == ["localhost", "127.0.0.1", "10.1.2.3"]
    everywhere = base.model_copy(update={"web_host": "0.0.0.0"})
    assert allowed_hosts(everywhere) == ["localhost", "127.0.0.1"]
    listed = base.model_copy(update={"web_allowed_hosts": ["cases.example.org"]})
    assert allowed_hosts(listed) == ["cases.example.org"]


def test_production_tells_browsers_to_use_https_only(
    anonymous: TestClient, web_settings: Settings, web_store: CaseStore
) -> None:
    assert anonymous.get("/login").headers["strict-transport-security"] == "max-age=31536000"
    assert "strict-transport-security" in anonymous.get("/static/app.css").headers
    development = web_settings.model_copy(update={"environment": "development"})
    with TestClient(create_app(development, store=web_store)) as client:
        assert "strict-transport-security" not in client.get("/login").headers


def test_development_over_plain_http_drops_only_the_secure_flag(
    web_settings: Settings, web_store: CaseStore, enrol: Callable[[str], None]
) -> None:
    enrol("lead")
    settings = web_settings.model_copy(update={"environment": "development"})
    with TestClient(
        create_app(settings, store=web_store), base_url="http://testserver", follow_redirects=False
    ) as client:
        response = log_in(client, "lead")
        assert response.status_code == 303
        cookie = session_cookie_header(response, SESSION_COOKIE).lower()
        assert "secure" not in cookie
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert client.get("/").status_code == 200


def test_logging_in_starts_a_new_session_each_time(
    anonymous: TestClient, web_store: CaseStore, enrol: Callable[[str], None]
) -> None:
    enrol("lead")
    anonymous.cookies.set(PRODUCTION_SESSION_COOKIE, "planted-by-an-attacker", domain="testserver")
    response = log_in(anonymous, "lead")
    token = session_cookie_header(response).split(";")[0].split("=", 1)[1]
    assert token != "planted-by-an-attacker"
    assert web_store.session(token) is not None


def test_logging_out_ends_the_session(
    anonymous: TestClient, web_store: CaseStore, enrol: Callable[[str], None]
) -> None:
    enrol("lead")
    response = log_in(anonymous, "lead")
    token = session_cookie_header(response).split(";")[0].split("=", 1)[1]
    page = anonymous.get("/")
    csrf = captured(r'name="csrf_token" value="([^"]+)"', page.text)
    out = anonymous.post("/logout", data={"csrf_token": csrf})
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    assert "max-age=0" in session_cookie_header(out).lower()
    assert web_store.session(token) is None
    anonymous.cookies.set(PRODUCTION_SESSION_COOKIE, token, domain="testserver")  # replayed
    assert anonymous.get("/").status_code == 303
    assert anonymous.get("/api/cases").status_code == 401


# --- CSRF ---------------------------------------------------------------------------


def unsafe_routes(app: FastAPI) -> list[tuple[str, str]]:
    routes = [
        (method, concrete(route.path, CASE))
        for route in served_routes(app)
        for method in sorted(route.methods & UNSAFE_METHODS)
    ]
    assert {("POST", "/login"), ("POST", "/logout")} <= set(routes), routes
    return routes


def test_every_state_changing_route_refuses_a_missing_or_wrong_token(
    app: FastAPI, browser: Callable[[str], Browser]
) -> None:
    lead = browser("lead")
    other = browser("analyst")
    for method, path in unsafe_routes(app):
        attempts = {
            "missing": lead.client.request(method, path),
            "wrong": lead.client.request(method, path, headers={CSRF_HEADER: "wrong"}),
            "wrong in form": lead.client.request(method, path, data={"csrf_token": "wrong"}),
            "another session's": lead.client.request(
                method, path, headers={CSRF_HEADER: other.csrf}
            ),
            "non-ASCII": lead.client.request(method, path, data={"csrf_token": "é" * 40}),
        }
        for what, response in attempts.items():
            assert response.status_code == 403, f"{what} token on {method} {path}"
            assert "expired or did not come from this site" in response.text
    assert lead.client.get("/").status_code == 200  # still signed in


def test_the_login_form_refuses_a_missing_wrong_or_stale_token(
    anonymous: TestClient, app: FastAPI, enrol: Callable[[str], None]
) -> None:
    enrol("lead")
    fields = {"username": "lead", "password": PASSWORD}
    assert anonymous.post("/login", data=fields).status_code == 403  # no pre-session cookie
    token = login_form_token(anonymous)
    assert anonymous.post("/login", data={**fields, "csrf_token": token[:-1]}).status_code == 403
    assert anonymous.post("/login", data=fields).status_code == 403  # cookie but no token
    with TestClient(app, base_url=BASE_URL, follow_redirects=False) as elsewhere:
        foreign = login_form_token(elsewhere)  # a token bound to another browser's cookie
    assert anonymous.post("/login", data={**fields, "csrf_token": foreign}).status_code == 403
    assert anonymous.post("/login", data={**fields, "csrf_token": token}).status_code == 303


def test_a_login_form_token_expires() -> None:
    now = [1_000_000.0]
    forms = LoginForms(b"k" * 32, clock=lambda: now[0])
    token, cookie = forms.issue()
    assert forms.verify(cookie, token)
    now[0] += 601
    assert not forms.verify(cookie, token)
    assert not LoginForms(b"other key" * 4).verify(cookie, token)
    assert not forms.verify(cookie.replace(".", "x", 1), token)


def test_the_csrf_header_also_works(browser: Callable[[str], Browser]) -> None:
    lead = browser("lead")
    response = lead.client.post("/logout", headers={CSRF_HEADER: lead.csrf})
    assert response.status_code == 303
    assert lead.client.get("/api/cases").status_code == 401


# --- failed logins -------------------------------------------------------------------


def test_a_wrong_password_and_an_unknown_name_get_the_same_generic_message(
    anonymous: TestClient, enrol: Callable[[str], None]
) -> None:
    enrol("lead")
    wrong_password = log_in(anonymous, "lead", "not the right password")
    unknown_name = log_in(anonymous, "nobody-at-all", PASSWORD)
    for response in (wrong_password, unknown_name):
        assert response.status_code == 401
        assert "The user name or password is not right." in response.text
        assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
        assert_secure_headers(response)
    assert "nobody-at-all" not in unknown_name.text


def test_repeated_failures_lock_the_name_out(
    anonymous: TestClient, enrol: Callable[[str], None]
) -> None:
    enrol("analyst")
    for _ in range(NAME_FAILURES):
        assert log_in(anonymous, "analyst", "not the right password").status_code == 401
    locked = log_in(anonymous, "analyst", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.text
    assert re.search(r"Try again in \d+ minutes?\.", locked.text)
    assert int(locked.headers["retry-after"]) > 0
    assert SESSION_COOKIE not in locked.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/cases/x?redacted=1", "/cases/x?redacted=1"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/login", "/"),
        ("/ok\r\nSet-Cookie: x", "/"),
        ("", "/"),
    ],
)
def test_after_login_only_local_paths_are_followed(target: str, expected: str) -> None:
    assert safe_next(target) == expected


def test_login_goes_back_where_the_user_was_sent_from(
    anonymous: TestClient, enrol: Callable[[str], None]
) -> None:
    enrol("lead")
    first = anonymous.get(f"/cases/{CASE}")
    assert first.status_code == 303
    assert first.headers["location"] == f"/login?next=%2Fcases%2F{CASE}"
    form = anonymous.get(first.headers["location"])
    token = captured(r'name="csrf_token" value="([^"]+)"', form.text)
    target = captured(r'name="next" value="([^"]+)"', form.text)
    assert target == f"/cases/{CASE}"
    done = anonymous.post(
        "/login",
        data={"username": "lead", "password": PASSWORD, "csrf_token": token, "next": target},
    )
    assert done.headers["location"] == f"/cases/{CASE}"


# --- the web secret ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("secret", "complaint"),
    [
        (None, "is not set"),
        ("too-short", "has 9 characters"),
        (DEVELOPMENT_WEB_SECRET, "documented development value"),
    ],
)
def test_production_refuses_to_start_without_a_strong_secret(
    web_settings: Settings, web_store: CaseStore, secret: str | None, complaint: str
) -> None:
    settings = web_settings.model_copy(update={"web_secret": SecretStr(secret) if secret else None})
    with pytest.raises(ConfigurationError, match=complaint):
        create_app(settings, store=web_store)


def test_development_makes_up_a_secret_and_says_so(
    web_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings = web_settings.model_copy(update={"environment": "development", "web_secret": None})
    with caplog.at_level(logging.WARNING, logger="backchannel.web"):
        first, second = web_secret_key(settings), web_secret_key(settings)
    assert first != second
    assert "BACKCHANNEL_WEB_SECRET is not set" in caplog.text
    development = settings.model_copy(update={"web_secret": SecretStr(DEVELOPMENT_WEB_SECRET)})
    assert web_secret_key(development) == web_secret_key(development)


def test_healthz_needs_no_session_and_gives_no_data(anonymous: TestClient) -> None:
    response = anonymous.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert_secure_headers(response)


def test_no_documentation_ui_that_would_load_from_a_cdn(anonymous: TestClient) -> None:
    for path in ["/docs", "/redoc", "/api/docs", "/docs/oauth2-redirect"]:
        assert anonymous.get(path).status_code == 404, path
    assert anonymous.get("/api/openapi.json").status_code == 200
