"""Plain CloudFormation authorizers (AWS::ApiGateway::Authorizer, AWS::ApiGatewayV2::Authorizer)
and OpenAPI x-amazon-apigateway-authorizer ones, run as SAM's are: a real app, a real HTTP
client, a local OpenID provider on 127.0.0.1 port 0 for the JWT one."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from samlite.testing import RunningApp
from tests.sources.gateway.oidc_provider import Provider, oidc_provider

URI = ("!Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
       "${FN.Arn}/invocations")

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: python3.12, Handler: index.handler}
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        import json
        def handler(event, context):
            return {"statusCode": 200,
                    "body": json.dumps(event["requestContext"].get("authorizer"))}
  Auth:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        def handler(event, context):
            if "routeArn" in event:      # HTTP API payload 2.0, simple response
                user = event["identitySource"][0]
                return {"isAuthorized": user == "ada", "context": {"user": user}}
            who = event.get("authorizationToken") or event["queryStringParameters"]["key"]
            return {"principalId": who,
                    "policyDocument": {"Version": "2012-10-17", "Statement": [
                        {"Action": "execute-api:Invoke", "Effect":
                          "Allow" if who in ("allow", "open") else "Deny",
                          "Resource": event["methodArn"]}]},
                    "context": {"type": event["type"]}}
  Rest:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: plain}
  TokenAuth:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: !Ref Rest
      Name: token
      Type: TOKEN
      AuthorizerUri: @AUTH@
      IdentitySource: method.request.header.Authorization
      IdentityValidationExpression: "^(allow|deny)$"
      AuthorizerResultTtlInSeconds: 0
  RequestAuth:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: !Ref Rest
      Name: request
      Type: REQUEST
      AuthorizerUri: @AUTH@
      IdentitySource: method.request.querystring.key
  Token:
    Type: AWS::ApiGateway::Resource
    Properties:
      {RestApiId: !Ref Rest, ParentId: !GetAtt Rest.RootResourceId, PathPart: token}
  Request:
    Type: AWS::ApiGateway::Resource
    Properties:
      {RestApiId: !Ref Rest, ParentId: !GetAtt Rest.RootResourceId, PathPart: request}
  TokenGet:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Rest
      ResourceId: !Ref Token
      HttpMethod: GET
      AuthorizationType: CUSTOM
      AuthorizerId: !Ref TokenAuth
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: @ECHO@
  RequestGet:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Rest
      ResourceId: !Ref Request
      HttpMethod: GET
      AuthorizationType: CUSTOM
      AuthorizerId: !Ref RequestAuth
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: @ECHO@
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: plain-http, ProtocolType: HTTP}
  Simple:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Http
      Name: simple
      AuthorizerType: REQUEST
      AuthorizerUri: @AUTH@
      AuthorizerPayloadFormatVersion: "2.0"
      EnableSimpleResponses: true
      IdentitySource: [$request.header.x-user]
      AuthorizerResultTtlInSeconds: 0
  Oidc:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Http
      Name: oidc
      AuthorizerType: JWT
      IdentitySource: [$request.header.Authorization]
      JwtConfiguration: {Issuer: "@ISSUER@", Audience: [api]}
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Http
      IntegrationType: AWS_PROXY
      IntegrationUri: !GetAtt Echo.Arn
      PayloadFormatVersion: "2.0"
  SimpleRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Http
      RouteKey: GET /simple
      AuthorizationType: CUSTOM
      AuthorizerId: !Ref Simple
      Target: !Sub integrations/${Integration}
  JwtRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Http
      RouteKey: GET /jwt
      AuthorizationType: JWT
      AuthorizerId: !Ref Oidc
      AuthorizationScopes: [orders/read]
      Target: !Sub integrations/${Integration}
  Open:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionBody:
        openapi: "3.0.1"
        paths:
          /openapi:
            get:
              security: [{gate: []}]
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: @ECHO@
        components:
          securitySchemes:
            gate:
              type: apiKey
              name: Authorization
              in: header
              x-amazon-apigateway-authtype: custom
              x-amazon-apigateway-authorizer:
                type: token
                authorizerUri: @AUTH@
                authorizerResultTtlInSeconds: 0
"""


@dataclass(frozen=True)
class Answer:
    status: int
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with oidc_provider() as found:
        yield found


@pytest.fixture
def app(tmp_path: Path, provider: Provider,
        samlite_app_factory: Callable[..., RunningApp]) -> RunningApp:
    text = TEMPLATE.replace("@ISSUER@", provider.issuer).replace(
        "@ECHO@", URI.replace("FN", "Echo")).replace("@AUTH@", URI.replace("FN", "Auth"))
    (tmp_path / "template.yaml").write_text(text)
    return samlite_app_factory(tmp_path / "template.yaml", aws_port=None, http_port=0)


def get(app: RunningApp, path: str, **headers: str) -> Answer:
    where = urlsplit(app.url)
    assert where.hostname == "127.0.0.1"
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.read())
    finally:
        connection.close()


def test_nothing_is_named_as_not_run(app: RunningApp) -> None:
    assert app.app.graph.not_run_locally == ()
    assert app.app.gateway is not None
    assert app.app.gateway.skipped_authorizers == []


def test_plain_rest_token_authorizer(app: RunningApp) -> None:
    allowed = get(app, "/token", Authorization="allow")
    assert (allowed.status, allowed.json()) == (200, {"principalId": "allow", "type": "TOKEN"})
    assert get(app, "/token", Authorization="deny").status == 403
    # IdentityValidationExpression refuses the token without invoking the authorizer
    assert (get(app, "/token", Authorization="other").content
            == b'{"message":"Unauthorized"}')
    assert get(app, "/token").status == 401


def test_plain_rest_request_authorizer_reads_the_query(app: RunningApp) -> None:
    assert get(app, "/request?key=open").json() == {"principalId": "open", "type": "REQUEST"}
    assert get(app, "/request?key=shut").status == 403
    assert get(app, "/request").status == 401


def test_plain_http_request_authorizer_with_simple_responses(app: RunningApp) -> None:
    allowed = get(app, "/simple", **{"x-user": "ada"})
    assert (allowed.status, allowed.json()) == (200, {"lambda": {"user": "ada"}})
    assert get(app, "/simple", **{"x-user": "bob"}).content == b'{"message":"Forbidden"}'
    assert get(app, "/simple").status == 401


def test_plain_http_jwt_authorizer_with_route_scopes(app: RunningApp,
                                                     provider: Provider) -> None:
    ok = get(app, "/jwt", Authorization=f"Bearer {provider.token(aud='api', scope='orders/read')}")
    assert ok.status == 200
    assert ok.json()["jwt"]["scopes"] == ["orders/read"]
    wrong = get(app, "/jwt", Authorization=provider.token(aud="api", scope="orders/write"))
    assert (wrong.status, wrong.content) == (403, b'{"message":"Forbidden"}')


def test_openapi_token_authorizer(app: RunningApp) -> None:
    assert get(app, "/openapi", Authorization="allow").json() == {
        "principalId": "allow", "type": "TOKEN"}
    assert get(app, "/openapi", Authorization="deny").status == 403
    assert get(app, "/openapi").status == 401
