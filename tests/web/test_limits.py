"""The request body limit: 413 before reading an announced oversize body, or while reading one.

The app of these tests accepts bodies of at most ``LIMIT`` bytes (the setting
``web_max_body_bytes``). In process (the test client always announces the size) and under
a real uvicorn on the loopback, spoken to over a raw socket: a request that announces too
much is answered without its body ever being sent, and a chunked one is cut off as it
grows past the limit.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backchannel.settings import Settings
from backchannel.store.service import CaseStore
from backchannel.web.app import create_app
from backchannel.web.limits import TOO_LARGE_CODE, too_large_message
from backchannel.web.security import CSRF_HEADER
from tests.browser.conftest import serving
from tests.web.conftest import Browser

#: The body limit of the app under test: small, so that a few kilobytes pass it.
LIMIT = 4096
NEW_CASE = {"title": "A case", "country": "SOM", "period_start": "2011-01-01"}


@pytest.fixture
def limited_settings(web_settings: Settings) -> Settings:
    return web_settings.model_copy(update={"web_max_body_bytes": LIMIT})


@pytest.fixture
def app(limited_settings: Settings, web_store: CaseStore) -> FastAPI:
    """The web app with the small body limit (replaces the shared ``app``)."""
    return create_app(limited_settings, store=web_store)


def over_the_limit() -> dict[str, Any]:
    return {**NEW_CASE, "summary": "s" * (LIMIT + 1)}


def test_the_message_says_the_limit_in_words() -> None:
    assert too_large_message(1024 * 1024) == (
        "The request is too large: at most 1 MiB may be sent at once."
    )
    assert "at most 4 KiB" in too_large_message(LIMIT)
    assert "at most 5,000 bytes" in too_large_message(5000)


def test_an_api_body_over_the_limit_gets_413_in_the_json_shape(
    browser: Callable[[str], Browser], web_store: CaseStore
) -> None:
    lead = browser("lead")
    before = len(web_store.list_cases())
    refused = lead.client.post(
        "/api/cases", json=over_the_limit(), headers={CSRF_HEADER: lead.csrf}
    )
    assert refused.status_code == 413
    assert refused.json() == {
        "error": {"status": 413, "code": TOO_LARGE_CODE, "message": too_large_message(LIMIT)}
    }
    assert refused.headers["connection"] == "close"
    assert refused.headers["x-content-type-options"] == "nosniff"
    assert refused.headers["cache-control"] == "no-store"
    assert len(web_store.list_cases()) == before
    accepted = lead.client.post("/api/cases", json=NEW_CASE, headers={CSRF_HEADER: lead.csrf})
    assert accepted.status_code == 201, accepted.text


def test_a_form_over_the_limit_gets_the_error_page(browser: Callable[[str], Browser]) -> None:
    lead = browser("lead")
    refused = lead.client.post("/cases/new", data={**over_the_limit(), "csrf_token": lead.csrf})
    assert refused.status_code == 413
    assert refused.headers["content-type"].startswith("text/html")
    assert too_large_message(LIMIT) in refused.text
    assert "content-security-policy" in refused.headers


def test_the_limit_holds_before_sign_in(anonymous: TestClient) -> None:
    refused = anonymous.post("/login", content=b"username=" + b"u" * LIMIT)
    assert refused.status_code == 413


# --- a real server, spoken to over a socket -------------------------------------------------


def exchange(url: str, head: str, chunks: Sequence[bytes] = ()) -> tuple[int, bytes]:
    """Send a request's head (and body chunks, as far as the server lets us); the status and
    the whole answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(head.encode("latin-1"))
        try:
            for chunk in chunks:
                connection.sendall(chunk)
        except OSError:
            pass  # the server answered and closed while the body was still coming
        answer = b""
        while True:
            try:
                data = connection.recv(65536)
            except OSError:
                break
            if not data:
                break
            answer += data
    status_line = answer.split(b"\r\n", 1)[0].decode("latin-1")
    return int(status_line.split(" ")[1]), answer


def body_of(answer: bytes) -> Any:
    body = answer.split(b"\r\n\r\n", 1)[1]
    return json.loads(body)


@pytest.fixture
def served(limited_settings: Settings, tmp_path: Path) -> Iterator[str]:
    """The app under uvicorn, on a store of its own (SQLite in ``tmp_path``)."""
    settings = limited_settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path / 'served.sqlite'}"}
    )
    store = CaseStore.open(settings)
    try:
        with serving(create_app(settings, store=store)) as url:
            yield url
    finally:
        store.close()


def test_a_server_answers_an_announced_oversize_body_without_waiting_for_it(served: str) -> None:
    # The body is never sent: an answer can only come if the server does not wait for it.
    head = (
        "POST /api/cases HTTP/1.1\r\nHost: testserver\r\nContent-Type: application/json\r\n"
        f"Content-Length: {100 * LIMIT}\r\n\r\n"
    )
    status, answer = exchange(served, head)
    assert status == 413
    assert body_of(answer)["error"]["code"] == TOO_LARGE_CODE


def test_a_server_cuts_off_a_chunked_body_that_grows_past_the_limit(served: str) -> None:
    head = (
        "POST /api/cases HTTP/1.1\r\nHost: testserver\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    piece = b"x" * 1024
    chunks = [b"%x\r\n%s\r\n" % (len(piece), piece) for _ in range(4 * LIMIT // 1024)]
    status, answer = exchange(served, head, [*chunks, b"0\r\n\r\n"])
    assert status == 413
    assert body_of(answer)["error"] == {
        "status": 413,
        "code": TOO_LARGE_CODE,
        "message": too_large_message(LIMIT),
    }


def test_a_server_reads_a_chunked_body_within_the_limit(served: str) -> None:
    body = json.dumps(NEW_CASE).encode()
    head = (
        "POST /api/cases HTTP/1.1\r\nHost: testserver\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    chunk = b"%x\r\n%s\r\n" % (len(body), body)
    status, _ = exchange(served, head, [chunk, b"0\r\n\r\n"])
    assert status == 401  # read whole, then refused for want of a session, not for its size
