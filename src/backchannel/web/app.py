"""The web workspace's app factory: ``create_app(settings)`` builds a FastAPI application.

Pages are rendered on the server (Jinja templates, htmx for the interactions to come); the
JSON API lives under ``/api`` with its OpenAPI document at ``/api/openapi.json``. There is
no documentation UI: FastAPI's loads its script from a CDN, and no request made for a page
of this app may leave the server. Static files come from our own package folder only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

from backchannel import __version__
from backchannel.settings import Settings
from backchannel.store.service import CaseStore
from backchannel.web.analysis_cache import AnalysisCache
from backchannel.web.context import API_PREFIX, STATIC_PREFIX, WebContext
from backchannel.web.dependencies import csrf_guard
from backchannel.web.errors import install_error_handlers
from backchannel.web.installed_data import InstalledData
from backchannel.web.limits import BodyLimitMiddleware
from backchannel.web.routes import (
    api,
    api_writes,
    auth,
    negotiation,
    new_case,
    pages,
    records,
    screening,
    screening_shares,
)
from backchannel.web.security import (
    CookiePolicy,
    LoginForms,
    SecurityHeadersMiddleware,
    allowed_hosts,
    web_secret_key,
)
from backchannel.web.views import page_templates


def create_app(
    settings: Settings, *, store: CaseStore | None = None, preload: bool = False
) -> FastAPI:
    """The web app for ``settings``, on ``store`` if given (else the configured one).

    Refuses (``ConfigurationError``) to build a production app without a strong web
    secret. A store opened here is closed when the app shuts down; a given one is not.
    ``preload`` reads the installed analysis inputs (events, lists...) in the background
    as the app starts, instead of on its first analysis.
    """
    key = web_secret_key(settings)
    owned = store is None
    case_store = store if store is not None else CaseStore.open(settings)

    installed = InstalledData(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if preload:
            installed.preload()
        try:
            yield
        finally:
            if owned:
                case_store.close()

    app = FastAPI(
        title="backchannel",
        version=__version__,
        summary="Decision support for atrocity prevention through dialogue with armed groups.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        lifespan=lifespan,
        dependencies=[Depends(csrf_guard)],
    )
    app.state.web = WebContext(
        settings=settings,
        store=case_store,
        templates=page_templates(),
        cookies=CookiePolicy.for_settings(settings),
        login_forms=LoginForms(key),
        installed=installed,
        analyses=AnalysisCache(inputs=installed.inputs),
    )
    # The middleware added last is the outermost. Innermost, a body larger than the limit is
    # refused (413) before or while it is read. Around it, a request for a host we do not
    # serve is refused (400) before anything reads it. Both refusals carry the security
    # headers, set by the outermost.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.web_max_body_bytes)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(settings))
    app.add_middleware(
        SecurityHeadersMiddleware,
        static_prefix=STATIC_PREFIX,
        https_only=settings.environment == "production",
    )
    install_error_handlers(app)
    app.mount(
        STATIC_PREFIX,
        StaticFiles(packages=[("backchannel.web", "static")]),
        name="static",
    )
    app.include_router(auth.router)
    app.include_router(new_case.router)  # before the others: /cases/new is not a case id
    app.include_router(records.router)
    app.include_router(negotiation.router)
    app.include_router(screening.router)
    app.include_router(screening_shares.router)
    app.include_router(pages.router)
    app.include_router(api.router, prefix=API_PREFIX)
    app.include_router(api_writes.router, prefix=API_PREFIX)
    app.include_router(screening.api_router, prefix=API_PREFIX)
    app.include_router(screening_shares.api_router, prefix=API_PREFIX)
    return app


def app_from_environment() -> FastAPI:
    """The app for the ``BACKCHANNEL_*`` settings of the environment: the factory each
    server process calls when ``backchannel serve`` runs several."""
    return create_app(Settings(), preload=True)
