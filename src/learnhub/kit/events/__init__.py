"""Events: the CloudEvents envelope, the outbox and its relay, the inbox, and the buses."""

from learnhub.kit.events.bus import Bus, DeliveryHandler, Subscription
from learnhub.kit.events.envelope import CloudEvent
from learnhub.kit.events.outbox import record_event, record_events

__all__ = ["Bus", "CloudEvent", "DeliveryHandler", "Subscription", "record_event", "record_events"]
