"""The auth service: credentials, sessions, refresh-token families, signing keys (JWKS)."""

from __future__ import annotations

from pathlib import Path

from learnhub.contracts.auth import (
    AccountExistsNoticeRequested,
    EmailConfirmationRequested,
    UserLoggedIn,
    UserPasswordChanged,
    UserPasswordResetRequested,
    UserRegistered,
)
from learnhub.kit.runtime import ServiceRuntime, ServiceSpec
from learnhub.services.auth import service as rules
from learnhub.services.auth.config import AuthSettings
from learnhub.services.auth.endpoints import router
from learnhub.services.auth.handlers import EVENT_HANDLERS
from learnhub.services.auth.models import Base
from learnhub.services.auth.passwords import Passwords
from learnhub.services.auth.throttle import LoginThrottle


async def _start(runtime: ServiceRuntime) -> None:
    settings: AuthSettings = runtime.service_settings
    async with runtime.db.transaction() as session:
        signing_key = await rules.load_signing_key(session, settings, runtime.settings)
    runtime.state["auth"] = rules.AuthContext(
        settings=settings,
        platform=runtime.settings,
        passwords=Passwords(settings),
        throttle=LoginThrottle(runtime.cache, settings),
        signing_key=signing_key,
    )


spec = ServiceSpec(
    name="auth",
    title="auth",
    description="Accounts, passwords, sessions and access tokens; the JWKS every service verifies against.",
    router=router,
    metadata=Base.metadata,
    migrations=Path(__file__).parent / "migrations",
    route_prefixes=("/api/v1/auth/", "/.well-known/jwks.json"),
    default_port=8101,
    publishes=(
        UserRegistered,
        UserLoggedIn,
        UserPasswordChanged,
        UserPasswordResetRequested,
        AccountExistsNoticeRequested,
        EmailConfirmationRequested,
    ),
    handlers=EVENT_HANDLERS,
    settings_class=AuthSettings,
    on_start=_start,
    issues_tokens=True,
)

__all__ = ["spec"]
