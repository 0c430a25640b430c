"""Static files with content-hashed URLs, cached by browsers for a year.

Every file under ``static/`` is hashed once at startup; pages link to
``/static/app.css?v=<sha256[:12]>``. A changed file gets a new URL, so browsers and CDNs may
keep the old one forever and never serve a stale stylesheet.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PREFIX = "/static"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def content_hashes(directory: Path = STATIC_DIR) -> dict[str, str]:
    """The short content hash of every file under ``directory``, keyed by relative path."""
    hashes: dict[str, str] = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            relative = path.relative_to(directory).as_posix()
            hashes[relative] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return hashes


class StaticUrls:
    """Builds versioned URLs for the files found at startup."""

    def __init__(self, hashes: dict[str, str]) -> None:
        self._hashes = hashes

    def __contains__(self, relative_path: str) -> bool:
        return relative_path in self._hashes

    def url(self, relative_path: str) -> str:
        """``/static/<path>?v=<hash>``; a missing file is a bug in a template, so it raises."""
        try:
            version = self._hashes[relative_path]
        except KeyError:
            raise LookupError(f"no static file {relative_path!r} under {STATIC_DIR}") from None
        return f"{STATIC_PREFIX}/{relative_path}?v={version}"


class VersionedStaticFiles(StaticFiles):
    """Serves ``static/``; a URL carrying a version is immutable, any other must revalidate."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            versioned = b"v=" in scope.get("query_string", b"")
            response.headers["cache-control"] = IMMUTABLE if versioned else REVALIDATE
            response.headers["x-content-type-options"] = "nosniff"
        return response
