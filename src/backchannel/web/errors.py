"""How errors become HTTP answers, in one place: JSON for the API, a page for the rest.

One JSON shape for every error: ``{"error": {"status": 404, "code": "not_found",
"message": "..."}}``. Every refused input, whether the request did not fit its model or a
write found it breaks the case's rules, is answered alike: 422, code ``invalid_input``, and
``details``, one ``{"location": [...], "message": "...", "line": n}`` per problem, whose
location is the list of path parts (``["body", "counterparts", 0]``) and whose line is null
unless the problem came from a line of a file.

A case that does not exist and a case the user is not a member of get the very same
answer, so that nobody learns which cases exist by asking for them. Server-side failures
say nothing of their cause (it is logged, not shown), except an installed designation list
that cannot be read: the page says which and how to reinstall it. No error text shown in a
page or a JSON body holds a path on the server: every absolute path is cut to its file's
name (``without_paths``), the full text going to the log.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from backchannel.datasets.designation_lists import InstalledListUnreadable
from backchannel.errors import (
    AmbiguousNameError,
    AuthenticationError,
    BackchannelError,
    ConfigurationError,
    ConflictError,
    DataUnavailableError,
    EncryptionKeyError,
    IntegrityError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    Problem,
    RedactionLeakError,
)
from backchannel.web.context import STATIC_PREFIX, is_api, web_context
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


class CaseNotFound(WebRefusal):
    """No such case, or not one the user is a member of: the same answer for both."""

    status = 404
    code = "not_found"
    message = "Not found."


#: The code of every refused input, whichever check refused it.
INVALID_INPUT = "invalid_input"

#: Status, code and message of each error type; the most specific type wins. Every class of
#: ``backchannel.errors`` is listed; one defined elsewhere derives from one of them.
#: Messages of server-side failures are generic: their details go to the log.
BACKCHANNEL_ERRORS: dict[type[BackchannelError], tuple[int, str, str | None]] = {
    InvalidInputError: (422, INVALID_INPUT, None),
    NotFoundError: (404, CaseNotFound.code, CaseNotFound.message),
    ConflictError: (409, "conflict", None),
    AmbiguousNameError: (409, "ambiguous_name", None),
    PermissionDeniedError: (403, Forbidden.code, Forbidden.message),
    AuthenticationError: (401, NotSignedIn.code, NotSignedIn.message),
    DataUnavailableError: (503, "unavailable", "A data source is unavailable. Try again later."),
    InstalledListUnreadable: (503, "list_unreadable", None),
    # the message names the sensitive forms: the reader is told only what they identify
    RedactionLeakError: (500, "redaction_leak", None),
    IntegrityError: (500, "server_error", "Something went wrong on the server."),
    EncryptionKeyError: (500, "server_error", "Something went wrong on the server."),
    ConfigurationError: (500, "server_error", "Something went wrong on the server."),
    BackchannelError: (500, "server_error", "Something went wrong on the server."),
}


def answer_for(kind: type[BackchannelError]) -> tuple[int, str, str | None]:
    """Status, code and fixed message (``None``: the error's own) for errors of ``kind``:
    those of the nearest type of its ancestry that ``BACKCHANNEL_ERRORS`` lists."""
    return next(BACKCHANNEL_ERRORS[base] for base in kind.__mro__ if base in BACKCHANNEL_ERRORS)


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


# An absolute path: a POSIX root or a Windows drive, any folders, then the last name. Not
# inside a word, a relative path or a URL (``https://host/a/b`` is left alone).
_ABSOLUTE_PATH = re.compile(
    r"(?<![\w.~/\\-])(?!//)"
    r"(?:[A-Za-z]:[\\/]|/)"
    r"(?:[^\s/\\'\"<>|:;,()]+[\\/])*"
    r"([^\s/\\'\"<>|:;,()]*[^\s/\\'\"<>|:;,().])"
)
_FILE_URL = re.compile(r"file://\S*?([^\s/\\'\"<>]+)(?=[\s'\"<>]|$)")


def without_paths(text: str, roots: Iterable[Path | str] = ()) -> str:
    """``text`` with every absolute filesystem path cut to its last name.

    ``/srv/data/datasets/un-sanctions/un_consolidated.xml: line 3`` becomes
    ``un_consolidated.xml: line 3``. ``roots`` are folders whose names may hold spaces
    (the data folder): they are taken out first, so that no part of them is left behind.
    URLs stay as they are; a ``file://`` URL is cut to its name too.
    """
    for root in sorted({str(r).rstrip("/\\") for r in roots}, key=len, reverse=True):
        if len(root) < 2:  # "/" itself: every path is cut below anyway
            continue
        escaped = re.escape(root)
        # inside a longer path, the root goes and the path's separator stays for the cut below
        text = re.sub(escaped + r"(?=[/\\])", "", text)
        text = re.sub(escaped + r"(?=$|[\s'\"<>|:;,()])", "a folder on the server", text)
    text = _FILE_URL.sub(lambda m: m.group(1), text)
    return _ABSOLUTE_PATH.sub(lambda m: m.group(1), text)


def _server_roots(request: Request) -> list[Path | str]:
    """The server's folders an error text may name: the data folders and the temp folder."""
    roots: list[Path | str] = [tempfile.gettempdir()]
    try:
        settings = web_context(request).settings
    except AttributeError:  # an app without its context (a bare test app)
        return roots
    for folder in (settings.datasets_dir, settings.data_dir):
        roots += [folder, folder.absolute()]
        try:
            roots.append(folder.resolve())
        except OSError:
            continue
    return roots


def problem(
    request: Request,
    status: int,
    code: str,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    details: list[Any] | None = None,
) -> Response:
    """The error answer: the JSON shape for the API, the error page for the rest; no
    path on the server is left in the message or the details' messages."""
    roots = _server_roots(request)
    message = without_paths(message, roots)
    if details is not None:
        details = [_detail_without_paths(detail, roots) for detail in details]
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


def _detail_without_paths(detail: Any, roots: list[Path | str]) -> Any:
    if isinstance(detail, dict) and isinstance(detail.get("message"), str):
        return {**detail, "message": without_paths(detail["message"], roots)}
    return detail


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
    status, code, message = answer_for(type(error))
    shown = error.message
    if isinstance(error, RedactionLeakError):
        shown = error.withheld_message  # neither shown nor logged: it names the forms
    elif status >= 500:
        logger.error("%s: %s", type(error).__name__, error.message)
    if isinstance(error, InvalidInputError):
        details = [problem_detail(p.parts, p.message, p.line) for p in error.problems]
        return problem(request, status, code, message or shown, details=details)
    return problem(request, status, code, message or shown)


def problem_detail(
    location: Sequence[str | int], message: str, line: int | None = None
) -> dict[str, Any]:
    """One problem of a refused input as the 422 body lists it."""
    return {"location": list(location), "message": message, "line": line}


def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 404:
        return problem(request, 404, CaseNotFound.code, CaseNotFound.message)
    message = error.detail if isinstance(error.detail, str) else "The request was refused."
    code = TITLES.get(error.status_code, "error").lower().replace(" ", "_")
    return problem(request, error.status_code, code, message, headers=error.headers)


def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = [
        Problem.at(tuple(e.get("loc", ())), str(e.get("msg", "")).removeprefix("Value error, "))
        for e in error.errors()
    ]
    # answered as a write's own refusal is: one shape for every refused input
    return _backchannel_error(request, InvalidInputError("request", problems))


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
