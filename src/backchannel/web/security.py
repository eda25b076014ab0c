"""What keeps the web workspace safe in a browser: headers, cookies, CSRF tokens, the secret.

- **Headers.** Every response says what the page may load (only our own files: no inline
  script or style, no frame around it, forms post only to us), that content types are not
  to be guessed, that no referrer leaves, and that pages and API answers are never cached,
  since they hold case data. Static files are cacheable; everything else is ``no-store``.
- **Session cookie.** ``__Host-backchannel_session`` (``backchannel_session`` in
  development) holds a random token whose SHA-256 the store keeps: HttpOnly (no script
  reads it), SameSite=Strict (no other site's page sends it), Secure except in development
  over plain HTTP, for the whole site. The ``__Host-`` prefix makes browsers accept the
  cookie only from this very host, over HTTPS, with Path=/ and no Domain: a sibling
  subdomain cannot plant or overwrite it. Plain HTTP cannot set such a cookie, hence the
  plain name in development.
- **CSRF.** Every state-changing request of a signed-in user carries the session's CSRF
  token (form field ``csrf_token`` or header ``X-CSRF-Token``). The login form has no
  session yet: it carries a random token that must equal the one in a short-lived
  pre-session cookie signed with the web secret (a signed double submit).
- **The web secret** signs that cookie. Production refuses to start without a strong one:
  long enough, not the documented development value, and not made of a few characters
  repeated (``aaaa...``), which any length cannot make strong.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from fastapi import Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backchannel.errors import ConfigurationError
from backchannel.settings import (
    DEVELOPMENT_WEB_SECRET,
    MIN_WEB_SECRET_DISTINCT_CHARACTERS,
    MIN_WEB_SECRET_LENGTH,
    Settings,
)

logger = logging.getLogger("backchannel.web")

#: The session cookie's name; ``__Host-`` prefixed when Secure (production), so that no
#: other host (a sibling subdomain) can plant or overwrite it.
SESSION_COOKIE = "backchannel_session"
#: The pre-session cookie of the login form; ``__Host-`` prefixed when Secure, likewise.
LOGIN_COOKIE = "backchannel_login"
#: The prefix that binds a cookie to the host that set it (Secure, Path=/, no Domain).
HOST_PREFIX = "__Host-"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
#: Seconds a login form stays valid after it was served.
LOGIN_FORM_LIFETIME = 600
#: Longer cookie values than this are not even looked up.
MAX_TOKEN_LENGTH = 256
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)

#: Headers on every response, static files included.
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
#: Pages and API answers hold case data: never kept by a browser or a proxy.
NO_STORE = "no-store"


#: Production is served over HTTPS only (its cookies are Secure): browsers are told to
#: refuse plain HTTP for this host for a year (RFC 6797). Not for subdomains, which the
#: organisation may run otherwise.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"
#: The host names every workspace answers to, besides its own ``web_host``.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")
#: Listening addresses that are not names a browser would send as its Host.
WILDCARD_ADDRESSES = ("0.0.0.0", "::", "")  # noqa: S104 - compared with, never bound


def response_headers(path: str, static_prefix: str, *, https_only: bool = False) -> dict[str, str]:
    """The security headers for a response to ``path``: no caching unless a static file.

    ``https_only`` (production) adds ``Strict-Transport-Security``.
    """
    headers = dict(SECURITY_HEADERS)
    if https_only:
        headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
    if not path.startswith(static_prefix.rstrip("/") + "/"):
        headers["Cache-Control"] = NO_STORE
    return headers


def allowed_hosts(settings: Settings) -> list[str]:
    """The Host header values the app answers to: the setting, else the loopback names and
    the address it listens on (unless that is a wildcard)."""
    if settings.web_allowed_hosts:
        return list(settings.web_allowed_hosts)
    hosts = list(LOOPBACK_HOSTS)
    if settings.web_host not in WILDCARD_ADDRESSES and settings.web_host not in hosts:
        hosts.append(settings.web_host)
    return hosts


class SecurityHeadersMiddleware:
    """ASGI middleware that sets the security headers on every HTTP response it passes on."""

    def __init__(self, app: ASGIApp, *, static_prefix: str, https_only: bool = False) -> None:
        self.app = app
        self.static_prefix = static_prefix
        self.https_only = https_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response as it starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        extra = response_headers(path, self.static_prefix, https_only=self.https_only)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def tokens_match(expected: str, given: str | None) -> bool:
    """Whether ``given`` equals ``expected``, compared in constant time (any text accepted)."""
    if not given or not expected:
        return False
    return hmac.compare_digest(
        expected.encode("utf-8", "surrogatepass"), given.encode("utf-8", "surrogatepass")
    )


def web_secret_key(settings: Settings) -> bytes:
    """The key that signs pre-session cookies; refuses unsafe secrets in production.

    Production needs ``BACKCHANNEL_WEB_SECRET`` of at least 32 characters, at least 8 of
    them different, other than the development value the documentation shows. Development
    without one gets a random secret for this start only (login forms served before a
    restart then fail once).
    """
    secret = settings.web_secret.get_secret_value() if settings.web_secret else None
    if settings.environment == "production":
        if not secret:
            raise ConfigurationError(
                "BACKCHANNEL_WEB_SECRET is not set: production needs a secret of at least "
                f"{MIN_WEB_SECRET_LENGTH} characters (e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'), or set BACKCHANNEL_ENVIRONMENT=development"
            )
        if secret == DEVELOPMENT_WEB_SECRET:
            raise ConfigurationError(
                "BACKCHANNEL_WEB_SECRET is the documented development value: production needs "
                "a secret of its own"
            )
        if len(secret) < MIN_WEB_SECRET_LENGTH:
            raise ConfigurationError(
                f"BACKCHANNEL_WEB_SECRET has {len(secret)} characters: production needs at "
                f"least {MIN_WEB_SECRET_LENGTH}"
            )
        distinct = len(set(secret))
        if distinct < MIN_WEB_SECRET_DISTINCT_CHARACTERS:
            raise ConfigurationError(
                f"BACKCHANNEL_WEB_SECRET is made of only {distinct} different character"
                f"{'s' if distinct != 1 else ''}: production needs a random secret with at "
                f"least {MIN_WEB_SECRET_DISTINCT_CHARACTERS} (e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')"
            )
    elif not secret:
        logger.warning(
            "BACKCHANNEL_WEB_SECRET is not set: using a random secret for this start only "
            "(development); login forms open before a restart will have to be reloaded"
        )
        secret = secrets.token_urlsafe(48)
    return hashlib.sha256(b"backchannel web secret\x00" + secret.encode("utf-8")).digest()


@dataclass(frozen=True)
class LoginForms:
    """The signed double-submit tokens of the login form, which has no session yet.

    The form carries a random nonce; the pre-session cookie carries the same nonce, the
    moment it was issued and an HMAC over both. A post is accepted when the cookie's
    signature holds, it is no older than ``lifetime`` seconds and the form's nonce equals it.
    """

    key: bytes
    lifetime: int = LOGIN_FORM_LIFETIME
    clock: Callable[[], float] = time.time

    def issue(self) -> tuple[str, str]:
        """A new form token and the cookie value that goes with it."""
        nonce = secrets.token_urlsafe(32)
        issued = str(int(self.clock()))
        return nonce, f"{nonce}.{issued}.{self._signature(nonce, issued)}"

    def verify(self, cookie: str | None, form_token: str | None) -> bool:
        """Whether a posted form token matches a valid, recent pre-session cookie."""
        if not cookie or not form_token or len(cookie) > MAX_TOKEN_LENGTH:
            return False
        parts = cookie.split(".")
        if len(parts) != 3:
            return False
        nonce, issued, signature = parts
        if not tokens_match(self._signature(nonce, issued), signature):
            return False
        try:
            age = self.clock() - int(issued)
        except ValueError:
            return False
        return 0 <= age <= self.lifetime and tokens_match(nonce, form_token)

    def _signature(self, nonce: str, issued: str) -> str:
        message = f"login-form\x00{nonce}\x00{issued}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class CookiePolicy:
    """How the session and pre-session cookies are set and cleared."""

    secure: bool

    @classmethod
    def for_settings(cls, settings: Settings) -> CookiePolicy:
        """Secure, ``__Host-`` prefixed cookies in production; plain ones in development,
        where the workspace is served over plain HTTP on the loopback."""
        return cls(secure=settings.environment == "production")

    @property
    def session_cookie(self) -> str:
        """The session cookie's name (``__Host-`` prefixed when Secure)."""
        return self._named(SESSION_COOKIE)

    @property
    def login_cookie(self) -> str:
        """The pre-session cookie's name (``__Host-`` prefixed when Secure)."""
        return self._named(LOGIN_COOKIE)

    def set_session(self, response: Response, token: str, max_age: float) -> None:
        """Give the browser the session token, for no longer than the session lives."""
        self._set(response, self.session_cookie, token, max(0, math.floor(max_age)))

    def clear_session(self, response: Response) -> None:
        """Make the browser forget the session token."""
        self._clear(response, self.session_cookie)

    def set_login(self, response: Response, value: str) -> None:
        """Give the browser a login form's pre-session cookie."""
        self._set(response, self.login_cookie, value, LOGIN_FORM_LIFETIME)

    def clear_login(self, response: Response) -> None:
        """Make the browser forget the pre-session cookie."""
        self._clear(response, self.login_cookie)

    def _named(self, name: str) -> str:
        return HOST_PREFIX + name if self.secure else name

    def _set(self, response: Response, name: str, value: str, max_age: int) -> None:
        # a __Host- cookie must be Secure, for Path=/ and without Domain: all hold here
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            secure=self.secure,
            httponly=True,
            samesite=_STRICT,
        )

    def _clear(self, response: Response, name: str) -> None:
        response.delete_cookie(name, path="/", secure=self.secure, httponly=True, samesite=_STRICT)


_STRICT: Literal["strict"] = "strict"


def safe_next(target: str | None) -> str:
    """Where to go after login: a path on this site, else the case list.

    Only a local absolute path is followed (``/cases/x``); ``//host``, ``/\\host``, a
    scheme or control characters would send the user elsewhere and fall back to ``/``.
    """
    if (
        not target
        or len(target) > 2000
        or not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or any(ord(c) < 0x20 or c == "\\" for c in target)
        or target.startswith(("/login", "/logout"))
    ):
        return "/"
    return target
