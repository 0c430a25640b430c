"""The public certificate page: anyone with the code can check it is genuine and print it."""

from __future__ import annotations

import re

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from learnhub.web.api import ApiProblem
from learnhub.web.deps import Api, Session, page_router
from learnhub.web.errors import not_found_page
from learnhub.web.pages.course_support import as_session
from learnhub.web.rendering import render

router = page_router()

_CODE = re.compile(r"^[A-Za-z0-9-]{4,64}$")


@router.get("/certificates/{code}", response_class=HTMLResponse)
async def certificate(request: Request, code: str, session: Session, api: Api) -> Response:
    """A certificate and its verification; unknown codes are the 404 page."""
    if not _CODE.match(code):
        return not_found_page(request)
    try:
        found = await api.call("GET", f"/api/v1/certificates/{code}", session=as_session(session))
    except ApiProblem as problem:
        if problem.status in (404, 422):
            return not_found_page(request)
        raise
    return render(
        request,
        "courses/certificate.html",
        certificate=found,
        verification_url=f"{str(request.base_url).rstrip('/')}/certificates/{found.get('code', code)}",
    )
