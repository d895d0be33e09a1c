"""REST request validation and API keys end to end: a real app (functions in processes) and a
real HTTP client. Answers as API Gateway gives them ("Request validation for REST APIs in API
Gateway", "Gateway response types for API Gateway")."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
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
      Auth: {ApiKeyRequired: true}
      Models:
        Person:
          type: object
          required: [name]
          properties: {name: {type: string}}
  Key:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Enabled: true, Value: s3cret-value-of-twenty}
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        def handler(event, context):
            return {"statusCode": 200, "body": event["body"] or "reached"}
      Events:
        People:
          Type: Api
          Properties:
            RestApiId: !Ref Rest
            Path: /people
            Method: post
            RequestModel: {Model: Person, Required: true, ValidateBody: true,
                           ValidateParameters: true}
            RequestParameters:
              - method.request.querystring.page: {Required: true}
              - method.request.header.x-trace
        Unvalidated:
          Type: Api
          Properties:
            RestApiId: !Ref Rest
            Path: /loose
            Method: post
            RequestModel: {Model: Person}
        Open:
          Type: Api
          Properties:
            RestApiId: !Ref Rest
            Path: /open
            Method: get
            Auth: {ApiKeyRequired: false}
"""
KEY = {"x-api-key": "s3cret-value-of-twenty"}


@pytest.fixture
def app(tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> RunningApp:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    return samlite_app_factory(tmp_path / "template.yaml", aws_port=None, http_port=0)


@dataclass(frozen=True)
class Answer:
    status_code: int
    content: bytes


def send(app: RunningApp, method: str, path: str, body: bytes | None = None,
         **headers: str) -> Answer:
    where = urlsplit(app.url)
    assert where.hostname == "127.0.0.1"
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(status_code=response.status, content=response.read())
    finally:
        connection.close()


def post(app: RunningApp, path: str, body: object, **headers: str) -> Answer:
    return send(app, "POST", path, json.dumps(body).encode(),
                **{"Content-Type": "application/json", **headers})


def test_a_valid_request_reaches_the_function(app: RunningApp) -> None:
    response = post(app, "/people?page=1", {"name": "Ada"}, **KEY)
    assert (response.status_code, json.loads(response.content)) == (200, {"name": "Ada"})


def test_a_body_against_the_model_is_400(app: RunningApp) -> None:
    response = post(app, "/people?page=1", {"nom": "Ada"}, **KEY)
    assert (response.status_code, response.content) == (
        400, b'{"message":"Invalid request body"}')


def test_a_missing_required_parameter_is_400_naming_it(app: RunningApp) -> None:
    response = post(app, "/people", {"name": "Ada"}, **KEY)
    assert (response.status_code, response.content) == (
        400, b'{"message":"Missing required request parameters: [page]"}')


def test_a_model_without_a_validator_is_not_checked(app: RunningApp) -> None:
    response = post(app, "/loose", {"nom": "Ada"}, **KEY)
    assert response.status_code == 200


@pytest.mark.parametrize("headers", [{}, {"x-api-key": "guess"}], ids=["no key", "wrong key"])
def test_a_route_requiring_a_key_refuses_others_with_403(app: RunningApp,
                                                          headers: dict[str, str]) -> None:
    response = post(app, "/people?page=1", {"name": "Ada"}, **headers)
    assert (response.status_code, response.content) == (403, b'{"message":"Forbidden"}')


def test_the_key_is_checked_before_the_body(app: RunningApp) -> None:
    assert post(app, "/people", {}).status_code == 403


def test_an_event_can_turn_the_apis_key_requirement_off(app: RunningApp) -> None:
    response = send(app, "GET", "/open")
    assert (response.status_code, response.content) == (200, b"reached")


def test_keys_with_known_values_need_no_startup_note(app: RunningApp) -> None:
    assert app.app.gateway is not None
    assert app.app.gateway.api_key_notes == []
