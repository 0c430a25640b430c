"""Process-wide settings, read from ``LEARNHUB_*`` environment variables.

One :class:`Settings` object is built by the composition root (the runner) and passed
down; nothing reads the environment anywhere else. Services keep their own small settings
classes (``LEARNHUB_AUTH_*``...) in their ``config.py``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "development-only-secret-do-not-use-in-production"  # noqa: S105

_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_BYTE_SIZE = re.compile(r"^(\d+)([kmg]?)$")
_BYTE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
# An origin a Content-Security-Policy may name: a scheme and a host (a leading `*.` allowed),
# nothing that could end the directive or start another.
_CSP_ORIGIN = re.compile(r"^https?://(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:[0-9]{1,5})?$")


class InsecureConfiguration(ValueError):
    """A development-only default was left in place outside development mode."""


class Settings(BaseSettings):
    """Settings shared by every learnhub process.

    Every field is one environment variable: the field name in upper case with the
    ``LEARNHUB_`` prefix (``env`` is ``LEARNHUB_ENV``).
    """

    model_config = SettingsConfigDict(env_prefix="LEARNHUB_", extra="ignore")

    env: Literal["development", "test", "production"] = Field(
        "development",
        description="Run mode. Outside `development`, development secrets are refused.",
    )
    secret_key: SecretStr = Field(
        SecretStr(DEVELOPMENT_SECRET),
        description="Secret for signing web sessions and CSRF tokens. Required outside development.",
    )
    data_dir: Path = Field(
        Path("data"),
        description="Folder for the all-in-one mode's SQLite files and generated files.",
    )
    database_url: str | None = Field(
        None,
        description=(
            "SQLAlchemy URL of the database, e.g. `postgresql+asyncpg://user@host/learnhub`. "
            "Each service uses its own schema in it. Unset: one SQLite file per service "
            "under the data folder."
        ),
    )
    bus_url: str = Field(
        "memory://",
        description="Event bus: `memory://` (in-process) or `amqp://user:pass@host:5672/` (RabbitMQ).",
    )
    cache_url: str = Field(
        "memory://",
        description="Cache: `memory://` (in-process) or `redis://host:6379/0`.",
    )
    api_url: str | None = Field(
        None,
        description=(
            "Base URL of the gateway, used by the web UI and by services to reach other "
            "services' public APIs. Unset in the all-in-one mode (calls stay in-process)."
        ),
    )
    jwks_url: str | None = Field(
        None,
        description="Where services fetch the auth service's signing keys. Default: `{api_url}/.well-known/jwks.json`.",
    )
    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="The address users open in their browser; used in links sent by e-mail.",
    )
    token_issuer: str = Field("learnhub", description="`iss` claim of access tokens.")
    token_audience: str = Field("learnhub", description="`aud` claim of access tokens.")
    cors_origins: list[str] = Field(
        default_factory=list,
        description='Origins allowed to call the APIs from a browser, as a JSON list (`["https://app.example.org"]`).',
    )
    trusted_proxies: list[str] = Field(
        default_factory=lambda: ["127.0.0.1", "::1"],
        description="Peers (the gateway, the web UI) whose `X-Forwarded-For` header is believed, as a JSON list.",
    )
    db_pool_size: int = Field(
        10,
        ge=1,
        description="PostgreSQL connections each service keeps open per process.",
    )
    db_max_overflow: int = Field(
        10,
        ge=0,
        description="Extra PostgreSQL connections a service may open for a burst, per process.",
    )
    sqlite_connections: int = Field(
        128,
        ge=1,
        description=(
            "SQLite connections each service may have open (all-in-one mode). One costs a "
            "file handle; writers queue on the write lock, not on connections, so keep it above "
            "`LEARNHUB_MAX_IN_FLIGHT`."
        ),
    )
    db_pool_timeout: float = Field(
        1.0,
        gt=0,
        description=(
            "Seconds a request waits for a database connection (or, on SQLite, for the write "
            "lock) before it is refused with 503 and `Retry-After`."
        ),
    )
    max_in_flight: int = Field(
        64,
        ge=1,
        description=(
            "Requests a process works on at once. More wait in a first-come queue "
            "(`LEARNHUB_MAX_QUEUED`): with one core, more at once only makes each slower."
        ),
    )
    max_queued: int = Field(
        2048,
        ge=0,
        description=(
            "Requests that may wait for their turn; past that, a request is refused at once "
            "with 503 and `Retry-After`."
        ),
    )
    queue_timeout: float = Field(
        10.0,
        gt=0,
        description="Seconds a request may wait in the queue before it is refused with 503.",
    )
    log_level: str = Field("INFO", description="Log level: DEBUG, INFO, WARNING or ERROR.")
    log_format: Literal["json", "text"] = Field(
        "json",
        description=(
            "Log line format: `text` for people, `json` (one object a line) for log collectors. "
            "Unset, it is `text` in development and `json` otherwise; the processes of the "
            "distributed mode log `json` unless it is set."
        ),
    )
    access_log_sample: float = Field(
        0.01,
        ge=0,
        le=1,
        description=(
            "Share of ordinary requests written to the access log (0 to 1). Server errors and "
            "requests slower than `LEARNHUB_SLOW_REQUEST_SECONDS` are always written; nginx "
            "keeps a full access log in the distributed mode."
        ),
    )
    slow_request_seconds: float = Field(
        1.0, gt=0, description="Requests taking longer than this are always in the access log."
    )
    institution_name: str = Field(
        "learnhub", description="Name shown in the web UI's header and title."
    )
    institution_logo_url: str | None = Field(None, description="Logo shown in the web UI's header.")
    primary_color: str = Field(
        "#1d4ed8",
        description="The institution's primary colour (`#rrggbb`); text on it is chosen for contrast.",
    )
    default_locale: Literal["en", "pt"] = Field(
        "en", description="Language of the UI when the user has none."
    )
    web_frame_hosts: list[str] = Field(
        default_factory=lambda: ["https://www.youtube-nocookie.com", "https://player.vimeo.com"],
        description=(
            "Origins the lesson player may embed in a frame (the web UI's CSP `frame-src`), as a "
            "JSON list. Keep the players the courses service turns video links into."
        ),
    )
    web_img_hosts: list[str] = Field(
        default_factory=list,
        description=(
            "Origins images may load from besides the platform itself and `data:` (the web "
            "UI's CSP `img-src`): pictures in lessons, course covers, avatars; as a JSON list "
            '(`["https://images.example.org"]`). The logo\'s origin is allowed on its own.'
        ),
    )
    gateway_rate_limit: int = Field(
        50,
        ge=1,
        description=(
            "Requests per second nginx lets through per signed-in user (per bearer token or "
            "web session; burst: 4x)."
        ),
    )
    gateway_anonymous_rate_limit: int = Field(
        200,
        ge=1,
        description="Requests per second nginx lets through per client address for anonymous "
        "traffic (burst: 4x).",
    )
    gateway_address_rate_limit: int = Field(
        2000,
        ge=1,
        description=(
            "Requests per second nginx lets through per client address, whoever sends them "
            "(burst: 2x): far above one person's limit, so a classroom behind one school "
            "address is not stopped."
        ),
    )
    max_request_bytes: int = Field(
        52 * 1024 * 1024,
        description=(
            "Largest request body the gateway accepts, in both modes (nginx's "
            "`client_max_body_size` and the all-in-one dispatcher): bytes, or a number with "
            "`k`, `m` or `g` (powers of 1024). Keep it above the largest upload "
            "(`LEARNHUB_COURSES_MAX_UPLOAD_BYTES`) plus room for the form around the file."
        ),
    )

    @field_validator("max_request_bytes", mode="before")
    @classmethod
    def _byte_size(cls, value: object) -> object:
        if isinstance(value, str):
            match = _BYTE_SIZE.match(value.strip().lower())
            if not match:
                raise ValueError("must be a number of bytes, optionally with k, m or g (52m)")
            number, unit = match.groups()
            return int(number) * _BYTE_UNITS[unit]
        return value

    @field_validator("primary_color")
    @classmethod
    def _hex_colour(cls, value: str) -> str:
        if not _HEX_COLOUR.match(value):
            raise ValueError("must be a colour like #1d4ed8")
        return value.lower()

    @field_validator("web_frame_hosts", "web_img_hosts")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        origins = [origin.strip().lower().rstrip("/") for origin in value]
        for origin in origins:
            if not _CSP_ORIGIN.match(origin):
                raise ValueError(f"{origin!r} is not an origin like https://media.example.org")
        return origins

    @model_validator(mode="before")
    @classmethod
    def _readable_logs_in_development(cls, data: Any) -> Any:
        """A developer reads the log in a terminal; a deployment's collector parses JSON."""
        chosen = isinstance(data, dict) and data.get("log_format") is not None
        if (
            isinstance(data, dict)
            and not chosen
            and data.get("env", "development") == "development"
        ):
            return {**data, "log_format": "text"}
        return data

    @model_validator(mode="after")
    def _refuse_development_secrets(self) -> Settings:
        if self.env != "development" and self.secret_key.get_secret_value() == DEVELOPMENT_SECRET:
            raise InsecureConfiguration(
                "LEARNHUB_SECRET_KEY still has its development value; set it to a long random "
                "string (for example the output of `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        return self

    @property
    def effective_jwks_url(self) -> str | None:
        if self.jwks_url:
            return self.jwks_url
        if self.api_url:
            return self.api_url.rstrip("/") + "/.well-known/jwks.json"
        return None

    def database_url_for(self, service: str) -> str:
        """The database URL a service uses: the shared one, or its own SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / f'{service}.db').as_posix()}"
