"""Benchmark: the web workspace under 50 signed-in users, and under a kill in mid-write.

Starts the app as ``backchannel serve`` would (uvicorn, ``--workers`` processes, 2 by
default: one per core here) in a subprocess on 127.0.0.1 and a free port (development
settings; an SQLite store in a temporary folder, or PostgreSQL with ``--database-url`` in a
schema of its own that is dropped afterwards), loads the three example cases and 50 users,
each an analyst member of every case, and signs them all in at once through the login form
(as a team behind one proxy would, which must not lock the proxy's address). Then:

- **load** (default): 50 concurrent users browse the case list (``/``) and the dashboards
  (``/cases/{id}``) for ``--seconds`` (60; ``--quick``: 10) each phase. A user reads a
  page before opening the next: ``--think`` seconds on average (1.0, drawn uniformly from
  half to one and a half times that). Three phases run: the baseline, ``GET /healthz`` (no
  sign-in, no work) under the same users; the pages under the same users (this is the
  goal's measure: p99 <= 200 ms, no errors); and the pages with no pause at all (every
  user a script requesting as fast as answers come: the saturation throughput, where
  latency is simply users / throughput). Prints p50/p95/p99 latency, requests per second
  and errors of each, and the ratio of the pages' p99 to the baseline's (what sign-in,
  access checks and rendering cost). The client shares the machine with the server: on a
  small machine the figures include the client's own work.
- **--crash**: every client posts judgements for ``--seconds``, the server (its whole
  process group) is killed with SIGKILL in the middle of it, started again on the same
  database, and every write it had acknowledged (201) is looked for. Prints acknowledged,
  present, lost (must be 0), whether the audit chain verifies and whether every case's
  stored content still matches the digest of its last audited change.

Loopback only; every wait is bounded. Run:
``.venv/bin/python benchmarks/web.py [--quick] [--crash] [--workers N] [--think S]
[--database-url postgresql://...]``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from backchannel.casefile import load_case
from backchannel.settings import DEVELOPMENT_WEB_SECRET, Settings
from backchannel.store.service import CaseStore

HOST = "127.0.0.1"
EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "backchannel" / "data" / "examples"
PASSWORD = "a long enough benchmark password"
GOAL_P99_MS = 200.0
START_TIMEOUT = 120.0
REQUEST_TIMEOUT = 30.0

FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')

#: The app as ``backchannel serve`` runs it, settings from the environment; no access log.
SERVE = (
    "import sys, uvicorn\n"
    "uvicorn.run('backchannel.web.app:app_from_environment', factory=True,"
    " host=sys.argv[1], port=int(sys.argv[2]), workers=int(sys.argv[3]),"
    " server_header=False, log_level='warning')\n"
)


# --- the database and the server --------------------------------------------------------


@contextmanager
def database(url: str | None, folder: Path) -> Iterator[str]:
    """SQLite in ``folder``, or a fresh schema of the PostgreSQL at ``url`` (dropped after)."""
    if not url:
        yield f"sqlite:///{folder / 'cases.sqlite'}"
        return
    base = url.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"bc_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def seed(settings: Settings, users: int) -> tuple[list[str], list[str]]:
    """Store the example cases and ``users`` analysts, each a member of every case."""
    store = CaseStore.open(settings)
    try:
        cases = [load_case(path) for path in sorted(EXAMPLES.glob("*.yaml"))]
        store.save_cases(cases)
        names = [f"bench{i:03d}" for i in range(users)]
        for name in names:
            store.add_user(name, "analyst", PASSWORD)
            for case in cases:
                store.add_member(case.id, name, "analyst")
        return [case.id for case in cases], names
    finally:
        store.close()


def free_port() -> int:
    """A port nobody listens on at the moment, on the loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class Server:
    """The app under uvicorn in a subprocess on the loopback."""

    def __init__(self, settings: Settings, log: Path, workers: int) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("BACKCHANNEL_")}
        self.env.update(
            BACKCHANNEL_DATA_DIR=str(settings.data_dir),
            BACKCHANNEL_DATABASE_URL=settings.resolved_database_url,
            BACKCHANNEL_KEY_FILE=str(settings.resolved_key_file),
            BACKCHANNEL_ENVIRONMENT="development",
            BACKCHANNEL_WEB_SECRET=DEVELOPMENT_WEB_SECRET,
            BACKCHANNEL_USER="bench-server",
        )
        self.log = log
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> float:
        """Start on a free port; the seconds until ``/healthz`` answered."""
        began = time.monotonic()
        port = free_port()
        self.url = f"http://{HOST}:{port}"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", SERVE, HOST, str(port), str(self.workers)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: workers die with it
            )
        while time.monotonic() - began < START_TIMEOUT:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return time.monotonic() - began
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not answer within {START_TIMEOUT} s")

    def kill(self) -> None:
        """SIGKILL to the server and its workers, and wait for it to be gone."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """End the server if it still runs."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


