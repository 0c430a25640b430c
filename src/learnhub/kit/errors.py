"""Errors that carry their HTTP status; one handler renders them as problem details."""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    """Base of every error a service raises on purpose.

    Subclasses set ``status``, ``title`` and ``slug``; the slug names the problem type
    (``/problems/<slug>``) that clients can branch on. ``extra`` members are added to the
    problem document, and ``headers`` to the response. ``keep_changes`` asks the request
    boundary to commit the work done before the error instead of rolling it back (a
    security revocation must stick even though the request is refused).
    """

    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"
    slug: ClassVar[str] = "bad-request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        keep_changes: bool = False,
        **extra: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.headers = headers or {}
        self.keep_changes = keep_changes
        self.extra = extra

    @property
    def type_uri(self) -> str:
        return f"/problems/{self.slug}"


class BadRequest(AppError):
    status = 400
    title = "Bad request"
    slug = "bad-request"


class Unauthorized(AppError):
    status = 401
    title = "Authentication required"
    slug = "unauthorized"

    def __init__(
        self, detail: str | None = None, *, keep_changes: bool = False, **extra: Any
    ) -> None:
        super().__init__(
            detail, headers={"WWW-Authenticate": "Bearer"}, keep_changes=keep_changes, **extra
        )


class Forbidden(AppError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


class NotFound(AppError):
    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(AppError):
    status = 409
    title = "Conflict"
    slug = "conflict"


class ContentTooLarge(AppError):
    status = 413
    title = "Content too large"
    slug = "content-too-large"


class UnprocessableContent(AppError):
    status = 422
    title = "Unprocessable content"
    slug = "unprocessable-content"


class TooManyRequests(AppError):
    status = 429
    title = "Too many requests"
    slug = "too-many-requests"

    def __init__(self, detail: str | None = None, *, retry_after: int, **extra: Any) -> None:
        super().__init__(
            detail, headers={"Retry-After": str(retry_after)}, retry_after=retry_after, **extra
        )


class ServiceUnavailable(AppError):
    status = 503
    title = "Service unavailable"
    slug = "unavailable"
