"""HTTP request -> the event an Application Load Balancer sends a lambda target, and the
function's response document -> the HTTP response; ALB's own answers (its error pages,
fixed-response and redirect actions). Pure mapping: no sockets, no clock reads.

Follows the ELB user guide, "Lambda functions as targets" (sections "Receive events from
the load balancer", "Respond to the load balancer", "Multi-value headers"), "Troubleshoot
your Application Load Balancers" (which failure gets which status) and "Listener rules"
(fixed-response and redirect actions).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from samlite.graph.model import ListenerAction
from samlite.sources.gateway.events import (
    HttpRequest,
    HttpResponse,
    MalformedResponse,
    header_value,
    status_code,
)

# "Lambda functions as targets", Limits: 1 MB for the request body and the response JSON.
MAX_REQUEST_BODY_BYTES = 1024 * 1024
MAX_RESPONSE_BYTES = 1024 * 1024
# "Receive events from the load balancer": these bodies go as they are; every other one is
# base64-encoded with isBase64Encoded true.
TEXT_MEDIA_TYPES = ("application/json", "application/javascript", "application/xml")
RESPONSE_KEYS = ("statusCode", "statusDescription", "headers", "multiValueHeaders", "body",
                 "isBase64Encoded")
SERVER_HEADER = ("Server", "awselb/2.0")   # what ALB's own answers carry
FORWARDED = ("x-forwarded-for", "x-forwarded-port", "x-forwarded-proto")
# "Respond to the load balancer": hop-by-hop headers such as Connection or Transfer-Encoding
# are not honoured, and Content-Length is computed by the load balancer.
NOT_PASSED_ON = frozenset({"connection", "keep-alive", "proxy-connection", "te", "trailer",
                           "transfer-encoding", "upgrade", "content-length"})
# ALB's error pages use these words where they differ from the standard reason phrase.
ERROR_PAGE_WORDS = {503: "Service Temporarily Unavailable"}


@dataclass(frozen=True, slots=True, kw_only=True)
class AlbTarget:
    """What the event needs to know about the target group and the port it came in on."""

    target_group_arn: str
    multi_value_headers: bool
    server_port: int
    trace_id: str                 # X-Amzn-Trace-Id, "Root=1-<8 hex time>-<24 hex>"


@dataclass(frozen=True, slots=True, kw_only=True)
class AlbResponse:
    response: HttpResponse
    reason: str | None = None     # the status line's reason, from statusDescription


# --- request -> event -------------------------------------------------------------------------

def alb_event(request: HttpRequest, target: AlbTarget) -> dict[str, Any]:
    """The event, with header names in lower case. Query parameters are passed as sent:
    "If the query parameters are URL-encoded, the load balancer does not decode them." With
    multi-value headers off, a repeated header or parameter keeps its last value."""
    headers = _headers_with_forwarding(request, target)
    query = _query_pairs(request.raw_query)
    event: dict[str, Any] = {
        "requestContext": {"elb": {"targetGroupArn": target.target_group_arn}},
        "httpMethod": request.method,
        "path": request.path,
    }
    if target.multi_value_headers:
        event["multiValueQueryStringParameters"] = _grouped(query)
        event["multiValueHeaders"] = _grouped(headers)
    else:
        event["queryStringParameters"] = dict(query)
        event["headers"] = dict(headers)
    is_binary = bool(request.body) and not _is_text(request)
    event["body"] = (base64.b64encode(request.body).decode("ascii") if is_binary
                     else request.body.decode("utf-8", errors="replace"))
    event["isBase64Encoded"] = is_binary
    return event


def _headers_with_forwarding(request: HttpRequest,
                             target: AlbTarget) -> list[tuple[str, str]]:
    """Header names lower case, with what ALB adds ("HTTP headers and Application Load
    Balancers"): the client's address appended to any X-Forwarded-For it sent, the port and
    protocol it connected with (what a client sent for those is replaced), and an
    X-Amzn-Trace-Id unless the request carries one."""
    headers = [(name.lower(), value) for name, value in request.headers]
    sent_for = [value for name, value in headers if name == "x-forwarded-for"]
    out = [(name, value) for name, value in headers if name not in FORWARDED]
    if not any(name == "x-amzn-trace-id" for name, _ in headers):
        out.append(("x-amzn-trace-id", target.trace_id))
    out.extend([("x-forwarded-for", ", ".join([*sent_for, request.source_ip])),
                ("x-forwarded-port", str(target.server_port)), ("x-forwarded-proto", "http")])
    return out


def _query_pairs(raw_query: str) -> list[tuple[str, str]]:
    pairs = []
    for part in raw_query.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((name, value))
    return pairs


def _grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


def _is_text(request: HttpRequest) -> bool:
    media = (request.header("content-type") or "").split(";")[0].strip().lower()
    if not (media.startswith("text/") or media in TEXT_MEDIA_TYPES):
        return False
    try:
        request.body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# --- response document -> HTTP -----------------------------------------------------------------

def alb_response(payload: bytes, *, multi_value_headers: bool) -> AlbResponse:
    """"Respond to the load balancer": statusCode, statusDescription, isBase64Encoded,
    headers (multiValueHeaders when the target group enables them; the other field is not
    read) and body. Raises MalformedResponse, which ALB answers with 502."""
    if len(payload) > MAX_RESPONSE_BYTES:
        raise MalformedResponse(f"the response is {len(payload)} bytes; ALB takes at most "
                                f"{MAX_RESPONSE_BYTES} (1 MB)")
    try:
        doc = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedResponse(f"the function returned invalid JSON: {exc}") from exc
    if not isinstance(doc, dict) or "statusCode" not in doc:
        raise MalformedResponse("the response must be an object with a statusCode (and "
                                f"optionally {', '.join(RESPONSE_KEYS[1:])})")
    status = status_code(doc["statusCode"])
    headers: list[tuple[str, str]] = []
    if multi_value_headers:
        multi = doc.get("multiValueHeaders") or {}
        if not isinstance(multi, dict):
            raise MalformedResponse("multiValueHeaders must be an object of lists")
        for name, values in multi.items():
            if not isinstance(values, list):
                raise MalformedResponse(f"multiValueHeaders.{name} must be a list")
            headers.extend((str(name), header_value(v)) for v in values)
    else:
        single = doc.get("headers") or {}
        if not isinstance(single, dict):
            raise MalformedResponse("headers must be an object")
        headers.extend((str(name), header_value(v)) for name, v in single.items())
    body = doc.get("body")
    if body is None:
        data = b""
    elif isinstance(body, str):
        data = body.encode("utf-8")
    else:
        raise MalformedResponse(f"body must be a string (got {type(body).__name__})")
    if doc.get("isBase64Encoded") is True:
        try:
            data = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedResponse("isBase64Encoded is true but body is not base64") from exc
    kept = tuple((name, value) for name, value in headers
                 if name.lower() not in NOT_PASSED_ON)
    return AlbResponse(response=HttpResponse(status=status, headers=kept, body=data),
                       reason=_reason(doc.get("statusDescription"), status))



def _reason(description: Any, status: int) -> str | None:
    """statusDescription is written "200 OK": the status line keeps the words after the
    code."""
    if not isinstance(description, str) or not description.strip():
        return None
    code, _, words = description.strip().partition(" ")
    text = words.strip() if code == str(status) else description.strip()
    return text if text.isprintable() else None


# --- ALB's own answers --------------------------------------------------------------------------

def error_page(status: int) -> HttpResponse:
    """ALB's error answer: a small HTML page naming the status ("Troubleshoot your
    Application Load Balancers": 502 for a Lambda error, timeout, malformed or too large
    response; 503 when the target group has no target; 413 for a request body over 1 MB;
    400 for a WebSocket upgrade to a Lambda target). The page's words are
    not in AWS's documentation: they are what ALB is seen to send."""
    title = f"{status} {ERROR_PAGE_WORDS.get(status, HTTPStatus(status).phrase)}"
    body = (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
            f"<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n").encode()
    return HttpResponse(status=status, headers=(SERVER_HEADER,
                                                ("Content-Type", "text/html")), body=body)


