"""The rules of the auth service. Nothing here commits: the request boundary does."""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import jwt
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.auth import (
    UserLoggedIn,
    UserPasswordChanged,
    UserPasswordResetRequested,
    UserRegistered,
)
from learnhub.kit.auth import Principal
from learnhub.kit.cache import Cache
from learnhub.kit.config import Settings
from learnhub.kit.db import utcnow
from learnhub.kit.events import record_event
from learnhub.services.auth import repository
from learnhub.services.auth.config import AuthSettings
from learnhub.services.auth.errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidResetToken,
    SigningKeyMissing,
    TooManyAttempts,
    WrongPassword,
)
from learnhub.services.auth.keys import (
    ALGORITHM,
    SigningKeyPair,
    generate_key_pair,
    key_pair_from_pem,
)
from learnhub.services.auth.models import (
    Account,
    LoginSession,
    PasswordResetToken,
    RefreshToken,
    SigningKey,
)
from learnhub.services.auth.passwords import Passwords
from learnhub.services.auth.schemas import TokenPair

log = logging.getLogger(__name__)

PLATFORM_ROLES = ("admin", "instructor", "support", "learner")


@dataclass(frozen=True)
class AuthContext:
    """What the rules need besides the request's session."""

    settings: AuthSettings
    platform: Settings
    passwords: Passwords
    signing_key: SigningKeyPair
    cache: Cache


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def register(
    session: AsyncSession,
    context: AuthContext,
    *,
    email: str,
    password: str,
    display_name: str,
    roles: tuple[str, ...] = ("learner",),
    password_hash: str | None = None,
) -> Account:
    """Create an account and announce it; the users service builds the profile from the event.

    ``password_hash`` (an Argon2id hash made by ``context.passwords``) lets bulk seeding
    hash one shared password once instead of once per account."""
    email = normalise_email(email)
    if await repository.get_account_by_email(session, email) is not None:
        raise EmailTaken(
            "An account with this e-mail already exists. Log in or reset your password."
        )
    now = utcnow()
    account = Account(
        id=str(uuid.uuid4()),
        email=email,
        password_hash=password_hash or await context.passwords.hash(password),
        roles=sorted(set(roles)),
        created_at=now,
        password_changed_at=now,
    )
    session.add(account)
    try:
        await session.flush()
    except IntegrityError as error:
        raise EmailTaken(
            "An account with this e-mail already exists. Log in or reset your password."
        ) from error
    await record_event(
        session,
        UserRegistered(
            user_id=account.id,
            email=email,
            display_name=display_name,
            roles=account.roles,
            registered_at=now,
        ),
        subject=account.id,
    )
    return account


def issue_access_token(context: AuthContext, account: Account, session_id: str) -> str:
    now = utcnow()
    claims = {
        "iss": context.platform.token_issuer,
        "aud": context.platform.token_audience,
        "sub": account.id,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=context.settings.access_token_ttl)).timestamp()),
        "jti": uuid.uuid4().hex,
        "typ": "access",
        "sid": session_id,
        "email": account.email,
        "roles": list(account.roles),
    }
    return jwt.encode(
        claims,
        context.signing_key.private_key,
        algorithm=ALGORITHM,
        headers={"kid": context.signing_key.kid},
    )


async def _new_refresh_token(
    session: AsyncSession, context: AuthContext, login_session_id: str
) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        RefreshToken(
            id=str(uuid.uuid4()),
            session_id=login_session_id,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + timedelta(seconds=context.settings.refresh_token_ttl),
        )
    )
    return token


async def _token_pair(
    session: AsyncSession, context: AuthContext, account: Account, login_session_id: str
) -> TokenPair:
    return TokenPair(
        access_token=issue_access_token(context, account, login_session_id),
        refresh_token=await _new_refresh_token(session, context, login_session_id),
        expires_in=context.settings.access_token_ttl,
    )


