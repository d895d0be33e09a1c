"""HTTP API integrations other than a Lambda proxy, end to end: a real app, a real HTTP
client, boto3 on the local endpoint, and a local HTTP server (127.0.0.1, port 0) behind the
HTTP_PROXY routes. Behaviour as "Working with AWS service integrations for HTTP APIs" (the
SQS subtypes and their parameters) and "Working with HTTP proxy integrations for HTTP APIs"
describe it."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from samlite.testing import RunningApp

SAM = """\
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
        openapi: "3.0.1"
        info: {title: integrations, version: "1"}
        paths:
          /jobs:
            post:
              x-amazon-apigateway-integration:
                type: aws_proxy
                integrationSubtype: SQS-SendMessage
                credentials: arn:aws:iam::123456789012:role/ApiToSqs
                payloadFormatVersion: "1.0"
                requestParameters:
                  QueueUrl: !Ref Jobs
                  MessageBody: $request.body.message
                  MessageAttributes: >-
                    {"source": {"DataType": "String", "StringValue": "api"}}
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                integrationSubtype: SQS-ReceiveMessage
                payloadFormatVersion: "1.0"
                requestParameters:
                  QueueUrl: !Ref Jobs
                  MaxNumberOfMessages: $request.querystring.max
            delete:
              x-amazon-apigateway-integration:
                type: aws_proxy
                integrationSubtype: SQS-DeleteMessage
                payloadFormatVersion: "1.0"
                requestParameters:
                  QueueUrl: !Ref Jobs
                  ReceiptHandle: $request.header.x-receipt
          /jobs/all:
            delete:
              x-amazon-apigateway-integration:
                type: aws_proxy
                integrationSubtype: SQS-PurgeQueue
                payloadFormatVersion: "1.0"
                requestParameters: {QueueUrl: !Ref Jobs}
          /tagged/{tag}:
            post:
              x-amazon-apigateway-integration:
                type: aws_proxy
                integrationSubtype: SQS-SendMessage
                payloadFormatVersion: "1.0"
                requestParameters:
                  QueueUrl: !Ref Jobs
                  MessageBody: $request.path.tag
          /nowhere:
            post:
              x-amazon-apigateway-integration:
                type: aws_proxy
                integrationSubtype: SQS-SendMessage
                payloadFormatVersion: "1.0"
                requestParameters:
                  QueueUrl: https://sqs.us-east-1.amazonaws.com/123456789012/missing
                  MessageBody: $request.body
          /backend/{proxy+}:
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: ANY
                uri: !Sub "${BackendUrl}/v1/{proxy}"
                payloadFormatVersion: "1.0"
                requestParameters:
                  overwrite:header.x-request-id: $context.requestId
                  append:querystring.from: gateway
                  remove:header.x-secret: "''"
"""

PLAIN = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Orders:
    Type: AWS::SQS::Queue
    Properties: {FifoQueue: true, QueueName: orders.fifo, ContentBasedDeduplication: true}
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: plain, ProtocolType: HTTP}
  Send:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Http
      IntegrationType: AWS_PROXY
      IntegrationSubtype: SQS-SendMessage
      PayloadFormatVersion: "1.0"
      CredentialsArn: arn:aws:iam::123456789012:role/ApiToSqs
      RequestParameters:
        QueueUrl: !Ref Orders
        MessageBody: $request.body
        MessageGroupId: $request.header.x-customer
  SendRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Http
      RouteKey: POST /orders
      Target: !Sub integrations/${Send}
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Http, StageName: $default, AutoDeploy: true}
"""


class _Backend:
    """A local HTTP server that answers 201 with what it received, as JSON."""

    def __init__(self) -> None:
        seen: list[dict[str, Any]] = []

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length).decode()
                got = {"method": self.command, "path": self.path, "body": body,
                       "headers": {k.lower(): v for k, v in self.headers.items()}}
                seen.append(got)
                data = json.dumps(got).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Backend", "yes")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.seen = seen
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def backend() -> Iterator[_Backend]:
    server = _Backend()
    yield server
    server.close()


def start(tmp_path: Path, factory: Callable[..., RunningApp], text: str,
          **options: Any) -> RunningApp:
    (tmp_path / "template.yaml").write_text(text)
    return factory(tmp_path / "template.yaml", **options)


@pytest.fixture
def app(tmp_path: Path, samlite_app_factory: Callable[..., RunningApp],
        backend: _Backend) -> RunningApp:
    return start(tmp_path, samlite_app_factory, SAM,
                 parameter_overrides={"BackendUrl": backend.url})


