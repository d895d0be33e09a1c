"""HTTP API parameter mapping, as pure mapping: a Lambda integration's request changed
before its event is built (overwrite/append/remove of headers and query strings,
overwrite:path), and any integration's response changed by the status code it answered
(headers, overwrite:statuscode). Values are read with integrations.evaluate, plus
$response.header.<name> and $response.body.<JSON path> for responses.

Follows "Transform API requests and responses for HTTP APIs" (API Gateway developer guide).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

from samlite.graph.model import ParameterMapping
from samlite.sources.gateway.events import HttpRequest, HttpResponse
from samlite.sources.gateway.integrations import MappingSource, evaluate

Pairs = Sequence[tuple[str, str]]


def mapped_request(mapping: ParameterMapping | None, source: MappingSource) -> HttpRequest:
    """The request a Lambda integration's event is built from."""
    request = source.request
    if mapping is None or not mapping.request:
        return request
    headers = list(request.headers)
    query = parse_qsl(request.raw_query, keep_blank_values=True)
    path = request.path
    for key, expression in mapping.request:
        action, _, target = key.partition(":")
        where, _, name = target.partition(".")
        value = None if action == "remove" else evaluate(expression, source)
        if action != "remove" and value is None:
            continue          # nothing to map from: the parameter is left as it is
        if where == "header":
            headers = _changed(headers, action, name, value, case_insensitive=True)
        elif where == "querystring":
            query = _changed(query, action, name, value, case_insensitive=False)
        elif target == "path" and action == "overwrite" and value is not None:
            path = value if value.startswith("/") else f"/{value}"
    changed_query = any(k.partition(":")[2].startswith("querystring.") for k, _ in mapping.request)
    return replace(request, headers=tuple(headers), path=path,
                   raw_query=urlencode(query) if changed_query else request.raw_query)


def mapped_response(mapping: ParameterMapping | None, response: HttpResponse,
                    source: MappingSource) -> HttpResponse:
    """An integration's response changed by the mapping of the status code it answered.
    API Gateway's own answers (its errors) are not the integration's and are left alone."""
    if mapping is None or response.gateway_response is not None:
        return response
    pairs = dict(mapping.response).get(str(response.status))
    if not pairs:
        return response
    headers = list(response.headers)
    status = response.status
    for key, expression in pairs:
        action, _, target = key.partition(":")
        value = None if action == "remove" else _response_value(expression, response, source)
        if action != "remove" and value is None:
            continue
        if target == "statuscode" and action == "overwrite" and value is not None:
            status = int(value) if value.strip().isdigit() else status
        elif target.startswith("header."):
            headers = _changed(headers, action, target.removeprefix("header."), value,
                               case_insensitive=True)
    return replace(response, status=status, headers=tuple(headers))


def _response_value(expression: str, response: HttpResponse,
                    source: MappingSource) -> str | None:
    if expression.startswith("$response.header."):
        name = expression.removeprefix("$response.header.").lower()
        values = [v for k, v in response.headers if k.lower() == name]
        return ",".join(values) if values else None
    if expression.startswith("$response.body"):
        return _json_path(response.body, expression.removeprefix("$response.body"))
    return evaluate(expression, source)


def _json_path(body: bytes, path: str) -> str | None:
    """$response.body (the whole body) or $response.body.a.b (into a JSON body)."""
    if not path:
        return body.decode("utf-8", "replace")
    try:
        found: Any = json.loads(body)
    except ValueError:
        return None
    for key in path.removeprefix(".").split("."):
        if isinstance(found, dict) and key in found:
            found = found[key]
        elif isinstance(found, list) and key.isdigit() and int(key) < len(found):
            found = found[int(key)]
        else:
            return None
    return found if isinstance(found, str) else json.dumps(found, separators=(",", ":"))


def _changed(pairs: Pairs, action: str, name: str, value: str | None, *,
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
