"""Lambda authorizers end to end: a real app (functions in processes) and a real HTTP client.
Answers as API Gateway gives them ("Use API Gateway Lambda authorizers", "Control access to
HTTP APIs with AWS Lambda authorizers")."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from samlite.testing import RunningApp

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: python3.12, Handler: index.handler}
Resources:
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Auth:
        DefaultAuthorizer: Tok
        Authorizers:
          Tok: {FunctionArn: !GetAtt TokenAuth.Arn}
          Req:
            FunctionArn: !GetAtt RequestAuth.Arn
            FunctionPayloadType: REQUEST
            Identity: {QueryStrings: [key], ReauthorizeEvery: 0}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Simple
        Authorizers:
          Simple:
            FunctionArn: !GetAtt SimpleAuth.Arn
            AuthorizerPayloadFormatVersion: "2.0"
            EnableSimpleResponses: true
            Identity: {Headers: [x-user], ReauthorizeEvery: 0}
  TokenAuth:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        calls = 0
        def handler(event, context):
            global calls
            calls += 1
            token = event["authorizationToken"]
            if token == "unauthorized":
                raise Exception("Unauthorized")
            effect = "Allow" if token == "allow" else "Deny"
            return {"principalId": "ada",
                    "policyDocument": {"Version": "2012-10-17", "Statement": [
                        {"Action": "execute-api:Invoke", "Effect": effect,
                         "Resource": event["methodArn"].rsplit("/", 2)[0] + "/*"}]},
                    "context": {"calls": calls, "admin": True, "type": event["type"]}}
  RequestAuth:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        def handler(event, context):
            key = event["queryStringParameters"]["key"]
            return {"principalId": key,
                    "policyDocument": {"Version": "2012-10-17", "Statement": [
                        {"Action": "execute-api:Invoke",
                         "Effect": "Allow" if key == "open" else "Deny",
                         "Resource": event["methodArn"]}]},
                    "context": {"type": event["type"], "path": event["path"]}}
  SimpleAuth:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        def handler(event, context):
            user = event["identitySource"][0]
            return {"isAuthorized": user == "ada", "context": {"user": user}}
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        import json
        def handler(event, context):
            return {"statusCode": 200,
                    "body": json.dumps(event["requestContext"].get("authorizer"))}
      Events:
        Token:
          Type: Api
          Properties: {RestApiId: !Ref Rest, Path: /token, Method: get}
        Request:
          Type: Api
          Properties: {RestApiId: !Ref Rest, Path: /request, Method: get,
                       Auth: {Authorizer: Req}}
        Open:
          Type: Api
          Properties: {RestApiId: !Ref Rest, Path: /open, Method: get,
                       Auth: {Authorizer: NONE}}
        Simple:
          Type: HttpApi
          Properties: {ApiId: !Ref Http, Path: /simple, Method: get}
"""


@pytest.fixture
def app(tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> RunningApp:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    return samlite_app_factory(tmp_path / "template.yaml", aws_port=None, http_port=0)


@dataclass(frozen=True)
class Answer:
    status_code: int
    content: bytes


def get(app: RunningApp, path: str, **headers: str) -> Answer:
    where = urlsplit(app.url)
    assert where.hostname == "127.0.0.1"
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return Answer(status_code=response.status, content=response.read())
    finally:
        connection.close()


def body(response: Answer) -> Any:
    return json.loads(response.content)


def test_token_allow_passes_principal_and_context_to_the_handler(app: RunningApp) -> None:
    response = get(app, "/token", Authorization="allow")
    assert response.status_code == 200
    seen = body(response)
    # REST passes context values on as strings, next to principalId
    assert seen["principalId"] == "ada"
    assert (seen["admin"], seen["type"]) == ("true", "TOKEN")


def test_token_answers_are_cached_so_the_authorizer_runs_once(app: RunningApp) -> None:
    first = body(get(app, "/token", Authorization="allow"))
    second = body(get(app, "/token", Authorization="allow"))
    assert first["calls"] == second["calls"]     # the second request did not invoke it


def test_token_deny_is_403_with_api_gateways_words(app: RunningApp) -> None:
    response = get(app, "/token", Authorization="deny")
    assert response.status_code == 403
    assert body(response) == {
        "message": "User is not authorized to access this resource with an explicit deny"}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "unauthorized"}],
                         ids=["missing header", "authorizer says Unauthorized"])
def test_token_missing_or_refused_is_401(app: RunningApp, headers: dict[str, str]) -> None:
    response = get(app, "/token", **headers)
    assert response.status_code == 401
    assert body(response) == {"message": "Unauthorized"}


def test_request_authorizer_reads_the_query_identity(app: RunningApp) -> None:
    allowed = get(app, "/request?key=open")
    assert allowed.status_code == 200
    assert body(allowed) == {"principalId": "open", "type": "REQUEST", "path": "/request"}
    assert get(app, "/request?key=shut").status_code == 403
    assert get(app, "/request").status_code == 401


def test_authorizer_none_serves_without_one(app: RunningApp) -> None:
    response = get(app, "/open")
    assert response.status_code == 200
    assert body(response) is None


def test_http_api_simple_response(app: RunningApp) -> None:
    allowed = get(app, "/simple", **{"x-user": "ada"})
    assert allowed.status_code == 200
    assert body(allowed) == {"lambda": {"user": "ada"}}
    denied = get(app, "/simple", **{"x-user": "bob"})
    assert (denied.status_code, denied.content) == (403, b'{"message":"Forbidden"}')
    missing = get(app, "/simple")
    assert (missing.status_code, missing.content) == (401, b'{"message":"Unauthorized"}')


def test_served_authorizers_are_not_listed_as_skipped(app: RunningApp) -> None:
    assert app.app.gateway is not None
    assert app.app.gateway.skipped_authorizers == []
