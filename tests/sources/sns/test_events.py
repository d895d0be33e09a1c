"""The SNS record and envelope against their sources: the Lambda record has the fields of
the sample (tests/fixtures/events/sns-sam-cli.json, the "Using Lambda with Amazon SNS"
sample as SAM CLI ships it); filter policies use the one pattern engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from samlite.aws.sns.model import PublishedMessage, SubscriptionView
from samlite.sources.sns.events import (
    lambda_event,
    message_for,
    passes_filter,
    sqs_envelope,
    timestamp,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "events"
SUB = SubscriptionView(arn="arn:aws:sns:us-east-1:123456789012:ExampleTopic:1", protocol="lambda",
                       endpoint="arn:aws:lambda:us-east-1:123456789012:function:f")


def message(**changes: object) -> PublishedMessage:
    values: dict[str, object] = {
        "message_id": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
        "topic_arn": "arn:aws:sns:us-east-1:123456789012:ExampleTopic",
        "message": "example message", "subject": "example subject", "timestamp_s": 0.0,
        "message_attributes": {"Test": {"Type": "String", "Value": "TestString"}}}
    values.update(changes)
    return PublishedMessage(**values)  # type: ignore[arg-type]


def test_the_lambda_record_has_the_samples_shape() -> None:
    sample = json.loads((FIXTURES / "sns-sam-cli.json").read_text())
    [expected] = sample["Records"]
    [record] = lambda_event(message(), SUB, "us-east-1")["Records"]
    assert set(record) == set(expected)
    assert set(record["Sns"]) == set(expected["Sns"])
    for key in ("EventSource", "EventVersion"):
        assert record[key] == expected[key]
    for key in ("Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp",
                "SignatureVersion"):
        assert record["Sns"][key] == expected["Sns"][key], key
    assert record["Sns"]["MessageAttributes"]["Test"] == expected["Sns"]["MessageAttributes"][
        "Test"]


def test_no_subject_is_null_for_lambda_and_absent_from_the_envelope() -> None:
    assert lambda_event(message(subject=None), SUB, "r")["Records"][0]["Sns"]["Subject"] is None
    assert "Subject" not in json.loads(sqs_envelope(message(subject=None), SUB, "r"))


def test_timestamps_have_milliseconds() -> None:
    assert timestamp(1546433107.25) == "2019-01-02T12:45:07.250Z"


def test_message_structure_json_picks_the_protocols_message() -> None:
    published = message(message='{"default": "d", "sqs": "for queues"}',
                        is_json_structure=True)
    assert message_for(published, "sqs") == "for queues"
    assert message_for(published, "lambda") == "d"


@pytest.mark.parametrize(("policy", "scope", "attributes", "body", "passes"), [
    ('{"kind": ["a"]}', "MessageAttributes", {"kind": {"Type": "String", "Value": "a"}}, "x",
     True),
    ('{"kind": ["a"]}', "MessageAttributes", {}, "x", False),
    ('{"n": [{"numeric": [">=", 5]}]}', "MessageAttributes",
     {"n": {"Type": "Number", "Value": "5"}}, "x", True),
    ('{"tags": ["red"]}', "MessageAttributes",
     {"tags": {"Type": "String.Array", "Value": '["blue", "red"]'}}, "x", True),
    ('{"kind": [{"anything-but": "a"}]}', "MessageAttributes",
     {"kind": {"Type": "String", "Value": "b"}}, "x", True),
    ('{"order": {"total": [{"numeric": [">", 1]}]}}', "MessageBody", {},
     '{"order": {"total": 2}}', True),
    ('{"order": {"total": [{"numeric": [">", 1]}]}}', "MessageBody", {}, "not json", False),
], ids=["exact", "missing", "numeric", "string-array", "anything-but", "body-nested",
        "body-not-json"])
def test_filter_policies(policy: str, scope: str, attributes: dict[str, dict[str, str]],
                         body: str, passes: bool) -> None:
    subscription = SubscriptionView(arn="a", protocol="sqs", endpoint="q", attributes={
        "FilterPolicy": policy, "FilterPolicyScope": scope})
    assert passes_filter(subscription, message(message=body,
                                               message_attributes=attributes)) is passes
