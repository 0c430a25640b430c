"""Reactions of the users service to other services' events."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.auth import UserRegistered
from learnhub.services.users import service


async def create_profile(session: AsyncSession, event: UserRegistered) -> None:
    await service.create_profile(session, event)


EVENT_HANDLERS = {UserRegistered.event_type: create_profile}
