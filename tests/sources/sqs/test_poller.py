"""The SQS event source mapping's batch handling, with a fake queue and function: what is
deleted, what stays, what is filtered out."""

from __future__ import annotations

import hashlib
import json

from samlite.aws.sqs.message import ReceivedMessage
from samlite.graph.model import SqsSettings
from samlite.runtime import api_errors
from samlite.runtime.invocation import Result
from samlite.sources.sqs.poller import QueueMapping, QueuePoller

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:orders"


class FakeQueue:
    def __init__(self) -> None:
        self.deleted: list[str] = []
        self.released: list[str] = []

    def receive(self, queue_name, *, max_messages, wait_s, visibility_timeout_s=None):
        return []

    def delete(self, queue_name: str, receipt_handle: str) -> None:
        self.deleted.append(receipt_handle)

    def change_visibility(self, queue_name: str, receipt_handle: str, timeout_s: int) -> None:
        self.released.append(receipt_handle)


class FakeFunction:
    def __init__(self, respond) -> None:
        self.respond = respond
        self.events: list[dict] = []

    def invoke(self, function: str, payload: bytes) -> Result:
        event = json.loads(payload)
        self.events.append(event)
        return self.respond(event)


def message(n: int, body: str | None = None) -> ReceivedMessage:
    body = body if body is not None else json.dumps({"n": n})
    return ReceivedMessage(message_id=f"m{n}", receipt_handle=f"r{n}", body=body,
                           md5_of_body=hashlib.md5(body.encode()).hexdigest(),  # noqa: S324
                           attributes={"ApproximateReceiveCount": "1",
                                       "SentTimestamp": "1767225600000",
                                       "SenderId": "123456789012",
                                       "ApproximateFirstReceiveTimestamp": "1767225600001"})


def poller(fn: FakeFunction, queue: FakeQueue, *, fifo: bool = False,
           **settings) -> QueuePoller:
    name = "orders.fifo" if fifo else "orders"
    mapping = QueueMapping(trigger="Orders", function="Worker", queue_name=name,
                           queue_arn=QUEUE_ARN, is_fifo=fifo, settings=SqsSettings(**settings))
    return QueuePoller(mapping, queues=queue, invoker=fn, region="us-east-1")


def ok(_event) -> Result:
    return Result(request_id="x", payload=b"null")


def test_a_successful_batch_is_deleted_and_the_event_is_lambdas_shape() -> None:
    queue, fn = FakeQueue(), FakeFunction(ok)
    poller(fn, queue).process([message(1), message(2)])
    assert queue.deleted == ["r1", "r2"]
    [event] = fn.events
    record = event["Records"][0]
    assert record["messageId"] == "m1"
    assert record["receiptHandle"] == "r1"
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == QUEUE_ARN
    assert record["awsRegion"] == "us-east-1"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"


def test_a_function_error_leaves_the_whole_batch_in_the_queue() -> None:
    queue = FakeQueue()
    fn = FakeFunction(lambda _e: Result(request_id="x", payload=b"{}",
                                        function_error="Unhandled"))
    poller(fn, queue).process([message(1), message(2)])
    assert queue.deleted == []


def test_partial_batch_responses_keep_only_the_failed_messages() -> None:
    queue = FakeQueue()
    fn = FakeFunction(lambda _e: Result(request_id="x", payload=json.dumps(
        {"batchItemFailures": [{"itemIdentifier": "m2"}]}).encode()))
    poller(fn, queue, reports_batch_item_failures=True).process(
        [message(1), message(2), message(3)])
    assert queue.deleted == ["r1", "r3"]


def test_partial_batch_responses_are_ignored_without_report_batch_item_failures() -> None:
    queue = FakeQueue()
    fn = FakeFunction(lambda _e: Result(request_id="x", payload=json.dumps(
        {"batchItemFailures": [{"itemIdentifier": "m2"}]}).encode()))
    poller(fn, queue).process([message(1), message(2)])
    assert queue.deleted == ["r1", "r2"]


def test_a_fifo_partial_failure_keeps_everything_after_the_first_failure() -> None:
    queue = FakeQueue()
    fn = FakeFunction(lambda _e: Result(request_id="x", payload=json.dumps(
        {"batchItemFailures": [{"itemIdentifier": "m2"}]}).encode()))
    poller(fn, queue, fifo=True, reports_batch_item_failures=True).process(
        [message(1), message(2), message(3)])
    assert queue.deleted == ["r1"]


def test_an_unknown_item_identifier_fails_the_whole_batch() -> None:
    queue = FakeQueue()
    fn = FakeFunction(lambda _e: Result(request_id="x", payload=json.dumps(
        {"batchItemFailures": [{"itemIdentifier": "nope"}]}).encode()))
    poller(fn, queue, reports_batch_item_failures=True).process([message(1), message(2)])
    assert queue.deleted == []


def test_messages_no_filter_lets_through_are_deleted_without_an_invoke() -> None:
    queue, fn = FakeQueue(), FakeFunction(ok)
    pattern = json.dumps({"body": {"kind": ["order"]}})
    poller(fn, queue, filter_patterns=(pattern,)).process([
        message(1, json.dumps({"kind": "order"})),
        message(2, json.dumps({"kind": "refund"})),
        message(3, "not json")])
    assert [r["messageId"] for r in fn.events[0]["Records"]] == ["m1"]
    assert sorted(queue.deleted) == ["r1", "r2", "r3"]


def test_a_batch_filtered_away_entirely_invokes_nothing() -> None:
    queue, fn = FakeQueue(), FakeFunction(ok)
    pattern = json.dumps({"body": {"kind": ["order"]}})
    poller(fn, queue, filter_patterns=(pattern,)).process([message(1)])
    assert fn.events == []
    assert queue.deleted == ["r1"]


def test_a_throttled_batch_stays_in_the_queue() -> None:
    queue = FakeQueue()

    def throttled(_e) -> Result:
        raise api_errors.TooManyRequests("Rate Exceeded.")

    poller(FakeFunction(throttled), queue).process([message(1)])
    assert queue.deleted == []
