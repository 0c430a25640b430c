"""Routes of the users service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from learnhub.kit.auth import AdminPrincipal, CurrentPrincipal
from learnhub.kit.errors import Forbidden
from learnhub.kit.http.deps import CacheDep, DatabaseDep, SessionDep
from learnhub.kit.http.pagination import Page
from learnhub.kit.http.problems import problem_responses
from learnhub.kit.http.responses import JsonText
from learnhub.services.users import readmodels, service
from learnhub.services.users.deps import UsersSettingsDep
from learnhub.services.users.schemas import ProfileRead, ProfileUpdate, RolesUpdate

router = APIRouter(tags=["users"])


@router.get("/api/v1/users/me", response_model=ProfileRead, responses=problem_responses(401, 404))
async def read_my_profile(
    principal: CurrentPrincipal, db: DatabaseDep, cache: CacheDep
) -> JsonText:
    """The caller's own profile, preferences and roles."""
    return JsonText(await readmodels.profile(db, cache, principal.user_id))


@router.patch(
    "/api/v1/users/me", response_model=ProfileRead, responses=problem_responses(401, 404, 422)
)
async def update_my_profile(
    body: ProfileUpdate, principal: CurrentPrincipal, session: SessionDep
) -> ProfileRead:
    """Change the caller's display name, bio, avatar, language or time zone."""
    return ProfileRead.model_validate(
        await service.update_profile(session, principal.user_id, body)
    )


@router.get(
    "/api/v1/users", response_model=Page[ProfileRead], responses=problem_responses(400, 401, 403)
)
async def list_users(
    _admin: AdminPrincipal,
    session: SessionDep,
    settings: UsersSettingsDep,
    q: Annotated[
        str | None, Query(max_length=200, description="Part of an e-mail or a name.")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
) -> Page[ProfileRead]:
    """Every user, in sign-up order, for administrators; search with `q`, page with `cursor`."""
    return await service.list_profiles(
        session,
        query=q,
        cursor=cursor,
        limit=min(limit or settings.page_size, settings.max_page_size),
    )


@router.get(
    "/api/v1/users/{user_id}",
    response_model=ProfileRead,
    responses=problem_responses(401, 403, 404),
)
async def read_user(user_id: str, principal: CurrentPrincipal, session: SessionDep) -> ProfileRead:
    """One user's profile: for administrators, or the user themself."""
    if principal.user_id != user_id and not principal.has_role("admin"):
        raise Forbidden("Only administrators can read other users' profiles.")
    return ProfileRead.model_validate(await service.get_profile(session, user_id))


@router.put(
    "/api/v1/users/{user_id}/roles",
    response_model=ProfileRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def replace_roles(
    user_id: str, body: RolesUpdate, admin: AdminPrincipal, session: SessionDep
) -> ProfileRead:
    """Set a user's platform roles (administrators only)."""
    return ProfileRead.model_validate(
        await service.set_roles(session, admin, user_id, list(body.roles))
    )
