"""RFC 9457 problem details (``application/problem+json``) for every error response."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError as DatabaseError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from learnhub.kit.errors import AppError
from learnhub.kit.observability import OVERLOADED, request_id_var

PROBLEM_MEDIA_TYPE = "application/problem+json"

log = logging.getLogger(__name__)


class FieldProblem(BaseModel):
    field: str = Field(description="The field's name, dotted for nested fields.")
    pointer: str = Field(
        description="JSON pointer to the field in the request body, or the parameter's location."
    )
    detail: str = Field(description="What is wrong, in plain words.")
    code: str | None = Field(
        None,
        description=(
            "Why, as a stable machine-readable code (`missing`, `too_long`, `greater_than`, "
            "or a service's own such as `rubric_total_mismatch`): clients branch on it, "
            "never on `detail`."
        ),
    )


class Problem(BaseModel):
    """The body of every error response."""

    type: str = Field(
        "about:blank", description="Identifies the kind of problem; stable, branch on it."
    )
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldProblem] | None = None


def problem_response(
    status: int,
    *,
    title: str | None = None,
    type_uri: str = "about:blank",
    detail: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": type_uri,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    request_id = request_id_var.get()
    if request_id:
        body["request_id"] = request_id
    body.update({key: value for key, value in extra.items() if value is not None})
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries declaring that a route may answer with these problems."""
    return {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {}},
        }
        for status in statuses
    }


def _code(item: dict[str, Any]) -> str:
    """Pydantic's error type, which is stable across versions and names the broken rule
    (a validator raising ``PydanticCustomError`` names its own)."""
    return str(item.get("type") or "invalid")


def _field_problems(error: RequestValidationError) -> list[dict[str, str]]:
    problems = []
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ())]
        where = location[0] if location else "body"
        path = location[1:] if where in {"body", "query", "path", "header", "cookie"} else location
        field = ".".join(path) or where
        pointer = "#/" + "/".join(path) if where == "body" else f"{where}:{field}"
        message = str(item.get("msg", "is not valid"))
        message = message.removeprefix("Value error, ")
        problems.append(
            {"field": field, "pointer": pointer, "detail": message, "code": _code(item)}
        )
    return problems


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error the app can produce as problem details."""

    @app.exception_handler(AppError)
    async def app_error(request: Request, error: AppError) -> JSONResponse:
        return problem_response(
            error.status,
            title=error.title,
            type_uri=error.type_uri,
            detail=error.detail,
            instance=request.url.path,
            headers=error.headers,
            **error.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        return problem_response(
            422,
            title="Your request has invalid fields",
            type_uri="/problems/validation-error",
            detail="Correct the fields listed in `errors` and send the request again.",
            instance=request.url.path,
            errors=_field_problems(error),
        )

    @app.exception_handler(PoolTimeout)
    async def pool_exhausted(request: Request, _error: PoolTimeout) -> JSONResponse:
        return _overloaded(request)

    @app.exception_handler(DatabaseError)
    async def database_error(request: Request, error: DatabaseError) -> JSONResponse:
        if "database is locked" in str(error.orig):
            return _overloaded(request)
        log.error("database error in %s %s", request.method, request.url.path, exc_info=error)
        return internal_error_response()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail: str | None = error.detail if isinstance(error.detail, str) else None
        if detail == HTTPStatus(error.status_code).phrase:
            detail = None
        if error.status_code == 404 and detail is None:
            detail = f"There is nothing at {request.url.path}."
        if error.status_code == 405 and detail is None:
            detail = f"{request.method} is not allowed on {request.url.path}."
        return problem_response(
            error.status_code,
            detail=detail,
            instance=request.url.path,
            headers=getattr(error, "headers", None),
        )


def _overloaded(request: Request) -> JSONResponse:
    """Every database connection (or SQLite's write lock) stayed busy for the pool timeout."""
    service = getattr(getattr(request.app.state, "runtime", None), "name", "unknown")
    OVERLOADED.labels(service).inc()
    return problem_response(
        503,
        title="Too busy",
        type_uri="/problems/overloaded",
        detail="The platform is busy right now; retry in a moment.",
        instance=request.url.path,
        headers={"Retry-After": "1"},
    )


def internal_error_response() -> JSONResponse:
    return problem_response(
        500,
        type_uri="/problems/internal-error",
        detail="Something went wrong on our side. Quote the request id if you report it.",
    )