def fixed_response(action: ListenerAction) -> HttpResponse:
    """A fixed-response action: its StatusCode, ContentType and MessageBody."""
    status = int(action.status_code) if (action.status_code or "").isdigit() else 200
    headers = [SERVER_HEADER]
    if action.content_type:
        headers.append(("Content-Type", action.content_type))
    return HttpResponse(status=status, headers=tuple(headers),
                        body=(action.message_body or "").encode("utf-8"))


def redirect_response(action: ListenerAction, request: HttpRequest, *, host: str,
                      port: int) -> HttpResponse:
    """A redirect action: each part defaults to the request's own (#{protocol}, #{host},
    #{port}, /#{path}, #{query}) and may use those placeholders; HTTP_301 or HTTP_302."""
    values = {"protocol": "http", "host": host, "port": str(port),
              "path": request.path.lstrip("/"), "query": request.raw_query}
    config: Mapping[str, str] = dict(action.redirect)

    def part(key: str, default: str) -> str:
        text = config.get(key, default)
        for name, value in values.items():
            text = text.replace(f"#{{{name}}}", value)
        return text

    # The port is written even when it is the protocol's default: ALB's Location reads
    # "https://host:443/..." (users report the ":443", e.g. kubernetes-sigs/
    # aws-load-balancer-controller issue 487; the ELB guide's "Redirect actions" shows the URI
    # as protocol://hostname:port/path?query).
    query = part("Query", "#{query}")
    location = (f"{part('Protocol', '#{protocol}').lower()}://{part('Host', '#{host}')}:"
                f"{part('Port', '#{port}')}{part('Path', '/#{path}')}"
                f"{'?' + query if query else ''}")
    status = 301 if action.status_code == "HTTP_301" else 302
    return HttpResponse(status=status, headers=(SERVER_HEADER, ("Location", location)))
