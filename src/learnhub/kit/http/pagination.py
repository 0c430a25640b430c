"""Keyset (cursor) pagination: opaque cursors over a stable sort key.

A list sorted by ``(sort column, id)`` hands out the last row's values as an opaque
cursor; the next page is the rows after it (:func:`after_keyset`). Cursors carry typed
values (timestamps, numbers, strings) and are checked when they come back, so a forged or
damaged cursor is a 400 problem, never a 500.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, or_

from learnhub.kit.errors import BadRequest

Item = TypeVar("Item")
Row = TypeVar("Row")

CursorValue = datetime | int | float | str
"""What a cursor may carry: an aware timestamp, a number or a string."""


class InvalidCursor(BadRequest):
    title = "Invalid cursor"
    slug = "invalid-cursor"


_NOT_OURS = "The cursor is not one this API gave out."


class Page(BaseModel, Generic[Item]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[Item]
    next_cursor: str | None = Field(
        None, description="Cursor of the next page; null on the last page."
    )


def encode_cursor(values: Sequence[Any]) -> str:
    """The JSON values as an opaque, URL-safe cursor (timestamps in ISO 8601)."""
    plain = [value.isoformat() if isinstance(value, datetime) else value for value in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, length: int) -> list[Any]:
    """The ``length`` JSON values of a cursor, unchecked; prefer :func:`decode_keyset`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidCursor(_NOT_OURS) from error
    if not isinstance(values, list) or len(values) != length:
        raise InvalidCursor(_NOT_OURS)
    return values


def _typed(value: Any, kind: type[CursorValue]) -> CursorValue:
    if kind is datetime:
        if not isinstance(value, str):
            raise InvalidCursor(_NOT_OURS)
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as error:
            raise InvalidCursor(_NOT_OURS) from error
        if moment.tzinfo is None:
            raise InvalidCursor(_NOT_OURS)
        return moment
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind is str and isinstance(value, str):
        return value
    raise InvalidCursor(_NOT_OURS)


def decode_keyset(cursor: str | None, *kinds: type[CursorValue]) -> tuple[Any, ...] | None:
    """The values of a cursor made by :func:`page_of`, checked against ``kinds``
    (``datetime``, ``int``, ``float`` or ``str``, in sort-key order); None without a cursor."""
    if not cursor:
        return None
    values = decode_cursor(cursor, length=len(kinds))
    return tuple(_typed(value, kind) for value, kind in zip(values, kinds, strict=True))


def after_keyset(
    sort_column: Any, id_column: Any, after: Sequence[Any], *, descending: bool = False
) -> ColumnElement[bool]:
    """The rows that come after ``after`` (a ``(sort value, id)`` pair taken from the last
    row of a page) in ``ORDER BY sort_column, id_column`` (both descending if asked):
    the condition behind every cursor-paged list."""
    value, row_id = after
    if descending:
        return or_(sort_column < value, and_(sort_column == value, id_column < row_id))
    return or_(sort_column > value, and_(sort_column == value, id_column > row_id))


Statement = TypeVar("Statement", bound=Select[Any])


def keyset_page(
    statement: Statement,
    sort_column: Any,
    id_column: Any,
    *,
    after: Sequence[Any] | None,
    limit: int,
    descending: bool = False,
) -> Statement:
    """``statement`` as one page of a cursor-paged list: ordered by ``sort_column, id_column``
    (both descending if asked), from the row after ``after`` when given, ``limit`` rows."""
    order = (sort_column.desc(), id_column.desc()) if descending else (sort_column, id_column)
    statement = statement.order_by(*order).limit(limit)
    if after is not None:
        statement = statement.where(
            after_keyset(sort_column, id_column, after, descending=descending)
        )
    return statement


def page_of(
    rows: Sequence[Row],
    *,
    limit: int,
    keyset: Callable[[Row], Sequence[CursorValue]],
    item: Callable[[Row], Item],
) -> Page[Item]:
    """A page from up to ``limit + 1`` rows fetched in sort order: the extra row only says
    that there is a next page, whose cursor is the ``keyset`` of the page's last row."""
    shown = rows[:limit]
    next_cursor = encode_cursor(keyset(shown[-1])) if len(rows) > limit and shown else None
    return Page[Any](items=[item(row) for row in shown], next_cursor=next_cursor)
