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
from learnhub.web.templating import Templates

WEB_DIR = Path(learnhub.web.__file__).parent
PT_CATALOGUE = LOCALE_DIR / "pt" / "LC_MESSAGES" / "messages.po"


Message = str | tuple[str, str]
"""A message id: its text, or (singular, plural) for a message with plural forms."""


def _extracted_messages() -> set[Message]:
    """Every message of the UI; ``ngettext`` and ``{% pluralize %}`` give (singular, plural)."""
    with (WEB_DIR / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    messages: set[Message] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        WEB_DIR, method_map, options_map, keywords=keywords
    ):
        if isinstance(message, str):
            messages.add(message)
        elif len(message) >= 2 and message[1]:
            messages.add((message[0], message[1]))
        else:
            messages.add(message[0])
    return messages


def _translated_messages() -> set[Message]:
    """The Portuguese catalogue's translated messages; a plural one counts only when every
    plural form of the language is translated."""
    with PT_CATALOGUE.open("rb") as po_file:
        catalogue = read_po(po_file)
    forms = catalogue.num_plurals
    translated: set[Message] = set()
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            strings = message.string if isinstance(message.string, tuple) else ()
            if len(strings) == forms and all(strings):
                translated.add((message.id[0], message.id[1]))
        elif message.string:
            translated.add(message.id)
    return translated


def test_portuguese_is_compiled_from_the_po_file_at_runtime() -> None:
    translations = load_translations()

    assert translations["pt"].gettext("Log in") == "Entrar"
    assert translations["pt"].gettext("There is a problem") == "Há um problema"
    assert translations["en"].gettext("Log in") == "Log in"


def test_every_string_of_the_ui_has_a_portuguese_translation() -> None:
    extracted = _extracted_messages()

    assert len(extracted) > 100  # the extraction itself worked
    assert any(isinstance(message, tuple) for message in extracted)  # plurals are seen
    assert extracted - _translated_messages() == set()


def test_plural_forms_follow_the_count_in_each_language() -> None:
    translations = load_translations()
    singular, plural = "%(count)d attempt left", "%(count)d attempts left"

    assert [translations["en"].ngettext(singular, plural, n) % {"count": n} for n in (1, 2)] == [
        "1 attempt left",
        "2 attempts left",
    ]
    assert [translations["pt"].ngettext(singular, plural, n) % {"count": n} for n in (0, 1, 2)] == [
        "0 tentativas restantes",
        "1 tentativa restante",
        "2 tentativas restantes",
    ]


def test_templates_pluralise_with_the_count() -> None:
    templates = Templates(load_translations(), shared_globals={})
    source = "{% trans count=n %}{{ count }} lesson{% pluralize %}{{ count }} lessons{% endtrans %}"
    environment = templates.environment("pt")

    assert environment.from_string(source).render(n=1) == "1 lição"
    assert environment.from_string(source).render(n=3) == "3 lições"


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