async def _throttled_for(cache: Cache, keys: list[str], limits: list[int]) -> int | None:
    """Seconds to wait if any counter has reached its limit."""
    for key, limit in zip(keys, limits, strict=True):
        count = await cache.get(key)
        if count is not None and int(count) >= limit:
            return max(1, int(await cache.ttl(key) or 1))
    return None


async def log_in(
    session: AsyncSession,
    context: AuthContext,
    *,
    email: str,
    password: str,
    client_address: str | None,
    user_agent: str | None,
) -> TokenPair:
    """Check a password and open a session. An unknown e-mail and a wrong password get the
    same answer in the same time; repeated failures are throttled per e-mail and per address."""
    email = normalise_email(email)
    email_key = "login-failures:account:" + _token_hash(email)
    address_key = f"login-failures:address:{client_address or 'unknown'}"
    limits = [
        context.settings.login_max_failures_per_account,
        context.settings.login_max_failures_per_address,
    ]
    wait = await _throttled_for(context.cache, [email_key, address_key], limits)
    if wait is not None:
        raise TooManyAttempts(
            f"Too many failed log-in attempts. Try again in {wait} seconds.", retry_after=wait
        )
    account = await repository.get_account_by_email(session, email)
    if (
        not await context.passwords.verify(account.password_hash if account else None, password)
        or account is None
    ):
        window = context.settings.login_throttle_window
        await context.cache.incr(email_key, ttl=window)
        await context.cache.incr(address_key, ttl=window)
        raise InvalidCredentials("The e-mail or the password is wrong.")
    await context.cache.delete(email_key)
    if context.passwords.needs_rehash(account.password_hash):
        account.password_hash = await context.passwords.hash(password)
    now = utcnow()
    login_session = LoginSession(
        id=str(uuid.uuid4()),
        account_id=account.id,
        created_at=now,
        client_address=client_address,
        user_agent=(user_agent or "")[:300] or None,
    )
    session.add(login_session)
    await session.flush()
    await record_event(
        session,
        UserLoggedIn(user_id=account.id, session_id=login_session.id, logged_in_at=now),
        subject=account.id,
    )
    return await _token_pair(session, context, account, login_session.id)


async def refresh(session: AsyncSession, context: AuthContext, *, refresh_token: str) -> TokenPair:
    """Rotate a refresh token. A token used twice means it leaked: its whole family is revoked."""
    stored = await repository.get_refresh_token_by_hash(session, _token_hash(refresh_token))
    if stored is None:
        raise InvalidRefreshToken("This refresh token is not valid. Log in again.")
    login_session = await repository.get_login_session(session, stored.session_id)
    now = utcnow()
    if login_session is None or login_session.revoked_at is not None:
        raise InvalidRefreshToken("This session has ended. Log in again.")
    if stored.used_at is not None or not await repository.claim_refresh_token(
        session, stored.id, now=now
    ):
        log.warning("refresh token reuse detected; revoking session %s", login_session.id)
        await repository.revoke_login_session(
            session, login_session.id, now=now, reason="refresh-token-reuse"
        )
        raise InvalidRefreshToken(
            "This refresh token was already used; the session has been ended. Log in again.",
            keep_changes=True,
        )
    if stored.expires_at <= now:
        raise InvalidRefreshToken("This refresh token has expired. Log in again.")
    account = await repository.get_account(session, login_session.account_id)
    if account is None:
        raise InvalidRefreshToken("This account no longer exists.")
    return await _token_pair(session, context, account, login_session.id)


async def log_out(session: AsyncSession, principal: Principal) -> None:
    if principal.session_id:
        await repository.revoke_login_session(
            session, principal.session_id, now=utcnow(), reason="logout"
        )


async def change_password(
    session: AsyncSession,
    context: AuthContext,
    principal: Principal,
    *,
    current_password: str,
    new_password: str,
) -> None:
    """Change the caller's password and end their other sessions."""
    account = await repository.get_account(session, principal.user_id)
    if account is None:
        raise InvalidCredentials("This account no longer exists.")
    if not await context.passwords.verify(account.password_hash, current_password):
        raise WrongPassword("The current password is wrong.")
    await _set_password(
        session, context, account, new_password, keep_session=principal.session_id, via_reset=False
    )


