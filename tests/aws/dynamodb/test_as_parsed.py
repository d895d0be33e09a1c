"""A request body that moto's parser would leave as it is goes to moto's action unparsed
(as_parsed.py); anything the parser would change (binary values, unknown or null members,
a nested structure in another order, a bool where a number goes) still goes through it.
Every case is checked against moto's parser itself, and a run of calls through boto3 is
answered, stored and streamed the same with the shortcut on and off."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from samlite.aws.dynamodb import route
from samlite.aws.dynamodb.service import LocalDynamoDb
from samlite.clock import ManualClock
from samlite.errors import Mark
from samlite.graph.model import Table
from samlite.http.server import Endpoint

ITEM = {"pk": {"S": "a"}, "sk": {"N": "1"}, "tags": {"SS": ["b", "a"]}, "yes": {"BOOL": True},
        "nothing": {"NULL": True}, "nested": {"M": {"l": {"L": [{"S": "y"}, {"M": {}}]}}}}
KEY = {"pk": {"S": "a"}, "sk": {"N": "1"}}
BINARY = base64.b64encode(b"\x00\xff").decode()

CASES: list[tuple[str, str, dict[str, Any], bool]] = [
    ("PutItem of every attribute type but binary", "PutItem",
     {"TableName": "t", "Item": ITEM}, True),
    ("members in any order at the top", "PutItem",
     {"ReturnValues": "ALL_OLD", "Item": ITEM, "TableName": "t"}, True),
    ("a binary attribute", "PutItem",
     {"TableName": "t", "Item": {**KEY, "b": {"B": BINARY}}}, False),
    ("a binary set in a map", "PutItem",
     {"TableName": "t", "Item": {**KEY, "m": {"M": {"bs": {"BS": [BINARY]}}}}}, False),
    ("a null attribute value", "PutItem",
     {"TableName": "t", "Item": {**KEY, "n": {"NULL": None}}}, False),
    ("an unknown member", "PutItem", {"TableName": "t", "Item": ITEM, "Extra": 1}, False),
    ("a null member", "PutItem", {"TableName": "t", "Item": ITEM, "ReturnValues": None},
     False),
    ("an attribute value of two types", "PutItem",
     {"TableName": "t", "Item": {**KEY, "x": {"S": "a", "N": "1"}}}, True),
    ("GetItem projected", "GetItem",
     {"TableName": "t", "Key": KEY, "ProjectionExpression": "#n",
      "ExpressionAttributeNames": {"#n": "n"}, "ConsistentRead": True}, True),
    ("Query with a Limit", "Query",
     {"TableName": "t", "KeyConditionExpression": "pk = :p", "Limit": 2,
      "ExpressionAttributeValues": {":p": {"S": "a"}}, "ExclusiveStartKey": KEY}, True),
    ("a bool where the Limit goes", "Scan", {"TableName": "t", "Limit": True}, False),
    ("a text Limit", "Scan", {"TableName": "t", "Limit": "2"}, False),
    ("UpdateItem", "UpdateItem",
     {"TableName": "t", "Key": KEY, "UpdateExpression": "SET c = :c",
      "ExpressionAttributeValues": {":c": {"L": [{"N": "1"}, {"BOOL": False}]}},
      "ReturnValues": "ALL_NEW"}, True),
    ("BatchWriteItem", "BatchWriteItem",
     {"RequestItems": {"t": [{"PutRequest": {"Item": ITEM}},
                             {"DeleteRequest": {"Key": KEY}}]}}, True),
    ("TransactWriteItems in the model's order", "TransactWriteItems",
     {"TransactItems": [{"Put": {"Item": ITEM, "TableName": "t"}}]}, True),
    ("a nested structure in another order", "CreateTable",
     {"TableName": "x", "BillingMode": "PAY_PER_REQUEST",
      "KeySchema": [{"KeyType": "HASH", "AttributeName": "id"}],
      "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}, False),
    ("a nested structure in the model's order", "CreateTable",
     {"TableName": "x", "BillingMode": "PAY_PER_REQUEST",
      "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
      "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}, True),
    ("a list where a map goes", "PutItem", {"TableName": "t", "Item": [ITEM]}, False),
    ("a call without input members", "DescribeLimits", {}, True),
    ("a member of a call without input members", "DescribeLimits", {"x": 1}, False),
]


@pytest.mark.parametrize(("name", "action", "params", "expected"), CASES,
                         ids=[c[0] for c in CASES])
def test_the_shortcut_is_taken_only_where_motos_parser_changes_nothing(
        name: str, action: str, params: dict[str, Any], expected: bool) -> None:
    taken = route.is_as_moto_parses(action, params)
    assert taken is expected
    if taken:
        parsed = route._parser(action).parse({
            "method": "POST", "values": {}, "headers": {}, "url_path": "/", "url_params": {},
            "body": json.dumps(params).encode()})
        # Equal, nested key order included (it reaches stored items and answers); the
        # top-level members are read by name.
        assert parsed.keys() == params.keys()
        assert json.dumps({k: parsed[k] for k in params}) == json.dumps(params)


def calls(c: Any) -> Iterator[Any]:
    """Writes and reads of every attribute type, binary included, each answer in turn."""
    yield c.put_item(TableName="t", Item=ITEM, ReturnValues="ALL_OLD")
    yield c.put_item(TableName="t", Item={**ITEM, "n": {"N": "2.50"}}, ReturnValues="ALL_OLD")
    yield c.put_item(TableName="t", Item={"pk": {"S": "b"}, "sk": {"N": "2"},
                                          "bin": {"B": b"\x00\xff"}, "bs": {"BS": [b"\x01"]}})
    yield c.update_item(TableName="t", Key=KEY, UpdateExpression="SET c = :c ADD tags :t",
                        ExpressionAttributeValues={":c": {"N": "1"}, ":t": {"SS": ["z"]}},
                        ReturnValues="ALL_NEW")
    yield c.put_item(TableName="t", Item=ITEM, ConditionExpression="attribute_exists(pk)")
    yield c.batch_write_item(RequestItems={"t": [
        {"PutRequest": {"Item": {"pk": {"S": "c"}, "sk": {"N": "3"}}}},
        {"DeleteRequest": {"Key": {"pk": {"S": "b"}, "sk": {"N": "2"}}}}]})
    yield c.query(TableName="t", KeyConditionExpression="pk = :p",
                  ExpressionAttributeValues={":p": {"S": "a"}})
    yield c.scan(TableName="t", Limit=2)
    yield c.delete_item(TableName="t", Key=KEY, ReturnValues="ALL_OLD")
    with pytest.raises(c.exceptions.ConditionalCheckFailedException) as failed:
        c.put_item(TableName="t", Item=ITEM, ConditionExpression="attribute_exists(pk)")
    yield failed.value.response["Error"]


def run_calls(taken: bool, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    if not taken:
        monkeypatch.setattr(route, "is_as_moto_parses", lambda action, params: False)
    dynamodb = LocalDynamoDb(db_path=None, account_id="123456789012", region="us-east-1",
                             clock=ManualClock())
    dynamodb.ensure_table(Table(
        logical_id="T", resource_type="AWS::DynamoDB::Table", table_name="t",
        key_schema=(("pk", "HASH"), ("sk", "RANGE")),
        attribute_definitions=(("pk", "S"), ("sk", "N")), billing_mode="PAY_PER_REQUEST",
        stream_view_type="NEW_AND_OLD_IMAGES",
        at=Mark(file="template.yaml", line=3, column=3)))
    endpoint = Endpoint([dynamodb.route()])
    endpoint.start()
    try:
        c = boto3.client("dynamodb", endpoint_url=endpoint.url, region_name="us-east-1",
                         aws_access_key_id="AKIAFAKEFAKEFAKEFAKE",
                         aws_secret_access_key="fake")  # noqa: S106
        answers = [a for a in calls(c)]
        for answer in answers:
            answer.pop("ResponseMetadata", None)
        records = [r.record for r in dynamodb.read("t", after=-1, limit=100)]
        for record in records:
            record.pop("eventID")
        return {"answers": answers, "records": records,
                "stored": sorted(json.dumps(i) for i in dynamodb._persistence.items("t"))}
    finally:
        endpoint.stop()
        dynamodb.close()
        monkeypatch.undo()


def test_calls_are_answered_stored_and_streamed_the_same_with_the_shortcut_and_without(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_calls(True, monkeypatch) == run_calls(False, monkeypatch)
