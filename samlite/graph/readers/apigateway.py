"""Plain CloudFormation REST APIs -> graph.Api and Route: an AWS::ApiGateway::RestApi with its
Resource tree, Methods, Stage and Deployment, or with an inline OpenAPI Body. Pure.

Lambda proxy integrations (Integration Type AWS_PROXY to a function of this template) are
routes, as are AWS, HTTP, HTTP_PROXY and MOCK ones that rest_integrations.py can serve; any
other integration, or an authorizer samlite does not run (plain_authorizers.py says which it
runs), is named under "Not run locally" with where the template sets it. A Method's
RequestValidatorId, RequestParameters and RequestModels are its request validation
(plain_validation.py). A Method's ApiKeyRequired is checked against the
template's AWS::ApiGateway::ApiKey resources. Follows the CloudFormation reference pages of
AWS::ApiGateway::RestApi, Resource, Method, Stage, Deployment and ApiKey.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from samlite.errors import Mark
from samlite.graph.model import (
    Api,
    ApiKey,
    ApiKind,
    NotRunLocally,
    Route,
    Trigger,
    TriggerKind,
)
from samlite.graph.parts import GraphParts
from samlite.graph.readers import (
    apis,
    gateway_responses,
    plain_authorizers,
    plain_validation,
    request_validation,
    resource_policies,
    rest_integrations,
)
from samlite.graph.readers.openapi_authorizers import body_authorizers
from samlite.graph.values import as_bool, as_int, as_map, as_text, as_texts, key_at
from samlite.template.model import Resource

REST_API = "AWS::ApiGateway::RestApi"
RESOURCE = "AWS::ApiGateway::Resource"
METHOD = "AWS::ApiGateway::Method"
STAGE = "AWS::ApiGateway::Stage"
DEPLOYMENT = "AWS::ApiGateway::Deployment"
API_KEY = "AWS::ApiGateway::ApiKey"
CHILD_TYPES = (RESOURCE, METHOD, STAGE, DEPLOYMENT, plain_authorizers.REST_AUTHORIZER,
               plain_validation.MODEL, plain_validation.REQUEST_VALIDATOR,
               gateway_responses.GATEWAY_RESPONSE)
# A REST API with neither Stage nor Deployment is not reachable on AWS; locally it is served
# under the stage name SAM gives its own REST APIs.
UNDEPLOYED_STAGE = "Prod"


def read_rest_api(parts: GraphParts, res: Resource) -> None:
    props, raw = parts.props(res)
    stage_name, variables = _stage(parts, res.logical_id)
    body_lambdas, body_jwts = body_authorizers(parts, json_map(props.get("Body")),
                                               parts.refs.dig(raw, "Body"), ApiKind.REST,
                                               res.at)
    lambdas, jwts = plain_authorizers.read_authorizers(
        parts, children(parts, plain_authorizers.REST_AUTHORIZER, res.logical_id), ApiKind.REST)
    lambdas, jwts = (*body_lambdas, *lambdas), (*body_jwts, *jwts)
    parts.apis.append(Api(
        logical_id=res.logical_id, kind=ApiKind.REST, stage_name=stage_name,
        binary_media_types=(*as_texts(props.get("BinaryMediaTypes")),
                            *rest_integrations.binary_media_types(json_map(props.get("Body")))),
        stage_variables=variables, lambda_authorizers=lambdas, jwt_authorizers=jwts,
        models=(*request_validation.body_models(json_map(props.get("Body"))),
                *request_validation.body_models(
                    apis.definition_document(parts, res, props, "BodyS3Location")),
                *plain_validation.api_models(
                    parts, children(parts, plain_validation.MODEL, res.logical_id))),
        gateway_responses=gateway_responses.merged(
            gateway_responses.openapi_responses(parts, res, json_map(props.get("Body"))),
            gateway_responses.openapi_responses(
                parts, res, apis.definition_document(parts, res, props, "BodyS3Location")),
            gateway_responses.resource_responses(
                parts, children(parts, gateway_responses.GATEWAY_RESPONSE, res.logical_id))),
        policy=resource_policies.document_policy(parts, res, props, "Policy", res.at)
        or resource_policies.document_policy(parts, res, json_map(props.get("Body")),
                                             resource_policies.POLICY_EXTENSION,
                                             key_at(props, "Body", res.at)),
        at=res.at))
    if "Body" in props:
        apis.body_routes(parts, res, json_map(props.get("Body")), parts.refs.dig(raw, "Body"),
                         ApiKind.REST, source="Body", names_skipped=True)
    apis.file_routes(parts, res, props, "BodyS3Location", ApiKind.REST, names_skipped=True)
    runnable = plain_authorizers.runnable_names(lambdas, jwts)
    for method in children(parts, METHOD, res.logical_id):
        _read_method(parts, res.logical_id, method, runnable)


def read_api_key(parts: GraphParts, res: Resource) -> None:
    props, _ = parts.props(res)
    parts.api_keys.append(ApiKey(logical_id=res.logical_id, value=as_text(props.get("Value")),
                                 is_enabled=as_bool(props.get("Enabled"), False), at=res.at))


def read_child(parts: GraphParts, res: Resource) -> bool:
    """A Resource, Method, Stage or Deployment is modelled with its RestApi when that is one
    of this template's; else it is an other resource."""
    return api_of(parts, res) is not None


