"""Routes of the catalog sub-domain."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["courses: catalog"])
