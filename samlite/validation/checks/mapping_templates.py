"""REST integrations' mapping templates, selection patterns and status codes the local
gateway cannot run: a Velocity template that does not parse (requestTemplates,
responseTemplates), a selectionPattern that is not a Java regular expression and a response
statusCode that is no HTTP status, in OpenAPI bodies (a SAM Api's DefinitionBody, a RestApi's
Body) and AWS::ApiGateway::Method Integrations. Found here, before any request; `samlite up`
names such a route as not run locally at the same line (graph/readers/rest_integrations.py
decides it with the same parser).

Warnings, not errors: API Gateway accepts the template at deploy time (its own engine is
Apache Velocity, and a template fails only when a request renders it), so the app deploys;
only the local gateway leaves the route out.

Gateway response templates (SAM's GatewayResponses, x-amazon-apigateway-gateway-responses,
AWS::ApiGateway::GatewayResponse) are not Velocity: "A GatewayResponse mapping template isn't
processed by the Velocity Template Language (VTL) engine" ("x-amazon-apigateway-gateway-
responses.responseTemplates object"). A directive in one (#if, #set...) reaches clients as
written, on AWS as locally, which is rarely what its author meant: a warning. Codes:
  W7414 a mapping template that does not parse
  W7415 a selectionPattern that is not a regular expression
  W7416 a gateway response template with VTL directives (sent as written)
  W7417 an integration response statusCode that is not an HTTP status code
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from samlite.dialects.java_regex import pattern_error
from samlite.errors import Problem
from samlite.graph.readers.integration_types import TEMPLATED_TYPES, is_http_status
from samlite.validation.checks.sam_common import API, Path, SamView, is_map

__all__ = ["CHECKS_ON_VIEW", "check_gateway_response_templates", "check_mapping_templates"]

_INTEGRATION = "x-amazon-apigateway-integration"
_ANY_METHOD = "X-AMAZON-APIGATEWAY-ANY-METHOD"
_NOT_SERVED = "samlite up does not serve this route"
_GATEWAY_RESPONSES = "x-amazon-apigateway-gateway-responses"
# A Velocity directive, #name or #{name}, unless escaped with a backslash.
_DIRECTIVE = re.compile(r"(?<!\\)#\{?(set|if|elseif|else|end|foreach|macro|define|parse|"
                        r"include|evaluate|break|stop)\b")


def check_mapping_templates(view: SamView) -> Iterator[Problem]:
    for api_id, props in view.of_type(API, "AWS::ApiGateway::RestApi"):
        body_key = "DefinitionBody" if view.type_of(api_id) == API else "Body"
        yield from _openapi(view, api_id, props.get(body_key),
                            ("Resources", api_id, "Properties", body_key))
    for method_id, props in view.of_type("AWS::ApiGateway::Method"):
        yield from _method(view, method_id, props.get("Integration"),
                           ("Resources", method_id, "Properties", "Integration"))


def _openapi(view: SamView, api_id: str, body: Any, at: Path) -> Iterator[Problem]:
    paths = body.get("paths") if is_map(body) else None
    if not is_map(paths):
        return
    for path, operations in paths.items():
        if not is_map(operations):
            continue
        for method, operation in operations.items():
            integration = operation.get(_INTEGRATION) if is_map(operation) else None
            if not is_map(integration) or not _is_templated(integration.get("type")):
                continue
            verb = str(method).upper()
            route = f"{'ANY' if verb == _ANY_METHOD else verb} {path}"
            here = (*at, "paths", path, method, _INTEGRATION)
            yield from _templates(view, api_id, route, "request template",
                                  integration.get("requestTemplates"),
                                  (*here, "requestTemplates"))
            responses = integration.get("responses")
            for pattern, response in (responses.items() if is_map(responses) else ()):
                if not is_map(response):
                    continue
                name = "default" if pattern == "default" else f"'{pattern}'"
                yield from _templates(view, api_id, route, f"{name} response's template",
                                      response.get("responseTemplates"),
                                      (*here, "responses", pattern, "responseTemplates"))
                if pattern != "default":
                    yield from _pattern(view, api_id, route, pattern,
                                        (*here, "responses", pattern))
                yield from _status_code(view, api_id, route, name, response.get("statusCode"),
                                        (*here, "responses", pattern, "statusCode"))


def _method(view: SamView, method_id: str, integration: Any, at: Path) -> Iterator[Problem]:
    if not is_map(integration) or not _is_templated(integration.get("Type")):
        return
    route = f"{method_id}'s integration"
    yield from _templates(view, method_id, route, "request template",
                          integration.get("RequestTemplates"), (*at, "RequestTemplates"))
    responses = integration.get("IntegrationResponses")
    for index, response in enumerate(responses if isinstance(responses, list) else ()):
        if not is_map(response):
            continue
        pattern = response.get("SelectionPattern")
        name = f"'{pattern}'" if isinstance(pattern, str) and pattern else "default"
        yield from _templates(view, method_id, route, f"{name} response's template",
                              response.get("ResponseTemplates"),
                              (*at, "IntegrationResponses", index, "ResponseTemplates"))
        if isinstance(pattern, str) and pattern:
            yield from _pattern(view, method_id, route, pattern,
                                (*at, "IntegrationResponses", index, "SelectionPattern"))
        yield from _status_code(view, method_id, route, name, response.get("StatusCode"),
                                (*at, "IntegrationResponses", index, "StatusCode"))


def _templates(view: SamView, resource: str, route: str, what: str, templates: Any,
               at: Path) -> Iterator[Problem]:
    """W7414 for each template (content type -> Velocity text) that does not parse."""
    if not is_map(templates):
        return
    from samlite.dialects.velocity import parse_error  # only templates that have them pay

    for content_type, template in templates.items():
        if not isinstance(template, str):
            continue        # an intrinsic: its value is known only once resolved
        error = parse_error(template)
        if error is not None:
            yield view.problem(
                "W7414", f"{route}: the {content_type} {what} does not parse ({error}); "
                         f"{_NOT_SERVED}", (*at, content_type), resource)


def _pattern(view: SamView, resource: str, route: str, pattern: Any,
             at: Path) -> Iterator[Problem]:
    error = pattern_error(pattern) if isinstance(pattern, str) else None
    if error is not None:
        yield view.problem(
            "W7415", f"{route}: the selectionPattern '{pattern}' is not a Java regular expression "
                     f"({error}); {_NOT_SERVED}", at, resource)


def _status_code(view: SamView, resource: str, route: str, response: str, code: Any,
                 at: Path) -> Iterator[Problem]:
    """W7417 for an integration response's statusCode that is no HTTP status code (API
    Gateway's method responses are keyed by one: "Set up a method response in API Gateway")."""
    if isinstance(code, bool) or not isinstance(code, str | int):
        return      # absent (200) or an intrinsic: its value is known only once resolved
    if not is_http_status(str(code)):
        yield view.problem(
            "W7417", f"{route}: the {response} response's statusCode '{code}' is not an HTTP "
                     f"status code (100 to 599); {_NOT_SERVED}", at, resource)


