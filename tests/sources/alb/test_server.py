"""ALB listeners over real sockets: a scripted in-process Lambda service first, then real
Python functions in real processes."""

from __future__ import annotations

import base64
import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from samlite.errors import EnvironmentStartError
from samlite.graph.build import build_graph
from samlite.graph.model import Graph
from samlite.runtime.environments.process import ProcessEnvironment
from samlite.runtime.invocation import TIMEOUT_ERROR_TYPE, Result, error_document, timed_out
from samlite.runtime.service import LambdaService
from samlite.runtime.spec import function_specs
from samlite.sources.alb.server import LoadBalancers
from samlite.template.load import parse_template
from samlite.template.model import PseudoParameters
from samlite.template.resolve import resolve
from tests.sources.gateway.test_server import Scripted, call

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler, Runtime: python3.12, CodeUri: src}
  Users:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler, Runtime: python3.12, CodeUri: src}
  Lone:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler, Runtime: python3.12, CodeUri: src}
  OrdersTargets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: lambda
      Targets: [{Id: !GetAtt Orders.Arn}]
      TargetGroupAttributes: [{Key: lambda.multi_value_headers.enabled, Value: "true"}]
  UsersTargets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Name: users
      TargetType: lambda
      Targets: [{Id: !GetAtt Users.Arn}]
  LoneTargets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: lambda
      Targets: [{Id: !GetAtt Lone.Arn}]
  Web:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1
      Port: 80
      DefaultActions:
        - Type: fixed-response
          FixedResponseConfig: {StatusCode: "404", ContentType: text/plain, MessageBody: nothing}
  OrdersRule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Web
      Priority: 10
      Conditions:
        - Field: path-pattern
          Values: ["/api/*"]
        - HttpHeaderConfig: {HttpHeaderName: X-Team, Values: [ord*]}
      Actions: [{Type: forward, TargetGroupArn: !Ref OrdersTargets}]
  UsersRule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Web
      Priority: 20
      Conditions: [{Field: path-pattern, Values: ["/api/*"]}]
      Actions: [{Type: forward, TargetGroupArn: !Ref UsersTargets}]
  OldRule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Web
      Priority: 5
      Conditions:
        - Field: query-string
          QueryStringConfig: {Values: [{Key: v, Value: "1"}]}
        - Field: http-request-method
          HttpRequestMethodConfig: {Values: [GET]}
      Actions:
        - Type: redirect
          RedirectConfig: {Path: "/v2/#{path}", StatusCode: HTTP_301}
