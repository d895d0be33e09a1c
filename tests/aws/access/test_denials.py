"""A call a function's role does not allow is refused in each service's own code, HTTP status
and wording, as the handler's boto3 reads it (the sources are named in denials.py)."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent
from typing import Any

import botocore.session
import pytest
from botocore.parsers import create_parser

from samlite.aws.access.guard import AccessGuard, IamMode
from samlite.graph.build import build_graph
from samlite.http.messages import Response
from samlite.iam.sam_templates import Pseudo
from samlite.runtime.spec import FunctionSpec, function_specs
from samlite.template.load import parse_template
from samlite.template.model import PseudoParameters
from samlite.template.resolve import resolve
from tests.aws.access.test_guard import TEMPLATE, as_function, role_of
from tests.aws.access.wire import wire

ACCOUNT = "123456789012"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_of('Reader')}/Reader"
NONE_ALLOWS = "because no identity-based policy allows the"


def seen_by_boto3(response: Response, service: str, operation: str) -> tuple[int, str, str]:
    """(HTTP status, error code, message) as botocore parses the answer."""
    model = botocore.session.get_session().get_service_model(service)
    parsed = create_parser(model.metadata["protocol"]).parse(
        {"status_code": response.status, "body": response.body,
         "headers": dict(response.headers)},
        model.operation_model(operation).output_shape)
    return response.status, parsed["Error"]["Code"], parsed["Error"]["Message"]


CASES = [
    ("dynamodb answers 400", "dynamodb", "PutItem", "put_item",
     {"TableName": "Orders", "Item": {"id": {"S": "1"}}},
     (400, "AccessDeniedException",
      f"User: {SESSION} is not authorized to perform: dynamodb:PutItem on resource: "
      f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Orders {NONE_ALLOWS} dynamodb:PutItem "
      "action")),
    ("ssm names the parameter's ARN", "ssm", "GetParameter", "get_parameter",
     {"Name": "/app/db-url"},
     (400, "AccessDeniedException",
      f"User: {SESSION} is not authorized to perform: ssm:GetParameter on resource: "
      f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/app/db-url {NONE_ALLOWS} ssm:GetParameter "
      "action")),
    ("secrets manager names the SecretId as given", "secretsmanager", "GetSecretValue",
     "get_secret_value", {"SecretId": "prod/db"},
     (400, "AccessDeniedException",
      f"User: {SESSION} is not authorized to perform: secretsmanager:GetSecretValue on "
      f"resource: prod/db {NONE_ALLOWS} secretsmanager:GetSecretValue action")),
    ("an action on no resource has no 'on resource'", "secretsmanager", "ListSecrets",
     "list_secrets", {},
     (400, "AccessDeniedException",
      f"User: {SESSION} is not authorized to perform: secretsmanager:ListSecrets "
      f"{NONE_ALLOWS} secretsmanager:ListSecrets action")),
    ("eventbridge answers 400", "events", "PutEvents", "put_events",
     {"Entries": [{"Source": "app", "DetailType": "d", "Detail": "{}"}]},
     (400, "AccessDeniedException",
      f"User: {SESSION} is not authorized to perform: events:PutEvents on resource: "
      f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default {NONE_ALLOWS} events:PutEvents "
      "action")),
    ("lambda answers 403", "lambda", "Invoke", "invoke", {"FunctionName": "Other"},
     (403, "AccessDeniedException",
      f"User: {SESSION} is not authorized to perform: lambda:InvokeFunction on resource: "
      f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:Other {NONE_ALLOWS} "
      "lambda:InvokeFunction action")),
    ("sqs writes the action in lower case", "sqs", "SendMessage", "send_message",
     {"QueueUrl": f"http://127.0.0.1:3001/{ACCOUNT}/jobs", "MessageBody": "m"},
     (403, "AccessDenied",
      f"User: {SESSION} is not authorized to perform: sqs:sendmessage on resource: "
      f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs {NONE_ALLOWS} sqs:sendmessage action")),
    ("sns writes SNS:", "sns", "Publish", "publish",
     {"TopicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:news", "Message": "m"},
     (403, "AuthorizationError",
      f"User: {SESSION} is not authorized to perform: SNS:Publish on resource: "
      f"arn:aws:sns:us-east-1:{ACCOUNT}:news {NONE_ALLOWS} SNS:Publish action")),
    ("s3 quotes the resource", "s3", "PutObject", "put_object",
     {"Bucket": "inbox", "Key": "a.txt", "Body": b"x"},
     (403, "AccessDenied",
      f'User: {SESSION} is not authorized to perform: s3:PutObject on resource: '
      f'"arn:aws:s3:::inbox/a.txt" {NONE_ALLOWS} s3:PutObject action')),
    ("sts assume role", "sts", "AssumeRole", "assume_role",
     {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/Admin", "RoleSessionName": "job"},
     (403, "AccessDenied",
      f"User: {SESSION} is not authorized to perform: sts:AssumeRole on resource: "
      f"arn:aws:iam::{ACCOUNT}:role/Admin {NONE_ALLOWS} sts:AssumeRole action")),
]


@pytest.fixture
def reader_guard(tmp_path: Path) -> tuple[AccessGuard, FunctionSpec]:
    """The guard, enforcing, and a function whose only permission is S3ReadPolicy on inbox."""
    graph = build_graph(resolve(parse_template(dedent(TEMPLATE), name="template.yaml")))
    specs = function_specs(graph, project_dir=tmp_path, pseudo=PseudoParameters(),
                           credential_seed=b"seed")
    guard = AccessGuard(mode=IamMode.ENFORCE, pseudo=Pseudo(), note=lambda fn, line: None)
    guard.update(graph, specs)
    return guard, specs[0]


@pytest.mark.parametrize(("case", "service", "operation", "method", "params", "expected"),
                         CASES, ids=[c[0] for c in CASES])
def test_a_denied_call_reads_as_the_service_answers_it(
        reader_guard: tuple[AccessGuard, FunctionSpec], case: str, service: str, operation: str,
        method: str, params: dict[str, Any], expected: tuple[int, str, str]) -> None:
    guard, spec = reader_guard
    request = wire(service, method, made=as_function(spec, service), **params)
    assert guard.handles(request), case
    assert seen_by_boto3(guard.handle(request), service, operation) == expected


def test_a_bad_token_on_dynamodb_is_a_400(reader_guard: tuple[AccessGuard, FunctionSpec]) -> None:
    guard, spec = reader_guard
    request = wire("dynamodb", "list_tables", made=as_function(spec, "dynamodb", token="old"))  # noqa: S106
    assert guard.handles(request)
    assert seen_by_boto3(guard.handle(request), "dynamodb", "ListTables") == (
        400, "UnrecognizedClientException",
        "The security token included in the request is invalid.")
