"""Files through the web UI: lesson attachments, submitted work and the gradebook's CSV.

Each route asks the API for the file with the caller's session and passes the answer on:
its bytes, content type and ``Content-Disposition``. The API decides who may have a file; its
403 or 404 becomes the site's 403 or 404 page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi.responses import Response

from learnhub.web.api import ApiResponse, PlatformApi
from learnhub.web.deps import Api, SignedInSession, page_router
from learnhub.web.pages.course_support import COURSES_API, load_course
from learnhub.web.session import WebSession

router = page_router()

# The answer's headers a download keeps; the rest (length, encoding) are the server's job.
_PASSED_ON = ("content-disposition",)


def file_response(answer: ApiResponse) -> Response:
    """The API's file as the web's answer: same bytes, type and file name, never cached."""
    headers = {name: answer.headers[name] for name in _PASSED_ON if name in answer.headers}
    headers["x-content-type-options"] = "nosniff"
    headers["cache-control"] = "private, no-store"
    return Response(
        answer.content,
        media_type=answer.headers.get("content-type", "application/octet-stream"),
        headers=headers,
    )


async def _fetch_file(api: PlatformApi, session: WebSession, path: str) -> Response:
    return file_response(await api.fetch("GET", path, session=session))


@router.get("/courses/{ref}/attachments/{item_id}/{attachment_id}")
async def lesson_attachment(
    ref: str, item_id: str, attachment_id: str, session: SignedInSession, api: Api
) -> Response:
    """A file of a lesson, for the course's staff and enrolled learners."""
    course = await load_course(api, session, ref)
    return await _fetch_file(
        api,
        session,
        f"{COURSES_API}/{course['id']}/lessons/{item_id}/attachments/{attachment_id}",
    )


@router.get("/courses/{ref}/assignments/{item_id}/submissions/{submission_id}/file")
async def submission_file(
    ref: str, item_id: str, submission_id: str, session: SignedInSession, api: Api
) -> Response:
    """The file of a submission, for its author and the course's staff."""
    course = await load_course(api, session, ref)
    return await _fetch_file(
        api,
        session,
        f"{COURSES_API}/{course['id']}/assignments/{item_id}/submissions/{submission_id}/file",
    )


@router.get("/teach/{course_id}/gradebook.csv")
async def gradebook_csv(
    course_id: str, session: SignedInSession, api: Api, group: str = ""
) -> Response:
    """The gradebook (of one group) as the API's CSV file, with the API's file name (the
    course's staff)."""
    course = await load_course(api, session, course_id)
    query = f"?{urlencode({'group_id': group})}" if group else ""
    return await _fetch_file(api, session, f"{COURSES_API}/{course['id']}/gradebook.csv{query}")
