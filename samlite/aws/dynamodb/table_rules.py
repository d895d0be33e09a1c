"""The rules the local DynamoDB's CreateTable holds a new table to, pure and without moto, so
`samlite up` can refuse a template's table before its ready line and create it (with moto)
after. The same refusals, in the same order, with the same codes and messages as a
CreateTable call on the endpoint (tests/aws/dynamodb/test_table_rules.py holds the two
equal, case by case).

The order: the request's shape first, as DynamoDB's request validation does (a member that
must be there: "Value null at ... Member must not be null"; a value of the wrong JSON type:
a SerializationException), then the rules of moto's CreateTable (moto/dynamodb/responses.py,
`_validate_table_creation`, the same in every moto of pyproject's range), whose messages
follow DynamoDB's ValidationExceptions. Rules DynamoDB has and moto does not (an attribute
type other than S, N or B; one name as both keys) are not added here: up would refuse a
table the local DynamoDB makes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from samlite.aws.dynamodb.errors import DynamoError, validation

# The default warm throughput of an on-demand table or index (DescribeTable's
# WarmThroughput, as moto gives it): a lower WarmThroughput is refused.
ON_DEMAND_WARM_READS = 12000
ON_DEMAND_WARM_WRITES = 4000
_KEY_TYPES = ("HASH", "RANGE")
_INVALID = "One or more parameter values were invalid: "
# Where a member sits, in DynamoDB's validation messages (lowerCamel, 1-based members).
_MEMBERS = {"KeySchema": "keySchema", "AttributeDefinitions": "attributeDefinitions",
            "GlobalSecondaryIndexes": "globalSecondaryIndexes",
            "LocalSecondaryIndexes": "localSecondaryIndexes"}


def refusal(params: Mapping[str, Any]) -> DynamoError | None:
    """What CreateTable answers `params` (its JSON request) with, or None: it makes the table.
    Not asked: whether a table of that name exists already."""
    return shape_refusal(params) or next(_rule_problems(params), None)


def shape_refusal(params: Mapping[str, Any]) -> DynamoError | None:
    """A member missing or of the wrong type: the endpoint's CreateTable answers this before
    moto sees the request (moto would fail inside on it)."""
    return next(_shape_problems(params), None)


# --- the request's shape -----------------------------------------------------------------------

def _shape_problems(params: Mapping[str, Any]) -> Iterator[DynamoError]:
    for member in ("TableName", "KeySchema", "AttributeDefinitions"):
        if params.get(member) is None:
            yield _null(member[0].lower() + member[1:])
    if not isinstance(params.get("TableName"), str):
        yield _not_a_string("TableName", params.get("TableName"))
    yield from _elements(params, "KeySchema", "keySchema", ("AttributeName", "KeyType"))
    yield from _elements(params, "AttributeDefinitions", "attributeDefinitions",
                         ("AttributeName", "AttributeType"))
    yield from _throughput(params, "provisionedThroughput")
    for member in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        indexes = params.get(member)
        if indexes is None:
            continue
        if not isinstance(indexes, list):
            yield _wrong_type(member, "a list")
            continue
        for position, index in enumerate(indexes, start=1):
            at = f"{_MEMBERS[member]}.{position}.member"
            if not isinstance(index, Mapping):
                yield _wrong_type(f"{member}[{position - 1}]", "an object") if index is not None \
                    else _null(at)
                continue
            for required in ("IndexName", "KeySchema", "Projection"):
                if index.get(required) is None:
                    yield _null(f"{at}.{required[0].lower()}{required[1:]}")
            if not isinstance(index.get("IndexName"), str):
                yield _not_a_string(f"{member}[{position - 1}].IndexName",
                                    index.get("IndexName"))
            yield from _elements(index, "KeySchema", f"{at}.keySchema",
                                 ("AttributeName", "KeyType"))
            if not isinstance(index.get("Projection"), Mapping):
                yield _wrong_type(f"{member}[{position - 1}].Projection", "an object")
            yield from _throughput(index, f"{at}.provisionedThroughput")
            yield from _numbers(index.get("WarmThroughput"),
                                ("ReadUnitsPerSecond", "WriteUnitsPerSecond"),
                                f"{member}[{position - 1}].WarmThroughput")


def _elements(owner: Mapping[str, Any], member: str, at: str,
              required: tuple[str, str]) -> Iterator[DynamoError]:
    """A list of key elements or attribute definitions: objects with two strings each."""
    elements = owner.get(member)
    if elements is None:
        return
    if not isinstance(elements, list):
        yield _wrong_type(member, "a list")
        return
    for position, element in enumerate(elements, start=1):
        if not isinstance(element, Mapping):
            yield _wrong_type(f"{member}[{position - 1}]", "an object") if element is not None \
                else _null(f"{at}.{position}.member")
            continue
        for name in required:
            value = element.get(name)
            if value is None:
                yield _null(f"{at}.{position}.member.{name[0].lower()}{name[1:]}")
            elif not isinstance(value, str):
                yield _not_a_string(f"{member}[{position - 1}].{name}", value)


def _throughput(owner: Mapping[str, Any], at: str) -> Iterator[DynamoError]:
    given = owner.get("ProvisionedThroughput")
    if given is None:
        return
    if not isinstance(given, Mapping):
        yield _wrong_type("ProvisionedThroughput", "an object")
        return
    for name in ("ReadCapacityUnits", "WriteCapacityUnits"):
        if given.get(name) is None:
            yield _null(f"{at}.{name[0].lower()}{name[1:]}")
    yield from _numbers(given, ("ReadCapacityUnits", "WriteCapacityUnits"),
                        "ProvisionedThroughput")


def _numbers(owner: Any, names: tuple[str, ...], where: str) -> Iterator[DynamoError]:
    """Members of Long type: a number, or text of a whole number (read as one)."""
    if owner is None:
        return
    if not isinstance(owner, Mapping):
        yield _wrong_type(where, "an object")
        return
    for name in names:
        value = owner.get(name)
        if value is not None and _as_long(value) is None:
            yield _wrong_type(f"{where}.{name}", "a number")


def _as_long(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _null(at: str) -> DynamoError:
    return validation(f"1 validation error detected: Value null at '{at}' failed to satisfy "
                      "constraint: Member must not be null")


def _not_a_string(where: str, value: Any) -> DynamoError:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return DynamoError(code="SerializationException",
                           message="NUMBER_VALUE cannot be converted to String")
    return _wrong_type(where, "a string")


def _wrong_type(where: str, expected: str) -> DynamoError:
    # DynamoDB says only where its parser stopped; samlite names the member and the type.
    return DynamoError(code="SerializationException",
                       message=f"{where} must be {expected}")


# --- CreateTable's rules -----------------------------------------------------------------------

def _rule_problems(params: Mapping[str, Any]) -> Iterator[DynamoError]:
    """moto's CreateTable checks, in its order, on a request of the right shape."""
    is_on_demand = params.get("BillingMode") == "PAY_PER_REQUEST"
    throughput = params.get("ProvisionedThroughput")
    if is_on_demand and throughput:
        yield validation("ProvisionedThroughput cannot be specified when BillingMode is "
                         "PAY_PER_REQUEST")
    if not is_on_demand and throughput is None:
        yield validation(_INVALID + "ReadCapacityUnits and WriteCapacityUnits must both be "
                         "specified when BillingMode is PROVISIONED")
    keys = list(params["KeySchema"])
    yield from _key_types(keys, "keySchema")
    if len(keys) > 2:
        shown = ", ".join(f"KeySchemaElement(attributeName={k['AttributeName']}, "
                          f"keyType={k['KeyType']})" for k in keys)
        yield validation(f"1 validation error detected: Value '[{shown}]' at 'keySchema' "
                         "failed to satisfy constraint: Member must have length less than or "
                         "equal to 2")
    global_indexes = params.get("GlobalSecondaryIndexes")
    local_indexes = params.get("LocalSecondaryIndexes")
    if global_indexes == []:
        yield validation(_INVALID + "List of GlobalSecondaryIndexes is empty")
    for position, index in enumerate(global_indexes or (), start=1):
        yield from _warm_throughput(index.get("WarmThroughput"),
                                    index.get("ProvisionedThroughput"),
                                    f"index {index['IndexName']}")
        yield from _key_types(index["KeySchema"],
                              f"globalSecondaryIndexes.{position}.member.keySchema")
    if local_indexes == []:
        yield validation(_INVALID + "List of LocalSecondaryIndexes is empty")
    for position, index in enumerate(local_indexes or (), start=1):
        yield from _key_types(index["KeySchema"],
                              f"localSecondaryIndexes.{position}.member.keySchema")
    problem = _definitions_problem(
        keys, list(params["AttributeDefinitions"]), [*(global_indexes or ()),
                                                      *(local_indexes or ())],
        has_index=global_indexes is not None or local_indexes is not None)
    if problem is not None:
        yield problem


