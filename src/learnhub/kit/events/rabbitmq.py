"""The RabbitMQ bus of the distributed mode, and the dead-letter administration behind
``learnhub events dlq``.

Topology (see docs/events.md): events go to one durable topic exchange with the event
type as routing key. Each consuming service owns a durable queue ``learnhub.<consumer>``
bound to the types it subscribes to, a retry queue ``learnhub.<consumer>.retry`` whose
expired messages dead-letter back into the service's queue (that is the back-off), and a
dead-letter queue ``learnhub.<consumer>.dlq`` for events that failed ``max_attempts``
times or are not CloudEvents at all.

Delivery is at least once. A message is acknowledged only after its handler succeeded
or after its retry or dead-letter copy was confirmed by the broker, so a crash at any
point leaves a copy to deliver again (consumers deduplicate through their inbox).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import aio_pika
import aiormq
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustChannel,
    AbstractRobustConnection,
)
from aiormq.exceptions import AMQPError, ChannelInvalidStateError, ChannelNotFoundEntity
from yarl import URL

from learnhub.kit.events.bus import DeadLetter, Subscription, log_failed_delivery, retry_delay
from learnhub.kit.events.envelope import CloudEvent, MalformedEvent
from learnhub.kit.observability import CONSUMER_LAG

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/cloudevents+json"
ATTEMPTS_HEADER = "x-attempts"
ERROR_HEADER = "x-error"
FAILED_AT_HEADER = "x-failed-at"
ORIGINAL_ROUTING_KEY_HEADER = "x-original-routing-key"

# Long enough for a broker under load, short enough that /readyz and start-up fail visibly.
CONNECT_TIMEOUT_SECONDS = 10.0
PING_TIMEOUT_SECONDS = 5.0
LAG_REFRESH_SECONDS = 5.0
ERROR_MAX_CHARS = 1000

# Errors that mean "the broker or our connection to it is gone", as opposed to the broker
# refusing one particular message.
_CONNECTION_ERRORS = (OSError, TimeoutError, AMQPError, ChannelInvalidStateError)


class BusUnavailable(ConnectionError):
    """The RabbitMQ broker cannot be reached, or the bus is not connected."""


def consumer_queue_name(consumer: str) -> str:
    """The durable queue a consuming service reads its events from."""
    return f"learnhub.{consumer}"


def retry_queue_name(consumer: str) -> str:
    """Where a failed delivery waits out its back-off before returning to the consumer."""
    return f"learnhub.{consumer}.retry"


def dead_letter_queue_name(consumer: str) -> str:
    """Where deliveries that will not be retried any more are kept for an operator."""
    return f"learnhub.{consumer}.dlq"


def redacted_url(url: str) -> str:
    """The broker URL with its password replaced, fit for logs and error messages."""
    try:
        parsed = URL(url)
    except (TypeError, ValueError):
        return "<unparsable broker URL>"
    if parsed.password is not None:
        parsed = parsed.with_password("***")
    return str(parsed)


async def _connect(url: str, *, robust: bool) -> aio_pika.abc.AbstractConnection:
    connect = aio_pika.connect_robust if robust else aio_pika.connect
    try:
        return await connect(url, timeout=CONNECT_TIMEOUT_SECONDS)
    except _CONNECTION_ERRORS as error:
        reason = str(error) or type(error).__name__
        raise BusUnavailable(
            f"Cannot connect to the RabbitMQ broker at {redacted_url(url)} ({reason})."
        ) from error


def _attempts_of(headers: Mapping[str, Any]) -> int:
    """How many times the delivery already failed (0 for a fresh event)."""
    try:
        return max(0, int(headers.get(ATTEMPTS_HEADER, 0)))
    except (TypeError, ValueError):
        return 0


def _header_text(headers: Mapping[str, Any], name: str) -> str:
    value = headers.get(name)
    if value is None:
        return ""
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _original_routing_key(message: AbstractIncomingMessage) -> str:
    # Retried and replayed copies travel through the default exchange, whose routing key
    # is the queue name, so the event type is carried in a header from the first hop on.
    return _header_text(message.headers, ORIGINAL_ROUTING_KEY_HEADER) or (message.routing_key or "")


def _copy_of(
    message: AbstractIncomingMessage,
    *,
    headers: dict[str, Any],
    expiration: float | None = None,
) -> aio_pika.Message:
    return aio_pika.Message(
        body=message.body,
        content_type=message.content_type or CONTENT_TYPE,
        message_id=message.message_id,
        type=message.type,
        timestamp=message.timestamp,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        headers=headers,
        expiration=expiration,
    )


@dataclass
class _ActiveSubscription:
    # The robust connection holds its channels weakly: this keeps the channel, and with it
    # the consumer it restores after a reconnection, alive.
    subscription: Subscription
    channel: AbstractRobustChannel
    queue: AbstractQueue
    consumer_tag: str


class RabbitMQBus:
    """The Bus backed by a RabbitMQ broker: durable, at least once, with retries and a DLQ.

    From the outside it behaves like the in-process bus: every consuming service gets its
    own copy of the events it subscribed to, a raising handler is retried with exponential
    back-off (``retry_delay``) and dead-lettered after ``max_attempts``, a body that is not a
    CloudEvent is dead-lettered at once, and ``publish`` returns only once the broker has
    confirmed every event. Unlike the in-process bus the copies survive restarts: an event
    whose handler was interrupted is delivered again, to this or another instance.

    Up to ``prefetch`` deliveries per consuming service are handled concurrently. Events
    published while no service has subscribed to their type are dropped, as in memory.
    """

    def __init__(
        self,
        url: str,
        *,
        exchange: str = "learnhub.events",
        max_attempts: int = 5,
        retry_base: float = 0.5,
        retry_cap: float = 30.0,
        prefetch: int = 16,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.url = url
        self.exchange_name = exchange
        self.max_attempts = max_attempts
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.prefetch = prefetch
        self._connection: AbstractRobustConnection | None = None
        # Publisher confirms on every publish; returns raise, so a retry or dead-letter
        # copy sent to a queue that does not exist is an error rather than a silent loss.
        self._publish_channel: AbstractRobustChannel | None = None
        self._exchange: AbstractExchange | None = None
        # Passive declarations fail by closing their channel; keep that away from the
        # channels that publish and consume.
        self._probe_channel: AbstractRobustChannel | None = None
        self._subscriptions: dict[str, _ActiveSubscription] = {}
        self._handlers_in_flight: set[asyncio.Task[Any]] = set()
        self._lag_task: asyncio.Task[None] | None = None
        self._closing = False

    @property
    def public_url(self) -> str:
        return redacted_url(self.url)

    async def start(self) -> None:
        """Connect and declare the exchange; raises BusUnavailable if the broker is unreachable."""
        if self._connection is not None:
            return
        connection = cast(AbstractRobustConnection, await _connect(self.url, robust=True))
        try:
            self._publish_channel = await connection.channel(
                publisher_confirms=True, on_return_raises=True
            )
            self._exchange = await self._declare_exchange(self._publish_channel)
            self._probe_channel = await connection.channel(publisher_confirms=False)
        except BaseException:
            await connection.close()
            raise
        self._connection = connection
        self._lag_task = asyncio.create_task(self._refresh_lag_forever(), name="rabbitmq:lag")

    async def publish(self, events: Sequence[CloudEvent]) -> None:
        """Send the events and return once the broker confirmed every one of them."""
        channel, exchange = self._publishing()
        try:
            # aio-pika's publish holds the channel until its frame is on the socket, one
            # message per turn of the event loop: on a busy process, 500 events took
            # seconds. The frames are queued at once here instead; what is awaited is the
            # broker's confirmation of each, as before.
            underlay = cast(aiormq.Channel, await channel.get_underlay_channel())
            messages = [
                aio_pika.Message(
                    body=event.to_json(),
                    content_type=CONTENT_TYPE,
                    message_id=event.id,
                    type=event.type,
                    timestamp=event.time,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                )
                for event in events
            ]
            confirmations = [
                underlay.basic_publish(
                    message.body,
                    exchange=exchange.name,
                    routing_key=event.type,
                    properties=message.properties,
                    # An event no service subscribed to is not an error (the in-process
                    # bus drops it too); a nack still raises.
                    mandatory=False,
                    wait=False,
                )
                for event, message in zip(events, messages, strict=True)
            ]
            await asyncio.gather(*confirmations)
        except (OSError, ChannelInvalidStateError) as error:
            raise BusUnavailable(
                f"Lost the connection to the RabbitMQ broker at {self.public_url} while "
                f"publishing ({error or type(error).__name__})."
            ) from error

    async def declare(self, subscription: Subscription) -> None:
        """Declare a service's queues and bindings without consuming, so events published
        before the service first starts wait for it (``learnhub migrate`` does this)."""
        connection = self._connected()
        async with connection.channel(publisher_confirms=False) as channel:
            exchange = await self._declare_exchange(channel)
            queue = await self._declare_consumer_queues(channel, subscription.consumer)
            for event_type in sorted(subscription.event_types):
                await queue.bind(exchange, routing_key=event_type)

    async def subscribe(self, subscription: Subscription) -> None:
        """Declare the service's queues, bind its event types and start consuming."""
        connection = self._connected()
        name = subscription.consumer
        if name in self._subscriptions:
            raise ValueError(f"{name} already subscribed")
        # A channel per service: its own prefetch window, and a channel error in one
        # service's handling cannot stop another's deliveries.
        channel = await connection.channel(publisher_confirms=False)
        await channel.set_qos(prefetch_count=self.prefetch)
        exchange = await self._declare_exchange(channel)
        queue = await self._declare_consumer_queues(channel, name)
        # A durable queue keeps bindings of types the service no longer subscribes to;
        # those events are acknowledged without calling the handler (see _handle).
        for event_type in sorted(subscription.event_types):
            await queue.bind(exchange, routing_key=event_type)
        declared = queue.declaration_result
        CONSUMER_LAG.labels(name).set(declared.message_count or 0)

        async def on_message(message: AbstractIncomingMessage) -> None:
            # Deliveries can still arrive between cancelling the consumer and closing;
            # left unacknowledged, they go back to the queue with the connection.
            if self._closing:
                return
            await self._track(self._handle(subscription, message))

        consumer_tag = await queue.consume(on_message, no_ack=False)
        self._subscriptions[name] = _ActiveSubscription(subscription, channel, queue, consumer_tag)

    async def ping(self) -> None:
        """Raise BusUnavailable unless the broker answers on this connection."""
        connection = self._connection
        if connection is None or connection.is_closed or self._probe_channel is None:
            raise BusUnavailable(f"Not connected to the RabbitMQ broker at {self.public_url}.")
        try:
            async with asyncio.timeout(PING_TIMEOUT_SECONDS):
                channel = await self._probe_channel.get_underlay_channel()
                await channel.exchange_declare(exchange=self.exchange_name, passive=True)
        except _CONNECTION_ERRORS as error:
            raise BusUnavailable(
                f"The RabbitMQ broker at {self.public_url} does not answer "
                f"({error or type(error).__name__})."
            ) from error

    async def close(self) -> None:
        """Stop consuming and disconnect; deliveries being handled are not acknowledged,
        so the broker delivers them again."""
        self._closing = True
        if self._lag_task is not None:
            self._lag_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._lag_task
            self._lag_task = None
        connected = self._connection is not None and self._connection.connected.is_set()
        for active in self._subscriptions.values() if connected else ():
            # Without a connection there is nothing to cancel (and cancelling would wait for
            # the reconnection): the broker forgot the consumers with the old connection.
            with contextlib.suppress(*_CONNECTION_ERRORS):
                async with asyncio.timeout(PING_TIMEOUT_SECONDS):
                    await active.queue.cancel(active.consumer_tag)
        for task in list(self._handlers_in_flight):
            task.cancel()
        if self._handlers_in_flight:
            await asyncio.gather(*self._handlers_in_flight, return_exceptions=True)
        self._subscriptions.clear()
        connection, self._connection = self._connection, None
        self._publish_channel = self._probe_channel = None
        self._exchange = None
        if connection is not None:
            # Closing the connection is what returns the unacknowledged messages.
            with contextlib.suppress(*_CONNECTION_ERRORS):
                await connection.close()
        self._closing = False

    async def wait_idle(self, within: float = 10.0) -> None:
        """Return once every subscribed queue is empty and no handler runs, seen on a few
        consecutive looks (a prefetched delivery may not have reached its handler yet)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        quiet_looks = 0
        while quiet_looks < 3:
            if loop.time() > deadline:
                raise TimeoutError(f"events still in flight after {within} s")
            busy = bool(self._handlers_in_flight)
            if not busy and self._probe_channel is not None:
                channel = await self._probe_channel.get_underlay_channel()
                for name in list(self._subscriptions):
                    declared = await channel.queue_declare(consumer_queue_name(name), passive=True)
                    busy = busy or bool(declared.message_count)
            quiet_looks = 0 if busy else quiet_looks + 1
            await asyncio.sleep(0.02)

    async def refresh_lag(self) -> None:
        """Set CONSUMER_LAG of every subscribed service from its queue's ready messages."""
        if self._probe_channel is None:
            return
        channel = await self._probe_channel.get_underlay_channel()
        for name in list(self._subscriptions):
            declared = await channel.queue_declare(consumer_queue_name(name), passive=True)
            CONSUMER_LAG.labels(name).set(declared.message_count or 0)

    def _connected(self) -> AbstractRobustConnection:
        if self._connection is None or self._connection.is_closed:
            raise BusUnavailable(
                f"The RabbitMQ bus for {self.public_url} is not started or already closed."
            )
        return self._connection

    def _publishing(self) -> tuple[AbstractRobustChannel, AbstractExchange]:
        """The confirming channel and the exchange that ``start`` opened."""
        self._connected()
        if self._publish_channel is None or self._exchange is None:
            raise BusUnavailable(f"The RabbitMQ bus for {self.public_url} has no channel open.")
        return self._publish_channel, self._exchange

    async def _declare_exchange(self, channel: AbstractChannel) -> AbstractExchange:
        return await channel.declare_exchange(
            self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
        )

    @staticmethod
    async def _declare_consumer_queues(channel: AbstractChannel, consumer: str) -> AbstractQueue:
        # Arguments must be the same on every declaration, or RabbitMQ refuses it; keep
        # them here only, so a restart or a reconnection re-declares the same queues.
        await channel.declare_queue(
            retry_queue_name(consumer),
            durable=True,
            arguments={
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": consumer_queue_name(consumer),
            },
        )
        await channel.declare_queue(dead_letter_queue_name(consumer), durable=True)
        return await channel.declare_queue(consumer_queue_name(consumer), durable=True)

    async def _track(self, handling: Awaitable[None]) -> None:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a delivery is handled inside a task, which tracks it")
        self._handlers_in_flight.add(task)
        try:
            await handling
        finally:
            self._handlers_in_flight.discard(task)

    async def _handle(self, subscription: Subscription, message: AbstractIncomingMessage) -> None:
        name = subscription.consumer
        routing_key = _original_routing_key(message)
        attempt = _attempts_of(message.headers) + 1
        try:
            try:
                event = CloudEvent.from_json(message.body)
            except MalformedEvent as error:
                log.error(
                    "dead-lettering a malformed message for %s: %s",
                    name,
                    error,
                    extra={"service": name, "event_id": message.message_id},
                )
                await self._dead_letter(name, message, routing_key, attempt, error)
                await message.ack()
                return
            if event.type not in subscription.event_types:
                await message.ack()
                return
            try:
                await subscription.handler(event)
            except Exception as error:
                if attempt < self.max_attempts:
                    delay = retry_delay(attempt, base=self.retry_base, cap=self.retry_cap)
                    log_failed_delivery(name, event, error, attempt=attempt, retry_in=delay)
                    await self._retry_later(name, message, routing_key, attempt, delay)
                else:
                    log_failed_delivery(name, event, error, attempt=attempt, retry_in=None)
                    await self._dead_letter(name, message, routing_key, attempt, error)
            await message.ack()
        except asyncio.CancelledError:
            # Shutting down: the unacknowledged message returns to the queue when the
            # channel closes, and is delivered again.
            raise
        except Exception:
            log.exception(
                "could not settle a delivery for %s; returning it to the queue",
                name,
                extra={"service": name, "event_id": message.message_id},
            )
            if not message.processed:
                with contextlib.suppress(*_CONNECTION_ERRORS):
                    await message.nack(requeue=True)

    async def _retry_later(
        self,
        consumer: str,
        message: AbstractIncomingMessage,
        routing_key: str,
        attempts: int,
        delay: float,
    ) -> None:
        channel = self._publishing()[0]
        headers = {ATTEMPTS_HEADER: attempts, ORIGINAL_ROUTING_KEY_HEADER: routing_key}
        await channel.default_exchange.publish(
            _copy_of(message, headers=headers, expiration=delay),
            routing_key=retry_queue_name(consumer),
            mandatory=True,
        )

    async def _dead_letter(
        self,
        consumer: str,
        message: AbstractIncomingMessage,
        routing_key: str,
        attempts: int,
        error: BaseException,
    ) -> None:
        channel = self._publishing()[0]
        headers = {
            ATTEMPTS_HEADER: attempts,
            ERROR_HEADER: repr(error)[:ERROR_MAX_CHARS],
            FAILED_AT_HEADER: datetime.now(UTC).isoformat(),
            ORIGINAL_ROUTING_KEY_HEADER: routing_key,
        }
        await channel.default_exchange.publish(
            _copy_of(message, headers=headers),
            routing_key=dead_letter_queue_name(consumer),
            mandatory=True,
        )

    async def _refresh_lag_forever(self) -> None:
        while True:
            await asyncio.sleep(LAG_REFRESH_SECONDS)
            try:
                await self.refresh_lag()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                # A broker outage must not end the loop; connect_robust is reconnecting.
                log.warning("could not read consumer lag from RabbitMQ: %r", error)


