"""Routes of the auth service."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from learnhub.kit.auth import CurrentPrincipal
from learnhub.kit.http.deps import ClientAddress, SessionDep
from learnhub.kit.http.problems import problem_responses
from learnhub.services.auth import service
from learnhub.services.auth.deps import AuthContextDep
from learnhub.services.auth.schemas import (
    EmailConfirmation,
    Jwks,
    LoginRequest,
    PasswordChangeRequest,
    PasswordResetConfirm,
    PasswordResetRequest,
    RefreshRequest,
    RegisterRequest,
    RegistrationAccepted,
    TokenPair,
)

router = APIRouter(tags=["auth"])


@router.post(
    "/api/v1/auth/register",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RegistrationAccepted,
    responses=problem_responses(422, 503),
)
async def register(
    body: RegisterRequest, session: SessionDep, context: AuthContextDep
) -> RegistrationAccepted:
    """Sign up: a new e-mail is sent the link that confirms it; one that has an account gets the same answer and its owner a notice."""
    await service.sign_up(
        session, context, email=body.email, password=body.password, display_name=body.display_name
    )
    return RegistrationAccepted(email=body.email, display_name=body.display_name)


@router.post(
    "/api/v1/auth/email-confirmation",
    response_model=TokenPair,
    responses=problem_responses(400, 422),
)
async def confirm_email(
    body: EmailConfirmation,
    request: Request,
    session: SessionDep,
    context: AuthContextDep,
    address: ClientAddress,
) -> TokenPair:
    """Follow a sign-up's e-mailed link: the account is created and its owner signed in (once)."""
    return await service.confirm_email(
        session,
        context,
        token=body.token,
        client_address=address,
        user_agent=request.headers.get("user-agent"),
    )


@router.post(
    "/api/v1/auth/login",
    response_model=TokenPair,
    responses=problem_responses(401, 422, 429, 503),
)
async def login(
    body: LoginRequest,
    request: Request,
    session: SessionDep,
    context: AuthContextDep,
    address: ClientAddress,
) -> TokenPair:
    """Exchange an e-mail and password for an access token and a refresh token."""
    return await service.log_in(
        session,
        context,
        email=body.email,
        password=body.password,
        client_address=address,
        user_agent=request.headers.get("user-agent"),
    )


@router.post(
    "/api/v1/auth/refresh", response_model=TokenPair, responses=problem_responses(401, 422)
)
async def refresh(body: RefreshRequest, session: SessionDep, context: AuthContextDep) -> TokenPair:
    """Exchange a refresh token (used once) for a new token pair."""
    return await service.refresh(session, context, refresh_token=body.refresh_token)


@router.post(
    "/api/v1/auth/logout", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(401)
)
async def logout(principal: CurrentPrincipal, session: SessionDep) -> Response:
    """End the caller's session; its refresh tokens stop working."""
    await service.log_out(session, principal)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/api/v1/auth/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(400, 401, 422, 503),
)
async def change_password(
    body: PasswordChangeRequest,
    principal: CurrentPrincipal,
    session: SessionDep,
    context: AuthContextDep,
) -> Response:
    """Change the caller's password; their other sessions end."""
    await service.change_password(
        session,
        context,
        principal,
        current_password=body.current_password,
        new_password=body.new_password,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/api/v1/auth/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(422),
)
async def request_password_reset(
    body: PasswordResetRequest, session: SessionDep, context: AuthContextDep
) -> Response:
    """Send a reset link to the e-mail if it has an account (the answer is the same either way)."""
    await service.request_password_reset(session, context, email=body.email)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/api/v1/auth/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(400, 422, 503),
)
async def confirm_password_reset(
    body: PasswordResetConfirm, session: SessionDep, context: AuthContextDep
) -> Response:
    """Set a new password with the token from a reset link; every session ends."""
    await service.confirm_password_reset(
        session, context, token=body.token, new_password=body.new_password
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/.well-known/jwks.json", response_model=Jwks)
async def jwks(session: SessionDep, response: Response) -> Jwks:
    """The public keys that verify access tokens (JSON Web Key Set)."""
    response.headers["Cache-Control"] = "public, max-age=300"
    return Jwks(keys=await service.published_keys(session))
