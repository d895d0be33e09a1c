"""AWS::Serverless::Api / HttpApi -> graph.Api, routes from events and from an inline OpenAPI
DefinitionBody, and SAM's implicit ServerlessRestApi / ServerlessHttpApi. Pure."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from samlite.errors import Mark
from samlite.graph.model import (
    IMPLICIT_HTTP_API,
    IMPLICIT_REST_API,
    Api,
    ApiKey,
    ApiKind,
    EdgeKind,
    NotRunLocally,
    ParameterMapping,
    Route,
    Trigger,
    TriggerKind,
)
from samlite.graph.parts import FUNCTION_TYPES, GraphParts
from samlite.graph.readers import (
    definition_intrinsics,
    gateway_responses,
    parameter_mappings,
    request_validation,
    resource_policies,
    rest_integrations,
)
from samlite.graph.readers.authorizers import lambda_authorizers
from samlite.graph.readers.http_integrations import integration_of
from samlite.graph.readers.jwt_authorizers import sam_jwt_authorizers
from samlite.graph.readers.openapi_authorizers import body_authorizers, operation_auth
from samlite.graph.values import (
    as_bool,
    as_int,
    as_list,
    as_map,
    as_text,
    as_texts,
    http_cors,
    key_at,
    openapi_cors,
    rest_cors,
)
from samlite.template.includes import is_local_location
from samlite.template.model import Resource, Unresolved
from samlite.template.nodes import mark_of


def event_route(parts: GraphParts, fid: str, event_id: str, kind: TriggerKind, api: str | None,
                props: Mapping[str, Any], at: Mark) -> Route:
    is_rest = kind is TriggerKind.API
    implicit = IMPLICIT_REST_API if is_rest else IMPLICIT_HTTP_API
    if not api:
        api = implicit
        parts.implicit_apis.setdefault(implicit, at)
    path, method = as_text(props.get("Path")), as_text(props.get("Method"))
    if not is_rest and path is None and method is None:
        path, method = "$default", "ANY"   # SAM's catch-all route for an HttpApi event
    method = (method or "ANY").upper()
    if method == "X-AMAZON-APIGATEWAY-ANY-METHOD":
        method = "ANY"
    version = "1.0" if is_rest else as_text(props.get("PayloadFormatVersion")) or "2.0"
    auth = as_map(props.get("Auth"))
    key_required = auth.get("ApiKeyRequired")
    route = Route(api=api, kind=ApiKind.REST if is_rest else ApiKind.HTTP, method=method,
                  path=path or "/", function=fid, event=event_id,
                  payload_format_version=version,
                  timeout_ms=as_int(props.get("TimeoutInMillis")),
                  authorizer=as_text(auth.get("Authorizer")),
                  authorization_scopes=as_texts(auth.get("AuthorizationScopes"))
                  if "AuthorizationScopes" in auth else None,
                  api_key_required=as_bool(key_required, False)
                  if is_rest and key_required is not None else None,
                  validation=request_validation.event_validation(props) if is_rest else None,
                  ip_ranges=resource_policies.sam_ip_ranges(
                      parts, f"{fid}.Events.{event_id}", "Api", auth,
                      key_at(props, "Auth", at)) if is_rest else None,
                  at=at)
    parts.routes.append(route)
    return route


def read_api(parts: GraphParts, res: Resource) -> None:
    props, raw = parts.props(res)
    is_rest = res.type == "AWS::Serverless::Api"
    kind = ApiKind.REST if is_rest else ApiKind.HTTP
    body_lambdas, body_jwts = body_authorizers(parts, props.get("DefinitionBody"),
                                               parts.refs.dig(raw, "DefinitionBody"), kind,
                                               res.at)
    parts.apis.append(Api(
        logical_id=res.logical_id, kind=ApiKind.REST if is_rest else ApiKind.HTTP,
        stage_name=as_text(props.get("StageName")) or ("Prod" if is_rest else "$default"),
        binary_media_types=(*as_texts(props.get("BinaryMediaTypes")),
                            *rest_integrations.binary_media_types(props.get("DefinitionBody"))),
        cors=rest_cors(props.get("Cors")) if is_rest
        else openapi_cors(props.get("DefinitionBody")
                          or definition_document(parts, res, props, "DefinitionUri"),
                          props.get("CorsConfiguration")),
        stage_variables=text_pairs(props.get("Variables" if is_rest else "StageVariables")),
        default_authorizer=as_text(as_map(props.get("Auth")).get("DefaultAuthorizer")),
        lambda_authorizers=(*lambda_authorizers(parts, props.get("Auth"),
                                                parts.refs.dig(raw, "Auth"), kind, res.at),
                            *body_lambdas),
        jwt_authorizers=(*sam_jwt_authorizers(parts, props.get("Auth"),
                                              parts.refs.dig(raw, "Auth"), res.at),
                         *body_jwts),
        api_key_required=is_rest and as_bool(as_map(props.get("Auth")).get("ApiKeyRequired"),
                                             False),
        models=(*request_validation.sam_models(props.get("Models")),
                *request_validation.body_models(props.get("DefinitionBody")),
                *request_validation.body_models(
                    definition_document(parts, res, props, "DefinitionUri"))) if is_rest
        else (),
        gateway_responses=gateway_responses.merged(
            gateway_responses.openapi_responses(parts, res, props.get("DefinitionBody")),
            gateway_responses.openapi_responses(
                parts, res, definition_document(parts, res, props, "DefinitionUri")),
            gateway_responses.sam_responses(
                parts, (res.logical_id, res.type), props.get("GatewayResponses"),
                key_at(props, "GatewayResponses", res.at))) if is_rest else (),
        ip_ranges=resource_policies.sam_ip_ranges(parts, res.logical_id, res.type,
                                                  props.get("Auth"),
                                                  key_at(props, "Auth", res.at))
        if is_rest else None,
        policy=resource_policies.document_policy(
            parts, res, props.get("DefinitionBody"), resource_policies.POLICY_EXTENSION,
            key_at(props, "DefinitionBody", res.at)) if is_rest else None,
        at=res.at))
    _definition_routes(parts, res, props, raw, ApiKind.REST if is_rest else ApiKind.HTTP)
    if is_rest:
        _usage_plan_key(parts, res.logical_id, as_map(props.get("Auth")).get("UsagePlan"),
                        res.at)


def _usage_plan_key(parts: GraphParts, api: str, usage_plan: Any, at: Mark) -> None:
    """The key SAM creates for Auth.UsagePlan CreateUsagePlan PER_API (<Api>ApiKey) or SHARED
    (ServerlessApiKey), Enabled, with a value API Gateway generates (SAM's api_generator.py,
    _construct_usage_plan)."""
    create = (as_text(as_map(usage_plan).get("CreateUsagePlan")) or "NONE").upper()
    if create not in ("PER_API", "SHARED"):
        return
    logical_id = f"{api}ApiKey" if create == "PER_API" else "ServerlessApiKey"
    if all(k.logical_id != logical_id for k in parts.api_keys):
        parts.api_keys.append(ApiKey(logical_id=logical_id, is_enabled=True, at=at))


def _definition_routes(parts: GraphParts, res: Resource, props: Mapping[str, Any], raw: Any,
                       kind: ApiKind) -> None:
    body_routes(parts, res, props.get("DefinitionBody"),
                parts.refs.dig(raw, "DefinitionBody"), kind, source="DefinitionBody")
    file_routes(parts, res, props, "DefinitionUri", kind, names_skipped=False)


def definition_document(parts: GraphParts, res: Resource, props: Mapping[str, Any],
                        prop: str) -> Any:
    """The OpenAPI document of a DefinitionUri / BodyS3Location that names a local file
    (template/includes.py read it), else None."""
    return parts.resolved.loaded.definition_file(res.logical_id) if prop in props else None


def file_routes(parts: GraphParts, res: Resource, props: Mapping[str, Any], prop: str,
                kind: ApiKind, *, names_skipped: bool) -> None:
    """Routes of the OpenAPI file a DefinitionUri / BodyS3Location names: a local file is
    read as SAM CLI and `sam package` do (as written: API Gateway imports it without
    evaluating intrinsics); a file in S3 is named as not run locally."""
    if prop not in props:
        return
    document = definition_document(parts, res, props, prop)
    if document is not None:
        document = definition_intrinsics.servable(parts, res, prop, document,
                                                  key_at(props, prop, res.at))
        if document is not None:
            body_routes(parts, res, document, document, kind, source=prop,
                        names_skipped=names_skipped)
        return
    if is_local_location(props.get(prop)):
        return      # unreadable: validate reports it (E0010)
    parts.not_local.append(NotRunLocally(
        subject=f"{res.logical_id}.{prop}", type=res.type, at=key_at(props, prop, res.at),
        reason=f"the OpenAPI file {prop} names is in S3 and not read locally, so its routes "
               "are not served (give a local path: sam package uploads it)"))


# The integration request header a REST Lambda proxy fills to pass Invoke's TenantId (Lambda
# developer guide, "Invoking Lambda functions with tenant isolation": API Gateway).
TENANT_ID_TARGET = "integration.request.header.x-amz-tenant-id"


def tenant_id_source(request_parameters: Any) -> str | None:
    """The method request value a REST Lambda proxy's requestParameters map to the
    X-Amz-Tenant-Id header (header names are case-insensitive), if any."""
    return next((as_text(source) for target, source in as_map(request_parameters).items()
                 if str(target).lower() == TENANT_ID_TARGET), None)


def body_routes(parts: GraphParts, res: Resource, body: Any, raw_body: Any, kind: ApiKind, *,
                source: str, names_skipped: bool = False) -> None:
    """Routes an inline OpenAPI document (a SAM DefinitionBody, a plain API's Body) sends to
    a function of this template (x-amazon-apigateway-integration of type aws_proxy); for
    REST APIs, aws / http / http_proxy / mock integrations (rest_integrations.py); for HTTP
    APIs, SQS service integrations and http_proxy ones (http_integrations.py). A REST
    operation that cannot be served is always named as not run locally; an HTTP API's only
    with `names_skipped`."""
    if isinstance(body, Unresolved):     # e.g. an AWS::Include of a file in S3
        parts.not_local.append(NotRunLocally(
            subject=f"{res.logical_id}.{source}", type=res.type,
            at=mark_of(raw_body, res.at),
            reason=f"{source} is {body.expression}, which is not read locally, so its routes "
                   "are not served (include a local file instead)"))
        return
    paths = as_map(as_map(body).get("paths"))
    raw_paths = parts.refs.dig(raw_body, "paths")
    for path, operations in paths.items():
        for method, operation in as_map(operations).items():
            integration = as_map(as_map(operation).get("x-amazon-apigateway-integration"))
            verb = method.upper()
            verb = "ANY" if verb == "X-AMAZON-APIGATEWAY-ANY-METHOD" else verb
            at = key_at(as_map(paths.get(path)), method, res.at)
            integration_type = (as_text(integration.get("type")) or "").lower()
            if kind is ApiKind.HTTP and integration and (
                    integration_type != "aws_proxy" or "integrationSubtype" in integration):
                _http_integration_route(
                    parts, res, path, verb, integration, at, source=source,
                    names_skipped=names_skipped,
                    raw_queue=parts.refs.dig(raw_paths, path, method,
                                             "x-amazon-apigateway-integration",
                                             "requestParameters", "QueueUrl"))
                continue
            if kind is ApiKind.REST and integration_type in rest_integrations.REST_TYPES:
                _rest_integration_route(parts, res, body, path, method, operation, at,
                                        source=source, raw_paths=raw_paths)
                continue
            if integration_type != "aws_proxy":
                if names_skipped and integration:
                    parts.not_local.append(NotRunLocally(
                        subject=f"{res.logical_id}.{source}", type=res.type, at=at,
                        reason=f"{verb} {path}: {integration_type} integrations are not run "
                               "locally, so this route is not served"))
                continue
            raw_uri = parts.refs.dig(raw_paths, path, method,
                                     "x-amazon-apigateway-integration", "uri")
            fid = integration_function(parts, raw_uri, integration.get("uri"))
            if fid is None:
                # A REST operation is never dropped without a word (an HTTP API's still are
                # unless names_skipped).
                if names_skipped or kind is ApiKind.REST:
                    parts.not_local.append(NotRunLocally(
                        subject=f"{res.logical_id}.{source}", type=res.type, at=at,
                        reason=f"{verb} {path}: the aws_proxy integration names no function "
                               "of this template, so this route is not served"))
                continue
            authorizer, scopes = operation_auth(body, operation)
            route = Route(
                api=res.logical_id, kind=kind, method=verb, path=path, function=fid,
                event=source, authorizer=authorizer, authorization_scopes=scopes,
                parameter_mapping=_mapping(parts, res, source, f"{verb} {path}", integration,
                                           at, lambda_request=True)
                if kind is ApiKind.HTTP else None,
                # without a payloadFormatVersion, the API kind's SAM event default
                payload_format_version=as_text(integration.get("payloadFormatVersion"))
                or ("1.0" if kind is ApiKind.REST else "2.0"),
                timeout_ms=as_int(integration.get("timeoutInMillis")),
                api_key_required=_needs_api_key(body, operation) if kind is ApiKind.REST
                else None,
                validation=request_validation.operation_validation(body, path, operation)
                if kind is ApiKind.REST else None,
                tenant_id_source=tenant_id_source(integration.get("requestParameters"))
                if kind is ApiKind.REST else None,
                at=at)
            parts.definition_routes.append(route)
            parts.add_trigger(Trigger(
                logical_id=res.logical_id,
                kind=TriggerKind.API if kind is ApiKind.REST else TriggerKind.HTTP_API,
                event_type=res.type, function=fid, source=res.logical_id,
                runs_locally=True, route=route, at=route.at))


def _rest_integration_route(parts: GraphParts, res: Resource, body: Any, path: str,
                            method: str, operation: Any, at: Mark, *, source: str,
                            raw_paths: Any) -> None:
    """A REST operation whose integration is aws (non-proxy), http, http_proxy or mock
    (rest_integrations.py), served, or named as not run locally."""
    verb = method.upper()
    verb = "ANY" if verb == "X-AMAZON-APIGATEWAY-ANY-METHOD" else verb
    integration = as_map(as_map(operation).get("x-amazon-apigateway-integration"))
    raw_uri = parts.refs.dig(raw_paths, path, method, "x-amazon-apigateway-integration", "uri")
    uri = as_text(integration.get("uri")) or ""
    fid = integration_function(parts, raw_uri, uri) if ":lambda:path/" in uri else None
    found = rest_integrations.openapi_integration(integration, function=fid)
    if isinstance(found, rest_integrations.Unserved):
        parts.not_local.append(NotRunLocally(
            subject=f"{res.logical_id}.{source}", type=res.type, at=found.mark(integration, at),
            reason=f"{verb} {path}: {found.reason}, so this route is not served"))
        return
    route = Route(
        api=res.logical_id, kind=ApiKind.REST, method=verb, path=path, function=fid,
        event=source, payload_format_version="1.0", timeout_ms=found.timeout_ms,
        api_key_required=_needs_api_key(body, operation),
        validation=request_validation.operation_validation(body, path, operation),
        integration=found, at=at)
    parts.definition_routes.append(route)
    rest_integrations.add_edges(parts, res.logical_id, raw_uri, found, f"{verb} {path}")
    if fid is not None:
        parts.add_trigger(Trigger(
            logical_id=res.logical_id, kind=TriggerKind.API, event_type=res.type,
            function=fid, source=res.logical_id, runs_locally=True, route=route, at=at))


def _needs_api_key(body: Any, operation: Any) -> bool | None:
    """An operation (else the document) whose security names an apiKey scheme (SAM writes
    `api_key`; securityDefinitions / components.securitySchemes say its type)."""
    doc = as_map(body)
    schemes = {**as_map(doc.get("securityDefinitions")),
               **as_map(as_map(doc.get("components")).get("securitySchemes"))}
    security = as_map(operation).get("security", doc.get("security"))
    if security is None:
        return None
    names = {str(name) for entry in as_list(security) for name in as_map(entry)}
    # an apiKey scheme with x-amazon-apigateway-authorizer is an authorizer's token, not a key
    return any(as_map(schemes.get(name)).get("type") == "apiKey"
               and "x-amazon-apigateway-authorizer" not in as_map(schemes.get(name))
               for name in names)


def _http_integration_route(parts: GraphParts, res: Resource, path: str, verb: str,
                            integration: Mapping[str, Any], at: Mark, *, source: str,
                            names_skipped: bool, raw_queue: Any) -> None:
    """An HTTP API operation whose integration is an AWS service or an HTTP proxy."""
    found = integration_of(
        integration_type=as_text(integration.get("type")) or "",
        subtype=as_text(integration.get("integrationSubtype")),
        uri=as_text(integration.get("uri")), method=as_text(integration.get("httpMethod")),
        connection_type=as_text(integration.get("connectionType")),
        parameters=integration.get("requestParameters"),
        timeout_ms=integration.get("timeoutInMillis"))
    subject = f"{res.logical_id}.{source}"
    if isinstance(found, str):
        if names_skipped:
            parts.not_local.append(NotRunLocally(
                subject=subject, type=res.type, at=at,
                reason=f"{verb} {path}: {found}, so this route is not served"))
        return
    parts.definition_routes.append(Route(
        api=res.logical_id, kind=ApiKind.HTTP, method=verb, path=path, function=None,
        event=source, payload_format_version="2.0", timeout_ms=found.timeout_ms,
        integration=parameter_mappings.without_reserved(found),
        parameter_mapping=_mapping(parts, res, source, f"{verb} {path}", integration, at,
                                   lambda_request=False),
        at=at))
    parts.edge(res.logical_id,
               parts.refs.target(raw_queue, dict(found.request_parameters).get("QueueUrl")),
               EdgeKind.INTEGRATION, f"{verb} {path} {found.describe()}")


def _mapping(parts: GraphParts, res: Resource, source: str, route_name: str,
             integration: Mapping[str, Any], at: Mark, *,
             lambda_request: bool) -> ParameterMapping | None:
    """An HTTP API operation's parameter mapping; reserved headers are named."""
    def name(reason: str) -> None:
        parts.not_local.append(NotRunLocally(subject=f"{res.logical_id}.{source}",
                                             type=res.type, at=at,
                                             reason=f"{route_name}: {reason}"))

    request = integration.get("requestParameters")
    if not lambda_request:
        for key in parameter_mappings.reserved_request_keys(request):
            name(f"the request mapping {key} names a reserved header, which API Gateway "
                 "does not let a mapping change; it is not applied")
    return parameter_mappings.mapping_of(request=request,
                                         response=integration.get("responseParameters"),
                                         lambda_request=lambda_request, name=name)


def integration_function(parts: GraphParts, raw_uri: Any, uri: Any) -> str | None:
    """The function of this template a Lambda integration URI names: the raw intrinsic
    (Fn::Sub / Fn::Join around ${Fn.Arn}) first, else the resolved
    arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function arn>/invocations,
    or the function's ARN itself (HTTP APIs take either), with or without a qualifier."""
    text = as_text(uri) or ""
    arn = text.partition("/functions/")[2].removesuffix("/invocations") or text
    named = parts.function_id(None, arn)   # also notes an alias it names (`${Fn.Arn}:live`)
    fid = next((t for t in parts.refs.refs_in(raw_uri)
                if parts.resources[t].type in FUNCTION_TYPES), None)
    return fid if fid is not None else named


def merge_definition_routes(parts: GraphParts) -> None:
    """Where SAM puts an event's route (samtranslator: DefaultDefinitionBodyPlugin sets
    __MANAGE_SWAGGER only without DefinitionBody and DefinitionUri; eventsources/push.py):
    an Api adds it only to a document SAM generates, or with MergeDefinitions; an HttpApi
    adds it to any inline DefinitionBody. So an Api with its own DefinitionBody or
    DefinitionUri, and an HttpApi with a DefinitionUri, get no event routes (the event only
    makes the Lambda permission); an event so left out is named, as API Gateway will not
    serve it. Where an event's route is added, its operation replaces the document's."""
    unmanaged = {lid for lid, res in parts.resources.items()
                 if res.type in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi")
                 and _has_own_definition(parts, res)}
    ignored = [r for r in parts.routes if r.api in unmanaged]
    defined = {(r.api, r.method, r.path) for r in parts.definition_routes}
    for route in ignored:
        if (route.api, route.method, route.path) not in defined:
            parts.not_local.append(NotRunLocally(
                subject=f"{route.function}.Events.{route.event}",
                type="Api" if route.kind is ApiKind.REST else "HttpApi", at=route.at,
                reason=f"{route.method} {route.path} is not a route of {route.api}: SAM adds "
                       "no event route to an Api with its own DefinitionBody or "
                       "DefinitionUri (unless MergeDefinitions) nor to an HttpApi with a "
                       "DefinitionUri, so API Gateway does not serve it either; to serve it, "
                       "add the path to that definition"))
            # `samlite graph` still draws it, as not served
            parts.edge(route.api, route.function, EdgeKind.NOT_SERVED,
                       f"{route.method} {route.path}")
    parts.routes = [r for r in parts.routes if r not in ignored]
    taken = {(r.api, r.method, r.path) for r in parts.routes}
    dropped = [*ignored,
               *(r for r in parts.definition_routes if (r.api, r.method, r.path) in taken)]
    parts.routes.extend(r for r in parts.definition_routes if r not in dropped)
    if dropped:
        parts.functions = [dataclasses.replace(fn, events=tuple(
            t for t in fn.events if t.route not in dropped)) for fn in parts.functions]


def _has_own_definition(parts: GraphParts, res: Resource) -> bool:
    """Whether SAM leaves event routes out of this API's OpenAPI document."""
    props, _ = parts.props(res)
    if props.get("DefinitionBody") is not None:
        return res.type == "AWS::Serverless::Api" and \
            not as_bool(props.get("MergeDefinitions"), False)
    return props.get("DefinitionUri") is not None


def merge_plain_routes(parts: GraphParts) -> None:
    """Routes of plain API Gateway resources come first. A SAM event on a plain API's method
    and path gives way to them: SAM's translator only adds a Lambda permission for it
    (push.py, Api.to_cloudformation), so AWS serves the API's own method."""
    if not parts.plain_routes:
        return
    taken = {(r.api, r.method, r.path) for r in parts.plain_routes}
    dropped = [r for r in parts.routes if (r.api, r.method, r.path) in taken]
    parts.routes = [*parts.plain_routes, *(r for r in parts.routes if r not in dropped)]
    if dropped:
        parts.functions = [dataclasses.replace(fn, events=tuple(
            t for t in fn.events if t.route not in dropped)) for fn in parts.functions]


def link_authorizers(parts: GraphParts) -> None:
    """An edge from each API to its Lambda authorizers' functions (`samlite graph`)."""
    for api in parts.apis:
        for authorizer in api.lambda_authorizers:
            parts.edge(api.logical_id, authorizer.function, EdgeKind.AUTHORIZER,
                       authorizer.name)


def add_implicit_apis(parts: GraphParts) -> None:
    """SAM's ServerlessRestApi / ServerlessHttpApi, configured by Globals.Api/HttpApi."""
    globals_ = as_map(as_map(parts.resolved.loaded.root).get("Globals"))
    for logical_id, at in parts.implicit_apis.items():
        if logical_id in parts.resources:
            continue
        is_rest = logical_id == IMPLICIT_REST_API
        config = as_map(globals_.get("Api" if is_rest else "HttpApi"))
        parts.apis.append(Api(
            logical_id=logical_id, kind=ApiKind.REST if is_rest else ApiKind.HTTP,
            is_implicit=True, stage_name="Prod" if is_rest else "$default",
            binary_media_types=tuple(v for v in as_list(config.get("BinaryMediaTypes"))
                                     if isinstance(v, str)),
            cors=rest_cors(config.get("Cors")) if is_rest
            else http_cors(config.get("CorsConfiguration")),
            stage_variables=text_pairs(
                config.get("Variables" if is_rest else "StageVariables")),
            default_authorizer=as_text(as_map(config.get("Auth")).get("DefaultAuthorizer")),
            lambda_authorizers=lambda_authorizers(
                parts, config.get("Auth"), config.get("Auth"),
                ApiKind.REST if is_rest else ApiKind.HTTP, at),
            jwt_authorizers=sam_jwt_authorizers(parts, config.get("Auth"), config.get("Auth"),
                                                at),
            api_key_required=is_rest and as_bool(
                as_map(config.get("Auth")).get("ApiKeyRequired"), False),
            models=request_validation.sam_models(config.get("Models")) if is_rest else (),
            gateway_responses=gateway_responses.merged(gateway_responses.sam_responses(
                parts, (logical_id, "AWS::Serverless::Api"), config.get("GatewayResponses"),
                key_at(config, "GatewayResponses", at))) if is_rest else (),
            at=at))


def text_pairs(value: Any) -> tuple[tuple[str, str], ...]:
    """A map of names to scalar values (stage variables) as sorted text pairs."""
    pairs = ((str(k), as_text(v)) for k, v in as_map(value).items())
    return tuple(sorted((k, v) for k, v in pairs if v is not None))
