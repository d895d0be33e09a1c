"""The endpoint's IAM check on requests as boto3 signs them with a function's credentials:
a signature that does not hold (a tampered body or path, a wrong secret or token) is refused
as AWS refuses it; an allowed call passes; a denied one gets the service's AccessDenied; any
other caller is the account's administrator."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from textwrap import dedent

import pytest

from samlite.aws.access.guard import AccessGuard, IamMode
from samlite.graph.build import build_graph
from samlite.http.messages import Request
from samlite.iam.sam_templates import Pseudo
from samlite.runtime.spec import FunctionSpec, function_specs
from samlite.template.load import parse_template
from samlite.template.model import PseudoParameters
from samlite.template.resolve import resolve
from tests.aws.access.wire import client, wire

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Inbox:
    Type: AWS::S3::Bucket
    Properties: {BucketName: inbox}
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Policies: [S3ReadPolicy: {BucketName: !Ref Inbox}]
"""


@pytest.fixture
def reader(tmp_path: Path) -> tuple[AccessGuard, FunctionSpec, list[str]]:
    graph = build_graph(resolve(parse_template(dedent(TEMPLATE), name="template.yaml")))
    specs = function_specs(graph, project_dir=tmp_path, pseudo=PseudoParameters(),
                           credential_seed=b"seed")
    said: list[str] = []
    guard = AccessGuard(mode=IamMode.ENFORCE, pseudo=Pseudo(),
                        note=lambda fn, line: said.append(f"{fn}: {line}"))
    guard.update(graph, specs)
    return guard, specs[0], said


def role_of(function: str) -> str:
    graph = build_graph(resolve(parse_template(dedent(TEMPLATE), name="template.yaml")))
    found = graph.access.function(function)
    assert found is not None
    return found.caller.role_name


def as_function(spec: FunctionSpec, service: str = "s3", **changes: str) -> object:
    assert spec.credentials is not None
    creds = spec.credentials
    return client(service, key=changes.get("key", creds.access_key_id),
                  secret=changes.get("secret", creds.secret_access_key),
                  token=changes.get("token", creds.session_token))


def test_an_allowed_call_passes(reader: tuple[AccessGuard, FunctionSpec, list[str]]) -> None:
    guard, spec, _ = reader
    assert not guard.handles(wire("s3", "get_object", made=as_function(spec),
                                  Bucket="inbox", Key="a.txt"))


def test_a_denied_call_gets_s3s_access_denied(
        reader: tuple[AccessGuard, FunctionSpec, list[str]]) -> None:
    guard, spec, said = reader
    request = wire("s3", "put_object", made=as_function(spec), Bucket="inbox", Key="a.txt",
                   Body=b"x")
    assert guard.handles(request)
    refusal = guard.handle(request)
    assert refusal.status == 403
    assert b"<Code>AccessDenied</Code>" in refusal.body
    assert said == [f"Reader: IAM denied: User: arn:aws:sts::123456789012:assumed-role/"
                    f"{role_of('Reader')}"
                    '/Reader is not authorized to perform: s3:PutObject on resource: '
                    '"arn:aws:s3:::inbox/a.txt" because no identity-based policy allows the '
                    "s3:PutObject action (add to its Policies: S3WritePolicy: "
                    "{BucketName: !Ref Inbox})"]


def test_a_tampered_body_is_refused(reader: tuple[AccessGuard, FunctionSpec, list[str]]) -> None:
    guard, spec, _ = reader
    request = wire("sqs", "send_message", made=as_function(spec, "sqs"),
                   QueueUrl="http://127.0.0.1:3001/123456789012/jobs", MessageBody="pay 1")
    tampered = dataclasses.replace(request, body=request.body.replace(b"pay 1", b"pay 9"))
    assert guard.handles(tampered)
    refusal = guard.handle(tampered)
    assert refusal.status == 403
    assert b"InvalidSignatureException" in refusal.body or b"SignatureDoesNotMatch" in \
        refusal.body


def test_a_tampered_s3_path_is_refused(
        reader: tuple[AccessGuard, FunctionSpec, list[str]]) -> None:
    guard, spec, _ = reader
    request = wire("s3", "get_object", made=as_function(spec), Bucket="inbox", Key="a.txt")
    tampered = dataclasses.replace(request, path="/inbox/b.txt")
    assert guard.handles(tampered)
    assert b"<Code>SignatureDoesNotMatch</Code>" in guard.handle(tampered).body


