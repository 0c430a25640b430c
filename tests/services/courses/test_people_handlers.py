"""The people the courses service knows, from the auth and users services' events, which
may arrive in either order: nothing is dropped and the newer name wins, whether the events
come one by one or as a backlog handled in one batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from learnhub.contracts.auth import UserRegistered
from learnhub.contracts.base import EventPayload
from learnhub.contracts.users import UserProfileUpdated
from learnhub.kit.events.envelope import CloudEvent
from learnhub.services.courses.models import Person
from tests.conftest import Stack

REGISTERED_AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def registered(user_id: str, email: str = "Ada@Example.org") -> UserRegistered:
    return UserRegistered(
        user_id=user_id,
        email=email,
        display_name="Ada",
        registered_at=REGISTERED_AT,
    )


def renamed(user_id: str, name: str, *, after: timedelta) -> UserProfileUpdated:
    return UserProfileUpdated(
        user_id=user_id,
        display_name=name,
        locale="en",
        time_zone="UTC",
        changed=["display_name"],
        updated_at=REGISTERED_AT + after,
    )


async def deliver(stack: Stack, payload: EventPayload) -> None:
    """Hand the event to the courses service as its bus would."""
    subscription = stack.platform.runtime("courses").subscription
    assert subscription is not None
    await subscription.handler(CloudEvent.from_payload(payload, source="tests"))


async def deliver_backlog(stack: Stack, *payloads: EventPayload) -> None:
    """Hand the events to the courses service in one batch, as its bus does with a backlog."""
    subscription = stack.platform.runtime("courses").subscription
    assert subscription is not None and subscription.batch_handler is not None
    await subscription.batch_handler(
        [CloudEvent.from_payload(payload, source="tests") for payload in payloads]
    )


async def person(stack: Stack, user_id: str) -> tuple[str | None, str, datetime] | None:
    async with stack.platform.runtime("courses").db.session() as session:
        row = await session.get(Person, user_id)
        return None if row is None else (row.email, row.display_name, row.updated_at)


async def test_a_profile_update_before_the_registration_is_kept(stack: Stack) -> None:
    # when: the update overtakes the registration
    await deliver(stack, renamed("u-1", "Ada Lovelace", after=timedelta(minutes=5)))

    # then: a row without an e-mail yet
    assert await person(stack, "u-1") == (
        None,
        "Ada Lovelace",
        REGISTERED_AT + timedelta(minutes=5),
    )

    # when
    await deliver(stack, registered("u-1"))

    # then: the e-mail from the registration, the newer name from the update
    assert await person(stack, "u-1") == (
        "ada@example.org",
        "Ada Lovelace",
        REGISTERED_AT + timedelta(minutes=5),
    )


async def test_a_profile_update_after_the_registration_renames(stack: Stack) -> None:
    await deliver(stack, registered("u-2"))
    assert await person(stack, "u-2") == ("ada@example.org", "Ada", REGISTERED_AT)

    await deliver(stack, renamed("u-2", "Countess Lovelace", after=timedelta(minutes=1)))

    assert await person(stack, "u-2") == (
        "ada@example.org",
        "Countess Lovelace",
        REGISTERED_AT + timedelta(minutes=1),
    )


async def test_an_older_update_arriving_late_changes_nothing(stack: Stack) -> None:
    # given
    await deliver(stack, renamed("u-3", "Newest", after=timedelta(minutes=10)))
    await deliver(stack, registered("u-3"))

    # when: an update made before the newest one arrives last
    await deliver(stack, renamed("u-3", "Older", after=timedelta(minutes=3)))

    # then
    assert await person(stack, "u-3") == (
        "ada@example.org",
        "Newest",
        REGISTERED_AT + timedelta(minutes=10),
    )


async def test_a_backlog_of_registrations_completes_early_rows_and_adds_the_others(
    stack: Stack,
) -> None:
    # given: an update overtook Ada's registration
    await deliver(stack, renamed("u-4", "Ada Lovelace", after=timedelta(minutes=5)))

    # when: her registration and Bob's come in one batch
    await deliver_backlog(
        stack, registered("u-4", "Ada@Example.org"), registered("u-5", "bob@example.org")
    )

    # then
    assert await person(stack, "u-4") == (
        "ada@example.org",
        "Ada Lovelace",
        REGISTERED_AT + timedelta(minutes=5),
    )
    assert await person(stack, "u-5") == ("bob@example.org", "Ada", REGISTERED_AT)


async def test_a_backlog_applies_registrations_and_updates_in_their_order(stack: Stack) -> None:
    # when: a rename follows its registration within the batch, an older one after both
    await deliver_backlog(
        stack,
        registered("u-6", "ada@example.org"),
        renamed("u-6", "Countess Lovelace", after=timedelta(minutes=2)),
        registered("u-7", "bob@example.org"),
        renamed("u-6", "Older", after=timedelta(minutes=1)),
    )

    # then
    assert await person(stack, "u-6") == (
        "ada@example.org",
        "Countess Lovelace",
        REGISTERED_AT + timedelta(minutes=2),
    )
    assert await person(stack, "u-7") == ("bob@example.org", "Ada", REGISTERED_AT)
