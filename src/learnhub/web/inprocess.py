"""Calling the platform's API inside one process, without an HTTP client in between.

In the all-in-one mode the web UI and the services share a process. An API call still goes
through the gateway's ASGI app, so it meets the same routes, token checks, rules and
problem answers as a call over the network; only the client-side work of building and
parsing HTTP messages (httpx's request and response models, its cookie jar, URL merging)
is skipped. Calls with a form or files keep going through ``httpx``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from starlette.types import ASGIApp, Message

_CLIENT = ("127.0.0.1", 0)
_SERVER = ("learnhub.internal", 80)


class InProcessApi:
    """Sends a JSON (or body-less) API call straight to an ASGI app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def send(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, Any] | None,
        json_body: Any,
    ) -> InProcessResponse:
        body = b"" if json_body is None else json.dumps(json_body).encode()
        raw_headers = [(b"host", _SERVER[0].encode())]
        raw_headers += [(name.lower().encode(), value.encode()) for name, value in headers.items()]
        if body:
            raw_headers += [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ]
        query = urlencode(
            [(key, value) for key, value in (params or {}).items() if value is not None],
            doseq=True,
        )
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": raw_headers,
            "client": _CLIENT,
            "server": _SERVER,
        }
        status = 500
        response_headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        request_sent = False
        finished = asyncio.Event()

        async def receive() -> Message:
            nonlocal request_sent
            if not request_sent:
                request_sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await finished.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal status, response_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    finished.set()

        try:
            await self.app(scope, receive, send)
        finally:
            finished.set()
        return InProcessResponse(
            status,
            {name.decode("latin-1"): value.decode("latin-1") for name, value in response_headers},
            b"".join(chunks),
        )


class InProcessResponse:
    """The parts of an HTTP answer the web reads: status, headers (lower-case names, as
    ASGI gives them) and body."""

    __slots__ = ("content", "headers", "status_code")

    def __init__(self, status_code: int, headers: dict[str, str], content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content

    def json(self) -> Any:
        return json.loads(self.content)
