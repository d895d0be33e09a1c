"""Plain CloudFormation HTTP APIs -> graph.Api and Route: an AWS::ApiGatewayV2::Api with its
Routes, Integrations and Stage, with an inline OpenAPI Body, or quick-created with Target. Pure.

Lambda proxy integrations (AWS_PROXY to a function of this template), AWS service integrations
of the subtypes the local endpoint answers and HTTP_PROXY ones are routes
(http_integrations.py), with their authorizers (plain_authorizers.py); other integrations,
authorizers samlite does not run and WebSocket APIs are named under "Not run locally".
Follows the CloudFormation reference pages of AWS::ApiGatewayV2::Api, Route, Integration and
Stage.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from samlite.errors import Mark
from samlite.graph.model import (
    Api,
    ApiKind,
    EdgeKind,
    Integration,
    NotRunLocally,
    ParameterMapping,
    Route,
    Trigger,
    TriggerKind,
)
from samlite.graph.parts import GraphParts
from samlite.graph.readers import apis, parameter_mappings, plain_authorizers
from samlite.graph.readers.http_integrations import integration_of
from samlite.graph.readers.openapi_authorizers import body_authorizers
from samlite.graph.values import as_int, as_text, key_at, openapi_cors
from samlite.template.model import Resource

HTTP_API = "AWS::ApiGatewayV2::Api"
ROUTE = "AWS::ApiGatewayV2::Route"
INTEGRATION = "AWS::ApiGatewayV2::Integration"
STAGE = "AWS::ApiGatewayV2::Stage"
CHILD_TYPES = (ROUTE, INTEGRATION, STAGE, plain_authorizers.HTTP_AUTHORIZER)
DEFAULT_ROUTE = "$default"
# PayloadFormatVersion is required for Lambda proxy integrations of HTTP APIs (CloudFormation
# AWS::ApiGatewayV2::Integration); quick create (Api Target) uses 2.0.
DEFAULT_PAYLOAD = "2.0"


def read_http_api(parts: GraphParts, res: Resource) -> None:
    props, raw = parts.props(res)
    protocol = (as_text(props.get("ProtocolType")) or "HTTP").upper()
    if protocol != "HTTP":
        parts.not_local.append(NotRunLocally(
            subject=res.logical_id, type=res.type, at=key_at(props, "ProtocolType", res.at),
            reason=f"{protocol} APIs are not served locally (HTTP APIs are)"))
        return
    stage_name, variables = _stage(parts, res.logical_id)
    body_lambdas, body_jwts = body_authorizers(parts, props.get("Body"),
                                               parts.refs.dig(raw, "Body"), ApiKind.HTTP,
                                               res.at)
    lambdas, jwts = plain_authorizers.read_authorizers(
        parts, children(parts, plain_authorizers.HTTP_AUTHORIZER, res.logical_id), ApiKind.HTTP)
    lambdas, jwts = (*body_lambdas, *lambdas), (*body_jwts, *jwts)
    parts.apis.append(Api(
        logical_id=res.logical_id, kind=ApiKind.HTTP, stage_name=stage_name,
        cors=openapi_cors(props.get("Body") or apis.definition_document(
            parts, res, props, "BodyS3Location"), props.get("CorsConfiguration")),
        stage_variables=variables,
        lambda_authorizers=lambdas, jwt_authorizers=jwts, at=res.at))
    if "Body" in props:
        apis.body_routes(parts, res, props.get("Body"), parts.refs.dig(raw, "Body"),
                         ApiKind.HTTP, source="Body", names_skipped=True)
    apis.file_routes(parts, res, props, "BodyS3Location", ApiKind.HTTP, names_skipped=True)
    if "Target" in props:
        _quick_create_route(parts, res, props, raw)
    runnable = plain_authorizers.runnable_names(lambdas, jwts)
    for route in children(parts, ROUTE, res.logical_id):
        _read_route(parts, res.logical_id, route, runnable)


def read_child(parts: GraphParts, res: Resource) -> bool:
    """A Route, Integration or Stage is modelled with its Api when that is one of this
    template's; else it is an other resource."""
    return api_of(parts, res) is not None


