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
from dataclasses import dataclass, replace
from typing import Any

from samlite.errors import Mark
from samlite.graph.model import (
    EdgeKind,
    Integration,
    IntegrationKind,
    IntegrationResponse,
    RestMapping,
)
from samlite.graph.parts import GraphParts
from samlite.graph.readers.integration_types import TEMPLATED_TYPES, is_http_status
from samlite.graph.values import as_int, as_list, as_map, as_text
from samlite.template.nodes import key_mark_at, mark_at

# Services whose API the local AWS endpoint answers.
SERVED_SERVICES = ("sqs", "s3")
REST_TYPES = ("aws", "http", "http_proxy", "mock")


Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Unserved:
    """Why an integration is not run locally (a phrase), and where in its object: a key path
    to the offending value, or () for the integration as a whole. `key`: the path's last step
    is itself the culprit (an OpenAPI selectionPattern is a key of `responses`)."""
    reason: str
    path: Path = ()
    key: bool = False

    def mark(self, integration: Any, default: Mark) -> Mark:
        """The template line of the offending value, else `default`."""
        if not self.path:
            return default
        return (key_mark_at if self.key else mark_at)(integration, self.path, default)


def openapi_integration(integration: Mapping[str, Any], *,
                        function: str | None) -> Integration | Unserved:
    """An x-amazon-apigateway-integration object; `function` is the function of this template
    its uri names (the caller resolves intrinsics), if any."""
    found = as_map(integration.get("responses"))
    responses = tuple(_response(None if str(pattern) == "default" else str(pattern),
                                as_map(response), openapi=True)
                      for pattern, response in found.items())
    return rest_integration(
        integration_type=as_text(integration.get("type")) or "",
        uri=as_text(integration.get("uri")), method=as_text(integration.get("httpMethod")),
        function=function, templates=integration.get("requestTemplates"),
        passthrough=as_text(integration.get("passthroughBehavior")),
        content_handling=as_text(integration.get("contentHandling")),
        parameters=integration.get("requestParameters"),
        connection_type=as_text(integration.get("connectionType")),
        responses=responses, timeout_ms=integration.get("timeoutInMillis"),
        places=_Places(openapi=True, responses=tuple(("responses", key) for key in found)))


def method_integration(integration: Mapping[str, Any], *,
                       function: str | None) -> Integration | Unserved:
    """An AWS::ApiGateway::Method's Integration property (IntegrationResponses as a list)."""
    found = as_list(integration.get("IntegrationResponses"))
    responses = tuple(
        _response(as_text(as_map(response).get("SelectionPattern")) or None, as_map(response),
                  openapi=False)
        for response in found)
    return rest_integration(
        integration_type=as_text(integration.get("Type")) or "",
        uri=as_text(integration.get("Uri")),
        method=as_text(integration.get("IntegrationHttpMethod")), function=function,
        templates=integration.get("RequestTemplates"),
        passthrough=as_text(integration.get("PassthroughBehavior")),
        content_handling=as_text(integration.get("ContentHandling")),
        parameters=integration.get("RequestParameters"),
        connection_type=as_text(integration.get("ConnectionType")),
        responses=responses, timeout_ms=integration.get("TimeoutInMillis"),
        places=_Places(openapi=False,
                       responses=tuple(("IntegrationResponses", i) for i in range(len(found)))))


@dataclass(frozen=True, slots=True)
class _Places:
    """Where an integration's parts are in its object: OpenAPI spells keys in camelCase and
    keys responses by selectionPattern; a Method's Integration in PascalCase, in a list."""
    openapi: bool
    responses: tuple[Path, ...]

    def key(self, name: str) -> str:
        return name if self.openapi else name[0].upper() + name[1:]

    def of(self, index: int, *more: str | int) -> Path:
        base = self.responses[index] if index < len(self.responses) else ()
        return (*base, *more) if base else ()


def rest_integration(*, integration_type: str, uri: str | None, method: str | None,
                     function: str | None, templates: Any, passthrough: str | None,
                     content_handling: str | None, parameters: Any, connection_type: str | None,
                     responses: tuple[IntegrationResponse, ...],
                     timeout_ms: Any, places: _Places | None = None) -> Integration | Unserved:
    """The Integration to serve, or why (and where) it is not run locally."""
    places = places or _Places(openapi=True, responses=())
    found = _integration(integration_type=integration_type, uri=uri, method=method,
                         function=function, templates=templates, passthrough=passthrough,
                         content_handling=content_handling, parameters=parameters,
                         connection_type=connection_type, responses=responses,
                         timeout_ms=timeout_ms, places=places)
    if isinstance(found, Integration) and integration_type.lower() in TEMPLATED_TYPES:
        return unrunnable_mapping(found.rest, places) or found
    return found


def unrunnable_mapping(mapping: RestMapping | None,
                       places: _Places | None = None) -> Unserved | None:
    """Why the gateway could not run these templates and selection patterns (the first
    that does not parse), or None. API Gateway itself would take them to a request."""
    if mapping is None:
        return None
    # Imported here: Velocity's parser costs a one-shot `invoke` ~20 ms when no API has one.
    from samlite.dialects import velocity

    places = places or _Places(openapi=True, responses=())
    for content_type, template in mapping.request_templates:
        error = velocity.parse_error(template)
        if error is not None:
            return Unserved(f"its {content_type} request template does not parse ({error})",
                            (places.key("requestTemplates"), content_type))
    for index, response in enumerate(mapping.responses):
        for content_type, template in response.templates:
            error = velocity.parse_error(template)
            if error is not None:
                return Unserved(f"the {response.selection_pattern or 'default'} response's "
                                f"{content_type} template does not parse ({error})",
                                places.of(index, places.key("responseTemplates"), content_type))
        error = pattern_error(response.selection_pattern)
        if error is not None:
            where = places.of(index) if places.openapi else places.of(index, "SelectionPattern")
            return Unserved(f"the selectionPattern '{response.selection_pattern}' is not a "
                            f"regular expression ({error})", where, key=places.openapi)
    return None


def pattern_error(pattern: str | None) -> str | None:
    """Why `pattern` is not a Java regular expression, the language of selectionPatterns
    (dialects/java_regex.py), or None."""
    if pattern is None:
        return None
    from samlite.dialects import java_regex  # the regex package: only for selectionPatterns

    return java_regex.pattern_error(pattern)


def _integration(*, integration_type: str, uri: str | None, method: str | None,
                 function: str | None, templates: Any, passthrough: str | None,
                 content_handling: str | None, parameters: Any, connection_type: str | None,
                 responses: tuple[IntegrationResponse, ...], timeout_ms: Any,
                 places: _Places) -> Integration | Unserved:
    kind = integration_type.lower()
    for index, response in enumerate(responses):
        if not is_http_status(response.status_code):
            return Unserved(f"the {response.selection_pattern or 'default'} response's "
                            f"statusCode {response.status_code!r} is not an HTTP status code",
                            places.of(index, places.key("statusCode")))
    found = _served(kind, uri=uri, method=method, function=function, templates=templates,
                    passthrough=passthrough, content_handling=content_handling,
                    parameters=parameters, connection_type=connection_type,
                    responses=responses, timeout_ms=timeout_ms)
    return Unserved(found) if isinstance(found, str) else found


def _served(kind: str, *, uri: str | None, method: str | None, function: str | None,
            templates: Any, passthrough: str | None, content_handling: str | None,
            parameters: Any, connection_type: str | None,
            responses: tuple[IntegrationResponse, ...], timeout_ms: Any) -> Integration | str:
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
