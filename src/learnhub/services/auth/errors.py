"""Errors of the auth service, each with its HTTP status."""

from __future__ import annotations

from learnhub.kit.errors import (
    BadRequest,
    Conflict,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
)


class EmailTaken(Conflict):
    """Raised to administrators and the command line only: public sign-up never tells."""

    title = "E-mail already registered"
    slug = "email-taken"


class InvalidCredentials(Unauthorized):
    title = "Invalid e-mail or password"
    slug = "invalid-credentials"


class InvalidRefreshToken(Unauthorized):
    title = "Invalid refresh token"
    slug = "invalid-refresh-token"


class WrongPassword(BadRequest):
    title = "Current password is wrong"
    slug = "wrong-password"


class InvalidResetToken(BadRequest):
    title = "Invalid or expired reset link"
    slug = "invalid-reset-token"


class InvalidConfirmationToken(BadRequest):
    """Unknown, used or expired, or the address got its account through another link."""

    title = "Invalid or expired confirmation link"
    slug = "invalid-confirmation-token"


class TooManyAttempts(TooManyRequests):
    title = "Too many failed attempts"
    slug = "too-many-attempts"


class PasswordHashingBusy(ServiceUnavailable):
    """Every password-hashing thread is busy and the queue in front of them is full."""

    title = "Too many log-ins at once"
    slug = "auth-busy"

    def __init__(self, detail: str | None = None, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)}, retry_after=retry_after)


class SigningKeyMissing(RuntimeError):
    """No signing key is configured outside development mode."""
