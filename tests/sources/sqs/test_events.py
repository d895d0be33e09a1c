"""The SQS event a function receives (checked against the Lambda developer guide's example,
tests/fixtures/events/sqs-aws-docs.json) and Lambda's reading of partial batch responses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from samlite.aws.sqs.message import ReceivedMessage
from samlite.aws.sqs.service import LocalSqs
from samlite.clock import ManualClock
from samlite.sources.sqs.events import batch_item_failures, sqs_event

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "events"
QUEUE_ARN = "arn:aws:sqs:us-east-2:123456789012:my-queue"
BATCH = ("m1", "m2", "m3", "m4")


def fixture(name: str) -> dict[str, Any]:
    doc = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    assert doc.pop("_source")
    return doc


def received(record: dict[str, Any]) -> ReceivedMessage:
    return ReceivedMessage(message_id=record["messageId"],
                           receipt_handle=record["receiptHandle"], body=record["body"],
                           md5_of_body=record["md5OfBody"], attributes=record["attributes"])


def test_event_is_the_documented_example() -> None:
    expected = fixture("sqs-aws-docs.json")
    messages = [received(r) for r in expected["Records"]]
    event = sqs_event(messages, queue_arn=QUEUE_ARN, region="us-east-2")
    assert event == expected
    assert json.dumps(event) == json.dumps(expected)   # AWS's key order too


def test_message_attributes_take_lambdas_lower_camel_shape() -> None:
    message = ReceivedMessage(
        message_id="m", receipt_handle="r", body="{}",
        md5_of_body="99914b932bd37a50b983c5e7c90ae93b",
        attributes={"ApproximateReceiveCount": "1", "SentTimestamp": "1", "SenderId": "S",
                    "ApproximateFirstReceiveTimestamp": "2"},
        message_attributes={"Kind": {"DataType": "String", "StringValue": "order"},
                            "Count": {"DataType": "Number", "StringValue": "3"},
                            "Blob": {"DataType": "Binary", "BinaryValue": b"1100"}},
        md5_of_message_attributes="582c92c5c5b6ac403040a4f3ab3115c9")
    record = sqs_event([message], queue_arn=QUEUE_ARN, region="us-east-2")["Records"][0]
    assert record["messageAttributes"] == {
        "Kind": {"stringValue": "order", "stringListValues": [], "binaryListValues": [],
                 "dataType": "String"},
        "Count": {"stringValue": "3", "stringListValues": [], "binaryListValues": [],
                  "dataType": "Number"},
        "Blob": {"binaryValue": "MTEwMA==", "stringListValues": [], "binaryListValues": [],
                 "dataType": "Binary"},
    }
    assert record["md5OfMessageAttributes"] == "582c92c5c5b6ac403040a4f3ab3115c9"
    assert list(record) == ["messageId", "receiptHandle", "body", "attributes",
                            "messageAttributes", "md5OfBody", "md5OfMessageAttributes",
                            "eventSource", "eventSourceARN", "awsRegion"]


def test_fifo_attributes_are_passed_on() -> None:
    fifo = {"ApproximateReceiveCount": "1", "SentTimestamp": "1", "SequenceNumber": "1863",
            "MessageGroupId": "g1", "SenderId": "S", "MessageDeduplicationId": "d1",
            "ApproximateFirstReceiveTimestamp": "2"}
    message = ReceivedMessage(message_id="m", receipt_handle="r", body="b", md5_of_body="x",
                              attributes=fifo)
    record = sqs_event([message], queue_arn=QUEUE_ARN + ".fifo", region="us-east-2")
    attributes = record["Records"][0]["attributes"]
    assert attributes == fifo
    assert "md5OfMessageAttributes" not in record["Records"][0]


def test_a_fair_queues_group_and_the_trace_header_reach_the_record() -> None:
    # Lambda passes SQS's system attributes on: MessageGroupId of a fair (standard) queue's
    # message, AWSTraceHeader when the sender set it ("Amazon SQS fair queues"; X-Ray's
    # "Amazon SQS and AWS X-Ray": the AWSTraceHeader message system attribute).
    sqs = LocalSqs(db_path=None, account_id="123456789012", region="us-east-2",
                   clock=ManualClock())
    sqs.ensure_queue("my-queue", {})
    sqs.backend.send_message("my-queue", "b", group_id="tenant-a", system_attributes={
        "AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-a-b;Sampled=1"}})
    messages = sqs.receive("my-queue", max_messages=1, wait_s=0)
    sqs.close()
    attributes = sqs_event(messages, queue_arn=QUEUE_ARN, region="us-east-2")[
        "Records"][0]["attributes"]
    assert attributes["MessageGroupId"] == "tenant-a"
    assert attributes["AWSTraceHeader"] == "Root=1-a-b;Sampled=1"


@pytest.mark.parametrize(("name", "payload", "failed"), [
    ("null response", b"null", ()),
    ("empty response", b"", ()),
    ("empty object", b"{}", ()),
    ("null list", b'{"batchItemFailures": null}', ()),
    ("empty list", b'{"batchItemFailures": []}', ()),
    ("other keys only", b'{"statusCode": 200}', ()),
    ("two failures", b'{"batchItemFailures": [{"itemIdentifier": "m4"},'
                     b' {"itemIdentifier": "m2"}]}', ("m2", "m4")),
    ("duplicate ids", b'{"batchItemFailures": [{"itemIdentifier": "m1"},'
                      b' {"itemIdentifier": "m1"}]}', ("m1",)),
])
def test_partial_batch_success(name: str, payload: bytes, failed: tuple[str, ...]) -> None:
    result = batch_item_failures(payload, message_ids=BATCH)
    assert not result.is_batch_failure
    assert result.failed(BATCH) == failed


@pytest.mark.parametrize(("name", "payload"), [
    ("invalid JSON", b"{nope"),
    ("empty identifier", b'{"batchItemFailures": [{"itemIdentifier": ""}]}'),
    ("null identifier", b'{"batchItemFailures": [{"itemIdentifier": null}]}'),
    ("bad key name", b'{"batchItemFailures": [{"itemId": "m1"}]}'),
    ("not in the batch", b'{"batchItemFailures": [{"itemIdentifier": "m9"}]}'),
    ("list is not a list", b'{"batchItemFailures": "m1"}'),
    ("not an object", b'"ok"'),
])
def test_entire_batch_failure(name: str, payload: bytes) -> None:
    result = batch_item_failures(payload, message_ids=BATCH)
    assert result.is_batch_failure
    assert result.reason
    assert result.failed(BATCH) == BATCH


def test_fifo_returns_everything_from_the_first_failure_on() -> None:
    payload = b'{"batchItemFailures": [{"itemIdentifier": "m2"}]}'
    assert batch_item_failures(payload, message_ids=BATCH, is_fifo=True).failed(BATCH) == (
        "m2", "m3", "m4")
    assert batch_item_failures(payload, message_ids=BATCH).failed(BATCH) == ("m2",)
