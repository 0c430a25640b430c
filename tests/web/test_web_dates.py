"""Dates in one format everywhere, in the page's language and the user's time zone, with
relative hints for deadlines and recent moments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from jinja2 import Environment

from learnhub.web.i18n import load_translations
from learnhub.web.session import SignedInUser
from learnhub.web.templating import Templates

MOMENT = "2026-12-15T10:23:00+00:00"
NOW = datetime(2026, 12, 12, 9, 0, tzinfo=UTC)
LISBON_USER = SignedInUser(id="u", display_name="Ana", roles=[], time_zone="Europe/Lisbon")
SAO_PAULO_USER = SignedInUser(id="u", display_name="Ana", roles=[], time_zone="America/Sao_Paulo")


@pytest.fixture(scope="module")
def templates() -> Templates:
    return Templates(load_translations(), shared_globals={})


def render(environment: Environment, source: str, **context: object) -> str:
    return environment.from_string(source).render(**context)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "15 December 2026, 10:23"), ("pt", "15 de dezembro de 2026, 10:23")],
)
def test_a_moment_reads_the_same_way_everywhere_in_each_language(
    templates: Templates, locale: str, expected: str
) -> None:
    environment = templates.environment(locale)

    assert render(environment, "{{ m|short_datetime }}", m=MOMENT) == expected
    assert render(environment, "{{ m|long_date }}", m=MOMENT) == expected.split(",")[0]


def test_a_moment_is_shown_in_the_signed_in_users_time_zone_unless_one_is_given(
    templates: Templates,
) -> None:
    environment = templates.environment("en")

    signed_in = render(environment, "{{ m|short_datetime }}", m=MOMENT, current_user=SAO_PAULO_USER)
    given = render(
        environment, "{{ m|short_datetime('Asia/Tokyo') }}", m=MOMENT, current_user=LISBON_USER
    )
    nobody = render(environment, "{{ m|short_datetime }}", m=MOMENT, current_user=None)
    late_evening = render(
        environment, "{{ m|long_date }}", m="2026-12-15T01:00:00+00:00", current_user=SAO_PAULO_USER
    )

    assert signed_in == "15 December 2026, 07:23"
    assert given == "15 December 2026, 19:23"
    assert nobody == "15 December 2026, 10:23"
    assert late_evening == "14 December 2026"  # 22:00 the day before, in São Paulo


def test_nothing_or_nonsense_shows_nothing(templates: Templates) -> None:
    environment = templates.environment("en")

    for value in (None, "", "not a date"):
        shown = render(
            environment,
            "{{ m|short_datetime }}|{{ m|long_date }}|{{ m|relative_time }}|{{ m|due_hint }}",
            m=value,
        )
        assert shown == "|||"


@pytest.mark.parametrize(
    ("locale", "offset", "relative", "due"),
    [
        ("en", timedelta(days=3, hours=1), "in 3 days", "due in 3 days"),
        ("en", -timedelta(hours=2, minutes=5), "2 hours ago", "was due 2 hours ago"),
        ("en", timedelta(minutes=25), "in 25 minutes", "due in 25 minutes"),
        ("pt", timedelta(days=3, hours=1), "em 3 dias", "vence em 3 dias"),
        ("pt", -timedelta(hours=2, minutes=5), "há 2 horas", "venceu há 2 horas"),
    ],
)
def test_deadlines_and_recent_moments_get_a_relative_hint(
    templates: Templates, locale: str, offset: timedelta, relative: str, due: str
) -> None:
    environment = templates.environment(locale)
    moment = (NOW + offset).isoformat()

    assert environment.filters["relative_time"](moment, now=NOW) == relative
    assert environment.filters["due_hint"](moment, now=NOW) == due


def test_the_hint_counts_from_the_real_clock_by_default(templates: Templates) -> None:
    environment = templates.environment("en")
    in_three_days = (datetime.now(UTC) + timedelta(days=3, hours=1)).isoformat()

    assert render(environment, "{{ m|due_hint }}", m=in_three_days) == "due in 3 days"
