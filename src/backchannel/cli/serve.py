"""``backchannel serve``: the web workspace, served by uvicorn."""

from __future__ import annotations

import os
import secrets
from typing import Annotated, Any

import typer

from backchannel.cli.common import err, load_settings, reported_errors


def serve(
    host: Annotated[
        str | None,
        typer.Option("--host", help="Address to listen on. Default: BACKCHANNEL_WEB_HOST."),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            "--port", min=1, max=65535, help="Port to listen on. Default: BACKCHANNEL_WEB_PORT."
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Server processes (about one per core). Default: BACKCHANNEL_WEB_WORKERS.",
        ),
    ] = None,
) -> None:
    """Serve the web workspace (until interrupted)."""
    import uvicorn

    from backchannel.web.app import create_app

    settings = load_settings()
    with reported_errors():
        # refuses bad settings here, before any worker starts
        app = create_app(settings, preload=True)
    address = host or settings.web_host
    listen = port or settings.web_port
    processes = workers or settings.web_workers
    err.print(
        f"backchannel web workspace ({settings.environment}) on http://{address}:{listen}/"
        + (f" with {processes} workers" if processes > 1 else ""),
        highlight=False,
    )
    options: dict[str, Any] = {
        "host": address,
        "port": listen,
        "server_header": False,
        "proxy_headers": True,
        "log_level": "info",
    }
    if processes == 1:
        uvicorn.run(app, **options)
        return
    # Several processes each build their app from the environment; a secret generated
    # for development would differ between them, so one is set for all of them first.
    if settings.web_secret is None:
        os.environ["BACKCHANNEL_WEB_SECRET"] = secrets.token_urlsafe(48)
    uvicorn.run(
        "backchannel.web.app:app_from_environment", factory=True, workers=processes, **options
    )
