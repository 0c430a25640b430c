"""The service registry: which services exist, their routes, ports and events."""

from __future__ import annotations

from learnhub.kit.runtime import ServiceSpec
from learnhub.services.auth import spec as auth_service
from learnhub.services.courses import spec as courses_service
from learnhub.services.users import spec as users_service

SERVICES: tuple[ServiceSpec, ...] = (auth_service, users_service, courses_service)
WEB_PORT = 8100
GATEWAY_PORT = 8000


def service_names() -> list[str]:
    return [spec.name for spec in SERVICES]


def get_service(name: str) -> ServiceSpec:
    for spec in SERVICES:
        if spec.name == name:
            return spec
    raise KeyError(name)
