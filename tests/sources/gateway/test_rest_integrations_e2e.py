"""REST API non-proxy integrations end to end: a real app (functions in processes), a real
HTTP client, boto3 on the local endpoint, and a local HTTP server (127.0.0.1, port 0) behind
the http routes. Behaviour as the developer guide's "Set up Lambda custom integrations in API
Gateway", "Handle Lambda errors in API Gateway", "Set up mock integrations in API Gateway",
"Tutorial: Create a REST API as an Amazon SQS proxy" and "... as an Amazon S3 proxy"
describe it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from samlite.testing import RunningApp
from tests.sources.gateway.test_http_integrations_e2e import _Backend

LAMBDA_URI = ("arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
              "${Greeter.Arn}/invocations")

SAM = f"""\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  BackendUrl: {{Type: String, Default: "http://127.0.0.1:9"}}
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Files:
    Type: AWS::S3::Bucket
  Greeter:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            if not event.get("name"):
                raise ValueError("Invalid input: name is required")
            return {{"greeting": "Hello " + event["name"], "via": event.get("via")}}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        swagger: "2.0"
        info: {{title: mapped, version: "1"}}
        x-amazon-apigateway-binary-media-types: [image/png]
        paths:
          /greet/{{tag}}:
            post:
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: !Sub "{LAMBDA_URI}"
                requestTemplates:
                  application/json: >-
                    {{"name": "$input.path('$.who')",
                    "via": "$context.httpMethod $input.params('tag') $context.stage"}}
                responses:
                  "Invalid input.*":
                    statusCode: "400"
                    responseTemplates:
                      application/json: >-
                        {{"error": "$input.path('$.errorMessage')", "type":
                        "$input.path('$.errorType')"}}
                  default:
                    statusCode: "200"
                    responseParameters:
                      method.response.header.X-Greeter: "'yes'"
          /health:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates:
                  application/json: '{{"statusCode": $input.params("code")}}'
                responses:
                  "5\\\\d\\\\d":
                    statusCode: "503"
                    responseTemplates:
                      application/json: '{{"status": "down"}}'
                  default:
                    statusCode: "200"
                    responseTemplates:
                      application/json: '{{"status": "ok", "stage": "$context.stage"}}'
          /jobs:
            post:
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: !Sub "arn:aws:apigateway:${{AWS::Region}}:sqs:path/\\
                  ${{AWS::AccountId}}/${{Jobs.QueueName}}"
                passthroughBehavior: never
                requestParameters:
                  integration.request.header.Content-Type: "'application/x-www-form-urlencoded'"
                requestTemplates:
                  application/json: Action=SendMessage&MessageBody=$util.urlEncode($input.body)
                responses:
                  default: {{statusCode: "200"}}
          /jobs/by-action:
            post:
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: !Sub "arn:aws:apigateway:${{AWS::Region}}:sqs:action/SendMessage"
                requestParameters:
                  integration.request.querystring.QueueUrl: !Sub "'${{Jobs}}'"
                  integration.request.querystring.MessageBody: method.request.body.note
                responses:
                  default: {{statusCode: "200"}}
          /files/{{key}}:
            get:
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: GET
                uri: !Sub "arn:aws:apigateway:${{AWS::Region}}:s3:path/${{Files}}/{{key}}"
                requestParameters:
                  integration.request.path.key: method.request.path.key
                responses:
                  "404": {{statusCode: "404"}}
                  default:
                    statusCode: "200"
                    responseParameters:
                      method.response.header.Content-Type: integration.response.header.Content-Type
            put:
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: PUT
                uri: !Sub "arn:aws:apigateway:${{AWS::Region}}:s3:path/${{Files}}/{{key}}"
                requestParameters:
                  integration.request.path.key: method.request.path.key
                responses:
                  default: {{statusCode: "200"}}
          /backend/{{id}}:
            get:
              x-amazon-apigateway-integration:
                type: http
                httpMethod: POST
                uri: !Sub "${{BackendUrl}}/items/{{id}}"
                requestParameters:
                  integration.request.path.id: method.request.path.id
                  integration.request.querystring.from: "'gateway'"
                requestTemplates:
                  application/json: '{{"asked": "$input.params(''id'')"}}'
                responses:
                  default:
                    statusCode: "200"
                    responseTemplates:
                      application/json: >-
                        {{"backend_saw": $input.json('$.body'),
                        "path": "$input.path('$.path')"}}
          /pass/{{proxy+}}:
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: ANY
                uri: !Sub "${{BackendUrl}}/{{proxy}}"
                requestParameters:
                  integration.request.path.proxy: method.request.path.proxy
          /stream:
            post:
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: arn:aws:apigateway:us-east-1:kinesis:action/PutRecord
  Plain:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: plain
      BinaryMediaTypes: [application~1octet-stream]
  PlainGreet:
    Type: AWS::ApiGateway::Resource
    Properties: {{RestApiId: !Ref Plain, ParentId: !GetAtt Plain.RootResourceId,
                 PathPart: plain-greet}}
  PlainGreetPost:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Plain
      ResourceId: !Ref PlainGreet
      HttpMethod: POST
      AuthorizationType: NONE
      Integration:
        Type: AWS
        IntegrationHttpMethod: POST
        Uri: !Sub "{LAMBDA_URI}"
        RequestTemplates:
          application/json: '{{"name": "$input.params(''name'')"}}'
        IntegrationResponses:
          - StatusCode: "200"
            ResponseTemplates:
              application/json: '$input.path(''$.greeting'')'
          - StatusCode: "422"
            SelectionPattern: "Invalid.*"
      MethodResponses:
        - StatusCode: "200"
        - StatusCode: "422"
  PlainStage:
    Type: AWS::ApiGateway::Stage
    Properties: {{RestApiId: !Ref Plain, StageName: v1, DeploymentId: !Ref PlainDeployment}}
  PlainDeployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: [PlainGreetPost]
    Properties: {{RestApiId: !Ref Plain}}
