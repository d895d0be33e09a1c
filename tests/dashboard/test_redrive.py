"""The dashboard's redrive moves a dead-letter queue's messages as SQS's redrive does: oldest
first, with their attributes, a FIFO queue's in their message groups; a move that fails
leaves no message hidden."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest

from samlite.app.root import App, AppOptions
from samlite.dashboard.aws_ops import AwsCallFailed, AwsOps
from samlite.dashboard.server import Dashboard
from samlite.http.messages import Request, Response

TEMPLATE = """\
Resources:
  Orders:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: orders.fifo
      FifoQueue: true
      RedrivePolicy: {deadLetterTargetArn: !GetAtt OrdersDLQ.Arn, maxReceiveCount: 1}
  OrdersDLQ:
    Type: AWS::SQS::Queue
    Properties: {QueueName: orders-dlq.fifo, FifoQueue: true}
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: jobs
      RedrivePolicy: {deadLetterTargetArn: !GetAtt JobsDLQ.Arn, maxReceiveCount: 1}
  JobsDLQ:
    Type: AWS::SQS::Queue
    Properties: {QueueName: jobs-dlq}
"""


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    app = App(tmp_path / "template.yaml", AppOptions(
        aws_port=0, http_port=0, runtime="process", state_dir=tmp_path / ".samlite"))
    app.start()
    try:
        yield app
    finally:
        app.stop()


def sqs_of(app: App) -> Any:
    return boto3.client("sqs", endpoint_url=app.endpoint_url,
                        region_name=app.options.pseudo.region,
                        aws_access_key_id="local", aws_secret_access_key="local")  # noqa: S106


def received(sqs: Any, queue: str) -> list[dict[str, Any]]:
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["MessageGroupId"]).get("Messages", []):
        messages += batch
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return messages


def counts(sqs: Any, queue: str) -> tuple[int, int]:
    """Visible and in-flight messages."""
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return (int(attributes["ApproximateNumberOfMessages"]),
            int(attributes["ApproximateNumberOfMessagesNotVisible"]))


def test_a_fifo_dead_letter_queue_is_redriven_in_its_groups_with_its_attributes(
        app: App) -> None:
    sqs = sqs_of(app)
    orders = sqs.get_queue_url(QueueName="orders.fifo")["QueueUrl"]
    dlq = sqs.get_queue_url(QueueName="orders-dlq.fifo")["QueueUrl"]
    # The source queue has just seen deduplication id "d1": the redrive must not be taken
    # for a duplicate of it.
    sqs.send_message(QueueUrl=orders, MessageBody="first try", MessageGroupId="a",
                     MessageDeduplicationId="d1")
    received(sqs, "orders.fifo")
    for body, group, dedup in (("one", "a", "d1"), ("two", "b", "d2"), ("three", "a", "d3")):
        sqs.send_message(QueueUrl=dlq, MessageBody=body, MessageGroupId=group,
                         MessageDeduplicationId=dedup, MessageAttributes={
                             "kind": {"DataType": "String", "StringValue": f"k-{body}"}})
    dashboard = Dashboard(app, port=0)
    dashboard.start()
    try:
        request = urllib.request.Request(  # noqa: S310 - our own http:// URL
            f"{dashboard.url}api/queues/OrdersDLQ/redrive", data=b"{}", method="POST",
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310
            assert json.loads(reply.read()) == {"moved": 3, "to": "orders.fifo"}
    finally:
        dashboard.stop()
    groups: dict[str, list[tuple[str, str]]] = {}   # FIFO orders within a group only
    for message in received(sqs, "orders.fifo"):
        groups.setdefault(message["Attributes"]["MessageGroupId"], []).append(
            (message["Body"], message["MessageAttributes"]["kind"]["StringValue"]))
    assert groups == {"a": [("one", "k-one"), ("three", "k-three")], "b": [("two", "k-two")]}
    assert counts(sqs, "orders-dlq.fifo") == (0, 0)


def test_a_move_that_fails_leaves_the_rest_visible_in_the_dead_letter_queue(app: App) -> None:
    sqs = sqs_of(app)
    dlq = sqs.get_queue_url(QueueName="jobs-dlq")["QueueUrl"]
    for body in ("one", "two", "three"):
        sqs.send_message(QueueUrl=dlq, MessageBody=body)
    aws = app.aws
    assert aws is not None
    sends = 0

    def second_send_fails(request: Request) -> Response:
        nonlocal sends
        if request.headers.get("x-amz-target") == "AmazonSQS.SendMessage":
            sends += 1
            if sends == 2:
                return Response(status=500, body=b'{"message": "the endpoint broke"}')
        return aws.call(request)

    ops = AwsOps(second_send_fails, region=app.options.pseudo.region,
                 endpoint_host=urlsplit(app.endpoint_url or "").netloc)
    with pytest.raises(AwsCallFailed, match="1 moved; the other messages stay in jobs-dlq"):
        ops.redrive("jobs-dlq", "jobs")
    assert counts(sqs, "jobs-dlq") == (2, 0)
    assert [m["Body"] for m in received(sqs, "jobs")] == ["one"]
    assert sorted(m["Body"] for m in received(sqs, "jobs-dlq")) == ["three", "two"]
