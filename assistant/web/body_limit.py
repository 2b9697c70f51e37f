"""A request body limit that counts the bytes actually streamed, not only the declared Content-Length.

A chunked request (``Transfer-Encoding: chunked``) declares no length, so a check of the header alone lets any
size through to the JSON or form parser. ``limit_body`` wraps ``receive``: the message that takes the count past
the limit is never handed to the app (``BodyTooLarge`` is raised in it instead, and every later ``receive``
answers ``http.disconnect``), whatever the app then tries to answer is dropped, and the client gets the 413 of
the caller's choice. Nothing past the limit is ever buffered: the server reads the body only as the app asks
for it. The public app installs ``BodyLimit`` (``web.max_body_bytes``); the staff gate uses ``limit_body`` with
the console's own upload limit."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Refusal = Callable[[int], Response]  # the 413 answer for a limit in bytes


class BodyTooLarge(Exception):
    """Raised inside ``receive`` when the body passes the limit; ``limit_body`` turns it into the 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body over {limit} bytes")
        self.limit = limit


async def limit_body(app: ASGIApp, scope: Scope, receive: Receive, send: Send, limit: int,
                     refusal: Refusal) -> None:
    """Run ``app`` on an HTTP request whose body may hold at most ``limit`` bytes, declared or streamed."""
    if scope["type"] != "http":
        await app(scope, receive, send)
        return
    declared = Headers(scope=scope).get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        await refusal(limit)(scope, receive, send)
        return
    seen = 0
    over = False
    started = False

    async def counted() -> Message:
        nonlocal seen, over
        if over:  # an app that swallowed BodyTooLarge and reads on sees the client gone
            return {"type": "http.disconnect"}
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                over = True
                raise BodyTooLarge(limit)
        return message

    async def guarded(message: Message) -> None:
        nonlocal started
        if over:  # the app's own answer to the cut body (its parser's 400) is replaced by the 413
            return
        if message["type"] == "http.response.start":
            started = True
        await send(message)

    try:
        await app(scope, counted, guarded)
    except Exception:
        if not over:
            raise
        # BodyTooLarge itself, or an app's error handling of the cut body failing in turn: the 413 stands.
    if over:
        if started:  # the answer had begun before the body ran over: nothing to do but break the connection
            raise BodyTooLarge(limit)
        response = refusal(limit)
        response.headers["connection"] = "close"  # the server stops reading the rest of the body
        await response(scope, receive, send)


class BodyLimit:
    """ASGI middleware: ``limit_body`` around every HTTP request of the app it wraps; ``by_prefix`` gives paths
    starting with a prefix a limit of their own (the first prefix that matches)."""

    def __init__(self, app: ASGIApp, max_bytes: int, refusal: Refusal,
                 by_prefix: Mapping[str, int] | None = None) -> None:
        self.app, self.max_bytes, self.refusal = app, max_bytes, refusal
        self.by_prefix = dict(by_prefix or {})

    def limit_for(self, path: str) -> int:
        return next((limit for prefix, limit in self.by_prefix.items() if path.startswith(prefix)), self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limit_for(scope.get("path", "")) if scope["type"] == "http" else self.max_bytes
        await limit_body(self.app, scope, receive, send, limit, self.refusal)
