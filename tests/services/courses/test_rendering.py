"""Markdown for pages: sanitised, and with its headings placed below the page's own."""

from __future__ import annotations

from learnhub.services.courses.rendering import render_lesson, render_markdown


def test_headings_start_at_the_level_asked_and_stop_at_h6() -> None:
    html = render_markdown("# One\n\n## Two\n\n##### Five\n\n###### Six", top_heading=3)
    assert html == "<h3>One</h3>\n<h4>Two</h4>\n<h6>Five</h6>\n<h6>Six</h6>\n"


def test_by_default_a_hash_heading_is_h1_and_script_never_survives() -> None:
    html = render_markdown("# Title\n\n<h2 onclick=alert(1)>x</h2><script>alert(1)</script>")
    assert html.startswith("<h1>Title</h1>")
    assert "onclick" not in html
    assert "<script" not in html


def test_a_lesson_that_starts_with_its_title_shows_it_once() -> None:
    html = render_lesson(
        "# Reading the  Periodic table\n\nGroups and periods.\n\n# Groups",
        "Reading the periodic table",
    )
    assert html == "<p>Groups and periods.</p>\n<h2>Groups</h2>\n"


def test_a_lesson_that_starts_with_another_heading_keeps_it_below_the_title() -> None:
    html = render_lesson("# Before we start\n\nRead this.", "Reading the periodic table")
    assert html == "<h2>Before we start</h2>\n<p>Read this.</p>\n"


def test_a_lesson_whose_sections_are_h2_already_keeps_its_levels() -> None:
    html = render_lesson("## Groups\n\n### Periods", "Reading the periodic table")
    assert html == "<h2>Groups</h2>\n<h3>Periods</h3>\n"
