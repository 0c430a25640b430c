"""Responses for bodies that are already JSON text (a cached read), sent without parsing
and validating them again."""

from __future__ import annotations

from starlette.responses import Response


class JsonText(Response):
    """A response whose body is JSON the service serialised earlier (from a response model).

    Routes returning it keep their ``response_model`` for the OpenAPI document; FastAPI does
    not validate a ``Response`` it is handed, which is the point: a cache hit costs no
    parsing."""

    media_type = "application/json"


def with_members(body: str, members: dict[str, str]) -> str:
    """The JSON object ``body`` with more members appended, each value JSON text too.

    ``body`` must be a serialised object without those members (pydantic's output): this
    splices text instead of parsing and serialising the cached object again."""
    if not members:
        return body
    extra = ",".join(f'"{name}":{value}' for name, value in members.items())
    inner = body[1:-1].strip()
    return "{" + (inner + "," if inner else "") + extra + "}"
