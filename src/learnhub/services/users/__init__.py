"""The users service: profiles, preferences and platform roles."""

from __future__ import annotations

from pathlib import Path

from learnhub.contracts.users import UserProfileUpdated, UserRolesChanged
from learnhub.kit.runtime import ServiceSpec
from learnhub.services.users.config import UsersSettings
from learnhub.services.users.endpoints import router
from learnhub.services.users.handlers import EVENT_BATCH_HANDLERS, EVENT_HANDLERS
from learnhub.services.users.models import Base

spec = ServiceSpec(
    name="users",
    title="users",
    description="Profiles, preferences and platform roles (admin, instructor, support, learner).",
    router=router,
    metadata=Base.metadata,
    migrations=Path(__file__).parent / "migrations",
    route_prefixes=("/api/v1/users",),
    default_port=8102,
    publishes=(UserProfileUpdated, UserRolesChanged),
    handlers=EVENT_HANDLERS,
    batch_handlers=EVENT_BATCH_HANDLERS,
    settings_class=UsersSettings,
)

__all__ = ["spec"]
