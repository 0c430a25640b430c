"""learnhub's web UI: server-rendered pages that call the platform's public API.

The one public entry point is :func:`create_web_app`; see ``docs/web.md``.
"""

from learnhub.web.app import create_web_app

__all__ = ["create_web_app"]
