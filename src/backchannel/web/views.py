"""Rendering pages: the Jinja environment and one helper every page handler uses.

A page shown redacted (``disclosure`` given) is read back once rendered, and refused with
a clear error instead if a sensitive form is still in it (``case_views.RedactionRefused``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from backchannel import __version__
from backchannel.auth import WebSession
from backchannel.redaction import Disclosure, check_output
from backchannel.reports.render import figure
from backchannel.web.context import web_context


@cache
def page_templates() -> Jinja2Templates:
    """The page templates, autoescaped, failing loudly on an undefined name.

    One set per process, shared by every app made in it: the environment keeps each
    template compiled after its first use.
    """
    environment = Environment(
        loader=PackageLoader("backchannel.web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["path_for"] = path_for
    environment.globals["version"] = __version__
    environment.filters["words"] = lambda value: str(value).replace("_", " ")
    environment.filters["figure"] = figure
    return Jinja2Templates(env=environment)


@pass_context
def path_for(context: Context, name: str, /, **params: Any) -> str:
    """The site-relative path of the route ``name`` (``static`` for files), under any root path.

    Relative to the site rather than absolute (as ``url_for`` gives), so that no page names
    a host or a scheme a proxy in front of the app might not share.
    """
    request: Request = context["request"]
    return str(request.scope.get("root_path", "")) + str(request.app.url_path_for(name, **params))


def render(
    request: Request,
    template: str,
    *,
    session: WebSession | None = None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    disclosure: Disclosure | None = None,
    **values: Any,
) -> HTMLResponse:
    """A page: ``template`` with ``values``, the signed-in user and their CSRF token.

    With ``disclosure`` the page is a redacted view: it is read back before it is sent.
    """
    context = {
        "user": session.user if session else None,
        "csrf_token": session.csrf_token if session else None,
        **values,
    }
    response = web_context(request).templates.TemplateResponse(
        request, template, context, status_code=status, headers=headers
    )
    if disclosure is not None:
        # imported here: the refusal is a web error, and the errors module renders pages
        from backchannel.web.case_views import refused_if_leaking  # noqa: PLC0415

        with refused_if_leaking():
            page = bytes(response.body).decode("utf-8")
            check_output(disclosure, f"page {template}", page, "html")
    return response
