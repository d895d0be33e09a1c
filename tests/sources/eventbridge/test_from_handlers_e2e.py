"""Handlers publish to SNS and put events on EventBridge with the AWS SDK Lambda gives them,
unchanged: AWS_ENDPOINT_URL points it at the local endpoint."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from samlite.testing import RunningApp

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Out: {Type: AWS::SQS::Queue, Properties: {QueueName: out}}
  Alerts: {Type: AWS::SNS::Topic}
  ToOut:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref Alerts, Protocol: sqs, Endpoint: !GetAtt Out.Arn,
                 RawMessageDelivery: true}
  Forward:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {source: [handler]}
      Targets: [{Id: out, Arn: !GetAtt Out.Arn, InputPath: $.detail.text}]
  Emitter:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.handler
      Environment: {Variables: {TOPIC: !Ref Alerts}}
"""

HANDLER = """\
import json, os
import boto3

def handler(event, context):
    boto3.client("sns").publish(TopicArn=os.environ["TOPIC"], Message="from sns")
    answer = boto3.client("events").put_events(Entries=[{
        "Source": "handler", "DetailType": "t", "Detail": json.dumps({"text": "from events"})}])
    return answer["FailedEntryCount"]
"""


def test_a_handler_publishes_and_puts_events(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    app = samlite_app_factory(tmp_path / "template.yaml", http_port=None, aws_port=0)
    result = app.invoke("Emitter")
    assert result.function_error is None, result.raw
    assert result.payload == 0
    bodies: list[str] = []

    def both() -> bool:
        got = app.sqs.receive_message(QueueUrl=app.queue_url("Out"), WaitTimeSeconds=1,
                                      MaxNumberOfMessages=10).get("Messages", [])
        bodies.extend(m["Body"] for m in got)
        return len(bodies) >= 2

    app.wait_for(both)
    assert sorted(bodies) == ['"from events"', "from sns"]
