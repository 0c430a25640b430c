"""Cross-site request forgery protection: a signed double-submit token.

Each browser gets a random nonce in an HttpOnly cookie. Every form carries a hidden field
whose value is an HMAC of that nonce under the secret key. A forged cross-site form cannot
read the cookie, and without the secret nobody can mint a field that matches a nonce, so a
POST whose field does not match its cookie did not come from one of our pages.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

CSRF_COOKIE = "lh_csrf"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class CsrfRejected(Exception):
    """A state-changing request arrived without a token matching its cookie."""


def new_nonce() -> str:
    """A fresh random nonce for the CSRF cookie."""
    return secrets.token_urlsafe(32)


def token_for(nonce: str, secret_key: str) -> str:
    """The form token that matches ``nonce``."""
    digest = hmac.new(secret_key.encode(), b"learnhub.web.csrf:" + nonce.encode(), hashlib.sha256)
    return digest.hexdigest()


def tokens_match(*, nonce: str | None, submitted: str | None, secret_key: str) -> bool:
    """Whether a submitted form token was minted for this browser's nonce."""
    if not nonce or not submitted:
        return False
    return hmac.compare_digest(token_for(nonce, secret_key), submitted)
