"""What an EventBridge target receives: the event, or its target's Input, InputPath or
InputTransformer applied to it. Pure.

Follows the EventBridge user guide, "Amazon EventBridge input transformation": paths in dot
notation with array indices and `*`; the predefined variables aws.events.rule-arn,
aws.events.rule-name, aws.events.event (the event without detail, unescaped),
aws.events.event.json (the whole event, unescaped) and aws.events.event.ingestion-time; a
placeholder inside a JSON string gets the value as text (escaped), one outside gets the value
as JSON, and in a template that is not a JSON object or array a string value is inserted as
it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from samlite.graph.messaging import RuleTarget

_MISSING: Any = object()
_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+|\*)\]")
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")
_UNESCAPED = ("aws.events.event", "aws.events.event.json")


def json_path(document: Any, path: str) -> Any:
    """The value at `path` ("$", "$.detail.id", "$.items[0]", "$.items[*].id"), or _MISSING."""
    if not path.startswith("$"):
        return _MISSING
    values = [document]
    is_many = False
    for match in _STEP.finditer(path[1:]):
        key, index = match.group(1), match.group(2)
        found = []
        for value in values:
            if key is not None and key != "*" and isinstance(value, dict) and key in value:
                found.append(value[key])
            elif key == "*" and isinstance(value, dict):
                found.extend(value.values())
                is_many = True
            elif index == "*" and isinstance(value, list):
                found.extend(value)
                is_many = True
            elif index is not None and index != "*" and isinstance(value, list) \
                    and int(index) < len(value):
                found.append(value[int(index)])
        values = found
    if is_many:
        return values
    return values[0] if values else _MISSING


def target_input(event: Mapping[str, Any], target: RuleTarget, *, rule_arn: str,
                 rule_name: str, ingestion_time: str) -> str:
    """The text the target gets."""
    if target.input is not None:
        return target.input
    if target.input_path is not None:
        value = json_path(event, target.input_path)
        return "null" if value is _MISSING else json.dumps(value)
    transformer = target.input_transformer
    if transformer is None:
        return json.dumps(event)
    variables: dict[str, Any] = {name: json_path(event, path)
                                 for name, path in transformer.paths}
    variables.update({
        "aws.events.rule-arn": rule_arn, "aws.events.rule-name": rule_name,
        "aws.events.event.ingestion-time": ingestion_time,
        "aws.events.event": {k: v for k, v in event.items() if k != "detail"},
        "aws.events.event.json": dict(event)})
    return render_template(transformer.template, variables)


def render_template(template: str, variables: Mapping[str, Any]) -> str:
    is_json_shaped = template.lstrip()[:1] in ("{", "[")
    out: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        name = match.group(1)
        if name not in variables:
            continue
        out.append(template[position:match.start()])
        out.append(_insert(variables[name], name, in_string=_in_string(template, match.start()),
                           is_json_shaped=is_json_shaped))
        position = match.end()
    out.append(template[position:])
    return "".join(out)


def _insert(value: Any, name: str, *, in_string: bool, is_json_shaped: bool) -> str:
    if name in _UNESCAPED:
        return json.dumps(value)
    if value is _MISSING:
        return "" if in_string else "null"
    if in_string:
        text = value if isinstance(value, str) else json.dumps(value)
        return json.dumps(text)[1:-1]
    if isinstance(value, str) and not is_json_shaped:
        return value
    return json.dumps(value)


def _in_string(template: str, offset: int) -> bool:
    """Whether `offset` is inside a double-quoted string of the template."""
    inside = False
    escaped = False
    for char in template[:offset]:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            inside = not inside
    return inside
