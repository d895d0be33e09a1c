"""An HTTP request and response as every server of samlite's passes them around, and the
Route protocol a service implements to claim requests. Data only: no sockets."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


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


class Route(Protocol):
    """One AWS service's wire protocol on the shared endpoint."""

    def handles(self, request: Request) -> bool: ...

    def handle(self, request: Request) -> Response: ...


def json_error(status: int, error_type: str, message: str) -> Response:
    """An AWS JSON-protocol error that no route claimed (botocore reads the header)."""
    body = json.dumps({"Type": "User" if status < 500 else "Server", "message": message})
    return Response(status=status, body=body.encode(),
                    headers=(("Content-Type", "application/json"),
                             ("X-Amzn-ErrorType", error_type)))
