"""Sends an HTTP_PROXY integration's request to its URL and reads the whole answer: the
gateway's one outbound HTTP client. The request itself is made in integrations.py."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from samlite.sources.gateway.events import HttpResponse
from samlite.sources.gateway.integrations import ProxyRequest, proxy_response_headers


class ForwardFailed(Exception):
    """The integration endpoint could not be reached or answered nonsense."""


class ForwardTimedOut(ForwardFailed):
    """No answer within the integration timeout."""


def forward(request: ProxyRequest, *, timeout_s: float) -> HttpResponse:
    parts = urlsplit(request.url)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" \
        else http.client.HTTPConnection
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = connection_class(parts.hostname or "127.0.0.1", parts.port,
                                  timeout=timeout_s)
    try:
        connection.putrequest(request.method, target or "/", skip_accept_encoding=True)
        for name, value in request.headers:
            connection.putheader(name, value)
        if request.body or request.method not in ("GET", "HEAD", "DELETE", "OPTIONS"):
            connection.putheader("Content-Length", str(len(request.body)))
        connection.endheaders(request.body or None)
        answer = connection.getresponse()
        body = answer.read()
        return HttpResponse(status=answer.status,
                            headers=proxy_response_headers(answer.getheaders()), body=body)
    except TimeoutError as exc:
        raise ForwardTimedOut(f"{request.method} {request.url}: no answer in "
                              f"{timeout_s:g} s") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise ForwardFailed(f"{request.method} {request.url}: {exc}") from exc
    finally:
        connection.close()
