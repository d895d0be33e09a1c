"""HTTP request -> the Lambda event API Gateway or a function URL sends, and the function's
result -> the HTTP response the client gets. Pure mapping: no sockets, no clock reads.

Follows the API Gateway developer guide ("Set up Lambda proxy integrations in API Gateway":
input and output format; "Create AWS Lambda proxy integrations for HTTP APIs": payload
formats 1.0 and 2.0 and the 2.0 response inference), the Lambda developer guide ("Invoking
Lambda function URLs": request and response payloads) and "Handling Lambda errors with an
API Gateway API" (which failure gets which status).

Paths: REST events keep the client's percent-encoding in `path`, `pathParameters` and
`requestContext.path`; HTTP APIs hand over the path decoded (`rawPath` included). The docs'
examples use plain paths, so this follows live captures: hotsock/voker,
vokerhttp/testdata/{apigwv1,apigwv2}-request.json and ingress-paths.json (us-west-2, 2026).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl, unquote

PROXY_RESPONSE_KEYS = ("statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# HTTP APIs and function URLs pass these bodies as text and base64-encode every other one.
# Form posts are base64-encoded too (a well-known HTTP API surprise), so they are not listed.
TEXT_MEDIA_TYPES = ("application/json", "application/javascript", "application/xml",
                    "application/yaml", "application/graphql")


class Flavor(StrEnum):
    """Which service shapes the event and the response."""

    REST = "rest"                  # API Gateway REST API, payload 1.0
    HTTP_V1 = "http-1.0"           # HTTP API, PayloadFormatVersion 1.0
    HTTP_V2 = "http-2.0"           # HTTP API, payload 2.0 (the default)
    FUNCTION_URL = "function-url"  # Lambda function URL (payload 2.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpRequest:
    method: str
    path: str                                     # as sent, percent-encoded
    raw_query: str = ""                           # as sent, without "?"
    headers: tuple[tuple[str, str], ...] = ()     # in order, repeats kept, names as sent
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"

    def header(self, name: str) -> str | None:
        """The last value of a header (as API Gateway's single-value maps keep it)."""
        lower = name.lower()
        found = None
        for key, value in self.headers:
            if key.lower() == lower:
                found = value
        return found


def domain_prefix(domain_name: str) -> str:
    """$context.domainPrefix: "the first label of the $context.domainName" (API Gateway's
    access logging variables). domainName is the request's Host header, port and all, as
    the same page says; a port is no part of a DNS label, so "localhost:3000" gives
    "localhost" (and "[::1]:3000" gives "[::1]")."""
    if domain_name.startswith("["):
        return domain_name[:domain_name.find("]") + 1] or domain_name
    return domain_name.split(":", 1)[0].split(".", 1)[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestContext:
    """What the gateway knows about this request besides the request itself."""

    request_id: str
    extended_request_id: str
    time_epoch_ms: int
    account_id: str
    api_id: str
    stage: str
    domain_name: str
    server_port: int = 3000
    stage_variables: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpResponse:
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    # REST: the gateway response type ("UNAUTHORIZED") when API Gateway itself answered, so
    # gateway_responses.py can apply the API's customization; None for a function's answer
    gateway_response: str | None = None
    validation_error: str | None = None   # its $context.error.validationErrorString
    # A function URL's streamed body (url_streaming.py): HTTP chunks, written as they come.
    stream: Iterator[bytes] | None = None

    def header(self, name: str) -> str | None:
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)


class MalformedResponse(ValueError):
    """The function's result is not a proxy response the service accepts."""


# --- requests -> events ----------------------------------------------------------------------

def rest_event(request: HttpRequest, ctx: RequestContext, *, resource: str,
               binary_media_types: Sequence[str] = ()) -> dict[str, Any]:
    """REST API proxy integration event (payload 1.0). The path carries no stage prefix (as
    `sam local start-api` serves it); requestContext.path has it, as on AWS. The path and
    the path parameters are as the client sent them, percent-encoding kept (see above)."""
    path = request.path
    path_parameters = raw_path_parameters(resource, path)
    headers, multi_headers = _v1_headers(_with_forwarded(request, ctx), lower=False)
    query, multi_query = _v1_query(request.raw_query)
    is_binary = bool(request.body) and is_binary_media_type(
        request.header("content-type"), binary_media_types)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": dict(path_parameters) or None,
        "stageVariables": dict(ctx.stage_variables) or None,
        "requestContext": {
            "resourceId": _short_id(f"{ctx.api_id}{resource}", 6),
            "resourcePath": resource,
            "httpMethod": request.method,
            "extendedRequestId": ctx.extended_request_id,
            "requestTime": clf_time(ctx.time_epoch_ms),
            "path": f"/{ctx.stage}{path}",
            "accountId": ctx.account_id,
            "protocol": request.protocol,
            "stage": ctx.stage,
            "domainPrefix": domain_prefix(ctx.domain_name),
            "requestTimeEpoch": ctx.time_epoch_ms,
            "requestId": ctx.request_id,
            "identity": _v1_identity(request, rest=True),
            "domainName": ctx.domain_name,
            "apiId": ctx.api_id,
        },
        "body": _body_text(request.body, is_binary),
        "isBase64Encoded": is_binary,
    }


