"""Dependencies of the auth endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from learnhub.services.auth.service import AuthContext


async def get_auth_context(request: Request) -> AuthContext:
    return request.app.state.runtime.state["auth"]


AuthContextDep = Annotated[AuthContext, Depends(get_auth_context)]
