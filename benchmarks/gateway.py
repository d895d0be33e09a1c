"""What a cached Lambda authorizer adds to a gateway route, on loopback.

Prints, for a REST API TOKEN authorizer and an HTTP API simple-response authorizer (both
cached: ReauthorizeEvery 300): p50/p99 of a hello route without an authorizer, the same
function behind the authorizer, and the p50 difference. Requests alternate between the two
routes on one keep-alive connection (Nagle off), so drift on the shared cores hits both alike;
the handler returns at once, so the figures are the gateway's own work plus one invoke.
Also a REST mapping-template (`type: aws`) route's p50 and p99 (request and response
templates rendered around one invoke).
Target (issue 15): a cached authorizer adds <= 0.5 ms p50.
Run:  python3 benchmarks/gateway.py        (--quick: fewer requests, for CI's smoke run)
"""

from __future__ import annotations

import argparse
import http.client
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_ADDED_P50_MS = 0.5
MAPPING_TEMPLATE_PATH = "/mapped"

HELLO = '''def handler(event, context):
    return {"statusCode": 200, "body": "hello"}
'''
# Allows every method of the API, so one cached answer serves every request.
REST_AUTHORIZER_CODE = '''def handler(event, context):
    api = event["methodArn"].rsplit("/", 2)[0].split("/")[0]
    return {"principalId": "bench",
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": api + "/*"}]},
            "context": {"user": "bench"}}
'''
SIMPLE_AUTHORIZER_CODE = '''def handler(event, context):
    return {"isAuthorized": True, "context": {"user": "bench"}}
'''
# A Lambda non-proxy integration: the function gets what the request template makes of the
# request, and its answer goes through the response template.
MAPPED = '''def handler(event, context):
    return {"greeting": "hello " + event.get("name", "")}
'''

# The Lambda invocation URI a `type: aws` integration names ("Set up a Lambda integration"
# in the API Gateway developer guide: arn:aws:apigateway:{region}:lambda:path/...).
MAPPED_FUNCTION_URI = ("arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                       "${MappedFunction.Arn}/invocations")

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: python3.12, CodeUri: src/}
Resources:
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Auth:
        Authorizers:
          Token:
            FunctionArn: !GetAtt TokenAuthorizer.Arn
            Identity: {Header: Authorization, ReauthorizeEvery: 300}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        Authorizers:
          Simple:
            FunctionArn: !GetAtt SimpleAuthorizer.Arn
            AuthorizerPayloadFormatVersion: "2.0"
            EnableSimpleResponses: true
            Identity: {Headers: [Authorization], ReauthorizeEvery: 300}
  Mapped:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionBody:
        swagger: "2.0"
        info: {title: mapped, version: "1"}
        paths:
          /mapped:
            get:
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: !Sub "MAPPED_FUNCTION_URI"
                requestTemplates:
                  application/json: '{"name": "$input.params(''name'')"}'
                responses:
                  default:
                    statusCode: "200"
                    responseTemplates:
                      application/json: '{"said": "$input.path(''$.greeting'')"}'
  TokenAuthorizer:
    Type: AWS::Serverless::Function
    Properties: {Handler: token_authorizer.handler}
  SimpleAuthorizer:
    Type: AWS::Serverless::Function
    Properties: {Handler: simple_authorizer.handler}
  MappedFunction:
    Type: AWS::Serverless::Function
    Properties: {Handler: mapped.handler}
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Handler: hello.handler
      Events:
        RestPlain:
          Type: Api
          Properties: {RestApiId: !Ref Rest, Path: /plain, Method: get}
        RestAuthorized:
          Type: Api
          Properties: {RestApiId: !Ref Rest, Path: /authorized, Method: get,
                       Auth: {Authorizer: Token}}
        HttpPlain:
          Type: HttpApi
          Properties: {ApiId: !Ref Http, Path: /http/plain, Method: get}
        HttpAuthorized:
          Type: HttpApi
          Properties: {ApiId: !Ref Http, Path: /http/authorized, Method: get,
                       Auth: {Authorizer: Simple}}
