"""`samlite up` with an ALB in the template: listeners and lone lambda target groups get
ports of their own, shown in the startup table, and serve real functions."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

from samlite.app.root import App, AppOptions, load_balancer_ports, load_graph
from samlite.cli.summary import startup_lines
from tests.sources.gateway.test_server import call

HANDLERS = '''
import json

def handler(event, context):
    if event["path"] == "/fail":
        raise ValueError("boom")
    return {"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": False,
            "multiValueHeaders": {"X-Fn": [context.function_name]},
            "headers": {"X-Fn": context.function_name},
            "body": json.dumps({"multi": "multiValueHeaders" in event})}
'''

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Handler: app.handler, Runtime: python3.12, CodeUri: src}
Resources:
  Api:
    Type: AWS::Serverless::Function
  Admin:
    Type: AWS::Serverless::Function
  Lone:
    Type: AWS::Serverless::Function
  ApiTargets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: lambda
      Targets: [{Id: !GetAtt Api.Arn}]
  AdminTargets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: lambda
      Targets: [{Id: !GetAtt Admin.Arn}]
      TargetGroupAttributes: [{Key: lambda.multi_value_headers.enabled, Value: "true"}]
  LoneTargets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: lambda
      Targets: [{Id: !GetAtt Lone.Arn}]
  Balancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Subnets: [subnet-1, subnet-2]}
  Http:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Balancer
      Port: 80
      Protocol: HTTP
      DefaultActions: [{Type: forward, TargetGroupArn: !Ref ApiTargets}]
  AdminRule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Http
      Priority: 1
      Conditions: [{Field: path-pattern, Values: [/admin/*]}]
      Actions: [{Type: forward, TargetGroupArn: !Ref AdminTargets}]
  FailRule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Http
      Priority: 2
      Conditions: [{Field: path-pattern, Values: ["/fail"]}]
      Actions: [{Type: forward, TargetGroupArn: !Ref ApiTargets}]
"""


def write_project(root: Path) -> Path:
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text(HANDLERS, encoding="utf-8")
    template = root / "template.yaml"
    template.write_text(dedent(TEMPLATE), encoding="utf-8")
    return template


def test_listener_rules_multi_value_headers_and_errors_end_to_end(tmp_path: Path) -> None:
    template = write_project(tmp_path)
    with App(template, AppOptions(http_port=0, aws_port=0, runtime="process",
                                  state_dir=tmp_path / ".samlite")) as app:
        assert app.load_balancers is not None
        urls = app.load_balancers.urls()
        admin = call(urls["Http"], path="/admin/users")
        default = call(urls["Http"], path="/orders")
        failed = call(urls["Http"], path="/fail")
        lone = call(urls["LoneTargets"], path="/anything")
        lines = startup_lines(app.graph, app.functions, runtime_kind="process", route_lines=[],
                              function_urls={},
                              load_balancer_lines=app.load_balancers.lines())
    assert (admin[0], admin[1]["x-fn"], json.loads(admin[2])) == (200, "Admin", {"multi": True})
    assert (default[0], default[1]["x-fn"], json.loads(default[2])) == \
        (200, "Api", {"multi": False})
    assert (failed[0], b"502 Bad Gateway" in failed[2]) == (502, True)
    assert (lone[0], lone[1]["x-fn"]) == (200, "Lone")
    start = lines.index("Load balancers (2)")
    assert lines[start + 1:start + 7] == [
        f"  {urls['Http']} → Http",
        "    1: path-pattern /admin/* → AdminTargets → Admin (AdminRule)",
        "    2: path-pattern /fail → ApiTargets → Api (FailRule)",
        "    default → ApiTargets → Api",
        f"  {urls['LoneTargets']} → LoneTargets",
        "    everything → LoneTargets → Lone"]
    assert not any("load balancer targets are not served" in line for line in lines)


def test_up_gives_load_balancers_the_ports_after_the_function_urls(tmp_path: Path) -> None:
    template = write_project(tmp_path)
    graph, _ = load_graph(template, AppOptions())
    assert load_balancer_ports(graph, AppOptions(http_port=3000, aws_port=3001)) == {
        "Http": 3002, "LoneTargets": 3003}
    assert set(load_balancer_ports(graph, AppOptions(http_port=0)).values()) == {0}
