"""A schedule whose invocation Lambda refuses sends the event to its DeadLetterConfig queue on
the local SQS, with EventBridge Scheduler's attributes, as `samlite up` runs it. Here Lambda
refuses because the function is tenant-isolated and a schedule names no tenant."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from samlite.app.root import App, AppOptions
from samlite.errors import UsageError

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Dlq:
    Type: AWS::SQS::Queue
    Properties: {QueueName: schedule-dlq}
  Tenants:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.handler
      TenancyConfig: {TenantIsolationMode: PER_TENANT}
  Nightly:
    Type: AWS::Scheduler::Schedule
    Properties:
      ScheduleExpression: cron(0 3 * * ? *)
      FlexibleTimeWindow: {Mode: "OFF"}
      Target:
        Arn: !GetAtt Tenants.Arn
        RoleArn: arn:aws:iam::123456789012:role/scheduler
        Input: '{"job": "nightly"}'
        RetryPolicy: {MaximumRetryAttempts: 3}
        DeadLetterConfig: {Arn: !GetAtt Dlq.Arn}
"""


def test_a_refused_scheduled_invocation_reaches_the_dead_letter_queue(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    app = App(tmp_path / "template.yaml", AppOptions(
        runtime="process", aws_port=0, http_port=0, state_dir=tmp_path / ".samlite"))
    try:
        app.start()
        assert app.scheduler is not None
        with pytest.raises(UsageError, match="could not invoke its function"):
            app.scheduler.fire_now("Nightly")
        sqs = boto3.client("sqs", endpoint_url=app.endpoint_url, region_name="us-east-1",
                           aws_access_key_id="x", aws_secret_access_key="x")  # noqa: S106
        url = sqs.get_queue_url(QueueName="schedule-dlq")["QueueUrl"]
        [message] = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"],
                                        WaitTimeSeconds=1)["Messages"]
    finally:
        app.stop(grace_s=0.5)
    assert json.loads(message["Body"]) == {"job": "nightly"}
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["SCHEDULE_ARN"] == \
        "arn:aws:scheduler:us-east-1:123456789012:schedule/default/Nightly"
    assert attributes["TARGET_ARN"].startswith(
        "arn:aws:lambda:us-east-1:123456789012:function:")
    assert attributes["RETRY_ATTEMPTS"] == "0"          # a refusal that is not retried
    assert set(attributes) >= {"ERROR_CODE", "ERROR_MESSAGE", "EXECUTION_ID",
                               "SCHEDULED_TIME"}
