"""Copying the npm packages into static/vendor/, and the sentence when npm ci was not run."""

from __future__ import annotations

from pathlib import Path

import pytest

from learnhub.web.assets import MissingNodeModules, copy_vendor_files


def test_without_node_modules_it_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(MissingNodeModules) as raised:
        copy_vendor_files(tmp_path / "node_modules", tmp_path / "vendor")

    assert str(raised.value) == (
        "node_modules/ was not found next to package.json: run `npm ci` in the repository "
        "root first, then run `python -m learnhub.web.assets` again."
    )


def test_the_vendor_files_are_copied_from_node_modules(tmp_path: Path) -> None:
    htmx = tmp_path / "node_modules" / "htmx.org" / "dist" / "htmx.min.js"
    htmx.parent.mkdir(parents=True)
    htmx.write_text("/* htmx */")

    written = copy_vendor_files(tmp_path / "node_modules", tmp_path / "vendor")

    assert written == [tmp_path / "vendor" / "htmx.min.js"]
    assert (tmp_path / "vendor" / "htmx.min.js").read_text() == "/* htmx */"
