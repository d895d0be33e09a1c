"""A shipped JSON Schema compiled once into a predicate: would schema.py report nothing here?

It answers only that, fast and without importing jsonschema; when the answer is not yes,
schema.py asks jsonschema's validator (widened by the same value rules, below) for the errors
and phrases them, so every template gets exactly the findings it got before, and a valid
resource (nearly all of them) costs a few dict lookups. As schema.py does, it accepts any
value that is an intrinsic function or sits under a `Fn::` key: CloudFormation works those
out. A schema keyword it does not compile raises UncompiledKeyword when compiled; schema.py
then lets jsonschema decide every value of that schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from samlite.template.nodes import is_intrinsic

Check = Callable[[Any], bool]

_INTEGER = re.compile(r"^\s*[-+]?\d+\s*$")
_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")

# Keywords that only annotate: they never make a value invalid.
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "$defs", "title", "description",
                          "default", "examples"})


class UncompiledKeyword(ValueError):
    """A schema uses a keyword this module does not compile (tests keep the shipped ones in)."""


# ---- CloudFormation's reading of values: "512" is an integer, "true" a boolean ----

def is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, str) and bool(_INTEGER.match(value))


def is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int | float) or (isinstance(value, str) and bool(_NUMBER.match(value)))


def is_boolean(value: Any) -> bool:
    return isinstance(value, bool) or (
        isinstance(value, str) and value.lower() in ("true", "false"))


def is_string(value: Any) -> bool:
    """A number is fine where a string is expected (CloudFormation passes it as text)."""
    return isinstance(value, str) or (
        isinstance(value, int | float) and not isinstance(value, bool))


def as_number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and _NUMBER.match(value):
        return float(value)
    return None


def in_enum(value: Any, allowed: Any) -> bool:
    if value in allowed and not isinstance(value, bool):
        return True
    if isinstance(value, int | float) and not isinstance(value, bool) and str(value) in allowed:
        return True   # `PayloadFormatVersion: 2.0` in YAML is the number 2.0
    return value is None and None in allowed


TYPES: Mapping[str, Check] = {
    "integer": is_integer, "number": is_number, "boolean": is_boolean, "string": is_string,
    "object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


# ---- compiling ----

def compile_predicate(schema: Any) -> Check:
    """The schema as a predicate. Raises UncompiledKeyword for a keyword it cannot decide."""
    return _compile(schema)


def _compile(schema: Any) -> Check:
    inner = _compile_node(schema)
    if inner is _always:
        return inner

    def check(value: Any) -> bool:
        if isinstance(value, dict) and len(value) == 1 and is_intrinsic(value):
            return True
        return inner(value)

    return check


def _compile_node(schema: Any) -> Check:
    if schema is True or schema == {}:
        return _always
    if schema is False:
        return _never
    if not isinstance(schema, Mapping):
        raise UncompiledKeyword(f"not a schema: {schema!r}")
    checks: list[Check] = []
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS or keyword.startswith("x-"):
            continue
        if keyword in ("properties", "additionalProperties", "required", "patternProperties"):
            continue   # compiled together below
        make = _KEYWORDS.get(keyword)
        if make is None:
            raise UncompiledKeyword(f"keyword {keyword!r} is not compiled")
        checks.append(make(value))
    if any(k in schema for k in ("properties", "additionalProperties", "required")):
        if "patternProperties" in schema:
            raise UncompiledKeyword("keyword 'patternProperties' is not compiled")
        checks.insert(0, _object(schema))
    return _all_of(checks)


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


def _all_of(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    frozen = tuple(checks)

    def check(value: Any) -> bool:
        return all(c(value) for c in frozen)

    return check


def _object(schema: Mapping[str, Any]) -> Check:
    properties = tuple((name, _compile(sub)) for name, sub in schema.get("properties", {}).items())
    known = frozenset(schema.get("properties", {}))
    required = tuple(schema.get("required", ()))
    extra = schema.get("additionalProperties", True)
    # `false` is one error at the mapping, whatever the extra key holds (even an intrinsic)
    extra_check = None if extra is True or extra == {} else \
        _never if extra is False else _compile(extra)

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for name in required:
            if name not in value:
                return False
        for name, sub in properties:
            if name in value and not sub(value[name]):
                return False
        if extra_check is not None:
            for name in value:
                if name not in known and not name.startswith("Fn::") \
                        and not extra_check(value[name]):
                    return False
        return True

    return check


def _type(names: Any) -> Check:
    checks = tuple(TYPES[n] for n in ([names] if isinstance(names, str) else names))
    if len(checks) == 1:
        return checks[0]
    return lambda v: any(c(v) for c in checks)


def _items(items: Any) -> Check:
    if items is False:   # one error at the list, not at its items
        raise UncompiledKeyword("'items: false' is not compiled")
    sub = _compile(items)
    return lambda v: not isinstance(v, list) or all(sub(item) for item in v)


def as_text(value: Any) -> str | None:
    """The text a length or pattern applies to: a number counts as its digits, as
    CloudFormation passes it on as text (`TopicName: 5` is the name "5")."""
    if isinstance(value, str):
        return value
    return str(value) if is_string(value) else None


def _pattern(pattern: str) -> Check:
    search = re.compile(pattern).search

    def check(value: Any) -> bool:
        text = as_text(value)
        return text is None or search(text) is not None

    return check


def _min_length(limit: int) -> Check:
    def check(value: Any) -> bool:
        text = as_text(value)
        return text is None or len(text) >= limit
    return check


def _max_length(limit: int) -> Check:
    def check(value: Any) -> bool:
        text = as_text(value)
        return text is None or len(text) <= limit
    return check


def _minimum(limit: Any) -> Check:
    def check(value: Any) -> bool:
        number = as_number(value)
        return number is None or number >= limit
    return check


def _maximum(limit: Any) -> Check:
    def check(value: Any) -> bool:
        number = as_number(value)
        return number is None or number <= limit
    return check


def _not(schema: Any) -> Check:
    sub = _compile(schema)
    return lambda v: not sub(v)


def _property_names(schema: Any) -> Check:
    sub = _compile(schema)
    return lambda v: not isinstance(v, dict) or all(sub(name) for name in v)


_KEYWORDS: Mapping[str, Callable[[Any], Check]] = {
    "type": _type,
    "enum": lambda allowed: lambda v: in_enum(v, allowed),
    "items": _items,
    "minItems": lambda n: lambda v: not isinstance(v, list) or len(v) >= n,
    "maxItems": lambda n: lambda v: not isinstance(v, list) or len(v) <= n,
    "minProperties": lambda n: lambda v: not isinstance(v, dict) or len(v) >= n,
    "minimum": _minimum,
    "maximum": _maximum,
    "pattern": _pattern,
    "minLength": _min_length,
    "maxLength": _max_length,
    "not": _not,
    "propertyNames": _property_names,
}
