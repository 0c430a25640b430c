"""The building blocks of the session and CSRF protection, and the ``next`` redirects."""

from __future__ import annotations

import pytest

from learnhub.web.csrf import new_nonce, token_for, tokens_match
from learnhub.web.redirects import login_url, safe_next_path
from learnhub.web.session import SessionCodec, SignedInUser, WebSession

SECRET = "a-test-secret-that-is-long-enough"


def test_a_form_token_matches_only_its_own_nonce_and_secret() -> None:
    nonce = new_nonce()
    token = token_for(nonce, SECRET)

    assert tokens_match(nonce=nonce, submitted=token, secret_key=SECRET) is True
    assert tokens_match(nonce=new_nonce(), submitted=token, secret_key=SECRET) is False
    assert tokens_match(nonce=nonce, submitted=token, secret_key="another-secret") is False
    assert tokens_match(nonce=nonce, submitted=None, secret_key=SECRET) is False
    assert tokens_match(nonce=None, submitted=token, secret_key=SECRET) is False
    assert tokens_match(nonce=nonce, submitted=nonce, secret_key=SECRET) is False


def test_the_session_survives_a_round_trip_through_its_cookie() -> None:
    codec = SessionCodec(SECRET)
    session = WebSession()
    session.sign_in(
        access_token="access",
        refresh_token="refresh",
        user=SignedInUser(id="u1", display_name="Ana", roles=["admin"], locale="pt"),
    )
    session.flash("success", "Saved.")

    restored = codec.loads(codec.dumps(session))

    assert restored.access_token == "access"
    assert restored.refresh_token == "refresh"
    assert restored.user == SignedInUser(id="u1", display_name="Ana", roles=["admin"], locale="pt")
    assert [(flash.level, flash.message) for flash in restored.pop_flashes()] == [
        ("success", "Saved.")
    ]
    assert restored.modified is True  # popping the flash must rewrite the cookie


def test_a_tampered_or_foreign_cookie_gives_an_empty_session_that_clears_it() -> None:
    value = SessionCodec(SECRET).dumps(WebSession(access_token="a", refresh_token="r", user=None))

    forged = SessionCodec("someone-elses-secret").loads(value)
    altered = SessionCodec(SECRET).loads(value[:-2] + "xx")

    for session in (forged, altered):
        assert session.is_signed_in is False
        assert session.is_empty is True
        assert session.modified is True


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("/profile", "/profile"),
        ("/admin/users?q=ana&cursor=abc", "/admin/users?q=ana&cursor=abc"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/profile\r\nSet-Cookie: x=1", "/"),
        ("", "/"),
    ],
)
def test_next_only_ever_leads_to_a_page_of_this_site(candidate: str, expected: str) -> None:
    assert safe_next_path(candidate) == expected


def test_the_login_url_carries_the_page_to_come_back_to() -> None:
    assert login_url("/admin/users?q=a b") == "/login?next=%2Fadmin%2Fusers%3Fq%3Da+b"
    assert login_url("/") == "/login"
    assert login_url(None) == "/login"