# --- clients ------------------------------------------------------------------------------


@dataclass
class User:
    """A signed-in browser: its client and its session's CSRF token."""

    name: str
    client: httpx.AsyncClient
    csrf: str = ""


async def sign_in(url: str, name: str) -> User:
    """Sign ``name`` in through the login form."""
    limits = httpx.Limits(max_connections=1)
    client = httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT, limits=limits)
    form = await client.get("/login")
    match = FORM_TOKEN.search(form.text)
    if form.status_code != 200 or not match:
        raise RuntimeError(f"no login form: {form.status_code}")
    answer = await client.post(
        "/login",
        data={"username": name, "password": PASSWORD, "csrf_token": match.group(1), "next": "/"},
    )
    if answer.status_code != 303:
        raise RuntimeError(f"{name} was not signed in: {answer.status_code}")
    page = await client.get("/")
    token = META_TOKEN.search(page.text)
    if not token:
        raise RuntimeError(f"{name}: no CSRF token on the case list")
    return User(name, client, token.group(1))


async def sign_in_all(url: str, names: list[str]) -> list[User]:
    """Sign every user in, all at once."""
    return list(await asyncio.gather(*(sign_in(url, name) for name in names)))


@dataclass
class Run:
    """The requests of one timed phase."""

    label: str
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    by_path: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    first_errors: list[str] = field(default_factory=list)

    def error(self, what: str) -> None:
        """Count a failed request; keep the first few."""
        self.errors += 1
        if len(self.first_errors) < 5:
            self.first_errors.append(what)

    def percentile(self, q: int) -> float:
        """The ``q``-th percentile latency, in milliseconds."""
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else float("nan")
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[q - 1]

    def report(self) -> None:
        """Print the phase's figures."""
        count = len(self.latencies_ms) + self.errors
        print(
            f"{self.label:<34} {count:>7} requests {count / self.seconds:>8.1f}/s   "
            f"p50 {self.percentile(50):7.1f} ms  p95 {self.percentile(95):7.1f} ms  "
            f"p99 {self.percentile(99):7.1f} ms   errors {self.errors}"
        )
        if len(self.by_path) > 1:
            for path, latencies in sorted(self.by_path.items()):
                part = Run(path, self.seconds, latencies)
                print(
                    f"    {path:<40} {len(latencies):>7} ok "
                    f"p50 {part.percentile(50):7.1f} ms  p95 {part.percentile(95):7.1f} ms  "
                    f"p99 {part.percentile(99):7.1f} ms"
                )
        for what in self.first_errors:
            print(f"    {what}")


