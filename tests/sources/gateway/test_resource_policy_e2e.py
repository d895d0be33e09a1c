"""A REST API's resource policy IP ranges (SAM Auth.ResourcePolicy, on the Api and on an
event) decided against the client's address through the gateway (port 0, a real HTTP
client from 127.0.0.1); what cannot be decided locally is named under Not run locally."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from samlite.sources.gateway.server import HttpGateway
from tests.sources.gateway.test_server import Scripted, call, graph_of

TEMPLATE = """
Resources:
  Office:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Auth:
        ResourcePolicy:
          IpRangeWhitelist: ["{allowed}"]
          SourceVpcWhitelist: [vpc-1234]
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      CodeUri: src
      Events:
        Report:
          Type: Api
          Properties: {{RestApiId: !Ref Office, Path: /report, Method: get}}
        Local:
          Type: Api
          Properties:
            Path: /local
            Method: get
            Auth:
              ResourcePolicy: {{IpRangeBlacklist: ["127.0.0.0/8"]}}
        Open:
          Type: Api
          Properties: {{Path: /open, Method: get}}
"""


@pytest.fixture
def gateway() -> Iterator[HttpGateway]:
    with HttpGateway(graph_of(TEMPLATE.format(allowed="10.0.0.0/8")), Scripted(),
                     port=0) as served:
        yield served


@pytest.mark.parametrize("path", ["/report", "/local"])
def test_a_client_outside_the_allowed_or_inside_a_denied_range_is_denied(
        gateway: HttpGateway, path: str) -> None:
    status, headers, body = call(gateway.url, path=path)
    assert (status, headers["x-amzn-errortype"]) == (403, "AccessDeniedException")
    message = json.loads(body)["Message"]
    assert message.startswith("User: anonymous is not authorized to perform: "
                              "execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:")
    assert message.endswith(f"/Prod/GET{path} with an explicit deny")


def test_a_route_without_a_policy_serves(gateway: HttpGateway) -> None:
    assert call(gateway.url, path="/open")[0] == 200


def test_a_client_inside_the_allowed_range_is_served() -> None:
    graph = graph_of(TEMPLATE.format(allowed="127.0.0.1/32"))
    with HttpGateway(graph, Scripted(), port=0) as gateway:
        assert call(gateway.url, path="/report")[0] == 200


def test_what_cannot_be_decided_is_named_with_its_line() -> None:
    graph = graph_of(TEMPLATE.format(allowed="10.0.0.0/8"))
    [vpc] = [n for n in graph.not_run_locally if "SourceVpcWhitelist" in n.subject]
    assert (vpc.subject, vpc.at.line) == ("Office.Auth.ResourcePolicy.SourceVpcWhitelist", 11)
    assert "aws:SourceVpc cannot be decided" in vpc.reason


PLAIN = """
Resources:
  Rest:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: plain
      Policy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: execute-api:Invoke
            Resource: execute-api:/*/GET/*
          - Effect: Deny
            Principal: "*"
            Action: execute-api:Invoke
            Resource: execute-api:/*/GET/secret
            Condition: {{IpAddress: {{aws:SourceIp: ["{denied}"]}}}}
          - Effect: Deny
            Principal: {{AWS: "arn:aws:iam::123456789012:role/Intruder"}}
            Action: execute-api:Invoke
            Resource: execute-api:/*
      Body:
        swagger: "2.0"
        paths:
          /{{page}}:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {{application/json: '{{"statusCode": 200}}'}}
                responses: {{default: {{statusCode: "200"}}}}
            post:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {{application/json: '{{"statusCode": 200}}'}}
                responses: {{default: {{statusCode: "200"}}}}
"""


@pytest.fixture
def plain() -> Iterator[HttpGateway]:
    with HttpGateway(graph_of(PLAIN.format(denied="127.0.0.1/32")), Scripted(),
                     port=0) as served:
        yield served


def test_a_policy_documents_allow_and_ip_deny_decide_the_request(plain: HttpGateway) -> None:
    assert call(plain.url, path="/public")[0] == 200
    status, _, body = call(plain.url, path="/secret")
    assert status == 403
    assert json.loads(body)["Message"].endswith("/GET/secret with an explicit deny")


def test_a_request_no_allow_covers_is_implicitly_denied(plain: HttpGateway) -> None:
    status, _, body = call(plain.url, "POST", "/public", body=b"{}",
                           headers={"Content-Type": "application/json"})
    message = json.loads(body)["Message"]
    assert (status, message.endswith("/POST/public")) == (403, True)


def test_a_statement_about_an_iam_principal_is_named_not_applied() -> None:
    graph = graph_of(PLAIN.format(denied="10.0.0.0/8"))
    [named] = [n for n in graph.not_run_locally if n.subject == "Rest.Policy Statement 3"]
    assert "its principal" in named.reason and "Deny is not applied" in named.reason
    with HttpGateway(graph, Scripted(), port=0) as gateway:
        assert call(gateway.url, path="/secret")[0] == 200
