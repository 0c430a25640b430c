"""Asking once before a destructive or powerful action: a page that says what the action
does and what it loses, with a danger button that sends the form and a way back. It is a
plain page, so it works without JavaScript."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import Request
from fastapi.responses import HTMLResponse

from learnhub.web.rendering import render


def confirmation_page(
    request: Request,
    *,
    question: str,
    consequences: Sequence[str],
    action: str,
    confirm_label: str,
    cancel_path: str,
    crumbs: Sequence[tuple[str | None, str]],
    hidden: Mapping[str, str] | None = None,
    active_nav: str | None = None,
) -> HTMLResponse:
    """The page asking ``question``: ``consequences`` in a warning, then a form posting
    ``hidden`` to ``action`` with the danger button ``confirm_label``, and a link back to
    ``cancel_path``."""
    return render(
        request,
        "pages/confirm.html",
        active_nav=active_nav,
        question=question,
        consequences=list(consequences),
        action=action,
        confirm_label=confirm_label,
        cancel_path=cancel_path,
        crumbs=list(crumbs),
        hidden=dict(hidden or {}),
    )
