"""The fixed option lists of the forms: roles, quiz grading, languages and time zones."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import cache

from learnhub.web.i18n import LOCALE_NAMES, N_

# Most powerful first: a user holding several roles is shown (and edited) by the first one.
ROLE_LABELS = {
    "admin": N_("Administrator"),
    "support": N_("Support staff"),
    "instructor": N_("Instructor"),
    "learner": N_("Learner"),
}

# Which of a learner's quiz attempts counts in their grade.
GRADING_METHOD_LABELS = {
    "best": N_("The best attempt counts"),
    "last": N_("The last attempt counts"),
    "first": N_("The first attempt counts"),
    "average": N_("The average of the attempts counts"),
}

_REGION_LABELS = {
    "Africa": N_("Africa"),
    "America": N_("Americas"),
    "Antarctica": N_("Antarctica"),
    "Asia": N_("Asia"),
    "Atlantic": N_("Atlantic Ocean"),
    "Australia": N_("Australia"),
    "Europe": N_("Europe"),
    "Indian": N_("Indian Ocean"),
    "Pacific": N_("Pacific Ocean"),
}
UTC = "UTC"


def main_role(roles: list[str]) -> str:
    """The most powerful of ``roles``; a user with none is a learner."""
    for role in ROLE_LABELS:
        if role in roles:
            return role
    return "learner"


def role_options(gettext: Callable[[str], str]) -> list[tuple[str, str]]:
    """(value, label) pairs for a role select, least powerful first."""
    return [(role, gettext(label)) for role, label in reversed(ROLE_LABELS.items())]


def locale_options() -> list[tuple[str, str]]:
    """(value, label) pairs for the language select; each language named in itself."""
    return list(LOCALE_NAMES.items())


@cache
def time_zone_names() -> frozenset[str]:
    """Every canonical ``Region/City`` zone this machine knows, plus UTC."""
    names = {
        name
        for name in zoneinfo.available_timezones()
        if name.split("/", 1)[0] in _REGION_LABELS and "/" in name
    }
    return frozenset(names | {UTC})


def time_zone_options(gettext: Callable[[str], str]) -> list[tuple[str, object]]:
    """Zones grouped by region for a select: UTC first, then (region, [(zone, city)])."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for name in sorted(time_zone_names() - {UTC}):
        region, city = name.split("/", 1)
        grouped.setdefault(region, []).append((name, city.replace("_", " ").replace("/", " / ")))
    options: list[tuple[str, object]] = [(UTC, UTC)]
    for region, zones in grouped.items():
        options.append((gettext(_REGION_LABELS[region]), zones))
    return options
