"""The web app factory: :func:`create_web_app` is the one entry point the runner calls."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from learnhub.kit.config import Settings
from learnhub.kit.http.routing import add_routes
from learnhub.web.api import PlatformApi
from learnhub.web.branding import Branding, branding_from_settings
from learnhub.web.errors import install_error_handlers
from learnhub.web.i18n import load_translations
from learnhub.web.inprocess import InProcessApi
from learnhub.web.middleware import SessionCookieMiddleware
from learnhub.web.pages import (
    ROUTERS,
    announcements,
    assignment,
    assignment_editor,
    catalog,
    certificates,
    course,
    course_builder,
    course_outline,
    course_settings,
    dashboard,
    downloads,
    gradebook,
    grading,
    groups,
    learn,
    quiz,
    quiz_editor,
    quiz_grading,
    quiz_questions,
    teach,
)
from learnhub.web.state import WebState
from learnhub.web.static import (
    STATIC_DIR,
    STATIC_PREFIX,
    StaticUrls,
    VersionedStaticFiles,
    content_hashes,
)
from learnhub.web.templating import Templates

# The pages of the courses service.
COURSE_ROUTERS = (
    catalog.router,
    course.router,
    announcements.router,
    learn.router,
    quiz.router,
    dashboard.router,
    certificates.router,
    teach.router,
    course_builder.router,
    course_outline.router,
    course_settings.router,
    quiz_editor.router,
    quiz_questions.router,
    assignment_editor.router,
    assignment.router,
    grading.router,
    quiz_grading.router,
    gradebook.router,
    groups.router,
    downloads.router,
)


def _origin(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else None


def content_security_policy(branding: Branding, settings: Settings) -> str:
    """Only our own scripts and styles run; the one inline style is the branding palette.
    Images come from the platform, ``data:``, the logo's host and the hosts the settings
    allow (so lesson Markdown cannot load tracking pixels from anywhere); frames only from
    the video players the lesson player embeds."""
    style_hash = base64.b64encode(hashlib.sha256(branding.css_variables.encode()).digest()).decode()
    image_hosts = list(dict.fromkeys([*settings.web_img_hosts, _origin(branding.logo_url)]))
    frame_hosts = settings.web_frame_hosts
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' 'sha256-{style_hash}'",
            " ".join(["img-src 'self' data:", *(host for host in image_hosts if host)]),
            "frame-src " + (" ".join(frame_hosts) if frame_hosts else "'none'"),
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        )
    )


class SecurityHeadersMiddleware:
    """Adds the headers every page should carry, unless a page set its own."""

    def __init__(self, app: ASGIApp, *, csp: str) -> None:
        self.app = app
        self.headers = {
            "content-security-policy": csp,
            "x-content-type-options": "nosniff",
            "x-frame-options": "DENY",
            # Reset links carry a token in their query string: never send it to other sites.
            "referrer-policy": "same-origin",
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_web_app(
    settings: Settings, api: httpx.AsyncClient, *, gateway: ASGIApp | None = None
) -> FastAPI:
    """The web UI as an ASGI app that reaches the platform only through its public API.

    ``api`` has its base URL set to the gateway; the app calls paths like
    ``/api/v1/auth/login`` on it and never imports a service. ``gateway`` is the gateway's
    ASGI app when it runs in the same process (all-in-one): JSON calls then go to it
    directly, without building HTTP messages.
    """
    translations = load_translations()
    branding = branding_from_settings(settings)
    static_urls = StaticUrls(content_hashes(STATIC_DIR))
    templates = Templates(
        translations,
        shared_globals={"static_url": static_urls.url, "static_files": static_urls},
    )
    state = WebState(
        settings=settings,
        api=PlatformApi(api, in_process=InProcessApi(gateway) if gateway is not None else None),
        branding=branding,
        translations=translations,
        templates=templates,
        static_urls=static_urls,
    )

    app = FastAPI(
        title=f"{settings.institution_name} web",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.web = state
    app.mount(STATIC_PREFIX, VersionedStaticFiles(directory=STATIC_DIR), name="static")
    add_routes(app.router, *ROUTERS, *COURSE_ROUTERS)
    install_error_handlers(app)
    app.add_middleware(
        SessionCookieMiddleware, secret_key=state.secret_key, secure=state.secure_cookies
    )
    app.add_middleware(SecurityHeadersMiddleware, csp=content_security_policy(branding, settings))
    return app
