"""A sample event a rule's pattern matches, for `samlite trigger RULE`: each field the pattern
names gets a value its first condition accepts, in the envelope EventBridge delivers. Pure."""

from __future__ import annotations

import ipaddress
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

_UNSET: Any = object()


def sample_event(pattern: str, *, account_id: str, region: str, now_s: float) -> dict[str, Any]:
    try:
        parsed = json.loads(pattern)
    except ValueError:
        parsed = {}
    fields = _sample_object(parsed if isinstance(parsed, dict) else {})
    event: dict[str, Any] = {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "samlite trigger",
        "source": "samlite.trigger", "account": account_id,
        "time": datetime.fromtimestamp(now_s, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region, "resources": [], "detail": {}}
    for key, value in fields.items():
        if key in ("detail-type", "source", "id", "account", "region", "time", "version") \
                and isinstance(value, list):
            value = value[0] if value else event[key]
        event[key] = value
    return event


def sample_fields(pattern: str) -> dict[str, Any]:
    """Values a pattern's fields accept, e.g. for an SNS filter policy."""
    try:
        parsed = json.loads(pattern)
    except ValueError:
        return {}
    return _sample_object(parsed) if isinstance(parsed, dict) else {}


def _sample_object(pattern: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, rules in pattern.items():
        if key == "$or" and isinstance(rules, list) and rules and isinstance(rules[0], dict):
            out.update(_sample_object(rules[0]))
        elif isinstance(rules, dict):
            out[key] = _sample_object(rules)
        elif isinstance(rules, list) and rules:
            value = _sample_value(rules[0])
            if value is not _UNSET:
                out[key] = [value] if key in ("resources",) else value
    return out


def _sample_value(rule: Any) -> Any:
    if not isinstance(rule, dict):
        return rule
    name, arg = next(iter(rule.items()), (None, None))
    if name == "prefix":
        return (arg.get("equals-ignore-case", "") if isinstance(arg, dict) else str(arg)) + "x"
    if name == "suffix":
        return "x" + (arg.get("equals-ignore-case", "") if isinstance(arg, dict) else str(arg))
    if name == "equals-ignore-case":
        return arg
    if name == "wildcard":
        return str(arg).replace("*", "x")
    if name == "exists":
        return "x" if arg else _UNSET
    if name == "anything-but":
        return "samlite-sample"
    if name == "cidr":
        return str(ipaddress.ip_network(str(arg), strict=False).network_address)
    if name == "numeric" and isinstance(arg, list):
        return _number_in(arg)
    return "x"


def _number_in(conditions: list[Any]) -> float:
    low, high = float("-inf"), float("inf")
    for operator, bound in zip(conditions[::2], conditions[1::2], strict=False):
        if operator == "=":
            return float(bound)
        if operator in (">", ">="):
            low = float(bound)
        elif operator in ("<", "<="):
            high = float(bound)
    if low == float("-inf"):
        return high - 1 if high != float("inf") else 0
    if high == float("inf"):
        return low + 1
    return (low + high) / 2
