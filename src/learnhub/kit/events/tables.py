"""The messaging tables every service's database holds, declared once here and created by
each service's first migration through :mod:`learnhub.kit.migrations`.

- ``outbox``: events recorded with a state change, until the relay has published them.
  ``claimed_until`` is the relay's lease on a batch it is publishing, so no transaction
  stays open while the bus works and another relay takes the batch over if this one dies.
- ``inbox``: ids of the events the service has handled, so a redelivery has no effect.
- ``deliveries``: the service's durable queue on the in-process bus: events accepted for
  it, waiting to be handled or retried, and its dead letters (``dead_at`` set). Unused with
  RabbitMQ, which keeps its own queues.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text

from learnhub.kit.db import UTCDateTime

messaging_metadata = MetaData()

outbox_table = Table(
    "outbox",
    messaging_metadata,
    Column("id", String(36), primary_key=True),
    Column("type", String(200), nullable=False),
    Column("subject", String(200)),
    Column("data", Text, nullable=False),
    Column("traceparent", String(64)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("published_at", UTCDateTime),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_until", UTCDateTime),
    Index("ix_outbox_unpublished", "published_at", "created_at"),
)

inbox_table = Table(
    "inbox",
    messaging_metadata,
    Column("event_id", String(36), primary_key=True),
    Column("type", String(200), nullable=False),
    Column("processed_at", UTCDateTime, nullable=False),
)

deliveries_table = Table(
    "deliveries",
    messaging_metadata,
    # SQLite numbers rows itself only for an INTEGER primary key.
    Column(
        "position",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("event_id", String(36), nullable=False),
    Column("type", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("accepted_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("error", Text),
    Column("dead_at", UTCDateTime),
    Index("uq_deliveries_event", "event_id", unique=True),
    Index("ix_deliveries_due", "dead_at", "next_attempt_at", "position"),
)
