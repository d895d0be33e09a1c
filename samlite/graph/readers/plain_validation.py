"""Request validation of a plain AWS::ApiGateway::Method -> graph.RequestValidation: the
AWS::ApiGateway::RequestValidator its RequestValidatorId names (ValidateRequestBody,
ValidateRequestParameters), its RequestParameters marked required and the
AWS::ApiGateway::Model each RequestModels content type names. Pure.

Without a validator API Gateway checks nothing, whatever the method requires ("Request
validation for REST APIs in API Gateway"). Models are found by Ref or by Name (Ref returns a
model's name: CloudFormation AWS::ApiGateway::Model reference), or are the built-in Empty and
Error models every REST API has ("Data models for REST APIs", API Gateway developer guide).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from samlite.errors import Mark
from samlite.graph.model import RequestValidation
from samlite.graph.parts import GraphParts
from samlite.graph.values import as_bool, as_map, as_text, key_at
from samlite.template.model import Resource

MODEL = "AWS::ApiGateway::Model"
REQUEST_VALIDATOR = "AWS::ApiGateway::RequestValidator"
DRAFT_4 = "http://json-schema.org/draft-04/schema#"
BUILT_IN_MODELS = {
    "Empty": {"$schema": DRAFT_4, "title": "Empty Schema", "type": "object"},
    "Error": {"$schema": DRAFT_4, "title": "Error Schema", "type": "object",
              "properties": {"message": {"type": "string"}}},
}

Skip = Callable[[str, Mark], None]


def api_models(parts: GraphParts, models: list[Resource]) -> tuple[tuple[str, str], ...]:
    """The API's AWS::ApiGateway::Model resources as (name, schema JSON), so a model can
    $ref another as #/definitions/<name>."""
    found = []
    for res in models:
        name, schema = _model(parts, res)
        if schema is not None:
            found.append((name, schema))
    return tuple(found)


def method_validation(parts: GraphParts, res: Resource, route_name: str,
                      skip: Skip) -> RequestValidation | None:
    """What API Gateway validates on this method before its integration, or None."""
    props, raw = parts.props(res)
    if props.get("RequestValidatorId") is None:
        return None
    where = key_at(props, "RequestValidatorId", res.at)
    validator = parts.refs.target(parts.refs.dig(raw, "RequestValidatorId"),
                                  props.get("RequestValidatorId"))
    found = parts.resources.get(validator) if validator else None
    if found is None or found.type != REQUEST_VALIDATOR:
        skip(f"{route_name}: RequestValidatorId names no AWS::ApiGateway::RequestValidator of "
             "this template, so requests are not validated", where)
        return None
    settings, _ = parts.props(found)
    required = tuple(str(key) for key, value in as_map(props.get("RequestParameters")).items()
                     if as_bool(value, False))
    return RequestValidation(
        validates_body=as_bool(settings.get("ValidateRequestBody"), False),
        validates_parameters=as_bool(settings.get("ValidateRequestParameters"), False),
        required_parameters=required,
        body_schemas=_body_schemas(parts, res, route_name, skip))


def _body_schemas(parts: GraphParts, res: Resource, route_name: str,
                  skip: Skip) -> tuple[tuple[str, str], ...]:
    props, raw = parts.props(res)
    schemas = []
    raw_models = parts.refs.dig(raw, "RequestModels")
    for content_type, value in as_map(props.get("RequestModels")).items():
        target = parts.refs.target(parts.refs.dig(raw_models, content_type), value)
        model = parts.resources.get(target) if target else None
        schema = _model(parts, model)[1] if model is not None and model.type == MODEL \
            else _named_model(parts, res, as_text(value))
        if schema is None:
            skip(f"{route_name}: the {content_type} model {value!r} is not a model of this "
                 "API, so that body is not validated",
                 key_at(as_map(props.get("RequestModels")), content_type, res.at))
            continue
        schemas.append((str(content_type).lower(), schema))
    return tuple(schemas)


def _named_model(parts: GraphParts, method: Resource, name: str | None) -> str | None:
    if name is None:
        return None
    api = _rest_api(parts, method)
    for res in parts.resources.values():
        if res.type == MODEL and _rest_api(parts, res) == api:
            model_name, schema = _model(parts, res)
            if model_name == name:
                return schema
    built_in = BUILT_IN_MODELS.get(name)
    return json.dumps(built_in) if built_in is not None else None


def _model(parts: GraphParts, res: Resource) -> tuple[str, str | None]:
    """(name, schema JSON) of a Model: its Name, else what Ref gives; Schema is an object
    or its JSON text."""
    props, _ = parts.props(res)
    name = as_text(props.get("Name")) or parts.ref_name(res)
    schema = props.get("Schema")
    if isinstance(schema, str):
        try:
            schema = json.loads(schema)
        except ValueError:
            return name, None
    return name, json.dumps(schema) if isinstance(schema, Mapping) else None


def _rest_api(parts: GraphParts, res: Resource) -> Any:
    props, raw = parts.props(res)
    return parts.refs.target(parts.refs.dig(raw, "RestApiId"), props.get("RestApiId"))
