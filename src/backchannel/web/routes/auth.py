"""Signing in and out.

The login form is served with a fresh pre-session cookie and its token; its post is checked
against them by the CSRF guard before the password is. A failed login says only that the
name or password was wrong, whichever it was; a locked-out name or address is told when to
try again. A successful login starts a new session (a new token: nothing an attacker could
have planted before carries over) and goes where the user was sent from, on this site only.
The session cookie is ``__Host-`` prefixed in production (see ``security.CookiePolicy``).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from backchannel.errors import AuthenticationError, LockedOutError
from backchannel.web.context import web_context
from backchannel.web.dependencies import OptionalSession, StoreDep, pre_session, session_token
from backchannel.web.security import CSRF_FIELD, safe_next
from backchannel.web.views import render

router = APIRouter(include_in_schema=False)

LOGIN_FAILED = "The user name or password is not right."


def login_page(
    request: Request, next_path: str, *, message: str | None = None, status: int = 200
) -> Response:
    """The login form, with a new pre-session cookie and the token that matches it."""
    web = web_context(request)
    form_token, cookie = web.login_forms.issue()
    response = render(
        request,
        "login.html",
        status=status,
        form_token=form_token,
        csrf_field=CSRF_FIELD,
        next_path=safe_next(next_path),
        message=message,
    )
    web.cookies.set_login(response, cookie)
    return response


@router.get("/login", name="login")
def login_form(
    request: Request,
    session: OptionalSession,
    next_path: Annotated[str, Query(alias="next", max_length=2000)] = "/",
) -> Response:
    """The login form; a signed-in user goes straight on."""
    if session is not None:
        return RedirectResponse(safe_next(next_path), status_code=303)
    return login_page(request, next_path)


@router.post("/login", name="login_submit")
@pre_session
def login(
    request: Request,
    case_store: StoreDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next_path: Annotated[str, Form(alias="next", max_length=2000)] = "/",
) -> Response:
    """Check the name and password; start a session and go on, or show the form again."""
    web = web_context(request)
    if "\x00" in username:
        # no user's name holds a NUL, and PostgreSQL could not even look one up
        return login_page(request, next_path, message=LOGIN_FAILED, status=401)
    source = f"web:{request.client.host if request.client else 'unknown'}"
    try:
        user = case_store.authenticate(username.strip().lower(), password, source=source)
    except LockedOutError as locked:
        minutes = max(1, math.ceil(locked.retry_after / 60))
        response = login_page(
            request,
            next_path,
            message=(
                "Too many failed sign-in attempts for this name or from this address. "
                f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
            ),
            status=429,
        )
        response.headers["Retry-After"] = str(max(1, locked.retry_after))
        return response
    except AuthenticationError:
        return login_page(request, next_path, message=LOGIN_FAILED, status=401)
    token, session = case_store.open_session(user.name)
    response = RedirectResponse(safe_next(next_path), status_code=303)
    lifetime = (session.expires_at - dt.datetime.now(dt.UTC)).total_seconds()
    web.cookies.set_session(response, token, lifetime)
    web.cookies.clear_login(response)
    return response


@router.post("/logout", name="logout")
def logout(request: Request, case_store: StoreDep, session: OptionalSession) -> Response:
    """End the session (if any) and go to the login form."""
    token = session_token(request)
    if session is not None and token is not None:
        case_store.close_session(token)
    response = RedirectResponse("/login", status_code=303)
    web_context(request).cookies.clear_session(response)
    return response
