"""Process settings: insecure defaults refused outside development, validated fields, and
every field documented."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import ValidationError

from learnhub.kit.config import DEVELOPMENT_SECRET, InsecureConfiguration, Settings
from learnhub.kit.observability import TextLogFormatter

REAL_SECRET = "k8Jq2n0VxQe6u1b5tR3mZp7sLw9yHc4dAa0fGv2kXo8jNq"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test sets itself counts."""
    for name in list(Settings.model_fields):
        monkeypatch.delenv(f"LEARNHUB_{name.upper()}", raising=False)


@pytest.mark.parametrize("env", ["production", "test"])
def test_the_development_secret_is_refused_outside_development(env: str) -> None:
    with pytest.raises(ValidationError, match="LEARNHUB_SECRET_KEY") as refused:
        Settings(env=env)

    [error] = refused.value.errors()
    assert isinstance(error["ctx"]["error"], InsecureConfiguration)


def test_the_development_secret_is_refused_when_named_explicitly() -> None:
    with pytest.raises(ValidationError, match="LEARNHUB_SECRET_KEY"):
        Settings(env="production", secret_key=DEVELOPMENT_SECRET)


def test_the_development_secret_is_refused_when_production_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEARNHUB_ENV", "production")

    with pytest.raises(ValidationError, match="LEARNHUB_SECRET_KEY"):
        Settings()


def test_the_development_secret_is_accepted_in_development() -> None:
    settings = Settings()

    assert settings.env == "development"
    assert settings.secret_key.get_secret_value() == DEVELOPMENT_SECRET


def test_a_real_secret_is_accepted_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEARNHUB_ENV", "production")
    monkeypatch.setenv("LEARNHUB_SECRET_KEY", REAL_SECRET)

    settings = Settings()

    assert settings.env == "production"
    assert settings.secret_key.get_secret_value() == REAL_SECRET
    assert REAL_SECRET not in repr(settings)


@pytest.mark.parametrize(("given", "kept"), [("#1D4ED8", "#1d4ed8"), ("#00ff7f", "#00ff7f")])
def test_a_hex_primary_colour_is_accepted_in_lower_case(given: str, kept: str) -> None:
    assert Settings(primary_color=given).primary_color == kept


@pytest.mark.parametrize("colour", ["blue", "#abc", "#12345g", "1d4ed8", "#1d4ed8 ", "#1d4ed80"])
def test_anything_else_as_primary_colour_is_refused(colour: str) -> None:
    with pytest.raises(ValidationError, match="must be a colour like #1d4ed8") as refused:
        Settings(primary_color=colour)

    assert [error["loc"] for error in refused.value.errors()] == [("primary_color",)]


def test_each_service_gets_its_own_sqlite_file_under_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")

    auth, users = settings.database_url_for("auth"), settings.database_url_for("users")

    assert auth == f"sqlite:///{(tmp_path / 'data' / 'auth.db').as_posix()}"
    assert users == f"sqlite:///{(tmp_path / 'data' / 'users.db').as_posix()}"


def test_a_shared_database_url_serves_every_service(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://learnhub@db/learnhub"
    settings = Settings(data_dir=tmp_path, database_url=url)

    assert settings.database_url_for("auth") == url
    assert settings.database_url_for("users") == url


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, None),
        ({"api_url": "https://api.example.org/"}, "https://api.example.org/.well-known/jwks.json"),
        (
            {"api_url": "https://api.example.org", "jwks_url": "https://keys.example.org/jwks"},
            "https://keys.example.org/jwks",
        ),
    ],
)
def test_the_jwks_url_defaults_to_the_gateway(
    overrides: dict[str, str], expected: str | None
) -> None:
    assert Settings(**overrides).effective_jwks_url == expected


def test_lists_are_read_from_json_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEARNHUB_CORS_ORIGINS", '["https://app.example.org"]')

    assert Settings().cors_origins == ["https://app.example.org"]


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    description = Settings.model_fields[name].description

    assert description
    assert len(description) >= 10


def test_logs_read_as_text_in_development_and_json_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LEARNHUB_LOG_FORMAT", raising=False)
    secret = {"secret_key": "a-production-secret-that-is-long-enough"}

    assert Settings(env="development").log_format == "text"
    assert Settings(env="production", **secret).log_format == "json"
    assert Settings(env="test", **secret).log_format == "json"
    monkeypatch.setenv("LEARNHUB_ENV", "production")
    assert Settings(**secret).log_format == "json"


def test_the_log_format_chosen_is_kept_whatever_the_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = {"secret_key": "a-production-secret-that-is-long-enough"}

    assert Settings(env="development", log_format="json").log_format == "json"
    assert Settings(env="production", log_format="text", **secret).log_format == "text"
    monkeypatch.setenv("LEARNHUB_LOG_FORMAT", "json")
    assert Settings(env="development").log_format == "json"


def test_a_text_log_line_names_its_request_only_when_it_has_one() -> None:
    formatter = TextLogFormatter()
    record = logging.LogRecord("learnhub", logging.INFO, __file__, 1, "started", None, None)
    in_request = logging.LogRecord("learnhub", logging.INFO, __file__, 1, "served", None, None)
    in_request.request_id, in_request.trace_id = "req-1", "abc"

    assert formatter.format(record).endswith(" INFO learnhub started")
    assert formatter.format(in_request).endswith(" INFO learnhub [req-1 abc] served")
