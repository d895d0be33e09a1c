"""A key-required REST method's event names the key the client sent, as API Gateway fills
requestContext.identity.apiKey / apiKeyId; a method without the requirement has them null."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from samlite.sources.gateway.server import HttpGateway
from tests.sources.gateway.test_server import Scripted, call, graph_of

TEMPLATE = """
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: Prod}
  PartnerKey:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Enabled: true, Value: partner-key-of-twenty-chars}
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
        Open:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /open, Method: get}
"""


@pytest.fixture
def gateway() -> Iterator[HttpGateway]:
    with HttpGateway(graph_of(TEMPLATE), Scripted(), port=0) as served:
        yield served


def identity(gateway: HttpGateway, path: str) -> dict[str, object]:
    status, _, body = call(gateway.url, path=path,
                           headers={"x-api-key": "partner-key-of-twenty-chars"})
    assert status == 200
    return json.loads(body)["requestContext"]["identity"]  # type: ignore[no-any-return]


def test_a_key_required_method_sees_the_key_and_its_id(gateway: HttpGateway) -> None:
    found = identity(gateway, "/keyed")
    assert (found["apiKey"], found["apiKeyId"]) == ("partner-key-of-twenty-chars", "PartnerKey")


def test_a_method_without_the_requirement_sees_no_key(gateway: HttpGateway) -> None:
    found = identity(gateway, "/open")
    assert (found["apiKey"], found["apiKeyId"]) == (None, None)
