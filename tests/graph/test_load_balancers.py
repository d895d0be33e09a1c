"""ALB target groups, listeners and listener rules in the graph and in `samlite graph`."""

from __future__ import annotations

from textwrap import dedent

from samlite.graph.build import build_graph
from samlite.graph.model import EdgeKind, Graph, TriggerKind
from samlite.graph.render import render_mermaid, render_text
from samlite.template.load import parse_template
from samlite.template.resolve import resolve

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler, Runtime: python3.12, CodeUri: src}
  Users:
    Type: AWS::Lambda::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Role: arn:aws:iam::123456789012:role/r
      Code: src
  Balancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Subnets: [subnet-1, subnet-2]}
  OrdersTargets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: lambda
      Targets: [{Id: !GetAtt Orders.Arn}]
      TargetGroupAttributes:
        - {Key: lambda.multi_value_headers.enabled, Value: "true"}
  UsersTargets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Name: users
      TargetType: lambda
      Targets: [{Id: !GetAtt Users.Arn}]
  Web:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Balancer
      Port: 80
      Protocol: HTTP
      DefaultActions:
        - Type: fixed-response
          FixedResponseConfig: {StatusCode: "404", ContentType: text/plain, MessageBody: none}
  UsersRule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Web
      Priority: 20
      Conditions: [{Field: path-pattern, Values: ["/users*"]}]
      Actions: [{Type: forward, TargetGroupArn: !Ref UsersTargets}]
  OrdersRule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Web
      Priority: 10
      Conditions:
        - Field: http-header
          HttpHeaderConfig: {HttpHeaderName: X-Team, Values: [orders]}
        - HttpRequestMethodConfig: {Values: [GET, POST]}
      Actions:
        - Type: forward
          ForwardConfig:
            TargetGroups: [{TargetGroupArn: !Ref OrdersTargets, Weight: 1}]
  Instances:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {TargetType: instance, Port: 80, Protocol: HTTP, VpcId: vpc-1}
"""


def graph_of(template: str) -> Graph:
    return build_graph(resolve(parse_template(dedent(template), name="template.yaml")))


def test_lambda_target_groups_name_their_function_and_header_mode() -> None:
    graph = graph_of(TEMPLATE)
    targets = {t.logical_id: t for t in graph.load_balancer_targets}
    assert {lid: (t.function, t.multi_value_headers) for lid, t in targets.items()} == {
        "OrdersTargets": ("Orders", True), "UsersTargets": ("Users", False)}
    assert targets["UsersTargets"].arn.startswith(
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/users/")
    assert [(t.kind, t.source) for t in graph.function("Users").events] == [
        (TriggerKind.ALB, "UsersTargets")]


def test_listener_rules_are_joined_in_priority_order_with_their_conditions() -> None:
    [listener] = graph_of(TEMPLATE).load_balancer_listeners
    assert [(r.logical_id, r.priority, r.action.target_group) for r in listener.rules] == [
        ("OrdersRule", 10, "OrdersTargets"), ("UsersRule", 20, "UsersTargets")]
    assert [(c.field, c.header_name, c.values) for c in listener.rules[0].conditions] == [
        ("http-header", "X-Team", ("orders",)), ("http-request-method", None, ("GET", "POST"))]
    default = listener.default_action
    assert default is not None
    assert (default.type, default.status_code, default.message_body) == \
        ("fixed-response", "404", "none")
    assert listener.target_groups == ("OrdersTargets", "UsersTargets")


def test_instance_target_groups_are_named_not_run_and_no_longer_unserved() -> None:
    graph = graph_of(TEMPLATE)
    reasons = {n.subject: n.reason for n in graph.not_run_locally}
    assert reasons == {"Instances": "instance targets are not served locally "
                                    "(lambda targets are)"}


def test_samlite_graph_draws_listener_rules_target_groups_and_functions() -> None:
    graph = graph_of(TEMPLATE)
    edges = {(e.source, e.target, e.label) for e in graph.edges if e.kind is EdgeKind.TRIGGER}
    assert {("Web", "OrdersTargets", "OrdersRule"), ("Web", "UsersTargets", "UsersRule"),
            ("OrdersTargets", "Orders", ""), ("UsersTargets", "Users", "")} <= edges
    text = render_text(graph)
    assert "Load balancer listeners (1)\n  Web (port 80)\n" in text
    assert "10: http-header X-Team orders and http-request-method GET or POST -> " \
           "OrdersTargets (OrdersRule)" in text
    assert "default -> fixed-response 404" in text
    assert "OrdersTargets  -> Orders  multi-value headers" in text
    mermaid = render_mermaid(graph)
    assert 'lbl_Web[["Web<br/>ALB listener"]]' in mermaid
    assert "lbl_Web -->|\"UsersRule\"| tg_UsersTargets" in mermaid


NOT_RUN = TEMPLATE.replace("Protocol: HTTP\n", "Protocol: HTTPS\n") + """
  Weighted:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Web
      Priority: 30
      Conditions: [{Field: path-pattern, Values: ["/split*"]}]
      Actions:
        - Type: authenticate-cognito
          Order: 1
          AuthenticateCognitoConfig: {UserPoolArn: arn, UserPoolClientId: c, UserPoolDomain: d}
        - Type: forward
          Order: 2
          ForwardConfig:
            TargetGroups:
              - {TargetGroupArn: !Ref OrdersTargets, Weight: 80}
              - {TargetGroupArn: !Ref UsersTargets, Weight: 20}
  Regex:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Web
      Priority: 40
      Conditions:
        - Field: path-pattern
          PathPatternConfig: {RegexValues: ["^/v[0-9]+/.*$"]}
      Transforms:
        - Type: url-rewrite
          UrlRewriteConfig: {Rewrites: [{Regex: "^/v1/(.*)$", Replace: "/$1"}]}
      Actions: [{Type: forward, TargetGroupArn: !Ref UsersTargets}]
"""


def _line(template: str, resource: str, key: str) -> int:
    """The 1-based line of `key:` inside `resource:` in the dedented template."""
    lines = dedent(template).splitlines()
    start = lines.index(f"  {resource}:")
    return next(n for n, text in enumerate(lines[start:], start + 1)
                if text.strip().startswith(f"{key}:"))


def test_what_alb_does_that_samlite_does_not_is_named_with_its_line() -> None:
    graph = graph_of(NOT_RUN)
    named = sorted((n.subject, n.at.line, n.reason) for n in graph.not_run_locally
                   if n.subject != "Instances")
    assert [(subject, line, reason.split(":")[0].split(";")[0])
            for subject, line, reason in named] == [
        ("Regex", _line(NOT_RUN, "Regex", "Conditions"),
         "a condition with RegexValues is not matched locally, so the rule never matches"),
        ("Regex", _line(NOT_RUN, "Regex", "Transforms"),
         "Transforms (host header and URL rewrites) are not applied"),
        ("Web", _line(NOT_RUN, "Web", "Protocol"),
         "an HTTPS listener is served over plain HTTP locally (no certificate)"),
        ("Weighted", _line(NOT_RUN, "Weighted", "Actions"),
         "its authenticate-cognito action is not run"),
        ("Weighted", _line(NOT_RUN, "Weighted", "Actions"),
         "its forward splits requests over 2 weighted target groups (and any stickiness)"),
    ]
