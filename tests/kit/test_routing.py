"""add_routes: routers put together without include wrappers behave as if declared in place."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, HTTPException

from learnhub.kit.http.routing import add_routes


async def refuse_without_header(x_token: str | None = None) -> None:
    if x_token != "ok":
        raise HTTPException(403)


async def test_routes_keep_their_prefix_tags_and_dependencies() -> None:
    # given
    guarded = APIRouter(
        prefix="/guarded", tags=["g"], dependencies=[Depends(refuse_without_header)]
    )

    @guarded.get("/thing")
    async def thing() -> dict[str, str]:
        return {"thing": "yes"}

    app = FastAPI()
    add_routes(app.router, guarded)
    # when
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        refused = await client.get("/guarded/thing")
        allowed = await client.get("/guarded/thing", params={"x_token": "ok"})
    # then
    assert (refused.status_code, allowed.json()) == (403, {"thing": "yes"})
    assert app.openapi()["paths"]["/guarded/thing"]["get"]["tags"] == ["g"]


def test_nested_includes_and_targets_with_their_own_dependencies_are_refused() -> None:
    inner, outer = APIRouter(), APIRouter()
    inner.add_api_route("/x", lambda: None)
    outer.include_router(inner)
    with pytest.raises(TypeError):
        add_routes(APIRouter(), outer)
    with pytest.raises(ValueError, match="dependencies"):
        add_routes(APIRouter(dependencies=[Depends(refuse_without_header)]), inner)
