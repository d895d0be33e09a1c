"""Throttling and quotas the local gateway never applies are named under Not run locally,
one line each with where the template sets them."""

from __future__ import annotations

from samlite.graph.readers.api_throttling import NOT_APPLIED
from tests.sources.gateway.test_server import graph_of

TEMPLATE = """
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      MethodSettings: [{HttpMethod: "*", ResourcePath: "/*", ThrottlingBurstLimit: 5}]
      Auth:
        UsagePlan:
          CreateUsagePlan: PER_API
          Throttle: {RateLimit: 1}
          Quota: {Limit: 10, Period: DAY}
  Logged:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      MethodSettings: [{HttpMethod: "*", ResourcePath: "/*", LoggingLevel: INFO}]
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefaultRouteSettings: {ThrottlingBurstLimit: 1}
      RouteSettings: {"GET /x": {ThrottlingRateLimit: 2}}
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties: {Throttle: {RateLimit: 1}}
"""


def test_each_throttling_setting_is_named_with_its_line() -> None:
    named = [(n.subject, n.at.line) for n in graph_of(TEMPLATE).not_run_locally
             if n.reason == NOT_APPLIED]
    assert named == [("Api.MethodSettings throttling", 8),
                     ("Api.Auth.UsagePlan.Throttle", 12),
                     ("Api.Auth.UsagePlan.Quota", 13),
                     ("Http.DefaultRouteSettings throttling", 22),
                     ("Http.RouteSettings throttling", 23),
                     ("Plan.Throttle", 26)]
