"""Velocity (VTL), the template language of API Gateway's mapping templates: parsing a
template (so `validate` and the graph find one that does not parse before any request) and
rendering it with the variables a caller gives. Pure. The one home of airspeed-ext, the
maintained Python VTL engine LocalStack uses; API Gateway's own variables ($input, $util,
$context) are the gateway's business (sources/gateway/mapping_templates.py).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any


class VelocityError(ValueError):
    """A template that does not parse, or fails while it runs."""


def parse_error(template: str) -> str | None:
    """Why the engine cannot parse `template` ("line 1, column 11: expected #else, #elseif
    or #end in if directive, ..."), or None when it parses."""
    airspeed = _airspeed()
    try:
        _compiled(template)
    except airspeed.TemplateError as exc:
        return _tidy(str(exc))
    return None


def _tidy(message: str) -> str:
    """The parser's message on one line, without its "got: ..." when that shows nothing."""
    head, _, got = message.partition(", got: ")
    got = " ".join(got.split())
    return head.strip() if got in ("", "...") else f"{head.strip()}, got: {got}"


def render(template: str, variables: Mapping[str, Any]) -> str:
    """The template's text with `variables` ($name -> value) merged in. Exceptions the
    variables' own methods raise pass through unchanged."""
    airspeed = _airspeed()
    try:
        return str(_compiled(template).merge(dict(variables)))
    except airspeed.TemplateError as exc:
        raise VelocityError(str(exc)) from exc


@functools.lru_cache(maxsize=256)
def _compiled(template: str) -> Any:
    """A parsed template (an airspeed.Template): a route's templates are parsed once, not per
    request."""
    compiled = _airspeed().Template(template)
    compiled.ensure_compiled()
    return compiled


def _airspeed() -> Any:
    """airspeed, imported on first use: validating a template without mapping templates, the
    common case, never pays for it."""
    import airspeed

    return airspeed


class JavaMap(dict[str, Any]):
    """A JSON object as templates use it: Java's Map methods, which airspeed's plain dicts
    lack (`$input.path('$.things').size()` in API Gateway's examples), under Java's names."""

    def size(self) -> int:
        return len(self)

    def isEmpty(self) -> bool:
        return not self

    def containsKey(self, key: Any) -> bool:
        return key in self

    def keySet(self) -> list[str]:
        return list(self.keys())

    def entrySet(self) -> list[dict[str, Any]]:
        return [{"key": k, "value": v} for k, v in self.items()]


def java_values(value: Any) -> Any:
    """JSON data with every object a JavaMap (lists keep airspeed's own list methods)."""
    if isinstance(value, Mapping):
        return JavaMap({str(k): java_values(v) for k, v in value.items()})
    if isinstance(value, list):
        return [java_values(v) for v in value]
    return value
