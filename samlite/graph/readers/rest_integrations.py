"""REST API integrations other than a Lambda proxy -> graph.Integration with its RestMapping:
`aws` (a function of this template without the proxy, or an AWS service), `http`,
`http_proxy` and `mock`, from an OpenAPI x-amazon-apigateway-integration or an
AWS::ApiGateway::Method's Integration. Pure.

Served: Lambda non-proxy to a function here, SQS and S3 service integrations (what the local
endpoint answers), http(s) URLs and mocks. Anything else comes back as the reason it is not
run. Follows the "x-amazon-apigateway-integration object" and
"x-amazon-apigateway-integration.responses object" pages, and the CloudFormation reference of
AWS::ApiGateway::Method Integration and IntegrationResponse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from samlite.dialects import java_regex, velocity
from samlite.graph.model import (
    EdgeKind,
    Integration,
    IntegrationKind,
    IntegrationResponse,
    RestMapping,
)
from samlite.graph.parts import GraphParts
from samlite.graph.values import as_int, as_list, as_map, as_text

# Services whose API the local AWS endpoint answers.
SERVED_SERVICES = ("sqs", "s3")
REST_TYPES = ("aws", "http", "http_proxy", "mock")
# The types whose mapping templates API Gateway renders (a proxy passes the request through).
TEMPLATED_TYPES = ("aws", "http", "mock")


def openapi_integration(integration: Mapping[str, Any], *,
                        function: str | None) -> Integration | str:
    """An x-amazon-apigateway-integration object; `function` is the function of this template
    its uri names (the caller resolves intrinsics), if any."""
    responses = tuple(_response(None if str(pattern) == "default" else str(pattern),
                                as_map(found), openapi=True)
                      for pattern, found in as_map(integration.get("responses")).items())
    return rest_integration(
        integration_type=as_text(integration.get("type")) or "",
        uri=as_text(integration.get("uri")), method=as_text(integration.get("httpMethod")),
        function=function, templates=integration.get("requestTemplates"),
        passthrough=as_text(integration.get("passthroughBehavior")),
        content_handling=as_text(integration.get("contentHandling")),
        parameters=integration.get("requestParameters"),
        connection_type=as_text(integration.get("connectionType")),
        responses=responses, timeout_ms=integration.get("timeoutInMillis"))


def method_integration(integration: Mapping[str, Any], *,
                       function: str | None) -> Integration | str:
    """An AWS::ApiGateway::Method's Integration property (IntegrationResponses as a list)."""
    responses = tuple(
        _response(as_text(as_map(found).get("SelectionPattern")) or None, as_map(found),
                  openapi=False)
        for found in as_list(integration.get("IntegrationResponses")))
    return rest_integration(
        integration_type=as_text(integration.get("Type")) or "",
        uri=as_text(integration.get("Uri")),
        method=as_text(integration.get("IntegrationHttpMethod")), function=function,
        templates=integration.get("RequestTemplates"),
        passthrough=as_text(integration.get("PassthroughBehavior")),
        content_handling=as_text(integration.get("ContentHandling")),
        parameters=integration.get("RequestParameters"),
        connection_type=as_text(integration.get("ConnectionType")),
        responses=responses, timeout_ms=integration.get("TimeoutInMillis"))


def rest_integration(*, integration_type: str, uri: str | None, method: str | None,
                     function: str | None, templates: Any, passthrough: str | None,
                     content_handling: str | None, parameters: Any, connection_type: str | None,
                     responses: tuple[IntegrationResponse, ...],
                     timeout_ms: Any) -> Integration | str:
    """The Integration to serve, or the reason (a phrase) it is not run locally."""
    found = _integration(integration_type=integration_type, uri=uri, method=method,
                         function=function, templates=templates, passthrough=passthrough,
                         content_handling=content_handling, parameters=parameters,
                         connection_type=connection_type, responses=responses,
                         timeout_ms=timeout_ms)
    if isinstance(found, Integration) and integration_type.lower() in TEMPLATED_TYPES:
        return unrunnable_mapping(found.rest) or found
    return found


def unrunnable_mapping(mapping: RestMapping | None) -> str | None:
    """Why the gateway could not run these templates and selection patterns (the first
    that does not parse), or None. API Gateway itself would take them to a request."""
    if mapping is None:
        return None
    for content_type, template in mapping.request_templates:
        error = velocity.parse_error(template)
        if error is not None:
            return f"its {content_type} request template does not parse ({error})"
    for response in mapping.responses:
        for content_type, template in response.templates:
            error = velocity.parse_error(template)
            if error is not None:
                return f"the {response.selection_pattern or 'default'} response's " \
                       f"{content_type} template does not parse ({error})"
        error = pattern_error(response.selection_pattern)
        if error is not None:
            return f"the selectionPattern '{response.selection_pattern}' is not a regular " \
                   f"expression ({error})"
    return None


