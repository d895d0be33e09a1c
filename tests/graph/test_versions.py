"""Versions and aliases in the graph: AutoPublishAlias, AWS::Lambda::Version/Alias, which
alias event sources invoke, and what startup names as not run."""

from __future__ import annotations

from textwrap import dedent

import pytest

from samlite.graph.build import build_graph
from samlite.graph.model import Graph
from samlite.graph.render import render_text
from samlite.template.load import parse_template
from samlite.template.resolve import resolve

SAM = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src
      AutoPublishAlias: live
      ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: 2}
      DeploymentPreference:
        Type: Canary10Percent5Minutes
      Events:
        Work:
          Type: SQS
          Properties: {Queue: !GetAtt Jobs.Arn}
"""

PLAIN = """
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Role: arn:aws:iam::123456789012:role/r
      Code: src
  WorkerVersion:
    Type: AWS::Lambda::Version
    Properties: {FunctionName: !Ref Worker}
  WorkerAlias:
    Type: AWS::Lambda::Alias
    Properties:
      FunctionName: !Ref Worker
      FunctionVersion: !GetAtt WorkerVersion.Version
      Name: prod
      ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: 1}
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Jobs.Arn
      FunctionName: {mapping_function}
"""


def graph_of(template: str) -> Graph:
    return build_graph(resolve(parse_template(dedent(template), name="template.yaml")))


def test_auto_publish_alias_publishes_and_gets_the_events_and_provisioned_concurrency() -> None:
    worker = graph_of(SAM).function("Worker")
    assert worker.publishes_versions
    assert [(a.logical_id, a.name, a.on_published_version) for a in worker.aliases] == [
        ("WorkerAliaslive", "live", True)]
    assert worker.event_qualifier == "live"   # SAM connects every event to the alias
    assert (worker.provisioned_concurrency, worker.provisioned_qualifier) == (2, "live")


def test_deployment_preference_is_named_with_where_it_is_written() -> None:
    [item] = [n for n in graph_of(SAM).not_run_locally if "DeploymentPreference" in n.subject]
    assert (item.subject, item.at.line) == ("Worker.DeploymentPreference", 14)
    assert "traffic shifting" in item.reason and "PreTraffic" in item.reason
    assert "samlite invoke" in item.reason      # what to do instead


@pytest.mark.parametrize(("case", "mapping_function", "expected"), [
    ("the alias resource", "!Ref WorkerAlias", "prod"),
    ("the version resource", "!Ref WorkerVersion", "1"),
    ("a qualified ARN in a Sub", "!Sub '${Worker.Arn}:prod'", "prod"),
    ("the function itself", "!Ref Worker", None),
])
def test_a_plain_event_source_invokes_the_qualifier_it_names(
        case: str, mapping_function: str, expected: str | None) -> None:
    graph = graph_of(PLAIN.replace("{mapping_function}", mapping_function))
    [trigger] = graph.triggers
    assert trigger.function == "Worker"
    assert graph.function("Worker").event_qualifier == expected


def test_plain_alias_and_version_resources() -> None:
    worker = graph_of(PLAIN.replace("{mapping_function}", "!Ref Worker")).function("Worker")
    assert worker.publishes_versions
    assert [(a.name, a.on_published_version) for a in worker.aliases] == [("prod", True)]
    assert (worker.provisioned_concurrency, worker.provisioned_qualifier) == (1, "prod")


@pytest.mark.parametrize("reference", ["!Ref Worker.Alias", "!Ref WorkerAliaslive"])
def test_sam_generated_alias_names_the_function(reference: str) -> None:
    template = SAM + f"""
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Jobs.Arn
      FunctionName: {reference}
"""
    assert {t.logical_id: t.function for t in graph_of(template).triggers}["Mapping"] == "Worker"


def test_an_alias_on_latest_and_a_weighted_alias() -> None:
    template = PLAIN.replace("{mapping_function}", "!Ref Worker").replace(
        "      ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: 1}\n", "") + """
  Latest:
    Type: AWS::Lambda::Alias
    Properties:
      FunctionName: !Ref Worker
      FunctionVersion: $LATEST
      Name: dev
      RoutingConfig:
        AdditionalVersionWeights: [{FunctionVersion: "2", FunctionWeight: 0.5}]
"""
    graph = graph_of(template)
    assert {a.name: a.on_published_version for a in graph.function("Worker").aliases} == {
        "prod": True, "dev": False}
    [item] = [n for n in graph.not_run_locally if n.subject == "Latest.RoutingConfig"]
    assert "weighted aliases are not run locally" in item.reason


def test_event_sources_naming_different_aliases_are_named() -> None:
    template = PLAIN.replace("{mapping_function}", "!Ref WorkerAlias") + """
  Second:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Jobs.Arn
      FunctionName: !Ref WorkerVersion
"""
    graph = graph_of(template)
    assert graph.function("Worker").event_qualifier == "prod"
    [item] = [n for n in graph.not_run_locally if n.subject == "Worker"]
    assert "different versions or aliases (prod, 1)" in item.reason


def test_samlite_graph_shows_versions_and_aliases() -> None:
    text = render_text(graph_of(SAM))
    assert "Versions and aliases (1)\n  Worker: version 1 (one more per reload); alias live -> " \
           "version 1; event sources invoke live; 2 provisioned on live" in text


def test_an_api_integration_uri_naming_the_alias_invokes_it() -> None:
    template = PLAIN.replace("{mapping_function}", "!Ref Worker") + INTEGRATION.replace(
        "{URI}", "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                 "${Worker.Arn}:prod/invocations")
    graph = graph_of(template)
    assert [(r.path, r.function) for r in graph.routes] == [("/orders", "Worker")]
    assert graph.function("Worker").event_qualifier == "prod"


INTEGRATION = """
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: api, ProtocolType: HTTP}
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub "{URI}"
      PayloadFormatVersion: "2.0"
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: GET /orders
      Target: !Sub integrations/${Integration}
"""


def test_a_function_url_with_a_qualifier_invokes_that_alias() -> None:
    template = PLAIN.replace("{mapping_function}", "!Ref Worker") + """
  WorkerUrl:
    Type: AWS::Lambda::Url
    Properties:
      AuthType: NONE
      TargetFunctionArn: !Ref Worker
      Qualifier: prod
"""
    assert graph_of(template).function("Worker").event_qualifier == "prod"
