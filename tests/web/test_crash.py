"""A write the server acknowledged survives the server being killed.

The web app runs under uvicorn in a process of its own on the loopback, as ``backchannel
serve`` runs it (development settings, the test database: SQLite always, PostgreSQL when
configured). A signed-in analyst fires a burst of
concurrent ``POST /api/cases/{case_id}/judgements``; every id answered 201 is recorded.
The server is killed with SIGKILL in the middle of the burst, with requests in flight, and
started again on the same database. Every acknowledged judgement must then be in the case,
the audit chain must verify, and the restarted server must take a new write.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.process import BaseProcess
from pathlib import Path

import httpx
import pytest

from backchannel.model import Case
from backchannel.settings import DEVELOPMENT_WEB_SECRET, Settings
from backchannel.store.service import CaseStore

CASE = "colombia-2012"
WRITER = "crash-analyst"
PASSWORD = "a long enough crash-test password"
HOST = "127.0.0.1"
#: Seconds to wait for the server to answer after it was started.
START_TIMEOUT = 30.0
#: Seconds any one request may take.
REQUEST_TIMEOUT = 10.0
WRITERS = 8
#: Acknowledged writes to wait for before the kill (or BURST_TIMEOUT seconds, if sooner).
ACKS_BEFORE_KILL = 25
BURST_TIMEOUT = 4.0

FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def free_port() -> int:
    """A port nobody listens on at the moment, on the loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def server_env(settings: Settings) -> dict[str, str]:
    """The environment of a server on ``settings``' database and keys, in development."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKCHANNEL_")}
    env.update(
        BACKCHANNEL_DATA_DIR=str(settings.data_dir),
        BACKCHANNEL_DATABASE_URL=settings.resolved_database_url,
        BACKCHANNEL_KEY_FILE=str(settings.resolved_key_file),
        BACKCHANNEL_ENVIRONMENT="development",
        BACKCHANNEL_WEB_SECRET=DEVELOPMENT_WEB_SECRET,
        BACKCHANNEL_USER="crash-server",
    )
    return env


#: Servers are forked from a process that has imported the app once: importing it takes
#: seconds, and the restart after the kill would pay them again. The fork is a process of
#: its own, killed like any other.
FORKS = multiprocessing.get_context("forkserver")
FORKS.set_forkserver_preload(["uvicorn", "backchannel.web.app"])


def serve(env: dict[str, str], port: int, log: str) -> None:
    """Run the app under uvicorn with the settings of ``env``, as ``backchannel serve`` does."""
    os.environ.clear()
    os.environ.update(env)
    output = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(output, 1)
    os.dup2(output, 2)
    import uvicorn

    from backchannel.web.app import create_app

    uvicorn.run(
        create_app(Settings()), host=HOST, port=port, server_header=False, log_level="warning"
    )


class Server:
    """The web app served on the loopback by a process of its own; ended with the test."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: BaseProcess | None = None
        self.url = ""

    def start(self) -> None:
        """Start on a free port; return once ``/healthz`` answers (fail after a timeout)."""
        port = free_port()
        self.url = f"http://{HOST}:{port}"
        self.process = FORKS.Process(target=serve, args=(self.env, port, str(self.log)))
        self.process.start()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if not self.process.is_alive():
                pytest.fail(f"the server exited ({self.process.exitcode}): {self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.kill()
        pytest.fail(f"the server did not answer within {START_TIMEOUT} s: {self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no chance to finish what is in flight."""
        if self.process is not None and self.process.is_alive() and self.process.pid:
            os.kill(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.join(timeout=10)

    def stop(self) -> None:
        """End the server if it still runs (teardown)."""
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=10)
        self.kill()

    def log_tail(self) -> str:
        """The end of the server's output, for a failure message."""
        return self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""


@pytest.fixture
def seeded(settings: Settings, store: CaseStore, example_cases: list[Case]) -> Settings:
    """The test database with the example case and an analyst member of it."""
    store.save_cases([c for c in example_cases if c.id == CASE])
    store.add_user(WRITER, "analyst", PASSWORD)
    store.add_member(CASE, WRITER, "analyst")
    return settings


@pytest.fixture
def server(seeded: Settings, tmp_path: Path) -> Iterator[Server]:
    """A server on the seeded database (not started yet); stopped when the test ends."""
    running = Server(server_env(seeded), tmp_path / "server.log")
    yield running
    running.stop()


def signed_in(url: str) -> tuple[httpx.Client, str]:
    """A client signed in as the analyst through the login form, and its CSRF token."""
    client = httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT, follow_redirects=False)
    form = client.get("/login")
    match = FORM_TOKEN.search(form.text)
    assert form.status_code == 200 and match, form.text[:500]
    answer = client.post(
        "/login",
        data={"username": WRITER, "password": PASSWORD, "csrf_token": match.group(1), "next": "/"},
    )
    assert answer.status_code == 303, answer.text[:500]
    page = client.get("/")
    token = META_TOKEN.search(page.text)
    assert page.status_code == 200 and token, page.text[:500]
    return client, token.group(1)


def judgement(judgement_id: str) -> dict[str, str]:
    """The body of one judgement write."""
    return {
        "id": judgement_id,
        "subject": "condition:cohesion",
        "finding": f"Command holds together ({judgement_id}).",
        "confidence": "medium",
        "evidence": "Two defectors' accounts agree.",
    }


@pytest.mark.slow
def test_acknowledged_writes_survive_sigkill(server: Server, seeded: Settings) -> None:
    server.start()
    client, csrf = signed_in(server.url)
    acknowledged: list[str] = []
    refused: list[str] = []
    cut_off: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    counter = iter(range(1_000_000))

    def write_until_stopped(worker: int) -> None:
        while not stop.is_set():
            with lock:
                judgement_id = f"crash-{worker}-{next(counter)}"
            try:
                answer = client.post(
                    f"/api/cases/{CASE}/judgements",
                    json=judgement(judgement_id),
                    headers={"X-CSRF-Token": csrf},
                )
            except httpx.TransportError:
                with lock:
                    cut_off.append(judgement_id)
                return  # the server is gone: this write may or may not have been kept
            with lock:
                if answer.status_code == 201:
                    assert answer.json()["id"] == judgement_id
                    acknowledged.append(judgement_id)
                else:
                    refused.append(f"{answer.status_code} {answer.text[:200]}")

    with ThreadPoolExecutor(WRITERS) as pool:
        futures = [pool.submit(write_until_stopped, w) for w in range(WRITERS)]
        deadline = time.monotonic() + BURST_TIMEOUT
        while time.monotonic() < deadline and len(acknowledged) < ACKS_BEFORE_KILL:
            time.sleep(0.01)
        server.kill()  # requests are in flight: the writers never stop on their own first
        stop.set()
        for future in futures:
            future.result(timeout=REQUEST_TIMEOUT + 5)
    client.close()
    assert not refused, refused[:5]
    assert acknowledged, f"no write was acknowledged before the kill: {server.log_tail()}"

    server.start()  # on the same database
    reader = CaseStore.open(seeded)
    try:
        present = {j.id for j in reader.get_case(CASE).judgements}
        lost = sorted(set(acknowledged) - present)
        assert not lost, f"{len(lost)} of {len(acknowledged)} acknowledged writes lost: {lost}"
        verification = reader.verify_audit()
        assert verification.ok, verification
        print(
            f"acknowledged {len(acknowledged)}, cut off by the kill {len(cut_off)} "
            f"(kept {len(set(cut_off) & present)}), lost 0, audit chain of "
            f"{verification.entries} entries intact"
        )
    finally:
        reader.close()

    client, csrf = signed_in(server.url)
    try:
        answer = client.post(
            f"/api/cases/{CASE}/judgements",
            json=judgement("after-restart"),
            headers={"X-CSRF-Token": csrf},
        )
    finally:
        client.close()
    assert answer.status_code == 201, answer.text[:500]
