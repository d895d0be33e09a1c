"""Lambda event filtering: which records of an event source mapping reach the function.
Pure matching of parsed JSON; no queues, no I/O.

Follows the Lambda developer guide, "Lambda event filtering" (FilterCriteria, any filter may
match, the SQS body rules in "Properly filtering Amazon SQS messages"), whose operators are
EventBridge's ("Amazon EventBridge event patterns", "content filtering"): exact values,
prefix, suffix, equals-ignore-case, anything-but, numeric, exists, wildcard, cidr and $or.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_MISSING: Any = object()            # a field the record does not have
_LOWER = (">", ">=")
_UPPER = ("<", "<=")
_OPERATORS = ("prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists",
              "wildcard", "cidr")


@dataclass(frozen=True, slots=True, kw_only=True)
class EventFilter:
    """The FilterCriteria of one event source mapping: a record passes when any pattern
    matches it, and every record passes when there is no pattern."""

    patterns: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def from_patterns(cls, patterns: Sequence[str]) -> EventFilter:
        """Parse each FilterCriteria.Filters[].Pattern (JSON text); ValueError names the
        pattern and the path of the first problem in it."""
        parsed = []
        for number, text in enumerate(patterns, start=1):
            where = f"filter pattern {number}"
            try:
                pattern = json.loads(text)
            except ValueError as exc:
                raise ValueError(f"{where} is not valid JSON ({exc}): {text!r}") from exc
            if not isinstance(pattern, dict):
                raise ValueError(f"{where} must be a JSON object (got {text!r})")
            _check_object(pattern, where, "")
            parsed.append(pattern)
        return cls(patterns=tuple(parsed))

    def matches(self, record: Mapping[str, Any]) -> bool:
        """Whether `record` passes. For SQS, pass `sqs_filter_view(record)`."""
        return not self.patterns or any(_match_object(p, record) for p in self.patterns)


def sqs_filter_view(record: Mapping[str, Any]) -> dict[str, Any]:
    """The SQS record as a filter pattern sees it: a body that is a JSON object or array is
    parsed, so `{"body": {"kind": ["order"]}}` can match its fields; any other body stays a
    string. A JSON body against a plain-string body pattern, or a plain body against a JSON
    pattern, then matches nothing: Lambda drops such messages ("Properly filtering Amazon
    SQS messages")."""
    view = dict(record)
    body = view.get("body")
    if isinstance(body, str):
        try:
            parsed = json.loads(body)
        except ValueError:
            return view
        if isinstance(parsed, dict | list):
            view["body"] = parsed
    return view


# ---- validation -------------------------------------------------------------------------


def _check_object(pattern: Mapping[str, Any], where: str, path: str) -> None:
    for key, value in pattern.items():
        here = f"{path}.{key}" if path else key
        if key == "$or":
            if not isinstance(value, list) or not value:
                raise ValueError(f"{where}: {here} must be a non-empty array of patterns")
            for n, alternative in enumerate(value):
                if not isinstance(alternative, dict):
                    raise ValueError(f"{where}: {here}[{n}] must be an object")
                _check_object(alternative, where, here)
        elif isinstance(value, dict):
            _check_object(value, where, here)
        elif isinstance(value, list):
            for rule in value:
                _check_rule(rule, where, here)
        else:
            raise ValueError(f"{where}: {here} must be an array of values or an object "
                             f"(got {json.dumps(value)}); write [{json.dumps(value)}]")


def _check_rule(rule: Any, where: str, path: str) -> None:
    if not isinstance(rule, dict):
        return                                   # an exact value: string, number, bool, null
    if len(rule) != 1 or next(iter(rule)) not in _OPERATORS:
        raise ValueError(f"{where}: {path}: {json.dumps(rule)} is not a filter rule; "
                         f"use one of {', '.join(_OPERATORS)}")
    name, arg = next(iter(rule.items()))
    bad = f"{where}: {path}: {name}"
    if name in ("prefix", "suffix"):
        if not (isinstance(arg, str) or _is_ignore_case(arg)):
            raise ValueError(f"{bad} takes a string or {{\"equals-ignore-case\": string}}")
    elif name == "equals-ignore-case":
        if not isinstance(arg, str):
            raise ValueError(f"{bad} takes a string")
    elif name == "exists":
        if not isinstance(arg, bool):
            raise ValueError(f"{bad} takes true or false")
    elif name == "wildcard":
        _check_wildcard(arg, bad)
    elif name == "cidr":
        try:
            ipaddress.ip_network(arg, strict=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{bad} takes an IP range like \"10.0.0.0/24\"") from exc
    elif name == "numeric":
        _check_numeric(arg, bad)
    else:
        _check_anything_but(arg, bad)


def _is_ignore_case(arg: Any) -> bool:
    return (isinstance(arg, dict) and list(arg) == ["equals-ignore-case"]
            and isinstance(arg["equals-ignore-case"], str))


def _check_wildcard(arg: Any, bad: str) -> None:
    if not isinstance(arg, str):
        raise ValueError(f"{bad} takes a string")
    if "**" in arg:
        raise ValueError(f"{bad}: consecutive wildcard characters are not allowed")
    if re.search(r"\\(?![*\\])", arg):
        raise ValueError(f"{bad}: only \\* and \\\\ may be escaped")


def _check_numeric(arg: Any, bad: str) -> None:
    if not isinstance(arg, list) or len(arg) not in (2, 4):
        raise ValueError(f"{bad} takes [op, number] or [op, number, op, number]")
    ops = arg[0::2]
    for op, number in zip(ops, arg[1::2], strict=True):
        if op not in ("=", *_LOWER, *_UPPER):
            raise ValueError(f"{bad}: unknown operator {json.dumps(op)}")
        if not _is_number(number):
            raise ValueError(f"{bad}: {json.dumps(op)} needs a number (got {json.dumps(number)})")
    if len(ops) == 2 and not ((ops[0] in _LOWER and ops[1] in _UPPER)
                              or (ops[0] in _UPPER and ops[1] in _LOWER)):
        raise ValueError(f"{bad}: a range needs one lower bound (> or >=) and one upper "
                         f"bound (< or <=)")


def _check_anything_but(arg: Any, bad: str) -> None:
    if isinstance(arg, dict):
        if len(arg) != 1 or next(iter(arg)) not in ("prefix", "suffix", "equals-ignore-case",
                                                     "wildcard"):
            raise ValueError(f"{bad} takes values or one of prefix, suffix, "
                             f"equals-ignore-case, wildcard")
        inner, value = next(iter(arg.items()))
        values = value if isinstance(value, list) and inner != "prefix" else [value]
        if inner in ("prefix", "suffix") and not isinstance(value, str):
            raise ValueError(f"{bad}: {inner} takes a string")
        for item in values:
            if inner == "wildcard":
                _check_wildcard(item, bad)
            elif not isinstance(item, str):
                raise ValueError(f"{bad}: {inner} takes a string or an array of strings")
        return
    values = arg if isinstance(arg, list) else [arg]
    for item in values:
        if not (isinstance(item, str) or _is_number(item)):
            raise ValueError(f"{bad} takes strings or numbers (got {json.dumps(item)})")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# ---- matching ---------------------------------------------------------------------------


def _match_object(pattern: Mapping[str, Any], node: Any) -> bool:
    if isinstance(node, list):                   # an array of objects: any element may match
        return any(_match_object(pattern, item) for item in node if isinstance(item, dict))
    if node is not _MISSING and not isinstance(node, Mapping):
        return False                             # fields asked of a plain value
    for key, expected in pattern.items():
        if key == "$or":
            if not any(_match_object(alternative, node) for alternative in expected):
                return False
            continue
        child = node.get(key, _MISSING) if node is not _MISSING else _MISSING
        if isinstance(expected, dict):
            if not _match_object(expected, child):
                return False
        elif not _match_leaf(expected, child):
            return False
    return True


def _leaves(value: Any) -> list[Any]:
    """The leaf values of a field: an array's elements (flattened); objects are not leaves."""
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    if isinstance(value, dict) or value is _MISSING:
        return []
    return [value]


def _match_leaf(rules: Sequence[Any], value: Any) -> bool:
    leaves = _leaves(value)
    if not leaves:      # absent, or only objects: EventBridge's exists looks at leaves only
        return any(isinstance(r, dict) and r.get("exists") is False for r in rules)
    return any(_match_rule(rule, leaf) for rule in rules for leaf in leaves)


def _match_rule(rule: Any, value: Any) -> bool:
    if not isinstance(rule, dict):
        return _equal(rule, value)
    name, arg = next(iter(rule.items()))
    if name == "exists":
        return arg is True
    if name == "numeric":
        return _is_number(value) and _numeric(arg, value)
    if name == "anything-but":
        return _anything_but(arg, value)
    if not isinstance(value, str):
        return False
    if name == "prefix":
        return _affix(arg, value, str.startswith)
    if name == "suffix":
        return _affix(arg, value, str.endswith)
    if name == "equals-ignore-case":
        return value.casefold() == arg.casefold()
    if name == "wildcard":
        return _wildcard(arg, value)
    return _in_cidr(arg, value)


def _equal(expected: Any, value: Any) -> bool:
    # Lambda compares numbers by their JSON text too: 300 and 300.0 differ.
    if expected is None or isinstance(expected, bool):
        return value is expected
    if isinstance(expected, str):
        return isinstance(value, str) and value == expected
    return _is_number(value) and json.dumps(value) == json.dumps(expected)


def _affix(arg: Any, value: str, test: Any) -> bool:
    if isinstance(arg, dict):
        return bool(test(value.casefold(), arg["equals-ignore-case"].casefold()))
    return bool(test(value, arg))


def _numeric(arg: Sequence[Any], value: float) -> bool:
    for op, bound in zip(arg[0::2], arg[1::2], strict=True):
        ok = {"=": value == bound, ">": value > bound, ">=": value >= bound,
              "<": value < bound, "<=": value <= bound}[op]
        if not ok:
            return False
    return True


def _anything_but(arg: Any, value: Any) -> bool:
    if isinstance(arg, dict):
        inner, spec = next(iter(arg.items()))
        if not isinstance(value, str):
            return False
        if inner == "prefix":
            return not value.startswith(spec)
        if inner == "suffix":
            return not value.endswith(spec)
        specs = spec if isinstance(spec, list) else [spec]
        if inner == "equals-ignore-case":
            return value.casefold() not in {s.casefold() for s in specs}
        return not any(_wildcard(s, value) for s in specs)
    values = arg if isinstance(arg, list) else [arg]
    return not any(_equal(v, value) for v in values)


def _wildcard(pattern: str, value: str) -> bool:
    parts, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            parts.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        parts.append(".*" if char == "*" else re.escape(char))
        i += 1
    return re.fullmatch("".join(parts), value, flags=re.DOTALL) is not None


def _in_cidr(network: str, value: str) -> bool:
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(network, strict=False)
    except ValueError:
        return False
