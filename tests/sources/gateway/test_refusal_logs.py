"""Every refusal the gateway answers on its own leaves one log line saying why (a client
sees only the status): a refused API key, missing required parameters, a token failing the
authorizer's (Lambda or Cognito) ValidationExpression, a 415 for an unmapped Content-Type."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from samlite.sources.gateway.server import HttpGateway
from tests.sources.gateway.test_server import Scripted, call, graph_of

TEMPLATE = """
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Models:
        Query: {type: object}
      Auth:
        Authorizers:
          Tokens:
            FunctionArn: !GetAtt Authorizer.Arn
            Identity: {ValidationExpression: "Bearer [a-z]+"}
          Pool:
            UserPoolArn: arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc
            Identity: {ValidationExpression: "Bearer [a-z.]+"}
  Mock:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionBody:
        swagger: "2.0"
        paths:
          /json-only:
            post:
              x-amazon-apigateway-integration:
                type: mock
                passthroughBehavior: never
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses:
                  default: {statusCode: "200"}
  Key:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Enabled: true, Value: s3cret-value-of-twenty}
  Authorizer:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: index.handler, CodeUri: src}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      CodeUri: src
      Events:
        Keyed:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /keyed
            Method: get
            Auth: {ApiKeyRequired: true}
        Search:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /search
            Method: get
            RequestParameters: [{method.request.querystring.q: {Required: true}}]
            RequestModel: {Model: Query, ValidateParameters: true}
        Guarded:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /guarded
            Method: get
            Auth: {Authorizer: Tokens}
        Pooled:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /pooled
            Method: get
            Auth: {Authorizer: Pool}
"""


@pytest.fixture
def logged() -> Iterator[tuple[HttpGateway, list[tuple[str, str]]]]:
    lines: list[tuple[str, str]] = []
    gateway = HttpGateway(graph_of(TEMPLATE), Scripted(), port=0,
                          log=lambda fn, line: lines.append((fn, line)))
    with gateway:
        yield gateway, lines


@pytest.mark.parametrize(("path", "method", "headers", "status", "says"), [
    pytest.param("/keyed", "GET", {}, 403, "x-api-key header is missing", id="api key"),
    pytest.param("/search", "GET", {}, 400,
                 "failed request validation (Missing required request parameters: [q])",
                 id="required parameter"),
    pytest.param("/guarded", "GET", {"Authorization": "Basic x"}, 401,
                 "does not match authorizer Tokens's ValidationExpression",
                 id="validation expression"),
    pytest.param("/pooled", "GET", {"Authorization": "Basic a.b.c"}, 401,
                 "does not match authorizer Pool's ValidationExpression",
                 id="cognito validation expression"),
    pytest.param("/json-only", "POST", {"Content-Type": "text/plain"}, 415,
                 "no request template for Content-Type text/plain", id="unsupported media"),
])
def test_a_refusal_is_logged_with_its_reason(
        logged: tuple[HttpGateway, list[tuple[str, str]]], path: str, method: str,
        headers: dict[str, str], status: int, says: str) -> None:
    gateway, lines = logged
    got, _, _ = call(gateway.url, method=method, path=path, body=b"x" if method == "POST"
                     else None, headers=headers)
    assert got == status
    assert [line for _, line in lines if says in line and f"gets {status}" in line]