def api_of(parts: GraphParts, res: Resource) -> str | None:
    props, raw = parts.props(res)
    found = parts.refs.target(parts.refs.dig(raw, "ApiId"), props.get("ApiId"))
    return found if found and parts.resources[found].type == HTTP_API else None


def children(parts: GraphParts, child_type: str, api: str) -> list[Resource]:
    return [r for r in parts.resources.values()
            if r.type == child_type and api_of(parts, r) == api]


def _stage(parts: GraphParts, api: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    for stage in children(parts, STAGE, api):
        props, _ = parts.props(stage)
        name = as_text(props.get("StageName"))
        if name:
            return name, apis.text_pairs(props.get("StageVariables"))
    return DEFAULT_ROUTE, ()


def route_key(text: str | None) -> tuple[str, str] | None:
    """(method, path) of a RouteKey: "GET /items/{id}", "ANY /{proxy+}", "$default"."""
    if text is None:
        return None
    if text.strip() == DEFAULT_ROUTE:
        return "ANY", DEFAULT_ROUTE
    method, _, path = text.strip().partition(" ")
    path = path.strip()
    return (method.upper(), path) if method and path.startswith("/") else None


def _quick_create_route(parts: GraphParts, res: Resource, props: Mapping[str, Any],
                        raw: Any) -> None:
    """Api Target (quick create): one route (RouteKey, else $default) to a Lambda proxy
    integration with payload format 2.0."""
    at = key_at(props, "Target", res.at)
    key = route_key(as_text(props.get("RouteKey")) or DEFAULT_ROUTE)
    fid = apis.integration_function(parts, parts.refs.dig(raw, "Target"), props.get("Target"))
    if key is None or fid is None:
        parts.not_local.append(NotRunLocally(
            subject=f"{res.logical_id}.Target", type=res.type, at=at,
            reason="the quick-create Target names no function of this template (or the "
                   "RouteKey is not METHOD /path), so its route is not served"))
        return
    _add(parts, res.logical_id, res, key, fid, DEFAULT_PAYLOAD, None, at)


def _read_route(parts: GraphParts, api: str, res: Resource, runnable: set[str]) -> None:
    props, raw = parts.props(res)
    auth = plain_authorizers.route_auth(parts, props, raw, runnable)
    key = route_key(as_text(props.get("RouteKey")))

    def skip(reason: str, where: Mark) -> None:
        parts.not_local.append(NotRunLocally(subject=res.logical_id, type=res.type,
                                             reason=reason, at=where))

    if key is None:
        skip("its RouteKey is neither $default nor METHOD /path, so it is not served",
             key_at(props, "RouteKey", res.at))
        return
    name = DEFAULT_ROUTE if key[1] == DEFAULT_ROUTE else f"{key[0]} {key[1]}"
    at = key_at(props, "Target", res.at)
    integration = _integration(parts, parts.refs.dig(raw, "Target"), props.get("Target"))
    if integration is None:
        skip(f"{name}: its Target names no AWS::ApiGatewayV2::Integration of this template, "
             "so this route is not served", at)
        return
    i_props, i_raw = parts.props(integration)
    i_type = (as_text(i_props.get("IntegrationType")) or "").upper()
    subtype = as_text(i_props.get("IntegrationSubtype"))
    if i_type != "AWS_PROXY" or subtype:
        other = integration_of(
            integration_type=i_type, subtype=subtype,
            uri=as_text(i_props.get("IntegrationUri")),
            method=as_text(i_props.get("IntegrationMethod")),
            connection_type=as_text(i_props.get("ConnectionType")),
            parameters=i_props.get("RequestParameters"),
            timeout_ms=i_props.get("TimeoutInMillis"))
        if isinstance(other, str):
            skip(f"{name}: its integration {integration.logical_id}: {other}, so this route "
                 "is not served", at)
            return
        _add_integration(parts, api, key, parameter_mappings.without_reserved(other),
                         res.logical_id, res.at, auth,
                         _mapping(parts, integration, name, lambda_request=False))
        parts.edge(api, parts.refs.target(parts.refs.dig(i_raw, "RequestParameters", "QueueUrl"),
                                          dict(other.request_parameters).get("QueueUrl")),
                   EdgeKind.INTEGRATION, f"{name} {other.describe()}")
        _skip_authorization(props, auth, name, skip, res)
        return
    fid = apis.integration_function(parts, parts.refs.dig(i_raw, "IntegrationUri"),
                                    i_props.get("IntegrationUri"))
    if fid is None:
        skip(f"{name}: integration {integration.logical_id}'s IntegrationUri names no "
             "function of this template, so this route is not served", at)
        return
    version = as_text(i_props.get("PayloadFormatVersion")) or DEFAULT_PAYLOAD
    _add(parts, api, res, key, fid, version, as_int(i_props.get("TimeoutInMillis")), res.at,
         auth, _mapping(parts, integration, name, lambda_request=True))
    _skip_authorization(props, auth, name, skip, res)


def _skip_authorization(props: Mapping[str, Any], auth: plain_authorizers.RouteAuth,
                        name: str, skip: Callable[[str, Mark], None], res: Resource) -> None:
    if auth.unrun is not None:
        skip(f"{name}: {auth.unrun}", key_at(props, "AuthorizationType", res.at))


def _add_integration(parts: GraphParts, api: str, key: tuple[str, str],
                     integration: Integration, event: str, at: Mark,
                     auth: plain_authorizers.RouteAuth,
                     mapping: ParameterMapping | None = None) -> None:
    """A route served by its integration: no function, so no trigger."""
    parts.plain_routes.append(Route(
        api=api, kind=ApiKind.HTTP, method=key[0], path=key[1], function=None, event=event,
        payload_format_version=DEFAULT_PAYLOAD, timeout_ms=integration.timeout_ms,
        integration=integration, authorizer=auth.authorizer,
        authorization_scopes=auth.scopes, parameter_mapping=mapping, at=at))


def _mapping(parts: GraphParts, integration: Resource, route_name: str, *,
             lambda_request: bool) -> ParameterMapping | None:
    """An Integration's parameter mapping; reserved headers are named where it is set."""
    props, _ = parts.props(integration)

    def name(reason: str, prop: str) -> None:
        parts.not_local.append(NotRunLocally(
            subject=integration.logical_id, type=integration.type,
            at=key_at(props, prop, integration.at), reason=f"{route_name}: {reason}"))

    if not lambda_request:
        for key in parameter_mappings.reserved_request_keys(props.get("RequestParameters")):
            name(f"the request mapping {key} names a reserved header, which API Gateway "
                 "does not let a mapping change; it is not applied", "RequestParameters")
    return parameter_mappings.mapping_of(
        request=props.get("RequestParameters"), response=props.get("ResponseParameters"),
        lambda_request=lambda_request,
        name=lambda reason: name(reason, "ResponseParameters" if reason.startswith(
            "the response") else "RequestParameters"))


def _integration(parts: GraphParts, raw: Any, value: Any) -> Resource | None:
    """The Integration a Route's Target ("integrations/<IntegrationId>") names."""
    for found in parts.refs.refs_in(raw):
        if parts.resources[found].type == INTEGRATION:
            return parts.resources[found]
    text = as_text(value) or ""
    found = parts.refs.lookup(text.removeprefix("integrations/"))
    return parts.resources[found] if found and parts.resources[found].type == INTEGRATION \
        else None


def _add(parts: GraphParts, api: str, res: Resource, key: tuple[str, str], fid: str,
         version: str, timeout_ms: int | None, at: Mark,
         auth: plain_authorizers.RouteAuth | None = None,
         mapping: ParameterMapping | None = None) -> None:
    route = Route(api=api, kind=ApiKind.HTTP, method=key[0], path=key[1], function=fid,
                  event=res.logical_id, payload_format_version=version,
                  timeout_ms=timeout_ms, authorizer=auth.authorizer if auth else None,
                  authorization_scopes=auth.scopes if auth else None,
                  parameter_mapping=mapping, at=at)
    parts.plain_routes.append(route)
    parts.add_trigger(Trigger(logical_id=res.logical_id, kind=TriggerKind.HTTP_API,
                              event_type=res.type, function=fid, source=api,
                              runs_locally=True, route=route, at=at))
