"""HTTP API integrations other than a Lambda proxy, as pure mapping: request parameters
($request.*, $context.*, $stageVariables.*, static values) evaluated for a request, the SQS
call an AWS service integration makes, and the request an HTTP_PROXY integration forwards.
No sockets: the gateway server does the calls.

Follows the API Gateway developer guide: "Transform API requests and responses for HTTP APIs"
(parameter mapping), "Working with AWS service integrations for HTTP APIs" and its
"Integration subtype reference", "Working with HTTP proxy integrations for HTTP APIs".
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from samlite.graph.model import Integration
from samlite.http.messages import Request
from samlite.sources.gateway.events import (
    HttpRequest,
    HttpResponse,
    RequestContext,
    clf_time,
    domain_prefix,
)

# "Integration subtype reference": each SQS subtype's parameters. Region is accepted and
# ignored: the local endpoint has one region.
SQS_PARAMETERS: Mapping[str, frozenset[str]] = {
    "SQS-SendMessage": frozenset({"QueueUrl", "MessageBody", "DelaySeconds",
                                  "MessageAttributes", "MessageDeduplicationId",
                                  "MessageGroupId", "MessageSystemAttributes", "Region"}),
    "SQS-ReceiveMessage": frozenset({"QueueUrl", "AttributeNames", "MaxNumberOfMessages",
                                     "MessageAttributeNames", "ReceiveRequestAttemptId",
                                     "VisibilityTimeout", "WaitTimeSeconds", "Region"}),
    "SQS-DeleteMessage": frozenset({"QueueUrl", "ReceiptHandle", "Region"}),
    "SQS-PurgeQueue": frozenset({"QueueUrl", "Region"}),
}
# Member types in botocore's SQS model (data/sqs/2012-11-05/service-2.json): the JSON
# protocol wants numbers, lists and maps where a mapped value is always text.
_INTEGERS = frozenset({"DelaySeconds", "MaxNumberOfMessages", "VisibilityTimeout",
                       "WaitTimeSeconds"})
_LISTS = frozenset({"AttributeNames", "MessageAttributeNames"})
# The same model's `required` members of each request shape.
SQS_REQUIRED: Mapping[str, tuple[str, ...]] = {
    "SQS-SendMessage": ("QueueUrl", "MessageBody"),
    "SQS-ReceiveMessage": ("QueueUrl",),
    "SQS-DeleteMessage": ("QueueUrl", "ReceiptHandle"),
    "SQS-PurgeQueue": ("QueueUrl",),
}
_MAPS = frozenset({"MessageAttributes", "MessageSystemAttributes"})
_SQS_JSON = "application/x-amz-json-1.0"
# Hop-by-hop headers (RFC 9110 section 7.6.1) and Host are the proxy's own, never forwarded.
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "te", "trailer",
                         "transfer-encoding", "upgrade", "host", "content-length"})


@dataclass(frozen=True, slots=True, kw_only=True)
class MappingSource:
    """What a request parameter mapping can read."""

    request: HttpRequest
    context: RequestContext
    route_key: str
    path_parameters: Mapping[str, str] = field(default_factory=dict)


class MappingError(ValueError):
    """A mapping the request cannot satisfy; API Gateway answers 400 Bad Request."""


class MissingSqsParameter(ValueError):
    """A required SQS parameter whose mapping found nothing in the request."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


_EMBEDDED = re.compile(r"\$\{([^}]+)\}")


def evaluate(expression: str, source: MappingSource) -> str | None:
    """A mapping value for this request: "$request.header.x-id" and the other selection
    expressions, "${request.path.a}-${request.path.b}" (variables in braces, within text),
    or the static text itself. None: the request has no such value."""
    if "${" in expression:
        return _EMBEDDED.sub(lambda m: _selected("$" + m.group(1), source) or "", expression)
    return _selected(expression, source)


def _selected(expression: str, source: MappingSource) -> str | None:
    if expression.startswith("$request."):
        return _request_value(expression.removeprefix("$request."), source)
    if expression.startswith("$context."):
        return _context_values(source).get(expression.removeprefix("$context."))
    if expression.startswith("$stageVariables."):
        return dict(source.context.stage_variables).get(
            expression.removeprefix("$stageVariables."))
    return expression


