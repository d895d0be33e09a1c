"""Whether a DynamoDB request's JSON (as json.loads gives it) is already what moto's JSON
request parser would make of it, so the route may hand it to moto's action unparsed. Pure:
the checks are built once per operation from its botocore input shape (any object with
botocore's Shape attributes), no moto import.

moto's parser (moto/core/parse.py, BaseJSONParser) walks the body against the operation's
model: a structure keeps only its modelled members that are not null, in the model's order;
blobs are decoded from base64, timestamps parsed, integers and doubles coerced; strings,
booleans, lists and maps come through as they are. Walking each attribute that way was a
third of a small write's time in moto; the check below asks the same questions with
precompiled closures and says no to anything the parser would change (binary attributes,
unknown or null members, a nested structure in another order), which then goes the parser's
way. tests/aws/dynamodb/test_as_parsed.py holds the two equal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


def _is_int(value: Any) -> bool:
    return type(value) is int       # int(True) is 1: a bool is changed by the parser


def _is_float(value: Any) -> bool:
    return type(value) is float


# The parser's handling per scalar type: as it is (no _parse_<type>), coerced, or decoded.
_SCALARS: dict[str, Check] = {
    "string": _always, "boolean": _always, "character": _always,
    "integer": _is_int, "long": _is_int, "short": _is_int, "byte": _is_int,
    "float": _is_float, "double": _is_float,
    "blob": _never, "timestamp": _never,
}


def request_check(input_shape: Any) -> Check:
    """A check of a whole request body against the operation's input shape. Its members
    may come in any order: moto's actions read them by name."""
    if input_shape is None:
        return lambda params: params == {}       # the parser gives {} for any body
    return _structure(input_shape, {}, ordered=False)


def _check(shape: Any, built: dict[str, Check]) -> Check:
    """Built once per shape name; recursive shapes (AttributeValue's M and L) refer to the
    check being built through `built`."""
    found = built.get(shape.name)
    if found is not None:
        return found
    kind = shape.type_name
    if kind in _SCALARS:
        return _SCALARS[kind]
    slot: list[Check] = []
    built[shape.name] = lambda value: slot[0](value)   # filled in below
    if kind == "structure":
        made = _structure(shape, built, ordered=True)
    elif kind == "list":
        made = _list(_check(shape.member, built))
    elif kind == "map":
        made = _map(_check(shape.key, built), _check(shape.value, built))
    else:
        made = _never
    slot.append(made)
    built[shape.name] = made
    return made


def _structure(shape: Any, built: dict[str, Check], *, ordered: bool) -> Check:
    if getattr(shape, "is_document_type", False):
        return _always
    members = dict(shape.members)
    if any(m.serialization.get("name", n) != n for n, m in members.items()):
        return _never                   # a member named otherwise on the wire: not here
    checks = {name: _check(member, built) for name, member in members.items()}
    order = {name: i for i, name in enumerate(members)}

    def check(value: Any) -> bool:
        if value is None:
            return True                 # the parser keeps a null structure as null
        if type(value) is not dict:
            return False
        last = -1
        for name, member in value.items():
            member_check = checks.get(name)
            if member_check is None or member is None:
                return False
            if member_check is not _always and not member_check(member):
                return False
            if ordered and len(value) > 1:
                if order[name] < last:
                    return False        # the parser would put it in the model's order
                last = order[name]
        return True

    return check


def _list(member_check: Check) -> Check:
    if member_check is _always:
        return lambda value: type(value) is list
    return lambda value: type(value) is list and all(map(member_check, value))


def _map(key_check: Check, value_check: Check) -> Check:
    if key_check is _always and value_check is _always:
        return lambda value: type(value) is dict
    if key_check is _always:            # maps of DynamoDB's are keyed by strings
        return lambda value: type(value) is dict and all(map(value_check, value.values()))

    def check(value: Any) -> bool:
        if type(value) is not dict:
            return False
        return all(key_check(k) and value_check(v) for k, v in value.items())

    return check
