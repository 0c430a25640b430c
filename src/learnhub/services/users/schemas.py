"""Request and response bodies of the users API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import available_timezones

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator

from learnhub.contracts.auth import Role
from learnhub.kit.validation import one_line

Locale = Literal["en", "pt"]
_TIME_ZONES = frozenset(available_timezones())


class ProfileRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    display_name: str
    bio: str
    avatar_url: str | None
    locale: str
    time_zone: str
    roles: list[Role]
    created_at: datetime
    updated_at: datetime


class ProfileUpdate(BaseModel):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(None, min_length=1, max_length=100)
    bio: str | None = Field(None, max_length=2000)
    avatar_url: AnyHttpUrl | None = Field(
        None, description="An http(s) address of an image; null removes it."
    )
    locale: Locale | None = None
    time_zone: str | None = Field(None, description="An IANA time zone, e.g. Europe/Lisbon.")

    @field_validator("display_name")
    @classmethod
    def _display_name(cls, value: str | None) -> str | None:
        return one_line(value)

    @field_validator("time_zone")
    @classmethod
    def _time_zone(cls, value: str | None) -> str | None:
        if value is not None and value not in _TIME_ZONES:
            raise ValueError("is not a known time zone (use a name like Europe/Lisbon)")
        return value

    @field_validator("avatar_url")
    @classmethod
    def _avatar_length(cls, value: AnyHttpUrl | None) -> AnyHttpUrl | None:
        if value is not None and len(str(value)) > 500:
            raise ValueError("must be at most 500 characters")
        return value


class RolesUpdate(BaseModel):
    roles: list[Role] = Field(
        min_length=1, description="The user's complete set of platform roles."
    )
