"""HTTP API parameter mapping and the calls AWS service and HTTP proxy integrations make, as
pure mapping. Expressions as "Transform API requests and responses for HTTP APIs" lists
them; SQS parameters as the "Integration subtype reference" and botocore's SQS model name
them."""

from __future__ import annotations

import json

import pytest

from samlite.graph.model import Integration, IntegrationKind
from samlite.sources.gateway.events import HttpRequest, RequestContext
from samlite.sources.gateway.integrations import (
    MappingError,
    MappingSource,
    MissingSqsParameter,
    evaluate,
    missing_sqs_parameter,
    proxy_request,
    sqs_request,
)

CONTEXT = RequestContext(request_id="uuid-1", extended_request_id="JKJaXmPLvHcESHA=",
                         time_epoch_ms=1_700_000_000_000, account_id="123456789012",
                         api_id="abc123", stage="$default", domain_name="127.0.0.1:3000",
                         stage_variables=(("queue", "jobs"),))
REQUEST = HttpRequest(
    method="POST", path="/orders/42", raw_query="tag=a&tag=b&empty=",
    headers=(("Content-Type", "application/json"), ("X-Id", "1"), ("x-id", "2")),
    body=json.dumps({"message": "hi", "order": {"lines": [{"sku": "x"}], "n": 3}}).encode())
SOURCE = MappingSource(request=REQUEST, context=CONTEXT, route_key="POST /orders/{id}",
                       path_parameters={"id": "42"})


@pytest.mark.parametrize(("case", "given"), [
    ("body JSON path", ("$request.body.message", "hi")),
    ("nested body path with an index", ("$request.body.order.lines.0.sku", "x")),
    ("a body object is JSON text", ("$request.body.order.n", "3")),
    ("whole body", ("$request.body", REQUEST.body.decode())),
    ("header, case-insensitive, repeats joined", ("$request.header.x-id", "1,2")),
    ("query string, repeats joined", ("$request.querystring.tag", "a,b")),
    ("empty query value", ("$request.querystring.empty", "")),
    ("path parameter", ("$request.path.id", "42")),
    ("request path", ("$request.path", "/orders/42")),
    ("context variable", ("$context.requestId", "JKJaXmPLvHcESHA=")),
    ("stage variable", ("$stageVariables.queue", "jobs")),
    ("static value", ("jobs-queue", "jobs-queue")),
    ("variables in braces within text", ("${request.path.id}-${request.body.message}",
                                         "42-hi")),
    ("missing header", ("$request.header.nope", None)),
    ("missing body member", ("$request.body.nope", None)),
])
def test_evaluate(case: str, given: tuple[str, str | None]) -> None:
    expression, value = given
    assert evaluate(expression, SOURCE) == value, case


def sqs(subtype: str, **parameters: str) -> Integration:
    return Integration(kind=IntegrationKind.AWS_SERVICE, subtype=subtype,
                       request_parameters=tuple(parameters.items()))


def test_send_message_call_follows_the_docs_example() -> None:
    # "Working with AWS service integrations for HTTP APIs": the create-integration example
    # maps QueueUrl from a header and MessageBody from the body's message.
    call = sqs_request(sqs("SQS-SendMessage", QueueUrl="$request.header.queueUrl",
                           MessageBody="$request.body.message", Region="us-west-2"),
                       MappingSource(request=HttpRequest(
                           method="POST", path="/", headers=(("queueUrl", "http://q/1/jobs"),),
                           body=b'{"message": "hello"}'), context=CONTEXT, route_key="$default"))
    assert (call.method, call.header("x-amz-target"), call.header("content-type")) == \
        ("POST", "AmazonSQS.SendMessage", "application/x-amz-json-1.0")
    assert json.loads(call.body) == {"QueueUrl": "http://q/1/jobs", "MessageBody": "hello"}


def test_receive_message_parameters_get_the_sqs_model_types() -> None:
    call = sqs_request(sqs("SQS-ReceiveMessage", QueueUrl="jobs", MaxNumberOfMessages="5",
                           AttributeNames="All", MessageAttributeNames='["a", "b"]'), SOURCE)
    assert json.loads(call.body) == {"QueueUrl": "jobs", "MaxNumberOfMessages": 5,
                                     "AttributeNames": ["All"],
                                     "MessageAttributeNames": ["a", "b"]}


def test_a_required_parameter_the_request_lacks_is_named() -> None:
    with pytest.raises(MissingSqsParameter) as raised:
        sqs_request(sqs("SQS-DeleteMessage", QueueUrl="jobs",
                        ReceiptHandle="$request.header.x-receipt"), SOURCE)
    answer = missing_sqs_parameter(raised.value.name)
    assert (answer.status, json.loads(answer.body)["Message"]) == \
        (400, "The request must contain the parameter ReceiptHandle.")


def test_message_attributes_that_are_not_json_are_a_mapping_error() -> None:
    with pytest.raises(MappingError, match="MessageAttributes must be a JSON object"):
        sqs_request(sqs("SQS-SendMessage", QueueUrl="jobs", MessageBody="x",
                        MessageAttributes="not json"), SOURCE)


def proxy(uri: str, method: str = "ANY", **parameters: str) -> Integration:
    return Integration(kind=IntegrationKind.HTTP_PROXY, uri=uri, method=method,
                       request_parameters=tuple(parameters.items()))


def test_http_proxy_keeps_method_query_headers_and_body() -> None:
    sent = proxy_request(proxy("http://127.0.0.1:9/base/{id}"), SOURCE)
    assert (sent.method, sent.url, sent.body) == \
        ("POST", "http://127.0.0.1:9/base/42?tag=a&tag=b&empty=", REQUEST.body)
    assert ("X-Id", "1") in sent.headers


def test_http_proxy_greedy_path_and_fixed_method() -> None:
    source = MappingSource(request=HttpRequest(method="GET", path="/site/a/b c"),
                           context=CONTEXT, route_key="ANY /site/{proxy+}",
                           path_parameters={"proxy": "a/b c"})
    sent = proxy_request(proxy("https://127.0.0.1:9/{proxy}", method="PUT"), source)
    assert (sent.method, sent.url) == ("PUT", "https://127.0.0.1:9/a/b%20c")


@pytest.mark.parametrize(("case", "mapping", "headers", "url"), [
    ("overwrite a header", {"overwrite:header.x-id": "$request.path.id"},
     [("X-Id", None), ("x-id", "42")], None),
    ("append a header", {"append:header.x-extra": "$context.stage"},
     [("x-extra", "$default")], None),
    ("remove a header", {"remove:header.x-id": "''"}, [("X-Id", None), ("x-id", None)], None),
    ("overwrite a query value", {"overwrite:querystring.tag": "z"}, [],
     "http://127.0.0.1:9/p?empty=&tag=z"),
    ("remove a query value", {"remove:querystring.tag": "''"}, [],
     "http://127.0.0.1:9/p?empty="),
    ("overwrite the path", {"overwrite:path": "/v2/${request.path.id}"}, [],
     "http://127.0.0.1:9/v2/42?tag=a&tag=b&empty="),
])
def test_http_proxy_parameter_mapping(case: str, mapping: dict[str, str],
                                      headers: list[tuple[str, str | None]],
                                      url: str | None) -> None:
    sent = proxy_request(proxy("http://127.0.0.1:9/p", **mapping), SOURCE)
    for name, value in headers:
        found = [v for k, v in sent.headers if k == name]
        assert found == ([] if value is None else [value]), case
    if url is not None:
        assert sent.url == url
