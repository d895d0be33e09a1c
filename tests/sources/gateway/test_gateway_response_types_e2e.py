"""Each of a REST API's own errors carries its gateway response type, so a GatewayResponses
entry for that type reshapes it: status, body and header, read with a real HTTP client. The
types are the developer guide's ("Gateway response types for API Gateway"). And a gateway
response template is not Velocity ("x-amazon-apigateway-gateway-responses.responseTemplates
object": not processed by the VTL engine): its variables are filled in, directives are sent
as written."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from samlite.runtime.spec import DUMMY_CREDENTIALS
from samlite.testing import HttpResponse, RunningApp


def customized(response_type: str, status: int) -> str:
    """A SAM GatewayResponses entry that changes all three: status, body, a header."""
    return f"""\
        {response_type}:
          StatusCode: {status}
          ResponseParameters:
            Headers: {{x-gateway-response: "'{response_type.lower()}'"}}
          ResponseTemplates:
            application/json: >-
              {{"custom": "$context.error.responseType", "was": $context.error.messageString}}
"""


SAM = f"""\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  DownUrl: {{Type: String}}
  SilentUrl: {{Type: String}}
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      GatewayResponses:
{customized("API_CONFIGURATION_ERROR", 591)}\
{customized("UNSUPPORTED_MEDIA_TYPE", 492)}\
{customized("INTEGRATION_FAILURE", 593)}\
{customized("INTEGRATION_TIMEOUT", 594)}\
{customized("DEFAULT_5XX", 595)}\
        MISSING_AUTHENTICATION_TOKEN:
          StatusCode: 404
          ResponseTemplates:
            application/json: >-
              #set($kind = "route")#if($context.error.messageString != "")
              {{"error": $context.error.messageString, "stage": "$context.stage"}}#end
      DefinitionBody:
        swagger: "2.0"
        paths:
          /unmatched:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {{application/json: '{{"statusCode": 200}}'}}
                responses:
                  "404": {{statusCode: "404"}}
          /failing-template:
            post:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates:
                  application/json: '{{"statusCode": 200, "x": $input.json("$.x")}}'
                responses:
                  default: {{statusCode: "200"}}
          /json-only:
            post:
              x-amazon-apigateway-integration:
                type: mock
                passthroughBehavior: never
                requestTemplates: {{application/json: '{{"statusCode": 200}}'}}
                responses:
                  default: {{statusCode: "200"}}
          /down:
            get:
              x-amazon-apigateway-integration:
                type: http
                httpMethod: GET
                uri: !Sub "${{DownUrl}}/down"
                responses:
                  default: {{statusCode: "200"}}
          /throttled:
            post:
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: !Sub "arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/\\
                  functions/${{Stopped.Arn}}/invocations"
                responses:
                  default: {{statusCode: "200"}}
          /silent:
            get:
              x-amazon-apigateway-integration:
                type: http
                httpMethod: GET
                uri: !Sub "${{SilentUrl}}/silent"
                timeoutInMillis: 50
                responses:
                  default: {{statusCode: "200"}}
  Stopped:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      ReservedConcurrentExecutions: 0     # every invoke is throttled
      InlineCode: |
        def handler(event, context):
            return {{}}
"""


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A port that accepts connections and never answers (the kernel completes them in the
    listen backlog), so the gateway's integration timeout decides."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


def closed_url() -> str:
    """A port nothing listens on any more: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@pytest.fixture
def app(tmp_path: Path, samlite_app_factory: Callable[..., RunningApp],
        silent_url: str) -> RunningApp:
    (tmp_path / "template.yaml").write_text(SAM)
    return samlite_app_factory(tmp_path / "template.yaml", aws_port=None,
                               parameter_overrides={"DownUrl": closed_url(),
                                                    "SilentUrl": silent_url})


def seen(reply: HttpResponse) -> tuple[object, ...]:
    """What the customization changed: status, header, and the body's two values."""
    body = json.loads(reply.body)
    return reply.status, reply.headers["x-gateway-response"], body["custom"], body["was"]


JSON = {"Content-Type": "application/json"}


def test_no_matching_integration_response_is_an_api_configuration_error(
        app: RunningApp) -> None:
    assert seen(app.get("/unmatched")) == (
        591, "api_configuration_error", "API_CONFIGURATION_ERROR", "Internal server error")


def test_a_template_that_fails_is_an_api_configuration_error(app: RunningApp) -> None:
    reply = app.request("POST", "/failing-template", body="not json", headers=JSON)
    assert seen(reply) == (
        591, "api_configuration_error", "API_CONFIGURATION_ERROR", "Internal server error")


def test_an_unmapped_content_type_is_unsupported_media_type(app: RunningApp) -> None:
    reply = app.request("POST", "/json-only", body="text", headers={"Content-Type": "text/csv"})
    assert seen(reply) == (
        492, "unsupported_media_type", "UNSUPPORTED_MEDIA_TYPE", "Unsupported Media Type")
    assert app.request("POST", "/json-only", body="{}", headers=JSON).status == 200


def test_an_integration_that_cannot_be_reached_is_an_integration_failure(
        app: RunningApp) -> None:
    assert seen(app.get("/down")) == (
        593, "integration_failure", "INTEGRATION_FAILURE", "Internal server error")


def test_an_http_integration_past_its_timeout_is_an_integration_timeout(
        app: RunningApp) -> None:
    assert seen(app.get("/silent")) == (
        594, "integration_timeout", "INTEGRATION_TIMEOUT", "Endpoint request timed out")


def test_a_throttled_lambda_integration_takes_default_5xx(app: RunningApp) -> None:
    """The table has no type for an invoke Lambda refuses, so DEFAULT_5XX answers it."""
    reply = app.request("POST", "/throttled", body="{}", headers=JSON)
    assert seen(reply) == (595, "default_5xx", "DEFAULT_5XX", "Internal server error")


def test_a_gateway_response_template_fills_variables_and_sends_directives_as_written(
        app: RunningApp) -> None:
    reply = app.get("/nowhere")
    assert (reply.status, reply.body.decode()) == (
        404, '#set($kind = "route")#if("Missing Authentication Token" != "") '
             '{"error": "Missing Authentication Token", "stage": "prod"}#end')


IAM = f"""\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      GatewayResponses:
{customized("MISSING_AUTHENTICATION_TOKEN", 481)}\
{customized("INVALID_SIGNATURE", 482)}\
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {{"statusCode": 200, "body": "in"}}
      Events:
        Signed:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /signed
            Method: get
            Auth: {{Authorizer: AWS_IAM}}
"""


def test_aws_iam_refusals_carry_their_types(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    (tmp_path / "template.yaml").write_text(IAM)
    app = samlite_app_factory(tmp_path / "template.yaml", aws_port=None)
    assert seen(app.get("/signed")) == (
        481, "missing_authentication_token", "MISSING_AUTHENTICATION_TOKEN",
        "Missing Authentication Token")
    wrong = Credentials(DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"], "not-the-secret")
    signed = AWSRequest(method="GET", url=f"{app.url}/signed")
    SigV4Auth(wrong, "execute-api", "us-east-1").add_auth(signed)
    reply = app.get("/signed", headers=dict(signed.headers.items()))
    assert seen(reply)[:3] == (482, "invalid_signature", "INVALID_SIGNATURE")
