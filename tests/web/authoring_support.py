"""The demo instructor as the authoring page tests need them: in São Paulo's time zone, so
that dates typed into the forms show the conversion to the API's UTC."""

from __future__ import annotations

import httpx

from tests.conftest import bearer
from tests.web.test_courses_pages import INSTRUCTOR, Author

SAO_PAULO = "America/Sao_Paulo"  # UTC-3 all year


async def sao_paulo_author(web_client: httpx.AsyncClient) -> Author:
    """The demo instructor, in São Paulo's time zone."""
    response = await web_client.post(
        "/api/v1/auth/login", json={"email": INSTRUCTOR[0], "password": INSTRUCTOR[1]}
    )
    assert response.status_code == 200, response.text
    author = Author(web_client, bearer(response.json()["access_token"]))
    await author.call("PATCH", "/api/v1/users/me", 200, json={"time_zone": SAO_PAULO})
    return author
