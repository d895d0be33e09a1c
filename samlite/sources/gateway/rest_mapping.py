"""REST non-proxy integrations, as pure mapping: the integration request (the request
template chosen by Content-Type, passthrough behaviour, requestParameters) and the method
response (the integration response a selectionPattern picks, its responseParameters and
responseTemplates). No sockets: rest_integrations.py makes the calls.

Follows the developer guide: "Set up an integration request in API Gateway", "Method request
behavior for payloads without mapping templates" (passthroughBehavior), "Set up an integration
response in API Gateway", "Handle Lambda errors in API Gateway" (an unmatched error is the
default response, 200 unless it says otherwise), "Amazon API Gateway API request and response
data mapping reference" and "Content type conversions in API Gateway".
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from samlite.dialects import java_regex
from samlite.dialects.velocity import java_values
from samlite.graph.model import IntegrationResponse, RestMapping
from samlite.sources.gateway.events import (
    Flavor,
    HttpResponse,
    accept_media_type,
    request_id_header,
)
from samlite.sources.gateway.gateway_responses import UNSUPPORTED_MEDIA_TYPE
from samlite.sources.gateway.mapping_templates import (
    MISSING,
    Overrides,
    TemplateData,
    json_path,
    render_with_overrides,
)

DEFAULT_CONTENT_TYPE = "application/json"   # what API Gateway assumes without a Content-Type


@dataclass(frozen=True, slots=True, kw_only=True)
class MethodRequest:
    """The method request as mapping reads it: the REST proxy event's fields (percent-encoding
    kept, as the event has them) and the body as text (base64 when binary)."""

    event: Mapping[str, Any]
    body_text: str
    body: bytes
    is_binary: bool

    @property
    def content_type(self) -> str:
        header = _lookup(self.event.get("headers"), "content-type")
        media = (header or "").split(";")[0].strip().lower()
        return media or DEFAULT_CONTENT_TYPE

    def template_data(self, body: str | None = None) -> TemplateData:
        event = self.event
        return TemplateData(
            body=self.body_text if body is None else body,
            path=dict(event.get("pathParameters") or {}),
            querystring=dict(event.get("queryStringParameters") or {}),
            header=dict(event.get("headers") or {}),
            context=_blank_nulls(event.get("requestContext") or {}),
            stage_variables=dict(event.get("stageVariables") or {}))


class UnsupportedMediaType(Exception):
    """No request template for the Content-Type and a passthrough behaviour that refuses."""


def unsupported_media_type(request_id: str) -> HttpResponse:
    """API Gateway's 415 for an unmapped content type (UNSUPPORTED_MEDIA_TYPE gateway
    response, default template {"message":$context.error.messageString})."""
    return HttpResponse(status=415, body=b'{"message":"Unsupported Media Type"}',
                        gateway_response=UNSUPPORTED_MEDIA_TYPE, headers=(
        ("Content-Type", "application/json"),
        ("x-amzn-ErrorType", "UnsupportedMediaTypeException"),
        request_id_header(Flavor.REST, request_id)))


@dataclass(frozen=True, slots=True, kw_only=True)
class IntegrationRequest:
    body: bytes
    overrides: Overrides = field(default_factory=Overrides)   # $context.requestOverride

    def parameters(self, parameters: tuple[tuple[str, str], ...], where: str,
                   request: MethodRequest) -> dict[str, str]:
        """mapped_parameters, then what the template overrode ("path", "querystring",
        "header")."""
        overridden = getattr(self.overrides, where)
        return {**mapped_parameters(parameters, where, request), **overridden}


def integration_request(mapping: RestMapping, request: MethodRequest) -> IntegrationRequest:
    """The integration request's body: the Content-Type's template rendered, or the payload
    passed through as passthroughBehavior allows (raises UnsupportedMediaType)."""
    templates = dict((k.lower(), v) for k, v in mapping.request_templates)
    template = templates.get(request.content_type)
    if template is not None:
        rendered = render_with_overrides(template, request.template_data())
        return IntegrationRequest(body=rendered.text.encode(), overrides=rendered.request)
    behavior = mapping.passthrough_behavior
    if behavior == "NEVER" or (behavior == "WHEN_NO_TEMPLATES" and templates):
        raise UnsupportedMediaType(request.content_type)
    return IntegrationRequest(body=convert(request.body, mapping.content_handling,
                                           is_binary=request.is_binary))


def convert(body: bytes, content_handling: str | None, *, is_binary: bool) -> bytes:
    """contentHandling on a payload passed through: CONVERT_TO_TEXT base64-encodes a binary
    one, CONVERT_TO_BINARY decodes a base64 text one; unset passes it as it is."""
    if content_handling == "CONVERT_TO_TEXT" and is_binary:
        return base64.b64encode(body)
    if content_handling == "CONVERT_TO_BINARY" and not is_binary:
        text = body.strip()
        if text.startswith(b'"') and text.endswith(b'"'):   # a Lambda's JSON string
            text = text[1:-1]
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return body
    return body


def request_value(source: str, request: MethodRequest) -> str | None:
    """A requestParameters source for this request: method.request.path|querystring|header.X,
    method.request.body[.JSONPath], stageVariables.X, context.X or a 'static' value."""
    if len(source) >= 2 and source.startswith("'") and source.endswith("'"):
        return source[1:-1]
    event = request.event
    for prefix, key in (("method.request.path.", "pathParameters"),
                        ("method.request.querystring.", "queryStringParameters")):
        if source.startswith(prefix):
            value = (event.get(key) or {}).get(source.removeprefix(prefix))
            return None if value is None else str(value)
    if source.startswith("method.request.header."):
        return _lookup(event.get("headers"), source.removeprefix("method.request.header."))
    if source == "method.request.body":
        return request.body_text
    if source.startswith("method.request.body."):
        return _body_value(request.body_text, source.removeprefix("method.request.body."))
    if source.startswith("stageVariables."):
        return (event.get("stageVariables") or {}).get(source.removeprefix("stageVariables."))
    if source.startswith("context."):
        found: Any = event.get("requestContext") or {}
        for key in source.removeprefix("context.").split("."):
            found = found.get(key) if isinstance(found, Mapping) else None
        return None if found is None or isinstance(found, Mapping) else str(found)
    return None


def mapped_parameters(parameters: tuple[tuple[str, str], ...], where: str,
                      request: MethodRequest) -> dict[str, str]:
    """integration.request.<where>.<name> targets with their values ("path", "querystring",
    "header"); a source the request lacks is left out."""
    prefix = f"integration.request.{where}."
    found: dict[str, str] = {}
    for target, source in parameters:
        if target.startswith(prefix):
            value = request_value(source, request)
            if value is not None:
                found[target.removeprefix(prefix)] = value
    return found


# --- the integration response --------------------------------------------------------------------
class NoMatchingResponse(Exception):
    """No integration response matches and none is the default: API Gateway's "Execution
    failed due to configuration error: No match for output mapping and no default output
    mapping", a 500 to the client."""