def http_v1_event(request: HttpRequest, ctx: RequestContext, *, resource: str,
                  path_parameters: Mapping[str, str]) -> dict[str, Any]:
    """HTTP API event with PayloadFormatVersion 1.0: REST's shape, header names lower case."""
    path = http_api_path(request.path)
    headers, multi_headers = _v1_headers(_with_forwarded(request, ctx), lower=True)
    # The 1.0 example keeps a repeated parameter's first value (REST keeps its last).
    query, multi_query = _v1_query(request.raw_query, keep_first=True)
    is_binary = bool(request.body) and not is_text(request)
    return {
        "version": "1.0",
        "resource": resource,
        "path": path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "requestContext": {
            "accountId": ctx.account_id,
            "apiId": ctx.api_id,
            "domainName": ctx.domain_name,
            "domainPrefix": domain_prefix(ctx.domain_name),
            "extendedRequestId": ctx.extended_request_id,
            "httpMethod": request.method,
            "identity": _v1_identity(request, rest=False),
            "path": path,
            "protocol": request.protocol,
            "requestId": ctx.extended_request_id,
            "requestTime": clf_time(ctx.time_epoch_ms),
            "requestTimeEpoch": ctx.time_epoch_ms,
            "resourceId": None,
            "resourcePath": resource,
            "stage": ctx.stage,
        },
        "pathParameters": dict(path_parameters) or None,
        "stageVariables": dict(ctx.stage_variables) or None,
        "body": _body_text(request.body, is_binary),
        "isBase64Encoded": is_binary,
    }


def http_v2_event(request: HttpRequest, ctx: RequestContext, *, route_key: str,
                  path_parameters: Mapping[str, str]) -> dict[str, Any]:
    """HTTP API payload 2.0. Empty members are left out, as API Gateway leaves them out."""
    path = http_api_path(request.path)
    event = _v2_event(_with_forwarded(request, ctx), ctx, route_key=route_key,
                      raw_path=path, path=path)
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    if ctx.stage_variables:
        event["stageVariables"] = dict(ctx.stage_variables)
    return event


def function_url_event(request: HttpRequest, ctx: RequestContext) -> dict[str, Any]:
    """A function URL's event: payload 2.0 with routeKey and stage "$default", and
    authentication / authorizer null (auth is not checked locally)."""
    event = _v2_event(_with_forwarded(request, ctx), ctx, route_key="$default",
                      raw_path=request.path, path=unquote(request.path))
    context = event["requestContext"]
    event["requestContext"] = {**context, "authentication": None, "authorizer": None}
    return event