def api_of(parts: GraphParts, res: Resource) -> str | None:
    """The logical id of the template's RestApi whose RestApiId `res` names."""
    props, raw = parts.props(res)
    found = parts.refs.target(parts.refs.dig(raw, "RestApiId"), props.get("RestApiId"))
    return found if found and parts.resources[found].type == REST_API else None


def children(parts: GraphParts, child_type: str, api: str) -> list[Resource]:
    return [r for r in parts.resources.values()
            if r.type == child_type and api_of(parts, r) == api]


def json_map(value: Any) -> Mapping[str, Any]:
    """Body is an OpenAPI object, or the same as JSON text."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return as_map(value)


def _stage(parts: GraphParts, api: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The first Stage of the API, else the stage its first Deployment creates."""
    for stage in children(parts, STAGE, api):
        props, _ = parts.props(stage)
        name = as_text(props.get("StageName"))
        if name:
            return name, apis.text_pairs(props.get("Variables"))
    for deployment in children(parts, DEPLOYMENT, api):
        props, _ = parts.props(deployment)
        name = as_text(props.get("StageName"))
        if name:
            described = as_map(props.get("StageDescription"))
            return name, apis.text_pairs(described.get("Variables"))
    return UNDEPLOYED_STAGE, ()


def resource_path(parts: GraphParts, api: str, raw: Any, value: Any) -> str | None:
    """The path a ResourceId / ParentId names: the RestApi's RootResourceId is "/", a
    Resource adds its PathPart to its parent's path. None when the chain leaves the API."""
    found = parts.refs.target(raw, value)
    segments: list[str] = []
    while found != api:
        res = parts.resources.get(found) if found else None
        if res is None or res.type != RESOURCE or len(segments) > 100:
            return None
        props, raw_props = parts.props(res)
        segment = as_text(props.get("PathPart"))
        if not segment:
            return None
        segments.append(segment)
        found = parts.refs.target(parts.refs.dig(raw_props, "ParentId"), props.get("ParentId"))
    return "/" + "/".join(reversed(segments))


