"""The all-in-one gateway: the same routes as nginx, inside one ASGI app, with the same
largest request body."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from learnhub.kit.http.middleware import RequestContextMiddleware
from learnhub.kit.http.problems import problem_response


@dataclass(frozen=True)
class Route:
    """Paths starting with one of ``prefixes`` go to ``app``."""

    name: str
    prefixes: tuple[str, ...]
    app: ASGIApp

    def matches(self, path: str) -> bool:
        for prefix in self.prefixes:
            bare = prefix.rstrip("/")
            if path == bare or path.startswith(bare + "/"):
                return True
        return False


TOO_LARGE_TITLE = "Content Too Large"
TOO_LARGE_DETAIL = "The request body is larger than the gateway accepts."


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    await problem_response(413, title=TOO_LARGE_TITLE, detail=TOO_LARGE_DETAIL)(
        scope, receive, send
    )


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimit:
    """Refuses request bodies over ``max_bytes`` with a 413 problem, as nginx does, without
    reading them whole: a declared ``Content-Length`` is refused before the app runs; a
    streamed body is counted as it arrives, and once past the limit the app sees the
    client leave and the caller gets the 413."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self._too_large = RequestContextMiddleware(_too_large, service="gateway")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        received = 0
        exceeded = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's answer to a vanished client; the 413 goes instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._too_large(scope, receive, send)


async def _not_found(scope: Scope, receive: Receive, send: Send) -> None:
    path = scope.get("path", "")
    await problem_response(404, detail=f"There is nothing at {path}.", instance=path)(
        scope, receive, send
    )


class Dispatcher:
    """Routes each request to the service that owns its path, the rest to the web UI.

    It answers the ASGI lifespan itself with ``on_startup`` / ``on_shutdown``, since the
    services' connections belong to the process, not to any one app.
    """

    def __init__(
        self,
        *,
        max_body_bytes: int,
        on_startup: Callable[[], Awaitable[None]] | None = None,
        on_shutdown: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.routes: list[Route] = []
        self._fallback: ASGIApp | None = None
        self.on_startup = on_startup
        self.on_shutdown = on_shutdown
        self.max_body_bytes = max_body_bytes
        self._not_found = RequestContextMiddleware(_not_found, service="gateway")

    @property
    def fallback(self) -> ASGIApp | None:
        """Where every path that is not an API goes (the web UI)."""
        return self._fallback

    @fallback.setter
    def fallback(self, app: ASGIApp | None) -> None:
        self._fallback = None if app is None else BodyLimit(app, max_bytes=self.max_body_bytes)

    def mount(self, name: str, prefixes: Sequence[str], app: ASGIApp) -> None:
        self.routes.append(
            Route(name, tuple(prefixes), BodyLimit(app, max_bytes=self.max_body_bytes))
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        path: str = scope.get("path", "")
        for route in self.routes:
            if route.matches(path):
                await route.app(scope, receive, send)
                return
        if self.fallback is not None and not path.startswith("/api/"):
            await self.fallback(scope, receive, send)
            return
        if scope["type"] == "http":
            await self._not_found(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    if self.on_startup is not None:
                        await self.on_startup()
                except Exception as error:
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    raise
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    if self.on_shutdown is not None:
                        await self.on_shutdown()
                finally:
                    await send({"type": "lifespan.shutdown.complete"})
                return
