"""A local stand-in for the producers' servers, on 127.0.0.1, for end-to-end pull tests.

Files are served from a folder laid out by host, as ``settings.upstream_base`` expects:
``https://ucdp.uu.se/downloads/x.zip`` is asked for as ``/ucdp.uu.se/downloads/x.zip``.
The server sends ETag and Last-Modified, answers conditional requests (304) and Range
requests (206, with ``If-Range``), and can be told to misbehave per path: answer 500 a
number of times, stall before answering, cut the body short (with or without a
Content-Length), ignore conditional requests, or publish a wrong SHA-256. It also plays
ACLED's OAuth and read endpoints over a list of events. Every request is logged.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Any

ACLED_EMAIL = "analyst@example.org"
ACLED_PASSWORD = "correct horse battery staple"
ACLED_TOKEN = "token-for-the-test"


@dataclass
class Fault:
    """How the server misbehaves on one path; counters run down as requests come."""

    errors: int = 0  # answer 500 to the next this many requests
    error_status: int = 500
    stall: float = 0.0  # seconds to wait before answering each request
    cut: int = 0  # cut the body of the next this many full answers in half
    cut_without_length: bool = False  # ...and send no Content-Length with them
    ignore_conditional: bool = False
    wrong_digest: bool = False
    digest: bool = False  # publish the file's SHA-256 in Repr-Digest


@dataclass
class Logged:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    status: int
    form: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Upstream:
    """The server's state: where files live, the faults, the ACLED events, the log."""

    root: Path
    base: str = ""
    faults: dict[str, Fault] = field(default_factory=dict)
    acled_events: list[dict[str, Any]] = field(default_factory=list)
    log: list[Logged] = field(default_factory=list)
    arrivals: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    generation: int = 0  # bumped by reset: a request that began before is not logged

    def fault(self, path: str) -> Fault:
        """The fault of ``path`` (``/host/...``), created blank when absent."""
        return self.faults.setdefault(path, Fault())

    def requests(self, path: str) -> list[Logged]:
        """The requests logged for ``path``."""
        return [r for r in self.log if r.path == path]

    def reset(self) -> None:
        """Forget faults, events and the log (the files stay)."""
        with self.lock:
            self.faults.clear()
            self.acled_events.clear()
            self.log.clear()
            self.arrivals.clear()
            self.generation += 1

    def url_path(self, url: str) -> str:
        """The path a producer's ``url`` is served at here."""
        parsed = urllib.parse.urlsplit(url)
        return f"/{parsed.hostname}{parsed.path}"

    def place(self, url: str, data: bytes) -> Path:
        """Serve ``data`` at the producer's ``url``."""
        target = self.root / self.url_path(url).lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return target


def _etag(data: bytes) -> str:
    return '"' + hashlib.sha256(data).hexdigest()[:16] + '"'


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream: Upstream

    def log_message(self, format: str, *args: object) -> None:
        pass

    def handle_one_request(self) -> None:
        self.generation = self.upstream.generation
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a timeout under test)

    def _record(self, status: int, form: dict[str, list[str]] | None = None) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        with self.upstream.lock:
            if self.generation != self.upstream.generation:
                return  # a request of an earlier test, answered late
            self.upstream.log.append(
                Logged(
                    self.command,
                    parsed.path,
                    urllib.parse.parse_qs(parsed.query),
                    dict(self.headers.items()),
                    status,
                    form or {},
                )
            )

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        if path != "/acleddata.com/oauth/token":
            self._record(404, form)
            self._send(404, b"not found")
            return
        expected = {
            "username": [ACLED_EMAIL],
            "password": [ACLED_PASSWORD],
            "grant_type": ["password"],
            "client_id": ["acled"],
        }
        if form != expected:
            self._record(401, form)
            self._send(401, b'{"error": "invalid_grant"}', {"Content-Type": "application/json"})
            return
        self._record(200, form)
        body = json.dumps({"access_token": ACLED_TOKEN, "expires_in": 86400}).encode()
        self._send(200, body, {"Content-Type": "application/json"})

    def do_GET(self) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        if parsed.path == "/acleddata.com/api/acled/read":
            self._acled_read(urllib.parse.parse_qs(parsed.query))
            return
        with self.upstream.lock:  # counted on arrival, before any stall
            arrived = self.upstream.arrivals.get(parsed.path, 0)
            self.upstream.arrivals[parsed.path] = arrived + 1
        fault = self.upstream.faults.get(parsed.path, Fault())
        if fault.stall:
            time.sleep(fault.stall)
        with self.upstream.lock:
            failing = fault.errors > 0
            if failing:
                fault.errors -= 1
        if failing:
            self._record(fault.error_status)
            self._send(fault.error_status, b"server error")
            return
        target = self.upstream.root / parsed.path.lstrip("/")
        if not target.is_file():
            self._record(404)
            self._send(404, b"not found")
            return
        self._file(target.read_bytes(), target.stat().st_mtime, fault)

    def _file(self, data: bytes, mtime: float, fault: Fault) -> None:
        etag = _etag(data)
        modified = formatdate(mtime, usegmt=True)
        headers = {"ETag": etag, "Last-Modified": modified, "Accept-Ranges": "bytes"}
        if fault.digest or fault.wrong_digest:
            digest = hashlib.sha256(b"other" if fault.wrong_digest else data).digest()
            headers["Repr-Digest"] = f"sha-256=:{base64.b64encode(digest).decode()}:"
        match = self.headers.get("If-None-Match")
        if match is not None and match == etag and not fault.ignore_conditional:
            self._record(304)
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start = 0
        wanted = self.headers.get("Range")
        if wanted and self.headers.get("If-Range") in (None, etag, modified):
            start = int(wanted.removeprefix("bytes=").split("-")[0])
            if start >= len(data):
                self._record(416)
                self._send(416, b"", {"Content-Range": f"bytes */{len(data)}"})
                return
        body = data[start:]
        status = 206 if start else 200
        if start:
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        with self.upstream.lock:
            cutting = fault.cut > 0
            if cutting:
                fault.cut -= 1
        self._record(status)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if cutting and fault.cut_without_length:
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if cutting:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def _acled_read(self, query: dict[str, list[str]]) -> None:
        if self.headers.get("Authorization") != f"Bearer {ACLED_TOKEN}":
            self._record(401)
            self._send(401, b'{"error": "unauthorised"}')
            return
        since = query.get("event_date", [""])[0]
        where = query.get("event_date_where", [""])[0]
        limit = int(query.get("limit", ["500"])[0])
        page = int(query.get("page", ["1"])[0])
        countries = set(query["country"][0].split("|")) if "country" in query else None
        with self.upstream.lock:
            events = [
                e
                for e in self.upstream.acled_events
                if (where != ">=" or e["event_date"] >= since)
                and (countries is None or e["country"] in countries)
            ]
        events.sort(key=lambda e: e["event_date"], reverse=True)
        chunk = events[(page - 1) * limit : page * limit]
        self._record(200)
        body = json.dumps({"status": 200, "success": True, "count": len(chunk), "data": chunk})
        self._send(200, body.encode(), {"Content-Type": "application/json"})


@contextmanager
def serving(root: Path) -> Iterator[Upstream]:
    """A server over ``root`` on a free port of 127.0.0.1, stopped on exit."""
    upstream = Upstream(root=root)
    handler = type("Handler", (_Handler,), {"upstream": upstream})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    upstream.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield upstream
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
