"""The all-in-one gateway: the same routes as nginx, inside one ASGI app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

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
        on_startup: Callable[[], Awaitable[None]] | None = None,
        on_shutdown: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.routes: list[Route] = []
        self.fallback: ASGIApp | None = None
        self.on_startup = on_startup
        self.on_shutdown = on_shutdown
        self._not_found = RequestContextMiddleware(_not_found, service="gateway")

    def mount(self, name: str, prefixes: Sequence[str], app: ASGIApp) -> None:
        self.routes.append(Route(name, tuple(prefixes), app))

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
