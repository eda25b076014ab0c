"""The JSON API under generated requests: never a server error, answers as documented.

Schemathesis reads the app's OpenAPI document (in process, over the ASGI transport: no
network) and sends every operation requests built from its schema, valid ones and ones
that break it. Signed in as an analyst of the seeded case (``colombia-2012``), with the
session cookie and the CSRF header on every request, no answer may be a 5xx and every
documented answer must match its schema. Half of the ``{case_id}`` values drawn are the
seeded case, so that the member's paths are walked and not only the 404 for a stranger's.
Signed out, every operation must answer 401 (or 422 for a request it cannot parse at all),
never a 5xx. The runs are bounded and derandomized: the same requests on every run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from backchannel.casefile import load_case
from backchannel.settings import Settings
from backchannel.store.service import CaseStore
from backchannel.web.app import create_app
from backchannel.web.security import CSRF_HEADER, CookiePolicy

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "src" / "backchannel" / "data" / "examples" / "colombia-2012.yaml"
CASE = "colombia-2012"
ANALYST = "fuzz-analyst"
PASSWORD = "a long enough fuzzing password"
WEB_SECRET = "schemathesis-web-secret-" + "y" * 40
OPENAPI_URL = "/api/openapi.json"

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
#: Bounds that keep both runs well under a minute in ``make test``.
BOUNDED = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def fuzz_settings(tmp_path: Path) -> Settings:
    """Production settings (a strong web secret) on an SQLite store in ``tmp_path``."""
    return Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'cases.sqlite'}",
        secret_key=None,
        key_file=tmp_path / "keyring.json",
        user="fuzz-setup",
        mirror=None,
        environment="production",
        web_secret=SecretStr(WEB_SECRET),
        web_allowed_hosts=["localhost", "testserver"],
    )


@pytest.fixture
def seeded_store(fuzz_settings: Settings) -> Iterator[CaseStore]:
    """The store holding the example case and one analyst member of it."""
    store = CaseStore.open(fuzz_settings)
    store.save_case(load_case(EXAMPLE))
    store.add_user(ANALYST, "analyst", PASSWORD)
    store.add_member(CASE, ANALYST, "analyst")
    yield store
    store.close()


@pytest.fixture
def api_schema(fuzz_settings: Settings, seeded_store: CaseStore) -> Any:
    """The app's OpenAPI document, loaded through the ASGI transport."""
    app = create_app(fuzz_settings, store=seeded_store)
    return schemathesis.openapi.from_asgi(OPENAPI_URL, app)


@pytest.fixture
def signed_in_headers(fuzz_settings: Settings, seeded_store: CaseStore) -> dict[str, str]:
    """The analyst's session cookie and CSRF token, as a browser's requests carry them."""
    token, session = seeded_store.open_session(ANALYST)
    cookie = CookiePolicy.for_settings(fuzz_settings).session_cookie
    return {"Cookie": f"{cookie}={token}", CSRF_HEADER: session.csrf_token}


def operations(schema: Any) -> list[Any]:
    """Every operation of the document (an unreadable one fails the test)."""
    found = [result.ok() for result in schema.get_all_operations()]
    assert found, "the OpenAPI document has no operations"
    return found


def requests_for(operation: Any) -> st.SearchStrategy[Any]:
    """Valid and schema-breaking requests; valid ones also at the seeded case's paths."""
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    if any(parameter.name == "case_id" for parameter in operation.path_parameters):
        strategies.append(
            operation.as_strategy(GenerationMode.POSITIVE, path_parameters={"case_id": CASE})
        )
    return st.one_of(strategies)


def fuzz_every_operation(schema: Any, send: Callable[[Any], None]) -> list[str]:
    """Run ``send`` on generated requests of every operation; the failures, one per operation.

    Every operation is tried even when an earlier one fails, so that one run lists them all.
    """
    failures: list[str] = []
    sent = 0
    for operation in operations(schema):

        @BOUNDED
        @given(case=requests_for(operation))
        def fuzz(case: Any) -> None:
            nonlocal sent
            sent += 1
            send(case)

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as failure:  # schemathesis: a group
            failures.append(f"{operation.label}:\n{failure}")
    assert sent > 0, "no request was generated"
    return failures


@pytest.mark.slow
def test_signed_in_member_gets_no_server_error(
    api_schema: Any, signed_in_headers: dict[str, str]
) -> None:
    """Any request of the analyst: no 5xx; documented answers match their schema and type."""

    def send(case: Any) -> None:
        case.call_and_validate(headers=signed_in_headers, checks=CHECKS)

    failures = fuzz_every_operation(api_schema, send)
    assert not failures, "\n\n".join(failures)


def test_signed_out_gets_401_never_a_server_error(api_schema: Any) -> None:
    """Signed out every operation refuses: 401, or 400/422 for a body it cannot even parse."""

    def send(case: Any) -> None:
        response = case.call_and_validate(checks=[not_a_server_error])
        mode = case.meta.generation.mode
        allowed = {401} if mode is GenerationMode.POSITIVE else {400, 401, 422}
        assert response.status_code in allowed, (
            f"{case.method} {case.formatted_path} ({mode.value} data) signed out answered "
            f"{response.status_code}: {response.text[:300]}"
        )

    failures = fuzz_every_operation(api_schema, send)
    assert not failures, "\n\n".join(failures)