def _v2_event(request: HttpRequest, ctx: RequestContext, *, route_key: str,
              raw_path: str, path: str) -> dict[str, Any]:
    """`raw_path` and `path` (http.path) as each service fills them: function URLs keep the
    encoding in rawPath, HTTP APIs decode it; http.path is decoded in both (the captures)."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        lower = name.lower()
        if lower == "cookie":   # 2.0 moves cookies out of headers
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        headers[lower] = f"{headers[lower]},{value}" if lower in headers else value
    query: dict[str, str] = {}
    pairs = parse_qsl(request.raw_query, keep_blank_values=True) if request.raw_query else ()
    for name, value in pairs:
        query[name] = f"{query[name]},{value}" if name in query else value
    is_binary = bool(request.body) and not is_text(request)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": request.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = {
        "accountId": ctx.account_id,
        "apiId": ctx.api_id,
        "domainName": ctx.domain_name,
        "domainPrefix": domain_prefix(ctx.domain_name),
        "http": {
            "method": request.method,
            "path": path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": request.header("user-agent") or "",
        },
        "requestId": ctx.extended_request_id,
        "routeKey": route_key,
        "stage": ctx.stage,
        "time": clf_time(ctx.time_epoch_ms),
        "timeEpoch": ctx.time_epoch_ms,
    }
    if request.body:
        event["body"] = _body_text(request.body, is_binary)
    event["isBase64Encoded"] = is_binary
    return event


def http_api_path(raw_path: str) -> str:
    """The path an HTTP API hands its integration. Live captures (above) show it decoded, cut
    at a decoded "?" and decoded once more: /a%3Fb -> /a, /a%252Fb -> /a/b, /a%2525b -> /a%b.
    (AWS answers 400 where the second decoding meets a bad escape; we pass it on as is.)"""
    once = unquote(raw_path)
    return unquote(once.split("?", 1)[0])


def raw_path_parameters(resource: str, raw_path: str) -> dict[str, str]:
    """A REST resource's path parameters with the values as the client sent them: REST
    leaves them percent-encoded (the captured event above: proxy "capture/space%20value").
    The route table matched the decoded path; "/" splits both alike, so segments line up."""
    names = [s for s in resource.split("/") if s]
    parts = [p for p in raw_path.split("/") if p]
    params: dict[str, str] = {}
    for index, segment in enumerate(names):
        if segment.startswith("{") and segment.endswith("+}"):
            params[segment[1:-2]] = "/".join(parts[index:])
            break
        if segment.startswith("{") and segment.endswith("}") and index < len(parts):
            params[segment[1:-1]] = parts[index]
    return params


def _v1_headers(request: HttpRequest, *, lower: bool) -> tuple[dict[str, str],
                                                                dict[str, list[str]]]:
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in request.headers:
        key = name.lower() if lower else name
        single[key] = value
        multi.setdefault(key, []).append(value)
    return single, multi


def _v1_query(raw_query: str, *, keep_first: bool = False,
              ) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    pairs = parse_qsl(raw_query, keep_blank_values=True)
    if not pairs:
        return None, None
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        if not (keep_first and name in single):
            single[name] = value
        multi.setdefault(name, []).append(value)
    return single, multi


def _v1_identity(request: HttpRequest, *, rest: bool) -> dict[str, Any]:
    identity: dict[str, Any] = {
        "cognitoIdentityPoolId": None, "accountId": None, "cognitoIdentityId": None,
        "caller": None, "sourceIp": request.source_ip, "principalOrgId": None,
        "accessKey": None, "cognitoAuthenticationType": None,
        "cognitoAuthenticationProvider": None, "userArn": None,
        "userAgent": request.header("user-agent"), "user": None}
    if rest:   # REST APIs also say which API key a request used (none here)
        identity.update(apiKey=None, apiKeyId=None)
    return identity


_FORWARDED = frozenset({"x-forwarded-for", "x-forwarded-port", "x-forwarded-proto"})


def _forwarded(request: HttpRequest, ctx: RequestContext) -> tuple[tuple[str, str], ...]:
    return (("X-Forwarded-For", request.source_ip), ("X-Forwarded-Port", str(ctx.server_port)),
            ("X-Forwarded-Proto", "http"))


def _with_forwarded(request: HttpRequest, ctx: RequestContext) -> HttpRequest:
    """API Gateway adds X-Forwarded-For/-Port/-Proto; so do we, unless the client sent them."""
    present = {name.lower() for name, _ in request.headers}
    if not present.isdisjoint(_FORWARDED):   # the client sent some: add only the others
        extra = tuple(pair for pair in _forwarded(request, ctx)
                      if pair[0].lower() not in present)
        if not extra:
            return request
    else:   # the usual case: all three, without a test per header
        extra = _forwarded(request, ctx)
    return HttpRequest(method=request.method, path=request.path, raw_query=request.raw_query,
                       headers=request.headers + extra, body=request.body,
                       source_ip=request.source_ip, protocol=request.protocol)


def _body_text(body: bytes, is_binary: bool) -> str | None:
    if not body:
        return None
    if is_binary:
        return base64.b64encode(body).decode("ascii")
    return body.decode("utf-8", errors="replace")


def is_binary_media_type(content_type: str | None, binary_media_types: Sequence[str]) -> bool:
    """REST APIs base64-encode a body whose Content-Type is one of BinaryMediaTypes
    (wildcards such as image/* and */* allowed; SAM writes "/" as "~1")."""
    if not binary_media_types:
        return False
    media = (content_type or "").split(";")[0].strip().lower()
    for pattern in binary_media_types:
        wanted = pattern.replace("~1", "/").strip().lower()
        if wanted == "*/*" or wanted == media:
            return True
        if wanted.endswith("/*") and media.startswith(wanted[:-1]):
            return True
    return False


def is_text(request: HttpRequest) -> bool:
    """HTTP APIs and function URLs pass text bodies as they are and base64 the rest."""
    media = (request.header("content-type") or "").split(";")[0].strip().lower()
    if not (media.startswith("text/") or media in TEXT_MEDIA_TYPES
            or media.endswith(("+json", "+xml"))):
        return False
    try:
        request.body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def clf_time(epoch_ms: int) -> str:
    """Common Log Format time, as requestTime shows it: 09/Apr/2015:12:34:56 +0000."""
    return _clf_second(epoch_ms // 1000)


@functools.lru_cache(maxsize=8)   # every request of the same second shows the same text
def _clf_second(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    year, month, day = _civil_from_days(days)
    hour, rest = divmod(rest, 3600)
    minute, second = divmod(rest, 60)
    return f"{day:02d}/{_MONTHS[month - 1]}/{year:04d}:{hour:02d}:{minute:02d}:{second:02d} +0000"


def _civil_from_days(days: int) -> tuple[int, int, int]:
    # Howard Hinnant's days-to-civil algorithm: no datetime, no locale (strftime's %b is).
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, day


@functools.lru_cache(maxsize=4096)   # a few ids per API, asked for on every request
def _short_id(seed: str, length: int) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:length]


def api_id(logical_id: str) -> str:
    """A stable 10-character API id, shaped like API Gateway's (e.g. "gy415nuibc")."""
    return _short_id(logical_id, 10)


