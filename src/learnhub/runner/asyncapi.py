"""The AsyncAPI 3.0 document of the platform's events, generated from the registry."""

from __future__ import annotations

from typing import Any

from learnhub import __version__
from learnhub.contracts import CONTRACTS
from learnhub.runner.registry import SERVICES


def _key(event_type: str) -> str:
    return event_type.replace(".", "_")


def asyncapi_document() -> dict[str, Any]:
    """Every event as a channel (its routing key on the topic exchange), its CloudEvents
    message with the contract's JSON Schema, and who sends and receives it."""
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for event_type, contract in sorted(CONTRACTS.items()):
        key = _key(event_type)
        messages[key] = {
            "name": event_type,
            "title": event_type,
            "summary": (contract.__doc__ or "").strip().splitlines()[0]
            if contract.__doc__
            else event_type,
            "contentType": "application/cloudevents+json",
            "payload": {
                "type": "object",
                "required": ["specversion", "id", "source", "type", "time", "data"],
                "properties": {
                    "specversion": {"const": "1.0"},
                    "id": {"type": "string"},
                    "source": {"const": contract.producer},
                    "type": {"const": event_type},
                    "time": {"type": "string", "format": "date-time"},
                    "subject": {"type": "string"},
                    "traceparent": {"type": "string"},
                    "data": contract.model_json_schema(),
                },
            },
        }
        channels[key] = {
            "address": event_type,
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
        }
        operations[f"{contract.producer}_sends_{key}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{key}"},
            "tags": [{"name": contract.producer}],
        }
        for spec in SERVICES:
            if event_type in spec.handlers:
                operations[f"{spec.name}_receives_{key}"] = {
                    "action": "receive",
                    "channel": {"$ref": f"#/channels/{key}"},
                    "tags": [{"name": spec.name}],
                }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "learnhub events",
            "version": __version__,
            "description": "CloudEvents published through each service's outbox onto the "
            "`learnhub.events` topic exchange (routing key = event type).",
        },
        "defaultContentType": "application/cloudevents+json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }
