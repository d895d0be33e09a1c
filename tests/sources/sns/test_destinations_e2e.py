"""An SNS topic of the app as an asynchronous invocation's destination and dead-letter
target: the record (Lambda developer guide, "Capturing records of Lambda asynchronous
invocations") or the failed event is the message."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from samlite.testing import RunningApp

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Records: {Type: AWS::SQS::Queue, Properties: {QueueName: records}}
  Done: {Type: AWS::SNS::Topic}
  DoneToRecords:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref Done, Protocol: sqs, Endpoint: !GetAtt Records.Arn,
                 RawMessageDelivery: true}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.handler
      DeadLetterQueue: {Type: SNS, TargetArn: !Ref Done}
      EventInvokeConfig:
        MaximumRetryAttempts: 0
        DestinationConfig:
          OnSuccess: {Type: SNS, Destination: !Ref Done}
"""

HANDLER = """\
def handler(event, context):
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"ok": True}
"""


def test_success_records_and_dead_letters_are_published(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    app = samlite_app_factory(tmp_path / "template.yaml", http_port=None, aws_port=0)
    name = app.app.function("Worker").function_name
    app.lambda_.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 1}')
    app.lambda_.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"fail": true}')
    messages: list[dict[str, Any]] = []

    def two() -> bool:
        messages.extend(app.sqs.receive_message(
            QueueUrl=app.queue_url("Records"), WaitTimeSeconds=1, MaxNumberOfMessages=10,
            MessageAttributeNames=["All"]).get("Messages", []))
        return len(messages) >= 2

    app.wait_for(two, timeout_s=20)
    by_body = {m["Body"]: m for m in messages}
    record = next(json.loads(b) for b in by_body if "requestContext" in b)
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestPayload"] == {"n": 1}
    assert record["responsePayload"] == {"ok": True}
    failed = by_body['{"fail": true}']
    assert failed["MessageAttributes"]["ErrorMessage"]["StringValue"] == "asked to fail"
