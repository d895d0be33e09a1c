"""The HTTP gateway over real sockets: first against a scripted in-process service, then with
real Python functions in real processes."""

from __future__ import annotations

import base64
import http.client
import json
import re
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from samlite.errors import UsageError
from samlite.graph.build import build_graph
from samlite.graph.model import Graph
from samlite.runtime.api_errors import account_concurrency_exceeded
from samlite.runtime.environments.process import ProcessEnvironment
from samlite.runtime.invocation import Result, error_document
from samlite.runtime.service import LambdaService
from samlite.runtime.spec import function_specs
from samlite.sources.gateway.server import MAX_REQUEST_BODY_BYTES, HttpGateway
from samlite.template.load import parse_template
from samlite.template.model import PseudoParameters
from samlite.template.resolve import resolve
from tests.http.raw import exchange, status_of

HEAD = "Transform: AWS::Serverless-2016-10-31\n"
Answer = Callable[[str, dict[str, Any]], Any]


def graph_of(template: str) -> Graph:
    return build_graph(resolve(parse_template(HEAD + dedent(template), name="template.yaml")))


class Scripted:
    """A Lambda service whose functions answer with `answer(function, event)`: a dict (the
    JSON result), a Result, or an exception to raise. By default: a proxy response that
    carries the event."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.request_ids: list[str | None] = []   # the id each invoke was asked to use
        self.answer: Answer = lambda _fn, event: {"statusCode": 200,
                                                   "body": json.dumps(event)}

    def invoke(self, function: str, payload: bytes, *, request_id: str | None = None,
               **_: object) -> Result:
        event = json.loads(payload)
        self.events.append((function, event))
        self.request_ids.append(request_id)
        out = self.answer(function, event)
        if isinstance(out, BaseException):
            raise out
        if isinstance(out, Result):
            return out
        return Result(request_id="r-1", payload=json.dumps(out).encode())


TEMPLATE = """
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Variables: {color: blue}
      BinaryMediaTypes: ["image~1png"]
      Cors: {AllowOrigin: "'*'", AllowHeaders: "'Content-Type'"}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration:
        AllowOrigins: ["https://app.example.com"]
        AllowMethods: [GET, POST]
        ExposeHeaders: [x-total]
  Rest:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src
      Timeout: 60
      Events:
        Hello:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: "/hello/{name}", Method: get}
        Upload:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /upload, Method: post}
  V2:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src
      Timeout: 60
      Events:
        Items:
          Type: HttpApi
          Properties: {ApiId: !Ref Http, Path: "/items/{id}", Method: get}
        Old:
          Type: HttpApi
          Properties: {ApiId: !Ref Http, Path: /old, Method: get, PayloadFormatVersion: "1.0"}
  Url:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src
      FunctionUrlConfig: {AuthType: NONE, Cors: {AllowOrigins: ["*"]}}