"""

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def backend() -> Iterator[_Backend]:
    server = _Backend()
    yield server
    server.close()


@pytest.fixture
def app(tmp_path: Path, samlite_app_factory: Callable[..., RunningApp],
        backend: _Backend) -> RunningApp:
    (tmp_path / "template.yaml").write_text(SAM)
    return samlite_app_factory(tmp_path / "template.yaml",
                               parameter_overrides={"BackendUrl": backend.url})


def test_a_request_template_reshapes_the_body_the_function_gets(app: RunningApp) -> None:
    reply = app.request("POST", "/greet/t1", body=json.dumps({"who": "Ada"}), headers=JSON)
    assert reply.status == 200
    assert reply.json() == {"greeting": "Hello Ada", "via": "POST t1 prod"}
    assert reply.headers["x-greeter"] == "yes"
    assert reply.headers["content-type"] == "application/json"


def test_a_selection_pattern_turns_a_handler_error_into_a_mapped_400(app: RunningApp) -> None:
    reply = app.request("POST", "/greet/t1", body=json.dumps({"who": ""}), headers=JSON)
    assert reply.status == 400
    assert reply.json() == {"error": "Invalid input: name is required", "type": "ValueError"}


def test_an_unmatched_content_type_passes_through_when_no_match(app: RunningApp) -> None:
    # WHEN_NO_MATCH (the default): a text/plain body has no template, so the function gets
    # the body as sent (JSON text here, so Lambda takes it as the event).
    reply = app.request("POST", "/greet/t1", body=json.dumps({"name": "Raw"}),
                        headers={"Content-Type": "text/plain"})
    assert reply.status == 200
    assert reply.json() == {"greeting": "Hello Raw", "via": None}


def test_a_mock_answers_from_its_templates(app: RunningApp) -> None:
    ok = app.get("/health?code=200")
    down = app.get("/health?code=503")
    assert (ok.status, ok.json()) == (200, {"status": "ok", "stage": "prod"})
    assert (down.status, down.json()) == (503, {"status": "down"})


def test_an_sqs_send_message_route_puts_the_body_on_the_queue(app: RunningApp) -> None:
    order = {"order": 7, "note": "a & b = c"}
    reply = app.request("POST", "/jobs", body=json.dumps(order), headers=JSON)
    assert reply.status == 200, reply.text
    assert b"SendMessageResponse" in reply.body
    got = app.sqs.receive_message(QueueUrl=app.queue_url("Jobs"),
                                  WaitTimeSeconds=1)["Messages"]
    assert [json.loads(m["Body"]) for m in got] == [order]


def test_an_sqs_action_route_sends_its_mapped_query_parameters(app: RunningApp) -> None:
    reply = app.request("POST", "/jobs/by-action", body=json.dumps({"note": "by action"}),
                        headers=JSON)
    assert reply.status == 200, reply.text
    got = app.sqs.receive_message(QueueUrl=app.queue_url("Jobs"),
                                  WaitTimeSeconds=1)["Messages"]
    assert [m["Body"] for m in got] == ["by action"]


def test_never_refuses_a_content_type_without_a_template(app: RunningApp) -> None:
    reply = app.request("POST", "/jobs", body="x", headers={"Content-Type": "text/plain"})
    assert (reply.status, reply.json()) == (415, {"message": "Unsupported Media Type"})


def test_s3_object_routes_put_and_get_objects(app: RunningApp) -> None:
    bucket = app.bucket_name("Files")
    put = app.request("PUT", "/files/notes.txt", body="hello s3",
                      headers={"Content-Type": "text/plain"})
    assert put.status == 200, put.text
    assert app.s3.get_object(Bucket=bucket, Key="notes.txt")["Body"].read() == b"hello s3"
    app.s3.put_object(Bucket=bucket, Key="other.json", Body=b'{"a": 1}',
                      ContentType="application/json")
    got = app.get("/files/other.json")
    assert (got.status, got.body, got.headers["content-type"]) == (
        200, b'{"a": 1}', "application/json")
    assert app.get("/files/missing.txt").status == 404


def test_an_http_integration_maps_both_ways(app: RunningApp, backend: _Backend) -> None:
    reply = app.request("GET", "/backend/42?ignored=1", headers=JSON)
    assert reply.status == 200, reply.text
    assert reply.json() == {"backend_saw": '{"asked": "42"}', "path": "/items/42?from=gateway"}
    assert backend.seen[-1]["method"] == "POST"


def test_an_http_proxy_integration_forwards_the_request_whole(app: RunningApp,
                                                              backend: _Backend) -> None:
    reply = app.request("PUT", "/pass/a/b?x=1", body="raw", headers={"X-Mine": "m"})
    assert reply.status == 201
    seen: dict[str, Any] = reply.json()
    assert (seen["method"], seen["path"], seen["body"], seen["headers"]["x-mine"]) == (
        "PUT", "/a/b?x=1", "raw", "m")


def test_a_plain_method_with_an_aws_integration_maps_its_responses(app: RunningApp) -> None:
    ok = app.request("POST", "/plain-greet?name=Grace", body="{}", headers=JSON)
    bad = app.request("POST", "/plain-greet", body="{}", headers=JSON)
    assert (ok.status, ok.body) == (200, b"Hello Grace")
    assert bad.status == 422
    assert json.loads(bad.body)["errorMessage"] == "Invalid input: name is required"


def test_the_graph_names_what_it_cannot_serve_and_reads_binary_media_types(
        app: RunningApp) -> None:
    graph = app.app.graph
    assert [(n.subject, n.reason) for n in graph.not_run_locally] == [
        ("Api.DefinitionBody", "POST /stream: the AWS service integration to kinesis is not "
                               "run locally (SQS and S3 ones are), so this route is not served")]
    assert graph.api("Api").binary_media_types == ("image/png",)
    assert graph.api("Plain").binary_media_types == ("application~1octet-stream",)
    targets = {(r.method, r.path): r.target for r in graph.routes}
    assert targets[("POST", "/greet/{tag}")] == "Greeter (Lambda, mapping templates)"
    assert targets[("GET", "/health")] == "MOCK"
    assert targets[("POST", "/jobs")].startswith("AWS POST sqs:path/123456789012/")
    assert {(e.source, e.target) for e in graph.edges
            if e.kind.value == "integration"} == {("Api", "Jobs"), ("Api", "Files")}
