"""Events published by the auth service."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import EmailStr, Field

from learnhub.contracts.base import EventPayload, contract

Role = Literal["admin", "instructor", "support", "learner"]


@contract("user.registered.v1", producer="auth")
class UserRegistered(EventPayload):
    """An account was created, by sign-up or by an administrator."""

    user_id: str
    email: EmailStr
    display_name: str
    roles: list[Role] = Field(default_factory=lambda: list[Role](["learner"]))
    registered_at: datetime


@contract("user.email_confirmation_requested.v1", producer="auth")
class EmailConfirmationRequested(EventPayload):
    """Someone signed up with an address that has no account; notifications e-mails it the
    link that confirms the address, creates the account and signs its owner in. Until the
    link is followed there is no account (``user.registered.v1`` follows the confirmation)."""

    email: EmailStr
    display_name: str
    confirm_url: str
    expires_at: datetime


@contract("user.logged_in.v1", producer="auth")
class UserLoggedIn(EventPayload):
    """A user signed in with a password."""

    user_id: str
    session_id: str
    logged_in_at: datetime


@contract("user.password_changed.v1", producer="auth")
class UserPasswordChanged(EventPayload):
    """A user's password was changed, by the user or through a reset link."""

    user_id: str
    email: EmailStr
    via_reset: bool
    changed_at: datetime


@contract("user.password_reset_requested.v1", producer="auth")
class UserPasswordResetRequested(EventPayload):
    """Someone asked for a reset link for an existing account; notifications e-mails it."""

    user_id: str
    email: EmailStr
    reset_url: str
    expires_at: datetime


@contract("user.account_exists_notice_requested.v1", producer="auth")
class AccountExistsNoticeRequested(EventPayload):
    """Someone tried to register an e-mail that already has an account. Registration
    answered as if the account were new, so that it reveals nothing; notifications e-mails
    the owner instead ("you already have an account: log in, or reset your password").
    Consumers should send at most one such e-mail per account in a while: anyone can cause
    this event for any address."""

    user_id: str
    email: EmailStr
    login_url: str
    reset_password_url: str
    requested_at: datetime
