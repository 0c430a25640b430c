"""Translations load from the .po file at runtime and every string of the UI is translated."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

import learnhub.web
from learnhub.web.i18n import (
    LOCALE_DIR,
    choose_locale,
    load_translations,
    negotiate_accept_language,
)

WEB_DIR = Path(learnhub.web.__file__).parent
PT_CATALOGUE = LOCALE_DIR / "pt" / "LC_MESSAGES" / "messages.po"


def _extracted_messages() -> set[str]:
    with (WEB_DIR / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    return {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            WEB_DIR, method_map, options_map, keywords=keywords
        )
    }


def test_portuguese_is_compiled_from_the_po_file_at_runtime() -> None:
    translations = load_translations()

    assert translations["pt"].gettext("Log in") == "Entrar"
    assert translations["pt"].gettext("There is a problem") == "Há um problema"
    assert translations["en"].gettext("Log in") == "Log in"


def test_every_string_of_the_ui_has_a_portuguese_translation() -> None:
    with PT_CATALOGUE.open("rb") as po_file:
        catalogue = read_po(po_file)
    translated = {
        message.id for message in catalogue if message.id and message.string and not message.fuzzy
    }

    extracted = _extracted_messages()

    assert len(extracted) > 100  # the extraction itself worked
    assert extracted - translated == set()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("pt-BR,pt;q=0.9,en;q=0.8", "pt"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9,pt;q=0.5,en;q=0.4", "pt"),
        ("en;q=0.3, pt;q=0.7", "pt"),
        ("de, fr", None),
        ("pt;q=0", None),
        ("", None),
    ],
)
def test_accept_language_picks_the_best_supported_language(
    header: str, expected: str | None
) -> None:
    assert negotiate_accept_language(header) == expected


def test_the_profile_beats_the_cookie_which_beats_the_browser_which_beats_the_default() -> None:
    def choose(profile: str | None, cookie: str | None, header: str | None) -> str:
        return choose_locale(
            profile_locale=profile, cookie_locale=cookie, accept_language=header, default="en"
        )

    assert choose("pt", "en", "en") == "pt"
    assert choose(None, "pt", "en") == "pt"
    assert choose(None, None, "pt-PT") == "pt"
    assert choose(None, None, None) == "en"
    assert choose("xx", "yy", "zz") == "en"