def _key_types(keys: list[Mapping[str, Any]], at: str) -> Iterator[DynamoError]:
    for position, key in enumerate(keys, start=1):
        if key["KeyType"] not in _KEY_TYPES:
            yield validation(f"1 validation error detected: Value '{key['KeyType']}' at "
                             f"'{at}.{position}.member.keyType' failed to satisfy constraint: "
                             "Member must satisfy enum value set: [HASH, RANGE]")


def _warm_throughput(warm: Mapping[str, Any] | None, throughput: Mapping[str, Any] | None,
                     subject: str) -> Iterator[DynamoError]:
    """WarmThroughput may not be below the provisioned (or on-demand) throughput."""
    if not warm:
        return
    end = "ReadCapacityUnits of ProvisionedThroughput" if throughput \
        else "initial throughput for OnDemand"
    least = int(throughput["ReadCapacityUnits"]) if throughput else ON_DEMAND_WARM_READS
    reads = warm.get("ReadUnitsPerSecond")
    if reads is not None and int(reads) < least:
        yield validation(f"{_INVALID}Requested ReadUnitsPerSecond for WarmThroughput for "
                         f"{subject} is lower than {end}")
    end = end.replace("ReadCapacityUnits", "WriteCapacityUnits")
    least = int(throughput["WriteCapacityUnits"]) if throughput else ON_DEMAND_WARM_WRITES
    writes = warm.get("WriteUnitsPerSecond")
    if writes is not None and int(writes) < least:
        yield validation(f"{_INVALID}Requested WriteUnitsPerSecond for WarmThroughput for "
                         f"{subject} is lower than {end}")


