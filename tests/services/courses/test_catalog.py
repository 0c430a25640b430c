"""The public catalog: search, filters, paging, categories, lookup by slug."""

from __future__ import annotations

from tests.conftest import Stack
from tests.services.courses.support import (
    add_item,
    add_section,
    create_course,
    instructor,
    learner,
    publish,
)


async def make_course(
    stack: Stack,
    headers: dict[str, str],
    *,
    published: bool = True,
    kinds: tuple[str, ...] = ("lesson",),
    **fields: object,
) -> dict:
    course = await create_course(stack, headers, **fields)
    section = await add_section(stack, headers, course["id"], "S")
    for n, kind in enumerate(kinds):
        await add_item(stack, headers, course["id"], section["id"], kind, f"I{n}")
    if published:
        await publish(stack, headers, course["id"])
    return course


async def titles(stack: Stack, query: str) -> list[str]:
    response = await stack.client.get(f"/api/v1/courses?{query}")
    assert response.status_code == 200, response.text
    return [course["title"] for course in response.json()["items"]]


async def test_catalog_lists_published_courses_only_with_summaries(stack: Stack) -> None:
    headers = await instructor(stack)
    shown = await make_course(
        stack,
        headers,
        title="Chemistry",
        summary="Atoms",
        category="Science",
        tags=["lab"],
        level="advanced",
        language="pt",
        estimated_hours=3,
        kinds=("lesson", "lesson", "quiz"),
    )
    await make_course(stack, headers, title="Draft", published=False)
    archived = await make_course(stack, headers, title="Old")
    await stack.client.patch(
        f"/api/v1/courses/{archived['id']}", json={"visibility": "archived"}, headers=headers
    )

    response = await stack.client.get("/api/v1/courses")
    assert response.json() == {
        "items": [
            {
                "id": shown["id"],
                "slug": "chemistry",
                "title": "Chemistry",
                "summary": "Atoms",
                "category": "Science",
                "tags": ["lab"],
                "language": "pt",
                "level": "advanced",
                "estimated_hours": 3.0,
                "cover_image_url": None,
                "enrollment_policy": "open",
                "starts_at": None,
                "ends_at": None,
                "item_counts": {"lesson": 2, "quiz": 1, "assignment": 0},
            }
        ],
        "next_cursor": None,
        "viewer": {
            "enrolled_course_ids": [],
            "completed_course_ids": [],
            "teaching_course_ids": [],
        },
    }
    # An archived course stays readable by its address, out of the catalog.
    assert (await stack.client.get(f"/api/v1/courses/{archived['id']}")).status_code == 200


async def test_search_and_filters_are_exact(stack: Stack) -> None:
    headers = await instructor(stack)
    await make_course(
        stack, headers, title="Organic Chemistry", category="Science", level="advanced"
    )
    await make_course(
        stack, headers, title="Cooking", summary="The chemistry of food", category="Life"
    )
    await make_course(stack, headers, title="Poetry", tags=["Chem-Lab"], language="pt")
    await make_course(stack, headers, title="100% sure_thing", category="Science")
    await make_course(stack, headers, title="1000 sure things", category="Science")

    assert await titles(stack, "q=CHEMISTRY") == ["Cooking", "Organic Chemistry"]
    assert await titles(stack, "q=chem-lab") == ["Poetry"]
    assert await titles(stack, "q=chem") == ["Poetry", "Cooking", "Organic Chemistry"]
    assert await titles(stack, "q=0%25") == ["100% sure_thing"]
    assert await titles(stack, "q=e_t") == ["100% sure_thing"]
    assert await titles(stack, "q=%20%20") == [
        "1000 sure things",
        "100% sure_thing",
        "Poetry",
        "Cooking",
        "Organic Chemistry",
    ]
    assert await titles(stack, "category=Science") == [
        "1000 sure things",
        "100% sure_thing",
        "Organic Chemistry",
    ]
    assert await titles(stack, "category=Science&level=advanced&q=organic") == ["Organic Chemistry"]
    assert await titles(stack, "language=pt") == ["Poetry"]
    assert await titles(stack, "category=science") == []
    bad = await stack.client.get("/api/v1/courses?level=expert")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "level"


async def test_paging_is_stable_and_complete(embedded: Stack) -> None:
    headers = await instructor(embedded)
    for n in range(5):
        await make_course(embedded, headers, title=f"Course {n}")
    seen: list[str] = []
    cursor = ""
    pages = 0
    while True:
        response = await embedded.client.get(f"/api/v1/courses?limit=2{cursor}")
        body = response.json()
        seen += [course["title"] for course in body["items"]]
        pages += 1
        if body["next_cursor"] is None:
            break
        # A course published between pages does not shift the ones still to come.
        if pages == 1:
            await make_course(embedded, headers, title="Latecomer")
        cursor = f"&cursor={body['next_cursor']}"
    assert seen == ["Course 4", "Course 3", "Course 2", "Course 1", "Course 0"]
    assert pages == 3
    bad = await embedded.client.get("/api/v1/courses?cursor=garbage")
    assert bad.status_code == 400
    assert bad.json()["type"] == "/problems/invalid-cursor"
    assert (await embedded.client.get("/api/v1/courses?limit=0")).status_code == 422


async def test_categories_count_published_courses(embedded: Stack) -> None:
    headers = await instructor(embedded)
    await make_course(embedded, headers, title="A", category="Science")
    await make_course(embedded, headers, title="B", category="Science")
    await make_course(embedded, headers, title="C", category="Art")
    await make_course(embedded, headers, title="D")
    await make_course(embedded, headers, title="E", category="Hidden", published=False)
    response = await embedded.client.get("/api/v1/courses/categories")
    assert response.json() == [
        {"category": "Art", "course_count": 1},
        {"category": "Science", "course_count": 2},
    ]


async def test_course_page_by_id_and_slug_with_viewer(stack: Stack) -> None:
    headers = await instructor(stack)
    course = await make_course(
        stack, headers, title="Biology", description="*cells*", kinds=("lesson", "assignment")
    )
    _, someone = await learner(stack, "someone@example.com")
    by_slug = await stack.client.get("/api/v1/courses/by-slug/biology", headers=someone)
    by_id = await stack.client.get(f"/api/v1/courses/{course['id']}")
    assert by_slug.status_code == by_id.status_code == 200
    body = by_slug.json()
    assert body["id"] == course["id"]
    assert (body["viewer"]["role"], body["viewer"]["status"]) == (None, None)
    assert body["description_html"] == "<p><em>cells</em></p>\n"
    assert body["item_counts"] == {"lesson": 1, "quiz": 0, "assignment": 1}
    assert body["learner_count"] == 0
    assert [[(i["kind"], i["title"]) for i in s["items"]] for s in body["sections"]] == [
        [("lesson", "I0"), ("assignment", "I1")]
    ]
    assert by_id.json()["sections"] == body["sections"]
    staff = (await stack.client.get("/api/v1/courses/by-slug/biology", headers=headers)).json()
    assert (staff["viewer"]["role"], staff["viewer"]["status"]) == ("instructor", "active")
    assert (await stack.client.get("/api/v1/courses/by-slug/nothing")).status_code == 404
    assert (await stack.client.get("/api/v1/courses/no-such-id")).status_code == 404
