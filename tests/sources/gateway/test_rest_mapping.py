"""REST non-proxy mapping, pure: request templates by Content-Type and passthroughBehavior
("Method request behavior for payloads without mapping templates"), integration response
selection ("Set up an integration response in API Gateway", "Handle Lambda errors in API
Gateway") and response parameters and templates."""

from __future__ import annotations

import json

import pytest

from samlite.graph.model import IntegrationResponse, RestMapping
from samlite.sources.gateway.rest_mapping import (
    IntegrationAnswer,
    MethodRequest,
    NoMatchingResponse,
    UnsupportedMediaType,
    convert,
    integration_request,
    lambda_error_message,
    method_response,
    request_value,
    select_response,
)

DEFAULT = IntegrationResponse(status_code="200")
BAD_INPUT = IntegrationResponse(selection_pattern="Invalid.*", status_code="400")
NOT_FOUND = IntegrationResponse(selection_pattern="404", status_code="404")


def method_request(body: str = '{"name": "Ada"}', content_type: str | None = None,
                   ) -> MethodRequest:
    headers = {"Content-Type": content_type} if content_type else {}
    event = {"headers": {**headers, "X-Id": "h-1"}, "pathParameters": {"id": "7"},
             "queryStringParameters": {"q": "x"}, "stageVariables": {"env": "dev"},
             "requestContext": {"requestId": "r-1", "identity": {"sourceIp": "192.0.2.1"}}}
    return MethodRequest(event=event, body_text=body, body=body.encode(), is_binary=False)


@pytest.mark.parametrize(("case", "behavior", "templates", "content_type", "expected"), [
    ("the content type's template", "WHEN_NO_MATCH",
     (("application/json", '{"who": "$input.path(\'$.name\')"}'),), None, b'{"who": "Ada"}'),
    ("no match passes through", "WHEN_NO_MATCH", (("application/xml", "x"),), "text/plain",
     b'{"name": "Ada"}'),
    ("no templates passes through", "WHEN_NO_TEMPLATES", (), "text/plain",
     b'{"name": "Ada"}'),
    ("templates but no match refuses", "WHEN_NO_TEMPLATES", (("application/xml", "x"),),
     "text/plain", UnsupportedMediaType),
    ("never refuses unmapped", "NEVER", (), None, UnsupportedMediaType),
    ("never still maps a match", "NEVER", (("application/json", "ok"),),
     "application/json; charset=utf-8", b"ok"),
])
def test_request_template_and_passthrough(case: str, behavior: str,
                                          templates: tuple[tuple[str, str], ...],
                                          content_type: str | None, expected: object) -> None:
    mapping = RestMapping(request_templates=templates, passthrough_behavior=behavior)
    request = method_request(content_type=content_type)
    if isinstance(expected, bytes):
        assert integration_request(mapping, request).body == expected
    else:
        with pytest.raises(UnsupportedMediaType):
            integration_request(mapping, request)


@pytest.mark.parametrize(("case", "selector", "expected"), [
    ("a Lambda success takes the default", None, DEFAULT),
    ("an error matching a pattern whole", "Invalid input: name", BAD_INPUT),
    ("a pattern must match the whole text", "Oh. Invalid input", DEFAULT),
    ("a status code pattern", "404", NOT_FOUND),
    # "Handle Lambda errors in API Gateway": unmapped errors are returned as 200 OK
    ("an unmatched error takes the default", "Something else", DEFAULT),
    ("'.' does not cross a line break, as in Java", "Invalid\ninput", DEFAULT),
])
def test_select_response(case: str, selector: str | None,
                         expected: IntegrationResponse) -> None:
    assert select_response((BAD_INPUT, NOT_FOUND, DEFAULT), selector) == expected


def test_no_match_and_no_default_is_a_configuration_error() -> None:
    with pytest.raises(NoMatchingResponse):
        select_response((BAD_INPUT,), "Other")


def test_the_error_message_of_a_function_error_selects() -> None:
    payload = json.dumps({"errorMessage": "Invalid input", "errorType": "ValueError",
                          "stackTrace": []}).encode()
    assert lambda_error_message(payload) == "Invalid input"


