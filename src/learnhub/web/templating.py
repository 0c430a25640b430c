"""Jinja2 templates, one environment per language, and the page renderer.

Each supported locale gets its own environment with that locale's translations installed
(``jinja2.ext.i18n``, new-style gettext), so ``{{ _("...") }}`` and ``{% trans %}`` need no
per-request plumbing and templates stay plain.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time, format_timedelta
from babel.lists import format_list
from babel.support import NullTranslations
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

from learnhub.web.i18n import N_

TEMPLATE_DIR = Path(__file__).parent / "templates"


def _parse_moment(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _time_zone(name: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


# One way to write a moment everywhere, per language: "15 December 2026, 10:23",
# "15 de dezembro de 2026, 10:23". Another language falls back to its long date format.
DATE_PATTERNS = {"en": "d MMMM y", "pt": "d 'de' MMMM 'de' y"}
TIME_PATTERN = "HH:mm"
# Rounding of relative hints: 3 days 20 hours reads "in 4 days", 50 minutes "in 1 hour".
RELATIVE_THRESHOLD = 0.85

_DUE_IN = N_("due %(when)s")
_WAS_DUE = N_("was due %(when)s")


class MomentFormats:
    """The date filters of one language. A moment is shown in the time zone given, else the
    signed-in user's (``current_user`` in the page), else UTC."""

    def __init__(self, locale: str, translations: NullTranslations) -> None:
        self.locale = locale
        self._gettext = translations.gettext
        self._date_pattern: str = DATE_PATTERNS.get(locale, "long")

    @pass_context
    def long_date(
        self, context: Context, value: str | date | None, time_zone: str | None = None
    ) -> str:
        """The day: "15 December 2026"."""
        moment = _parse_moment(value)
        if moment is None:
            return ""
        if isinstance(moment, datetime):
            moment = moment.astimezone(_zone_of(context, time_zone))
        return format_date(moment, self._date_pattern, locale=self.locale)

    @pass_context
    def date_time(
        self, context: Context, value: str | date | None, time_zone: str | None = None
    ) -> str:
        """The day and the time: "15 December 2026, 10:23"."""
        moment = _parse_moment(value)
        if not isinstance(moment, datetime):
            return ""
        moment = moment.astimezone(_zone_of(context, time_zone))
        day = format_date(moment, self._date_pattern, locale=self.locale)
        return f"{day}, {format_time(moment, TIME_PATTERN, locale=self.locale)}"

    def relative_time(self, value: str | date | None, now: datetime | None = None) -> str:
        """How far from now: "in 3 days", "2 hours ago"."""
        moment = _parse_moment(value)
        if not isinstance(moment, datetime):
            return ""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return format_timedelta(
            moment - (now or datetime.now(UTC)),
            threshold=RELATIVE_THRESHOLD,
            add_direction=True,
            locale=self.locale,
        )

    def due_hint(self, value: str | date | None, now: datetime | None = None) -> str:
        """A deadline from now: "due in 3 days", "was due 2 hours ago"."""
        moment = _parse_moment(value)
        if not isinstance(moment, datetime):
            return ""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        now = now or datetime.now(UTC)
        sentence = _DUE_IN if moment >= now else _WAS_DUE
        return self._gettext(sentence) % {"when": self.relative_time(moment, now)}


def _zone_of(context: Context, time_zone: str | None) -> ZoneInfo:
    user = context.get("current_user")
    return (
        _time_zone(time_zone)
        or _time_zone(getattr(user, "time_zone", None) if user else None)
        or ZoneInfo("UTC")
    )


class Templates:
    """Renders templates in any supported locale."""

    def __init__(
        self,
        translations: Mapping[str, NullTranslations],
        *,
        shared_globals: Mapping[str, Any],
        template_dir: Path = TEMPLATE_DIR,
    ) -> None:
        loader = FileSystemLoader(template_dir)
        self._environments: dict[str, Environment] = {}
        for locale, catalogue in translations.items():
            environment = Environment(
                loader=loader,
                autoescape=select_autoescape(["html"]),
                extensions=["jinja2.ext.i18n"],
                undefined=StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
                # Templates ship with the code: no file check on every page.
                auto_reload=False,
            )
            environment.policies["ext.i18n.trimmed"] = True
            environment.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]
            environment.globals.update(shared_globals)
            environment.globals["locale"] = locale
            dates = MomentFormats(locale, catalogue)
            environment.filters["long_date"] = dates.long_date
            environment.filters["short_datetime"] = dates.date_time
            environment.filters["relative_time"] = dates.relative_time
            environment.filters["due_hint"] = dates.due_hint
            environment.filters["name_list"] = self._name_list_filter(locale)
            self._environments[locale] = environment

    def render(self, locale: str, name: str, context: Mapping[str, Any]) -> str:
        """The template ``name`` rendered in ``locale``."""
        return self._environments[locale].get_template(name).render(context)

    def environment(self, locale: str) -> Environment:
        """The Jinja2 environment of ``locale``, its translations installed."""
        return self._environments[locale]

    @staticmethod
    def _name_list_filter(locale: str):
        def name_list(names: list[str]) -> str:
            """ "Ana", "Ana and Bo", "Ana, Bo and Cy" in the page's language."""
            return format_list(list(names), locale=locale) if names else ""

        return name_list
