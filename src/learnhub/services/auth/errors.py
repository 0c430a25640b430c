"""Errors of the auth service, each with its HTTP status."""

from learnhub.kit.errors import BadRequest, Conflict, TooManyRequests, Unauthorized


class EmailTaken(Conflict):
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


class TooManyAttempts(TooManyRequests):
    title = "Too many failed attempts"
    slug = "too-many-attempts"


class SigningKeyMissing(RuntimeError):
    """No signing key is configured outside development mode."""
