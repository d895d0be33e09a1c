"""Answers of plain JSON (items of every attribute type but binary) are written by samlite
without moto's serializer; a client must read exactly what the serializer would have
written. Each call here runs twice on the same data, once each way, through boto3."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from samlite.aws.dynamodb import route
from samlite.aws.dynamodb.service import LocalDynamoDb
from samlite.clock import ManualClock
from samlite.errors import Mark
from samlite.graph.model import Table
from samlite.http.server import Endpoint

ITEM = {"pk": {"S": "a"}, "sk": {"N": "1"}, "name": {"S": "x"}, "n": {"N": "2.50"},
        "tags": {"SS": ["b", "a"]}, "sizes": {"NS": ["1", "2"]}, "yes": {"BOOL": True},
        "nothing": {"NULL": True},
        "nested": {"M": {"l": {"L": [{"S": "y"}, {"N": "3"}, {"M": {}}, {"L": []}]}}}}

CALLS: dict[str, Callable[[Any], Any]] = {
    "GetItem": lambda c: c.get_item(TableName="t", Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
                                    ReturnConsumedCapacity="TOTAL"),
    "GetItem projected": lambda c: c.get_item(
        TableName="t", Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
        ProjectionExpression="nested.l[0], #n", ExpressionAttributeNames={"#n": "n"}),
    "GetItem missing": lambda c: c.get_item(TableName="t",
                                            Key={"pk": {"S": "no"}, "sk": {"N": "1"}}),
    "Query": lambda c: c.query(TableName="t", KeyConditionExpression="pk = :p",
                               ExpressionAttributeValues={":p": {"S": "a"}},
                               ReturnConsumedCapacity="INDEXES"),
    "Scan page": lambda c: c.scan(TableName="t", Limit=1),
    "BatchGetItem": lambda c: c.batch_get_item(RequestItems={"t": {"Keys": [
        {"pk": {"S": "a"}, "sk": {"N": "1"}}, {"pk": {"S": "b"}, "sk": {"N": "2"}}]}}),
    "TransactGetItems": lambda c: c.transact_get_items(TransactItems=[
        {"Get": {"TableName": "t", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}}]),
    "UpdateItem ALL_NEW": lambda c: c.update_item(
        TableName="t", Key={"pk": {"S": "b"}, "sk": {"N": "2"}},
        UpdateExpression="SET c = :one, d = :list",
        ExpressionAttributeValues={":one": {"N": "1"}, ":list": {"L": [{"BOOL": False}]}},
        ReturnValues="ALL_NEW"),
    "PutItem ALL_OLD": lambda c: c.put_item(TableName="t", Item=ITEM, ReturnValues="ALL_OLD"),
    "DescribeTable": lambda c: c.describe_table(TableName="t"),
}


@pytest.fixture
def client() -> Iterator[Any]:
    dynamodb = LocalDynamoDb(db_path=None, account_id="123456789012", region="us-east-1",
                             clock=ManualClock())
    dynamodb.ensure_table(Table(
        logical_id="T", resource_type="AWS::DynamoDB::Table", table_name="t",
        key_schema=(("pk", "HASH"), ("sk", "RANGE")),
        attribute_definitions=(("pk", "S"), ("sk", "N")), billing_mode="PAY_PER_REQUEST",
        at=Mark(file="template.yaml", line=3, column=3)))
    endpoint = Endpoint([dynamodb.route()])
    endpoint.start()
    try:
        c = boto3.client("dynamodb", endpoint_url=endpoint.url, region_name="us-east-1",
                         aws_access_key_id="AKIAFAKEFAKEFAKEFAKE",
                         aws_secret_access_key="fake")  # noqa: S106
        c.put_item(TableName="t", Item=ITEM)
        c.put_item(TableName="t", Item={"pk": {"S": "b"}, "sk": {"N": "2"}})
        yield c
    finally:
        endpoint.stop()
        dynamodb.close()


@pytest.mark.parametrize("name", list(CALLS))
def test_an_answer_written_directly_reads_as_motos_serializer_writes_it(
        client: Any, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[bool] = []
    checked = route._is_plain_answer

    def noting(result: object, members: frozenset[str]) -> bool:
        taken.append(checked(result, members))
        return taken[-1]

    monkeypatch.setattr(route, "_is_plain_answer", noting)
    direct = CALLS[name](client)
    monkeypatch.setattr(route, "_is_plain_answer", lambda result, members: False)
    serialized = CALLS[name](client)
    for answer in (direct, serialized):
        answer.pop("ResponseMetadata")
    assert direct == serialized
    # The table's description holds datetimes: that one goes through the serializer.
    assert taken == [name != "DescribeTable"]


def test_an_item_with_binary_attributes_goes_through_motos_serializer(client: Any) -> None:
    client.put_item(TableName="t", Item={"pk": {"S": "bin"}, "sk": {"N": "1"},
                                         "b": {"B": b"\x00\xff"}, "bs": {"BS": [b"\x01"]}})
    item = client.get_item(TableName="t", Key={"pk": {"S": "bin"}, "sk": {"N": "1"}})["Item"]
    assert item["b"] == {"B": b"\x00\xff"} and item["bs"] == {"BS": [b"\x01"]}