def test_a_wrong_secret_is_refused(reader: tuple[AccessGuard, FunctionSpec, list[str]]) -> None:
    guard, spec, _ = reader
    request = wire("s3", "get_object", made=as_function(spec, secret="guessed"),  # noqa: S106
                   Bucket="inbox", Key="a.txt")
    assert guard.handles(request)
    assert b"SignatureDoesNotMatch" in guard.handle(request).body


def test_a_wrong_session_token_is_refused(
        reader: tuple[AccessGuard, FunctionSpec, list[str]]) -> None:
    guard, spec, _ = reader
    stale = as_function(spec, "dynamodb", token="old")  # noqa: S106
    request = wire("dynamodb", "list_tables", made=stale)
    assert guard.handles(request)
    refusal = guard.handle(request)
    assert (refusal.status, b"UnrecognizedClientException" in refusal.body) == (400, True)


def test_an_unsigned_request_with_a_functions_token_is_refused(
        reader: tuple[AccessGuard, FunctionSpec, list[str]]) -> None:
    guard, spec, _ = reader
    assert spec.credentials is not None
    request = Request(method="GET", path="/inbox/a.txt",
                      headers={"host": "127.0.0.1:3001",
                               "x-amz-security-token": spec.credentials.session_token})
    assert guard.handles(request)
    assert guard.handle(request).status == 403


def test_other_credentials_are_the_administrator(
        reader: tuple[AccessGuard, FunctionSpec, list[str]]) -> None:
    guard, _, _ = reader
    assert not guard.handles(wire("s3", "put_object", Bucket="inbox", Key="a.txt", Body=b"x"))
    assert not guard.handles(Request(method="GET", path="/inbox/a.txt"))


def test_sns_and_dynamodb_deny_in_their_own_words(
        reader: tuple[AccessGuard, FunctionSpec, list[str]]) -> None:
    guard, spec, _ = reader
    topic = "arn:aws:sns:us-east-1:123456789012:news"
    published = wire("sns", "publish", made=as_function(spec, "sns"), TopicArn=topic,
                     Message="m")
    assert guard.handles(published)
    body = guard.handle(published).body.decode()
    assert "<Code>AuthorizationError</Code>" in body
    assert f"perform: SNS:Publish on resource: {topic} because no identity-based " in body
    put = wire("dynamodb", "put_item", made=as_function(spec, "dynamodb"), TableName="Orders",
               Item={"id": {"S": "1"}})
    assert guard.handles(put)
    refusal = guard.handle(put)
    assert refusal.status == 400
    assert b'"__type": "com.amazon.coral.service#AccessDeniedException"' in refusal.body
    assert b"perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:" \
           b"table/Orders because" in refusal.body


def test_warn_lets_the_call_through(tmp_path: Path) -> None:
    graph = build_graph(resolve(parse_template(dedent(TEMPLATE), name="template.yaml")))
    specs = function_specs(graph, project_dir=tmp_path, pseudo=PseudoParameters(),
                           credential_seed=b"seed")
    said: list[str] = []
    guard = AccessGuard(mode=IamMode.WARN, pseudo=Pseudo(),
                        note=lambda fn, line: said.append(line))
    guard.update(graph, specs)
    request = wire("s3", "delete_object", made=as_function(specs[0]), Bucket="inbox", Key="a")
    assert not guard.handles(request)
    assert not guard.handles(request)
    assert len(said) == 1
    assert said[0].endswith("(add to its Policies: S3CrudPolicy: {BucketName: !Ref Inbox})")


def test_an_s3_subresource_without_an_action_passes_and_is_named_once(
        reader: tuple[AccessGuard, FunctionSpec, list[str]]) -> None:
    guard, spec, said = reader
    request = wire("s3", "get_object_torrent", made=as_function(spec), Bucket="inbox",
                   Key="a.txt")
    assert not guard.handles(request)
    assert not guard.handles(request)
    assert said == ["Reader: warning: IAM is not checked for s3 GET object ?torrent: samlite "
                    "has no IAM action for it, so the call goes through (on AWS it needs its "
                    "own permission)"]