"""


def write_app(directory: Path) -> Path:
    src = directory / "src"
    src.mkdir(parents=True, exist_ok=True)
    for name, code in (("hello", HELLO), ("token_authorizer", REST_AUTHORIZER_CODE),
                       ("simple_authorizer", SIMPLE_AUTHORIZER_CODE), ("mapped", MAPPED)):
        (src / f"{name}.py").write_text(code, encoding="utf-8")
    template = directory / "template.yaml"
    template.write_text(TEMPLATE.replace("MAPPED_FUNCTION_URI", MAPPED_FUNCTION_URI),
                        encoding="utf-8")
    return template


def connection(address: tuple[str, int]) -> http.client.HTTPConnection:
    conn = http.client.HTTPConnection(*address)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn


def get(conn: http.client.HTTPConnection, path: str, *, status: int = 200,
        signed_in: bool = True) -> bytes:
    conn.request("GET", path, headers={"Authorization": "Bearer bench"} if signed_in else {})
    response = conn.getresponse()
    body = response.read()
    if response.status != status:
        raise RuntimeError(f"GET {path}: {response.status} {body!r}, expected {status}")
    return body


def p50_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def p99_ms(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


def alternate(address: tuple[str, int], plain: str, authorized: str,
              requests: int) -> tuple[list[float], list[float]]:
    """Each route `requests` times, one after the other, after a warm-up that starts the
    environments and fills the authorizer's cache."""
    conn = connection(address)
    get(conn, authorized, status=401, signed_in=False)   # the authorizer really is in front
    for _ in range(20):
        get(conn, plain)
        get(conn, authorized)
    plain_s: list[float] = []
    authorized_s: list[float] = []
    for _ in range(requests):
        for path, samples in ((plain, plain_s), (authorized, authorized_s)):
            start = time.perf_counter()
            get(conn, path)
            samples.append(time.perf_counter() - start)
    conn.close()
    return plain_s, authorized_s


def report(variant: str, plain: list[float], authorized: list[float]) -> str:
    added = p50_ms(authorized) - p50_ms(plain)
    verdict = "within" if added <= TARGET_ADDED_P50_MS else "OVER"
    return (f"{variant}, {len(plain)} requests each: without authorizer p50 "
            f"{p50_ms(plain):.2f} ms, p99 {p99_ms(plain):.2f} ms; with cached authorizer "
            f"p50 {p50_ms(authorized):.2f} ms, p99 {p99_ms(authorized):.2f} ms; added p50 "
            f"{added:+.2f} ms ({verdict} the {TARGET_ADDED_P50_MS} ms target)")


def mapping_template_p50(app: object, address: tuple[str, int], requests: int) -> str:
    """The REST `type: aws` route's p50. Should the route not be served (named under "Not run
    locally"), this says so instead of measuring a route that is not there."""
    gateway = getattr(app, "gateway", None)
    lines = gateway.route_lines() if gateway is not None else []
    if not any(line.split(" ")[1].endswith(MAPPING_TEMPLATE_PATH) for line in lines):
        return ("mapping-template (type: aws) route: not served (see Not run locally), "
                "nothing measured")
    conn = connection(address)
    path = f"{MAPPING_TEMPLATE_PATH}?name=bench"
    for _ in range(20):
        get(conn, path)
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        get(conn, path)
        samples.append(time.perf_counter() - start)
    conn.close()
    return (f"mapping-template (type: aws) route, {requests} requests: p50 "
            f"{p50_ms(samples):.2f} ms, p99 {p99_ms(samples):.2f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="200 requests a route (CI smoke)")
    args = parser.parse_args()
    requests = 200 if args.quick else 3000

    from samlite.app.root import App, AppOptions

    with tempfile.TemporaryDirectory() as tmp:
        template = write_app(Path(tmp))
        app = App(template, AppOptions(runtime="process", http_port=0,
                                       state_dir=Path(tmp) / ".samlite"))
        with app:
            if app.gateway is None:
                raise RuntimeError("the app started no HTTP gateway")
            host, port = app.gateway.url.removeprefix("http://").split(":")
            address = (host, int(port))
            rest = alternate(address, "/plain", "/authorized", requests)
            print(report("REST API, TOKEN authorizer", *rest))
            http_api = alternate(address, "/http/plain", "/http/authorized", requests)
            print(report("HTTP API, simple-response authorizer", *http_api))
            print(mapping_template_p50(app, address, requests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
