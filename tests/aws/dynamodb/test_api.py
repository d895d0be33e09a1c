"""The local DynamoDB and DynamoDB Streams through real boto3 clients on the endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from samlite.aws.dynamodb.service import LocalDynamoDb
from samlite.clock import ManualClock
from samlite.errors import Mark
from samlite.graph.model import Table
from samlite.http.server import Endpoint

ACCOUNT = "123456789012"
REGION = "us-east-1"


@dataclass
class Local:
    dynamodb: LocalDynamoDb
    endpoint: Endpoint
    client: Any
    streams: Any
    clock: ManualClock


def client(kind: str, url: str) -> Any:
    return boto3.client(kind, endpoint_url=url, region_name=REGION,
                        aws_access_key_id="AKIAFAKEFAKEFAKEFAKE",
                        aws_secret_access_key="fake")  # noqa: S106


def orders_table(**changes: Any) -> Table:
    values: dict[str, Any] = dict(
        logical_id="Orders", resource_type="AWS::DynamoDB::Table", table_name="orders",
        key_schema=(("pk", "HASH"), ("sk", "RANGE")),
        attribute_definitions=(("pk", "S"), ("sk", "N"), ("status", "S")),
        billing_mode="PAY_PER_REQUEST",
        global_indexes='[{"IndexName": "by-status", "KeySchema": [{"AttributeName": '
                       '"status", "KeyType": "HASH"}], "Projection": {"ProjectionType": '
                       '"ALL"}}]',
        stream_view_type="NEW_AND_OLD_IMAGES", ttl_attribute="expires",
        at=Mark(file="template.yaml", line=3, column=3))
    values.update(changes)
    return Table(**values)


def start(db: Path | None, clock: ManualClock) -> Local:
    dynamodb = LocalDynamoDb(db_path=db, account_id=ACCOUNT, region=REGION, clock=clock)
    endpoint = Endpoint([dynamodb.route()])
    endpoint.start()
    return Local(dynamodb=dynamodb, endpoint=endpoint, client=client("dynamodb", endpoint.url),
                 streams=client("dynamodbstreams", endpoint.url), clock=clock)


def stop(local: Local) -> None:
    local.endpoint.stop()
    local.dynamodb.close()


def test_a_template_table_is_described_as_the_template_says(local: Local) -> None:
    c = local.client
    assert c.list_tables()["TableNames"] == ["orders"]
    table = c.describe_table(TableName="orders")["Table"]
    assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                  {"AttributeName": "sk", "KeyType": "RANGE"}]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["StreamSpecification"] == {"StreamEnabled": True,
                                            "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["LatestStreamArn"] == (f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders/"
                                        f"stream/{table['LatestStreamLabel']}")
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["by-status"]
    assert c.describe_time_to_live(TableName="orders")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}


def test_items_put_get_update_delete_with_conditions(local: Local) -> None:
    c = local.client
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    c.put_item(TableName="orders", Item={**key, "status": {"S": "new"}, "n": {"N": "1"}})
    assert c.get_item(TableName="orders", Key=key)["Item"]["status"] == {"S": "new"}
    with pytest.raises(ClientError) as failed:
        c.put_item(TableName="orders", Item=key, ConditionExpression="attribute_not_exists(pk)")
    assert failed.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    updated = c.update_item(TableName="orders", Key=key, UpdateExpression="SET n = n + :one",
                            ExpressionAttributeValues={":one": {"N": "1"}},
                            ReturnValues="UPDATED_NEW")
    assert updated["Attributes"] == {"n": {"N": "2"}}
    old = c.delete_item(TableName="orders", Key=key, ReturnValues="ALL_OLD")["Attributes"]
    assert old["n"] == {"N": "2"}
    assert "Item" not in c.get_item(TableName="orders", Key=key)


def test_query_scan_and_pagination(local: Local) -> None:
    table = boto3.resource("dynamodb", endpoint_url=local.endpoint.url, region_name=REGION,
                           aws_access_key_id="x", aws_secret_access_key="x").Table("orders")  # noqa: S106
    with table.batch_writer() as batch:
        for i in range(25):
            batch.put_item(Item={"pk": "p", "sk": i, "status": "odd" if i % 2 else "even"})
    page = table.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").gte(5), Limit=10)
    assert [int(i["sk"]) for i in page["Items"]] == list(range(5, 15))
    rest = table.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").gte(5),
                       ExclusiveStartKey=page["LastEvaluatedKey"])
    assert [int(i["sk"]) for i in rest["Items"]] == list(range(15, 25))
    odd = table.query(IndexName="by-status", KeyConditionExpression=Key("status").eq("odd"))
    assert len(odd["Items"]) == 12
    assert table.scan(Select="COUNT")["Count"] == 25


def test_batch_and_transactions(local: Local) -> None:
    c = local.client
    c.batch_write_item(RequestItems={"orders": [
        {"PutRequest": {"Item": {"pk": {"S": "b"}, "sk": {"N": str(i)}}}} for i in range(3)]})
    got = c.batch_get_item(RequestItems={"orders": {"Keys": [
        {"pk": {"S": "b"}, "sk": {"N": str(i)}} for i in range(3)]}})
    assert len(got["Responses"]["orders"]) == 3
    with pytest.raises(ClientError) as failed:
        c.transact_write_items(TransactItems=[
            {"Put": {"TableName": "orders", "Item": {"pk": {"S": "t"}, "sk": {"N": "1"}}}},
            {"ConditionCheck": {"TableName": "orders",
                                "Key": {"pk": {"S": "b"}, "sk": {"N": "0"}},
                                "ConditionExpression": "attribute_not_exists(pk)"}}])
    assert failed.value.response["Error"]["Code"] == "TransactionCanceledException"
    c.transact_write_items(TransactItems=[
        {"Put": {"TableName": "orders", "Item": {"pk": {"S": "t"}, "sk": {"N": "1"}}}},
        {"Delete": {"TableName": "orders", "Key": {"pk": {"S": "b"}, "sk": {"N": "0"}}}}])
    both = c.transact_get_items(TransactItems=[
        {"Get": {"TableName": "orders", "Key": {"pk": {"S": "t"}, "sk": {"N": "1"}}}},
        {"Get": {"TableName": "orders", "Key": {"pk": {"S": "b"}, "sk": {"N": "0"}}}}])
    assert [r.get("Item", {}).get("pk") for r in both["Responses"]] == [{"S": "t"}, None]
    # Only the transaction that went through reached the stream: 3 + put + delete.
    assert [r["eventName"] for r in read_stream(local)] == ["INSERT"] * 4 + ["REMOVE"]


def read_stream(local: Local, iterator_type: str = "TRIM_HORIZON") -> list[dict[str, Any]]:
    s = local.streams
    [stream] = s.list_streams(TableName="orders")["Streams"]
    [shard] = s.describe_stream(StreamArn=stream["StreamArn"])["StreamDescription"]["Shards"]
    iterator = s.get_shard_iterator(StreamArn=stream["StreamArn"], ShardId=shard["ShardId"],
                                    ShardIteratorType=iterator_type)["ShardIterator"]
    return s.get_records(ShardIterator=iterator)["Records"]


def test_stream_records_follow_the_view_type_and_skip_writes_that_change_nothing(
        local: Local) -> None:
    c = local.client
    key = {"pk": {"S": "s"}, "sk": {"N": "1"}}
    c.put_item(TableName="orders", Item={**key, "v": {"S": "one"}})
    c.put_item(TableName="orders", Item={**key, "v": {"S": "one"}})     # no change: no record
    c.update_item(TableName="orders", Key=key, UpdateExpression="SET v = :v",
                  ExpressionAttributeValues={":v": {"S": "two"}})
    c.delete_item(TableName="orders", Key=key)
    c.delete_item(TableName="orders", Key=key)                          # nothing to delete
    records = read_stream(local)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    insert, modify, remove = (r["dynamodb"] for r in records)
    assert insert["Keys"] == key and "OldImage" not in insert
    assert modify["OldImage"]["v"] == {"S": "one"} and modify["NewImage"]["v"] == {"S": "two"}
    assert remove["OldImage"]["v"] == {"S": "two"} and "NewImage" not in remove
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    assert all(r["eventSource"] == "aws:dynamodb" and r["awsRegion"] == REGION
               and r["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES" for r in records)
    assert read_stream(local, "LATEST") == []


def test_ttl_deletes_expired_items_with_the_service_identity(local: Local) -> None:
    c = local.client
    now = int(local.clock.now())
    c.put_item(TableName="orders", Item={"pk": {"S": "x"}, "sk": {"N": "1"},
                                         "expires": {"N": str(now + 60)}})
    assert local.dynamodb.expire_items() == 0
    local.clock.advance(seconds=61)
    assert local.dynamodb.expire_items() == 1
    assert c.scan(TableName="orders")["Count"] == 0
    remove = read_stream(local)[-1]
    assert remove["eventName"] == "REMOVE"
    assert remove["userIdentity"] == {"Type": "Service",
                                      "PrincipalId": "dynamodb.amazonaws.com"}


def test_partiql_is_refused_by_name(local: Local) -> None:
    with pytest.raises(ClientError) as failed:
        local.client.execute_statement(Statement="SELECT * FROM orders")
    assert failed.value.response["Error"]["Code"] == "ValidationException"
    assert "ExecuteStatement" in failed.value.response["Error"]["Message"]


def test_items_tables_and_the_stream_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "dynamodb.sqlite3"
    clock = ManualClock()
    first = start(db, clock)
    first.dynamodb.ensure_table(orders_table())
    first.client.create_table(TableName="made-by-sdk", BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id",
                                                     "AttributeType": "S"}])
    first.client.put_item(TableName="made-by-sdk", Item={"id": {"S": "1"}})
    for i in range(3):
        first.client.put_item(TableName="orders", Item={"pk": {"S": "k"}, "sk": {"N": str(i)}})
    arn = first.client.describe_table(TableName="orders")["Table"]["LatestStreamArn"]
    stop(first)

    again = start(db, clock)
    again.dynamodb.ensure_table(orders_table())
    try:
        assert sorted(again.client.list_tables()["TableNames"]) == ["made-by-sdk", "orders"]
        assert again.client.get_item(TableName="made-by-sdk",
                                     Key={"id": {"S": "1"}})["Item"] == {"id": {"S": "1"}}
        assert again.client.scan(TableName="orders")["Count"] == 3
        assert again.client.describe_table(TableName="orders")["Table"]["LatestStreamArn"] \
            == arn
        again.client.put_item(TableName="orders", Item={"pk": {"S": "k"}, "sk": {"N": "9"}})
        records = read_stream(again)
        assert len(records) == 4
        numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
        assert numbers == sorted(set(numbers))
    finally:
        stop(again)
    third = start(db, clock)       # a second restart: still the same stream, all of it
    third.dynamodb.ensure_table(orders_table())
    try:
        assert third.client.describe_table(TableName="orders")["Table"]["LatestStreamArn"] \
            == arn
        assert [r["eventID"] for r in read_stream(third)] == [r["eventID"] for r in records]
    finally:
        stop(third)


def files_table(**changes: Any) -> Table:
    """A table keyed by a binary attribute, without a stream."""
    values: dict[str, Any] = dict(
        logical_id="Files", resource_type="AWS::DynamoDB::Table", table_name="files",
        key_schema=(("digest", "HASH"),), attribute_definitions=(("digest", "B"),),
        billing_mode="PAY_PER_REQUEST", at=Mark(file="template.yaml", line=20, column=3))
    values.update(changes)
    return Table(**values)


BINARY = {"b": {"B": b"\x00\xff"}, "bs": {"BS": [b"\x01", b"\x02"]},
          "nested": {"M": {"l": {"L": [{"B": b"\xfe"}]}}}}


def test_binary_items_and_binary_keys_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "dynamodb.sqlite3"
    first = start(db, ManualClock())
    first.dynamodb.ensure_table(orders_table())
    first.dynamodb.ensure_table(files_table())
    orders_key = {"pk": {"S": "bin"}, "sk": {"N": "1"}}
    files_key = {"digest": {"B": b"\x9f\x00"}}
    first.client.put_item(TableName="orders", Item={**orders_key, **BINARY})
    first.client.put_item(TableName="files", Item={**files_key, **BINARY})
    first.client.update_item(TableName="files", Key=files_key, UpdateExpression="SET n = :n",
                             ExpressionAttributeValues={":n": {"N": "2"}})
    [insert] = read_stream(first)
    stop(first)

    again = start(db, ManualClock())
    again.dynamodb.ensure_table(orders_table())
    again.dynamodb.ensure_table(files_table())
    try:
        assert again.client.get_item(TableName="orders", Key=orders_key)["Item"] \
            == {**orders_key, **BINARY}
        assert again.client.get_item(TableName="files", Key=files_key)["Item"] \
            == {**files_key, **BINARY, "n": {"N": "2"}}
        again.client.delete_item(TableName="files", Key=files_key)
    finally:
        stop(again)
    # boto3 decodes the record's base64 back into bytes, as it does for DynamoDB's answers.
    assert insert["dynamodb"]["NewImage"] == {**orders_key, **BINARY}
    third = start(db, ManualClock())
    third.dynamodb.ensure_table(files_table())
    try:
        assert "Item" not in third.client.get_item(TableName="files", Key=files_key)
    finally:
        stop(third)


def test_writes_to_a_table_without_a_stream_are_kept_as_the_last_one_left_them(
        tmp_path: Path) -> None:
    db = tmp_path / "dynamodb.sqlite3"
    first = start(db, ManualClock())
    first.dynamodb.ensure_table(files_table(attribute_definitions=(("digest", "S"),)))
    c = first.client
    c.put_item(TableName="files", Item={"digest": {"S": "a"}, "v": {"N": "1"}})
    old = c.put_item(TableName="files", Item={"digest": {"S": "a"}, "v": {"N": "2"}},
                     ReturnValues="ALL_OLD")["Attributes"]
    c.put_item(TableName="files", Item={"digest": {"S": "b"}})
    c.delete_item(TableName="files", Key={"digest": {"S": "b"}})
    c.delete_item(TableName="files", Key={"digest": {"S": "never"}})
    with pytest.raises(ClientError):
        c.put_item(TableName="files", Item={"digest": {"S": "a"}, "v": {"N": "3"}},
                   ConditionExpression="attribute_not_exists(digest)")
    stop(first)
    assert old == {"digest": {"S": "a"}, "v": {"N": "1"}}

    again = start(db, ManualClock())
    again.dynamodb.ensure_table(files_table(attribute_definitions=(("digest", "S"),)))
    try:
        assert again.client.scan(TableName="files")["Items"] \
            == [{"digest": {"S": "a"}, "v": {"N": "2"}}]
    finally:
        stop(again)


def test_the_template_can_turn_a_stream_off_and_on_again(local: Local) -> None:
    old_arn = local.dynamodb.stream_arn("orders")
    local.client.put_item(TableName="orders", Item={"pk": {"S": "old"}, "sk": {"N": "1"}})
    local.dynamodb.ensure_table(orders_table(stream_view_type=None))
    table = local.client.describe_table(TableName="orders")["Table"]
    assert "StreamSpecification" not in table and "LatestStreamArn" not in table
    assert local.streams.list_streams()["Streams"] == []
    local.clock.advance(seconds=5)
    local.dynamodb.ensure_table(orders_table(stream_view_type="KEYS_ONLY"))
    table = local.client.describe_table(TableName="orders")["Table"]
    # A stream enabled again is a new stream, with a label (and ARN) of its own.
    assert table["StreamSpecification"]["StreamViewType"] == "KEYS_ONLY"
    assert table["LatestStreamArn"] != old_arn
    local.client.put_item(TableName="orders", Item={"pk": {"S": "a"}, "sk": {"N": "1"},
                                                    "x": {"S": "y"}})
    [record] = read_stream(local)     # the new stream has only what came after it
    assert record["dynamodb"]["Keys"] == {"pk": {"S": "a"}, "sk": {"N": "1"}}
    assert "NewImage" not in record["dynamodb"]


def test_a_stream_enabled_through_update_table_records_changes(local: Local) -> None:
    c = local.client
    c.create_table(TableName="later", BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    c.put_item(TableName="later", Item={"id": {"S": "before"}})
    c.update_table(TableName="later", StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    c.put_item(TableName="later", Item={"id": {"S": "after"}})
    [stream] = local.streams.list_streams(TableName="later")["Streams"]
    [shard] = local.streams.describe_stream(
        StreamArn=stream["StreamArn"])["StreamDescription"]["Shards"]
    iterator = local.streams.get_shard_iterator(
        StreamArn=stream["StreamArn"], ShardId=shard["ShardId"],
        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = local.streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["dynamodb"]["Keys"]["id"]["S"] for r in records] == ["after"]


def test_stream_api_errors_are_dynamodb_streams_errors(local: Local) -> None:
    with pytest.raises(ClientError) as missing:
        local.streams.describe_stream(
            StreamArn=f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/nope/stream/2020")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as bad:
        local.streams.get_records(ShardIterator="not-an-iterator")
    assert bad.value.response["Error"]["Code"] == "ValidationException"


def test_a_saved_table_that_cannot_be_made_again_names_the_state_file(tmp_path: Path) -> None:
    import sqlite3

    from samlite.errors import StateFileError

    db = tmp_path / "dynamodb.sqlite3"
    first = start(db, ManualClock())
    first.dynamodb.ensure_table(orders_table())
    stop(first)
    with sqlite3.connect(db) as raw:
        raw.execute("""UPDATE tables SET params = '{"TableName": "orders"}'""")
    with pytest.raises(StateFileError, match=r"dynamodb\.sqlite3 can't be used"):
        LocalDynamoDb(db_path=db, account_id=ACCOUNT, region=REGION, clock=ManualClock())


def test_an_index_the_template_adds_to_a_kept_table_is_a_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "dynamodb.sqlite3"
    first = start(db, ManualClock())
    plain = {"global_indexes": None,
             "attribute_definitions": (("pk", "S"), ("sk", "N"))}
    first.dynamodb.ensure_table(orders_table(**plain))
    first.client.put_item(TableName="orders", Item={"pk": {"S": "kept"}, "sk": {"N": "1"}})
    stop(first)
    again = start(db, ManualClock())
    try:
        with caplog.at_level("WARNING"):
            again.dynamodb.ensure_table(orders_table())
        assert "table orders: the template changed its GlobalSecondaryIndexes" in caplog.text
        assert again.client.scan(TableName="orders")["Count"] == 1      # items kept
    finally:
        stop(again)


def test_a_kept_table_whose_keys_the_template_changed_starts_empty(tmp_path: Path) -> None:
    db = tmp_path / "dynamodb.sqlite3"
    first = start(db, ManualClock())
    first.dynamodb.ensure_table(orders_table())
    first.client.put_item(TableName="orders", Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
    stop(first)
    again = start(db, ManualClock())
    try:
        again.dynamodb.ensure_table(orders_table(
            key_schema=(("pk", "HASH"),), attribute_definitions=(("pk", "S"), ("status", "S"))))
        table = again.client.describe_table(TableName="orders")["Table"]
        assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
        assert again.client.scan(TableName="orders")["Count"] == 0
    finally:
        stop(again)


def test_an_operation_the_local_dynamodb_does_not_serve_is_named_not_answered(
        local: Local) -> None:
    with pytest.raises(ClientError) as raised:
        local.client.describe_contributor_insights(TableName="orders")
    error = raised.value.response["Error"]
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Code"] == "UnknownOperationException"
    assert "DescribeContributorInsights" in error["Message"]
    assert "locally" in error["Message"]
