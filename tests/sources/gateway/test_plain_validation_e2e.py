"""Plain AWS::ApiGateway::RequestValidator / Model / Method RequestParameters served through
the gateway: a real app (functions in processes) and a real HTTP client."""

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
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {"statusCode": 200, "body": event["body"] or ""}
  Rest:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: plain}
  Person:
    Type: AWS::ApiGateway::Model
    Properties:
      RestApiId: !Ref Rest
      ContentType: application/json
      Name: Person
      Schema: '{"type": "object", "required": ["name"]}'
  Both:
    Type: AWS::ApiGateway::RequestValidator
    Properties: {RestApiId: !Ref Rest, ValidateRequestBody: true,
                 ValidateRequestParameters: true}
  People:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Rest, ParentId: !GetAtt Rest.RootResourceId, PathPart: people}
  PeoplePost:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Rest
      ResourceId: !Ref People
      HttpMethod: POST
      AuthorizationType: NONE
      RequestValidatorId: !Ref Both
      RequestParameters: {method.request.querystring.page: true}
      RequestModels: {application/json: !Ref Person}
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/\\
          ${Echo.Arn}/invocations"
"""


@pytest.fixture
def app(tmp_path: Path, samlite_app_factory: Callable[..., RunningApp]) -> RunningApp:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    return samlite_app_factory(tmp_path / "template.yaml", aws_port=None)


def post(app: RunningApp, path: str, body: object) -> tuple[int, bytes]:
    reply = app.request("POST", path, body=json.dumps(body),
                        headers={"Content-Type": "application/json"})
    return reply.status, reply.body


def test_a_valid_request_reaches_the_function(app: RunningApp) -> None:
    assert post(app, "/people?page=1", {"name": "Ada"}) == (200, b'{"name": "Ada"}')


def test_a_missing_required_query_string_is_400_naming_it(app: RunningApp) -> None:
    assert post(app, "/people", {"name": "Ada"}) == (
        400, b'{"message":"Missing required request parameters: [page]"}')


def test_a_body_against_the_model_is_400(app: RunningApp) -> None:
    assert post(app, "/people?page=1", {"nom": "Ada"}) == (
        400, b'{"message":"Invalid request body"}')
