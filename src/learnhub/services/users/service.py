"""The rules of the users service. Nothing here commits: the request boundary does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.auth import UserRegistered
from learnhub.contracts.users import UserProfileUpdated, UserRolesChanged
from learnhub.kit.auth import Principal
from learnhub.kit.db import utcnow
from learnhub.kit.events import record_event
from learnhub.kit.http.pagination import Page, decode_keyset, page_of
from learnhub.services.users import repository
from learnhub.services.users.errors import OwnAdminRole, ProfileNotFound
from learnhub.services.users.models import Profile
from learnhub.services.users.schemas import ProfileRead, ProfileUpdate

DEFAULT_LOCALE = "en"
DEFAULT_TIME_ZONE = "UTC"


async def create_profile(session: AsyncSession, event: UserRegistered) -> Profile:
    """Create the profile of a newly registered account (idempotent on the user id)."""
    [profile] = await create_profiles(session, [event])
    return profile


async def create_profiles(session: AsyncSession, events: Sequence[UserRegistered]) -> list[Profile]:
    """:func:`create_profile` for several registrations in turn, with one query for the
    profiles already there (a backlog of sign-ups is handled in one go)."""
    known = await repository.get_profiles(session, [event.user_id for event in events])
    profiles = []
    for event in events:
        profile = known.get(event.user_id)
        if profile is None:
            profile = Profile(
                id=event.user_id,
                email=str(event.email),
                display_name=event.display_name,
                bio="",
                avatar_url=None,
                locale=DEFAULT_LOCALE,
                time_zone=DEFAULT_TIME_ZONE,
                roles=sorted(set(event.roles)),
                created_at=event.registered_at,
                updated_at=event.registered_at,
            )
            session.add(profile)
            known[event.user_id] = profile
        profiles.append(profile)
    return profiles


async def get_profile(session: AsyncSession, user_id: str) -> Profile:
    profile = await repository.get_profile(session, user_id)
    if profile is None:
        raise ProfileNotFound(f"There is no profile for user {user_id}.")
    return profile


async def update_profile(session: AsyncSession, user_id: str, changes: ProfileUpdate) -> Profile:
    """Apply the fields sent; announce the change if anything changed."""
    profile = await get_profile(session, user_id)
    sent = changes.model_dump(exclude_unset=True)
    changed: list[str] = []
    for field, value in sent.items():
        if field == "avatar_url" and value is not None:
            value = str(value)
        if field == "bio" and value is None:
            value = ""
        if field in {"display_name", "locale", "time_zone"} and value is None:
            continue
        if getattr(profile, field) != value:
            setattr(profile, field, value)
            changed.append(field)
    if changed:
        profile.updated_at = utcnow()
        await record_event(
            session,
            UserProfileUpdated(
                user_id=profile.id,
                display_name=profile.display_name,
                locale=profile.locale,
                time_zone=profile.time_zone,
                changed=sorted(changed),
                updated_at=profile.updated_at,
            ),
            subject=profile.id,
        )
    return profile


async def list_profiles(
    session: AsyncSession, *, query: str | None, cursor: str | None, limit: int
) -> Page[ProfileRead]:
    rows = await repository.list_profiles(
        session,
        query=(query or "").strip() or None,
        after=decode_keyset(cursor, datetime, str),
        limit=limit + 1,
    )
    return page_of(
        rows,
        limit=limit,
        keyset=lambda row: (row.created_at, row.id),
        item=ProfileRead.model_validate,
    )


async def set_roles(
    session: AsyncSession, admin: Principal, user_id: str, roles: list[str]
) -> Profile:
    """Replace a user's platform roles. Admins cannot drop their own admin role (no lock-out)."""
    profile = await get_profile(session, user_id)
    new_roles = sorted(set(roles))
    if user_id == admin.user_id and "admin" not in new_roles:
        raise OwnAdminRole("Ask another administrator to remove your admin role.")
    previous = list(profile.roles)
    if new_roles != previous:
        profile.roles = new_roles
        profile.updated_at = utcnow()
        await record_event(
            session,
            UserRolesChanged(
                user_id=user_id,
                roles=new_roles,
                previous_roles=previous,
                changed_by=admin.user_id,
                changed_at=profile.updated_at,
            ),
            subject=user_id,
        )
    return profile
