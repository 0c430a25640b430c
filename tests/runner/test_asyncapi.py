"""The AsyncAPI document lists every event with its schema, sender and receivers."""

from __future__ import annotations

import json

import jsonschema
from click.testing import CliRunner

from learnhub.contracts import CONTRACTS
from learnhub.runner.asyncapi import asyncapi_document
from learnhub.runner.cli import main


def test_every_contract_is_a_channel_with_its_schema() -> None:
    document = asyncapi_document()
    assert document["asyncapi"] == "3.0.0"
    assert {channel["address"] for channel in document["channels"].values()} == set(CONTRACTS)
    for event_type, contract in CONTRACTS.items():
        message = document["components"]["messages"][event_type.replace(".", "_")]
        assert message["payload"]["properties"]["data"] == contract.model_json_schema()
        jsonschema.Draft202012Validator.check_schema(message["payload"])


def test_senders_and_receivers_follow_the_registry() -> None:
    operations = asyncapi_document()["operations"]
    assert operations["auth_sends_user_registered_v1"]["action"] == "send"
    assert operations["users_receives_user_registered_v1"]["action"] == "receive"
    assert operations["auth_receives_user_roles_changed_v1"]["action"] == "receive"
    assert "users_receives_user_roles_changed_v1" not in operations


def test_the_command_prints_it_as_json() -> None:
    result = CliRunner().invoke(main, ["events", "asyncapi"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["info"]["title"] == "learnhub events"