"""


@pytest.fixture
def service() -> Scripted:
    return Scripted()


@pytest.fixture
def gateway(service: Scripted) -> Iterator[HttpGateway]:
    gw = HttpGateway(graph_of(TEMPLATE), service, port=0, rest_timeout_s=0.3,
                     http_timeout_s=0.3)
    with gw:
        yield gw


def call(url: str, method: str = "GET", path: str = "/", body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        reply = conn.getresponse()
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read()
    finally:
        conn.close()


def event_of(body: bytes) -> dict[str, Any]:
    return json.loads(body)  # type: ignore[no-any-return]


# ---- REST ----------------------------------------------------------------------------------

def test_rest_route_gets_a_payload_1_0_event(gateway: HttpGateway, service: Scripted) -> None:
    status, headers, body = call(gateway.url, path="/hello/ada?x=1&x=2",
                                 headers={"User-Agent": "tests"})
    event = event_of(body)
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert (event["resource"], event["path"], event["pathParameters"]) == \
        ("/hello/{name}", "/hello/ada", {"name": "ada"})
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"]}
    assert event["stageVariables"] == {"color": "blue"}
    assert event["requestContext"]["stage"] == "dev"
    assert event["requestContext"]["path"] == "/dev/hello/ada"
    assert event["requestContext"]["identity"]["userAgent"] == "tests"
    assert service.events[0][0] == "Rest"


def test_rest_unknown_route_is_missing_authentication_token(gateway: HttpGateway) -> None:
    status, headers, body = call(gateway.url, path="/nowhere")
    # Compact, as API Gateway renders its default template {"message":$context.error...}.
    assert (status, body) == (403, b'{"message":"Missing Authentication Token"}')
    assert headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"


def test_rest_function_error_is_502_internal_server_error(gateway: HttpGateway,
                                                         service: Scripted) -> None:
    service.answer = lambda _fn, _e: Result(
        request_id="r", function_error="Unhandled",
        payload=error_document("ValueError", "boom", trace=[]))
    status, _, body = call(gateway.url, path="/hello/ada")
    assert (status, json.loads(body)) == (502, {"message": "Internal server error"})


def test_a_malformed_response_is_502_and_says_why(service: Scripted) -> None:
    lines: list[tuple[str, str]] = []
    service.answer = lambda _fn, _e: {"statusCode": 200, "body": {"not": "a string"}}
    gw = HttpGateway(graph_of(TEMPLATE), service, port=0,
                     log=lambda fn, line: lines.append((fn, line)))
    with gw:
        status, _, body = call(gw.url, path="/hello/ada")
    assert (status, json.loads(body)) == (502, {"message": "Internal server error"})
    assert lines and lines[0][0] == "Rest" and "body must be a string" in lines[0][1]


def test_rest_binary_media_types_base64_the_body_both_ways(gateway: HttpGateway,
                                                           service: Scripted) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00"
    service.answer = lambda _fn, event: {
        "statusCode": 200, "isBase64Encoded": True, "body": event["body"],
        "headers": {"Content-Type": "image/png"}}
    status, headers, body = call(gateway.url, "POST", "/upload", png,
                                 {"Content-Type": "image/png", "Accept": "image/png"})
    assert (status, headers["content-type"], body) == (200, "image/png", png)
    assert service.events[0][1]["isBase64Encoded"] is True
    assert base64.b64decode(service.events[0][1]["body"]) == png


def test_rest_binary_response_stays_base64_unless_the_first_accept_is_binary(
        gateway: HttpGateway, service: Scripted) -> None:
    # "Content type conversions in API Gateway": only the first Accept media type counts.
    png = b"\x89PNG\r\n\x1a\n\x00"
    service.answer = lambda _fn, event: {
        "statusCode": 200, "isBase64Encoded": True, "body": event["body"],
        "headers": {"Content-Type": "image/png"}}
    _, _, body = call(gateway.url, "POST", "/upload", png,
                      {"Content-Type": "image/png", "Accept": "text/html,image/png"})
    assert body == base64.b64encode(png)


def test_rest_event_keeps_the_clients_percent_encoding(gateway: HttpGateway) -> None:
    _, _, body = call(gateway.url, path="/hello/J%C3%BCrgen%20K")
    event = event_of(body)
    assert (event["path"], event["pathParameters"], event["requestContext"]["path"]) == \
        ("/hello/J%C3%BCrgen%20K", {"name": "J%C3%BCrgen%20K"}, "/dev/hello/J%C3%BCrgen%20K")


def test_rest_response_with_cookies_is_malformed_and_the_log_names_the_key(
        service: Scripted) -> None:
    lines: list[tuple[str, str]] = []
    service.answer = lambda _fn, _e: {"statusCode": 200, "body": "ok", "cookies": ["a=1"]}
    gw = HttpGateway(graph_of(TEMPLATE), service, port=0,
                     log=lambda fn, line: lines.append((fn, line)))
    with gw:
        status, _, body = call(gw.url, path="/hello/ada")
    assert (status, body) == (502, b'{"message": "Internal server error"}')
    assert lines and lines[0][0] == "Rest"
    assert "Malformed Lambda proxy response: cookies is not a key" in lines[0][1]


def test_rest_cors_preflight_is_sams_mock_options(gateway: HttpGateway,
                                                  service: Scripted) -> None:
    status, headers, _ = call(gateway.url, "OPTIONS", "/hello/ada",
                              headers={"Origin": "https://x.example",
                                       "Access-Control-Request-Method": "GET"})
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    assert headers["access-control-allow-methods"] == "GET,OPTIONS"
    assert headers["access-control-allow-headers"] == "Content-Type"
    assert service.events == []


def test_the_integration_timeout_is_504_for_rest(gateway: HttpGateway,
                                                 service: Scripted) -> None:
    release = threading.Event()
    service.answer = lambda _fn, _e: release.wait(10) and {"statusCode": 200}
    try:
        # The handler holds its answer for 10 s and would then answer 200: a 504 can only come
        # from the gateway's own timeout, so no clock is needed to tell.
        status, _, body = call(gateway.url, path="/hello/ada")
        assert (status, json.loads(body)) == (504, {"message": "Endpoint request timed out"})
    finally:
        release.set()


def test_a_throttled_invoke_is_api_gateways_500(gateway: HttpGateway,
                                                service: Scripted) -> None:
    service.answer = lambda _fn, _e: account_concurrency_exceeded()
    status, _, body = call(gateway.url, path="/hello/ada")
    assert (status, json.loads(body)) == (500, {"message": "Internal server error"})


def test_bodies_over_6_mb_are_413(gateway: HttpGateway, service: Scripted) -> None:
    status, _, body = call(gateway.url, "POST", "/upload", b"x" * (MAX_REQUEST_BODY_BYTES + 1))
    assert (status, json.loads(body)) == (413, {"message": "Request Too Long"})
    assert service.events == []


def head_only(url: str, method: str, path: str, content_length: int) -> bytes:
    """A request whose head announces `content_length` bytes and whose body never comes."""
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    return exchange((host, int(port)), (
        f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Length: {content_length}\r\n\r\n").encode())


@pytest.mark.parametrize(("case", "port", "request_line", "message"), [
    ("REST", "api", "POST /upload", b'{"message": "Request Too Long"}'),
    ("HTTP API", "api", "GET /items/1", b'{"message":"Request Entity Too Large"}'),
    ("function URL", "url", "POST /", b'{"message": "Request Entity Too Large"}'),
])
def test_a_50_mb_body_is_413_from_its_content_length_unread(
        gateway: HttpGateway, service: Scripted, case: str, port: str, request_line: str,
        message: bytes) -> None:
    url = gateway.url if port == "api" else gateway.function_urls()["Url"]
    reply = head_only(url, *request_line.split(), 50 * 1024 * 1024)
    assert status_of(reply) == 413
    assert reply.endswith(message)
    assert service.events == []


def test_a_host_that_is_not_the_gateway_is_refused(gateway: HttpGateway,
                                                   service: Scripted) -> None:
    for url in (gateway.url, gateway.function_urls()["Url"]):
        port = url.removeprefix("http://").rstrip("/").split(":")[1]
        status, _, body = call(url, path="/items/1", headers={"Host": f"evil.example:{port}"})
        assert (status, b"names another site" in body) == (403, True)
    assert service.events == []


# ---- HTTP API ------------------------------------------------------------------------------

def test_http_api_route_gets_a_payload_2_0_event(gateway: HttpGateway,
                                                 service: Scripted) -> None:
    service.answer = lambda _fn, event: event       # a plain object: inferred 200 JSON
    status, headers, body = call(gateway.url, path="/items/7?tag=a&tag=b",
                                 headers={"Cookie": "a=1; b=2"})
    event = event_of(body)
    assert (status, headers["content-type"]) == (200, "application/json")
    assert (event["version"], event["routeKey"], event["rawPath"]) == \
        ("2.0", "GET /items/{id}", "/items/7")
    assert event["queryStringParameters"] == {"tag": "a,b"}
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["pathParameters"] == {"id": "7"}
    assert event["requestContext"]["stage"] == "$default"
    # HTTP API's request id: 11 random bytes in base64, e.g. "JKJaXmPLvHcESHA="
    assert re.fullmatch(r"[A-Za-z0-9+/]{15}=", headers["apigw-requestid"])
    assert event["requestContext"]["requestId"] == headers["apigw-requestid"]


def test_http_api_payload_1_0_when_the_route_says_so(gateway: HttpGateway) -> None:
    _, _, body = call(gateway.url, path="/old")
    event = event_of(body)
    assert (event["version"], event["resource"], event["httpMethod"]) == ("1.0", "/old", "GET")


def test_http_api_failures_are_its_own_answers(gateway: HttpGateway,
                                               service: Scripted) -> None:
    service.answer = lambda _fn, _e: Result(request_id="r", function_error="Unhandled",
                                            payload=error_document("E", "x"))
    failed = call(gateway.url, path="/items/1")
    release = threading.Event()
    service.answer = lambda _fn, _e: release.wait(10) and {}
    try:
        timed_out = call(gateway.url, path="/items/1")
    finally:
        release.set()
    assert (failed[0], failed[2]) == (500, b'{"message":"Internal Server Error"}')
    assert (timed_out[0], timed_out[2]) == (503, b'{"message":"Service Unavailable"}')


def test_http_api_unknown_route_is_its_compact_not_found() -> None:
    graph = graph_of("""
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              CodeUri: src
              Events:
                Items: {Type: HttpApi, Properties: {Path: /items, Method: get}}
        """)
    with HttpGateway(graph, Scripted(), port=0) as gw:
        status, _, body = call(gw.url, path="/nowhere")
    assert (status, body) == (404, b'{"message":"Not Found"}')


def test_http_api_1_0_response_without_status_code_is_500(gateway: HttpGateway,
                                                          service: Scripted) -> None:
    service.answer = lambda _fn, _e: {"body": "hi"}
    status, _, body = call(gateway.url, path="/old")
    assert (status, body) == (500, b'{"message":"Internal Server Error"}')


def test_http_api_raw_path_is_decoded(gateway: HttpGateway) -> None:
    _, _, body = call(gateway.url, path="/items/a%20b")
    event = event_of(body)
    assert (event["rawPath"], event["pathParameters"]) == ("/items/a b", {"id": "a b"})


def test_http_api_cors_answers_preflight_and_decorates_responses(gateway: HttpGateway,
                                                                 service: Scripted) -> None:
    origin = {"Origin": "https://app.example.com"}
    status, pre, _ = call(gateway.url, "OPTIONS", "/items/1",
                          headers={**origin, "Access-Control-Request-Method": "GET"})
    service.answer = lambda _fn, _e: {"statusCode": 200, "body": "ok",
                                      "headers": {"Access-Control-Allow-Origin": "x"}}
    _, served, _ = call(gateway.url, path="/items/1", headers=origin)
    assert (status, pre["access-control-allow-methods"]) == (204, "GET,POST")
    assert served["access-control-allow-origin"] == "https://app.example.com"
    assert served["access-control-expose-headers"] == "x-total"


# ---- function URLs -------------------------------------------------------------------------

def test_a_function_url_has_its_own_port_and_the_path_goes_through(
        gateway: HttpGateway, service: Scripted) -> None:
    url = gateway.function_urls()["Url"]
    service.answer = lambda _fn, event: {"statusCode": 201, "body": json.dumps(event),
                                         "cookies": ["s=1"]}
    status, headers, body = call(url, "POST", "/any/path?q=1", b'{"a": 1}',
                                 {"Content-Type": "application/json", "Origin": "https://o"})
    event = event_of(body)
    assert url != gateway.url + "/" and url.endswith("/")
    assert (status, headers["set-cookie"], headers["access-control-allow-origin"]) == \
        (201, "s=1", "*")
    assert (event["rawPath"], event["rawQueryString"], event["body"]) == \
        ("/any/path", "q=1", '{"a": 1}')
    assert event["requestContext"]["authentication"] is None
    assert service.events[0][0] == "Url"


def test_a_function_urls_request_ids_are_the_invocations(gateway: HttpGateway,
                                                         service: Scripted) -> None:
    # "Invoking Lambda function URLs": requestContext.requestId is the ID of the invocation
    # request; on AWS x-amzn-RequestId is the invocation's too (its END RequestId line).
    _, headers, body = call(gateway.function_urls()["Url"], path="/")
    request_id = event_of(body)["requestContext"]["requestId"]
    assert uuid.UUID(request_id).version == 4
    assert headers["x-amzn-requestid"] == request_id
    assert service.request_ids == [request_id]


def test_a_throttled_function_url_is_429(gateway: HttpGateway, service: Scripted) -> None:
    service.answer = lambda _fn, _e: account_concurrency_exceeded()
    status, _, _ = call(gateway.function_urls()["Url"], path="/")
    assert status == 429


# ---- lifecycle and what startup prints -----------------------------------------------------

def test_route_lines_and_skipped_authorizers(service: Scripted) -> None:
    graph = graph_of("""
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: Prod
              Auth:
                DefaultAuthorizer: Cognito
                Authorizers:
                  Cognito: {UserPoolArn: arn:aws:cognito-idp:us-east-1:1:userpool/x}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              CodeUri: src
              FunctionUrlConfig: {AuthType: AWS_IAM}
              Events:
                Hello:
                  Type: Api
                  Properties: {RestApiId: !Ref Api, Path: /hello, Method: get}
                Open:
                  Type: Api
                  Properties:
                    RestApiId: !Ref Api
                    Path: /open
                    Method: get
                    Auth: {Authorizer: NONE}
                Catch:
                  Type: HttpApi
    """)
    gw = HttpGateway(graph, service, port=0)
    gw.bind()
    try:
        assert gw.route_lines() == [f"GET {gw.url}/hello → Fn", f"GET {gw.url}/open → Fn",
                                    f"ANY {gw.url}/* → Fn ($default)"]
        # the Cognito authorizer is run (its line says what is checked); the URL's IAM is not
        assert gw.skipped_authorizers == [
            "Fn function URL: AuthType AWS_IAM is not checked locally"]
        assert gw.authorizer_notes == [
            "Api Cognito (Cognito user pool, issuer https://cognito-idp.us-east-1.amazonaws.com"
            "/x): signatures are not verified (a local user pool has no signing keys); issuer, "
            "token use, expiry and scopes are checked"]
    finally:
        gw.stop()


def test_a_busy_port_is_a_usage_error_naming_it(service: Scripted) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        gw = HttpGateway(graph_of(TEMPLATE), service, port=port)
        with pytest.raises(UsageError, match=f"port {port}.*--port"):
            gw.bind()


def test_update_swaps_routes_and_function_urls(gateway: HttpGateway,
                                               service: Scripted) -> None:
    old_url = gateway.function_urls()["Url"]
    gateway.update(graph_of("""
        Resources:
          New:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              CodeUri: src
              FunctionUrlConfig: {AuthType: NONE}
              Events:
                Fresh:
                  Type: Api
                  Properties: {Path: /fresh, Method: get}
    """))
    assert call(gateway.url, path="/fresh")[0] == 200
    assert call(gateway.url, path="/hello/ada")[0] == 403
    assert set(gateway.function_urls()) == {"New"}
    assert call(gateway.function_urls()["New"], path="/")[0] == 200
    with pytest.raises(OSError):
        call(old_url, path="/")


def test_stop_closes_idle_keep_alive_connections_quickly(service: Scripted) -> None:
    gw = HttpGateway(graph_of(TEMPLATE), service, port=0)
    gw.start()
    host, port = gw.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    conn.request("GET", "/hello/ada")
    conn.getresponse().read()                      # the connection stays open, idle
    gw.stop()
    # Closed by the gateway at stop: left open, it would end only at the server's 60 s read
    # timeout, and this recv would time out first (the client's 5 s).
    assert conn.sock is not None and conn.sock.recv(1) == b""
    with pytest.raises((OSError, http.client.HTTPException)):
        conn.request("GET", "/hello/ada")
        conn.getresponse()


# ---- real Python functions -----------------------------------------------------------------

APP = '''
import base64, json

def handler(event, context):
    if event.get("rawPath") == "/fail" or event.get("path") == "/fail":
        raise ValueError("boom")
    if event.get("rawPath") == "/ids":
        return {"event": event["requestContext"]["requestId"],
                "context": context.aws_request_id}
    if event.get("version") == "2.0":
        return {"route": event["routeKey"], "id": event["pathParameters"]["id"]}
    return {"statusCode": 200, "headers": {"X-Fn": context.function_name},
            "body": json.dumps({"name": event["pathParameters"]["name"],
                                "stage": event["requestContext"]["stage"]})}
'''

REAL = """
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src
      FunctionUrlConfig: {AuthType: NONE}
      Events:
        Rest:
          Type: Api
          Properties: {Path: "/hello/{name}", Method: get}
        Fail:
          Type: Api
          Properties: {Path: /fail, Method: get}
        Items:
          Type: HttpApi
          Properties: {Path: "/items/{id}", Method: get}
