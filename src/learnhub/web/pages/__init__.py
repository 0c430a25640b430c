"""The web UI's pages, one router per area."""

from learnhub.web.pages import account, admin, home, language, profile

ROUTERS = (home.router, account.router, profile.router, admin.router, language.router)

__all__ = ["ROUTERS"]
