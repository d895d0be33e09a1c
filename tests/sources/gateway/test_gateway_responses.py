"""Gateway responses applied to API Gateway's own answers: what a client of a REST API that
customizes them reads. The OpenAPI example is the developer guide's ("Set up a gateway
response for a REST API using OpenAPI", MISSING_AUTHENTICATION_TOKEN to 404)."""

from __future__ import annotations

import json

import pytest

from samlite.errors import Mark
from samlite.graph.model import Api, ApiKind, GatewayResponse
from samlite.sources.gateway.events import HttpRequest, HttpResponse, error_response
from samlite.sources.gateway.gateway_responses import customize

AT = Mark("template.yaml", 1, 1)
AWS_EXAMPLE = GatewayResponse(
    response_type="MISSING_AUTHENTICATION_TOKEN", status_code=404,
    parameters=(("gatewayresponse.header.x-request-path", "method.request.path.petId"),
                ("gatewayresponse.header.x-request-query", "method.request.querystring.q"),
                ("gatewayresponse.header.Access-Control-Allow-Origin", "'a.b.c'"),
                ("gatewayresponse.header.x-request-header", "method.request.header.Accept")),
    templates=(("application/json",
                '{\n     "message": $context.error.messageString,\n     "type":  '
                '"$context.error.responseType",\n     "stage":  "$context.stage",\n     '
                '"resourcePath":  "$context.resourcePath",\n     "stageVariables.a":  '
                '"$stageVariables.a",\n     "statusCode": "\'404\'"\n}'),),
    at=AT)
REQUEST = HttpRequest(method="GET", path="/pets/7", raw_query="q=cat",
                      headers=(("Accept", "application/json"),))


def api(*responses: GatewayResponse) -> Api:
    return Api(logical_id="Rest", kind=ApiKind.REST, stage_name="test",
               stage_variables=(("a", "alpha"),), gateway_responses=responses, at=AT)


def missing_token() -> HttpResponse:
    return error_response(403, "Missing Authentication Token",
                          error_type="MissingAuthenticationTokenException",
                          request_id="req-1", gateway_response="MISSING_AUTHENTICATION_TOKEN")


def test_the_developer_guide_example_reshapes_missing_authentication_token() -> None:
    answer = customize(missing_token(), api(AWS_EXAMPLE), REQUEST, resource_path="/pets/{petId}",
                       path_parameters={"petId": "7"})
    assert answer.status == 404
    assert json.loads(answer.body) == {
        "message": "Missing Authentication Token", "type": "MISSING_AUTHENTICATION_TOKEN",
        "stage": "test", "resourcePath": "/pets/{petId}", "stageVariables.a": "alpha",
        "statusCode": "'404'"}
    headers = dict(answer.headers)
    assert (headers["x-request-path"], headers["x-request-query"],
            headers["Access-Control-Allow-Origin"], headers["x-request-header"]) == \
        ("7", "cat", "a.b.c", "application/json")
    assert (headers["Content-Type"], headers["x-amzn-RequestId"]) == ("application/json", "req-1")


def test_a_type_not_customized_takes_default_4xx_and_its_status() -> None:
    default = GatewayResponse(response_type="DEFAULT_4XX", status_code=418,
                              parameters=(("gatewayresponse.header.Access-Control-Allow-Origin",
                                           "'*'"),), at=AT)
    answer = customize(missing_token(), api(default), REQUEST)
    assert (answer.status, answer.header("Access-Control-Allow-Origin"), answer.body) == \
        (418, "*", b'{"message": "Missing Authentication Token"}')


def test_a_5xx_answer_does_not_take_default_4xx() -> None:
    failed = error_response(502, "Internal server error", gateway_response="DEFAULT_5XX")
    default = GatewayResponse(response_type="DEFAULT_4XX", status_code=418, at=AT)
    assert customize(failed, api(default), REQUEST) == failed


@pytest.mark.parametrize(("template", "body"), [
    pytest.param('{"m":$context.error.messageString,"id":"$context.requestId"}',
                 b'{"m":"Missing Authentication Token","id":"req-1"}', id="message string"),
    pytest.param('<e>$context.error.message</e>', b"<e>Missing Authentication Token</e>",
                 id="message"),
    pytest.param('{"u":"$context.unknown","q":"$!context.unknown"}',
                 b'{"u":"$context.unknown","q":""}', id="unknown reference"),
    pytest.param('{"message":$context.error.messageString}',
                 b'{"message":"Missing Authentication Token"}', id="the default template"),
    pytest.param('${context.error.responseType}}', b"MISSING_AUTHENTICATION_TOKEN}",
                 id="braced reference"),
])
def test_context_values_fill_the_template(template: str, body: bytes) -> None:
    custom = GatewayResponse(response_type="MISSING_AUTHENTICATION_TOKEN",
                             templates=(("application/json", template),), at=AT)
    assert customize(missing_token(), api(custom), REQUEST).body == body


def test_a_functions_own_response_is_never_customized() -> None:
    own = HttpResponse(status=403, body=b"mine")
    default = GatewayResponse(response_type="DEFAULT_4XX", status_code=418, at=AT)
    assert customize(own, api(default), REQUEST) == own


def test_each_refusal_and_answer_carries_its_gateway_response_type() -> None:
    from samlite.sources.gateway.authorizers import Outcome, refusal
    from samlite.sources.gateway.events import REST_ERRORS, Flavor
    from samlite.sources.gateway.gateway_responses import answer_type, validation_type

    assert [refusal(o, flavor=Flavor.REST, request_id="r").gateway_response
            for o in (Outcome.UNAUTHORIZED, Outcome.IMPLICIT_DENY, Outcome.EXPLICIT_DENY,
                      Outcome.FAILED)] == [
        "UNAUTHORIZED", "ACCESS_DENIED", "ACCESS_DENIED", "AUTHORIZER_CONFIGURATION_ERROR"]
    assert [answer_type(REST_ERRORS, a) for a in (
        REST_ERRORS.too_large, REST_ERRORS.timed_out, REST_ERRORS.function_failed,
        REST_ERRORS.invoke_rejected)] == [
        "REQUEST_TOO_LARGE", "INTEGRATION_TIMEOUT", "DEFAULT_5XX", "DEFAULT_5XX"]
    assert (validation_type("Invalid request body"),
            validation_type("Missing required request parameters: [q]")) == \
        ("BAD_REQUEST_BODY", "BAD_REQUEST_PARAMETERS")