"""


@pytest.fixture
def real_gateway(tmp_path: Path) -> Iterator[HttpGateway]:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(APP, encoding="utf-8")
    graph = graph_of(REAL)
    specs = function_specs(graph, project_dir=tmp_path, pseudo=PseudoParameters())
    service = LambdaService(specs, environments=ProcessEnvironment, tmp_root=tmp_path / "envs")
    service.start()
    gw = HttpGateway(graph, service, port=0)
    try:
        with gw:
            yield gw
    finally:
        service.stop(grace_s=1)


def test_real_functions_through_rest_http_api_and_function_url(
        real_gateway: HttpGateway) -> None:
    rest = call(real_gateway.url, path="/hello/ada")
    http_api = call(real_gateway.url, path="/items/9")
    failed = call(real_gateway.url, path="/fail")
    url = call(real_gateway.function_urls()["Hello"], path="/fail")
    assert (rest[0], rest[1]["x-fn"], json.loads(rest[2])) == \
        (200, "Hello", {"name": "ada", "stage": "Prod"})
    assert (http_api[0], json.loads(http_api[2])) == \
        (200, {"route": "GET /items/{id}", "id": "9"})
    assert (failed[0], json.loads(failed[2])) == (502, {"message": "Internal server error"})
    assert url[0] == 502


def test_a_real_function_urls_request_id_is_the_handlers(real_gateway: HttpGateway) -> None:
    _, headers, body = call(real_gateway.function_urls()["Hello"], path="/ids")
    ids = json.loads(body)
    assert ids["event"] == ids["context"] == headers["x-amzn-requestid"]
