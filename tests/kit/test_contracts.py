"""Every event contract: a wire name, a JSON Schema, and a lossless trip through the envelope."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest

from learnhub.contracts import CONTRACTS, EventPayload
from learnhub.kit.events.envelope import CloudEvent, MalformedEvent
from learnhub.runner.registry import get_service

WIRE_NAME = re.compile(r"^[a-z]+(\.[a-z_]+)+\.v[0-9]+$")
WHEN = datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)

# One valid example per contract; a new contract without an example fails the first test.
EXAMPLES: dict[str, dict[str, Any]] = {
    "user.registered.v1": {
        "user_id": "0b7c4c1e-4a8e-4d1f-9f51-1c2d3e4f5a6b",
        "email": "ada@example.org",
        "display_name": "Ada Lovelace",
        "roles": ["learner", "instructor"],
        "registered_at": WHEN,
    },
    "user.logged_in.v1": {"user_id": "u-1", "session_id": "s-1", "logged_in_at": WHEN},
    "user.password_changed.v1": {
        "user_id": "u-1",
        "email": "ada@example.org",
        "via_reset": True,
        "changed_at": WHEN,
    },
    "user.password_reset_requested.v1": {
        "user_id": "u-1",
        "email": "ada@example.org",
        "reset_url": "https://learnhub.example.org/reset?token=abc",
        "expires_at": WHEN,
    },
    "user.email_confirmation_requested.v1": {
        "email": "ada@example.org",
        "display_name": "Ada",
        "confirm_url": "https://learnhub.example.org/confirm-email?token=abc",
        "expires_at": WHEN,
    },
    "user.account_exists_notice_requested.v1": {
        "user_id": "u-1",
        "email": "ada@example.org",
        "login_url": "https://learnhub.example.org/login",
        "reset_password_url": "https://learnhub.example.org/forgot-password",
        "requested_at": WHEN,
    },
    "user.profile_updated.v1": {
        "user_id": "u-1",
        "display_name": "Ada",
        "locale": "pt",
        "time_zone": "Europe/Lisbon",
        "changed": ["display_name", "locale"],
        "updated_at": WHEN,
    },
    "user.roles_changed.v1": {
        "user_id": "u-1",
        "roles": ["admin", "learner"],
        "previous_roles": ["learner"],
        "changed_by": "u-0",
        "changed_at": WHEN,
    },
    "course.created.v1": {
        "course_id": "c-1",
        "slug": "intro-chemistry",
        "title": "Introduction to Chemistry",
        "owner_id": "u-2",
        "category": "Science",
        "language": "en",
        "level": "beginner",
        "created_at": WHEN,
    },
    "course.published.v1": {
        "course_id": "c-1",
        "slug": "intro-chemistry",
        "title": "Introduction to Chemistry",
        "summary": "Atoms, bonds and reactions.",
        "category": "Science",
        "tags": ["chemistry", "stem"],
        "language": "en",
        "level": "beginner",
        "owner_id": "u-2",
        "published_at": WHEN,
    },
    "enrollment.created.v1": {
        "enrollment_id": "e-1",
        "course_id": "c-1",
        "course_title": "Introduction to Chemistry",
        "user_id": "u-1",
        "role": "learner",
        "enrolled_by": None,
        "enrolled_at": WHEN,
    },
    "enrollment.removed.v1": {
        "enrollment_id": "e-1",
        "course_id": "c-1",
        "course_title": "Introduction to Chemistry",
        "user_id": "u-1",
        "removed_by": "u-2",
        "removed_at": WHEN,
    },
    "lesson.completed.v1": {
        "course_id": "c-1",
        "course_title": "Introduction to Chemistry",
        "item_id": "i-1",
        "item_title": "What is an atom?",
        "user_id": "u-1",
        "completed_at": WHEN,
    },
    "progress.updated.v1": {
        "course_id": "c-1",
        "course_title": "Introduction to Chemistry",
        "user_id": "u-1",
        "completed_items": 3,
        "total_items": 12,
        "percent": 25.0,
        "updated_at": WHEN,
    },
    "quiz.submitted.v1": {
        "course_id": "c-1",
        "course_title": "Introduction to Chemistry",
        "quiz_id": "i-2",
        "quiz_title": "Atoms quiz",
        "attempt_id": "a-1",
        "user_id": "u-1",
        "attempt_number": 1,
        "score": 8.0,
        "max_score": 10.0,
        "percent": 80.0,
        "passed": True,
        "needs_manual_grading": False,
        "submitted_at": WHEN,
    },
    "submission.graded.v1": {
        "course_id": "c-1",
        "course_title": "Introduction to Chemistry",
        "item_id": "i-3",
        "item_title": "Lab report",
        "item_kind": "assignment",
        "submission_id": "s-1",
        "user_id": "u-1",
        "score": 17.5,
        "max_score": 20.0,
        "percent": 87.5,
        "graded_by": "u-2",
        "graded_at": WHEN,
    },
    "course.completed.v1": {
        "course_id": "c-1",
        "course_title": "Introduction to Chemistry",
        "user_id": "u-1",
        "final_percent": 91.0,
        "completed_at": WHEN,
    },
    "certificate.issued.v1": {
        "certificate_id": "cert-1",
        "code": "LH-7Q2M-9XKD",
        "course_id": "c-1",
        "course_title": "Introduction to Chemistry",
        "user_id": "u-1",
        "learner_name": "Ada Lovelace",
        "verification_url": "https://learnhub.example.org/certificates/LH-7Q2M-9XKD",
        "issued_at": WHEN,
    },
    "announcement.posted.v1": {
        "announcement_id": "a-1",
        "course_id": "c-1",
        "course_title": "Introduction to Chemistry",
        "title": "Lab moved to Thursday",
        "body": "The **lab** is on Thursday this week.",
        "posted_by": "u-2",
        "author_name": "Grace Hopper",
        "posted_at": WHEN,
    },
}


def example(event_type: str) -> EventPayload:
    return CONTRACTS[event_type].model_validate(EXAMPLES[event_type])


def test_every_contract_has_an_example() -> None:
    assert sorted(EXAMPLES) == sorted(CONTRACTS)


@pytest.mark.parametrize("event_type", sorted(CONTRACTS))
def test_the_wire_name_is_dotted_lower_case_and_versioned(event_type: str) -> None:
    contract = CONTRACTS[event_type]

    assert WIRE_NAME.match(event_type)
    assert contract.event_type == event_type
    assert contract in get_service(contract.producer).publishes


@pytest.mark.parametrize("event_type", sorted(CONTRACTS))
def test_an_example_round_trips_through_the_envelope(event_type: str) -> None:
    # given
    payload = example(event_type)

    # when
    raw = CloudEvent.from_payload(payload, source="tests", subject="u-1").to_json()
    received = CloudEvent.from_json(raw)

    # then
    assert received.payload() == payload
    assert type(received.payload()) is CONTRACTS[event_type]
    assert received.type == event_type
    assert received.subject == "u-1"


@pytest.mark.parametrize("event_type", sorted(CONTRACTS))
def test_the_envelope_carries_the_cloudevents_attributes(event_type: str) -> None:
    event = CloudEvent.from_payload(
        example(event_type), source="auth", traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01"
    )

    document = json.loads(event.to_json())

    assert document["specversion"] == "1.0"
    assert document["id"] == event.id
    assert document["source"] == "auth"
    assert document["type"] == event_type
    assert datetime.fromisoformat(document["time"]) == event.time
    assert document["datacontenttype"] == "application/json"
    assert document["traceparent"] == "00-" + "a" * 32 + "-" + "b" * 16 + "-01"
    assert document["data"] == example(event_type).model_dump(mode="json")
    assert "subject" not in document


@pytest.mark.parametrize("event_type", sorted(CONTRACTS))
def test_the_json_schema_accepts_the_example_and_rejects_a_missing_field(event_type: str) -> None:
    # given
    schema = CONTRACTS[event_type].model_json_schema()
    document = example(event_type).model_dump(mode="json")

    # then
    jsonschema.validate(document, schema)
    assert schema["required"], "a contract without required fields checks nothing"
    for field in schema["required"]:
        incomplete = {key: value for key, value in document.items() if key != field}
        with pytest.raises(jsonschema.ValidationError, match=f"'{field}' is a required property"):
            jsonschema.validate(incomplete, schema)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"not json at all", id="not-json"),
        pytest.param(b"", id="empty"),
        pytest.param(b"\xff\xfe\x00", id="not-utf8"),
        pytest.param(b'{"specversion": "1.0"}', id="missing-attributes"),
        pytest.param(
            b'{"specversion": "1.0", "id": "1", "source": "s", "type": "t",'
            b' "time": "yesterday", "data": {}}',
            id="bad-time",
        ),
    ],
)
def test_bytes_that_are_not_a_cloudevent_are_refused(raw: bytes) -> None:
    with pytest.raises(MalformedEvent):
        CloudEvent.from_json(raw)


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"text"', b"42", b"null"])
def test_json_that_is_not_an_object_is_refused_as_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedEvent):
        CloudEvent.from_json(raw)


def test_another_specversion_is_refused() -> None:
    document = json.loads(CloudEvent(type="t.x.v1", source="s", data={}).to_json())
    document["specversion"] = "0.3"

    with pytest.raises(MalformedEvent, match=r"unsupported specversion '0\.3'"):
        CloudEvent.from_json(json.dumps(document))


def test_an_unknown_type_has_no_payload() -> None:
    event = CloudEvent.from_json(
        CloudEvent(type="course.unheard_of.v1", source="s", data={"x": 1}).to_json()
    )

    with pytest.raises(MalformedEvent, match=r"no contract for event type course\.unheard_of\.v1"):
        event.payload()


def test_unknown_fields_in_the_data_are_ignored() -> None:
    # A producer may add optional fields within a version.
    data = example("user.logged_in.v1").model_dump(mode="json") | {"device": "phone"}
    event = CloudEvent(type="user.logged_in.v1", source="auth", data=data)

    assert CloudEvent.from_json(event.to_json()).payload() == example("user.logged_in.v1")
