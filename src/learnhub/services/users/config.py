"""Settings of the users service (``LEARNHUB_USERS_*``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class UsersSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEARNHUB_USERS_", extra="ignore")

    page_size: int = Field(25, description="Default number of users per page in the admin list.")
    max_page_size: int = Field(100, description="Largest page a client may ask for.")
    read_cache_ttl: int = Field(
        3600,
        description=(
            "Seconds a cached profile is kept. A change invalidates it at once; the TTL only "
            "bounds memory."
        ),
    )
