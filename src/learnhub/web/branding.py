"""The institution's look: name, logo and a colour palette that stays readable.

An institution may configure any primary colour, from pale yellow to near black. The web UI
paints its header and primary buttons in that colour, so the text on it and the links that
echo it on ordinary pages must be derived, not configured: this module computes them so that
every pair meets WCAG 2.1 AA (4.5:1 for normal text).
"""

from __future__ import annotations

from dataclasses import dataclass

from learnhub.kit.config import Settings

AA_NORMAL_TEXT = 4.5

BLACK = "#000000"
WHITE = "#ffffff"

# The page backgrounds of the stylesheet (light and dark themes). Links must be readable
# on every one of them, so they are checked against all; keep in sync with static/app.css.
LIGHT_BACKGROUNDS = ("#ffffff", "#f4f6f8")
DARK_BACKGROUNDS = ("#111418", "#1b2027")


def _channels(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"expected a colour like #1d4ed8, got {colour!r}")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(red: float, green: float, blue: float) -> str:
    return "#" + "".join(f"{round(max(0.0, min(255.0, c))):02x}" for c in (red, green, blue))


def relative_luminance(colour: str) -> float:
    """The WCAG relative luminance of a ``#rrggbb`` colour, from 0 (black) to 1 (white)."""

    def linear(channel: int) -> float:
        srgb = channel / 255
        return srgb / 12.92 if srgb <= 0.04045 else ((srgb + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in _channels(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours, from 1 (identical) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def readable_text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``background``.

    One of the two always reaches at least 4.58:1, whatever the background, so text on the
    institution's colour is AA for any configured colour.
    """
    on_white = contrast_ratio(background, WHITE)
    on_black = contrast_ratio(background, BLACK)
    return WHITE if on_white >= on_black else BLACK


def _mix(colour: str, towards: str, amount: float) -> str:
    start, end = _channels(colour), _channels(towards)
    return _hex(*(s + (e - s) * amount for s, e in zip(start, end, strict=True)))


def accessible_variant(
    colour: str, backgrounds: tuple[str, ...], *, minimum: float = AA_NORMAL_TEXT
) -> str:
    """``colour``, darkened or lightened just enough to read on every one of ``backgrounds``.

    The colour moves towards black on light backgrounds and towards white on dark ones, in
    small steps, so it keeps as much of the institution's hue as the contrast allows. The
    colour itself is returned when it already passes.
    """
    darkest = min(backgrounds, key=relative_luminance)
    lightest = max(backgrounds, key=relative_luminance)
    light_theme = relative_luminance(darkest) > 0.18
    towards = BLACK if light_theme else WHITE
    step = 0
    candidate = colour
    while step <= 100:
        candidate = _mix(colour, towards, step / 100)
        if all(contrast_ratio(candidate, bg) >= minimum for bg in (darkest, lightest)):
            return candidate
        step += 2
    return towards


@dataclass(frozen=True)
class Branding:
    """What the layout needs to look like the institution: name, logo and palette."""

    institution_name: str
    logo_url: str | None
    primary: str
    on_primary: str
    link_light: str
    link_dark: str

    @property
    def css_variables(self) -> str:
        """The palette as CSS custom properties for the layout's inline ``<style>``."""
        return (
            f":root{{--lh-primary:{self.primary};--lh-on-primary:{self.on_primary};"
            f"--lh-link:{self.link_light}}}"
            f"@media (prefers-color-scheme: dark){{:root{{--lh-link:{self.link_dark}}}}}"
        )


def branding_from_settings(settings: Settings) -> Branding:
    """The branding of the configured institution, with its readable derived colours."""
    primary = settings.primary_color.lower()
    return Branding(
        institution_name=settings.institution_name,
        logo_url=settings.institution_logo_url,
        primary=primary,
        on_primary=readable_text_colour(primary),
        link_light=accessible_variant(primary, LIGHT_BACKGROUNDS),
        link_dark=accessible_variant(primary, DARK_BACKGROUNDS),
    )
