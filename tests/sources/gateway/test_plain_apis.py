"""Plain CloudFormation API Gateway resources served through the gateway, end to end: a real
app (functions in processes) and a real HTTP client."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from samlite.testing import RunningApp

HEAD = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            return {"statusCode": 200, "body": json.dumps(event)}
"""

LAMBDA_URI = ("!Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
              "${Echo.Arn}/invocations")

REST = HEAD + f"""\
      Events:
        Extra:
          Type: Api
          Properties: {{RestApiId: !Ref Rest, Path: /extra, Method: post}}
  Rest:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: plain-rest
  Items:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Rest
      ParentId: !GetAtt Rest.RootResourceId
      PathPart: items
  ItemsProxy:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Rest
      ParentId: !Ref Items
      PathPart: "{{proxy+}}"
  ProxyAny:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Rest
      ResourceId: !Ref ItemsProxy
      HttpMethod: ANY
      AuthorizationType: NONE
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: {LAMBDA_URI}
  ItemsMock:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Rest
      ResourceId: !Ref Items
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: AWS
        IntegrationHttpMethod: POST
        Uri: arn:aws:apigateway:us-east-1:kinesis:action/PutRecord
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: [ProxyAny]
    Properties:
      RestApiId: !Ref Rest
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Rest
      DeploymentId: !Ref Deployment
      StageName: v1
      Variables: {{color: green}}
"""


def line_of(text: str, resource: str, key: str) -> int:
    """The 1-based line of `key` in the resource that starts with line `resource`."""
    lines = text.splitlines()
    return lines.index(key, lines.index(resource)) + 1


def start(tmp_path: Path, factory: Callable[..., RunningApp], text: str) -> RunningApp:
    (tmp_path / "template.yaml").write_text(text)
    return factory(tmp_path / "template.yaml", aws_port=None)


def test_a_rest_api_of_plain_resources_serves_its_proxy_method_for_any_method(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    app = start(tmp_path, samlite_app_factory, REST)
    reply = app.request("DELETE", "/items/a/b?x=1")
    event = reply.json()
    assert reply.status == 200
    assert (event["resource"], event["path"], event["httpMethod"]) == \
        ("/items/{proxy+}", "/items/a/b", "DELETE")
    assert event["pathParameters"] == {"proxy": "a/b"}
    assert event["queryStringParameters"] == {"x": "1"}
    assert event["stageVariables"] == {"color": "green"}
    assert (event["requestContext"]["stage"], event["requestContext"]["path"]) == \
        ("v1", "/v1/items/a/b")


def test_a_sam_event_on_a_plain_rest_api_adds_its_route(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    app = start(tmp_path, samlite_app_factory, REST)
    reply = app.request("POST", "/extra", body="hi")
    assert reply.status == 200
    assert (reply.json()["resource"], reply.json()["body"]) == ("/extra", "hi")


def test_a_method_whose_integration_is_not_run_is_named_and_not_served(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    app = start(tmp_path, samlite_app_factory, REST)
    named = [(n.subject, n.at.line, n.reason) for n in app.app.graph.not_run_locally]
    assert named == [("ItemsMock", line_of(REST, "  ItemsMock:", "      Integration:"),
                      "GET /items: the AWS service integration to kinesis is not run "
                      "locally (SQS and S3 ones are), so this route is not served")]
    reply = app.get("/items")
    assert (reply.status, reply.json()) == (403, {"message": "Missing Authentication Token"})


HTTP = HEAD + """\
      Events:
        Extra:
          Type: HttpApi
          Properties: {ApiId: !Ref Http, Path: /extra, Method: post}
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: plain-http
      ProtocolType: HTTP
  EchoIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Http
      IntegrationType: AWS_PROXY
      IntegrationUri: !GetAtt Echo.Arn
      PayloadFormatVersion: "2.0"
  ItemRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Http
      RouteKey: GET /items/{id}
      Target: !Sub integrations/${EchoIntegration}
  HttpProxy:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Http
      IntegrationType: AWS_PROXY
      IntegrationSubtype: Kinesis-PutRecord
      PayloadFormatVersion: "1.0"
      RequestParameters: {StreamName: clicks, Data: $request.body, PartitionKey: k}
  Elsewhere:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Http
      RouteKey: GET /elsewhere
      Target: !Join [/, [integrations, !Ref HttpProxy]]
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Http
      StageName: $default
      AutoDeploy: true
      StageVariables: {color: red}
"""


def test_an_http_api_of_route_and_integration_resources_sends_payload_2_0(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    app = start(tmp_path, samlite_app_factory, HTTP)
    reply = app.get("/items/42?q=a")
    event = reply.json()
    assert reply.status == 200
    assert (event["version"], event["routeKey"], event["rawPath"]) == \
        ("2.0", "GET /items/{id}", "/items/42")
    assert event["pathParameters"] == {"id": "42"}
    assert event["stageVariables"] == {"color": "red"}
    assert event["requestContext"]["stage"] == "$default"


def test_a_sam_event_on_a_plain_http_api_adds_its_route(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    app = start(tmp_path, samlite_app_factory, HTTP)
    reply = app.request("POST", "/extra", body="hi")
    assert (reply.status, reply.json()["routeKey"]) == (200, "POST /extra")


def test_an_http_route_whose_integration_is_not_run_is_named_and_not_served(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    app = start(tmp_path, samlite_app_factory, HTTP)
    named = [(n.subject, n.at.line, n.reason) for n in app.app.graph.not_run_locally]
    assert named == [("Elsewhere", line_of(HTTP, "  Elsewhere:", "      Target: "
                                           "!Join [/, [integrations, !Ref HttpProxy]]"),
                      "GET /elsewhere: its integration HttpProxy: the AWS service "
                      "integration Kinesis-PutRecord is not run locally (SQS-SendMessage, "
                      "SQS-ReceiveMessage, SQS-DeleteMessage, SQS-PurgeQueue and "
                      "EventBridge-PutEvents are), so this route is not served")]
    reply = app.get("/elsewhere")
    assert (reply.status, reply.json()) == (404, {"message": "Not Found"})