@pytest.mark.parametrize(("case", "source", "expected"), [
    ("static", "'application/x-www-form-urlencoded'", "application/x-www-form-urlencoded"),
    ("path", "method.request.path.id", "7"),
    ("query string", "method.request.querystring.q", "x"),
    ("header, any case", "method.request.header.x-id", "h-1"),
    ("body JSONPath", "method.request.body.name", "Ada"),
    ("stage variable", "stageVariables.env", "dev"),
    ("context", "context.identity.sourceIp", "192.0.2.1"),
    ("absent", "method.request.querystring.none", None),
])
def test_request_parameter_sources(case: str, source: str, expected: str | None) -> None:
    assert request_value(source, method_request()) == expected


def test_method_response_maps_status_headers_and_body() -> None:
    response = IntegrationResponse(
        selection_pattern="Invalid.*", status_code="400",
        parameters=(("method.response.header.X-Error-Type",
                     "integration.response.body.errorType"),
                    ("method.response.header.X-Static", "'yes'"),
                    ("method.response.header.X-Upstream", "integration.response.header.X-Up")),
        templates=(("application/json",
                    '{"error": "$input.path(\'$.errorMessage\')", "id": '
                    '"$input.params(\'id\')"}'),))
    answer = IntegrationAnswer(body=b'{"errorMessage": "Invalid input", "errorType": "E"}',
                               headers=(("x-up", "u"),))
    got = method_response(response, answer, method_request(), accept=None, request_id="r-1")
    assert got.status == 400
    assert json.loads(got.body) == {"error": "Invalid input", "id": "7"}
    assert (got.header("content-type"), got.header("x-error-type"), got.header("x-static"),
            got.header("x-upstream")) == ("application/json", "E", "yes", "u")


def test_without_a_template_the_body_passes_through_as_json() -> None:
    got = method_response(DEFAULT, IntegrationAnswer(body=b'{"ok": true}'), method_request(),
                          accept="text/html", request_id="r-1")
    assert (got.status, got.body, got.header("content-type")) == (
        200, b'{"ok": true}', "application/json")


def test_the_accept_header_chooses_the_response_template() -> None:
    response = IntegrationResponse(templates=(("application/json", "json"),
                                              ("application/xml", "<xml/>")))
    got = method_response(response, IntegrationAnswer(), method_request(),
                          accept="application/xml, */*", request_id="r-1")
    assert (got.body, got.header("content-type")) == (b"<xml/>", "application/xml")


@pytest.mark.parametrize(("case", "body", "handling", "is_binary", "expected"), [
    ("to text base64-encodes a binary payload", b"\x89PNG", "CONVERT_TO_TEXT", True,
     b"iVBORw=="),
    ("to binary decodes base64 text", b"aGk=", "CONVERT_TO_BINARY", False, b"hi"),
    ("to binary decodes a Lambda's JSON string", b'"aGk="', "CONVERT_TO_BINARY", False,
     b"hi"),
    ("unset passes the payload as it is", b"\x89PNG", None, True, b"\x89PNG"),
])
def test_content_handling(case: str, body: bytes, handling: str | None, is_binary: bool,
                          expected: bytes) -> None:
    # "Content type conversions in API Gateway"
    assert convert(body, handling, is_binary=is_binary) == expected


def test_a_template_overrides_the_status_and_headers() -> None:
    # "Use a mapping template to override an API's request and response parameters and
    # status codes": $context.responseOverride wins over the integration response.
    response = IntegrationResponse(status_code="200", templates=(("application/json", """\
#set($context.responseOverride.status = 418)
#set($context.responseOverride.header.X-Teapot = "short")
{"ok": false}"""),))
    got = method_response(response, IntegrationAnswer(), method_request(), accept=None,
                          request_id="r-1")
    assert (got.status, got.header("x-teapot"), json.loads(got.body)) == (
        418, "short", {"ok": False})


def test_a_request_template_overrides_integration_parameters() -> None:
    mapping = RestMapping(request_templates=(("application/json", """\
#set($context.requestOverride.header.X-Tenant = "t-9")
#set($context.requestOverride.querystring.page = "2")
{}"""),))
    mapped = integration_request(mapping, method_request())
    assert mapped.parameters((), "header", method_request()) == {"X-Tenant": "t-9"}
    assert mapped.parameters(
        (("integration.request.querystring.page", "'1'"),
         ("integration.request.querystring.q", "method.request.querystring.q")),
        "querystring", method_request()) == {"page": "2", "q": "x"}
