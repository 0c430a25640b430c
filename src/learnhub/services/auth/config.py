"""Settings of the auth service (``LEARNHUB_AUTH_*``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class AuthSettings(BaseSettings):
    """Token lifetimes, login throttling, password hashing cost and the signing key."""

    model_config = SettingsConfigDict(env_prefix="LEARNHUB_AUTH_", extra="ignore")

    access_token_ttl: int = Field(900, description="Seconds an access token is valid.")
    refresh_token_ttl: int = Field(30 * 24 * 3600, description="Seconds a refresh token is valid.")
    reset_token_ttl: int = Field(3600, description="Seconds a password-reset link is valid.")
    login_max_failures_per_account: int = Field(
        5, description="Failed logins for one e-mail within the window before it is throttled."
    )
    login_max_failures_per_address: int = Field(
        30,
        description="Failed logins from one client address within the window before it is throttled.",
    )
    login_throttle_window: int = Field(
        900, description="Seconds over which failed logins are counted."
    )
    argon2_time_cost: int = Field(3, description="Argon2id iterations.")
    argon2_memory_cost: int = Field(65536, description="Argon2id memory in KiB.")
    argon2_parallelism: int = Field(4, description="Argon2id lanes.")
    signing_key: SecretStr | None = Field(
        None,
        description=(
            "PEM of the Ed25519 private key that signs access tokens. Required outside "
            "development; in development a key is generated and kept in the auth database."
        ),
    )
