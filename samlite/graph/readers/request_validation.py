"""REST request validation and API key settings of a route -> graph.RequestValidation. Pure.

Reads a SAM Api event's RequestModel / RequestParameters / Auth.ApiKeyRequired as SAM's
translator writes them into the OpenAPI document (samtranslator/model/eventsources/push.py,
Api._add_swagger_integration; swagger/swagger.py add_request_validator_to_method,
add_request_model_to_method, add_models), an inline OpenAPI operation's
x-amazon-apigateway-request-validator(s), parameters and body schema, and an Api's Models.
What API Gateway then checks is in "Request validation for REST APIs in API Gateway".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from samlite.graph.model import RequestValidation
from samlite.graph.values import as_bool, as_list, as_map, as_text

JSON = "application/json"
VALIDATORS = "x-amazon-apigateway-request-validators"
VALIDATOR = "x-amazon-apigateway-request-validator"
# OpenAPI parameter locations -> API Gateway's method.request.<location>.<name>
_LOCATIONS = {"query": "querystring", "header": "header", "path": "path"}


def event_validation(props: Mapping[str, Any]) -> RequestValidation | None:
    """A SAM Api event's validator. SAM adds one only when RequestModel sets ValidateBody or
    ValidateParameters (the other one then defaults to false); without it API Gateway
    validates nothing, whatever Required says."""
    model = as_map(props.get("RequestModel"))
    body, params = model.get("ValidateBody"), model.get("ValidateParameters")
    if not model.get("Model") or (body is None and params is None):
        return None
    name = str(model.get("Model")).lower()        # SAM lowercases model names (add_models)
    return RequestValidation(
        validates_body=as_bool(body, False), validates_parameters=as_bool(params, False),
        required_parameters=_event_parameters(props.get("RequestParameters")),
        body_schemas=((JSON, json.dumps({"$ref": f"#/definitions/{name}"})),))


def _event_parameters(value: Any) -> tuple[str, ...]:
    """RequestParameters entries marked Required (a plain string entry is not required)."""
    required = []
    for entry in as_list(value):
        for name, settings in as_map(entry).items():
            if as_bool(as_map(settings).get("Required"), False):
                required.append(str(name))
    return tuple(required)


def sam_models(value: Any) -> tuple[tuple[str, str], ...]:
    """An Api's Models as (lowercased name, schema JSON), as SAM puts them in definitions."""
    return tuple((str(name).lower(), json.dumps(schema))
                 for name, schema in as_map(value).items() if isinstance(schema, Mapping))


def body_models(body: Any) -> tuple[tuple[str, str], ...]:
    """An OpenAPI document's schemas: Swagger 2 definitions, OpenAPI 3 components.schemas."""
    doc = as_map(body)
    found = {**as_map(doc.get("definitions")), **as_map(as_map(doc.get("components"))
                                                          .get("schemas"))}
    return tuple((str(name), json.dumps(schema)) for name, schema in found.items()
                 if isinstance(schema, Mapping))


def operation_validation(body: Any, path: str, operation: Any) -> RequestValidation | None:
    """An inline OpenAPI operation's validator: its own x-amazon-apigateway-request-validator,
    else the document's default one, named in x-amazon-apigateway-request-validators."""
    doc, op = as_map(body), as_map(operation)
    name = as_text(op.get(VALIDATOR)) or as_text(doc.get(VALIDATOR))
    validator = as_map(as_map(doc.get(VALIDATORS)).get(name)) if name else {}
    if not validator:
        return None
    shared = as_list(as_map(as_map(doc.get("paths")).get(path)).get("parameters"))
    parameters = [as_map(p) for p in (*shared, *as_list(op.get("parameters")))]
    required = tuple(f"method.request.{_LOCATIONS[loc]}.{p.get('name')}" for p in parameters
                     if (loc := str(p.get("in"))) in _LOCATIONS
                     and as_bool(p.get("required"), False) and p.get("name"))
    schemas = [(JSON, json.dumps(p["schema"])) for p in parameters
               if p.get("in") == "body" and isinstance(p.get("schema"), Mapping)]
    content = as_map(as_map(op.get("requestBody")).get("content"))
    schemas += [(str(kind), json.dumps(media["schema"])) for kind, media in content.items()
                if isinstance(as_map(media).get("schema"), Mapping)]
    return RequestValidation(
        validates_body=as_bool(validator.get("validateRequestBody"), False),
        validates_parameters=as_bool(validator.get("validateRequestParameters"), False),
        required_parameters=required, body_schemas=tuple(schemas))