def _dead_letter_of(consumer: str, message: AbstractIncomingMessage) -> DeadLetter:
    headers = message.headers
    return DeadLetter(
        consumer=consumer,
        event_id=message.message_id or "",
        event_type=_original_routing_key(message),
        attempts=_attempts_of(headers),
        error=_header_text(headers, ERROR_HEADER),
        failed_at=_header_text(headers, FAILED_AT_HEADER),
        body=message.body,
    )


async def _dead_letter_queue(channel: AbstractChannel, consumer: str) -> AbstractQueue | None:
    # Passive: looking at the dead letters of a misspelt consumer must not create a queue.
    try:
        return await channel.declare_queue(dead_letter_queue_name(consumer), passive=True)
    except ChannelNotFoundEntity:
        return None


async def list_dead_letters(url: str, consumer: str, *, limit: int = 100) -> list[DeadLetter]:
    """The first ``limit`` messages of a service's dead-letter queue, oldest first.

    They stay in the queue: each is fetched without acknowledgement and all are returned
    to their places afterwards. An unknown consumer has no dead letters.
    """
    connection = await _connect(url, robust=False)
    async with connection:
        channel = await connection.channel(publisher_confirms=False)
        queue = await _dead_letter_queue(channel, consumer)
        if queue is None:
            return []
        fetched: list[AbstractIncomingMessage] = []
        try:
            while len(fetched) < limit:
                message = await queue.get(no_ack=False, fail=False)
                if message is None:
                    break
                fetched.append(message)
            return [_dead_letter_of(consumer, message) for message in fetched]
        finally:
            # Returned together after reading, so a message is never fetched twice and
            # RabbitMQ puts each back where it was.
            for message in fetched:
                # If the connection is gone, closing it returns them all the same.
                with contextlib.suppress(*_CONNECTION_ERRORS):
                    await message.nack(requeue=True)


