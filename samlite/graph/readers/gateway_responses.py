"""A REST API's customized gateway responses -> graph.GatewayResponse. Pure.

Three spellings of one thing: SAM's Api `GatewayResponses` (StatusCode, ResponseParameters
Headers/Paths/QueryStrings, ResponseTemplates; SAM writes them into the OpenAPI document as
gatewayresponse.header.<name> and so on: samtranslator's model/api/api_generator.py and
swagger/swagger.py add_gateway_responses), an OpenAPI document's
x-amazon-apigateway-gateway-responses, and AWS::ApiGateway::GatewayResponse resources.
What the local gateway cannot do with them is named under "Not run locally": parameters
other than headers. Response templates are not Velocity: API Gateway fills in variables and
sends the rest as written ("x-amazon-apigateway-gateway-responses.responseTemplates object":
"A GatewayResponse mapping template isn't processed by the Velocity Template Language (VTL)
engine"), and so does the local gateway; `validate` warns about directives in them (W7416).
Follows "Gateway response types for API Gateway" and "Setting up gateway responses to
customize error responses" (API Gateway developer guide).
"""

from __future__ import annotations

from typing import Any

from samlite.errors import Mark
from samlite.graph.model import GatewayResponse, NotRunLocally
from samlite.graph.parts import GraphParts
from samlite.graph.values import as_int, as_map, as_text, key_at
from samlite.template.model import Resource

GATEWAY_RESPONSE = "AWS::ApiGateway::GatewayResponse"
OPENAPI_KEY = "x-amazon-apigateway-gateway-responses"
HEADER = "gatewayresponse.header."
# SAM's ResponseParameters groups -> API Gateway's destination prefixes.
_SAM_GROUPS = {"Headers": HEADER, "Paths": "gatewayresponse.path.",
               "QueryStrings": "gatewayresponse.querystring."}
Owner = tuple[str, str]      # (logical id, resource type) of the API that declares them


def sam_responses(parts: GraphParts, owner: Owner, value: Any,
                  where: Mark) -> list[GatewayResponse]:
    """An Api's (or Globals.Api's) GatewayResponses; `owner`: (logical id, type)."""
    found = []
    responses = as_map(value)
    for response_type, settings in responses.items():
        settings = as_map(settings)
        at = key_at(responses, response_type, where)
        parameters = as_map(settings.get("ResponseParameters"))
        pairs = [(f"{prefix}{name}", str(source))
                 for group, prefix in _SAM_GROUPS.items()
                 for name, source in as_map(parameters.get(group)).items()]
        found.append(_response(parts, owner, str(response_type), settings.get("StatusCode"),
                               pairs, settings.get("ResponseTemplates"), at))
    return found


def openapi_responses(parts: GraphParts, res: Resource, document: Any) -> list[GatewayResponse]:
    """An OpenAPI document's x-amazon-apigateway-gateway-responses."""
    responses = as_map(as_map(document).get(OPENAPI_KEY))
    found = []
    for response_type, settings in responses.items():
        settings = as_map(settings)
        at = key_at(responses, response_type, res.at)
        pairs = [(str(k), str(v)) for k, v in as_map(settings.get("responseParameters")).items()]
        found.append(_response(parts, (res.logical_id, res.type), str(response_type),
                               settings.get("statusCode"), pairs,
                               settings.get("responseTemplates"), at))
    return found


def resource_responses(parts: GraphParts, resources: list[Resource]) -> list[GatewayResponse]:
    """The API's AWS::ApiGateway::GatewayResponse resources."""
    found = []
    for res in resources:
        props, _ = parts.props(res)
        response_type = as_text(props.get("ResponseType"))
        if response_type is None:
            continue
        pairs = [(str(k), str(v)) for k, v in as_map(props.get("ResponseParameters")).items()]
        found.append(_response(parts, (res.logical_id, res.type), response_type,
                               props.get("StatusCode"), pairs, props.get("ResponseTemplates"),
                               res.at))
    return found


def merged(*groups: list[GatewayResponse]) -> tuple[GatewayResponse, ...]:
    """One response per type; a later group (resources after the document) wins."""
    by_type: dict[str, GatewayResponse] = {}
    for group in groups:
        by_type.update((g.response_type, g) for g in group)
    return tuple(by_type.values())


def _response(parts: GraphParts, owner: Owner, response_type: str, status: Any,
              pairs: list[tuple[str, str]], templates: Any, at: Mark) -> GatewayResponse:
    owner_id, owner_type = owner
    subject = f"{owner_id}.{response_type}"
    for destination, _ in pairs:
        if not destination.startswith(HEADER):
            parts.not_local.append(NotRunLocally(
                subject=subject, type=owner_type, at=at,
                reason=f"gateway response parameter {destination} is not set locally (only "
                       "gatewayresponse.header.* are)"))
    rendered = tuple((str(kind), str(text)) for kind, text in as_map(templates).items())
    return GatewayResponse(response_type=response_type, status_code=as_int(status),
                           parameters=tuple(p for p in pairs if p[0].startswith(HEADER)),
                           templates=rendered, at=at)


def is_gateway_response_of(parts: GraphParts, res: Resource, api: str) -> bool:
    props, raw = parts.props(res)
    return parts.refs.target(parts.refs.dig(raw, "RestApiId"), props.get("RestApiId")) == api


def of_resources(parts: GraphParts, api: str) -> list[Resource]:
    return [r for r in parts.resources.values()
            if r.type == GATEWAY_RESPONSE and is_gateway_response_of(parts, r, api)]
