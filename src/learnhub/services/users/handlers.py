"""Reactions of the users service to other services' events."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.auth import UserRegistered
from learnhub.services.users import service


async def create_profile(session: AsyncSession, event: UserRegistered) -> None:
    await service.create_profile(session, event)


async def create_profiles(session: AsyncSession, events: Sequence[UserRegistered]) -> None:
    await service.create_profiles(session, events)


EVENT_HANDLERS = {UserRegistered.event_type: create_profile}
EVENT_BATCH_HANDLERS = {UserRegistered.event_type: create_profiles}