def url_id(function: str) -> str:
    """A stable 32-character function URL id, shaped like Lambda's."""
    return _short_id(f"url:{function}", 32)


# --- results -> responses --------------------------------------------------------------------

def v1_response(payload: bytes, *, flavor: Flavor, binary_media_types: Sequence[str] = (),
                accept: str | None = None) -> HttpResponse:
    """A REST API / HTTP API 1.0 proxy response -> HTTP. Raises MalformedResponse."""
    doc = _json_object(payload)
    if flavor is Flavor.REST:
        # REST refuses any other key: "Execution failed due to configuration error: Malformed
        # Lambda proxy response", 502 (re:Post knowledge center "malformed-502-api-gateway";
        # the keys: "Set up Lambda proxy integrations", output format).
        extra = [str(key) for key in doc if key not in PROXY_RESPONSE_KEYS]
        if extra:
            raise MalformedResponse(
                f"Malformed Lambda proxy response: {', '.join(extra)} "
                f"{'is not a key' if len(extra) == 1 else 'are not keys'} of the proxy "
                f"format ({', '.join(PROXY_RESPONSE_KEYS)})")
    elif "statusCode" not in doc:
        # HTTP API 1.0 makes no assumption and answers 500; only 2.0 infers a 200 (re:Post
        # knowledge center "api-gateway-status-codes-http-api").
        raise MalformedResponse("payload format 1.0 needs a statusCode (only 2.0 infers one)")
    status = status_code(doc.get("statusCode", 200))
    headers: list[tuple[str, str]] = []
    multi = doc.get("multiValueHeaders") or {}
    single = doc.get("headers") or {}
    if not isinstance(multi, dict) or not isinstance(single, dict):
        raise MalformedResponse("headers and multiValueHeaders must be objects")
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResponse(f"multiValueHeaders.{name} must be a list")
        headers.extend((str(name), header_value(v)) for v in values)
    for name, value in single.items():
        text = header_value(value)
        # Both maps are merged; a pair given in both appears once (the output format's rule).
        if not any(k == name and v == text for k, v in headers):
            headers.append((str(name), text))
    if flavor is Flavor.REST and not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", "application/json"))
    body = _body_bytes(doc)
    if doc.get("isBase64Encoded") is True and (
            flavor is not Flavor.REST or is_binary_media_type(accept_media_type(accept),
                                                              binary_media_types)):
        body = _b64decode(body)
    return HttpResponse(status=status, headers=tuple(headers), body=body)