def select_response(responses: tuple[IntegrationResponse, ...],
                    selector: str | None) -> IntegrationResponse:
    """The response whose selectionPattern matches `selector` whole (a Lambda error's
    errorMessage; an HTTP or AWS integration's status code; None: a Lambda success, which
    only the default takes), else the default one."""
    if selector is not None:
        for response in responses:
            pattern = response.selection_pattern
            if pattern is not None and _full_match(pattern, selector):
                return response
    default = next((r for r in responses if r.selection_pattern is None), None)
    if default is None:
        raise NoMatchingResponse(selector)
    return default


def _full_match(pattern: str, text: str) -> bool:
    # Matcher.matches(): a whole-string match. A pattern that does not compile never gets
    # here: the graph leaves its route out (graph/readers/rest_integrations.pattern_error).
    return java_regex.full_match(pattern, text)


def lambda_error_message(payload: bytes) -> str:
    """The errorMessage of a function error document (the whole payload when it has none)."""
    try:
        document = json.loads(payload)
    except ValueError:
        return payload.decode("utf-8", "replace")
    if isinstance(document, Mapping) and "errorMessage" in document:
        return str(document["errorMessage"])
    return payload.decode("utf-8", "replace")


@dataclass(frozen=True, slots=True, kw_only=True)
class IntegrationAnswer:
    """What the integration gave back, before the integration response maps it."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


def method_response(response: IntegrationResponse, answer: IntegrationAnswer,
                    request: MethodRequest, *, accept: str | None,
                    request_id: str) -> HttpResponse:
    """The client's response: the selected integration response's status, its template for
    the client's Accept (else application/json, else its first) rendered over the
    integration's body, or that body passed through; then its responseParameters."""
    body_text = answer.body.decode("utf-8", "replace")
    template = _response_template(response.templates, accept)
    headers: dict[str, str] = {}
    overrides = Overrides()
    if template is not None:
        content_type, text = template
        rendered = render_with_overrides(text, request.template_data(body=body_text))
        body, overrides = rendered.text.encode(), rendered.response
        headers["Content-Type"] = content_type
    else:
        body = convert(answer.body, response.content_handling, is_binary=False)
        headers["Content-Type"] = DEFAULT_CONTENT_TYPE
    for target, source in response.parameters:
        name = target.removeprefix("method.response.header.")
        if name == target:
            continue
        value = _response_value(source, answer, body_text)
        if value is not None:
            headers = _with_header(headers, name, value)
    for name, value in overrides.header.items():   # overrides are applied last
        headers = _with_header(headers, name, value)
    status = overrides.status or int(response.status_code)
    return HttpResponse(status=status, body=body, headers=(
        *headers.items(), request_id_header(Flavor.REST, request_id)))


def _with_header(headers: dict[str, str], name: str, value: str) -> dict[str, str]:
    kept = {k: v for k, v in headers.items() if k.lower() != name.lower()}
    kept[name] = value
    return kept


def _response_template(templates: tuple[tuple[str, str], ...],
                       accept: str | None) -> tuple[str, str] | None:
    if not templates:
        return None
    by_type = {k.lower(): (k, v) for k, v in templates}
    wanted = (accept_media_type(accept) or "").lower()
    return by_type.get(wanted) or by_type.get(DEFAULT_CONTENT_TYPE) or templates[0]


def _response_value(source: str, answer: IntegrationAnswer, body_text: str) -> str | None:
    if len(source) >= 2 and source.startswith("'") and source.endswith("'"):
        return source[1:-1]
    if source.startswith("integration.response.header."):
        name = source.removeprefix("integration.response.header.").lower()
        return next((v for k, v in answer.headers if k.lower() == name), None)
    if source == "integration.response.body":
        return body_text
    if source.startswith("integration.response.body."):
        return _body_value(body_text, source.removeprefix("integration.response.body."))
    return None


def _body_value(body_text: str, path: str) -> str | None:
    try:
        document = json.loads(body_text)
    except ValueError:
        return None
    found = json_path(java_values(document), "$." + path)
    if isinstance(found, str):
        return found
    return None if found is MISSING else json.dumps(found)


def _lookup(headers: Any, name: str) -> str | None:
    lower = name.lower()
    return next((str(v) for k, v in (headers or {}).items() if k.lower() == lower), None)


def _blank_nulls(value: Any) -> Any:
    """$context as templates read it: an unset variable renders as nothing."""
    if isinstance(value, Mapping):
        return {k: _blank_nulls(v) for k, v in value.items()}
    return "" if value is None else value
