"""The pure CreateTable rules (`samlite up` refuses a table with them before it is ready) and the
local DynamoDB's CreateTable agree, case by case: each bad table is refused by both with the
same code and message, each good one made by both."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from samlite.aws.dynamodb.errors import DynamoError
from samlite.aws.dynamodb.service import LocalDynamoDb
from samlite.aws.dynamodb.table_rules import refusal
from samlite.clock import ManualClock

PK = {"AttributeName": "pk", "KeyType": "HASH"}
SK = {"AttributeName": "sk", "KeyType": "RANGE"}
PK_S = {"AttributeName": "pk", "AttributeType": "S"}
SK_N = {"AttributeName": "sk", "AttributeType": "N"}
GK_S = {"AttributeName": "gk", "AttributeType": "S"}
ON_DEMAND = {"BillingMode": "PAY_PER_REQUEST"}
PROVISIONED = {"BillingMode": "PROVISIONED",
               "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}


def index(name: str = "byGk", *keys: dict[str, str], **more: Any) -> dict[str, Any]:
    return {"IndexName": name,
            "KeySchema": list(keys) or [{"AttributeName": "gk", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}, **more}


def table(*keys: dict[str, Any], definitions: tuple[dict[str, Any], ...] = (PK_S,),
          **more: Any) -> dict[str, Any]:
    return {"KeySchema": list(keys) or [PK], "AttributeDefinitions": list(definitions),
            **ON_DEMAND, **more}


GOOD = [
    ("a hash key", table()),
    ("hash and range", table(PK, SK, definitions=(PK_S, SK_N))),
    ("provisioned", table(**PROVISIONED)),
    ("a global index", table(definitions=(PK_S, GK_S), GlobalSecondaryIndexes=[index()])),
    ("a local index", table(PK, SK, definitions=(PK_S, SK_N, GK_S), LocalSecondaryIndexes=[
        index("byGk", PK, {"AttributeName": "gk", "KeyType": "RANGE"})])),
    ("a stream", table(StreamSpecification={"StreamEnabled": True,
                                            "StreamViewType": "NEW_AND_OLD_IMAGES"})),
    ("encrypted", table(SSESpecification={"Enabled": True})),
    ("an index's warm throughput above on-demand's",
     table(definitions=(PK_S, GK_S), GlobalSecondaryIndexes=[
         index(WarmThroughput={"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000})])),
    ("throughput as text", table(**{**PROVISIONED, "ProvisionedThroughput": {
        "ReadCapacityUnits": "5", "WriteCapacityUnits": "5"}})),
]

# Refused by moto's CreateTable: the rules must give its very code and message.
BAD = [
    ("a key type DynamoDB lacks", table({"AttributeName": "pk", "KeyType": "hash"})),
    ("three keys", table(PK, SK, {"AttributeName": "x", "KeyType": "RANGE"},
                         definitions=(PK_S, SK_N, {"AttributeName": "x", "AttributeType": "S"}))),
    ("a key without its definition", table(definitions=({"AttributeName": "other",
                                                        "AttributeType": "S"},))),
    ("a definition no key uses", table(definitions=(PK_S, GK_S))),
    ("fewer definitions than keys", table(PK, SK)),
    ("an index key without its definition",
     table(GlobalSecondaryIndexes=[index()])),
    ("two index keys without definitions",
     table(GlobalSecondaryIndexes=[index("i", {"AttributeName": "a", "KeyType": "HASH"},
                                         {"AttributeName": "b", "KeyType": "RANGE"})])),
    ("a definition no key uses, with an index",
     table(definitions=(PK_S, GK_S, SK_N), GlobalSecondaryIndexes=[index()])),
    ("an index key type DynamoDB lacks",
     table(definitions=(PK_S, GK_S), GlobalSecondaryIndexes=[
         index("i", {"AttributeName": "gk", "KeyType": "SORT"})])),
    ("a local index key type DynamoDB lacks",
     table(PK, SK, definitions=(PK_S, SK_N, GK_S), LocalSecondaryIndexes=[
         index("i", PK, {"AttributeName": "gk", "KeyType": "sort"})])),
    ("no global index in the list", table(GlobalSecondaryIndexes=[])),
    ("no local index in the list", table(LocalSecondaryIndexes=[])),
    ("a billing mode DynamoDB lacks (so provisioned, without throughput)",
     table(BillingMode="ON_DEMAND")),
    ("throughput on an on-demand table",
     table(ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})),
    ("an index's warm reads below on-demand's",
     table(definitions=(PK_S, GK_S), GlobalSecondaryIndexes=[
         index(WarmThroughput={"ReadUnitsPerSecond": 100})])),
    ("an index's warm writes below its throughput",
     table(definitions=(PK_S, GK_S), **{**PROVISIONED, "GlobalSecondaryIndexes": [
         index(ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 50},
               WarmThroughput={"WriteUnitsPerSecond": "10"})]})),
]

# Requests moto would fail inside on (a KeyError...): the endpoint answers them with the rules'
# shape check before moto sees them, as DynamoDB's request validation does.
MALFORMED = [
    ("an index without KeySchema", table(GlobalSecondaryIndexes=[
        {"IndexName": "i", "Projection": {"ProjectionType": "ALL"}}]),
     "ValidationException", "1 validation error detected: Value null at "
     "'globalSecondaryIndexes.1.member.keySchema' failed to satisfy constraint: Member must "
     "not be null"),
    ("an index without Projection", table(GlobalSecondaryIndexes=[
        {"IndexName": "i", "KeySchema": [PK]}]),
     "ValidationException", "1 validation error detected: Value null at "
     "'globalSecondaryIndexes.1.member.projection' failed to satisfy constraint: Member must "
     "not be null"),
    ("an index key without KeyType", table(LocalSecondaryIndexes=[
        index("i", {"AttributeName": "pk"})]),
     "ValidationException", "1 validation error detected: Value null at "
     "'localSecondaryIndexes.1.member.keySchema.1.member.keyType' failed to satisfy "
     "constraint: Member must not be null"),
    ("a definition without AttributeType", table(definitions=({"AttributeName": "pk"},)),
     "ValidationException", "1 validation error detected: Value null at "
     "'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member "
     "must not be null"),
    ("an index's throughput without writes", table(GlobalSecondaryIndexes=[
        index(ProvisionedThroughput={"ReadCapacityUnits": 5})]),
     "ValidationException", "1 validation error detected: Value null at "
     "'globalSecondaryIndexes.1.member.provisionedThroughput.writeCapacityUnits' failed to "
     "satisfy constraint: Member must not be null"),
    ("an index's KeySchema as an object", table(GlobalSecondaryIndexes=[
        index(KeySchema={"AttributeName": "gk", "KeyType": "HASH"})]),
     "SerializationException", "KeySchema must be a list"),
    ("an index as text", table(GlobalSecondaryIndexes=["byGk"]),
     "SerializationException", "GlobalSecondaryIndexes[0] must be an object"),
    ("a projection as text", table(GlobalSecondaryIndexes=[index(Projection="ALL")]),
     "SerializationException", "GlobalSecondaryIndexes[0].Projection must be an object"),
    ("an index's throughput that is not a number", table(GlobalSecondaryIndexes=[
        index(ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": "x"})]),
     "SerializationException", "ProvisionedThroughput.WriteCapacityUnits must be a number"),
    ("an index key's name as a number", table(GlobalSecondaryIndexes=[
        index("i", {"AttributeName": 7, "KeyType": "HASH"})]),
     "SerializationException", "NUMBER_VALUE cannot be converted to String"),
]


@pytest.fixture(scope="module")
def dynamodb() -> Iterator[LocalDynamoDb]:
    service = LocalDynamoDb(db_path=None, account_id="123456789012", region="us-east-1",
                            clock=ManualClock())
    yield service
    service.close()


def created(service: LocalDynamoDb, name: str, params: dict[str, Any]) -> DynamoError | None:
    try:
        service.call("CreateTable", {"TableName": name, **params})
    except DynamoError as exc:
        return exc
    service.call("DeleteTable", {"TableName": name})
    return None


@pytest.mark.parametrize(("case", "params"), GOOD, ids=[c for c, _ in GOOD])
def test_a_good_table_passes_the_rules_and_is_created(dynamodb: LocalDynamoDb, case: str,
                                                      params: dict[str, Any]) -> None:
    assert refusal({"TableName": "good", **params}) is None
    assert created(dynamodb, "good", params) is None


@pytest.mark.parametrize(("case", "params"), BAD, ids=[c for c, _ in BAD])
def test_a_bad_table_is_refused_by_the_rules_as_by_create_table(
        dynamodb: LocalDynamoDb, case: str, params: dict[str, Any]) -> None:
    expected = created(dynamodb, "bad", params)
    assert expected is not None, f"{case}: the local DynamoDB made it"
    found = refusal({"TableName": "bad", **params})
    assert found is not None, f"{case}: the rules let it through"
    assert (found.code, found.message) == (expected.code, expected.message)


@pytest.mark.parametrize(("case", "params", "code", "message"), MALFORMED,
                         ids=[c[0] for c in MALFORMED])
def test_a_malformed_table_is_refused_in_dynamodbs_words_by_both(
        dynamodb: LocalDynamoDb, case: str, params: dict[str, Any], code: str,
        message: str) -> None:
    found = refusal({"TableName": "bad", **params})
    answered = created(dynamodb, "bad", params)
    assert found is not None and answered is not None
    assert (found.code, found.message) == (answered.code, answered.message) == (code, message)
