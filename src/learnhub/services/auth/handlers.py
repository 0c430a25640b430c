"""Reactions of the auth service to other services' events."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.users import UserRolesChanged
from learnhub.services.auth import service


async def project_roles(session: AsyncSession, event: UserRolesChanged) -> None:
    await service.apply_roles(session, user_id=event.user_id, roles=list(event.roles))


EVENT_HANDLERS = {UserRolesChanged.event_type: project_roles}
