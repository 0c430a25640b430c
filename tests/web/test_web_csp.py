"""The Content-Security-Policy: images only from the platform, data: and the hosts the
settings allow (plus the logo's); frames only from the video players lessons embed. A
lesson with a video renders a player the policy allows."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from pydantic import ValidationError

from learnhub.kit.config import Settings
from learnhub.web.app import content_security_policy
from learnhub.web.branding import branding_from_settings
from tests.web.test_courses_pages import LEARNER, Author, author

if TYPE_CHECKING:  # the fixture's class lives in this folder's conftest.py
    from conftest import Site

__all__ = ["author"]


def _directives(policy: str) -> dict[str, list[str]]:
    return {
        parts[0]: parts[1:]
        for parts in (directive.split() for directive in policy.split(";"))
        if parts
    }


def test_images_and_frames_come_only_from_allowed_hosts() -> None:
    settings = Settings(
        institution_logo_url="https://cdn.example.edu/brand/logo.svg",
        web_img_hosts=["https://images.example.org/"],
        web_frame_hosts=["https://player.example.net"],
    )
    policy = _directives(content_security_policy(branding_from_settings(settings), settings))

    assert policy["img-src"] == [
        "'self'",
        "data:",
        "https://images.example.org",
        "https://cdn.example.edu",
    ]
    assert policy["frame-src"] == ["https://player.example.net"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_by_default_images_are_the_platforms_and_frames_the_video_players() -> None:
    settings = Settings()
    policy = _directives(content_security_policy(branding_from_settings(settings), settings))

    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-src"] == [
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
    ]
    no_frames = Settings(web_frame_hosts=[])
    policy = _directives(content_security_policy(branding_from_settings(no_frames), no_frames))
    assert policy["frame-src"] == ["'none'"]


@pytest.mark.parametrize(
    "host", ["https:", "*", "https://a.example.org; script-src *", "javascript:alert(1)"]
)
def test_a_setting_that_is_not_an_origin_is_refused(host: str) -> None:
    with pytest.raises(ValidationError):
        Settings(web_img_hosts=[host])


async def test_a_lesson_video_plays_in_a_frame_the_policy_allows(
    site: Site, author: Author
) -> None:
    course, (lesson,) = await author.course("Videos", items=(("lesson", "Watch"),))
    await author.call(
        "PUT",
        f"/api/v1/courses/{course['id']}/lessons/{lesson['id']}",
        200,
        json={
            "content_markdown": "Look: ![pixel](https://tracker.example.com/p.gif)",
            "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        },
    )
    await site.log_in(*LEARNER)
    await site.submit("/courses/videos/enroll", {}, form_page="/courses/videos")
    page = await site.get(f"/courses/videos/learn/{lesson['id']}")

    frame = re.search(r'<iframe src="([^"]+)"', page.text)
    assert frame, page.text
    policy = _directives(page.headers["content-security-policy"])
    source = urlsplit(frame.group(1))
    assert f"{source.scheme}://{source.netloc}" in policy["frame-src"]
    # the lesson's image from elsewhere is in the page, and the policy keeps it from loading
    assert "https://tracker.example.com/p.gif" in page.text
    assert not any("tracker.example.com" in host for host in policy["img-src"])
