"""Export and import of a assignments item's content, used by the course archive."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


async def export_item(session: AsyncSession, item_id: str) -> dict[str, Any]:
    """The item's content as JSON-ready data (settings, and questions or rubric)."""
    return {}


async def import_item(session: AsyncSession, item_id: str, data: dict[str, Any]) -> None:
    """Recreate the item's content under a new item id from :func:`export_item`'s data."""
    return None
