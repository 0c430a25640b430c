"""Field checks shared by the services' request bodies."""

from __future__ import annotations


def one_line(value: str | None) -> str | None:
    """Text with its runs of white space (line breaks included) made single spaces; blank
    text is refused (a pydantic validator turns the ValueError into a field problem)."""
    if value is None:
        return None
    value = " ".join(value.split())
    if not value:
        raise ValueError("must not be blank")
    return value
