"""Plain CloudFormation `AWS::Lambda::Function` resources run like SAM's: each property a user
sets is what the function sees, through boto3 and the local endpoint, and
`AWS::Lambda::Permission` / `AWS::Lambda::EventSourceMapping` wire them as today's."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from samlite.testing import RunningApp

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: plain-worker
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/r
      Code: ./src
      MemorySize: 256
      Timeout: 1
      EphemeralStorage:
        Size: 1024
      Environment:
        Variables:
          GREETING: hello
      Layers:
        - !Ref Shared
  Shared:
    Type: AWS::Lambda::LayerVersion
    Properties:
      Content: ./shared
  Throttled:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/r
      Code: ./src
      Layers: [!Ref Shared]
      ReservedConcurrentExecutions: 0
  Jobs:
    Type: AWS::SQS::Queue
  JobsMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Jobs.Arn
      FunctionName: !Ref Worker
      BatchSize: 1
  Uploads:
    Type: AWS::S3::Bucket
    DependsOn: UploadsPermission
    Properties:
      NotificationConfiguration:
        LambdaConfigurations:
          - Event: s3:ObjectCreated:*
            Function: !GetAtt Worker.Arn
  UploadsPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Worker
      Principal: s3.amazonaws.com
"""

HANDLER = """\
import os, time
import shared

def handler(event, context):
    if event.get("sleep_s"):
        time.sleep(event["sleep_s"])
    records = event.get("Records") or []
    if records:
        print("got", records[0].get("eventSource"), records[0].get("body") or
              records[0]["s3"]["object"]["key"])
    return {"greeting": os.environ["GREETING"], "shared": shared.NAME,
            "memory_mb": context.memory_limit_in_mb,
            "function_name": context.function_name}
"""


@pytest.fixture
def app(tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> RunningApp:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "shared" / "python").mkdir(parents=True)
    (tmp_path / "shared" / "python" / "shared.py").write_text("NAME = 'from the layer'\n")
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    return samlite_app_factory(tmp_path / "template.yaml", http_port=None, aws_port=0)


def test_a_plain_function_runs_with_its_properties(app: RunningApp) -> None:
    reply = app.lambda_.invoke(FunctionName="plain-worker", Payload=b"{}")
    assert json.loads(reply["Payload"].read()) == {
        "greeting": "hello", "shared": "from the layer", "memory_mb": "256",
        "function_name": "plain-worker"}
    [spec] = [s for s in app.app.functions if s.logical_id == "Worker"]
    assert spec.ephemeral_storage_mb == 1024


def test_its_timeout_and_reserved_concurrency_hold(app: RunningApp) -> None:
    late = app.lambda_.invoke(FunctionName="plain-worker", Payload=b'{"sleep_s": 3}')
    assert late["FunctionError"] == "Unhandled"
    assert "Task timed out after 1.00 seconds" in late["Payload"].read().decode()
    with pytest.raises(ClientError, match="TooManyRequestsException"):
        app.lambda_.invoke(FunctionName=app.app.function("Throttled").function_name,
                           Payload=b"{}")


def test_event_source_mapping_and_bucket_notification_invoke_it(app: RunningApp) -> None:
    app.sqs.send_message(QueueUrl=app.queue_url("Jobs"), MessageBody="job-1")
    app.s3.put_object(Bucket=app.bucket_name("Uploads"), Key="photo.jpg", Body=b"x")
    app.wait_for(lambda: {"got aws:sqs job-1", "got aws:s3 photo.jpg"}
                 <= {line.strip() for line in app.logs("Worker")})
