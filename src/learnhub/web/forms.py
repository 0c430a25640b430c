"""Form errors in plain words, in the reader's language.

The API is the one place a rule lives. Pages send what the person typed (shaped into the
API's body, numbers read the way people write them) and word the API's refusals: each
problem type and each field error's ``code`` gets a localised sentence next to its field,
GOV.UK style. The account pages (registration, log in) still check a few fields first;
the courses pages check nothing themselves.
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from learnhub.web.api import ApiProblem

Gettext = Callable[[str], str]

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
DISPLAY_NAME_MAX_LENGTH = 100
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


@dataclass(frozen=True)
class FieldMessage:
    """How a page words the API's errors about one of its fields: the form field they show
    next to, a sentence for each code the page words specially, and one for the rest."""

    form_field: str
    default: str
    by_code: Mapping[str, str] = field(default_factory=dict)

    def message(self, code: str) -> str:
        return self.by_code.get(code, self.default)


def add_problem_errors(
    errors: FormErrors,
    problem: ApiProblem,
    fields: Mapping[str, FieldMessage],
    *,
    fallback_field: str,
    fallback_message: str,
) -> None:
    """Show the field errors of an API problem next to the page's fields, in its words.

    ``fields`` is keyed by the API field's dotted path (``rubric.<id>``) or its last part
    (``points``); an error about a field the page does not know goes to the fallback.
    """
    for field_problem in problem.errors:
        known = fields.get(field_problem.path) or fields.get(field_problem.field)
        if known is None:
            errors.add(fallback_field, fallback_message)
        else:
            errors.add(known.form_field, known.message(field_problem.code))
    if not errors:
        errors.add(fallback_field, fallback_message)


async def accepted(
    call: Awaitable[Any],
    errors: FormErrors,
    fields: Mapping[str, FieldMessage],
    *,
    fallback_field: str,
    fallback_message: str,
) -> bool:
    """Await the API call that sends a form: True when the API accepted it; False when it
    refused the values (400, 422), whose words :func:`add_problem_errors` put in ``errors``."""
    try:
        await call
    except ApiProblem as problem:
        if problem.status not in (400, 422):
            raise
        add_problem_errors(
            errors,
            problem,
            fields,
            fallback_field=fallback_field,
            fallback_message=fallback_message,
        )
        return False
    return True


def typed_number(text: str) -> str | None:
    """A number field as the person typed it, in the form the API reads (a decimal comma
    becomes a point); None when it is empty. Whether it is a number, and an acceptable one,
    is for the API to say."""
    text = text.strip()
    if not text:
        return None
    return text.replace(",", ".") if "." not in text else text


def scaled_number(text: str, factor: int) -> int | str | None:
    """A number typed in one unit (minutes, megabytes) in the API's whole unit (seconds,
    bytes); text that is not a number is passed on as it is, for the API to refuse."""
    typed = typed_number(text)
    if typed is None:
        return None
    try:
        value = float(typed)
    except ValueError:
        return typed
    if not math.isfinite(value):
        return typed
    return round(value * factor)
