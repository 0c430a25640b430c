"""Dependencies of the users endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from learnhub.services.users.config import UsersSettings


async def get_users_settings(request: Request) -> UsersSettings:
    return request.app.state.runtime.service_settings


UsersSettingsDep = Annotated[UsersSettings, Depends(get_users_settings)]
