"""REST request validation and API keys, pure: the answers API Gateway gives ("Request
validation for REST APIs in API Gateway", "Choose an API key source in API Gateway")."""

from __future__ import annotations

import json

import pytest

from samlite.errors import Mark
from samlite.graph.model import ApiKey, RequestValidation
from samlite.sources.gateway.api_keys import ApiKeys, key_notes
from samlite.sources.gateway.events import HttpRequest
from samlite.sources.gateway.validation import check_request

AT = Mark(file="template.yaml", line=1, column=1)
PERSON = json.dumps({"type": "object", "required": ["name"],
                     "properties": {"name": {"type": "string"},
                                    "pet": {"$ref": "#/definitions/pet"}}})
PET = json.dumps({"type": "object", "required": ["kind"]})
MODELS = (("person", PERSON), ("pet", PET))
BOTH = RequestValidation(
    validates_body=True, validates_parameters=True,
    required_parameters=("method.request.querystring.page", "method.request.header.x-user"),
    body_schemas=(("application/json", json.dumps({"$ref": "#/definitions/person"})),))


def request(body: object = None, *, query: str = "page=1", content_type: str | None = None,
            **headers: str) -> HttpRequest:
    sent = tuple(headers.items()) + ((("Content-Type", content_type),) if content_type else ())
    raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    return HttpRequest(method="POST", path="/people", raw_query=query, headers=sent, body=raw)


def message(validation: RequestValidation | None, req: HttpRequest) -> str | None:
    rejection = check_request(validation, MODELS, req)
    return None if rejection is None else rejection.message


def key(value: str | None, *, enabled: bool = True, name: str = "Key") -> ApiKey:
    return ApiKey(logical_id=name, value=value, is_enabled=enabled, at=AT)


VALIDATION_CASES = [
    ("valid", request({"name": "Ada"}, **{"x-user": "a"}), None),
    ("both parameters missing", request({"name": "Ada"}, query=""),
     "Missing required request parameters: [x-user, page]"),
    ("blank query value is missing", request({"name": "Ada"}, query="page=", **{"x-user": "a"}),
     "Missing required request parameters: [page]"),
    ("parameters are checked before the body", request({}, query=""),
     "Missing required request parameters: [x-user, page]"),
    ("required property missing", request({"nom": "Ada"}, **{"x-user": "a"}),
     "Invalid request body"),
    ("a $ref to another model is followed", request({"name": "Ada", "pet": {}},
                                                   **{"x-user": "a"}), "Invalid request body"),
    ("not JSON", request(b"name=Ada", **{"x-user": "a"}), "Invalid request body"),
    ("no Content-Type is taken as JSON", request(b"", **{"x-user": "a"}),
     "Invalid request body"),
    ("a content type without a model is not validated",
     request(b"name=Ada", content_type="text/plain", **{"x-user": "a"}), None),
]


@pytest.mark.parametrize(("case", "req", "expected"), VALIDATION_CASES,
                         ids=[c[0] for c in VALIDATION_CASES])
def test_validation_answers(case: str, req: HttpRequest, expected: str | None) -> None:
    assert message(BOTH, req) == expected


def test_only_what_the_validator_validates_is_checked() -> None:
    body_only = RequestValidation(validates_body=True, required_parameters=(
        "method.request.querystring.page",), body_schemas=BOTH.body_schemas)
    assert message(body_only, request({"name": "Ada"}, query="")) is None
    assert message(None, request({}, query="")) is None


def test_default_model_applies_to_any_content_type() -> None:
    default = RequestValidation(validates_body=True, body_schemas=(("$default", PET),))
    assert message(default, request(b"{}", content_type="application/x-thing")) == \
        "Invalid request body"
    assert message(default, request(b'{"kind": "cat"}', content_type="text/plain")) is None


def test_a_model_that_is_not_a_schema_is_refused_with_a_reason() -> None:
    broken = RequestValidation(validates_body=True,
                               body_schemas=(("application/json", '{"type": 12}'),))
    rejection = check_request(broken, (), request({"name": "Ada"}))
    assert rejection is not None and rejection.message == "Invalid request body"
    assert "JSON Schema" in rejection.reason


KEY_CASES = [
    ("the key's value", (key("s3cret"),), "s3cret", True),
    ("another value", (key("s3cret"),), "guess", False),
    ("no header", (key("s3cret"),), None, False),
    ("a disabled key", (key("s3cret", enabled=False),), "s3cret", False),
    ("no key in the template: any", (), "anything", True),
    ("no key in the template, no header", (), None, False),
    ("a generated value: any", (key(None), key("s3cret", name="Other")), "anything", True),
]


@pytest.mark.parametrize(("case", "keys", "sent", "accepted"), KEY_CASES,
                         ids=[c[0] for c in KEY_CASES])
def test_api_keys(case: str, keys: tuple[ApiKey, ...], sent: str | None,
                  accepted: bool) -> None:
    headers = {"x-api-key": sent} if sent is not None else {}
    assert ApiKeys.of(keys).accept(request(**headers)) is accepted


def test_key_notes_say_when_any_key_is_accepted() -> None:
    assert key_notes(()) == [
        "no AWS::ApiGateway::ApiKey in the template: any x-api-key is accepted"]
    assert key_notes((key("s3cret"),)) == []
    assert key_notes((key(None, name="Gen"),)) == [
        "API key Gen: its value is generated by API Gateway, so any x-api-key is accepted"]
