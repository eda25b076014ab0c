"""What every request handler of one app shares: settings, the store, templates, secrets,
the installed data and the analyses made with them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from fastapi import Request
from fastapi.templating import Jinja2Templates

from backchannel.settings import Settings
from backchannel.store.service import CaseStore
from backchannel.web.analysis_cache import AnalysisCache
from backchannel.web.installed_data import InstalledData
from backchannel.web.security import CookiePolicy, LoginForms

#: Where static files are served from, and the prefix of the JSON API.
STATIC_PREFIX = "/static"
API_PREFIX = "/api"


@dataclass(frozen=True)
class WebContext:
    """The app's shared state, built once by ``create_app`` (no module globals)."""

    settings: Settings
    store: CaseStore
    templates: Jinja2Templates
    cookies: CookiePolicy
    login_forms: LoginForms
    installed: InstalledData
    analyses: AnalysisCache


def web_context(request: Request) -> WebContext:
    """The shared state of the app serving ``request``."""
    return cast(WebContext, request.app.state.web)


def is_api(request: Request) -> bool:
    """Whether ``request`` is for the JSON API (answered in JSON, never redirected)."""
    path = str(request.scope["path"]).removeprefix(request.scope.get("root_path", ""))
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")
