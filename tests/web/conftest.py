"""The web app on a real store (SQLite, and PostgreSQL when configured) with real users.

Two example cases are stored; ``enrol`` adds the users, who hold these roles:

========  ============  =======================================================
name      global role   membership
========  ============  =======================================================
lead      case_lead     case_lead in somalia-2011
analyst   analyst       analyst in somalia-2011
viewer    viewer        viewer in somalia-2011
outsider  analyst       analyst in colombia-2012 only (not in somalia-2011)
admin     admin         none
========  ============  =======================================================
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import SecretStr

from backchannel.model import Case
from backchannel.settings import Settings
from backchannel.store.service import CaseStore
from backchannel.web.app import create_app
from backchannel.web.dependencies import REQUIRED_ACTION

CASE = "somalia-2011"
OTHER_CASE = "colombia-2012"
MISSING_CASE = "no-such-case"
PASSWORD = "a long enough test password"
WEB_SECRET = "test-web-secret-" + "x" * 40
BASE_URL = "https://testserver"

USERS: dict[str, tuple[str, dict[str, str]]] = {
    "lead": ("case_lead", {CASE: "case_lead"}),
    "analyst": ("analyst", {CASE: "analyst"}),
    "viewer": ("viewer", {CASE: "viewer"}),
    "outsider": ("analyst", {OTHER_CASE: "analyst"}),
    "admin": ("admin", {}),
}

#: For test modules whose outcome does not depend on the database: what they check is
#: decided before the store is reached, or by the store the same way on either database
#: (its own tests, and the web's write, access and crash tests, run on both).
SQLITE_ONLY = pytest.mark.sqlite_only

FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    """Production settings (Secure cookies, a strong web secret) on the test database."""
    return settings.model_copy(
        update={
            "environment": "production",
            "web_secret": SecretStr(WEB_SECRET),
            "web_allowed_hosts": ["testserver"],
        }
    )


@pytest.fixture
def web_store(store: CaseStore, example_cases: list[Case]) -> CaseStore:
    """The store with the two example cases (users come with ``enrol``)."""
    wanted = {CASE, OTHER_CASE}
    store.save_cases([c for c in example_cases if c.id in wanted])
    return store


@pytest.fixture
def enrol(web_store: CaseStore) -> Callable[[str], None]:
    """Add a user of the table above with their memberships, once.

    Users are added when a test first needs them: each costs an Argon2id hash.
    """
    enrolled: set[str] = set()

    def add(name: str) -> None:
        if name in enrolled:
            return
        role, memberships = USERS[name]
        web_store.add_user(name, role, PASSWORD)
        for case_id, case_role in memberships.items():
            web_store.add_member(case_id, name, case_role)
        enrolled.add(name)

    return add


@pytest.fixture
def app(web_settings: Settings, web_store: CaseStore) -> FastAPI:
    """The web app on the test store."""
    return create_app(web_settings, store=web_store)


@pytest.fixture
def anonymous(app: FastAPI) -> Iterator[TestClient]:
    """A browser with no session, over HTTPS (the session cookie is Secure)."""
    with TestClient(app, base_url=BASE_URL, follow_redirects=False) as client:
        yield client


def login_form_token(client: TestClient) -> str:
    """Open the login form; the token its hidden field carries (the cookie is kept)."""
    page = client.get("/login")
    assert page.status_code == 200, page.text
    match = FORM_TOKEN.search(page.text)
    assert match, "the login form has no csrf_token field"
    return match.group(1)


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> Any:
    """Sign in through the login form; returns the response to the form's post."""
    token = login_form_token(client)
    return client.post(
        "/login", data={"username": name, "password": password, "csrf_token": token, "next": "/"}
    )


def csrf_of(client: TestClient) -> str:
    """The signed-in session's CSRF token, as the pages give it to scripts."""
    page = client.get("/")
    assert page.status_code == 200, page.text
    match = META_TOKEN.search(page.text)
    assert match, "a signed-in page has no csrf-token meta tag"
    return match.group(1)


@dataclass
class Browser:
    """A signed-in browser: its client and its session's CSRF token."""

    name: str
    client: TestClient
    csrf: str


@pytest.fixture
def browser(app: FastAPI, enrol: Callable[[str], None]) -> Iterator[Callable[[str], Browser]]:
    """Sign a user in, each in a browser of their own."""
    clients: list[TestClient] = []

    def sign_in(name: str) -> Browser:
        enrol(name)
        client = TestClient(app, base_url=BASE_URL, follow_redirects=False)
        clients.append(client)
        response = log_in(client, name)
        assert response.status_code == 303, response.text
        return Browser(name, client, csrf_of(client))

    yield sign_in
    for client in clients:
        client.close()


@dataclass(frozen=True)
class ServedRoute:
    """A route the app serves, with the action its case gate requires (if it has one)."""

    path: str
    methods: frozenset[str]
    endpoint: Any
    case_actions: tuple[str, ...]


def served_routes(app: FastAPI) -> list[ServedRoute]:
    """Every route the app serves, routers included (FastAPI nests them in ``app.routes``)."""
    routes = []
    for context in iter_route_contexts(app.routes):
        path = context.path
        if path is None or context.methods is None:
            continue  # mounts (static files)
        dependant = getattr(context, "dependant", None)
        routes.append(
            ServedRoute(
                path=path,
                methods=frozenset(context.methods),
                endpoint=context.endpoint,
                case_actions=tuple(_case_gates(dependant)) if dependant is not None else (),
            )
        )
    return routes


def _case_gates(dependant: Any) -> Iterator[str]:
    for sub in dependant.dependencies:
        action = getattr(sub.call, REQUIRED_ACTION, None)
        if action is not None:
            yield str(action)
        yield from _case_gates(sub)


def concrete(path: str, case_id: str) -> str:
    """A route's path with ``{case_id}`` filled in."""
    return path.replace("{case_id}", case_id)
