"""What every request of the web app shares, built once by :func:`create_web_app`."""

from __future__ import annotations

from dataclasses import dataclass

from babel.support import NullTranslations
from starlette.requests import Request

from learnhub.kit.config import Settings
from learnhub.web.api import PlatformApi
from learnhub.web.branding import Branding
from learnhub.web.static import StaticUrls
from learnhub.web.templating import Templates


@dataclass(frozen=True)
class WebState:
    """The web app's long-lived collaborators, kept on ``app.state.web``."""

    settings: Settings
    api: PlatformApi
    branding: Branding
    translations: dict[str, NullTranslations]
    templates: Templates
    static_urls: StaticUrls

    @property
    def secret_key(self) -> str:
        return self.settings.secret_key.get_secret_value()

    @property
    def secure_cookies(self) -> bool:
        """Cookies are marked Secure when users reach the platform over HTTPS."""
        return self.settings.public_url.lower().startswith("https://")


def web_state(request: Request) -> WebState:
    """The shared state of the app serving ``request``."""
    return request.app.state.web
