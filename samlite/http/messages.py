"""An HTTP request and response as every server of samlite's passes them around, the Route
protocol a service implements to claim requests, and the body rules a route may add. Data
only: no sockets."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    method: str
    path: str                                   # percent-encoded, as sent
    query: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)   # names in lower case
    body: bytes = b""
    # As received, for gateways that must pass them on unchanged (API Gateway's events):
    raw_query: str = ""                                   # the query string, still encoded
    raw_headers: tuple[tuple[str, str], ...] = ()         # in order, repeats kept, names as sent
    client_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def query_value(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    reason: str | None = None       # the status line's words; None: the standard phrase
    # A body sent as it is made (Server-Sent Events): no Content-Length, each piece written
    # as it comes, the connection closed at its end or when the client goes away.
    stream: Iterator[bytes] | None = None


class Route(Protocol):
    """One AWS service's wire protocol on the shared endpoint."""

    def handles(self, request: Request) -> bool: ...

    def handle(self, request: Request) -> Response: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class BodyTooLarge:
    """A body larger than the route takes, judged from Content-Length before it is read (or
    from a chunked body's chunks so far): the rest is never read."""
    limit_bytes: int
    declared_bytes: int | None = None    # Content-Length; None for a chunked body


@dataclass(frozen=True, slots=True, kw_only=True)
class IncompleteBody:
    """The client closed (or went quiet past the read timeout) before its body had arrived
    whole: fewer bytes than Content-Length, or a chunked body without its last chunk."""
    declared_bytes: int | None           # Content-Length; None for a chunked body
    received_bytes: int


BodyProblem = BodyTooLarge | IncompleteBody


@runtime_checkable
class BodyRules(Protocol):
    """What a Route may add: its own body limit, and its own answer when a body is refused
    (None: the server's plain answer). Both see the request's head only (its body is empty),
    and the route that claims the head is asked; the route's `handle` never runs then."""

    def body_limit(self, head: Request) -> int: ...

    def refuse_body(self, head: Request, problem: BodyProblem) -> Response | None: ...


def json_error(status: int, error_type: str, message: str) -> Response:
    """An AWS JSON-protocol error that no route claimed (botocore reads the header)."""
    body = json.dumps({"Type": "User" if status < 500 else "Server", "message": message})
    return Response(status=status, body=body.encode(),
                    headers=(("Content-Type", "application/json"),
                             ("X-Amzn-ErrorType", error_type)))
