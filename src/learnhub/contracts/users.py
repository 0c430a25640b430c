"""Events published by the users service."""

from __future__ import annotations

from datetime import datetime

from learnhub.contracts.auth import Role
from learnhub.contracts.base import EventPayload, contract


@contract("user.profile_updated.v1", producer="users")
class UserProfileUpdated(EventPayload):
    """A profile changed; ``changed`` names the fields that did."""

    user_id: str
    display_name: str
    locale: str
    time_zone: str
    changed: list[str]
    updated_at: datetime


@contract("user.roles_changed.v1", producer="users")
class UserRolesChanged(EventPayload):
    """An administrator changed a user's platform roles."""

    user_id: str
    roles: list[Role]
    previous_roles: list[Role]
    changed_by: str
    changed_at: datetime
