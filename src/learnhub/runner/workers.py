"""Several worker processes for one service: uvicorn's supervisor starts them on one shared
socket and restarts any that dies; each worker builds its own app and connections.

A service runs the same in one process or several: its state is in PostgreSQL, Redis and
RabbitMQ, its outbox relays claim batches with ``FOR UPDATE SKIP LOCKED`` and its consumers
share one queue. The all-in-one mode keeps its cache and SQLite writer in one process, so
it runs one.
"""

from __future__ import annotations

import os

import httpx
from starlette.types import ASGIApp

from learnhub.kit.config import Settings
from learnhub.kit.http.shedding import ShedLoad
from learnhub.kit.observability import configure_logging
from learnhub.runner.registry import get_service

TARGET_VARIABLE = "LEARNHUB_SERVE_TARGET"


def build_target(target: str, settings: Settings) -> ASGIApp:
    """The ASGI app of one service, or of the web UI (``web``)."""
    if target == "web":
        from learnhub.web.app import create_web_app

        if not settings.api_url:
            raise ValueError("the web UI needs the gateway's address (LEARNHUB_API_URL)")
        return create_web_app(settings, httpx.AsyncClient(base_url=settings.api_url))
    from learnhub.runner.platform import build_single_service

    _platform, app = build_single_service(settings, get_service(target))
    return app


def served(app: ASGIApp, settings: Settings) -> ASGIApp:
    """What the server runs: the app behind the process's in-flight limit."""
    return ShedLoad(
        app,
        max_in_flight=settings.max_in_flight,
        max_queued=settings.max_queued,
        queue_timeout=settings.queue_timeout,
    )


def worker_app() -> ASGIApp:
    """uvicorn's app factory in each worker process (the target comes from the parent)."""
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    return served(build_target(os.environ[TARGET_VARIABLE], settings), settings)