def _request_value(selector: str, source: MappingSource) -> str | None:
    where, _, name = selector.partition(".")
    request = source.request
    if where == "header":
        # Repeated headers are joined with commas, as in the payload 2.0 event.
        values = [v for k, v in request.headers if k.lower() == name.lower()]
        return ",".join(values) if values else None
    if where == "querystring":
        values = [v for k, v in parse_qsl(request.raw_query, keep_blank_values=True)
                  if k == name]
        return ",".join(values) if values else None
    if where == "path":
        return source.path_parameters.get(name) if name else request.path
    if where == "body":
        return _body_value(request.body, name)
    return None


def _body_value(body: bytes, path: str) -> str | None:
    """$request.body (the whole body) or $request.body.a.b (a JSONPath into a JSON body)."""
    if not path:
        return body.decode("utf-8", "replace")
    try:
        found: Any = json.loads(body)
    except ValueError:
        return None
    for key in path.split("."):
        if isinstance(found, Mapping) and key in found:
            found = found[key]
        elif isinstance(found, list) and key.isdigit() and int(key) < len(found):
            found = found[int(key)]
        else:
            return None
    return found if isinstance(found, str) else json.dumps(found, separators=(",", ":"))


def _context_values(source: MappingSource) -> dict[str, str]:
    """HTTP API $context variables ("HTTP API context variables") samlite knows."""
    ctx, request = source.context, source.request
    return {
        "accountId": ctx.account_id, "apiId": ctx.api_id, "domainName": ctx.domain_name,
        "domainPrefix": domain_prefix(ctx.domain_name),
        "extendedRequestId": ctx.extended_request_id, "httpMethod": request.method,
        "identity.sourceIp": request.source_ip,
        "identity.userAgent": request.header("user-agent") or "",
        "path": request.path, "protocol": request.protocol,
        "requestId": ctx.extended_request_id, "requestTime": clf_time(ctx.time_epoch_ms),
        "requestTimeEpoch": str(ctx.time_epoch_ms), "routeKey": source.route_key,
        "stage": ctx.stage,
    }


# --- AWS service integrations -----------------------------------------------------------------
def sqs_request(integration: Integration, source: MappingSource) -> Request:
    """The SQS JSON-protocol request an SQS-* integration makes for this request. Parameters
    whose mapping finds nothing are left out; SQS then names a missing required one."""
    subtype = integration.subtype or ""
    action = subtype.removeprefix("SQS-")
    payload: dict[str, Any] = {}
    for name, expression in integration.request_parameters:
        if name == "Region" or name not in SQS_PARAMETERS.get(subtype, frozenset()):
            continue
        value = evaluate(expression, source)
        if value is not None:
            payload[name] = _typed(name, value)
    for name in SQS_REQUIRED.get(subtype, ()):
        if name not in payload:
            raise MissingSqsParameter(name)
    headers = {"content-type": _SQS_JSON, "x-amz-target": f"AmazonSQS.{action}"}
    return Request(method="POST", path="/", headers=headers, raw_headers=tuple(headers.items()),
                   body=json.dumps(payload).encode())


# "Integration subtype reference", EventBridge-PutEvents: one entry's parameters (Region is
# accepted and ignored: the local EventBridge is the app's region).
EVENTBRIDGE_PARAMETERS = frozenset({"Detail", "DetailType", "Source", "Time", "EventBusName",
                                    "Resources", "TraceHeader"})
_EVENTS_JSON = "application/x-amz-json-1.1"


def eventbridge_request(integration: Integration, source: MappingSource) -> Request:
    """The PutEvents call (JSON protocol, one entry) an EventBridge-PutEvents integration
    makes for this request; EventBridge itself answers an entry that lacks a required
    parameter, per entry, as it does for any caller."""
    entry: dict[str, Any] = {}
    for name, expression in integration.request_parameters:
        if name not in EVENTBRIDGE_PARAMETERS:
            continue
        value = evaluate(expression, source)
        if value is None:
            continue
        if name == "Resources":
            entry[name] = _typed("AttributeNames", value)    # a list, written either way
        else:
            entry[name] = value
    headers = {"content-type": _EVENTS_JSON, "x-amz-target": "AWSEvents.PutEvents"}
    return Request(method="POST", path="/", headers=headers, raw_headers=tuple(headers.items()),
                   body=json.dumps({"Entries": [entry]}).encode())