def _read_method(parts: GraphParts, api: str, res: Resource, runnable: set[str]) -> None:
    props, raw = parts.props(res)
    verb = (as_text(props.get("HttpMethod")) or "").upper()
    path = resource_path(parts, api, parts.refs.dig(raw, "ResourceId"),
                         props.get("ResourceId"))
    integration = as_map(props.get("Integration"))
    integration_type = (as_text(integration.get("Type")) or "").upper()
    at = key_at(props, "Integration", res.at)

    def skip(reason: str, where: Mark = at) -> None:
        parts.not_local.append(NotRunLocally(subject=res.logical_id, type=res.type,
                                             reason=reason, at=where))

    if path is None or not verb:
        skip("its ResourceId names neither the RestApi's RootResourceId nor a Resource of "
             "it, so this method is not served", key_at(props, "ResourceId", res.at))
        return
    route_name = f"{verb} {path}"
    if integration_type.lower() in rest_integrations.REST_TYPES:
        _integration_route(parts, api, res, verb, path, skip, runnable)
        return
    if integration_type != "AWS_PROXY":
        skip(f"{route_name}: {integration_type or 'no'} integration is not run locally "
             "(only AWS_PROXY to a function of this template is), so this route is not "
             "served")
        return
    fid = apis.integration_function(parts, parts.refs.dig(raw, "Integration", "Uri"),
                                    integration.get("Uri"))
    if fid is None:
        skip(f"{route_name}: the AWS_PROXY integration's Uri names no function of this "
             "template, so this route is not served")
        return
    auth = plain_authorizers.route_auth(parts, props, raw, runnable)
    route = Route(api=api, kind=ApiKind.REST, method=verb, path=path, function=fid,
                  event=res.logical_id, payload_format_version="1.0",
                  authorizer=auth.authorizer, authorization_scopes=auth.scopes,
                  timeout_ms=as_int(integration.get("TimeoutInMillis")),
                  api_key_required=as_bool(props.get("ApiKeyRequired"), False),
                  validation=plain_validation.method_validation(
                      parts, res, route_name, skip),
                  tenant_id_source=apis.tenant_id_source(integration.get("RequestParameters")),
                  at=res.at)
    parts.plain_routes.append(route)
    parts.add_trigger(Trigger(logical_id=res.logical_id, kind=TriggerKind.API,
                              event_type=res.type, function=fid, source=api,
                              runs_locally=True, route=route, at=res.at))
    if auth.unrun is not None:
        skip(f"{route_name}: {auth.unrun}", key_at(props, "AuthorizationType", res.at))


def _integration_route(parts: GraphParts, api: str, res: Resource, verb: str, path: str,
                       skip: Any, runnable: set[str]) -> None:
    """A Method whose Integration is AWS (non-proxy), HTTP, HTTP_PROXY or MOCK."""
    props, raw = parts.props(res)
    integration = as_map(props.get("Integration"))
    uri = as_text(integration.get("Uri")) or ""
    fid = apis.integration_function(parts, parts.refs.dig(raw, "Integration", "Uri"), uri) \
        if ":lambda:path/" in uri else None
    found = rest_integrations.method_integration(integration, function=fid)
    if isinstance(found, rest_integrations.Unserved):
        skip(f"{verb} {path}: {found.reason}, so this route is not served",
             found.mark(integration, key_at(props, "Integration", res.at)))
        return
    auth = plain_authorizers.route_auth(parts, props, raw, runnable)
    route = Route(api=api, kind=ApiKind.REST, method=verb, path=path, function=fid,
                  event=res.logical_id, payload_format_version="1.0",
                  authorizer=auth.authorizer, authorization_scopes=auth.scopes,
                  timeout_ms=found.timeout_ms,
                  api_key_required=as_bool(props.get("ApiKeyRequired"), False),
                  validation=plain_validation.method_validation(
                      parts, res, f"{verb} {path}", skip),
                  integration=found, at=res.at)
    parts.plain_routes.append(route)
    rest_integrations.add_edges(parts, api, parts.refs.dig(raw, "Integration", "Uri"), found,
                                f"{verb} {path}")
    if fid is not None:
        parts.add_trigger(Trigger(logical_id=res.logical_id, kind=TriggerKind.API,
                                  event_type=res.type, function=fid, source=api,
                                  runs_locally=True, route=route, at=res.at))
    if auth.unrun is not None:
        skip(f"{verb} {path}: {auth.unrun}", key_at(props, "AuthorizationType", res.at))

