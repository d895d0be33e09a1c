"""HTTP API parameter mapping of an integration -> graph.ParameterMapping. Pure.

Reads requestParameters / responseParameters (OpenAPI x-amazon-apigateway-integration) and
RequestParameters / ResponseParameters (AWS::ApiGatewayV2::Integration). A mapping of a
reserved header is refused by API Gateway, so it is named under "Not run locally" and left
out. Follows "Transform API requests and responses for HTTP APIs" (its "Reserved headers").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from samlite.graph.model import Integration, ParameterMapping
from samlite.graph.values import as_map, as_text

RESERVED_HEADERS = frozenset({
    "authorization", "connection", "content-encoding", "content-length", "content-location",
    "forwarded", "keep-alive", "origin", "proxy-authenticate", "proxy-authorization", "te",
    "trailers", "transfer-encoding", "upgrade", "x-forwarded-for", "x-forwarded-host",
    "x-forwarded-proto", "via",
})
RESERVED_PREFIXES = ("access-control-", "apigw-", "x-amz-", "x-amzn-")


def is_reserved(key: str) -> bool:
    """Whether a mapping key ("append:header.Authorization") names a reserved header."""
    target = key.partition(":")[2]
    if not target.startswith("header."):
        return False
    name = target.removeprefix("header.").lower()
    return name in RESERVED_HEADERS or name.startswith(RESERVED_PREFIXES)


def mapping_of(*, request: Any, response: Any, lambda_request: bool,
               name: Callable[[str], None]) -> ParameterMapping | None:
    """The mapping to apply, or None when there is none. `lambda_request`: whether the
    request mapping is this model's to hold (a Lambda integration's); `name` is told the
    reason for each reserved header left out."""
    request_pairs = _kept(_pairs(request), name, "request") if lambda_request else ()
    responses = tuple(
        (str(status), _kept(_pairs(pairs), name, f"response ({status})"))
        for status, pairs in as_map(response).items())
    responses = tuple((status, pairs) for status, pairs in responses if pairs)
    if not request_pairs and not responses:
        return None
    return ParameterMapping(request=request_pairs, response=responses)


def reserved_request_keys(request: Any) -> tuple[str, ...]:
    """The reserved-header keys of a service or HTTP_PROXY integration's request mapping."""
    return tuple(key for key, _ in _pairs(request) if is_reserved(key))


def without_reserved(integration: Integration) -> Integration:
    """`integration` without request mappings of reserved headers (they are named)."""
    kept = tuple(p for p in integration.request_parameters if not is_reserved(p[0]))
    return dataclasses.replace(integration, request_parameters=kept)


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    pairs = ((str(k), as_text(v)) for k, v in as_map(value).items())
    return tuple((k, "" if v is None else v) for k, v in pairs)


def _kept(pairs: tuple[tuple[str, str], ...], name: Callable[[str], None],
          where: str) -> tuple[tuple[str, str], ...]:
    kept = []
    for key, value in pairs:
        if is_reserved(key):
            name(f"the {where} mapping {key} names a reserved header, which API Gateway does "
                 "not let a mapping change; it is not applied")
        else:
            kept.append((key, value))
    return tuple(kept)
