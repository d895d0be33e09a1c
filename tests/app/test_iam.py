"""IAM end to end: handlers call S3, SQS and Lambda through boto3 with the credentials their
environment gets; what their policies do not allow is refused (enforce), logged (warn) or let
through (off), as docs/iam.md says. Tests and the terminal stay the account's administrator."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from samlite.testing import RunningApp

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    CodeUri: src/
    Timeout: 20
Resources:
  Inbox:
    Type: AWS::S3::Bucket
    Properties: {BucketName: iam-inbox}
  Jobs:
    Type: AWS::SQS::Queue
    Properties: {QueueName: iam-jobs}
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.call
      Policies:
        - S3ReadPolicy: {BucketName: !Ref Inbox}
  Sender:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.call
      Policies:
        - SQSSendMessagePolicy: {QueueName: !GetAtt Jobs.QueueName}
        - LambdaInvokePolicy: {FunctionName: !Ref Reader}
"""

# One handler for every function: it makes the call the event names and returns what boto3
# said (the answer's key fields, or the error code and message).
HANDLER = '''\
import boto3, botocore

def call(event, context):
    client = boto3.client(event["service"])
    try:
        answer = getattr(client, event["operation"])(**event.get("params", {}))
    except botocore.exceptions.ClientError as exc:
        return {"error": exc.response["Error"]["Code"],
                "message": exc.response["Error"]["Message"]}
    kept = {key: answer[key] for key in event.get("keep", "").split() if key in answer}
    return {"ok": True, **kept}
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(dedent(TEMPLATE))
    return tmp_path / "template.yaml"


def call(app: RunningApp, function: str, service: str, operation: str,
         **params: Any) -> dict[str, Any]:
    result = app.invoke(function, {"service": service, "operation": operation,
                                   "params": params})
    assert result.function_error is None, result.raw
    return json.loads(result.raw)


Start = Callable[..., RunningApp]


def test_enforce_lets_what_the_policy_allows(samlite_app_factory: Start,
                                             project: Path) -> None:
    app = samlite_app_factory(project, iam="enforce")
    app.s3.put_object(Bucket="iam-inbox", Key="a.txt", Body=b"hi")   # the administrator
    assert call(app, "Reader", "s3", "get_object", Bucket="iam-inbox", Key="a.txt") == \
        {"ok": True}
    assert call(app, "Sender", "sqs", "send_message", QueueUrl=app.sqs.get_queue_url(
        QueueName="iam-jobs")["QueueUrl"], MessageBody="x") == {"ok": True}


def test_enforce_refuses_s3_as_aws_does(samlite_app_factory: Start, project: Path) -> None:
    app = samlite_app_factory(project, iam="enforce")
    answer = call(app, "Reader", "s3", "put_object", Bucket="iam-inbox", Key="b.txt", Body="x")
    role = app.app.graph.access.function("Reader").caller.role_name
    assert answer == {"error": "AccessDenied", "message": (
        f"User: arn:aws:sts::123456789012:assumed-role/{role}/Reader is not authorized to "
        'perform: s3:PutObject on resource: "arn:aws:s3:::iam-inbox/b.txt" because no '
        "identity-based policy allows the s3:PutObject action")}
    with pytest.raises(app.s3.exceptions.ClientError):    # nothing was written
        app.s3.head_object(Bucket="iam-inbox", Key="b.txt")


def test_enforce_refuses_sqs_and_lambda_in_their_own_shape(samlite_app_factory: Start,
                                                           project: Path) -> None:
    app = samlite_app_factory(project, iam="enforce")
    url = app.sqs.get_queue_url(QueueName="iam-jobs")["QueueUrl"]
    denied = call(app, "Reader", "sqs", "send_message", QueueUrl=url, MessageBody="x")
    assert denied["error"] == "AccessDenied"
    assert "perform: sqs:sendmessage on resource: arn:aws:sqs:us-east-1:123456789012:iam-jobs" \
        in denied["message"]
    invoked = call(app, "Reader", "lambda", "invoke", FunctionName="Sender")
    assert invoked["error"] == "AccessDeniedException"
    assert call(app, "Sender", "lambda", "invoke", FunctionName="Reader",
                Payload=json.dumps({"service": "sts", "operation": "get_caller_identity"})) \
        == {"ok": True}


def test_warn_lets_the_call_through_and_names_the_policy_once(samlite_app_factory: Start,
                                                              project: Path) -> None:
    app = samlite_app_factory(project, iam="warn")
    for key in ("c.txt", "c.txt"):
        assert call(app, "Reader", "s3", "put_object", Bucket="iam-inbox", Key=key,
                    Body="x") == {"ok": True}
    warnings = [line for line in app.logs("Reader") if "IAM would deny" in line]
    assert len(warnings) == 1
    assert "add to its Policies: S3WritePolicy: {BucketName: !Ref Inbox}" in warnings[0]


def test_off_checks_nothing(samlite_app_factory: Start, project: Path) -> None:
    app = samlite_app_factory(project, iam="off")
    assert call(app, "Reader", "s3", "put_object", Bucket="iam-inbox", Key="d.txt",
                Body="x") == {"ok": True}
    assert not [line for line in app.logs("Reader") if "IAM" in line]


def test_each_function_is_its_own_role_session(samlite_app_factory: Start,
                                               project: Path) -> None:
    app = samlite_app_factory(project, iam="enforce")
    result = app.invoke("Reader", {"service": "sts", "operation": "get_caller_identity",
                                   "keep": "Arn"})
    assert result.function_error is None
    role = app.app.graph.access.function("Reader").caller.role_name
    assert json.loads(result.raw) == {
        "ok": True, "Arn": f"arn:aws:sts::123456789012:assumed-role/{role}/Reader"}
    keys = {spec.logical_id: spec.credentials.access_key_id for spec in app.app.functions
            if spec.credentials}
    assert keys["Reader"] != keys["Sender"]
    assert all(key.startswith("ASIA") for key in keys.values())


def test_what_cannot_be_checked_is_said_at_startup(samlite_app_factory: Start,
                                                   project: Path) -> None:
    text = project.read_text().replace(
        "      Handler: app.call\n      Policies:\n        - S3ReadPolicy",
        "      Handler: app.call\n      Role: arn:aws:iam::123456789012:role/elsewhere\n"
        "      Policies:\n        - S3ReadPolicy", 1)
    project.write_text(text)
    app = samlite_app_factory(project, iam="enforce")
    [notice] = app.app.iam_notices()
    assert notice.startswith(f"warning: {project}:")
    assert "Reader: Role arn:aws:iam::123456789012:role/elsewhere is not a role of this " \
           "template, so its policies are unknown here; every call it makes is allowed" in notice
    assert call(app, "Reader", "s3", "put_object", Bucket="iam-inbox", Key="e.txt",
                Body="x") == {"ok": True}
