"""The CloudEvents 1.0 envelope in JSON structured mode."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from learnhub.contracts import CONTRACTS, EventPayload

SPEC_VERSION = "1.0"


class MalformedEvent(ValueError):
    """Bytes that are not a CloudEvent this platform can read."""


@dataclass(frozen=True, slots=True)
class CloudEvent:
    """One event as it travels on a bus: attributes plus the contract's JSON ``data``.

    ``traceparent`` is the CloudEvents distributed-tracing extension: the W3C trace
    context of the request that caused the event.
    """

    type: str
    source: str
    data: dict[str, Any]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    subject: str | None = None
    traceparent: str | None = None

    def to_json(self) -> bytes:
        document: dict[str, Any] = {
            "specversion": SPEC_VERSION,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "time": self.time.isoformat(),
            "datacontenttype": "application/json",
            "data": self.data,
        }
        if self.subject is not None:
            document["subject"] = self.subject
        if self.traceparent is not None:
            document["traceparent"] = self.traceparent
        return json.dumps(document, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> CloudEvent:
        try:
            document = json.loads(raw)
            if not isinstance(document, dict):
                raise MalformedEvent("not a CloudEvent: the JSON is not an object")
            if document.get("specversion") != SPEC_VERSION:
                raise MalformedEvent(f"unsupported specversion {document.get('specversion')!r}")
            return cls(
                type=document["type"],
                source=document["source"],
                data=document["data"],
                id=document["id"],
                time=datetime.fromisoformat(document["time"]),
                subject=document.get("subject"),
                traceparent=document.get("traceparent"),
            )
        except MalformedEvent:
            raise
        except (ValueError, KeyError, TypeError) as error:
            raise MalformedEvent(f"not a CloudEvent: {error}") from error

    def payload(self) -> EventPayload:
        """The data parsed by its registered contract."""
        contract = CONTRACTS.get(self.type)
        if contract is None:
            raise MalformedEvent(f"no contract for event type {self.type}")
        return contract.model_validate(self.data)

    @classmethod
    def from_payload(
        cls,
        payload: EventPayload,
        *,
        source: str,
        subject: str | None = None,
        traceparent: str | None = None,
    ) -> CloudEvent:
        return cls(
            type=payload.event_type,
            source=source,
            data=payload.model_dump(mode="json"),
            subject=subject,
            traceparent=traceparent,
        )
