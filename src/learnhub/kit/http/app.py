"""The app factory every service uses."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from learnhub import __version__
from learnhub.kit.http.middleware import RequestContextMiddleware
from learnhub.kit.http.problems import install_problem_handlers, problem_response
from learnhub.kit.http.routing import add_routes
from learnhub.kit.runtime import ServiceRuntime

log = logging.getLogger(__name__)


def metrics_response() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


async def readiness(runtimes: list[ServiceRuntime]) -> Response:
    """200 when every runtime's database and bus answer, else a 503 problem naming the failure."""
    checks: dict[str, dict[str, str]] = {}
    for runtime in runtimes:
        try:
            checks[runtime.name] = await runtime.check_ready()
        except Exception as error:
            log.warning("readiness check of %s failed: %r", runtime.name, error)
            return problem_response(
                503,
                type_uri="/problems/not-ready",
                detail=f"{runtime.name} is not ready: {type(error).__name__}: {error}",
            )
    return JSONResponse({"status": "ready", "checks": checks})


def create_service_app(runtime: ServiceRuntime, *, lifespan: Any = None) -> FastAPI:
    """A FastAPI app serving one service's routes, health, readiness and metrics."""
    spec = runtime.spec
    app = FastAPI(
        title=f"learnhub {spec.title}",
        description=spec.description,
        version=__version__,
        openapi_url=f"/api/v1/{spec.name}/openapi.json",
        docs_url=f"/api/v1/{spec.name}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    install_problem_handlers(app)
    add_routes(app.router, spec.router)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": spec.name}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> Response:
        return await readiness([runtime])

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return metrics_response()

    origins = runtime.settings.cors_origins
    if origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=origins, allow_methods=["*"], allow_headers=["*"]
        )
    app.add_middleware(
        RequestContextMiddleware,
        service=spec.name,
        access_log_sample=runtime.settings.access_log_sample,
        slow_request_seconds=runtime.settings.slow_request_seconds,
    )
    return app
