"""W3010: an environment variable names a resource of the template that the function may not
use as a handler does (on AWS the handler's calls to it are denied)."""

from __future__ import annotations

from pathlib import Path

import pytest

from samlite.errors import Problem
from samlite.template.load import parse_template
from samlite.validation.pipeline import validate_loaded

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders: {Type: AWS::DynamoDB::Table, Properties: {BillingMode: PAY_PER_REQUEST,
    AttributeDefinitions: [{AttributeName: id, AttributeType: S}],
    KeySchema: [{AttributeName: id, KeyType: HASH}]}}
  Inbox: {Type: AWS::S3::Bucket}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      InlineCode: "def handler(e, c): pass"
      Environment:
        Variables:
          TABLE: !Ref Orders
          BUCKET_URL: !Sub "s3://${Inbox}/in"
%s"""


def w3010(policies: str) -> list[Problem]:
    loaded = parse_template(TEMPLATE % policies, name="template.yaml")
    return [p for p in validate_loaded(loaded, project_dir=Path()).problems
            if p.code == "W3010"]


@pytest.mark.parametrize(("policies", "named"), [
    ("", ["Orders", "Inbox"]),
    ("      Policies: [DynamoDBReadPolicy: {TableName: !Ref Orders}]", ["Inbox"]),
    ("      Policies: [S3ReadPolicy: {BucketName: !Ref Inbox},\n"
     "                 DynamoDBCrudPolicy: {TableName: !Ref Orders}]", []),
    ("      Policies: [AmazonDynamoDBFullAccess, AmazonS3ReadOnlyAccess]", []),
    ("      Policies:\n        - Statement:\n            - {Effect: Allow, Action: 's3:*',"
     " Resource: !Sub '${Inbox.Arn}/*'}\n            - {Effect: Allow, Action: 'dynamodb:*',"
     " Resource: '*'}", []),
    ("      Policies: [SQSPollerPolicy: {QueueName: x}]", ["Orders", "Inbox"]),
], ids=["no policies", "a table policy", "templates for both", "managed policies",
        "inline statements", "a policy for something else"])
def test_a_variable_naming_an_ungranted_resource_warns(policies: str, named: list[str]) -> None:
    assert [p.message.split(" names ")[1].split(",")[0] for p in w3010(policies)] == named


def test_the_warning_points_at_the_variable_and_says_what_to_add() -> None:
    [first, _] = w3010("")
    assert (first.at.line, first.resource) == (15, "Worker")   # the TABLE line
    assert first.message == (
        "environment variable TABLE names Orders, but no policy of Worker allows item reads "
        "or writes (dynamodb:GetItem, PutItem, Query, ...) on it: on AWS those calls are "
        "denied (add a policy template, e.g. DynamoDBCrudPolicy: {TableName: !Ref Orders}, "
        "or a statement)")


FORWARDER = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  In: {Type: AWS::SQS::Queue}
  Out: {Type: AWS::SQS::Queue}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      InlineCode: "def handler(e, c): pass"
      Events:
        Jobs: {Type: SQS, Properties: {Queue: !GetAtt In.Arn}}
      Environment:
        Variables:
          OUT_URL: !Ref Out
%s"""


def test_a_worker_whose_only_sqs_grant_is_its_event_sources_warns_for_the_queue_it_sends_to(
) -> None:
    # SAM's AWSLambdaSQSQueueExecutionRole allows receiving from any queue: that is for
    # Lambda's polling of In, not the handler sending to Out.
    [warning] = w3010_of(FORWARDER % "")
    assert warning.message.startswith(
        "environment variable OUT_URL names Out, but no policy of Worker allows "
        "sqs:SendMessage or sqs:ReceiveMessage on it")


def test_a_worker_may_use_its_own_event_queue_through_the_event_sources_grant() -> None:
    # e.g. to delete or change the visibility of a message itself
    template = (FORWARDER % "").replace("OUT_URL: !Ref Out", "IN_URL: !Ref In")
    assert w3010_of(template) == []


def test_a_worker_with_a_send_policy_for_the_queue_it_sends_to_does_not_warn() -> None:
    policies = "      Policies: [SQSSendMessagePolicy: {QueueName: !GetAtt Out.QueueName}]"
    assert w3010_of(FORWARDER % policies) == []


PUBLISHER = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Public: {Type: AWS::S3::Bucket}
  Fn2:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      InlineCode: "def handler(e, c): pass"
      Environment:
        Variables:
          BUCKET: !Ref Public
  PublicPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Public
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: %s}
            Action: s3:PutObject
            Resource: !Sub "${Public.Arn}/pub/*"
"""


@pytest.mark.parametrize(("principal", "warned"), [
    ("!GetAtt Fn2Role.Arn", False),
    ("'arn:aws:iam::123456789012:role/someone-else'", True),
], ids=["the function's role", "another role"])
def test_a_bucket_policy_granting_the_functions_role_counts(principal: str,
                                                           warned: bool) -> None:
    assert bool(w3010_of(PUBLISHER % principal)) is warned


def w3010_of(template: str) -> list[Problem]:
    loaded = parse_template(template, name="template.yaml")
    return [p for p in validate_loaded(loaded, project_dir=Path()).problems
            if p.code == "W3010"]
