"""The browser session: the user's API tokens in one signed, HttpOnly cookie.

The web app keeps no server-side state. The cookie holds the access and refresh tokens, a
short summary of the signed-in user (so the layout can greet them without an API call per
page) and one-shot flash messages. It is signed, not encrypted: scripts cannot read it
(HttpOnly) and nobody can forge or alter it without the secret key.
"""

from __future__ import annotations

import functools
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SESSION_COOKIE = "lh_session"
# A signed cookie older than this is refused even if the browser still sends it; the refresh
# token's own lifetime, checked by the auth service, usually ends the session first.
SESSION_MAX_AGE_SECONDS = 14 * 24 * 3600

FlashLevel = Literal["success", "info", "error"]


@dataclass
class SignedInUser:
    """What the layout needs about the signed-in user, copied from ``/users/me``."""

    id: str
    display_name: str
    roles: list[str]
    locale: str | None = None
    time_zone: str | None = None

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @classmethod
    def from_profile(cls, profile: dict[str, Any]) -> SignedInUser:
        """The summary of a ``/users/me`` profile."""
        return cls(
            id=str(profile["id"]),
            display_name=profile.get("display_name") or profile.get("email") or "",
            roles=list(profile.get("roles") or []),
            locale=profile.get("locale"),
            time_zone=profile.get("time_zone"),
        )


@dataclass
class Flash:
    """A one-shot message shown on the next page, after a redirect."""

    level: FlashLevel
    message: str


@dataclass
class WebSession:
    """The decoded session cookie; ``modified`` tells the middleware to write it back."""

    access_token: str | None = None
    refresh_token: str | None = None
    user: SignedInUser | None = None
    flashes: list[Flash] = field(default_factory=list)
    modified: bool = False

    @property
    def is_signed_in(self) -> bool:
        return bool(self.access_token and self.refresh_token)

    @property
    def is_empty(self) -> bool:
        return not (self.access_token or self.refresh_token or self.user or self.flashes)

    def sign_in(self, *, access_token: str, refresh_token: str, user: SignedInUser | None) -> None:
        """Start a signed-in session with a fresh token pair (the user may follow)."""
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.user = user
        self.modified = True

    def replace_tokens(self, *, access_token: str, refresh_token: str) -> None:
        """Store a rotated token pair (the previous refresh token is now spent)."""
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.modified = True

    def replace_user(self, user: SignedInUser) -> None:
        """Store a fresher summary of the user, after they edit their profile."""
        self.user = user
        self.modified = True

    def sign_out(self) -> None:
        """Forget the tokens and the user; pending flash messages survive."""
        self.access_token = None
        self.refresh_token = None
        self.user = None
        self.modified = True

    def flash(self, level: FlashLevel, message: str) -> None:
        """Queue a message for the next page rendered for this browser."""
        self.flashes.append(Flash(level, message))
        self.modified = True

    def pop_flashes(self) -> list[Flash]:
        """The queued messages, removed from the session."""
        flashes, self.flashes = self.flashes, []
        if flashes:
            self.modified = True
        return flashes


class SessionCodec:
    """Signs a :class:`WebSession` into a cookie value and back."""

    def __init__(self, secret_key: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="learnhub.web.session")
        # A browser sends the same cookie with every page: checking its signature once is
        # enough (its age is checked on every use).
        self._verified = functools.lru_cache(maxsize=10_000)(self._verify)

    def _verify(self, value: str) -> tuple[dict[str, Any], float]:
        payload, signed_at = self._serializer.loads(value, return_timestamp=True)
        return payload, signed_at.timestamp()

    def dumps(self, session: WebSession) -> str:
        """The cookie value for ``session``."""
        payload: dict[str, Any] = {}
        if session.access_token and session.refresh_token:
            payload["a"] = session.access_token
            payload["r"] = session.refresh_token
        if session.user:
            payload["u"] = asdict(session.user)
        if session.flashes:
            payload["f"] = [[flash.level, flash.message] for flash in session.flashes]
        return self._serializer.dumps(payload)

    def loads(self, value: str | None) -> WebSession:
        """The session in a cookie value; an empty session when it is absent, old or forged."""
        if not value:
            return WebSession()
        try:
            payload, signed_at = self._verified(value)
            if time.time() - signed_at > SESSION_MAX_AGE_SECONDS:
                raise SignatureExpired("the session is too old")
            user = SignedInUser(**payload["u"]) if payload.get("u") else None
            flashes = [Flash(level, message) for level, message in payload.get("f", [])]
            return WebSession(
                access_token=payload.get("a"),
                refresh_token=payload.get("r"),
                user=user,
                flashes=flashes,
            )
        except (BadSignature, KeyError, TypeError, ValueError):
            # A tampered or outdated cookie is dropped: writing it back clears it.
            return WebSession(modified=True)
