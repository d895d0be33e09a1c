"""DynamoDB's numbers as DynamoDB keeps them: trimmed on every way in (boto3 on the
endpoint), refused with DynamoDB's messages, one key for 1 and 1.0, and ConsumedCapacity
only when asked."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from samlite.aws.dynamodb.numbers import NumberError, canonical, canonical_value
from tests.aws.dynamodb.test_api import Local

KEY = {"pk": {"S": "o-1"}, "sk": {"N": "1"}}


@pytest.mark.parametrize(("sent", "kept"), [pytest.param(sent, kept, id=case)
                                           for case, sent, kept in [
    ("trailing zero", "12.0", "12"),
    ("fraction", "0.50", "0.5"),
    ("leading zeroes", "007", "7"),
    ("negative zero", "-0", "0"),
    ("exponent", "1E+2", "100"),
    ("lower-case exponent", "1e2", "100"),
    ("negative fraction", "-12.340", "-12.34"),
    ("small", "1.5e-3", "0.0015"),
    ("plain", "42", "42"),
]])
def test_numbers_are_trimmed_as_dynamodb_keeps_them(sent: str, kept: str) -> None:
    assert canonical(sent) == kept


@pytest.mark.parametrize(("sent", "message"), [pytest.param(sent, message, id=case)
                                              for case, sent, message in [
    ("not a number", "abc", "The parameter cannot be converted to a numeric value: abc"),
    ("39 significant digits", "1" * 39,
     "Attempting to store more than 38 significant digits in a Number"),
    ("too large", "1e126", "Number overflow. Attempting to store a number with magnitude "
                           "larger than supported range"),
    ("too small", "1e-131", "Number underflow. Attempting to store a number with magnitude "
                            "smaller than supported range"),
    ("duplicates once trimmed", None, "Input collection contains duplicates"),
]])
def test_numbers_dynamodb_refuses(sent: str | None, message: str) -> None:
    value = {"N": sent} if sent is not None else {"NS": ["1", "1.0"]}
    with pytest.raises(NumberError) as caught:
        canonical_value(value)
    assert str(caught.value) == message


def test_limits_themselves_are_kept() -> None:
    assert canonical("9.9999999999999999999999999999999999999E+125").startswith("9" * 38)
    assert canonical("1E-130") == "0." + "0" * 129 + "1"
    assert canonical("1" * 38 + "000") == "1" * 38 + "000"   # zeroes past 38 digits


def get(local: Local, **extra: Any) -> dict[str, Any]:
    return local.client.get_item(TableName="orders", Key=KEY, **extra)["Item"]


def test_put_item_number_comes_back_trimmed_from_get_and_the_stream(local: Local) -> None:
    local.client.put_item(TableName="orders", Item={**KEY, "total": {"N": "12.0"},
                                                    "sizes": {"NS": ["1.50", "2"]},
                                                    "doc": {"M": {"n": {"N": "0.50"}},
                                                            }})
    item = get(local)
    assert item["total"] == {"N": "12"}
    assert sorted(item["sizes"]["NS"]) == ["1.5", "2"]
    assert item["doc"] == {"M": {"n": {"N": "0.5"}}}
    arn = local.dynamodb.stream_arn("orders")
    shard = local.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = local.streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"],
        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    record = local.streams.get_records(ShardIterator=iterator)["Records"][0]
    assert record["dynamodb"]["NewImage"]["total"] == {"N": "12"}


def test_a_key_of_1_and_of_1_0_is_one_item(local: Local) -> None:
    c = local.client
    c.put_item(TableName="orders", Item={"pk": {"S": "o-1"}, "sk": {"N": "1.0"}})
    c.put_item(TableName="orders", Item={"pk": {"S": "o-1"}, "sk": {"N": "1"},
                                         "v": {"S": "second"}})
    assert c.scan(TableName="orders")["Count"] == 1
    assert get(local)["v"] == {"S": "second"}
    found = c.query(TableName="orders", KeyConditionExpression="pk = :p AND sk = :s",
                    ExpressionAttributeValues={":p": {"S": "o-1"}, ":s": {"N": "1.00"}})
    assert found["Count"] == 1


def test_update_arithmetic_and_condition_values_are_trimmed(local: Local) -> None:
    c = local.client
    c.put_item(TableName="orders", Item={**KEY, "total": {"N": "1.5"}})
    answer = c.update_item(TableName="orders", Key=KEY, UpdateExpression="ADD #t :x",
                           ConditionExpression="#t = :was",
                           ExpressionAttributeNames={"#t": "total"},
                           ExpressionAttributeValues={":x": {"N": "1.50"},
                                                      ":was": {"N": "1.500"}},
                           ReturnValues="UPDATED_NEW")
    assert answer["Attributes"] == {"total": {"N": "3"}}
    assert get(local)["total"] == {"N": "3"}


def test_batch_and_transaction_writes_are_trimmed(local: Local) -> None:
    c = local.client
    c.batch_write_item(RequestItems={"orders": [{"PutRequest": {"Item": {
        "pk": {"S": "b"}, "sk": {"N": "2.0"}, "n": {"N": "0.10"}}}}]})
    c.transact_write_items(TransactItems=[{"Put": {"TableName": "orders", "Item": {
        "pk": {"S": "t"}, "sk": {"N": "3.0"}, "n": {"N": "1e1"}}}}])
    items = {i["pk"]["S"]: i for i in c.scan(TableName="orders")["Items"]}
    assert (items["b"]["sk"], items["b"]["n"]) == ({"N": "2"}, {"N": "0.1"})
    assert (items["t"]["sk"], items["t"]["n"]) == ({"N": "3"}, {"N": "10"})


def test_a_number_dynamodb_refuses_is_a_validation_exception(local: Local) -> None:
    with pytest.raises(ClientError) as caught:
        local.client.put_item(TableName="orders", Item={**KEY, "n": {"N": "1e126"}})
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"] == ("Number overflow. Attempting to store a number with "
                                "magnitude larger than supported range")
    with pytest.raises(ClientError) as caught:
        local.client.update_item(TableName="orders", Key=KEY, UpdateExpression="SET n = :n",
                                 ExpressionAttributeValues={":n": {"N": "1" * 39}})
    assert caught.value.response["Error"]["Message"] == (
        "ExpressionAttributeValues contains invalid value: Attempting to store more than 38 "
        "significant digits in a Number for key :n")


def test_consumed_capacity_is_answered_only_when_asked(local: Local) -> None:
    c = local.client
    c.put_item(TableName="orders", Item=KEY)
    update = {"TableName": "orders", "Key": KEY, "UpdateExpression": "SET v = :v",
              "ExpressionAttributeValues": {":v": {"S": "x"}}}
    assert "ConsumedCapacity" not in c.update_item(**update)
    assert "ConsumedCapacity" not in c.batch_write_item(RequestItems={"orders": [
        {"PutRequest": {"Item": {"pk": {"S": "b"}, "sk": {"N": "2"}}}}]})
    assert "ConsumedCapacity" not in c.batch_get_item(
        RequestItems={"orders": {"Keys": [KEY]}})
    assert "ConsumedCapacity" not in c.transact_write_items(TransactItems=[
        {"Put": {"TableName": "orders", "Item": {"pk": {"S": "t"}, "sk": {"N": "3"}}}}])
    asked = c.update_item(**update, ReturnConsumedCapacity="TOTAL")
    assert asked["ConsumedCapacity"]["TableName"] == "orders"
