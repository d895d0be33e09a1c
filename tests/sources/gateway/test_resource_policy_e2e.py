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