def v2_response(payload: bytes) -> HttpResponse:
    """An HTTP API 2.0 / function URL response -> HTTP. Valid JSON without a statusCode is
    the body of a 200 application/json answer (the service "infers the response format")."""
    try:
        doc = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedResponse(f"the function returned invalid JSON: {exc}") from exc
    if not isinstance(doc, dict) or "statusCode" not in doc:
        return HttpResponse(status=200, headers=(("Content-Type", "application/json"),),
                            body=payload)
    status = status_code(doc["statusCode"])
    headers: list[tuple[str, str]] = []
    single = doc.get("headers") or {}
    if not isinstance(single, dict):
        raise MalformedResponse("headers must be an object")
    headers.extend((str(name), header_value(value)) for name, value in single.items())
    cookies = doc.get("cookies") or []
    if not isinstance(cookies, list) or not all(isinstance(c, str) for c in cookies):
        raise MalformedResponse("cookies must be a list of strings")
    headers.extend(("Set-Cookie", cookie) for cookie in cookies)
    body = _body_bytes(doc)
    if doc.get("isBase64Encoded") is True:
        body = _b64decode(body)
    return HttpResponse(status=status, headers=tuple(headers), body=body)


def _json_object(payload: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedResponse(f"the function returned invalid JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise MalformedResponse(f"the function returned {type(doc).__name__}, not an object "
                                f"with {', '.join(PROXY_RESPONSE_KEYS)}")
    return doc


def status_code(value: Any) -> int:
    """A proxy response's statusCode (a number or its text) as an HTTP status."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= 599:
        raise MalformedResponse(f"statusCode must be an HTTP status (got {value!r})")
    return value


def header_value(value: Any) -> str:
    """A response header's value as text (JSON scalars, as API Gateway takes them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise MalformedResponse(f"header values must be strings (got {value!r})")


def _body_bytes(doc: Mapping[str, Any]) -> bytes:
    body = doc.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise MalformedResponse(f"body must be a string (got {type(body).__name__})")
    return body.encode("utf-8")


def _b64decode(body: bytes) -> bytes:
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedResponse("isBase64Encoded is true but body is not base64") from exc


def accept_media_type(accept: str | None) -> str | None:
    """The first media type of an Accept header: the one REST APIs decide binary responses by
    ("Content type conversions in API Gateway": "API Gateway honors only the first Accept
    media type"; "Return binary media from a Lambda proxy integration in API Gateway")."""
    first = (accept or "").split(",")[0].split(";")[0].strip()
    return first or None


# --- the services' own answers -----------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorAnswers:
    """What a service answers when it cannot pass on the function's response."""

    function_failed: tuple[int, str]        # function error, crash, timeout, bad response
    invoke_rejected: tuple[int, str]        # the Lambda API refused the call (throttling...)
    timed_out: tuple[int, str]              # the service's own integration timeout
    too_large: tuple[int, str]
    error_types: Mapping[int, str] = field(default_factory=dict)   # REST's x-amzn-ErrorType


# REST: "Handling Lambda errors with an API Gateway API" (502 function error or bad response,
# 500 when Lambda rejects the call, throttling included), INTEGRATION_TIMEOUT 504.
REST_ERRORS = ErrorAnswers(
    function_failed=(502, "Internal server error"),
    invoke_rejected=(500, "Internal server error"),
    timed_out=(504, "Endpoint request timed out"),
    too_large=(413, "Request Too Long"),
    error_types={502: "InternalServerErrorException", 500: "InternalServerErrorException",
                 504: "InternalServerErrorException", 413: "RequestTooLongException",
                 403: "MissingAuthenticationTokenException"})
# HTTP APIs: {"message":"Internal Server Error"} for any Lambda failure ("Troubleshooting
# issues with HTTP API Lambda integrations"); 503 Service Unavailable past the timeout.
HTTP_ERRORS = ErrorAnswers(
    function_failed=(500, "Internal Server Error"),
    invoke_rejected=(500, "Internal Server Error"),
    timed_out=(503, "Service Unavailable"),
    too_large=(413, "Request Entity Too Large"))
# Function URLs: 502 for a failed function; a throttled one is passed on as 429.
URL_ERRORS = ErrorAnswers(
    function_failed=(502, "Internal Server Error"),
    invoke_rejected=(429, "Rate Exceeded."),
    timed_out=(502, "Internal Server Error"),
    too_large=(413, "Request Entity Too Large"))


def errors_for(flavor: Flavor) -> ErrorAnswers:
    if flavor is Flavor.REST:
        return REST_ERRORS
    return URL_ERRORS if flavor is Flavor.FUNCTION_URL else HTTP_ERRORS


def error_response(status: int, message: str, *, error_type: str | None = None,
                   request_id: str | None = None, flavor: Flavor = Flavor.REST,
                   gateway_response: str | None = None) -> HttpResponse:
    """{"message": ...} with the headers each service adds to its own answers."""
    headers = [("Content-Type", "application/json")]
    if error_type:
        headers.append(("x-amzn-ErrorType", error_type))
    if request_id:
        headers.append(request_id_header(flavor, request_id))
    # HTTP APIs answer compact JSON, {"message":"Internal Server Error"} ("Troubleshooting
    # issues with HTTP API Lambda integrations"); REST's has a space, {"message": "Internal
    # server error"} ("Handling Lambda errors with an API Gateway API").
    compact = flavor in (Flavor.HTTP_V1, Flavor.HTTP_V2)
    body = json.dumps({"message": message},
                      separators=(",", ":") if compact else None).encode()
    return HttpResponse(status=status, headers=tuple(headers), body=body,
                        gateway_response=gateway_response)


def request_id_header(flavor: Flavor, request_id: str) -> tuple[str, str]:
    if flavor in (Flavor.HTTP_V1, Flavor.HTTP_V2):
        return ("apigw-requestid", request_id)
    return ("x-amzn-RequestId", request_id)
