"""The key that signs access tokens, and the public keys published as JWKS."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

ALGORITHM = "EdDSA"


@dataclass(frozen=True)
class SigningKeyPair:
    kid: str
    private_key: Ed25519PrivateKey
    public_jwk: dict[str, Any]

    def private_pem(self) -> str:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()


def _thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 thumbprint: a key id that anyone can recompute from the public key."""
    canonical = json.dumps(
        {name: jwk[name] for name in ("crv", "kty", "x")}, separators=(",", ":"), sort_keys=True
    )
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def key_pair_from_private(private_key: Ed25519PrivateKey) -> SigningKeyPair:
    jwk = OKPAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    kid = _thumbprint(jwk)
    public_jwk = {**jwk, "kid": kid, "alg": ALGORITHM, "use": "sig"}
    return SigningKeyPair(kid=kid, private_key=private_key, public_jwk=public_jwk)


def key_pair_from_pem(pem: str) -> SigningKeyPair:
    private_key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(private_key, Ed25519PrivateKey):
        raise ValueError("LEARNHUB_AUTH_SIGNING_KEY must be an Ed25519 private key in PEM")
    return key_pair_from_private(private_key)


def generate_key_pair() -> SigningKeyPair:
    return key_pair_from_private(Ed25519PrivateKey.generate())
