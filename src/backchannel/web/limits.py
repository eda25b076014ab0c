"""The largest request body the web workspace reads: 413 beyond it, before or while reading.

No page or API call needs more than a few hundred kilobytes (a case's context, one record,
a decision); a larger body is refused before it costs memory or time. A request that says
its size (``Content-Length``) and says too much is answered at once, without reading a
byte of its body. One that does not say it (a chunked upload), or says less than it sends,
is counted as it arrives and cut off as soon as it passes the limit; whatever the app was
about to answer is then replaced by the refusal. The refusal is the app's one error shape:
JSON under ``/api``, the error page elsewhere. It closes the connection, since the rest of
the body is left unread.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backchannel.web.errors import problem

#: The error code of the refusal.
TOO_LARGE_CODE = "request_too_large"


class BodyTooLarge(HTTPException):
    """The body passed the limit while it was being read."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))


def too_large_message(limit: int) -> str:
    """What the refusal says: the limit, in words a person reads."""
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        size = f"{limit // (1024 * 1024)} MiB"
    elif limit >= 1024 and limit % 1024 == 0:
        size = f"{limit // 1024} KiB"
    else:
        size = f"{limit:,} bytes"
    return f"The request is too large: at most {size} may be sent at once."


class BodyLimitMiddleware:
    """ASGI middleware that refuses (413) request bodies larger than ``max_bytes``."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse an announced oversize body at once; count any other as it is read."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return

        received = 0
        cut_off = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, cut_off
            if cut_off:
                raise BodyTooLarge(self.max_bytes)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    cut_off = True
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if cut_off:
                return  # the app's own answer to a body it could not read: ours replaces it
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            # once the body is cut off, whatever the app raised stems from it
            if not cut_off:
                raise
        if cut_off and not started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = problem(
            request,
            413,
            TOO_LARGE_CODE,
            too_large_message(self.max_bytes),
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


#: More digits than any body size could have: a longer ``Content-Length`` is too large,
#: and Python refuses to read an integer of thousands of digits anyway.
_MAX_LENGTH_DIGITS = 18


def _content_length(scope: Scope) -> int | None:
    """The size the request announces; ``None`` when it announces none (or nonsense,
    which the server itself refuses, and which the count then bounds anyway)."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            if not text.isdigit():
                return None
            return int(text) if len(text) <= _MAX_LENGTH_DIGITS else 10**_MAX_LENGTH_DIGITS
    return None
