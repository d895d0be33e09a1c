"""REST API mapping templates (Velocity) rendered for one request with API Gateway's
variables: $input, $util, $context and $stageVariables. Pure: template text and the request's
data in, text out. The Velocity engine itself is dialects/velocity.py.

Follows the developer guide's "Variables for data transformations for API Gateway" (the
$input, $util, $context and $stageVariables reference) and its examples page, "Examples using
variables for mapping template transformations for API Gateway".
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from samlite.dialects.velocity import VelocityError, java_values
from samlite.dialects.velocity import render as render_velocity


class TemplateError(ValueError):
    """A template the engine cannot parse or run; API Gateway answers 500."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateData:
    """What a template can read. `body` is the payload being mapped: the method request's
    in a request template, the integration's answer in a response template."""

    body: str = ""
    path: Mapping[str, str] = field(default_factory=dict)
    querystring: Mapping[str, str] = field(default_factory=dict)
    header: Mapping[str, str] = field(default_factory=dict)
    context: Mapping[str, Any] = field(default_factory=dict)   # nested: identity, authorizer
    stage_variables: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Overrides:
    """What a template set under $context.requestOverride / $context.responseOverride ("Use
    a mapping template to override an API's request and response parameters and status
    codes")."""

    status: int | None = None                   # responseOverride.status
    header: Mapping[str, str] = field(default_factory=dict)
    querystring: Mapping[str, str] = field(default_factory=dict)   # requestOverride only
    path: Mapping[str, str] = field(default_factory=dict)          # requestOverride only


@dataclass(frozen=True, slots=True, kw_only=True)
class Rendered:
    text: str
    request: Overrides
    response: Overrides


def render(template: str, data: TemplateData) -> str:
    return render_with_overrides(template, data).text


def render_with_overrides(template: str, data: TemplateData) -> Rendered:
    context = {**data.context,
               "requestOverride": {"header": {}, "querystring": {}, "path": {}},
               "responseOverride": {"header": {}}}
    try:
        text = render_velocity(template, {
            "input": _Input(data), "util": _Util(), "context": context,
            "stageVariables": dict(data.stage_variables)})
    except (VelocityError, JsonPathError) as exc:
        raise TemplateError(str(exc)) from exc
    return Rendered(text=text, request=_overrides(context.get("requestOverride")),
                    response=_overrides(context.get("responseOverride")))


def _overrides(found: Any) -> Overrides:
    found = found if isinstance(found, Mapping) else {}

    def texts(key: str) -> dict[str, str]:
        values = found.get(key)
        return {str(k): str(v) for k, v in values.items()} if isinstance(values, Mapping) \
            else {}

    status = found.get("status")
    try:
        code = int(status) if status not in (None, "") else None
    except (TypeError, ValueError) as exc:
        raise TemplateError(f"$context.responseOverride.status must be a status code (got "
                            f"{status!r})") from exc
    return Overrides(status=code, header=texts("header"), querystring=texts("querystring"),
                     path=texts("path"))


class _Input:
    """$input: the payload and the method request's parameters."""

    def __init__(self, data: TemplateData) -> None:
        self._data = data
        self.body = data.body

    def json(self, path: str) -> str:
        """The JSONPath's result as JSON text; "" when the path finds nothing."""
        found = json_path(self._payload(), path)
        return "" if found is MISSING else json.dumps(found, separators=(",", ":"))

    def path(self, path: str) -> Any:
        """The JSONPath's result as an object the template can walk (maps, lists, values)."""
        found = json_path(self._payload(), path)
        return "" if found is MISSING else java_values(found)

    def params(self, name: str | None = None) -> Any:
        """params(): {"path": ..., "querystring": ..., "header": ...}; params(x): x from the
        path, then the query string, then the headers (searched in that order)."""
        data = self._data
        if name is None:
            return java_values({"path": data.path, "querystring": data.querystring,
                                "header": data.header})
        for where in (data.path, data.querystring):
            if name in where:
                return where[name]
        lower = name.lower()
        return next((v for k, v in data.header.items() if k.lower() == lower), "")

    def _payload(self) -> Any:
        # An empty payload reads as an empty object, so $input.json('$') gives {}.
        if not self.body.strip():
            return {}
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise JsonPathError(f"the payload is not JSON, so a JSONPath cannot read it "
                                f"({exc})") from exc