def check_gateway_response_templates(view: SamView) -> Iterator[Problem]:
    """W7416 for each gateway response template that holds a VTL directive."""
    for api_id, props in view.of_type(API, "AWS::ApiGateway::RestApi"):
        if view.type_of(api_id) == API:
            at: Path = ("Resources", api_id, "Properties", "GatewayResponses")
            yield from _gateway_responses(view, api_id, props.get("GatewayResponses"), at,
                                          "ResponseTemplates")
        body_key = "DefinitionBody" if view.type_of(api_id) == API else "Body"
        body = props.get(body_key)
        yield from _gateway_responses(
            view, api_id, body.get(_GATEWAY_RESPONSES) if is_map(body) else None,
            ("Resources", api_id, "Properties", body_key, _GATEWAY_RESPONSES),
            "responseTemplates")
    for response_id, props in view.of_type("AWS::ApiGateway::GatewayResponse"):
        yield from _response_templates(view, response_id, str(props.get("ResponseType")),
                                       props.get("ResponseTemplates"),
                                       ("Resources", response_id, "Properties",
                                        "ResponseTemplates"))


def _gateway_responses(view: SamView, api_id: str, responses: Any, at: Path,
                       templates_key: str) -> Iterator[Problem]:
    if not is_map(responses):
        return
    for response_type, settings in responses.items():
        if is_map(settings):
            yield from _response_templates(view, api_id, str(response_type),
                                           settings.get(templates_key),
                                           (*at, response_type, templates_key))


def _response_templates(view: SamView, resource: str, response_type: str, templates: Any,
                        at: Path) -> Iterator[Problem]:
    if not is_map(templates):
        return
    for content_type, template in templates.items():
        found = _DIRECTIVE.search(template) if isinstance(template, str) else None
        if found is not None:
            yield view.problem(
                "W7416", f"{response_type} gateway response: the {content_type} template uses "
                         f"the VTL directive #{found.group(1)}, but API Gateway does not run "
                         "VTL in gateway response templates (only variables such as "
                         "$context.error.messageString are filled in): clients get the "
                         "directive as written", (*at, content_type), resource)


def _is_templated(integration_type: Any) -> bool:
    return isinstance(integration_type, str) and integration_type.lower() in TEMPLATED_TYPES


CHECKS_ON_VIEW = (check_mapping_templates, check_gateway_response_templates)
