"""CORS as each service does it: preflight answers and the headers added to responses. Pure.

REST APIs (SAM's Api `Cors`): SAM adds a mock OPTIONS method to every path of the API that
answers 200 with the configured headers (the SAM translator's swagger editor, add_cors: the
origin as written, Allow-Methods defaulting to the path's methods plus OPTIONS, or every
method for ANY). Other responses are the function's own: API Gateway adds nothing.
HTTP APIs (`CorsConfiguration`) and function URLs (`Cors`) answer preflights themselves, add
the configured headers to every CORS response and ignore CORS headers the function returns
("Configuring CORS for an HTTP API"; Lambda guide, "Cross-origin resource sharing").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from samlite.graph.model import Cors
from samlite.sources.gateway.events import HttpRequest, HttpResponse

ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def is_preflight(request: HttpRequest) -> bool:
    return (request.method == "OPTIONS" and request.header("origin") is not None
            and request.header("access-control-request-method") is not None)


def rest_preflight(cors: Cors, path_methods: Iterable[str]) -> HttpResponse:
    """The answer of SAM's mock OPTIONS method."""
    methods = cors.allow_methods or _path_methods(path_methods)
    headers = [("Content-Type", "application/json"),
               ("Access-Control-Allow-Origin", ",".join(cors.allow_origins))]
    if cors.allow_headers:
        headers.append(("Access-Control-Allow-Headers", ",".join(cors.allow_headers)))
    if methods:
        headers.append(("Access-Control-Allow-Methods", ",".join(methods)))
    if cors.max_age_s is not None:
        headers.append(("Access-Control-Max-Age", str(cors.max_age_s)))
    if cors.allows_credentials:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    return HttpResponse(status=200, headers=tuple(headers), body=b"{}\n")


def _path_methods(methods: Iterable[str]) -> tuple[str, ...]:
    upper = {m.upper() for m in methods}
    if "ANY" in upper:
        return ALL_METHODS
    return tuple(sorted(upper | {"OPTIONS"}))


def managed_preflight(cors: Cors, request: HttpRequest, *, status: int = 204) -> HttpResponse:
    """An HTTP API's (204) or a function URL's (200) own preflight answer; an origin that is
    not allowed gets the same status without CORS headers."""
    origin = allowed_origin(cors, request.header("origin"))
    if origin is None:
        return HttpResponse(status=status)
    headers = [("access-control-allow-origin", origin)]
    if cors.allows_credentials:
        headers.append(("access-control-allow-credentials", "true"))
    if cors.allow_methods:
        headers.append(("access-control-allow-methods", ",".join(cors.allow_methods)))
    if cors.allow_headers:
        headers.append(("access-control-allow-headers", ",".join(cors.allow_headers)))
    if cors.expose_headers:
        headers.append(("access-control-expose-headers", ",".join(cors.expose_headers)))
    if cors.max_age_s is not None:
        headers.append(("access-control-max-age", str(cors.max_age_s)))
    return HttpResponse(status=status, headers=tuple(headers))


def with_cors_headers(response: HttpResponse, cors: Cors, origin: str | None) -> HttpResponse:
    """A response as an HTTP API or function URL with CORS sends it: the function's own
    Access-Control-* headers dropped, the configured ones added for an allowed origin."""
    kept = tuple((k, v) for k, v in response.headers
                 if not k.lower().startswith("access-control-"))
    allowed = allowed_origin(cors, origin)
    added: list[tuple[str, str]] = []
    if allowed is not None:
        added.append(("access-control-allow-origin", allowed))
        if cors.allows_credentials:
            added.append(("access-control-allow-credentials", "true"))
        if cors.expose_headers:
            added.append(("access-control-expose-headers", ",".join(cors.expose_headers)))
    if kept == response.headers and not added:
        return response
    return HttpResponse(status=response.status, headers=kept + tuple(added),
                        body=response.body, stream=response.stream)


def allowed_origin(cors: Cors, origin: str | None) -> str | None:
    """The Access-Control-Allow-Origin value for `origin`, or None when it is not allowed.
    AllowOrigins may hold "*" or wildcards such as https://*.example.com."""
    if not origin:
        return None
    for allowed in cors.allow_origins:
        if allowed == "*":
            return "*"
        if allowed.lower() == origin.lower():
            return origin
        if "*" in allowed:
            pattern = ".*".join(re.escape(part) for part in allowed.lower().split("*"))
            if re.fullmatch(pattern, origin.lower()):
                return origin
    return None
