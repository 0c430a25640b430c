"""Calls to the platform's public JSON API, as the signed-in user.

Every page reaches the services through :class:`PlatformApi`, which wraps the one
``httpx.AsyncClient`` the web app is given. It adds the user's bearer token, turns RFC 9457
problem responses into :class:`ApiProblem`, and hides the 15-minute access-token lifetime:
on a 401 it refreshes the token pair once, stores the rotated pair in the session and
retries; when the refresh fails the session is over and :class:`LoginRequired` is raised.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from learnhub.web.inprocess import InProcessApi, InProcessResponse
from learnhub.web.session import WebSession

ApiResponse = httpx.Response | InProcessResponse
"""An answer of the API: from httpx, or from the gateway in this process."""

REFRESH_PATH = "/api/v1/auth/refresh"

# The browser's address, set per request by the session middleware. It is passed on as
# X-Forwarded-For so that the API throttles log-ins per browser, not per web process
# (the services believe it because the web UI is one of their trusted proxies).
browser_address: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "browser_address", default=None
)
# How long a rotated pair is remembered for the refresh token it replaced, so that two pages
# of the same browser refreshing at once both get the new pair instead of the second one
# presenting a spent token (which the auth service treats as theft and revokes the family).
ROTATION_GRACE_SECONDS = 30.0


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field of a problem: its name (the last part of its path), its whole
    dotted path (``rubric.<criterion id>``), and the API's machine-readable code. Pages
    branch on the name and the code, never on ``detail`` (English, for developers)."""

    field: str
    detail: str
    path: str = ""
    code: str = ""


@dataclass
class ApiProblem(Exception):
    """The API refused a call with a problem document (RFC 9457)."""

    status: int
    type: str = "about:blank"
    title: str = ""
    detail: str = ""
    request_id: str | None = None
    errors: list[FieldProblem] = field(default_factory=list)
    retry_after_seconds: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.type}: {self.detail or self.title}"

    @property
    def slug(self) -> str:
        """The last segment of the problem type: ``email-taken`` for ``/problems/email-taken``."""
        return self.type.rstrip("/").rsplit("/", 1)[-1]

    @classmethod
    def from_response(cls, response: ApiResponse) -> ApiProblem:
        """The problem a response describes; tolerant of bodies that are not problem JSON."""
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        errors = [
            FieldProblem(
                field=_field_name(error),
                detail=str(error.get("detail", "")),
                path=str(error.get("field") or ""),
                code=str(error.get("code") or ""),
            )
            for error in body.get("errors") or []
            if isinstance(error, dict)
        ]
        retry_after = response.headers.get("retry-after")
        return cls(
            status=response.status_code,
            type=str(body.get("type") or "about:blank"),
            title=str(body.get("title") or ""),
            detail=str(body.get("detail") or ""),
            request_id=body.get("request_id") or response.headers.get("x-request-id"),
            errors=errors,
            retry_after_seconds=int(retry_after) if retry_after and retry_after.isdigit() else None,
            extra={key: value for key, value in body.items() if key not in _PROBLEM_MEMBERS},
        )


_PROBLEM_MEMBERS = {"type", "title", "status", "detail", "instance", "request_id", "errors"}


def _field_name(error: dict[str, Any]) -> str:
    """The form field an API error is about: ``/display_name`` or ``body.display_name``."""
    pointer = str(error.get("pointer") or "")
    if pointer.strip("/"):
        return pointer.rstrip("/").rsplit("/", 1)[-1]
    return str(error.get("field") or "").rsplit(".", 1)[-1]


class ApiUnavailable(Exception):
    """The platform could not be reached or failed (a 5xx answer)."""

    def __init__(self, reason: str, *, request_id: str | None = None) -> None:
        super().__init__(reason)
        self.request_id = request_id


class LoginRequired(Exception):
    """The page needs a signed-in user and the session has none (or it just ended)."""

    def __init__(self, *, session_expired: bool = False) -> None:
        super().__init__("login required")
        self.session_expired = session_expired


@dataclass(frozen=True)
class _Request:
    """One call to the API, kept so that it can be sent again after a refresh."""

    method: str
    path: str
    json: Any = None
    params: dict[str, Any] | None = None
    data: dict[str, Any] | None = None
    files: dict[str, Any] | None = None


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str


