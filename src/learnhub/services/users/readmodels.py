"""The users service's cached read: a person's own profile (``GET /api/v1/users/me``, read on
every page of the web UI). A flushed profile row renews its stamp once the write commits
(``kit.readcache``), so a change is visible in the next read."""

from __future__ import annotations

from typing import Any

from learnhub.kit.cache import Cache
from learnhub.kit.db import Database
from learnhub.kit.readcache import View, read_through, renew_stamps_of_flushed_rows
from learnhub.services.users import service
from learnhub.services.users.config import UsersSettings
from learnhub.services.users.schemas import ProfileRead


def _profile_stamp(user_id: str) -> str:
    return f"stamp:profile:{user_id}"


def _stamps_of_profile(row: Any) -> list[str]:
    return [_profile_stamp(row.id)]


renew_stamps_of_flushed_rows("users", {"profiles": _stamps_of_profile})


async def profile(db: Database, cache: Cache, user_id: str) -> str:
    """A person's profile as JSON: a cache hit, or read and cached."""

    async def build() -> str:
        async with db.session() as session:
            found = await service.get_profile(session, user_id)
        return ProfileRead.model_validate(found).model_dump_json()

    settings: UsersSettings = db.info["service_settings"]
    view = View(f"profile:{user_id}", (_profile_stamp(user_id),))
    return await read_through(cache, view, build, ttl=settings.read_cache_ttl)
