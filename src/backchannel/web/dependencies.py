"""The dependencies every route builds on: the session, the CSRF guard and case access.

Those that only look at the request or the app are ``async``, so that FastAPI runs them on
the event loop instead of handing each to the thread pool (a hop costs more than their
work); those that query the store stay synchronous and run in the pool.

``case_access(action)`` is the one gate of every route under ``/cases/{case_id}`` and
``/api/cases/{case_id}``: it finds the signed-in user (else 401, or the login page), asks
the store for their role in the case, answers 404 when they hold none, exactly as for a
case that does not exist, and 403 when their role does not allow the action. A test walks
every route with ``{case_id}`` in its path and fails if one does not go through it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request

from backchannel.auth import Action, Role, WebSession, permitted
from backchannel.model.case import Case
from backchannel.model.limits import RECORD_ID_PATTERN
from backchannel.store.service import CaseStore
from backchannel.web.analysis_cache import AnalysisCache
from backchannel.web.context import web_context
from backchannel.web.errors import CaseNotFound, CsrfRejected, Forbidden, NotSignedIn
from backchannel.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    MAX_TOKEN_LENGTH,
    UNSAFE_METHODS,
    tokens_match,
)

#: The attribute that marks a route handler as taking posts before any session exists.
PRE_SESSION = "_backchannel_pre_session"
#: The attribute of a ``case_access`` dependency naming the action it requires.
REQUIRED_ACTION = "required_action"

F = TypeVar("F", bound=Callable[..., Any])

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

_CASE_ID = re.compile(RECORD_ID_PATTERN)


def pre_session(handler: F) -> F:
    """Mark ``handler`` (the login form's post) as checked against the pre-session cookie."""
    setattr(handler, PRE_SESSION, True)
    return handler


async def store(request: Request) -> CaseStore:
    """The app's store (acting for nobody in particular: take ``acting_as`` to write)."""
    return web_context(request).store


StoreDep = Annotated[CaseStore, Depends(store)]


async def analyses(request: Request) -> AnalysisCache:
    """The app's cache of case analyses."""
    return web_context(request).analyses


Analyses = Annotated[AnalysisCache, Depends(analyses)]


def session_token(request: Request) -> str | None:
    """The session token the browser sent, if it looks like one."""
    token = request.cookies.get(web_context(request).cookies.session_cookie)
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return token


def optional_session(request: Request, case_store: StoreDep) -> WebSession | None:
    """The live session of this request's cookie, or ``None`` (no cookie, ended, disabled)."""
    token = session_token(request)
    if token is None:
        return None
    session = case_store.session(token)
    if session is None or session.user.disabled or session.expires_at <= dt.datetime.now(dt.UTC):
        return None
    return session


OptionalSession = Annotated[WebSession | None, Depends(optional_session)]


async def signed_in(session: OptionalSession) -> WebSession:
    """The live session; ``NotSignedIn`` without one."""
    if session is None:
        raise NotSignedIn
    return session


SignedIn = Annotated[WebSession, Depends(signed_in)]


async def submitted_csrf_token(request: Request) -> str | None:
    """The CSRF token a request carries: the header, else the form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in FORM_TYPES:
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def csrf_guard(request: Request, session: OptionalSession) -> None:
    """Refuse a state-changing request that does not carry the right CSRF token.

    Applied to every route of the app. The login form's post is checked against its
    pre-session cookie; any other with a session against the session's token. A request
    without a session changes nothing: the routes that act require a user and refuse it.
    """
    if request.method not in UNSAFE_METHODS:
        return
    web = web_context(request)
    endpoint = getattr(request.scope.get("route"), "endpoint", None)
    if getattr(endpoint, PRE_SESSION, False):
        cookie = request.cookies.get(web.cookies.login_cookie)
        if not web.login_forms.verify(cookie, await submitted_csrf_token(request)):
            raise CsrfRejected
        return
    if session is not None and not tokens_match(
        session.csrf_token, await submitted_csrf_token(request)
    ):
        raise CsrfRejected


@dataclass(frozen=True)
class CaseAccess:
    """A signed-in user's access to one case: their role and a store acting for them."""

    case_id: str
    session: WebSession
    role: Role | None
    store: CaseStore
    memory: AnalysisCache

    def case(self) -> Case:
        """The case as stored now (from the app's memory while it has not changed)."""
        return self.memory.case(self.store, self.case_id)

    def allows(self, action: Action | str) -> bool:
        """Whether the user may also do ``action`` in this case."""
        return permitted(self.session.user.role, self.role, action)

    def require(self, action: Action | str) -> None:
        """Refuse (403) unless the user may do ``action`` in this case."""
        if not self.allows(action):
            raise Forbidden


def case_access(action: Action | str) -> Callable[..., CaseAccess]:
    """The dependency that lets a request at one case through only for ``action``.

    Not signed in: 401 (the login page for pages). Signed in but holding no role in the
    case (or the case does not exist): 404, the same answer either way. A role that does
    not allow ``action``: 403. An administrator is let through for the actions of their own
    row (the audit trail) in a case that exists, member or not, as the permission table says.
    """
    wanted = Action(action)

    def dependency(
        case_id: str, session: SignedIn, case_store: StoreDep, memory: Analyses
    ) -> CaseAccess:
        if not _CASE_ID.fullmatch(case_id):
            # no case has such an id; and a NUL in it would fail the query on PostgreSQL
            raise CaseNotFound
        role = case_store.membership(case_id, session.user.name)
        if role is None and not (
            permitted(session.user.role, None, wanted) and _exists(case_store, case_id)
        ):
            raise CaseNotFound
        if not permitted(session.user.role, role, wanted):
            raise Forbidden
        return CaseAccess(case_id, session, role, case_store.acting_as(session.user.name), memory)

    setattr(dependency, REQUIRED_ACTION, wanted)
    dependency.__name__ = f"case_access_{wanted.value.replace('.', '_')}"
    return dependency


def _exists(case_store: CaseStore, case_id: str) -> bool:
    return case_store.case_version(case_id) is not None