class PlatformApi:
    """The public API as seen by one web process; shared by all its requests.

    ``in_process`` (the all-in-one mode) sends JSON calls straight to the gateway's ASGI app;
    the rest, and everything in the distributed mode, goes through ``client``.
    """

    def __init__(
        self, client: httpx.AsyncClient, *, in_process: InProcessApi | None = None
    ) -> None:
        self._client = client
        self._in_process = in_process
        self._refresh_locks: dict[str, asyncio.Lock] = {}
        self._recent_rotations: dict[str, tuple[float, TokenPair]] = {}

    async def call(
        self,
        method: str,
        path: str,
        *,
        session: WebSession | None = None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
    ) -> Any:
        """Call the API; the decoded JSON body (None when empty) or :class:`ApiProblem`.

        With ``session`` the call is made as its user, refreshing the tokens once on a 401.
        ``data`` and ``files`` send a multipart form instead of ``json``.
        """
        response = await self.fetch(
            method,
            path,
            session=session,
            json=json,
            params=params,
            data=data,
            files=files,
            accept="application/json",
        )
        if not response.content:
            return None
        return response.json()

    async def fetch(
        self,
        method: str,
        path: str,
        *,
        session: WebSession | None = None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
        accept: str = "*/*",
    ) -> ApiResponse:
        """Call the API and return its raw answer (a file to pass on, say).

        The same handling as :meth:`call`: the user's bearer token, one refresh on a 401, the
        browser's address; a 4xx answer raises :class:`ApiProblem`, a 5xx one
        :class:`ApiUnavailable`.
        """
        if session is not None and not session.is_signed_in:
            raise LoginRequired()
        request = _Request(method, path, json=json, params=params, data=data, files=files)
        response = await self._send(request, session=session, accept=accept)
        if response.status_code == 401 and session is not None:
            if not await self._refresh(session):
                session.sign_out()
                raise LoginRequired(session_expired=True)
            response = await self._send(request, session=session, accept=accept)
            if response.status_code == 401:
                session.sign_out()
                raise LoginRequired(session_expired=True)
        if response.status_code >= 500:
            problem = ApiProblem.from_response(response)
            raise ApiUnavailable(str(problem), request_id=problem.request_id)
        if response.status_code >= 400:
            raise ApiProblem.from_response(response)
        return response

    async def _send(
        self, request: _Request, *, session: WebSession | None, accept: str = "application/json"
    ) -> ApiResponse:
        headers = {"Accept": accept}
        address = browser_address.get()
        if address:
            headers["X-Forwarded-For"] = address
        if session is not None and session.access_token:
            headers["Authorization"] = f"Bearer {session.access_token}"
        try:
            if self._in_process is not None and request.data is None and request.files is None:
                return await self._in_process.send(
                    request.method,
                    request.path,
                    headers=headers,
                    params=request.params,
                    json_body=request.json,
                )
            return await self._client.request(
                request.method,
                request.path,
                json=request.json,
                params=request.params,
                data=request.data,
                files=request.files,
                headers=headers,
            )
        except httpx.TransportError as error:
            raise ApiUnavailable(f"{request.method} {request.path}: {error!r}") from error

    async def _refresh(self, session: WebSession) -> bool:
        """Rotate the session's token pair; False when the refresh token is no longer valid."""
        spent = session.refresh_token
        if not spent:
            return False
        lock = self._refresh_locks.setdefault(spent, asyncio.Lock())
        async with lock:
            self._forget_old_rotations()
            remembered = self._recent_rotations.get(spent)
            if remembered is not None:
                pair = remembered[1]
            else:
                response = await self._send(
                    _Request("POST", REFRESH_PATH, json={"refresh_token": spent}), session=None
                )
                if response.status_code != 200:
                    self._refresh_locks.pop(spent, None)
                    return False
                body = response.json()
                pair = TokenPair(body["access_token"], body["refresh_token"])
                self._recent_rotations[spent] = (time.monotonic(), pair)
        session.replace_tokens(access_token=pair.access_token, refresh_token=pair.refresh_token)
        return True

    def _forget_old_rotations(self) -> None:
        oldest_kept = time.monotonic() - ROTATION_GRACE_SECONDS
        for spent, (rotated_at, _pair) in list(self._recent_rotations.items()):
            if rotated_at < oldest_kept:
                del self._recent_rotations[spent]
                self._refresh_locks.pop(spent, None)
