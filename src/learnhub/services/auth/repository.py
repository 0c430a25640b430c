"""Every query of the auth service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.db import insert_ignore
from learnhub.services.auth.models import (
    Account,
    LoginSession,
    PasswordResetToken,
    PendingRegistration,
    RefreshToken,
    SigningKey,
)


async def get_account(session: AsyncSession, account_id: str) -> Account | None:
    return await session.get(Account, account_id)


async def get_account_by_email(session: AsyncSession, email: str) -> Account | None:
    return await session.scalar(select(Account).where(Account.email == email))


async def get_account_id_by_email(session: AsyncSession, email: str) -> str | None:
    return await session.scalar(select(Account.id).where(Account.email == email))


async def add_account(session: AsyncSession, account: Account) -> bool:
    """Insert an account; False when its e-mail is taken. The unique index decides, so two
    concurrent sign-ups of one e-mail cannot both create it, in one statement that costs
    the same either way (no savepoint, no error to recover from): a taken e-mail must not
    be told apart by the time it takes."""
    columns = {column.key: getattr(account, column.key) for column in Account.__table__.c}
    if session.get_bind().dialect.name == "postgresql":
        statement: Any = postgresql.insert(Account)
    else:
        statement = sqlite.insert(Account)
    result = await session.execute(
        statement.values(**columns).on_conflict_do_nothing(index_elements=["email"])
    )
    return result.rowcount == 1


async def get_pending_registration_by_hash(
    session: AsyncSession, token_hash: str
) -> PendingRegistration | None:
    return await session.scalar(
        select(PendingRegistration).where(PendingRegistration.token_hash == token_hash)
    )


async def claim_pending_registration(
    session: AsyncSession, registration_id: str, *, now: datetime
) -> bool:
    """Use a pending registration's link by deleting it; False if another request used it
    first or it has expired."""
    result = await session.execute(
        delete(PendingRegistration).where(
            PendingRegistration.id == registration_id, PendingRegistration.expires_at > now
        )
    )
    return result.rowcount == 1


async def delete_expired_pending_registrations(session: AsyncSession, *, now: datetime) -> None:
    """Forget sign-ups whose link expired unused."""
    await session.execute(delete(PendingRegistration).where(PendingRegistration.expires_at <= now))


async def replace_password_hash(
    session: AsyncSession,
    account_id: str,
    *,
    expected: str | None,
    new_hash: str,
    changed_at: datetime | None = None,
) -> bool:
    """Store a new hash; with ``expected``, only if the stored hash is still that one (the
    password was read, then checked without a connection: it may have changed meanwhile).
    ``changed_at`` marks a new password rather than the same one hashed again."""
    statement = update(Account).where(Account.id == account_id).values(password_hash=new_hash)
    if expected is not None:
        statement = statement.where(Account.password_hash == expected)
    if changed_at is not None:
        statement = statement.values(password_changed_at=changed_at)
    result = await session.execute(statement)
    return result.rowcount == 1


async def end_read(session: AsyncSession) -> None:
    """End the session's read-only transaction, so its connection goes back to the pool
    before slow work (a password hash) instead of being held across it.

    The objects read so far stay readable as detached snapshots; the next statement begins
    a new transaction, which the request boundary commits as usual."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("end_read() would drop unsaved changes")
    session.expunge_all()
    await session.rollback()


async def any_account(session: AsyncSession) -> bool:
    return (await session.scalar(select(Account.id).limit(1))) is not None


async def get_login_session(session: AsyncSession, session_id: str) -> LoginSession | None:
    return await session.get(LoginSession, session_id)


async def revoke_login_sessions(
    session: AsyncSession, account_id: str, *, now: datetime, reason: str, keep: str | None = None
) -> int:
    statement = (
        update(LoginSession)
        .where(LoginSession.account_id == account_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )
    if keep is not None:
        statement = statement.where(LoginSession.id != keep)
    result = await session.execute(statement)
    return result.rowcount or 0


async def revoke_login_session(
    session: AsyncSession, session_id: str, *, now: datetime, reason: str
) -> None:
    await session.execute(
        update(LoginSession)
        .where(LoginSession.id == session_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )


async def get_refresh_token_by_hash(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    return await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash))


async def claim_refresh_token(session: AsyncSession, token_id: str, *, now: datetime) -> bool:
    """Mark a refresh token used; False if another request used it first."""
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
    )
    return result.rowcount == 1


async def get_reset_token_by_hash(
    session: AsyncSession, token_hash: str
) -> PasswordResetToken | None:
    return await session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash)
    )


async def claim_reset_token(session: AsyncSession, token_id: str, *, now: datetime) -> bool:
    """Mark a reset token used; False if it was used (or expired) before this request got it."""
    result = await session.execute(
        update(PasswordResetToken)
        .where(
            PasswordResetToken.id == token_id,
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > now,
        )
        .values(used_at=now)
    )
    return result.rowcount == 1


async def expire_reset_tokens(session: AsyncSession, account_id: str, *, now: datetime) -> None:
    await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.account_id == account_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )


async def list_published_keys(session: AsyncSession) -> list[SigningKey]:
    return list(
        (
            await session.scalars(
                select(SigningKey)
                .where(SigningKey.retired_at.is_(None))
                .order_by(SigningKey.created_at)
            )
        ).all()
    )


async def get_signing_key(session: AsyncSession, kid: str) -> SigningKey | None:
    return await session.get(SigningKey, kid)


async def newest_private_key(session: AsyncSession) -> SigningKey | None:
    return await session.scalar(
        select(SigningKey)
        .where(SigningKey.private_pem.is_not(None), SigningKey.retired_at.is_(None))
        .order_by(SigningKey.created_at.desc())
        .limit(1)
    )


async def get_account_ids_by_emails(session: AsyncSession, emails: list[str]) -> dict[str, str]:
    """Account ids by (normalised) e-mail, for the e-mails that have an account."""
    found: dict[str, str] = {}
    for start in range(0, len(emails), 500):  # bounded IN lists
        chunk = emails[start : start + 500]
        rows = await session.execute(
            select(Account.email, Account.id).where(Account.email.in_(chunk))
        )
        found.update({row.email: row.id for row in rows})
    return found


async def add_accounts(session: AsyncSession, accounts: list[Account]) -> int:
    """:func:`add_account` for many accounts, a statement per thousand; returns how many were
    inserted (fewer when some e-mails were taken)."""
    inserted = 0
    for start in range(0, len(accounts), 1000):  # bounded parameter lists
        inserted += await insert_ignore(
            session,
            Account,
            [
                {column.key: getattr(account, column.key) for column in Account.__table__.c}
                for account in accounts[start : start + 1000]
            ],
            conflict_columns=["email"],
        )
    return inserted
