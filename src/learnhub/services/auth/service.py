"""The rules of the auth service. Nothing here commits: the request boundary does."""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.auth import (
    AccountExistsNoticeRequested,
    EmailConfirmationRequested,
    UserLoggedIn,
    UserPasswordChanged,
    UserPasswordResetRequested,
    UserRegistered,
)
from learnhub.kit.auth import Principal
from learnhub.kit.config import Settings
from learnhub.kit.db import utcnow
from learnhub.kit.events import record_event
from learnhub.services.auth import repository
from learnhub.services.auth.config import AuthSettings
from learnhub.services.auth.errors import (
    EmailTaken,
    InvalidConfirmationToken,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidResetToken,
    SigningKeyMissing,
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
    PendingRegistration,
    RefreshToken,
    SigningKey,
)
from learnhub.services.auth.passwords import Passwords
from learnhub.services.auth.schemas import TokenPair
from learnhub.services.auth.throttle import LoginThrottle

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuthContext:
    """What the rules need besides the request's session."""

    settings: AuthSettings
    platform: Settings
    passwords: Passwords
    throttle: LoginThrottle
    signing_key: SigningKeyPair


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def register(
    session: AsyncSession,
    context: AuthContext,
    *,
    email: str,
    display_name: str,
    password: str | None = None,
    password_hash: str | None = None,
    roles: tuple[str, ...] = ("learner",),
) -> Account:
    """Create an account and announce it; the users service builds the profile from the
    event. For administrators and the command line: a taken e-mail is an error here.

    Give ``password_hash`` (an Argon2id hash made by ``context.passwords``) to hash outside
    the caller's transaction, or one shared password once for many accounts (seeding);
    otherwise ``password`` is hashed here, inside the caller's transaction: fine at
    start-up or on the command line, not in a request."""
    if password_hash is None:
        if password is None:
            raise ValueError("register() needs a password or a password hash")
        password_hash = await context.passwords.hash(password)
    account = await _create_account(
        session,
        email=normalise_email(email),
        password_hash=password_hash,
        display_name=display_name,
        roles=roles,
    )
    if account is None:
        raise EmailTaken(
            "An account with this e-mail already exists. Log in or reset your password."
        )
    return account


async def sign_up(
    session: AsyncSession, context: AuthContext, *, email: str, password: str, display_name: str
) -> None:
    """Start a sign-up: an e-mail without an account is sent the link that confirms it (the
    account is created when the link is followed, see :func:`confirm_email`); the owner of
    an e-mail that has one is sent a notice instead. Both cases do the same work and give the
    same answer, so registration does not reveal who has an account: one hash, before the
    transaction begins (no connection waits on it), then one short transaction that looks
    up the e-mail's owner, writes at most one row and records one event."""
    email = normalise_email(email)
    with context.passwords.reserve() as work:
        password_hash = await work.hash(password)
    owner_id = await repository.get_account_id_by_email(session, email)
    if owner_id is None:
        await _request_email_confirmation(
            session, context, email=email, password_hash=password_hash, display_name=display_name
        )
    else:
        await _request_account_exists_notice(session, context, user_id=owner_id, email=email)


async def _request_email_confirmation(
    session: AsyncSession,
    context: AuthContext,
    *,
    email: str,
    password_hash: str,
    display_name: str,
) -> None:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    pending = PendingRegistration(
        id=str(uuid.uuid4()),
        email=email,
        password_hash=password_hash,
        display_name=display_name,
        token_hash=_token_hash(token),
        created_at=now,
        expires_at=now + timedelta(seconds=context.settings.confirmation_token_ttl),
    )
    session.add(pending)
    confirm_url = f"{context.platform.public_url.rstrip('/')}/confirm-email?token={token}"
    await record_event(
        session,
        EmailConfirmationRequested(
            email=email,
            display_name=display_name,
            confirm_url=confirm_url,
            expires_at=pending.expires_at,
        ),
        subject=pending.id,
    )
    if context.platform.env == "development":
        log.info("link confirming the sign-up of %s (development only): %s", email, confirm_url)


async def confirm_email(
    session: AsyncSession,
    context: AuthContext,
    *,
    token: str,
    client_address: str | None,
    user_agent: str | None,
) -> TokenPair:
    """Follow a sign-up's link: the address is confirmed, so the account is created (and
    announced) and its owner signed in, in one transaction. A link works once and until it
    expires; when the address got its account meanwhile (another link of it was followed
    first), this one no longer works either."""
    now = utcnow()
    pending = await repository.get_pending_registration_by_hash(session, _token_hash(token))
    if pending is None or not await repository.claim_pending_registration(
        session, pending.id, now=now
    ):
        raise InvalidConfirmationToken(
            "This confirmation link is invalid, used or expired. Register again, or log in."
        )
    await repository.delete_expired_pending_registrations(session, now=now)
    account = await _create_account(
        session,
        email=pending.email,
        password_hash=pending.password_hash,
        display_name=pending.display_name,
    )
    if account is None:
        raise InvalidConfirmationToken(
            "This address already has an account. Log in, or reset your password."
        )
    return await _open_session(
        session, context, account, client_address=client_address, user_agent=user_agent
    )


