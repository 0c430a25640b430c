"""Every query of the users service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.db import escape_like
from learnhub.kit.http.pagination import keyset_page
from learnhub.services.users.models import Profile


async def get_profile(session: AsyncSession, user_id: str) -> Profile | None:
    return await session.get(Profile, user_id)


async def list_profiles(
    session: AsyncSession, *, query: str | None, after: tuple[datetime, str] | None, limit: int
) -> list[Profile]:
    """Profiles in sign-up order, optionally matching ``query`` in e-mail or name."""
    statement = select(Profile)
    if query:
        pattern = f"%{escape_like(query.lower())}%"
        statement = statement.where(
            or_(
                Profile.email.ilike(pattern, escape="\\"),
                Profile.display_name.ilike(pattern, escape="\\"),
            )
        )
    statement = keyset_page(statement, Profile.created_at, Profile.id, after=after, limit=limit)
    return list((await session.scalars(statement)).all())


async def get_profiles(session: AsyncSession, user_ids: list[str]) -> dict[str, Profile]:
    """The profiles of these users that exist, by user id."""
    found: dict[str, Profile] = {}
    for start in range(0, len(user_ids), 500):  # bounded IN lists
        rows = await session.scalars(
            select(Profile).where(Profile.id.in_(user_ids[start : start + 500]))
        )
        found.update({profile.id: profile for profile in rows})
    return found
