"""Request and response bodies of the auth API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

PASSWORD_MIN = 10
PASSWORD_MAX = 128

Password = Field(
    min_length=PASSWORD_MIN, max_length=PASSWORD_MAX, description="10 to 128 characters."
)


class RegisterRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=False)

    email: EmailStr
    password: str = Password
    display_name: str = Field(min_length=1, max_length=100)

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()

    @field_validator("display_name")
    @classmethod
    def _display_name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("must not be blank")
        return value


class RegistrationAccepted(BaseModel):
    """The answer to every valid registration, whether the e-mail was new (it is sent the
    link that confirms it) or already had an account (its owner is e-mailed instead): it
    names no account."""

    email: str = Field(description="The e-mail as it was stored: trimmed, lower case.")
    display_name: str = Field(description="The display name as it was stored.")


class EmailConfirmation(BaseModel):
    token: str = Field(min_length=1, max_length=200, description="The token of the e-mailed link.")


class LoginRequest(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=PASSWORD_MAX * 4)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105
    expires_in: int = Field(description="Seconds until the access token expires.")


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class PasswordChangeRequest(BaseModel):
    current_password: str = Field(max_length=PASSWORD_MAX * 4)
    new_password: str = Password


class PasswordResetRequest(BaseModel):
    email: str = Field(max_length=320)


class PasswordResetConfirm(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    new_password: str = Password


class Jwks(BaseModel):
    keys: list[dict]