async def replay_dead_letters(
    url: str, consumer: str, *, event_ids: Collection[str] | None = None
) -> int:
    """Move dead letters (all, or those with the given event ids) back to the service's queue.

    Each replayed message starts again at attempt one. It is removed from the dead-letter
    queue only after the broker confirmed its copy in ``learnhub.<consumer>``; the others
    stay where they were. Returns how many were replayed.
    """
    wanted = None if event_ids is None else set(event_ids)
    connection = await _connect(url, robust=False)
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        queue = await _dead_letter_queue(channel, consumer)
        if queue is None:
            return 0
        # Only what is there now: messages that fail again and return while we replay
        # are not picked up a second time.
        present = queue.declaration_result.message_count or 0
        kept: list[AbstractIncomingMessage] = []
        replayed = 0
        try:
            for _ in range(present):
                message = await queue.get(no_ack=False, fail=False)
                if message is None:
                    break
                if wanted is not None and (message.message_id or "") not in wanted:
                    kept.append(message)
                    continue
                headers = {ORIGINAL_ROUTING_KEY_HEADER: _original_routing_key(message)}
                await channel.default_exchange.publish(
                    _copy_of(message, headers=headers),
                    routing_key=consumer_queue_name(consumer),
                    mandatory=True,
                )
                await message.ack()
                replayed += 1
        finally:
            for message in kept:
                with contextlib.suppress(*_CONNECTION_ERRORS):
                    await message.nack(requeue=True)
    return replayed
