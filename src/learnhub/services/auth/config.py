"""Settings of the auth service (``LEARNHUB_AUTH_*``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class AuthSettings(BaseSettings):
    """Token lifetimes, log-in throttling, password hashing cost and capacity, the signing key."""

    model_config = SettingsConfigDict(env_prefix="LEARNHUB_AUTH_", extra="ignore")

    access_token_ttl: int = Field(900, description="Seconds an access token is valid.")
    refresh_token_ttl: int = Field(30 * 24 * 3600, description="Seconds a refresh token is valid.")
    reset_token_ttl: int = Field(3600, description="Seconds a password-reset link is valid.")
    confirmation_token_ttl: int = Field(
        24 * 3600,
        ge=60,
        description="Seconds the link that confirms a new sign-up's e-mail address is valid.",
    )

    login_free_failures: int = Field(
        5,
        ge=1,
        description=(
            "Failed log-ins for one e-mail from one client address before that pair has to "
            "wait between attempts."
        ),
    )
    login_first_wait: int = Field(
        1,
        ge=1,
        description="Seconds the pair waits after its last free failure; doubled after each further one.",
    )
    login_max_wait: int = Field(
        900, ge=1, description="The longest wait between two attempts of one pair, in seconds."
    )
    login_failure_memory: int = Field(
        12 * 3600,
        ge=60,
        description="Seconds a pair's failures are remembered after its first one (a success forgets them).",
    )
    login_address_ceiling: int = Field(
        300,
        ge=1,
        description=(
            "Failed log-ins from one client address, over any accounts, within the window "
            "before the address is paced (a school or company behind one address stays below it)."
        ),
    )
    login_account_ceiling: int = Field(
        100,
        ge=1,
        description=(
            "Failed log-ins for one e-mail, from any addresses, within the window before "
            "log-ins to it from addresses it has never logged in from are paced."
        ),
    )
    login_ceiling_window: int = Field(
        900, ge=1, description="Seconds over which the address and account ceilings count failures."
    )
    login_paced_attempts_per_minute: int = Field(
        10,
        ge=1,
        description="Attempts a minute a paced address (or a paced account) still gets.",
    )
    login_known_pair_ttl: int = Field(
        30 * 24 * 3600,
        ge=60,
        description=(
            "Seconds a successful log-in marks its e-mail and address as known to each other; "
            "known pairs are never paced."
        ),
    )

    argon2_time_cost: int = Field(2, ge=1, description="Argon2id iterations.")
    argon2_memory_cost: int = Field(19456, ge=8, description="Argon2id memory in KiB.")
    argon2_parallelism: int = Field(1, ge=1, description="Argon2id lanes.")
    hash_workers: int = Field(
        0,
        ge=0,
        description=(
            "Threads that hash and verify passwords; 0 means one per CPU core this process may "
            "use. Set it to the container's CPU limit where that is lower than the host's cores."
        ),
    )
    hash_queue: int = Field(
        32,
        ge=0,
        description=(
            "Requests that may wait for a free hashing thread. When that many already wait, "
            "log-ins, registrations and password changes answer 503 with Retry-After at once."
        ),
    )
    signing_key: SecretStr | None = Field(
        None,
        description=(
            "PEM of the Ed25519 private key that signs access tokens. Required outside "
            "development; in development a key is generated and kept in the auth database."
        ),
    )