def _definitions_problem(keys: list[Mapping[str, Any]], definitions: list[Mapping[str, Any]],
                         indexes: list[Mapping[str, Any]], *,
                         has_index: bool) -> DynamoError | None:
    """AttributeDefinitions must define exactly the key attributes of the table and its
    indexes."""
    used = sorted({k["AttributeName"] for k in keys}
                  | {k["AttributeName"] for index in indexes for k in index["KeySchema"]})
    defined = sorted(d["AttributeName"] for d in definitions)
    if defined == used:
        return None

    def shown(names: list[str]) -> str:
        return str(names).replace("'", "")

    # The missing keys in set order, as moto lists them (one process: the same order).
    missing = shown(list(set(used) - set(defined)))
    if len(defined) > len(used):
        return validation(_INVALID + (
            f"Some AttributeDefinitions are not used. AttributeDefinitions: {shown(defined)}, "
            f"keys used: {shown(used)}" if has_index
            else "Number of attributes in KeySchema does not exactly match number of "
                 "attributes defined in AttributeDefinitions"))
    if len(defined) < len(used) and not has_index:
        return validation("Invalid KeySchema: Some index key attribute have no definition")
    return validation(_INVALID + "Some index key attributes are not defined in "
                      f"AttributeDefinitions. Keys: {missing if has_index else shown(used)}, "
                      f"AttributeDefinitions: {shown(defined)}")
