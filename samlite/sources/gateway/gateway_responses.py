"""REST gateway responses: API Gateway's own answers (no route, an authorizer's refusal, a
missing API key, request validation, a body too large, an integration timeout, a failed
Lambda integration) reshaped as the API customizes them. Pure: a response in, a response out.

Follows "Gateway response types for API Gateway" (types and default status codes; a type
the API does not customize falls back to DEFAULT_4XX / DEFAULT_5XX) and "Setting up gateway
responses to customize error responses" (gatewayresponse.header.* parameters from static
'values', method.request.header/querystring/path.*, stageVariables.* and context.*; response
templates with $context.error.message, messageString, responseType, $context.requestId).
Templates get $context / $stageVariables substitution only: full VTL in gateway response
templates arrives with the gateway's VTL engine, and the graph names templates that use
directives under "Not run locally".
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl

from samlite.graph.model import Api, ApiKind, GatewayResponse
from samlite.sources.gateway.events import ErrorAnswers, HttpRequest, HttpResponse

MISSING_AUTHENTICATION_TOKEN = "MISSING_AUTHENTICATION_TOKEN"  # noqa: S105 - a type, no secret
UNAUTHORIZED = "UNAUTHORIZED"
ACCESS_DENIED = "ACCESS_DENIED"
AUTHORIZER_CONFIGURATION_ERROR = "AUTHORIZER_CONFIGURATION_ERROR"
INVALID_API_KEY = "INVALID_API_KEY"
BAD_REQUEST_PARAMETERS = "BAD_REQUEST_PARAMETERS"
BAD_REQUEST_BODY = "BAD_REQUEST_BODY"
REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
INTEGRATION_TIMEOUT = "INTEGRATION_TIMEOUT"
DEFAULT_4XX = "DEFAULT_4XX"
DEFAULT_5XX = "DEFAULT_5XX"
HEADER = "gatewayresponse.header."

_REFERENCE = re.compile(r"\$(!?)\{?(context|stageVariables)((?:\.[A-Za-z0-9_-]+)+)\}?")


def answer_type(errors: ErrorAnswers, answer: tuple[int, str]) -> str:
    """The gateway response type of one of a REST integration's own answers: a body too
    large, the integration timeout, else a failed Lambda integration (DEFAULT_5XX: API
    Gateway has no type of its own for a function error or a malformed proxy response)."""
    if answer == errors.too_large:
        return REQUEST_TOO_LARGE
    if answer == errors.timed_out:
        return INTEGRATION_TIMEOUT
    return DEFAULT_5XX


def validation_type(message: str) -> str:
    """BAD_REQUEST_BODY for "Invalid request body", else BAD_REQUEST_PARAMETERS."""
    return BAD_REQUEST_BODY if message == "Invalid request body" else BAD_REQUEST_PARAMETERS


def customize(response: HttpResponse, api: Api | None, request: HttpRequest, *,
              resource_path: str | None = None,
              path_parameters: Mapping[str, str] | None = None) -> HttpResponse:
    """`response` as `api` customizes its gateway response type; anything that API Gateway
    did not itself answer (a function's response), or an API that customizes nothing of
    this type, comes back unchanged."""
    response_type = response.gateway_response
    if response_type is None or api is None or api.kind is not ApiKind.REST:
        return response
    custom = api.gateway_response(response_type)
    if custom is None:
        custom = api.gateway_response(DEFAULT_4XX if response.status < 500 else DEFAULT_5XX)
    if custom is None:
        return response
    values = _Values(response, api, request, response_type, path_parameters or {})
    if resource_path is not None:
        values.context["resourcePath"] = resource_path
    headers = [(k, v) for k, v in response.headers]
    for destination, source in custom.parameters:
        value = values.parameter(source)
        if value is not None:
            name = destination.removeprefix(HEADER)
            headers = [(k, v) for k, v in headers if k.lower() != name.lower()]
            headers.append((name, value))
    body = response.body
    template = _template(custom)
    if template is not None:
        content_type, text = template
        body = values.render(text).encode()
        headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
        headers.insert(0, ("Content-Type", content_type))
    # A DEFAULT_4XX/5XX status code applies to every type it stands in for.
    status = custom.status_code or response.status
    return HttpResponse(status=status, headers=tuple(headers), body=body,
                        gateway_response=response_type)


def _template(custom: GatewayResponse) -> tuple[str, str] | None:
    """The application/json template when there is one (API Gateway's default content
    type), else the first."""
    templates = dict(custom.templates)
    if "application/json" in templates:
        return "application/json", templates["application/json"]
    return custom.templates[0] if custom.templates else None


class _Values:
    """What parameters and templates may name, for one response."""

    def __init__(self, response: HttpResponse, api: Api, request: HttpRequest,
                 response_type: str, path_parameters: Mapping[str, str]) -> None:
        self.request = request
        self.path_parameters = path_parameters
        self.stage_variables = dict(api.stage_variables)
        message = _message(response.body)
        self.context: dict[str, str] = {
            "error.message": "" if message is None else message,
            "error.messageString": json.dumps(message),
            "error.responseType": response_type,
            "requestId": response.header("x-amzn-RequestId") or "",
            "stage": api.stage_name,
            "httpMethod": request.method,
            "path": request.path,
            "identity.sourceIp": request.source_ip,
        }

    def parameter(self, source: str) -> str | None:
        source = source.strip()
        if len(source) >= 2 and source.startswith("'") and source.endswith("'"):
            return source[1:-1]
        location, _, name = source.partition(".")
        if location == "stageVariables":
            return self.stage_variables.get(name)
        if location == "context":
            return self.context.get(name)
        kind, _, name = source.removeprefix("method.request.").partition(".")
        if kind == "header":
            return self.request.header(name)
        if kind == "querystring":
            found = [v for k, v in parse_qsl(self.request.raw_query, keep_blank_values=True)
                     if k == name]
            return found[-1] if found else None
        if kind == "path":
            return self.path_parameters.get(name)
        return None

    def render(self, template: str) -> str:
        def value(match: re.Match[str]) -> str:
            quiet, scope, dotted = match.group(1), match.group(2), match.group(3)[1:]
            table = self.context if scope == "context" else self.stage_variables
            found = table.get(dotted)
            if found is None:   # VTL writes an unknown reference as written ($!x: nothing)
                return "" if quiet else match.group(0)
            return found
        return _REFERENCE.sub(value, template)


def _message(body: bytes) -> str | None:
    """The message of API Gateway's own {"message": ...} body."""
    try:
        found = json.loads(body)
    except ValueError:
        return None
    message = found.get("message") if isinstance(found, dict) else None
    return message if isinstance(message, str) else None
