"""IAM's condition operators ("IAM JSON policy elements: Condition operators" and "Creating a
condition with multiple keys or values", IAM user guide): several operators or keys in one
Condition all must hold; several values for one key, any of them. A key missing from the
request fails the test, except for negated operators (true then), `...IfExists` (true then)
and `Null`. `ForAnyValue:`/`ForAllValues:` compare multi-valued keys.

An operator outside this set cannot be judged here: `holds` reports it (evaluation.py
warns once) and counts it as not matching."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from functools import lru_cache

from samlite.iam.patterns import arn_matches, glob_matches
from samlite.iam.policy import Condition

Compare = Callable[[str, str], bool]


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _numeric(test: Callable[[float, float], bool]) -> Compare:
    def compare(wanted: str, got: str) -> bool:
        a, b = _number(got), _number(wanted)
        return a is not None and b is not None and test(a, b)
    return compare


@lru_cache(maxsize=1024)
def _network(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None


def _in_network(wanted: str, got: str) -> bool:
    network = _network(wanted)
    try:
        return network is not None and ipaddress.ip_address(got) in network
    except ValueError:
        return False


# The positive form of each operator; a "Not" operator is its negation.
_POSITIVE: Mapping[str, Compare] = {
    "StringEquals": lambda w, g: w == g,
    "StringEqualsIgnoreCase": lambda w, g: w.lower() == g.lower(),
    "StringLike": glob_matches,
    "ArnEquals": arn_matches,
    "ArnLike": arn_matches,
    "Bool": lambda w, g: w.lower() == g.lower(),
    "IpAddress": _in_network,
    "NumericEquals": _numeric(lambda a, b: a == b),
    "NumericLessThan": _numeric(lambda a, b: a < b),
    "NumericLessThanEquals": _numeric(lambda a, b: a <= b),
    "NumericGreaterThan": _numeric(lambda a, b: a > b),
    "NumericGreaterThanEquals": _numeric(lambda a, b: a >= b),
}
_NEGATED: Mapping[str, str] = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NotIpAddress": "IpAddress",
    "NumericNotEquals": "NumericEquals",
}


class UnknownOperator(Exception):
    """An operator samlite does not evaluate; its statement counts as not matching."""


def is_known(operator: str) -> bool:
    base = operator.split(":", 1)[-1].removesuffix("IfExists")
    return base in _POSITIVE or base in _NEGATED or base == "Null"


def holds(condition: Condition, context: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether one operator/key test holds for the request's context keys (lower-case
    names). Raises UnknownOperator for an operator this module does not know."""
    operator = condition.operator
    qualifier, _, operator = operator.rpartition(":")
    got = context.get(condition.key.lower())
    if operator == "Null":
        wanted_missing = any(v.lower() == "true" for v in condition.values)
        return (got is None) == wanted_missing
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    negated = operator in _NEGATED
    compare = _POSITIVE.get(_NEGATED.get(operator, operator))
    if compare is None or qualifier not in ("", "ForAnyValue", "ForAllValues"):
        raise UnknownOperator(condition.operator)
    if got is None:
        # A missing key fails the test, but not a negated one or an IfExists; ForAllValues
        # holds for an empty set ("Multivalued context keys", IAM user guide).
        return if_exists or negated or qualifier == "ForAllValues"

    def one(value: str) -> bool:
        found = any(compare(wanted, value) for wanted in condition.values)
        return not found if negated else found

    if qualifier == "ForAllValues":
        return all(one(value) for value in got)
    return any(one(value) for value in got)


def all_hold(conditions: tuple[Condition, ...], context: Mapping[str, tuple[str, ...]]
             ) -> bool:
    return all(holds(condition, context) for condition in conditions)
