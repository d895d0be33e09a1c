"""An HTTP API's OpenAPI x-amazon-apigateway-cors answers preflights and decorates responses
as CorsConfiguration does; CorsConfiguration's keys take over the document's, as SAM merges
them. Through the real gateway, port 0, a real HTTP client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from samlite.graph.build import build_graph
from samlite.sources.gateway.server import HttpGateway
from samlite.template.includes import expand
from samlite.template.load import load_template
from samlite.template.model import PseudoParameters
from samlite.template.resolve import resolve
from tests.sources.gateway.test_server import Scripted, call, graph_of

# The shape of corpus app api-sqs-lambda-python: the document comes in with AWS::Include.
INCLUDED = """\
openapi: "3.0.1"
info: {title: orders, version: "1"}
paths:
  /orders:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: {"Fn::GetAtt": [Fn, Arn]}
        payloadFormatVersion: "2.0"
x-amazon-apigateway-cors:
  allowOrigins: ["*"]
  allowMethods: ["*"]
  maxAge: 0
  allowCredentials: false
"""
TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters: {Location: api.yaml}
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: index.handler, CodeUri: src}
"""


@pytest.fixture
def included(tmp_path: Path) -> Iterator[HttpGateway]:
    (tmp_path / "api.yaml").write_text(INCLUDED)
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    graph = build_graph(resolve(expand(load_template(tmp_path / "template.yaml")),
                                pseudo=PseudoParameters()))
    with HttpGateway(graph, Scripted(), port=0) as gateway:
        yield gateway


def test_the_documents_cors_answers_a_preflight(included: HttpGateway) -> None:
    status, headers, _ = call(included.url, "OPTIONS", "/orders", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST"})
    assert (status, headers.get("access-control-allow-origin"),
            headers.get("access-control-allow-methods")) == (204, "*", "*")


def test_the_documents_cors_decorates_a_response(included: HttpGateway) -> None:
    status, headers, _ = call(included.url, "POST", "/orders", body=b"{}",
                              headers={"Origin": "https://app.example"})
    assert (status, headers.get("access-control-allow-origin")) == (200, "*")


BOTH = """
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration:
        AllowOrigins: ["https://app.example"]
        AllowCredentials: false
      DefinitionBody:
        openapi: "3.0.1"
        paths: {}
        x-amazon-apigateway-cors:
          allowOrigins: ["https://other.example"]
          allowMethods: [GET, PUT]
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      CodeUri: src
      Events:
        Get:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Path: /items, Method: get}
"""


def test_cors_configuration_keys_take_over_the_documents() -> None:
    with HttpGateway(graph_of(BOTH), Scripted(), port=0) as gateway:
        def preflight(origin: str) -> dict[str, str]:
            return call(gateway.url, "OPTIONS", "/items", headers={
                "Origin": origin, "Access-Control-Request-Method": "PUT"})[1]
        mine, other = preflight("https://app.example"), preflight("https://other.example")
    # AllowOrigins from CorsConfiguration; allowMethods kept from the document.
    assert (mine.get("access-control-allow-origin"), mine.get("access-control-allow-methods"),
            other.get("access-control-allow-origin")) == ("https://app.example", "GET,PUT",
                                                          None)