async def browse(
    users: list[User], paths: Callable[[int], Iterator[str]], run: Run, think: float
) -> None:
    """Every user requests their paths one after another until ``run.seconds`` have passed,
    pausing ``think`` seconds on average (uniformly 0.5-1.5 times it) after each answer."""
    deadline = time.monotonic() + run.seconds
    pauses = random.Random(len(users))

    async def one(index: int, user: User) -> None:
        if think:  # users do not all arrive in the same millisecond
            await asyncio.sleep(pauses.uniform(0, think))
        for path in paths(index):
            if time.monotonic() >= deadline:
                return
            began = time.perf_counter()
            try:
                answer = await user.client.get(path)
            except httpx.HTTPError as exc:
                run.error(f"{path}: {type(exc).__name__}: {exc}")
                continue
            elapsed = (time.perf_counter() - began) * 1000
            if answer.status_code == 200:
                run.latencies_ms.append(elapsed)
                run.by_path.setdefault(path, []).append(elapsed)
            else:
                run.error(f"{path}: {answer.status_code}")
            if think:
                await asyncio.sleep(pauses.uniform(0.5 * think, 1.5 * think))

    await asyncio.gather(*(one(i, user) for i, user in enumerate(users)))


# --- the two modes ------------------------------------------------------------------------


async def load(
    url: str, case_ids: list[str], names: list[str], seconds: float, think: float
) -> None:
    """The pages against the health check, under the same concurrent users."""
    began = time.monotonic()
    users = await sign_in_all(url, names)
    print(f"signed in {len(users)} users at once in {time.monotonic() - began:.1f} s")
    pages = ["/", *(f"/cases/{case_id}" for case_id in case_ids)]

    def rotation(index: int) -> Iterator[str]:
        return itertools.islice(itertools.cycle(pages), index % len(pages), None)

    try:
        # Every user opens every page once, so that each server process has read and
        # analysed every case: the phases measure a server in use, not one starting.
        warm = Run("warm-up (not counted)", seconds=START_TIMEOUT)
        await browse(users, lambda i: iter(pages), warm, 0.0)

        baseline = Run(f"baseline GET /healthz, think {think:g} s", seconds=seconds)
        await browse(users, lambda i: itertools.repeat("/healthz"), baseline, think)
        baseline.report()

        browsing = Run(f"case list + dashboards, think {think:g} s", seconds=seconds)
        await browse(users, rotation, browsing, think)
        browsing.report()

        flooding = Run("case list + dashboards, no pause", seconds=seconds)
        await browse(users, rotation, flooding, 0.0)
        flooding.report()
    finally:
        await asyncio.gather(*(user.client.aclose() for user in users))

    ratio = browsing.percentile(99) / baseline.percentile(99)
    print(f"p99 pages / p99 baseline: {ratio:.1f}x")
    met = browsing.percentile(99) <= GOAL_P99_MS and browsing.errors == 0
    print(
        f"goal p99 <= {GOAL_P99_MS:.0f} ms with no errors, {len(users)} users browsing: "
        f"{'met' if met else 'NOT met'} (p99 {browsing.percentile(99):.1f} ms, "
        f"{browsing.errors} errors)"
    )
    rate = (len(flooding.latencies_ms) + flooding.errors) / flooding.seconds
    print(
        f"saturation with no pause: {rate:.0f} pages/s, p50 {flooding.percentile(50):.0f} ms "
        f"(about {len(users)} users / {rate:.0f} per s), {flooding.errors} errors"
    )


