"""Keyset cursors: typed values survive the round trip, anything else is an invalid cursor,
and a page built from limit + 1 rows says whether there is a next one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from learnhub.kit.http.pagination import (
    InvalidCursor,
    decode_keyset,
    encode_cursor,
    page_of,
)

MOMENT = datetime(2026, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)


def test_typed_values_survive_the_round_trip() -> None:
    cursor = encode_cursor([MOMENT, 42, 2.5, "c-1"])

    assert decode_keyset(cursor, datetime, int, float, str) == (MOMENT, 42, 2.5, "c-1")
    assert decode_keyset(encode_cursor([3]), float) == (3.0,)
    assert decode_keyset(None, datetime, str) is None
    assert decode_keyset("", datetime, str) is None


def test_an_offset_timestamp_is_the_same_moment() -> None:
    lisbon_summer = MOMENT.astimezone(timezone(timedelta(hours=1)))

    [moment] = decode_keyset(encode_cursor([lisbon_summer]), datetime) or ()

    assert moment == MOMENT


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        encode_cursor(["2026-05-01T12:30:15", "c-1"]),  # no time zone
        encode_cursor(["yesterday", "c-1"]),
        encode_cursor([MOMENT, 7]),  # the id must be a string
        encode_cursor([MOMENT]),  # too short
        encode_cursor([MOMENT, "c-1", "extra"]),
        encode_cursor([True, "c-1"]),
        "eyJhIjoxfQ",  # a JSON object, not a list
    ],
)
def test_anything_else_is_an_invalid_cursor(cursor: str) -> None:
    with pytest.raises(InvalidCursor) as raised:
        decode_keyset(cursor, datetime, str)

    assert raised.value.status == 400
    assert raised.value.slug == "invalid-cursor"


def test_booleans_are_not_numbers() -> None:
    with pytest.raises(InvalidCursor):
        decode_keyset(encode_cursor([True]), int)


def test_a_page_from_limit_plus_one_rows_points_at_the_next() -> None:
    rows = [(MOMENT + timedelta(minutes=n), f"id-{n}") for n in range(4)]

    full = page_of(rows, limit=3, keyset=lambda row: row, item=lambda row: row[1])
    last = page_of(rows[:3], limit=3, keyset=lambda row: row, item=lambda row: row[1])
    empty = page_of([], limit=3, keyset=lambda row: row, item=lambda row: row)

    assert full.items == ["id-0", "id-1", "id-2"]
    assert full.next_cursor is not None
    assert decode_keyset(full.next_cursor, datetime, str) == rows[2]
    assert (last.items, last.next_cursor) == (["id-0", "id-1", "id-2"], None)
    assert (empty.items, empty.next_cursor) == ([], None)
