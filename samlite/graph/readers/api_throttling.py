"""API Gateway throttling and quotas, which the local gateway never applies, named under
"Not run locally" (one line each) because they change answers: on AWS a request past a
limit gets 429 Too Many Requests. Pure.

Where a template sets them: a REST stage's MethodSettings ThrottlingBurstLimit /
ThrottlingRateLimit (SAM Api and AWS::ApiGateway::Stage), a usage plan's Throttle and Quota
(SAM Api Auth.UsagePlan and AWS::ApiGateway::UsagePlan), an HTTP API stage's
DefaultRouteSettings / RouteSettings ThrottlingBurstLimit / ThrottlingRateLimit (SAM HttpApi
and AWS::ApiGatewayV2::Stage).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from samlite.errors import Mark
from samlite.graph.model import NotRunLocally
from samlite.graph.parts import GraphParts
from samlite.graph.values import as_list, as_map, key_at

NOT_APPLIED = "not applied locally: requests are never throttled"
_LIMITS = ("ThrottlingBurstLimit", "ThrottlingRateLimit")
# resource type -> where its throttling lives: (property path, how it is read)
_METHOD_SETTINGS = "method settings"
_ROUTE_SETTINGS = "route settings"
_PLAN = "usage plan"
_PLACES: Mapping[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "AWS::Serverless::Api": ((("MethodSettings",), _METHOD_SETTINGS),
                             (("Auth", "UsagePlan"), _PLAN)),
    "AWS::ApiGateway::Stage": ((("MethodSettings",), _METHOD_SETTINGS),),
    "AWS::ApiGateway::UsagePlan": (((), _PLAN),),
    "AWS::Serverless::HttpApi": ((("DefaultRouteSettings",), _ROUTE_SETTINGS),
                                 (("RouteSettings",), _ROUTE_SETTINGS)),
    "AWS::ApiGatewayV2::Stage": ((("DefaultRouteSettings",), _ROUTE_SETTINGS),
                                 (("RouteSettings",), _ROUTE_SETTINGS)),
}


def name_throttling(parts: GraphParts) -> None:
    for res in parts.resources.values():
        places = _PLACES.get(res.type)
        if not places:
            continue
        props, _ = parts.props(res)
        for path, how in places:
            value, at, name = props, res.at, ""
            for key in path:
                value, at, name = as_map(value).get(key), key_at(value, key, at), key
            for subject, where in _limits(value, how, name or "", at):
                parts.not_local.append(NotRunLocally(
                    subject=".".join(p for p in (res.logical_id, *path[:-1], subject) if p),
                    type=res.type, at=where, reason=NOT_APPLIED))


def _limits(value: Any, how: str, name: str, at: Mark) -> Iterator[tuple[str, Mark]]:
    """(subject, mark) of each throttling setting in `value`."""
    if how == _PLAN:
        for key in ("Throttle", "Quota"):
            if as_map(value).get(key) is not None:
                yield (f"{name}.{key}" if name else key), key_at(value, key, at)
        return
    entries = as_list(value) if how == _METHOD_SETTINGS else (
        [value] if name == "DefaultRouteSettings" else list(as_map(value).values()))
    if any(as_map(entry).get(limit) is not None for entry in entries for limit in _LIMITS):
        yield f"{name} throttling", at
