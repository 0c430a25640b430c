"""Registering many accounts at once (seeding a platform for demonstrations and load tests).

The same rules as :func:`learnhub.services.auth.service.register`: e-mails normalised and
unique, roles sorted, one ``user.registered.v1`` event per account, so the users service
builds every profile and the courses service every person exactly as if each had signed up.
Only the round trips differ: one query to find who is already there, one insert for the
accounts and one for their events, instead of several per account. An e-mail registered
by someone else while the accounts are being created stays theirs, as with one sign-up each.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.contracts.auth import UserRegistered
from learnhub.kit.db import utcnow
from learnhub.kit.events import record_events
from learnhub.services.auth import repository
from learnhub.services.auth.models import Account
from learnhub.services.auth.service import normalise_email


@dataclass(frozen=True)
class NewAccount:
    email: str
    display_name: str
    roles: tuple[str, ...] = ("learner",)


@dataclass
class BulkRegistration:
    """Account ids by normalised e-mail: the ones created now and the ones already there."""

    created: dict[str, str] = field(default_factory=dict)
    existing: dict[str, str] = field(default_factory=dict)


async def register_many(
    session: AsyncSession, accounts: Sequence[NewAccount], *, password_hash: str
) -> BulkRegistration:
    """Create the accounts whose e-mail is free, each announced by its own event; an e-mail
    already registered (or listed twice) is reported under ``existing`` and left alone.

    Every new account gets ``password_hash``, an Argon2id hash made by the service's
    ``Passwords``: seeded accounts share one password, hashed once.
    """
    wanted: dict[str, NewAccount] = {}
    for account in accounts:
        wanted.setdefault(normalise_email(account.email), account)
    result = BulkRegistration(
        existing=await repository.get_account_ids_by_emails(session, list(wanted))
    )
    now = utcnow()
    new_accounts = [
        Account(
            id=str(uuid.uuid4()),
            email=email,
            password_hash=password_hash,
            roles=sorted(set(account.roles)),
            created_at=now,
            password_changed_at=now,
        )
        for email, account in wanted.items()
        if email not in result.existing
    ]
    if await repository.add_accounts(session, new_accounts) < len(new_accounts):
        # Concurrent sign-ups won some e-mails: those accounts are theirs, reported as existing.
        owners = await repository.get_account_ids_by_emails(
            session, [account.email for account in new_accounts]
        )
        result.existing.update(
            {
                account.email: owners[account.email]
                for account in new_accounts
                if owners.get(account.email, account.id) != account.id
            }
        )
        new_accounts = [
            account for account in new_accounts if owners.get(account.email) == account.id
        ]
    await record_events(
        session,
        (
            (
                UserRegistered(
                    user_id=account.id,
                    email=account.email,
                    display_name=wanted[account.email].display_name,
                    roles=account.roles,
                    registered_at=now,
                ),
                account.id,
            )
            for account in new_accounts
        ),
    )
    result.created = {account.email: account.id for account in new_accounts}
    return result
