"""Settings some auth tests start the platform with (set before the `stack` fixture runs:
request them with ``pytest.mark.usefixtures``)."""

from __future__ import annotations

import pytest


@pytest.fixture
def one_hashing_thread_no_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEARNHUB_AUTH_HASH_WORKERS", "1")
    monkeypatch.setenv("LEARNHUB_AUTH_HASH_QUEUE", "0")


@pytest.fixture
def one_hashing_thread_four_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEARNHUB_AUTH_HASH_WORKERS", "1")
    monkeypatch.setenv("LEARNHUB_AUTH_HASH_QUEUE", "4")


@pytest.fixture
def low_ceilings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ceilings small enough to reach in a test: 10 failures per address, 6 per e-mail,
    then 2 attempts a minute."""
    monkeypatch.setenv("LEARNHUB_AUTH_LOGIN_ADDRESS_CEILING", "10")
    monkeypatch.setenv("LEARNHUB_AUTH_LOGIN_ACCOUNT_CEILING", "6")
    monkeypatch.setenv("LEARNHUB_AUTH_LOGIN_PACED_ATTEMPTS_PER_MINUTE", "2")
