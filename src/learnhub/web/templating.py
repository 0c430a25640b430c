"""Jinja2 templates, one environment per language, and the page renderer.

Each supported locale gets its own environment with that locale's translations installed
(``jinja2.ext.i18n``, new-style gettext), so ``{{ _("...") }}`` and ``{% trans %}`` need no
per-request plumbing and templates stay plain.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime
from babel.lists import format_list
from babel.support import NullTranslations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

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
            environment.filters["long_date"] = self._long_date_filter(locale)
            environment.filters["short_datetime"] = self._short_datetime_filter(locale)
            environment.filters["name_list"] = self._name_list_filter(locale)
            self._environments[locale] = environment

    def render(self, locale: str, name: str, context: Mapping[str, Any]) -> str:
        """The template ``name`` rendered in ``locale``."""
        return self._environments[locale].get_template(name).render(context)

    def environment(self, locale: str) -> Environment:
        """The Jinja2 environment of ``locale``, its translations installed."""
        return self._environments[locale]

    @staticmethod
    def _long_date_filter(locale: str):
        def long_date(value: str | date | None, time_zone: str | None = None) -> str:
            moment = _parse_moment(value)
            if moment is None:
                return ""
            if isinstance(moment, datetime) and (zone := _time_zone(time_zone)):
                moment = moment.astimezone(zone)
            return format_date(moment, format="long", locale=locale)

        return long_date

    @staticmethod
    def _short_datetime_filter(locale: str):
        def short_datetime(value: str | date | None, time_zone: str | None = None) -> str:
            moment = _parse_moment(value)
            if not isinstance(moment, datetime):
                return ""
            return format_datetime(
                moment, format="short", tzinfo=_time_zone(time_zone), locale=locale
            )

        return short_datetime

    @staticmethod
    def _name_list_filter(locale: str):
        def name_list(names: list[str]) -> str:
            """ "Ana", "Ana and Bo", "Ana, Bo and Cy" in the page's language."""
            return format_list(list(names), locale=locale) if names else ""

        return name_list
