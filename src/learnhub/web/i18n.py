"""Translations and the choice of language for each request.

The Portuguese catalogue is a plain ``.po`` file compiled in memory at startup, so a
translator's edit needs no build step. English is the source language: its catalogue is
empty and every string falls through to its msgid.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

SOURCE_LOCALE = "en"
SUPPORTED_LOCALES = ("en", "pt")
# Each language is named in itself, so a reader finds theirs whatever the page's language.
LOCALE_NAMES = {"en": "English", "pt": "Português"}
LOCALE_COOKIE = "lh_locale"
ONE_YEAR_SECONDS = 365 * 24 * 3600
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


def gettext_noop(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated where shown."""
    return message


N_ = gettext_noop


def load_catalogue(po_path: Path, locale: str) -> Translations:
    """Compile one ``.po`` file into translations, in memory; fuzzy entries are left out."""
    with po_path.open("rb") as po_file:
        catalogue = read_po(po_file, locale=locale, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


def load_translations(locale_dir: Path = LOCALE_DIR) -> dict[str, NullTranslations]:
    """Translations for every supported locale, keyed by locale code."""
    translations: dict[str, NullTranslations] = {SOURCE_LOCALE: NullTranslations()}
    for locale in SUPPORTED_LOCALES:
        if locale == SOURCE_LOCALE:
            continue
        translations[locale] = load_catalogue(
            locale_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po", locale
        )
    return translations


def supported_locale(value: str | None) -> str | None:
    """The supported locale ``value`` names (``pt-BR`` gives ``pt``), or None."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in SUPPORTED_LOCALES else None


def _accept_language_ranges(header: str) -> Iterable[tuple[float, int, str]]:
    for position, part in enumerate(header.split(",")):
        language, _, parameters = part.strip().partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if language and quality > 0:
            # Negative position keeps the header's order among equal qualities.
            yield quality, -position, language


def negotiate_accept_language(header: str | None) -> str | None:
    """The best supported locale of an ``Accept-Language`` header, or None."""
    if not header:
        return None
    for *_, language in sorted(_accept_language_ranges(header), reverse=True):
        locale = supported_locale(language)
        if locale:
            return locale
    return None


def choose_locale(
    *,
    profile_locale: str | None,
    cookie_locale: str | None,
    accept_language: str | None,
    default: str,
) -> str:
    """The request's language: the profile's, else the switcher's cookie, else the browser's."""
    return (
        supported_locale(profile_locale)
        or supported_locale(cookie_locale)
        or negotiate_accept_language(accept_language)
        or supported_locale(default)
        or SOURCE_LOCALE
    )