class _Util:
    """$util's functions (the default character set is UTF-8), under API Gateway's names."""

    def escapeJavaScript(self, text: Any) -> str:
        return escape_javascript(str(text))

    def parseJson(self, text: Any) -> Any:
        try:
            return java_values(json.loads(str(text)))
        except ValueError as exc:
            raise JsonPathError(f"$util.parseJson: not JSON ({exc})") from exc

    def urlEncode(self, text: Any) -> str:
        return quote_plus(str(text), safe="*-._")

    def urlDecode(self, text: Any) -> str:
        return unquote_plus(str(text))

    def base64Encode(self, text: Any) -> str:
        return base64.b64encode(str(text).encode()).decode("ascii")

    def base64Decode(self, text: Any) -> str:
        try:
            return base64.b64decode(str(text)).decode("utf-8", "replace")
        except (binascii.Error, ValueError) as exc:
            raise JsonPathError(f"$util.base64Decode: not base64 ({exc})") from exc


def escape_javascript(text: str) -> str:
    """Java's StringEscapeUtils.escapeJavaScript (Commons Lang 2), which API Gateway's
    $util.escapeJavaScript is: quotes, backslash and "/" escaped, control and non-ASCII
    characters as \\uXXXX ("This function will turn any regular single quotes (') into
    escaped ones (\\')")."""
    out: list[str] = []
    for char in text:
        code = ord(char)
        if code > 0x7F:
            out.extend(f"\\u{unit:04X}" for unit in _utf16_units(code))
        elif code < 32:
            out.append(_CONTROL.get(char, f"\\u{code:04X}"))
        elif char in "'\"\\/":
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


_CONTROL = {"\b": "\\b", "\n": "\\n", "\t": "\\t", "\f": "\\f", "\r": "\\r"}


def _utf16_units(code: int) -> tuple[int, ...]:
    if code < 0x10000:
        return (code,)
    code -= 0x10000
    return (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF))


# --- JSONPath: the subset mapping templates use ($, .a, ['a'], [0], [*], .*) --------------------
class JsonPathError(ValueError):
    pass


class _Missing:
    pass


MISSING = _Missing()
_STEP = re.compile(r"""\.(?P<name>[^.\[\]]+)|\[(?P<index>-?\d+)\]|\[(?P<quoted>'[^']*'|"[^"]*")\]
                       |\[\*\]""", re.VERBOSE)


def json_path(document: Any, path: str) -> Any:
    """The value `path` selects, a list where a wildcard was used, else MISSING."""
    expression = path.strip()
    if not expression.startswith("$"):
        raise JsonPathError(f"a JSONPath starts with $ (got {path!r})")
    found: list[Any] = [document]
    is_list = False
    position = 1
    while position < len(expression):
        step = _STEP.match(expression, position)
        if step is None:
            raise JsonPathError(f"JSONPath {path!r}: cannot read {expression[position:]!r}")
        position = step.end()
        name, index, quoted = step.group("name"), step.group("index"), step.group("quoted")
        if name == "*" or (name is None and index is None and quoted is None):
            is_list = True
            found = [v for item in found for v in _children(item)]
        elif index is not None:
            found = [_item(item, int(index)) for item in found]
        else:
            key = name if name is not None else str(quoted)[1:-1]
            found = [item[key] for item in found if isinstance(item, Mapping) and key in item]
        found = [item for item in found if item is not MISSING]
    if is_list:
        return found
    return found[0] if found else MISSING


def _children(item: Any) -> list[Any]:
    if isinstance(item, Mapping):
        return list(item.values())
    return list(item) if isinstance(item, list) else []


def _item(item: Any, index: int) -> Any:
    if isinstance(item, list) and -len(item) <= index < len(item):
        return item[index]
    return MISSING
