"""The institution's colour is used as configured, and everything on it stays readable."""

from __future__ import annotations

import pytest

from learnhub.kit.config import Settings
from learnhub.web.branding import (
    DARK_BACKGROUNDS,
    LIGHT_BACKGROUNDS,
    accessible_variant,
    branding_from_settings,
    contrast_ratio,
    readable_text_colour,
    relative_luminance,
)


def test_luminance_and_contrast_match_the_wcag_reference_values() -> None:
    assert relative_luminance("#000000") == 0.0
    assert relative_luminance("#ffffff") == 1.0
    assert contrast_ratio("#000000", "#ffffff") == 21.0
    assert contrast_ratio("#ffffff", "#ffffff") == 1.0
    # The WCAG example: #767676 on white is the lightest grey that passes AA.
    assert round(contrast_ratio("#767676", "#ffffff"), 2) == 4.54


@pytest.mark.parametrize(
    ("primary", "text_on_primary", "link_on_light", "link_on_dark"),
    [
        ("#ffffff", "#000000", "#707070", "#ffffff"),
        ("#ffff00", "#000000", "#757500", "#ffff00"),
        ("#000000", "#ffffff", "#000000", "#8a8a8a"),
        ("#1d4ed8", "#ffffff", "#1d4ed8", "#6183e4"),
    ],
    ids=["white", "yellow", "black", "default-blue"],
)
def test_every_configured_colour_gets_a_readable_palette(
    primary: str, text_on_primary: str, link_on_light: str, link_on_dark: str
) -> None:
    branding = branding_from_settings(Settings(primary_color=primary))

    assert branding.primary == primary
    assert branding.on_primary == text_on_primary
    assert branding.link_light == link_on_light
    assert branding.link_dark == link_on_dark
    assert contrast_ratio(branding.on_primary, branding.primary) >= 4.5
    for background in LIGHT_BACKGROUNDS:
        assert contrast_ratio(branding.link_light, background) >= 4.5
    for background in DARK_BACKGROUNDS:
        assert contrast_ratio(branding.link_dark, background) >= 4.5


def test_text_on_any_colour_reaches_aa() -> None:
    # Every 17th step of each channel: 4,096 colours, including the mid greys where black
    # and white are both weakest.
    steps = range(0, 256, 17)
    colours = [f"#{r:02x}{g:02x}{b:02x}" for r in steps for g in steps for b in steps]

    worst = min(contrast_ratio(readable_text_colour(c), c) for c in colours)

    assert worst >= 4.5


def test_a_colour_that_already_passes_is_kept_unchanged() -> None:
    assert accessible_variant("#1d4ed8", LIGHT_BACKGROUNDS) == "#1d4ed8"


def test_the_palette_becomes_css_custom_properties() -> None:
    branding = branding_from_settings(Settings(primary_color="#FFFF00"))

    assert branding.css_variables == (
        ":root{--lh-primary:#ffff00;--lh-on-primary:#000000;--lh-link:#757500}"
        "@media (prefers-color-scheme: dark){:root{--lh-link:#ffff00}}"
    )
