"""Access-token verification: the accepted token, and every way a token must be refused,
directly against TokenVerifier and through a running platform's API."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from learnhub.kit.auth import Principal, TokenVerifier
from learnhub.kit.errors import ServiceUnavailable, Unauthorized
from learnhub.services.auth.keys import SigningKeyPair, generate_key_pair, key_pair_from_private
from tests.conftest import Stack

ISSUER = "learnhub"
AUDIENCE = "learnhub"
REFRESH_INTERVAL = 0.05


class Jwks:
    """A JWKS endpoint whose keys the test rotates; counts how often it is fetched."""

    def __init__(self, *pairs: SigningKeyPair) -> None:
        self.keys = [pair.public_jwk for pair in pairs]
        self.fetches = 0

    async def __call__(self) -> dict[str, Any]:
        self.fetches += 1
        await asyncio.sleep(0)
        return {"keys": list(self.keys)}

    def publish(self, pair: SigningKeyPair) -> None:
        self.keys.append(pair.public_jwk)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    values: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "u-1",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": "j-1",
        "typ": "access",
        "sid": "s-1",
        "email": "ada@example.org",
        "roles": ["learner"],
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def sign(pair: SigningKeyPair, *, kid: str | None = None, **overrides: Any) -> str:
    return jwt.encode(
        claims(**overrides), pair.private_key, algorithm="EdDSA", headers={"kid": kid or pair.kid}
    )


def unsigned(kid: str) -> str:
    header = {"alg": "none", "typ": "JWT", "kid": kid}
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims()).encode())}."


def hs256_with_public_key(pair: SigningKeyPair) -> str:
    """The algorithm-confusion attack: an HMAC token keyed with the published public key."""
    secret = pair.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": pair.kid}).encode())
    payload = b64(json.dumps(claims()).encode())
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


def tampered(token: str, **changes: Any) -> str:
    """The same signature over a payload with some claims changed."""
    header, payload, signature = token.split(".")
    document = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    document.update(changes)
    return f"{header}.{b64(json.dumps(document).encode())}.{signature}"


def foreign_key_with_kid(kid: str) -> SigningKeyPair:
    impostor = generate_key_pair()
    return SigningKeyPair(kid=kid, private_key=impostor.private_key, public_jwk={})


def bad_tokens(pair: SigningKeyPair, valid: str) -> dict[str, str]:
    """Every token that must be refused, by what is wrong with it."""
    return {
        "alg-none": unsigned(pair.kid),
        "foreign-key-same-kid": sign(foreign_key_with_kid(pair.kid)),
        "expired": sign(pair, iat=int(time.time()) - 3600, nbf=None, exp=int(time.time()) - 60),
        "wrong-audience": sign(pair, aud="another-platform"),
        "wrong-issuer": sign(pair, iss="evil"),
        "tampered-payload": tampered(valid, roles=["admin"]),
        "tampered-subject": tampered(valid, sub="u-2"),
        "hs256-with-public-key": hs256_with_public_key(pair),
        "no-typ": sign(pair, typ=None),
        "refresh-typ": sign(pair, typ="refresh"),
        "no-exp": sign(pair, exp=None),
        "no-sub": sign(pair, sub=None),
        "no-kid": jwt.encode(claims(), pair.private_key, algorithm="EdDSA"),
        "garbage": "garbage",
        "three-garbage-parts": "a.b.c",
    }


@pytest.fixture
def pair() -> SigningKeyPair:
    return generate_key_pair()


@pytest.fixture
def jwks(pair: SigningKeyPair) -> Jwks:
    return Jwks(pair)


@pytest.fixture
def verifier(jwks: Jwks) -> TokenVerifier:
    return TokenVerifier(
        jwks, issuer=ISSUER, audience=AUDIENCE, min_refresh_interval=REFRESH_INTERVAL
    )


async def test_a_valid_token_gives_its_principal(
    verifier: TokenVerifier, pair: SigningKeyPair, jwks: Jwks
) -> None:
    principal = await verifier.verify(sign(pair, roles=["learner", "instructor"]))

    assert principal == Principal(
        user_id="u-1",
        roles=frozenset({"learner", "instructor"}),
        session_id="s-1",
        email="ada@example.org",
    )
    assert jwks.fetches == 1


async def test_known_keys_are_not_fetched_again(
    verifier: TokenVerifier, pair: SigningKeyPair, jwks: Jwks
) -> None:
    for _ in range(3):
        await verifier.verify(sign(pair))
        await asyncio.sleep(REFRESH_INTERVAL)

    assert jwks.fetches == 1


@pytest.mark.parametrize(
    "case",
    [
        "alg-none",
        "foreign-key-same-kid",
        "expired",
        "wrong-audience",
        "wrong-issuer",
        "tampered-payload",
        "tampered-subject",
        "hs256-with-public-key",
        "no-typ",
        "refresh-typ",
        "no-exp",
        "no-sub",
        "no-kid",
        "garbage",
        "three-garbage-parts",
    ],
)
async def test_a_bad_token_is_refused(
    verifier: TokenVerifier, pair: SigningKeyPair, case: str
) -> None:
    token = bad_tokens(pair, sign(pair))[case]

    with pytest.raises(Unauthorized) as refused:
        await verifier.verify(token)

    assert refused.value.status == 401
    assert refused.value.headers == {"WWW-Authenticate": "Bearer"}


async def test_expired_tokens_say_so(verifier: TokenVerifier, pair: SigningKeyPair) -> None:
    token = sign(pair, iat=int(time.time()) - 3600, exp=int(time.time()) - 60, nbf=None)

    with pytest.raises(Unauthorized, match=r"^The access token has expired\.$"):
        await verifier.verify(token)


async def test_a_rotated_key_is_fetched_once_and_accepted(
    verifier: TokenVerifier, pair: SigningKeyPair, jwks: Jwks
) -> None:
    # given: the verifier knows the old key
    await verifier.verify(sign(pair))
    assert jwks.fetches == 1
    rotated = generate_key_pair()
    jwks.publish(rotated)
    await asyncio.sleep(REFRESH_INTERVAL)

    # when
    principal = await verifier.verify(sign(rotated, sub="u-9"))

    # then
    assert principal.user_id == "u-9"
    assert jwks.fetches == 2
    assert (await verifier.verify(sign(pair))).user_id == "u-1"
    assert jwks.fetches == 2


async def test_an_unpublished_kid_is_refused_after_exactly_one_refetch(
    verifier: TokenVerifier, pair: SigningKeyPair, jwks: Jwks
) -> None:
    # given
    await verifier.verify(sign(pair))
    await asyncio.sleep(REFRESH_INTERVAL)
    stranger = generate_key_pair()

    # when
    with pytest.raises(Unauthorized, match="signed by an unknown key"):
        await verifier.verify(sign(stranger))

    # then
    assert jwks.fetches == 2


async def test_refetches_are_rate_limited(pair: SigningKeyPair, jwks: Jwks) -> None:
    # given: a fresh fetch, then a key published right after it
    interval = 0.4  # long enough that a loaded machine still asks within it
    verifier = TokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE, min_refresh_interval=interval)
    await verifier.verify(sign(pair))
    fetched_at = time.monotonic()
    rotated = generate_key_pair()
    jwks.publish(rotated)

    # when: tokens with unknown kids arrive within the refresh interval
    for _ in range(5):
        with pytest.raises(Unauthorized, match="signed by an unknown key"):
            await verifier.verify(sign(generate_key_pair()))
    with pytest.raises(Unauthorized, match="signed by an unknown key"):
        await verifier.verify(sign(rotated))
    assert time.monotonic() - fetched_at < interval

    # then: nothing was fetched; once the interval is over the new key is
    assert jwks.fetches == 1
    await asyncio.sleep(interval - (time.monotonic() - fetched_at) + 0.01)
    assert (await verifier.verify(sign(rotated))).user_id == "u-1"
    assert jwks.fetches == 2


async def test_concurrent_tokens_with_an_unknown_kid_cause_one_fetch(
    verifier: TokenVerifier, pair: SigningKeyPair, jwks: Jwks
) -> None:
    await verifier.verify(sign(pair))
    rotated = generate_key_pair()
    jwks.publish(rotated)
    await asyncio.sleep(REFRESH_INTERVAL)

    principals = await asyncio.gather(*(verifier.verify(sign(rotated)) for _ in range(5)))

    assert [principal.user_id for principal in principals] == ["u-1"] * 5
    assert jwks.fetches == 2


async def test_keys_of_other_algorithms_in_the_jwks_are_not_trusted(pair: SigningKeyPair) -> None:
    jwks = Jwks(pair)
    jwks.keys = [pair.public_jwk | {"alg": "RS256"}]
    verifier = TokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE)

    with pytest.raises(Unauthorized, match="signed by an unknown key"):
        await verifier.verify(sign(pair))


async def test_an_unreachable_jwks_is_a_503_not_a_401(pair: SigningKeyPair) -> None:
    async def unreachable() -> dict[str, Any]:
        raise httpx.ConnectError("connection refused")

    verifier = TokenVerifier(unreachable, issuer=ISSUER, audience=AUDIENCE)

    with pytest.raises(ServiceUnavailable) as unavailable:
        await verifier.verify(sign(pair))

    assert unavailable.value.status == 503


# ------------------------------------------------------------------ through the running API


async def test_the_api_refuses_every_bad_token_with_a_401_problem(embedded: Stack) -> None:
    # given
    _user_id, valid_header = await embedded.signed_up("ada@example.org")
    valid = valid_header["Authorization"].removeprefix("Bearer ")
    platform_key = embedded.platform.runtime("auth").state["auth"].signing_key
    published = (await embedded.client.get("/.well-known/jwks.json")).json()
    assert [key["kid"] for key in published["keys"]] == [platform_key.kid]
    pair = key_pair_from_private(platform_key.private_key)
    headers = {name: f"Bearer {token}" for name, token in bad_tokens(pair, valid).items()}
    headers |= {
        "unknown-kid": f"Bearer {sign(generate_key_pair())}",
        "no-header": "",
        "basic-scheme": "Basic YWRhOnNlY3JldA==",
        "empty-bearer": "Bearer ",
    }
    assert (
        await embedded.client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {valid}"})
    ).status_code == 200

    # when
    answers: dict[str, tuple[Any, ...]] = {}
    for case, authorization in headers.items():
        response = await embedded.client.get(
            "/api/v1/users/me", headers={"Authorization": authorization} if authorization else {}
        )
        body = response.json()
        answers[case] = (
            response.status_code,
            response.headers["content-type"],
            response.headers.get("www-authenticate"),
            body["type"],
            body["status"],
            body["request_id"] == response.headers["x-request-id"],
        )

    # then
    refused = (401, "application/problem+json", "Bearer", "/problems/unauthorized", 401, True)
    assert answers == dict.fromkeys(headers, refused)