async def crash(
    server: Server, settings: Settings, case_ids: list[str], names: list[str], seconds: float
) -> None:
    """Writes from every user, SIGKILL after ``seconds``, restart, look for every ack."""
    users = await sign_in_all(server.url, names)
    acknowledged: list[tuple[str, str]] = []
    refused: list[str] = []
    cut_off = 0
    counter = itertools.count()
    killed = asyncio.Event()

    async def write(index: int, user: User) -> None:
        nonlocal cut_off
        while not killed.is_set():
            number = next(counter)
            case_id = case_ids[(index + number) % len(case_ids)]
            judgement_id = f"crash-{user.name}-{number}"
            body = {
                "id": judgement_id,
                "subject": "condition:cohesion",
                "finding": f"Command holds together ({judgement_id}).",
                "evidence": "Two defectors' accounts agree.",
            }
            try:
                answer = await user.client.post(
                    f"/api/cases/{case_id}/judgements",
                    json=body,
                    headers={"X-CSRF-Token": user.csrf},
                )
            except httpx.HTTPError:
                cut_off += 1
                return
            if answer.status_code == 201:
                acknowledged.append((case_id, judgement_id))
            else:
                refused.append(f"{answer.status_code} {answer.text[:200]}")

    async def kill_later() -> None:
        await asyncio.sleep(seconds)
        server.kill()
        killed.set()

    began = time.monotonic()
    try:
        await asyncio.gather(kill_later(), *(write(i, user) for i, user in enumerate(users)))
    finally:
        await asyncio.gather(*(user.client.aclose() for user in users))
    burst = time.monotonic() - began
    print(
        f"{len(acknowledged)} writes acknowledged in {burst:.1f} s "
        f"({len(acknowledged) / burst:.1f}/s), {cut_off} cut off by SIGKILL, "
        f"{len(refused)} refused"
    )
    for what in refused[:5]:
        print(f"    refused: {what}")

    restart = server.start()
    print(f"restarted on the same database in {restart:.1f} s")
    store = CaseStore.open(settings)
    try:
        present = {
            (case_id, judgement.id)
            for case_id in case_ids
            for judgement in store.get_case(case_id).judgements
        }
        lost = [ack for ack in acknowledged if ack not in present]
        verification = store.verify_audit()
        content_problems = store.verify_contents()
    finally:
        store.close()
    kept = len(set(acknowledged) & present)
    print(
        f"acknowledged {len(acknowledged)}, present {kept}, lost {len(lost)} (must be 0), "
        f"audit chain of {verification.entries} entries "
        f"{'intact' if verification.ok else f'BROKEN at {verification.first_bad_seq}'}, "
        f"stored content matching the log: "
        f"{'yes' if not content_problems else f'NO ({len(content_problems)} problems)'}"
    )
    for problem in content_problems[:5]:
        print(f"    content: {problem.describe()}")
    for case_id, judgement_id in lost[:10]:
        print(f"    lost: {case_id} {judgement_id}")


def main() -> None:
    """Parse the options, set the store and the server up, run the chosen mode."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each phase")
    parser.add_argument("--quick", action="store_true", help="10 s phases")
    parser.add_argument("--users", type=int, default=50, help="concurrent signed-in users")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: SQLite in a temp dir)")
    parser.add_argument("--crash", action="store_true", help="writes, SIGKILL, restart, check")
    parser.add_argument("--workers", type=int, default=2, help="server processes (default 2)")
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean pause between a user's pages (s)"
    )
    options = parser.parse_args()
    seconds = 10.0 if options.quick else options.seconds

    with tempfile.TemporaryDirectory(prefix="backchannel-web-bench-") as folder:
        root = Path(folder)
        with database(options.database_url, root) as url:
            settings = Settings(
                data_dir=root / "data",
                database_url=url,
                secret_key=None,
                key_file=root / "keyring.json",
                user="bench-setup",
                mirror=None,
            )
            began = time.monotonic()
            case_ids, names = seed(settings, options.users)
            kind = "PostgreSQL" if options.database_url else "SQLite"
            print(
                f"{kind}: {len(case_ids)} cases, {len(names)} users seeded in "
                f"{time.monotonic() - began:.1f} s"
            )
            server = Server(settings, root / "server.log", options.workers)
            try:
                print(
                    f"server up in {server.start():.1f} s at {server.url}, "
                    f"{options.workers} worker(s)"
                )
                if options.crash:
                    asyncio.run(crash(server, settings, case_ids, names, seconds))
                else:
                    asyncio.run(load(server.url, case_ids, names, seconds, options.think))
            finally:
                server.stop()


if __name__ == "__main__":
    main()