def pattern_error(pattern: str | None) -> str | None:
    """Why `pattern` is not a Java regular expression, the language of selectionPatterns
    (dialects/java_regex.py), or None."""
    return None if pattern is None else java_regex.pattern_error(pattern)


def _integration(*, integration_type: str, uri: str | None, method: str | None,
                 function: str | None, templates: Any, passthrough: str | None,
                 content_handling: str | None, parameters: Any, connection_type: str | None,
                 responses: tuple[IntegrationResponse, ...],
                 timeout_ms: Any) -> Integration | str:
    kind = integration_type.lower()
    for response in responses:
        code = response.status_code
        if not (code.isdigit() and 100 <= int(code) <= 599):
            return f"the {response.selection_pattern or 'default'} response's statusCode " \
                   f"{code!r} is not an HTTP status code"
    if (connection_type or "INTERNET").upper() != "INTERNET":
        return "a private integration (VPC_LINK) is not run locally"
    mapping = RestMapping(request_templates=text_pairs(templates),
                          passthrough_behavior=(passthrough or "WHEN_NO_MATCH").upper(),
                          content_handling=(content_handling or "").upper() or None,
                          responses=responses)
    common: dict[str, Any] = {"request_parameters": text_pairs(parameters),
                              "timeout_ms": as_int(timeout_ms),
                              "method": (method or "").upper() or None}
    if kind == "mock":
        return Integration(kind=IntegrationKind.MOCK, rest=mapping, **common)
    if kind in ("http", "http_proxy"):
        if not uri or not uri.lower().startswith(("http://", "https://")):
            return f"the {kind} integration's uri {uri!r} is not an http(s) URL"
        return Integration(kind=IntegrationKind.HTTP if kind == "http"
                           else IntegrationKind.HTTP_PROXY, uri=uri, rest=mapping, **common)
    if kind != "aws":
        return f"{kind or 'an untyped'} integration is not run locally"
    service, _, action = (uri or "").removeprefix("arn:aws:apigateway:").partition(":")[2] \
        .partition(":")
    if service == "lambda":
        if function is None:
            return "the aws (Lambda) integration's uri names no function of this template"
        return Integration(kind=IntegrationKind.LAMBDA, rest=_with(mapping, function=function),
                           **common)
    if service not in SERVED_SERVICES:
        return f"the AWS service integration to {service or repr(uri)} is not run locally " \
               "(SQS and S3 ones are)"
    if service == "s3" and not action.startswith("path/"):
        return f"the S3 integration {action!r} is not run locally (path/{{bucket}}/{{key}} " \
               "object calls are)"
    return Integration(kind=IntegrationKind.AWS,
                       rest=_with(mapping, service_uri=f"{service}:{action}"), **common)


def binary_media_types(body: Any) -> tuple[str, ...]:
    """An OpenAPI document's x-amazon-apigateway-binary-media-types."""
    found = as_map(body).get("x-amazon-apigateway-binary-media-types")
    return tuple(v for v in as_list(found) if isinstance(v, str))


def text_pairs(value: Any) -> tuple[tuple[str, str], ...]:
    pairs = ((str(k), as_text(v)) for k, v in as_map(value).items())
    return tuple((k, v) for k, v in pairs if v is not None)


def _response(pattern: str | None, found: Mapping[str, Any], *,
              openapi: bool) -> IntegrationResponse:
    def get(name: str) -> Any:
        return found.get(name if openapi else name[0].upper() + name[1:])

    return IntegrationResponse(
        selection_pattern=pattern, status_code=as_text(get("statusCode")) or "200",
        parameters=text_pairs(get("responseParameters")),
        templates=text_pairs(get("responseTemplates")),
        content_handling=(as_text(get("contentHandling")) or "").upper() or None)


def _with(mapping: RestMapping, **changes: Any) -> RestMapping:
    return replace(mapping, **changes)



def add_edges(parts: GraphParts, api: str, raw_uri: Any, integration: Integration,
              label: str) -> None:
    """api -> each queue or bucket of this template an AWS service integration's uri names."""
    if integration.kind is not IntegrationKind.AWS:
        return
    for target in dict.fromkeys(parts.refs.refs_in(raw_uri)):
        res = parts.resources.get(target)
        if res is not None and res.type in ("AWS::SQS::Queue", "AWS::S3::Bucket"):
            parts.edge(api, target, EdgeKind.INTEGRATION, f"{label} {integration.describe()}")
