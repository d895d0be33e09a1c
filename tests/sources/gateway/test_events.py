"""Events and responses, checked against AWS's documented example events (the fixtures under
tests/fixtures/events name their source in "_source"): same keys at every level, same value
types, same fixed values; ids and times only well-formed. Where the docs' "IP" placeholder
stood, the fixtures use 192.0.2.1 (an address reserved for documentation)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest

from samlite.sources.gateway.events import (
    HTTP_ERRORS,
    REST_ERRORS,
    Flavor,
    HttpRequest,
    MalformedResponse,
    RequestContext,
    clf_time,
    domain_prefix,
    error_response,
    function_url_event,
    http_v1_event,
    http_v2_event,
    is_binary_media_type,
    rest_event,
    v1_response,
    v2_response,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "events"
# Maps whose contents are the request's own: compared by type only.
FREE = {"headers", "multiValueHeaders", "queryStringParameters",
        "multiValueQueryStringParameters", "pathParameters", "stageVariables", "cookies"}
CLF = re.compile(r"^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$")


def fixture(name: str) -> dict[str, Any]:
    doc = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    assert doc.pop("_source")
    return doc


def shape_diff(ours: Any, theirs: Any, *, absent: set[str], extra: set[str],
               path: str = "") -> list[str]:
    """Differences of keys and value types. `absent`: dotted paths the fixture has and we
    leave out on purpose; `extra`: paths we have that this (older) example lacks."""
    if theirs is None or ours is None:
        return []     # nullable members: null in one example, a value in another
    if type(ours) is not type(theirs):
        return [f"{path}: {type(ours).__name__} != {type(theirs).__name__}"]
    if not isinstance(theirs, dict) or path.rsplit(".", 1)[-1] in FREE:
        return []
    def dotted(key: str) -> str:
        return f"{path}.{key}".lstrip(".")

    problems = [f"missing {dotted(k)}" for k in theirs.keys() - ours.keys()
                if dotted(k) not in absent]
    problems += [f"extra {dotted(k)}" for k in ours.keys() - theirs.keys()
                 if dotted(k) not in extra]
    for key in ours.keys() & theirs.keys():
        problems += shape_diff(ours[key], theirs[key], absent=absent, extra=extra,
                               path=f"{path}.{key}".lstrip("."))
    return problems


def context(**changes: Any) -> RequestContext:
    values: dict[str, Any] = {
        "request_id": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "extended_request_id": "JKJaXmPLvHcESHA=", "time_epoch_ms": 1583348638390,
        "account_id": "123456789012", "api_id": "gy415nuibc", "stage": "testStage",
        "domain_name": "127.0.0.1:3000", "server_port": 3000}
    values.update(changes)
    return RequestContext(**values)


def request(method: str, path: str, query: str = "", body: bytes = b"",
            headers: tuple[tuple[str, str], ...] = ()) -> HttpRequest:
    return HttpRequest(method=method, path=path, raw_query=query, body=body,
                       headers=(("Host", "127.0.0.1:3000"), ("User-Agent", "agent"), *headers))


# ---- REST (payload 1.0) -----------------------------------------------------------------

REST_ABSENT: set[str] = set()
# Members real REST events carry that the docs' example (from 2016) predates.
REST_EXTRA_DOCS = {"requestContext.extendedRequestId", "requestContext.requestTime",
                   "requestContext.path", "requestContext.protocol",
                   "requestContext.domainPrefix", "requestContext.requestTimeEpoch",
                   "requestContext.domainName", "requestContext.identity.principalOrgId",
                   "requestContext.identity.accessKey", "requestContext.identity.apiKeyId"}
REST_EXTRA_SAM = {"requestContext.extendedRequestId", "requestContext.domainPrefix",
                  "requestContext.domainName", "requestContext.identity.principalOrgId",
                  "requestContext.identity.apiKey", "requestContext.identity.apiKeyId"}


def docs_rest_event() -> dict[str, Any]:
    req = request("POST", "/hello/world", "name=me&multivalueName=you&multivalueName=me",
                  b'{\r\n\t"a": 1\r\n}', (("Content-Type", "application/json"),
                                          ("headerName", "headerValue")))
    ctx = context(stage_variables=(("stageVariableName", "stageVariableValue"),))
    return rest_event(req, ctx, resource="/{proxy+}")


def test_rest_event_has_the_documented_shape() -> None:
    ours, theirs = docs_rest_event(), fixture("rest-aws-docs.json")
    assert shape_diff(ours, theirs, absent=REST_ABSENT, extra=REST_EXTRA_DOCS) == []
    for key in ("resource", "path", "httpMethod", "queryStringParameters",
                "multiValueQueryStringParameters", "pathParameters", "stageVariables", "body",
                "isBase64Encoded"):
        assert ours[key] == theirs[key], key
    for key in ("stage", "resourcePath", "httpMethod", "apiId"):
        assert ours["requestContext"][key] == theirs["requestContext"][key], key
    assert ours["headers"]["headerName"] == "headerValue"
    assert ours["multiValueHeaders"]["headerName"] == ["headerValue"]


def test_rest_event_matches_sam_clis_aws_proxy_event() -> None:
    req = request("POST", "/path/to/resource", "foo=bar", b'{"test":"body"}',
                  (("Content-Type", "application/octet-stream"),))
    ctx = context(stage="prod", stage_variables=(("baz", "qux"),))
    ours = rest_event(req, ctx, resource="/{proxy+}",
                      binary_media_types=("application~1octet-stream",))
    theirs = fixture("rest-sam-cli-aws-proxy.json")
    assert shape_diff(ours, theirs, absent=set(), extra=REST_EXTRA_SAM) == []
    assert (ours["body"], ours["isBase64Encoded"]) == (theirs["body"], True)
    assert ours["requestContext"]["path"] == theirs["requestContext"]["path"] == \
        "/prod/path/to/resource"
    assert ours["requestContext"]["protocol"] == "HTTP/1.1"


def test_rest_event_variable_values_are_well_formed() -> None:
    ctx = docs_rest_event()["requestContext"]
    assert re.fullmatch(r"[0-9a-f-]{36}", ctx["requestId"])
    assert CLF.match(ctx["requestTime"])
    assert ctx["requestTimeEpoch"] == 1583348638390
    assert re.fullmatch(r"[a-z0-9]{6}", ctx["resourceId"])
    assert ctx["identity"]["sourceIp"] == "127.0.0.1"
    assert ctx["identity"]["userAgent"] == "agent"


def test_rest_event_without_query_body_or_parameters_has_nulls() -> None:
    event = rest_event(request("GET", "/hello"), context(), resource="/hello")
    assert [event[k] for k in ("queryStringParameters", "multiValueQueryStringParameters",
                               "pathParameters", "stageVariables", "body")] == [None] * 5
    assert event["isBase64Encoded"] is False


def test_rest_event_adds_forwarded_headers_like_api_gateway() -> None:
    event = rest_event(request("GET", "/hello"), context(server_port=3000),
                       resource="/hello")
    assert event["headers"]["X-Forwarded-Port"] == "3000"
    assert event["headers"]["X-Forwarded-Proto"] == "http"
    assert event["multiValueHeaders"]["X-Forwarded-For"] == ["127.0.0.1"]


def test_forwarded_header_the_client_sent_is_kept_and_only_the_others_added() -> None:
    sent = request("GET", "/hello", headers=(("x-forwarded-proto", "https"),))
    event = rest_event(sent, context(server_port=3000), resource="/hello")
    assert event["multiValueHeaders"]["x-forwarded-proto"] == ["https"]
    assert "X-Forwarded-Proto" not in event["headers"]
    assert event["headers"]["X-Forwarded-Port"] == "3000"
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"


# Live captures (hotsock/voker, vokerhttp/testdata/ingress-paths.json and the
# apigwv1/apigwv2/functionurl request events, us-west-2): what each service put in the event
# for a path sent percent-encoded. REST and function URLs keep the encoding; HTTP APIs decode
# (cut at a decoded "?", then decode once more).
LIVE_PATHS = [
    ("/capture/plain", "/capture/plain"),
    ("/capture/space%20value", "/capture/space value"),
    ("/capture/question%3Fvalue", "/capture/question"),
    ("/capture/hash%23value", "/capture/hash#value"),
    ("/capture/slash%2Fvalue", "/capture/slash/value"),
    ("/capture/unicode-%CE%BB-%E4%B8%96%E7%95%8C", "/capture/unicode-λ-世界"),
    ("/capture/literal%252Fvalue", "/capture/literal/value"),
    ("/capture/literal%253Fvalue", "/capture/literal?value"),
    ("/capture/literal%2525value", "/capture/literal%value"),
]


@pytest.mark.parametrize("sent", [sent for sent, _ in LIVE_PATHS])
def test_rest_event_keeps_the_clients_percent_encoding(sent: str) -> None:
    event = rest_event(request("GET", sent), context(stage="live"), resource="/{proxy+}")
    assert event["path"] == sent
    assert event["pathParameters"] == {"proxy": sent.removeprefix("/")}
    assert event["requestContext"]["path"] == f"/live{sent}"


def test_rest_path_parameters_keep_the_encoding_of_each_segment() -> None:
    event = rest_event(request("GET", "/users/J%C3%BCrgen%20K/files/a%2Fb/c.txt"), context(),
                       resource="/users/{name}/files/{key+}")
    assert event["pathParameters"] == {"name": "J%C3%BCrgen%20K", "key": "a%2Fb/c.txt"}


@pytest.mark.parametrize(("content_type", "types", "expected"), [
    ("image/png", ("image~1png",), True),
    ("image/png; charset=x", ("image/*",), True),
    ("application/json", ("*/*",), True),
    ("application/json", ("image/png",), False),
    (None, (), False),
])
def test_binary_media_types_decide_base64_for_rest(content_type: str | None,
                                                   types: tuple[str, ...],
                                                   expected: bool) -> None:
    assert is_binary_media_type(content_type, types) is expected


# ---- HTTP API ----------------------------------------------------------------------------

# The docs' examples come from an API with an mTLS domain and a JWT authorizer; samlite runs
# neither, so those members are absent (as they are on AWS without them).
V2_ABSENT = {"requestContext.authentication", "requestContext.authorizer"}


def docs_v2_request() -> HttpRequest:
    return HttpRequest(method="POST", path="/my/path",
                       raw_query="parameter1=value1&parameter1=value2&parameter2=value",
                       headers=(("Header1", "value1"), ("Header2", "value1"),
                                ("Header2", "value2"), ("Cookie", "cookie1; cookie2"),
                                ("User-Agent", "agent"), ("Content-Type", "text/plain")),
                       body=b"Hello from Lambda")


@pytest.mark.parametrize("name", ["http-api-v2-aws-docs.json",
                                  "http-api-sam-cli-http-api-proxy.json"])
def test_http_v2_event_has_the_documented_shape(name: str) -> None:
    ctx = context(stage="$default", stage_variables=(("stageVariable1", "value1"),))
    ours = http_v2_event(docs_v2_request(), ctx, route_key="$default",
                         path_parameters={"parameter1": "value1"})
    theirs = fixture(name)
    assert shape_diff(ours, theirs, absent=V2_ABSENT, extra=set()) == []
    for key in ("version", "routeKey", "rawQueryString", "cookies", "queryStringParameters",
                "pathParameters"):
        assert ours[key] == theirs[key], key
    assert {k: ours["headers"][k] for k in ("header1", "header2")} == \
        {"header1": "value1", "header2": "value1,value2"}
    assert "cookie" not in ours["headers"]
    http = ours["requestContext"]["http"]
    assert (http["method"], http["path"], http["protocol"], http["userAgent"]) == \
        ("POST", "/my/path", "HTTP/1.1", "agent")
    assert ours["requestContext"]["stage"] == "$default"
    assert CLF.match(ours["requestContext"]["time"])


@pytest.mark.parametrize(("sent", "seen"), LIVE_PATHS)
def test_http_api_events_carry_the_path_decoded_as_captured(sent: str, seen: str) -> None:
    v2 = http_v2_event(request("GET", sent), context(stage="$default"), route_key="$default",
                       path_parameters={})
    v1 = http_v1_event(request("GET", sent), context(stage="$default"), resource=sent,
                       path_parameters={})
    assert (v2["rawPath"], v2["requestContext"]["http"]["path"]) == (seen, seen)
    assert (v1["path"], v1["requestContext"]["path"]) == (seen, seen)


def test_function_url_event_keeps_the_encoding_in_raw_path_only() -> None:
    event = function_url_event(request("GET", "/capture/space%20value"),
                               context(stage="$default"))
    assert event["rawPath"] == "/capture/space%20value"
    assert event["requestContext"]["http"]["path"] == "/capture/space value"


def test_http_v2_event_leaves_out_empty_members() -> None:
    event = http_v2_event(request("GET", "/items"), context(stage="$default"),
                          route_key="GET /items", path_parameters={})
    assert not {"cookies", "queryStringParameters", "pathParameters", "stageVariables",
                "body"} & event.keys()
    assert event["routeKey"] == event["requestContext"]["routeKey"] == "GET /items"


@pytest.mark.parametrize(("content_type", "body", "is_base64"), [
    ("application/json", b'{"a": 1}', False),
    ("text/plain; charset=utf-8", b"hi", False),
    ("application/vnd.api+json", b"{}", False),
    ("application/x-www-form-urlencoded", b"a=1", True),
    ("image/png", b"\x89PNG", True),
    (None, b"raw", True),
])
def test_http_api_base64s_every_body_that_is_not_text(content_type: str | None, body: bytes,
                                                     is_base64: bool) -> None:
    headers = (("Content-Type", content_type),) if content_type else ()
    event = http_v2_event(request("POST", "/x", body=body, headers=headers),
                          context(), route_key="$default", path_parameters={})
    assert event["isBase64Encoded"] is is_base64
    decoded = base64.b64decode(event["body"]) if is_base64 else event["body"].encode()
    assert decoded == body


def test_http_v1_event_has_the_documented_shape() -> None:
    req = HttpRequest(method="GET", path="/my/path",
                      raw_query="parameter1=value1&parameter1=value2&parameter2=value",
                      headers=(("Header1", "value1"), ("Header2", "value1"),
                               ("Header2", "value2"), ("User-Agent", "user-agent")),
                      body=b"Hello from Lambda!")
    ours = http_v1_event(req, context(stage="$default"), resource="/my/path",
                         path_parameters={})
    theirs = fixture("http-api-v1-aws-docs.json")
    absent = {"requestContext.authorizer", "requestContext.identity.clientCert"}
    assert shape_diff(ours, theirs, absent=absent, extra=set()) == []
    for key in ("version", "resource", "path", "httpMethod", "queryStringParameters",
                "multiValueQueryStringParameters", "pathParameters", "stageVariables"):
        assert ours[key] == theirs[key], key
    assert ours["headers"]["header2"] == "value2"
    assert ours["multiValueHeaders"]["header2"] == ["value1", "value2"]
    assert ours["requestContext"]["resourceId"] is None


def test_function_url_event_has_the_documented_shape() -> None:
    ctx = context(stage="$default", api_id="a" * 32)
    ours = function_url_event(docs_v2_request(), ctx)
    theirs = fixture("function-url-aws-docs.json")
    # pathParameters and stageVariables: "Lambda sets this to null or excludes this".
    absent = {"pathParameters", "stageVariables"}
    assert shape_diff(ours, theirs, absent=absent, extra=set()) == []
    assert (ours["routeKey"], ours["requestContext"]["stage"]) == ("$default", "$default")
    assert ours["requestContext"]["authentication"] is None
    assert ours["rawPath"] == "/my/path"


def test_clf_time_is_api_gatewayss_format() -> None:
    assert clf_time(1428582896000) == "09/Apr/2015:12:34:56 +0000"
    assert clf_time(1583348638390) == "04/Mar/2020:19:03:58 +0000"


def test_clf_time_of_each_millisecond_is_its_seconds() -> None:
    assert clf_time(1428582896999) == "09/Apr/2015:12:34:56 +0000"
    assert clf_time(1428582897000) == "09/Apr/2015:12:34:57 +0000"
    assert clf_time(1428582896500) == "09/Apr/2015:12:34:56 +0000"


# ---- responses ---------------------------------------------------------------------------

def test_rest_response_merges_headers_and_multi_value_headers() -> None:
    payload = json.dumps({"statusCode": 201, "headers": {"X-A": "1", "X-B": "b"},
                          "multiValueHeaders": {"X-A": ["1", "2"]}, "body": "made"})
    response = v1_response(payload.encode(), flavor=Flavor.REST)
    assert response.status == 201
    assert [v for k, v in response.headers if k == "X-A"] == ["1", "2"]
    assert response.header("X-B") == "b"
    assert response.header("Content-Type") == "application/json"   # REST's default
    assert response.body == b"made"


PNG_RESPONSE = json.dumps({"statusCode": 200, "isBase64Encoded": True,
                           "headers": {"Content-Type": "image/png"},
                           "body": base64.b64encode(b"\x89PNG").decode()}).encode()


@pytest.mark.parametrize(("case", "accept", "types", "decoded"), [
    ("first Accept is binary", "image/png", ("image~1png",), True),
    ("first Accept is binary, with q", "image/png;q=0.9, text/html", ("image/png",), True),
    ("binary type only later in Accept", "text/html,image/png", ("image/png",), False),
    ("browser Accept, */* binary", "image/webp,image/*,*/*;q=0.8", ("*/*",), True),
    ("browser Accept, image/png binary", "image/webp,image/*,*/*;q=0.8", ("image/png",), False),
    ("no Accept", None, ("image/png",), False),
    ("no Accept, */* binary", None, ("*/*",), True),
    ("no binary media types", "image/png", (), False),
])
def test_rest_base64_response_is_decoded_by_the_first_accept_media_type(
        case: str, accept: str | None, types: tuple[str, ...], decoded: bool) -> None:
    body = v1_response(PNG_RESPONSE, flavor=Flavor.REST, binary_media_types=types,
                       accept=accept).body
    assert body == (b"\x89PNG" if decoded else base64.b64encode(b"\x89PNG"))


def test_rest_response_with_keys_outside_the_proxy_format_is_malformed() -> None:
    payload = json.dumps({"statusCode": 200, "body": "ok", "cookies": ["a=1"],
                          "extra": 1}).encode()
    with pytest.raises(MalformedResponse, match="Malformed Lambda proxy response: "
                                                "cookies, extra are not keys"):
        v1_response(payload, flavor=Flavor.REST)


def test_http_api_1_0_response_without_status_code_is_malformed() -> None:
    with pytest.raises(MalformedResponse, match="statusCode"):
        v1_response(b'{"body": "hi"}', flavor=Flavor.HTTP_V1)


@pytest.mark.parametrize(("case", "payload"), [
    ("not json", b"{oops"),
    ("a string", b'"hello"'),
    ("body not a string", b'{"statusCode": 200, "body": {"a": 1}}'),
    ("status not a number", b'{"statusCode": "ok"}'),
    ("header value an object", b'{"statusCode": 200, "headers": {"a": {}}}'),
    ("bad base64", b'{"statusCode": 200, "isBase64Encoded": true, "body": "%%%"}'),
])
def test_malformed_proxy_responses_are_refused(case: str, payload: bytes) -> None:
    with pytest.raises(MalformedResponse):
        v1_response(payload, flavor=Flavor.HTTP_V1)


@pytest.mark.parametrize(("output", "body"), [
    (b'"Hello from Lambda!"', b'"Hello from Lambda!"'),
    (b'{"message": "Hello from Lambda!"}', b'{"message": "Hello from Lambda!"}'),
])
def test_v2_infers_a_200_json_response_without_status_code(output: bytes, body: bytes) -> None:
    response = v2_response(output)
    assert (response.status, response.header("content-type"), response.body) == \
        (200, "application/json", body)


def test_v2_response_cookies_become_set_cookie_headers() -> None:
    payload = json.dumps({"statusCode": 201, "headers": {"X-A": "1"}, "body": "ok",
                          "cookies": ["a=1; Max-Age=60", "b=2"]}).encode()
    response = v2_response(payload)
    assert response.status == 201
    assert [v for k, v in response.headers if k == "Set-Cookie"] == ["a=1; Max-Age=60", "b=2"]


def test_error_answers_are_each_services_own() -> None:
    assert REST_ERRORS.function_failed == (502, "Internal server error")
    assert REST_ERRORS.timed_out == (504, "Endpoint request timed out")
    assert HTTP_ERRORS.function_failed == (500, "Internal Server Error")
    assert HTTP_ERRORS.timed_out == (503, "Service Unavailable")


@pytest.mark.parametrize(("flavor", "status", "message", "body"), [
    (Flavor.HTTP_V2, 500, "Internal Server Error", b'{"message":"Internal Server Error"}'),
    (Flavor.HTTP_V1, 404, "Not Found", b'{"message":"Not Found"}'),
    (Flavor.REST, 502, "Internal server error", b'{"message": "Internal server error"}'),
])
def test_error_bodies_are_byte_for_byte_each_services_own(flavor: Flavor, status: int,
                                                          message: str, body: bytes) -> None:
    assert error_response(status, message, flavor=flavor).body == body


@pytest.mark.parametrize("make", [
    pytest.param(lambda req, ctx: rest_event(req, ctx, resource="/hi"), id="REST"),
    pytest.param(lambda req, ctx: http_v1_event(req, ctx, resource="/hi",
                                                path_parameters={}), id="HTTP API 1.0"),
    pytest.param(lambda req, ctx: http_v2_event(req, ctx, route_key="GET /hi",
                                                path_parameters={}), id="HTTP API 2.0"),
])
def test_domain_prefix_is_the_first_label_of_the_host_without_its_port(make: Any) -> None:
    # API Gateway: domainName is the Host header; domainPrefix its first label.
    req = HttpRequest(method="GET", path="/hi", raw_query="", body=b"",
                      headers=(("Host", "localhost:3000"),))
    ctx = make(req, context(domain_name="localhost:3000"))["requestContext"]
    assert (ctx["domainName"], ctx["domainPrefix"]) == ("localhost:3000", "localhost")


@pytest.mark.parametrize(("domain_name", "prefix"), [
    ("id.execute-api.us-east-1.amazonaws.com", "id"),
    ("api.example.com:8443", "api"),
    ("[::1]:3000", "[::1]"),
])
def test_domain_prefix_of_other_hosts(domain_name: str, prefix: str) -> None:
    assert domain_prefix(domain_name) == prefix
