"""Topic, queue, bus, table and bucket settings AWS acts on and samlite does not are named under
Not run locally, each with the line that sets it; settings asking for nothing are not."""

from __future__ import annotations

import pytest

from samlite.graph import support
from samlite.graph.readers.unrun_settings import UNRUN_SETTINGS
from tests.graph.test_build import graph_of

TEMPLATE = """\
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TracingConfig: Active
      ArchivePolicy: {MessageRetentionPeriod: 30}
      DataProtectionPolicy: {Name: p}
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: true
      DeduplicationScope: messageGroup
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: aws.partner/example.com/1/events
      EventSourceName: aws.partner/example.com/1/events
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      DeletionProtectionEnabled: true
      ImportSourceSpecification: {InputFormat: CSV, S3BucketSource: {S3Bucket: b}}
      KinesisStreamSpecification: {StreamArn: arn:aws:kinesis:us-east-1:1:stream/s}
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration: {Status: Enabled}
      LifecycleConfiguration: {Rules: [{Status: Enabled, ExpirationInDays: 1}]}
      WebsiteConfiguration: {IndexDocument: index.html}
  Sub:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: sqs
      Endpoint: !GetAtt Queue.Arn
      ReplayPolicy: {PointType: Timestamp, StartingPoint: "2026-01-01T00:00:00Z"}
"""

QUIET = """\
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties: {TracingConfig: PassThrough, KmsMasterKeyId: alias/aws/sns}
  Queue:
    Type: AWS::SQS::Queue
    Properties: {DeduplicationScope: queue, SqsManagedSseEnabled: true}
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      DeletionProtectionEnabled: false
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration: {Status: Suspended}
      BucketEncryption: {ServerSideEncryptionConfiguration: []}
"""


def test_each_setting_not_run_is_named_with_its_line() -> None:
    named = {n.subject: n.at.line for n in graph_of(TEMPLATE).not_run_locally}
    assert {subject: line for subject, line in named.items()
            if subject.split(".")[0] in {"Topic", "Queue", "Bus", "Table", "Bucket", "Sub"}} == {
        "Topic.TracingConfig": 6, "Topic.ArchivePolicy": 7, "Topic.DataProtectionPolicy": 8,
        "Queue.DeduplicationScope": 13, "Bus.EventSourceName": 18,
        "Table.DeletionProtectionEnabled": 24, "Table.ImportSourceSpecification": 25,
        "Table.KinesisStreamSpecification": 26, "Bucket.VersioningConfiguration": 30,
        "Bucket.LifecycleConfiguration": 31, "Bucket.WebsiteConfiguration": 32,
        "Sub.ReplayPolicy": 39}


def test_the_reason_says_what_differs_here() -> None:
    [tracing] = [n for n in graph_of(TEMPLATE).not_run_locally
                 if n.subject == "Topic.TracingConfig"]
    assert tracing.type == "AWS::SNS::Topic"
    assert "X-Ray active tracing is not run locally" in tracing.reason


def test_settings_that_ask_for_nothing_or_have_no_local_effect_are_not_named() -> None:
    assert graph_of(QUIET).not_run_locally == ()


@pytest.mark.parametrize(("resource_type", "name"), [
    (resource_type, name) for resource_type, settings in UNRUN_SETTINGS.items()
    for name in settings])
def test_the_support_matrix_says_each_named_setting_is_named_at_start_up(
        resource_type: str, name: str) -> None:
    assert "named at start-up" in support.NOT_RUN[resource_type][name]
