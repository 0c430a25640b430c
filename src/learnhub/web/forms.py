"""Form validation in plain words, in the reader's language.

The API is the source of truth and validates everything again, but its messages are English
and written for developers. The web layer checks the same rules first so that a person gets
a localised sentence next to the field, GOV.UK style ("Enter your email address"), and maps
the API's own refusals (422 field errors, 409, 401, 429) onto the same fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from urllib.parse import urlsplit

from learnhub.web.api import ApiProblem

Gettext = Callable[[str], str]

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
DISPLAY_NAME_MAX_LENGTH = 100
BIO_MAX_LENGTH = 2000
AVATAR_URL_MAX_LENGTH = 2000
EMAIL_MAX_LENGTH = 254

# Deliberately loose: the API has the real validator; this only catches typing slips.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


class FormErrors:
    """Each invalid field's message, in the order the fields appear on the page."""

    def __init__(self) -> None:
        self._messages: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        """Record an error; a field shows only its first one."""
        self._messages.setdefault(field, message)

    def get(self, field: str) -> str | None:
        """The field's message, or None when it is valid."""
        return self._messages.get(field)

    def __bool__(self) -> bool:
        return bool(self._messages)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._messages.items())

    def __len__(self) -> int:
        return len(self._messages)


def check_email(errors: FormErrors, field: str, value: str, _: Gettext) -> None:
    """An e-mail address is present and looks like one."""
    if not value:
        errors.add(field, _("Enter your email address"))
    elif len(value) > EMAIL_MAX_LENGTH or not _EMAIL.match(value):
        errors.add(field, _("Enter an email address in the correct format, like name@example.com"))


def check_password_given(errors: FormErrors, field: str, value: str, _: Gettext) -> None:
    """A password field for an existing password is not empty."""
    if not value:
        errors.add(field, _("Enter your password"))


def check_new_password(errors: FormErrors, field: str, value: str, _: Gettext) -> None:
    """A new password meets the platform's length rules."""
    if not value:
        errors.add(field, _("Enter a new password"))
    elif len(value) < PASSWORD_MIN_LENGTH:
        errors.add(
            field,
            _("Password must be %(count)d characters or more") % {"count": PASSWORD_MIN_LENGTH},
        )
    elif len(value) > PASSWORD_MAX_LENGTH:
        errors.add(
            field,
            _("Password must be %(count)d characters or fewer") % {"count": PASSWORD_MAX_LENGTH},
        )


def check_display_name(errors: FormErrors, field: str, value: str, _: Gettext) -> None:
    """A display name is present and not too long."""
    if not value:
        errors.add(field, _("Enter your name"))
    elif len(value) > DISPLAY_NAME_MAX_LENGTH:
        errors.add(
            field,
            _("Name must be %(count)d characters or fewer") % {"count": DISPLAY_NAME_MAX_LENGTH},
        )


def check_bio(errors: FormErrors, field: str, value: str, _: Gettext) -> None:
    """A bio is not too long (it may be empty)."""
    if len(value) > BIO_MAX_LENGTH:
        errors.add(
            field,
            _("Bio must be %(count)d characters or fewer") % {"count": BIO_MAX_LENGTH},
        )


def check_avatar_url(errors: FormErrors, field: str, value: str, _: Gettext) -> None:
    """An avatar address, when given, is a web address."""
    if not value:
        return
    parts = urlsplit(value)
    if (
        len(value) > AVATAR_URL_MAX_LENGTH
        or parts.scheme not in ("http", "https")
        or not (parts.netloc)
    ):
        errors.add(field, _("Enter a web address that starts with https://"))


def check_choice(
    errors: FormErrors, field: str, value: str, choices: Mapping[str, object], message: str
) -> None:
    """A select's value is one of its options (a hand-crafted request may send anything)."""
    if value not in choices:
        errors.add(field, message)


def add_api_field_errors(
    errors: FormErrors,
    problem: ApiProblem,
    messages: Mapping[str, str],
    *,
    fallback_field: str,
    fallback_message: str,
) -> None:
    """Show the API's 422 field errors next to our fields, in our words.

    ``messages`` gives the localised sentence for each field the form has; an error about a
    field the form does not show goes to ``fallback_field``.
    """
    for field_problem in problem.errors:
        if field_problem.field in messages:
            errors.add(field_problem.field, messages[field_problem.field])
        else:
            errors.add(fallback_field, fallback_message)
    if not errors:
        errors.add(fallback_field, fallback_message)
