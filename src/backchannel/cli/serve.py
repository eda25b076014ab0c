"""``backchannel serve``: the web workspace, served by uvicorn."""

from __future__ import annotations

from typing import Annotated

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
) -> None:
    """Serve the web workspace (until interrupted)."""
    import uvicorn

    from backchannel.web.app import create_app

    settings = load_settings()
    with reported_errors():
        app = create_app(settings)
    address = host or settings.web_host
    listen = port or settings.web_port
    err.print(
        f"backchannel web workspace ({settings.environment}) on http://{address}:{listen}/",
        highlight=False,
    )
    uvicorn.run(
        app,
        host=address,
        port=listen,
        server_header=False,
        proxy_headers=True,
        log_level="info",
    )