def missing_sqs_parameter(name: str) -> HttpResponse:
    """SQS's answer to a call without a required parameter: MissingParameter ("The request
    must contain the parameter X.", SQS API Reference "Common Errors") in the JSON
    protocol's form, as moto's SQS renders it."""
    body = {"__type": "com.amazon.coral.service#MissingRequiredParameterException",
            "Message": f"The request must contain the parameter {name}."}
    return HttpResponse(status=400, headers=(("Content-Type", _SQS_JSON),),
                        body=json.dumps(body).encode())


def _typed(name: str, value: str) -> Any:
    if name in _INTEGERS:
        return int(value) if value.strip().lstrip("-").isdigit() else value
    if name in _LISTS:
        try:
            listed = json.loads(value)
        except ValueError:
            return [v.strip() for v in value.split(",") if v.strip()]
        return listed if isinstance(listed, list) else [value]
    if name in _MAPS:
        try:
            return json.loads(value)
        except ValueError as exc:
            raise MappingError(f"{name} must be a JSON object (got {value!r})") from exc
    return value


# --- HTTP proxy integrations ------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class ProxyRequest:
    method: str
    url: str                                   # scheme://host[:port]/path?query
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


def proxy_request(integration: Integration, source: MappingSource) -> ProxyRequest:
    """The request an HTTP_PROXY integration sends: the integration URI with the route's
    path parameters put in ({proxy}, {id}), the client's query string, headers and body,
    then the integration's overwrite:/append:/remove: parameter mapping."""
    request = source.request
    uri = integration.uri or ""
    for name, value in source.path_parameters.items():
        uri = uri.replace("{" + name + "+}", quote(value, safe="/"))
        uri = uri.replace("{" + name + "}", quote(value, safe="/"))
    parts = urlsplit(uri)
    path = parts.path or "/"
    query = parse_qsl(request.raw_query, keep_blank_values=True)
    headers = [(k, v) for k, v in request.headers if k.lower() not in _HOP_BY_HOP]
    for key, expression in integration.request_parameters:
        action, _, target = key.partition(":")
        where, _, name = target.partition(".")
        value = evaluate(expression, source) if action != "remove" else None
        if action != "remove" and value is None:
            continue
        if where == "header":
            headers = _apply(headers, action, name, value, case_insensitive=True)
        elif where == "querystring":
            query = _apply(query, action, name, value, case_insensitive=False)
        elif where == "path" and action == "overwrite" and value is not None:
            path = value if value.startswith("/") else f"/{value}"
    method = integration.method if integration.method not in (None, "ANY") else request.method
    # The client's query string goes on as sent unless a mapping changed it.
    mapped = any(k.partition(":")[2].startswith("querystring.")
                 for k, _ in integration.request_parameters)
    raw_query = urlencode(query) if mapped else request.raw_query
    url = f"{parts.scheme}://{parts.netloc}{path}" + (f"?{raw_query}" if raw_query else "")
    return ProxyRequest(method=str(method), url=url, headers=tuple(headers),
                        body=request.body)


def _apply(pairs: Sequence[tuple[str, str]], action: str, name: str, value: str | None, *,
           case_insensitive: bool) -> list[tuple[str, str]]:
    def same(key: str) -> bool:
        return key.lower() == name.lower() if case_insensitive else key == name

    if action == "remove":
        return [(k, v) for k, v in pairs if not same(k)]
    if action == "overwrite" and value is not None:
        return [*((k, v) for k, v in pairs if not same(k)), (name, value)]
    if action == "append" and value is not None:
        return [*pairs, (name, value)]
    return list(pairs)


def proxy_response_headers(headers: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The backend's headers the gateway passes back (its own framing ones aside)."""
    return tuple((k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP)