async def _set_password(
    session: AsyncSession,
    context: AuthContext,
    account: Account,
    new_password: str,
    *,
    keep_session: str | None,
    via_reset: bool,
) -> None:
    now = utcnow()
    account.password_hash = await context.passwords.hash(new_password)
    account.password_changed_at = now
    await repository.revoke_login_sessions(
        session, account.id, now=now, reason="password-changed", keep=keep_session
    )
    await repository.expire_reset_tokens(session, account.id, now=now)
    await record_event(
        session,
        UserPasswordChanged(
            user_id=account.id, email=account.email, via_reset=via_reset, changed_at=now
        ),
        subject=account.id,
    )


async def request_password_reset(
    session: AsyncSession, context: AuthContext, *, email: str
) -> None:
    """Send a reset link if the account exists; say nothing either way."""
    account = await repository.get_account_by_email(session, normalise_email(email))
    if account is None:
        return
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires_at = now + timedelta(seconds=context.settings.reset_token_ttl)
    session.add(
        PasswordResetToken(
            id=str(uuid.uuid4()),
            account_id=account.id,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=expires_at,
        )
    )
    reset_url = f"{context.platform.public_url.rstrip('/')}/reset-password?token={token}"
    await record_event(
        session,
        UserPasswordResetRequested(
            user_id=account.id, email=account.email, reset_url=reset_url, expires_at=expires_at
        ),
        subject=account.id,
    )
    if context.platform.env == "development":
        log.info("password reset link for %s (development only): %s", account.email, reset_url)


async def confirm_password_reset(
    session: AsyncSession, context: AuthContext, *, token: str, new_password: str
) -> None:
    """Set a new password with a reset token (once, before it expires) and end every session."""
    stored = await repository.get_reset_token_by_hash(session, _token_hash(token))
    now = utcnow()
    if stored is None or stored.used_at is not None or stored.expires_at <= now:
        raise InvalidResetToken("This reset link is invalid or has expired. Ask for a new one.")
    if not await repository.claim_reset_token(session, stored.id, now=now):
        raise InvalidResetToken("This reset link has already been used. Ask for a new one.")
    account = await repository.get_account(session, stored.account_id)
    if account is None:
        raise InvalidResetToken("This reset link is invalid or has expired. Ask for a new one.")
    await _set_password(session, context, account, new_password, keep_session=None, via_reset=True)


async def apply_roles(session: AsyncSession, *, user_id: str, roles: list[str]) -> None:
    """Keep the roles projected from the users service, so new tokens carry them."""
    account = await repository.get_account(session, user_id)
    if account is not None:
        account.roles = sorted(set(roles))


async def load_signing_key(
    session: AsyncSession, settings: AuthSettings, platform: Settings
) -> SigningKeyPair:
    """The configured signing key (published in the JWKS), or in development one kept in the database."""
    if settings.signing_key is not None:
        pair = key_pair_from_pem(settings.signing_key.get_secret_value())
        if await repository.get_signing_key(session, pair.kid) is None:
            session.add(
                SigningKey(
                    kid=pair.kid, public_jwk=pair.public_jwk, private_pem=None, created_at=utcnow()
                )
            )
        return pair
    if platform.env != "development":
        raise SigningKeyMissing(
            "LEARNHUB_AUTH_SIGNING_KEY is not set: outside development the auth service needs an "
            "Ed25519 private key in PEM (create one with `learnhub keygen`)."
        )
    stored = await repository.newest_private_key(session)
    if stored is not None and stored.private_pem:
        return key_pair_from_pem(stored.private_pem)
    pair = generate_key_pair()
    session.add(
        SigningKey(
            kid=pair.kid,
            public_jwk=pair.public_jwk,
            private_pem=pair.private_pem(),
            created_at=utcnow(),
        )
    )
    return pair


async def published_keys(session: AsyncSession) -> list[dict]:
    return [key.public_jwk for key in await repository.list_published_keys(session)]
