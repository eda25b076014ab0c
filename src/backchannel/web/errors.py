"""How errors become HTTP answers, in one place: JSON for the API, a page for the rest.

One JSON shape for every error: ``{"error": {"status": 404, "code": "not_found",
"message": "..."}}``. A case that does not exist and a case the user is not a member of
get the very same answer, so that nobody learns which cases exist by asking for them.
Server-side failures say nothing of their cause (it is logged, not shown).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from backchannel.errors import (
    AuthenticationError,
    BackchannelError,
    ConflictError,
    DataUnavailableError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from backchannel.web.context import STATIC_PREFIX, is_api
from backchannel.web.security import response_headers
from backchannel.web.views import render

logger = logging.getLogger("backchannel.web")


class WebRefusal(Exception):
    """A request the web layer refuses; carries its status, code and message only."""

    status = 400
    code = "bad_request"
    message = "The request could not be understood."


class NotSignedIn(WebRefusal):
    """No live session: pages send the browser to the login form, the API answers 401."""

    status = 401
    code = "not_signed_in"
    message = "Sign in to continue."


class Forbidden(WebRefusal):
    """The user's role in the case does not allow the action."""

    status = 403
    code = "forbidden"
    message = "Your role in this case does not allow this."


class CsrfRejected(WebRefusal):
    """A state-changing request without the right CSRF token."""

    status = 403
    code = "csrf_failed"
    message = "This form has expired or did not come from this site. Reload the page and try again."


class Conflict(WebRefusal):
    """Something with that id already exists."""

    status = 409
    code = "conflict"
    message = "A case with this id already exists: choose another id."


class CaseNotFound(WebRefusal):
    """No such case, or not one the user is a member of: the same answer for both."""

    status = 404
    code = "not_found"
    message = "Not found."


#: Status, code and message of each error type; the most specific type wins. Messages of
#: server-side failures are generic: their details go to the log.
BACKCHANNEL_ERRORS: dict[type[BackchannelError], tuple[int, str, str | None]] = {
    NotFoundError: (404, CaseNotFound.code, CaseNotFound.message),
    ConflictError: (409, Conflict.code, None),
    InvalidInputError: (422, "invalid_input", None),
    PermissionDeniedError: (403, Forbidden.code, Forbidden.message),
    AuthenticationError: (401, NotSignedIn.code, NotSignedIn.message),
    DataUnavailableError: (503, "unavailable", "A data source is unavailable. Try again later."),
    BackchannelError: (500, "server_error", "Something went wrong on the server."),
}

TITLES = {
    400: "Bad request",
    401: "Sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Invalid request",
    500: "Server error",
    503: "Unavailable",
}


def problem(
    request: Request,
    status: int,
    code: str,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    details: list[Any] | None = None,
) -> Response:
    """The error answer: the JSON shape for the API, the error page for the rest."""
    if is_api(request) or str(request.scope["path"]).startswith(STATIC_PREFIX + "/"):
        body: dict[str, Any] = {"status": status, "code": code, "message": message}
        if details is not None:
            body["details"] = details
        return JSONResponse({"error": body}, status_code=status, headers=headers)
    return render(
        request,
        "error.html",
        status=status,
        headers=headers,
        title=TITLES.get(status, "Error"),
        message=message,
    )


def _refusal(request: Request, error: Exception) -> Response:
    assert isinstance(error, WebRefusal)
    if isinstance(error, NotSignedIn) and not is_api(request):
        login = "/login"
        if request.method == "GET":
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            login += "?" + urlencode({"next": here})
        if request.headers.get("HX-Request"):
            # htmx follows redirects inside the page; ask it to load the login page whole
            return Response(status_code=401, headers={"HX-Redirect": login})
        return RedirectResponse(login, status_code=303)
    return problem(request, error.status, error.code, error.message)


def _backchannel_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, BackchannelError)
    for kind in type(error).__mro__:
        if kind in BACKCHANNEL_ERRORS:
            status, code, message = BACKCHANNEL_ERRORS[kind]
            break
    if status >= 500:
        logger.error("%s: %s", type(error).__name__, error.message)
    details = None
    if isinstance(error, InvalidInputError):
        details = [
            {"location": problem_location(p.location), "message": p.message} for p in error.problems
        ]
    return problem(request, status, code, message or error.message, details=details)


def problem_location(location: str) -> list[str | int]:
    """A problem's location (``body.counterparts[0]``) as the parts validation errors give
    (``["body", "counterparts", 0]``)."""
    return [
        int(index) if index else name
        for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", location)
    ]


def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 404:
        return problem(request, 404, CaseNotFound.code, CaseNotFound.message)
    message = error.detail if isinstance(error.detail, str) else "The request was refused."
    code = TITLES.get(error.status_code, "error").lower().replace(" ", "_")
    return problem(request, error.status_code, code, message, headers=error.headers)


def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    details = [
        {"location": list(e.get("loc", ())), "message": e.get("msg", "")} for e in error.errors()
    ]
    return problem(request, 422, "invalid_request", "The request was not valid.", details=details)


def _unexpected(request: Request, error: Exception) -> Response:
    # Starlette answers these outside every middleware, so the security headers are set here.
    logger.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    response = problem(request, 500, "server_error", "Something went wrong on the server.")
    for name, value in response_headers(str(request.scope["path"]), STATIC_PREFIX).items():
        response.headers[name] = value
    return response


def install_error_handlers(app: FastAPI) -> None:
    """Map every error the app may meet to its answer."""
    app.add_exception_handler(WebRefusal, _refusal)
    app.add_exception_handler(BackchannelError, _backchannel_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
