"""Putting routers together without FastAPI's include wrappers.

``include_router`` wraps the included router in a lazily resolved node that every request
walks again (a version check and scope bookkeeping per candidate route): with a few dozen
routes under two levels of includes, matching cost more than handling a cached read. A
service's routers carry no prefix or dependencies of their own beyond what their routes
already hold, so their routes can simply be added where they are used.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.routing import Route, WebSocketRoute


def add_routes(target: APIRouter, *sources: APIRouter) -> None:
    """Add every route of ``sources`` to ``target``, as if declared on it.

    Each source's prefix, tags and dependencies were applied to its routes when they were
    declared; ``target`` must add none of its own, since they would not reach these routes.
    """
    if target.prefix or target.dependencies:
        raise ValueError("add_routes needs a target without a prefix or dependencies")
    for source in sources:
        for route in source.routes:
            if not isinstance(route, APIRoute | Route | WebSocketRoute):
                raise TypeError(
                    f"{route!r} is not a plain route: add the routes of nested routers instead"
                )
            target.routes.append(route)
