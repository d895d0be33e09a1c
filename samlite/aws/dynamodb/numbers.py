"""DynamoDB's numbers as DynamoDB keeps them, and a request's numbers put that way where it
enters. Pure: the walks are built once per operation from its botocore input shape (any
object with botocore's Shape attributes, as in as_parsed.py), no moto import.

The DynamoDB developer guide ("Supported data types and naming rules in Amazon DynamoDB",
Number): up to 38 digits of precision, magnitudes from 1E-130 to 9.99…E+125, "Leading and
trailing zeroes are trimmed". So "12.0" is stored (and read back, and streamed) as "12",
"0.50" as "0.5", "-0" as "0", "1E+2" as "100" (DynamoDB answers without an exponent), and
the keys 1 and 1.0 are one key. Numbers it refuses get its ValidationException messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

MAX_DIGITS = 38
MAX_EXPONENT = 125       # of the first significant digit: 9.99…E+125 is the largest
MIN_EXPONENT = -130      # 1E-130 is the smallest non-zero magnitude
# DynamoDB's ValidationException messages for numbers.
NOT_A_NUMBER = "The parameter cannot be converted to a numeric value"
TOO_PRECISE = "Attempting to store more than 38 significant digits in a Number"
OVERFLOW = ("Number overflow. Attempting to store a number with magnitude larger than "
            "supported range")
UNDERFLOW = ("Number underflow. Attempting to store a number with magnitude smaller than "
             "supported range")
DUPLICATES = "Input collection contains duplicates"

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
# Already as DynamoDB keeps it (most numbers sent): an integer without leading zeroes, or a
# decimal without needless zeroes whose 39 characters at most cannot hold 39 digits or leave
# the range.
_PLAIN_INTEGER = re.compile(r"-?[1-9]\d{0,37}\Z|0\Z")
_PLAIN_DECIMAL = re.compile(r"-?(?:0|[1-9]\d*)\.\d*[1-9]\Z")

Walk = Callable[[Any], None]


class NumberError(ValueError):
    """A number DynamoDB refuses; the message is DynamoDB's."""


def canonical(text: str, *, checked: bool = True) -> str:
    """`text` as DynamoDB stores it. NumberError for what it refuses (with `checked`; a
    result of moto's arithmetic is only reformatted)."""
    if _PLAIN_INTEGER.match(text) or (len(text) <= 39 and _PLAIN_DECIMAL.match(text)):
        return text
    if not _NUMBER.match(text):
        raise NumberError(f"{NOT_A_NUMBER}: {text}")
    sign, digit_tuple, exponent = Decimal(text).as_tuple()
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    if not digits:
        return "0"
    stripped = digits.rstrip("0")
    exponent = int(exponent) + len(digits) - len(stripped)   # finite: the pattern says so
    if checked:
        if len(stripped) > MAX_DIGITS:
            raise NumberError(TOO_PRECISE)
        magnitude = len(stripped) + exponent - 1
        if magnitude > MAX_EXPONENT:
            raise NumberError(OVERFLOW)
        if magnitude < MIN_EXPONENT:
            raise NumberError(UNDERFLOW)
    if exponent >= 0:
        plain = stripped + "0" * exponent
    elif -exponent >= len(stripped):
        plain = "0." + "0" * (-exponent - len(stripped)) + stripped
    else:
        plain = f"{stripped[:exponent]}.{stripped[exponent:]}"
    return f"-{plain}" if sign else plain


def canonical_value(value: dict[str, Any], *, checked: bool = True) -> None:
    """One AttributeValue ({"N": "1.0"}, a set, a map or list of them) made canonical in
    place. Members that are not text are left for moto to refuse."""
    for kind, inner in value.items():
        if kind == "N":
            if type(inner) is str:
                value[kind] = canonical(inner, checked=checked)
        elif kind == "NS":
            if type(inner) is list and all(type(n) is str for n in inner):
                numbers = [canonical(n, checked=checked) for n in inner]
                if checked and len(set(numbers)) != len(numbers):
                    raise NumberError(DUPLICATES)
                value[kind] = numbers
        elif kind == "M":
            if type(inner) is dict:
                for member in inner.values():
                    if type(member) is dict:
                        canonical_value(member, checked=checked)
        elif kind == "L" and type(inner) is list:
            for member in inner:
                if type(member) is dict:
                    canonical_value(member, checked=checked)


def request_walk(input_shape: Any) -> Walk | None:
    """A walk that makes every number of a request canonical in place (NumberError for one
    DynamoDB refuses); None when the operation takes no AttributeValue."""
    if input_shape is None:
        return None
    return _walk(input_shape, {})


def _walk(shape: Any, built: dict[str, Walk | None]) -> Walk | None:
    if shape.name == "AttributeValue":     # its maps and lists: canonical_value walks them
        return _attribute_value
    if shape.name in built:                # None too while being built (no other shape of
        return built[shape.name]           # DynamoDB's holds itself)
    built[shape.name] = None
    kind = shape.type_name
    made: Walk | None = None
    if kind == "structure":
        members = {name: walk for name, member in shape.members.items()
                   if (walk := _walk(member, built)) is not None}
        if members:
            made = _structure(members)
    elif kind == "list":
        member = _walk(shape.member, built)
        if member is not None:
            made = _list(member)
    elif kind == "map":
        value = _walk(shape.value, built)
        if value is not None:
            made = _expression_values if shape.name == "ExpressionAttributeValueMap" \
                else _map(value)
    built[shape.name] = made
    return made


def _attribute_value(value: Any) -> None:
    if type(value) is dict:
        canonical_value(value)


def _expression_values(values: Any) -> None:
    """DynamoDB names the placeholder whose number it refuses."""
    if type(values) is not dict:
        return
    for name, value in values.items():
        try:
            _attribute_value(value)
        except NumberError as exc:
            raise NumberError(f"ExpressionAttributeValues contains invalid value: {exc} "
                              f"for key {name}") from exc


def _structure(members: dict[str, Walk]) -> Walk:
    def walk(value: Any) -> None:
        if type(value) is dict:
            for name, member_walk in members.items():
                member = value.get(name)
                if member is not None:
                    member_walk(member)

    return walk


def _list(member_walk: Walk) -> Walk:
    def walk(value: Any) -> None:
        if type(value) is list:
            for member in value:
                member_walk(member)

    return walk


def _map(value_walk: Walk) -> Walk:
    def walk(value: Any) -> None:
        if type(value) is dict:
            for member in value.values():
                value_walk(member)

    return walk