"""


def graph_of(template: str) -> Graph:
    return build_graph(resolve(parse_template(dedent(template), name="template.yaml")))


@pytest.fixture
def service() -> Scripted:
    return Scripted()


@pytest.fixture
def balancers(service: Scripted) -> Iterator[LoadBalancers]:
    with LoadBalancers(graph_of(TEMPLATE), service) as lbs:
        yield lbs


def test_each_listener_and_each_lone_target_group_has_a_port(
        balancers: LoadBalancers) -> None:
    urls = balancers.urls()
    assert set(urls) == {"Web", "LoneTargets"}
    assert urls["Web"] != urls["LoneTargets"]
    assert balancers.lines()[1:4] == [
        "  5: query-string v=1 and http-request-method GET → redirect HTTP_301 (OldRule)",
        "  10: path-pattern /api/* and http-header X-Team ord* → OrdersTargets → Orders "
        "(OrdersRule)",
        "  20: path-pattern /api/* → UsersTargets → Users (UsersRule)"]


def test_rules_are_tried_in_priority_order_then_the_default_action(
        balancers: LoadBalancers, service: Scripted) -> None:
    web = balancers.urls()["Web"]
    orders = call(web, path="/api/x", headers={"X-Team": "Orders-EU"})
    users = call(web, path="/api/x", headers={"X-Team": "billing"})
    nothing = call(web, path="/other")
    assert [fn for fn, _ in service.events] == ["Orders", "Users"]
    assert (orders[0], users[0]) == (200, 200)
    assert (nothing[0], nothing[1]["content-type"], nothing[2]) == (404, "text/plain",
                                                                   b"nothing")


def test_albs_own_answers_carry_one_server_header(balancers: LoadBalancers) -> None:
    host, port = balancers.urls()["Web"].removeprefix("http://").rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("GET", "/other")
        reply = conn.getresponse()
        servers = [v for k, v in reply.getheaders() if k.lower() == "server"]
    finally:
        conn.close()
    assert (reply.status, servers) == (404, ["awselb/2.0"])


def test_a_redirect_rule_answers_with_its_location(balancers: LoadBalancers) -> None:
    web = balancers.urls()["Web"]
    status, headers, _ = call(web, path="/api/x?v=1")
    port = web.rstrip("/").rsplit(":", 1)[1]
    assert (status, headers["location"]) == (301, f"http://127.0.0.1:{port}/v2/api/x?v=1")


def test_a_redirect_to_https_443_keeps_the_port_in_its_location(service: Scripted) -> None:
    template = TEMPLATE.replace('RedirectConfig: {Path: "/v2/#{path}", StatusCode: HTTP_301}',
                                "RedirectConfig: {Protocol: HTTPS, Port: '443', "
                                "StatusCode: HTTP_302}")
    with LoadBalancers(graph_of(template), service) as lbs:
        status, headers, _ = call(lbs.urls()["Web"], path="/a/b?v=1")
    assert (status, headers["location"]) == (302, "https://127.0.0.1:443/a/b?v=1")


def test_the_event_without_multi_value_headers(balancers: LoadBalancers,
                                               service: Scripted) -> None:
    web = balancers.urls()["Web"]
    conn_headers = [("X-Tag", "a"), ("X-Tag", "b")]
    _raw_call(web, "POST", "/api/items?q=a%20b&q=c&flag", conn_headers, b'{"n": 1}',
              "application/json")
    [(function, event)] = service.events
    assert function == "Users"
    assert event["requestContext"]["elb"]["targetGroupArn"].startswith(
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/users/")
    assert (event["httpMethod"], event["path"]) == ("POST", "/api/items")
    # Not decoded, and the last of repeated values (ELB guide, "Multi-value headers").
    assert event["queryStringParameters"] == {"q": "c", "flag": ""}
    assert event["headers"]["x-tag"] == "b"
    assert event["headers"]["x-forwarded-port"] == web.rstrip("/").rsplit(":", 1)[1]
    assert event["headers"]["x-amzn-trace-id"].startswith("Root=1-")
    assert "multiValueHeaders" not in event and "multiValueQueryStringParameters" not in event
    assert (event["body"], event["isBase64Encoded"]) == ('{"n": 1}', False)


def test_the_event_and_response_with_multi_value_headers(balancers: LoadBalancers,
                                                         service: Scripted) -> None:
    service.answer = lambda _fn, _event: {
        "statusCode": 201, "statusDescription": "201 Created",
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
        "headers": {"X-Ignored": "yes"},
        "body": base64.b64encode(b"\x00\xff").decode(), "isBase64Encoded": True}
    web = balancers.urls()["Web"]
    status, reason, headers, body = _raw_call(
        web, "PUT", "/api/x?q=1&q=2", [("X-Team", "orders"), ("X-Tag", "a"), ("X-Tag", "b")],
        b"\x89PNG", "image/png")
    [(function, event)] = service.events
    assert function == "Orders"
    assert event["multiValueQueryStringParameters"] == {"q": ["1", "2"]}
    assert event["multiValueHeaders"]["x-tag"] == ["a", "b"]
    assert "headers" not in event and "queryStringParameters" not in event
    assert (event["body"], event["isBase64Encoded"]) == (
        base64.b64encode(b"\x89PNG").decode(), True)
    assert (status, reason, body) == (201, "Created", b"\x00\xff")
    assert [v for k, v in headers if k.lower() == "set-cookie"] == ["a=1", "b=2"]
    assert not any(k.lower() == "x-ignored" for k, _ in headers)


@pytest.mark.parametrize(("case", "answer"), [
    ("function error", Result(request_id="r", payload=error_document("ValueError", "boom"),
                              function_error="Unhandled")),
    # Troubleshooting, HTTP 502: "The target is a Lambda function that did not respond
    # before its configured timeout was reached."
    ("timed out", Result(request_id="r", payload=error_document(
        TIMEOUT_ERROR_TYPE, timed_out(3.0)), function_error="Unhandled")),
    # Troubleshooting, HTTP 502: "the response body exceeds 1 MB" (the response JSON).
    ("response over 1 MB", {"statusCode": 200, "body": "x" * (1024 * 1024)}),
    ("no statusCode", {"body": "hi"}),
    ("not JSON", Result(request_id="r", payload=b"not json")),
])
def test_a_failed_or_malformed_function_is_502(balancers: LoadBalancers, service: Scripted,
                                               case: str, answer: Any) -> None:
    service.answer = lambda _fn, _event: answer
    status, headers, body = call(balancers.urls()["LoneTargets"], path="/anything")
    assert (status, headers["server"]) == (502, "awselb/2.0")
    assert b"<h1>502 Bad Gateway</h1>" in body


@pytest.mark.parametrize("multi_value", [False, True])
def test_a_request_without_a_query_gets_an_empty_object_not_null(
        balancers: LoadBalancers, service: Scripted, multi_value: bool) -> None:
    # The health check event in "Lambda functions as targets" carries
    # "queryStringParameters": {} for a request without a query string.
    headers = {"X-Team": "orders"} if multi_value else {}
    call(balancers.urls()["Web"], path="/api/x", headers=headers)
    [(_function, event)] = service.events
    key = "multiValueQueryStringParameters" if multi_value else "queryStringParameters"
    assert event[key] == {}


def test_query_values_reach_the_function_still_percent_encoded(
        balancers: LoadBalancers, service: Scripted) -> None:
    # "If the query parameters are URL-encoded, the load balancer does not decode them."
    call(balancers.urls()["LoneTargets"], path="/?when=2024-01-01T00%3A00&name=a+b")
    [(_function, event)] = service.events
    assert event["queryStringParameters"] == {"when": "2024-01-01T00%3A00", "name": "a+b"}


def test_header_names_are_lower_case_in_both_header_modes(balancers: LoadBalancers,
                                                          service: Scripted) -> None:
    web = balancers.urls()["Web"]
    call(web, path="/api/x", headers={"X-Team": "orders", "X-Mixed-Case": "v"})
    call(web, path="/api/x", headers={"X-Mixed-Case": "v"})
    [(_, multi), (_, single)] = service.events
    assert multi["multiValueHeaders"]["x-mixed-case"] == ["v"]
    assert single["headers"]["x-mixed-case"] == "v"
    assert all(name == name.lower() for name in [*multi["multiValueHeaders"],
                                                *single["headers"]])


def test_x_forwarded_for_is_appended_to_and_port_and_proto_are_alb_s_own(
        balancers: LoadBalancers, service: Scripted) -> None:
    # "HTTP headers and Application Load Balancers": the client IP is appended to an
    # X-Forwarded-For the request has; X-Forwarded-Proto/-Port say how it reached ALB.
    lone = balancers.urls()["LoneTargets"]
    call(lone, path="/", headers={"X-Forwarded-For": "203.0.113.7",
                                  "X-Forwarded-Proto": "https", "X-Forwarded-Port": "443"})
    [(_function, event)] = service.events
    port = lone.rstrip("/").rsplit(":", 1)[1]
    assert (event["headers"]["x-forwarded-for"], event["headers"]["x-forwarded-proto"],
            event["headers"]["x-forwarded-port"]) == ("203.0.113.7, 127.0.0.1", "http", port)


def test_hop_by_hop_headers_and_content_length_from_the_function_are_dropped(
        balancers: LoadBalancers, service: Scripted) -> None:
    # "Respond to the load balancer": hop-by-hop headers such as Connection or
    # Transfer-Encoding are not honoured; the load balancer computes Content-Length.
    service.answer = lambda _fn, _event: {
        "statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": False,
        "headers": {"Transfer-Encoding": "chunked", "Connection": "close",
                    "Content-Length": "999", "X-Kept": "yes"},
        "body": "hello"}
    status, headers, body = call(balancers.urls()["LoneTargets"], path="/")
    assert (status, body, headers["content-length"], headers["x-kept"]) == (
        200, b"hello", "5", "yes")
    assert "transfer-encoding" not in headers


def test_a_websocket_upgrade_is_400(balancers: LoadBalancers, service: Scripted) -> None:
    # "Lambda functions as targets", Limits: upgrade requests are rejected with HTTP 400.
    upgraded = call(balancers.urls()["LoneTargets"], path="/",
                    headers={"Connection": "Upgrade", "Upgrade": "websocket"})
    assert (upgraded[0], b"400 Bad Request" in upgraded[2]) == (400, True)
    assert service.events == []


ESCAPED_QUERY = TEMPLATE.replace(
    "QueryStringConfig: {Values: [{Key: v, Value: \"1\"}]}",
    "QueryStringConfig: {Values: [{Key: v, Value: \"a\\\\*\"}]}")


def test_an_escaped_wildcard_in_a_query_string_condition_is_literal(
        service: Scripted) -> None:
    # QueryStringConditionConfig: "To search for a literal '*' or '?' character in a query
    # string, you must escape these characters in Values using a '\' character."
    with LoadBalancers(graph_of(ESCAPED_QUERY), service) as lbs:
        web = lbs.urls()["Web"]
        literal = call(web, path="/x?v=A*")
        wildcard = call(web, path="/x?v=abc")
    assert (literal[0], wildcard[0]) == (301, 404)


def test_a_function_that_cannot_start_here_is_502_with_the_reason_in_its_log(
        service: Scripted) -> None:
    heard: list[tuple[str, str]] = []
    service.answer = lambda _fn, _event: EnvironmentStartError(
        "Lone: its code is in S3 (s3://b/app.zip), which samlite does not fetch")
    with LoadBalancers(graph_of(TEMPLATE), service,
                       log=lambda fn, line: heard.append((fn, line))) as lbs:
        status, _, body = call(lbs.urls()["LoneTargets"], path="/")
    assert (status, b"502 Bad Gateway" in body) == (502, True)
    assert heard == [("Lone", "samlite: Lone: its code is in S3 (s3://b/app.zip), which "
                              "samlite does not fetch; the client gets 502")]


def test_a_body_over_1_mb_is_413_unread(balancers: LoadBalancers) -> None:
    status, _, body = call(balancers.urls()["LoneTargets"], "POST", "/",
                           body=b"x" * (1024 * 1024 + 1))
    assert (status, b"413 Request Entity Too Large" in body) == (413, True)


def test_update_closes_removed_listeners_and_keeps_remaining_ports(
        balancers: LoadBalancers) -> None:
    before = balancers.urls()["Web"]
    template = TEMPLATE.split("  LoneTargets:")[0] + "  Web:" + TEMPLATE.split("  Web:")[1]
    balancers.update(graph_of(template))
    assert balancers.urls() == {"Web": before}


def _raw_call(url: str, method: str, target: str, headers: list[tuple[str, str]],
              body: bytes, content_type: str,
              ) -> tuple[int, str, list[tuple[str, str]], bytes]:
    """A request whose headers may repeat (http.client's dict form cannot say that)."""
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.putrequest(method, target)
        for name, value in [*headers, ("Content-Type", content_type),
                            ("Content-Length", str(len(body)))]:
            conn.putheader(name, value)
        conn.endheaders(body)
        reply = conn.getresponse()
        return reply.status, reply.reason, reply.getheaders(), reply.read()
    finally:
        conn.close()


# ---- real Python functions -----------------------------------------------------------------

APP = '''
import json

def handler(event, context):
    if event["path"] == "/fail":
        raise ValueError("boom")
    return {"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": False,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"function": context.function_name,
                                "query": event["queryStringParameters"]})}
'''


@pytest.fixture
def real_balancers(tmp_path: Path) -> Iterator[LoadBalancers]:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(APP, encoding="utf-8")
    graph = graph_of(TEMPLATE)
    specs = function_specs(graph, project_dir=tmp_path, pseudo=PseudoParameters())
    service = LambdaService(specs, environments=ProcessEnvironment, tmp_root=tmp_path / "envs")
    service.start()
    try:
        with LoadBalancers(graph, service) as lbs:
            yield lbs
    finally:
        service.stop(grace_s=1)


def test_real_functions_behind_a_listener_and_a_lone_target_group(
        real_balancers: LoadBalancers) -> None:
    web = real_balancers.urls()["Web"]
    users = call(web, path="/api/u?id=7")
    failed = call(real_balancers.urls()["LoneTargets"], path="/fail")
    assert (users[0], json.loads(users[2])) == (
        200, {"function": "Users", "query": {"id": "7"}})
    assert failed[0] == 502


def test_a_rule_forwarding_to_a_target_group_outside_the_template_is_503(
        service: Scripted) -> None:
    template = TEMPLATE.replace("TargetGroupArn: !Ref UsersTargets",
                                "TargetGroupArn: arn:aws:elasticloadbalancing:us-east-1:"
                                "123456789012:targetgroup/elsewhere/0123456789abcdef")
    with LoadBalancers(graph_of(template), service) as lbs:
        status, headers, body = call(lbs.urls()["Web"], path="/api/x")
    assert (status, headers["content-type"]) == (503, "text/html")
    assert b"<title>503 Service Temporarily Unavailable</title>" in body
    assert service.events == []