async def _create_account(
    session: AsyncSession,
    *,
    email: str,
    password_hash: str,
    display_name: str,
    roles: tuple[str, ...] = ("learner",),
) -> Account | None:
    """The new account, announced; None when the e-mail is taken."""
    now = utcnow()
    account = Account(
        id=str(uuid.uuid4()),
        email=email,
        password_hash=password_hash,
        roles=sorted(set(roles)),
        created_at=now,
        password_changed_at=now,
    )
    if not await repository.add_account(session, account):
        return None
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


async def _request_account_exists_notice(
    session: AsyncSession, context: AuthContext, *, user_id: str, email: str
) -> None:
    public_url = context.platform.public_url.rstrip("/")
    notice = AccountExistsNoticeRequested(
        user_id=user_id,
        email=email,
        login_url=f"{public_url}/login",
        reset_password_url=f"{public_url}/forgot-password",
        requested_at=utcnow(),
    )
    await record_event(session, notice, subject=user_id)
    if context.platform.env == "development":
        log.info(
            "registration of an existing account %s: it would be e-mailed (development only) "
            "to log in at %s or reset the password at %s",
            email,
            notice.login_url,
            notice.reset_password_url,
        )


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
    same answer in the same time; failures are throttled per e-mail and address pair, with
    ceilings per address and per e-mail (see ``throttle.py``).

    A place for the hash is reserved first, so a crowd past capacity is refused before any
    other work. The account is read in a short transaction that ends before the password
    is checked; the session is written in a second one, so no connection waits on Argon2."""
    email = normalise_email(email)
    attempt = await context.throttle.admit(email=email, address=client_address)
    try:
        with context.passwords.reserve() as work:
            account = await repository.get_account_by_email(session, email)
            await repository.end_read(session)
            stored_hash = account.password_hash if account is not None else None
            if not await work.verify(stored_hash, password) or account is None:
                await attempt.failed()
                raise InvalidCredentials("The e-mail or the password is wrong.")
            await attempt.succeeded()
            new_hash = (
                await work.hash(password)
                if context.passwords.needs_rehash(account.password_hash)
                else None
            )
    finally:
        await attempt.release()
    if new_hash is not None:
        # Only if the password did not change meanwhile; else the next log-in re-hashes.
        await repository.replace_password_hash(
            session, account.id, expected=account.password_hash, new_hash=new_hash
        )
    return await _open_session(
        session, context, account, client_address=client_address, user_agent=user_agent
    )


async def _open_session(
    session: AsyncSession,
    context: AuthContext,
    account: Account,
    *,
    client_address: str | None,
    user_agent: str | None,
) -> TokenPair:
    """A new login session for the account, announced, and its first token pair."""
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
    """Change the caller's password and end their other sessions. The account is read in a
    short transaction; both hashes run without a connection; then one write."""
    with context.passwords.reserve() as work:
        account = await repository.get_account(session, principal.user_id)
        await repository.end_read(session)
        if account is None:
            raise InvalidCredentials("This account no longer exists.")
        if not await work.verify(account.password_hash, current_password):
            raise WrongPassword("The current password is wrong.")
        new_hash = await work.hash(new_password)
    replaced = await repository.replace_password_hash(
        session,
        account.id,
        expected=account.password_hash,
        new_hash=new_hash,
        changed_at=utcnow(),
    )
    if not replaced:
        # It changed while we checked: the password given is no longer the current one.
        raise WrongPassword("The current password is wrong.")
    await _password_changed(session, account, keep_session=principal.session_id, via_reset=False)


async def _password_changed(
    session: AsyncSession, account: Account, *, keep_session: str | None, via_reset: bool
) -> None:
    """End the sessions and reset links the old password allowed, and announce the change."""
    now = utcnow()
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
    """Set a new password with a reset token (once, before it expires) and end every session.

    The token is looked at in a short transaction, the new password hashed without a
    connection, and the token claimed in the writing transaction: of two requests with one
    token, only the first to write wins."""
    with context.passwords.reserve() as work:
        stored = await repository.get_reset_token_by_hash(session, _token_hash(token))
        await repository.end_read(session)
        now = utcnow()
        if stored is None or stored.used_at is not None or stored.expires_at <= now:
            raise InvalidResetToken("This reset link is invalid or has expired. Ask for a new one.")
        new_hash = await work.hash(new_password)
    if not await repository.claim_reset_token(session, stored.id, now=utcnow()):
        raise InvalidResetToken("This reset link has already been used. Ask for a new one.")
    account = await repository.get_account(session, stored.account_id)
    if account is None:
        raise InvalidResetToken("This reset link is invalid or has expired. Ask for a new one.")
    await repository.replace_password_hash(
        session, account.id, expected=None, new_hash=new_hash, changed_at=utcnow()
    )
    await _password_changed(session, account, keep_session=None, via_reset=True)


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
