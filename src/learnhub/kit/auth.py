"""Access-token verification for every service, against the auth service's JWKS.

Each service verifies signatures itself (defence in depth): it fetches the public keys
once, caches them, and fetches again only when a token names a key id it has not seen
(key rotation), at most once per ``min_refresh_interval``.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from jwt import PyJWK

from learnhub.kit.errors import Forbidden, ServiceUnavailable, Unauthorized

ACCESS_TOKEN_ALGORITHMS = ("EdDSA",)

JwksFetcher = Callable[[], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Principal:
    """Who is calling: the verified claims of their access token."""

    user_id: str
    roles: frozenset[str]
    session_id: str | None = None
    email: str | None = None

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def http_jwks_fetcher(client: httpx.AsyncClient, url: str) -> JwksFetcher:
    """Fetch the JWKS document with an HTTP client (real or in-process ASGI)."""

    async def fetch() -> dict[str, Any]:
        response = await client.get(url, timeout=5.0)
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict):
            raise ValueError(f"{url} did not answer with a JSON object")
        return document

    return fetch


class TokenVerifier:
    """Verifies access tokens: signature by a published key, algorithm, issuer, audience, expiry."""

    def __init__(
        self,
        fetch_jwks: JwksFetcher,
        *,
        issuer: str,
        audience: str,
        min_refresh_interval: float = 10.0,
        leeway: float = 5.0,
    ) -> None:
        self._fetch_jwks = fetch_jwks
        self.issuer = issuer
        self.audience = audience
        self.min_refresh_interval = min_refresh_interval
        self.leeway = leeway
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()
        # A token verified once stays valid until it expires: remembering the result saves
        # a signature check on every request of a busy client.
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self.verified_cache_size = 10_000

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._fetched_at < self.min_refresh_interval:
                return
            try:
                document = await self._fetch_jwks()
            except (httpx.HTTPError, ValueError) as error:
                raise ServiceUnavailable(
                    "The signing keys of the auth service cannot be fetched."
                ) from error
            keys: dict[str, PyJWK] = {}
            for entry in document.get("keys", []):
                kid = entry.get("kid")
                if kid and entry.get("alg") in ACCESS_TOKEN_ALGORITHMS:
                    keys[kid] = PyJWK(entry)
            self._keys = keys
            self._fetched_at = time.monotonic()

    async def _key_for(self, kid: str) -> PyJWK:
        if kid not in self._keys:
            await self._refresh()
        key = self._keys.get(kid)
        if key is None:
            raise Unauthorized("The access token was signed by an unknown key.")
        return key

    async def verify(self, token: str) -> Principal:
        remembered = self._verified.get(token)
        if remembered is not None:
            principal, expires_at = remembered
            if time.time() < expires_at:
                return principal
            del self._verified[token]
        principal, expires_at = await self._verify_signature_and_claims(token)
        self._verified[token] = (principal, expires_at)
        if len(self._verified) > self.verified_cache_size:
            self._verified.popitem(last=False)
        return principal

    async def _verify_signature_and_claims(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise Unauthorized("The access token is malformed.") from error
        if header.get("alg") not in ACCESS_TOKEN_ALGORITHMS:
            raise Unauthorized("The access token uses an algorithm that is not accepted.")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise Unauthorized("The access token names no signing key.")
        key = await self._key_for(kid)
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=list(ACCESS_TOKEN_ALGORITHMS),
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise Unauthorized("The access token has expired.") from error
        except jwt.PyJWTError as error:
            raise Unauthorized("The access token is not valid.") from error
        if claims.get("typ") != "access":
            raise Unauthorized("This is not an access token.")
        principal = Principal(
            user_id=str(claims["sub"]),
            roles=frozenset(claims.get("roles", [])),
            session_id=claims.get("sid"),
            email=claims.get("email"),
        )
        return principal, float(claims["exp"])


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def get_principal(request: Request) -> Principal:
    token = _bearer_token(request)
    if token is None:
        raise Unauthorized("Send an access token: `Authorization: Bearer <token>`.")
    verifier: TokenVerifier = request.app.state.runtime.verifier
    return await verifier.verify(token)


async def get_optional_principal(request: Request) -> Principal | None:
    if _bearer_token(request) is None:
        return None
    return await get_principal(request)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(get_optional_principal)]


def require_role(*roles: str) -> Any:
    """A dependency that lets through only callers holding one of ``roles``."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_role(*roles):
            raise Forbidden(f"This needs the role {' or '.join(roles)}.")
        return principal

    return Depends(check)


AdminPrincipal = Annotated[Principal, require_role("admin")]