def test_send_message_route_puts_the_mapped_body_on_the_queue(app: RunningApp) -> None:
    reply = app.request("POST", "/jobs", body=json.dumps({"message": "build #7"}),
                        headers={"Content-Type": "application/json"})
    assert reply.status == 200
    assert "apigw-requestid" in reply.headers
    sent_id = reply.json()["MessageId"]
    got = app.sqs.receive_message(QueueUrl=app.queue_url("Jobs"), MessageAttributeNames=["All"],
                                  WaitTimeSeconds=1)["Messages"]
    assert [(m["MessageId"], m["Body"]) for m in got] == [(sent_id, "build #7")]
    assert got[0]["MessageAttributes"]["source"]["StringValue"] == "api"


def test_a_path_parameter_can_be_the_message_body(app: RunningApp) -> None:
    assert app.request("POST", "/tagged/urgent").status == 200
    got = app.sqs.receive_message(QueueUrl=app.queue_url("Jobs"), WaitTimeSeconds=1)
    assert [m["Body"] for m in got["Messages"]] == ["urgent"]


def test_receive_then_delete_routes_take_the_message_off_the_queue(app: RunningApp) -> None:
    app.sqs.send_message(QueueUrl=app.queue_url("Jobs"), MessageBody="one")
    received = app.request("GET", "/jobs?max=5").json()["Messages"]
    assert [m["Body"] for m in received] == ["one"]
    deleted = app.request("DELETE", "/jobs",
                          headers={"x-receipt": received[0]["ReceiptHandle"]})
    assert deleted.status == 200
    attributes = app.sqs.get_queue_attributes(
        QueueUrl=app.queue_url("Jobs"),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
    assert attributes["Attributes"] == {"ApproximateNumberOfMessages": "0",
                                        "ApproximateNumberOfMessagesNotVisible": "0"}


def test_purge_route_empties_the_queue(app: RunningApp) -> None:
    for body in ("a", "b"):
        app.sqs.send_message(QueueUrl=app.queue_url("Jobs"), MessageBody=body)
    assert app.request("DELETE", "/jobs/all").status == 200
    got = app.sqs.receive_message(QueueUrl=app.queue_url("Jobs"), WaitTimeSeconds=0)
    assert got.get("Messages", []) == []


def test_sqs_errors_pass_through_with_their_status(app: RunningApp) -> None:
    missing_queue = app.request("POST", "/nowhere", body="hi")
    assert missing_queue.status == 400
    assert "QueueDoesNotExist" in missing_queue.text
    # No x-receipt header: the mapping finds nothing, and SQS names what is missing.
    no_handle = app.request("DELETE", "/jobs")
    assert no_handle.status == 400
    assert "ReceiptHandle" in no_handle.text


def test_http_proxy_forwards_the_request_with_its_mapping(app: RunningApp,
                                                          backend: _Backend) -> None:
    reply = app.request("PUT", "/backend/items/42?color=red", body="payload",
                        headers={"x-secret": "s3cret", "x-kept": "yes"})
    assert (reply.status, reply.headers["x-backend"]) == (201, "yes")
    got = reply.json()
    assert (got["method"], got["path"], got["body"]) == \
        ("PUT", "/v1/items/42?color=red&from=gateway", "payload")
    assert got["headers"]["x-kept"] == "yes"
    assert "x-secret" not in got["headers"]
    assert got["headers"]["x-request-id"] == reply.headers["apigw-requestid"]


def test_http_proxy_to_a_closed_port_answers_500(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    closed = _Backend()
    closed.close()     # its port now refuses connections
    app = start(tmp_path, samlite_app_factory, SAM,
                parameter_overrides={"BackendUrl": closed.url})
    reply = app.request("GET", "/backend/x")
    assert (reply.status, reply.body) == (500, b'{"message":"Internal Server Error"}')


def test_plain_resources_send_to_a_fifo_queue_with_a_mapped_group(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> None:
    app = start(tmp_path, samlite_app_factory, PLAIN)
    reply = app.request("POST", "/orders", body="order 1", headers={"x-customer": "ada"})
    assert reply.status == 200
    got = app.sqs.receive_message(QueueUrl=app.queue_url("Orders"), WaitTimeSeconds=1,
                                  AttributeNames=["MessageGroupId"])["Messages"]
    assert [(m["Body"], m["Attributes"]["MessageGroupId"]) for m in got] == \
        [("order 1", "ada")]


def test_sqs_refuses_an_empty_message_sent_through_the_integration(app: RunningApp) -> None:
    # SQS API Reference "SendMessage": the body is at least one character; an empty one is
    # answered MissingParameter, and the integration passes SQS's 400 through.
    empty = app.request("POST", "/jobs", body=json.dumps({"message": ""}),
                        headers={"content-type": "application/json"})
    assert empty.status == 400
    assert "The request must contain the parameter MessageBody." in empty.text
    control = app.request("POST", "/jobs", body=json.dumps({"message": "a\u0001"}),
                          headers={"content-type": "application/json"})
    assert control.status == 400
    assert "InvalidMessageContents" in control.text
    got = app.sqs.receive_message(QueueUrl=app.queue_url("Jobs"), WaitTimeSeconds=0)
    assert got.get("Messages", []) == []
