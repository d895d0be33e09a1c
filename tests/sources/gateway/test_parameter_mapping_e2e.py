"""HTTP API parameter mapping on Lambda integrations, end to end: a SAM HttpApi whose
OpenAPI operation maps the request and the response, and a plain AWS::ApiGatewayV2
Integration that does the same, read with a real HTTP client. Mapping keys and values follow
"Transform API requests and responses for HTTP APIs"."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from samlite.testing import RunningApp

FUNCTION = """\
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            seen = {"headers": event["headers"], "query": event.get("rawQueryString"),
                    "path": event["rawPath"]}
            return {"statusCode": 200, "headers": {"x-version": "v7"},
                    "body": json.dumps({"a": "from-body", "seen": seen})}
"""
URI = ("!Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
       "${Echo.Arn}/invocations")
SAM = f"""\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
{FUNCTION}  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: 3.0.1
        paths:
          /items/{{id}}:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                payloadFormatVersion: "2.0"
                uri: {URI}
                requestParameters:
                  overwrite:header.x-item: $request.path.id
                  append:header.x-tag: static-tag
                  remove:header.x-secret: "''"
                  overwrite:querystring.page: "2"
                  remove:querystring.debug: "''"
                  overwrite:path: /rewritten
                  remove:header.Authorization: "''"
                responseParameters:
                  "200":
                    overwrite:statuscode: "203"
                    append:header.x-echoed-version: $response.header.x-version
                    overwrite:header.x-a: $response.body.a
"""


@pytest.fixture
def sam_app(tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> RunningApp:
    (tmp_path / "template.yaml").write_text(SAM)
    return samlite_app_factory(tmp_path / "template.yaml", aws_port=None)


def test_the_request_is_mapped_before_the_event_is_built(sam_app: RunningApp) -> None:
    reply = sam_app.get("/items/42?page=1&debug=yes&keep=1",
                        headers={"x-secret": "s", "Authorization": "Bearer t"})
    seen = json.loads(reply.body)["seen"]
    assert seen["headers"]["x-item"] == "42"
    assert seen["headers"]["x-tag"] == "static-tag"
    assert "x-secret" not in seen["headers"]
    assert seen["headers"]["authorization"] == "Bearer t"   # reserved: not mapped
    assert sorted(seen["query"].split("&")) == ["keep=1", "page=2"]
    assert seen["path"] == "/rewritten"


def test_the_response_is_mapped_by_its_status_code(sam_app: RunningApp) -> None:
    reply = sam_app.get("/items/42")
    assert (reply.status, reply.headers["x-echoed-version"], reply.headers["x-a"]) == \
        (203, "v7", "from-body")


def test_a_reserved_header_mapping_is_named_at_startup(sam_app: RunningApp) -> None:
    assert [n.reason for n in sam_app.app.graph.not_run_locally] == [
        "GET /items/{id}: the request mapping remove:header.Authorization names a reserved "
        "header, which API Gateway does not let a mapping change; it is not applied"]


PLAIN = f"""\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
{FUNCTION}  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties: {{Name: plain, ProtocolType: HTTP}}
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Http
      IntegrationType: AWS_PROXY
      IntegrationUri: !GetAtt Echo.Arn
      PayloadFormatVersion: "2.0"
      RequestParameters:
        append:querystring.from: $context.routeKey
      ResponseParameters:
        "200":
          overwrite:statuscode: "202"
          remove:header.x-version: "''"
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Http
      RouteKey: GET /plain
      Target: !Sub integrations/${{Integration}}
"""


def test_a_plain_integrations_mapping_changes_request_and_response(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    (tmp_path / "template.yaml").write_text(PLAIN)
    app = samlite_app_factory(tmp_path / "template.yaml", aws_port=None)
    reply = app.get("/plain")
    assert (reply.status, "x-version" in reply.headers) == (202, False)
    assert json.loads(reply.body)["seen"]["query"] == "from=GET+%2Fplain"


INTEGRATIONS = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  BackendUrl: {Type: String}
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: 3.0.1
        paths:
          /jobs:
            post:
              x-amazon-apigateway-integration:
                type: aws_proxy
                integrationSubtype: SQS-SendMessage
                payloadFormatVersion: "1.0"
                requestParameters: {QueueUrl: !Ref Jobs, MessageBody: $request.body}
                responseParameters:
                  "200": {overwrite:statuscode: "202"}
          /backend:
            get:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: !Sub "${BackendUrl}/v1"
                payloadFormatVersion: "1.0"
                responseParameters:
                  "201":
                    overwrite:statuscode: "200"
                    overwrite:header.x-seen: $response.header.X-Backend
                    append:header.x-method: $response.body.method
"""


def test_service_and_http_proxy_responses_are_mapped(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    from tests.sources.gateway.test_http_integrations_e2e import _Backend

    backend = _Backend()
    try:
        (tmp_path / "template.yaml").write_text(INTEGRATIONS)
        app = samlite_app_factory(tmp_path / "template.yaml",
                                  parameter_overrides={"BackendUrl": backend.url})
        assert app.request("POST", "/jobs", body="hello").status == 202
        proxied = app.get("/backend")
        assert (proxied.status, proxied.headers["x-seen"], proxied.headers["x-method"]) == \
            (200, "yes", "GET")
    finally:
        backend.close()
