"""Gateway responses through the real gateway: a REST API's own errors answered as its SAM
GatewayResponses (and a plain AWS::ApiGateway::GatewayResponse) say, read with a real HTTP
client; a function's own answers stay as they are."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from samlite.testing import RunningApp

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Variables: {team: blue}
      Models:
        Person: {type: object, required: [name]}
      GatewayResponses:
        MISSING_AUTHENTICATION_TOKEN:
          StatusCode: 404
          ResponseParameters:
            Headers:
              x-asked-for: method.request.header.x-asked-for
          ResponseTemplates:
            application/json: >-
              {"error": $context.error.messageString,
               "type": "$context.error.responseType", "team": "$stageVariables.team",
               "path": "$context.path"}
        BAD_REQUEST_BODY:
          StatusCode: 422
          ResponseTemplates:
            application/json: >-
              {"problem":"$context.error.message",
              "detail":"$context.error.validationErrorString"}
        DEFAULT_5XX:
          ResponseParameters:
            Headers:
              Access-Control-Allow-Origin: "'*'"
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            if event["path"] == "/boom":
                raise RuntimeError("boom")
            return {"statusCode": 403, "body": "the function's own 403"}
      Events:
        Boom:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /boom, Method: get}
        Own:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /own, Method: get}
        People:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /people
            Method: post
            RequestModel: {Model: Person, ValidateBody: true}
"""


@pytest.fixture
def app(tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> RunningApp:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    return samlite_app_factory(tmp_path / "template.yaml", aws_port=None)


def test_an_unknown_path_gets_the_customized_missing_authentication_token(
        app: RunningApp) -> None:
    reply = app.get("/nowhere", headers={"x-asked-for": "tea"})
    assert (reply.status, json.loads(reply.body), reply.headers["x-asked-for"]) == (
        404, {"error": "Missing Authentication Token", "type": "MISSING_AUTHENTICATION_TOKEN",
              "team": "blue", "path": "/Prod/nowhere"}, "tea")


def test_a_body_against_the_model_gets_the_customized_bad_request_body(
        app: RunningApp) -> None:
    reply = app.request("POST", "/people", body='{"nom": "Ada"}',
                        headers={"Content-Type": "application/json"})
    # validationErrorString in jsonschema's words (API Gateway's validator words it its own way)
    assert (reply.status, reply.json()) == (422, {
        "problem": "Invalid request body", "detail": "['name' is a required property]"})


def test_a_failed_function_gets_default_5xx_headers_and_keeps_its_status(
        app: RunningApp) -> None:
    reply = app.get("/boom")
    assert (reply.status, reply.body, reply.headers["access-control-allow-origin"]) == (
        502, b'{"message": "Internal server error"}', "*")


def test_a_functions_own_error_is_not_a_gateway_response(app: RunningApp) -> None:
    reply = app.get("/own")
    assert (reply.status, reply.body) == (403, b"the function's own 403")
    assert "access-control-allow-origin" not in reply.headers


PLAIN = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Rest:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: plain}
  Gone:
    Type: AWS::ApiGateway::GatewayResponse
    Properties:
      RestApiId: !Ref Rest
      ResponseType: DEFAULT_4XX
      StatusCode: "410"
      ResponseParameters:
        gatewayresponse.header.x-where: "'plain'"
      ResponseTemplates:
        text/plain: "gone: $context.error.message"
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/r
      Code:
        ZipFile: |
          def handler(event, context):
              return {"statusCode": 200, "body": "ok"}
  Root:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Rest
      ResourceId: !GetAtt Rest.RootResourceId
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/\\
          ${Fn.Arn}/invocations"
"""


def test_a_plain_gateway_response_answers_the_apis_4xx(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    (tmp_path / "template.yaml").write_text(PLAIN)
    app = samlite_app_factory(tmp_path / "template.yaml", aws_port=None)
    assert app.get("/").body == b"ok"
    reply = app.get("/elsewhere")
    assert (reply.status, reply.headers["content-type"], reply.headers["x-where"],
            reply.body) == (410, "text/plain", "plain", b"gone: Missing Authentication Token")


AUTHORIZED = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Auth:
        DefaultAuthorizer: Tok
        Authorizers:
          Tok: {FunctionArn: !GetAtt TokenAuth.Arn}
        ApiKeyRequired: false
      GatewayResponses:
        UNAUTHORIZED:
          ResponseParameters:
            Headers: {WWW-Authenticate: "'Bearer realm=\\"local\\"'"}
          ResponseTemplates:
            application/json: '{"login": "required", "type": "$context.error.responseType"}'
  TokenAuth:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            raise Exception("Unauthorized")
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {"statusCode": 200, "body": "in"}
      Events:
        Hello:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /hello, Method: get}
"""


def test_an_authorizers_401_gets_the_customized_unauthorized(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    (tmp_path / "template.yaml").write_text(AUTHORIZED)
    app = samlite_app_factory(tmp_path / "template.yaml", aws_port=None)
    reply = app.get("/hello")     # no Authorization header: 401 before the authorizer runs
    assert (reply.status, json.loads(reply.body), reply.headers["www-authenticate"]) == (
        401, {"login": "required", "type": "UNAUTHORIZED"}, 'Bearer realm="local"')
